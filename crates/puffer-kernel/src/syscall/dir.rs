//! Directories and names: getcwd, chdir, fchdir, mkdir(at), rmdir, unlink(at),
//! rename(at, at2), link(at), symlink(at), umask, getdents64.

use super::{Args, AT_FDCWD, AT_REMOVEDIR};
use crate::errno::{Errno, SysResult};
use crate::vfs::{DirEntry, FileKind, Resolved};
use crate::Kernel;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirEntryExt, MetadataExt};
use std::path::PathBuf;

/// Only host files can be created, renamed or removed.
fn host_of(r: Resolved) -> Result<PathBuf, Errno> {
    match r {
        Resolved::Host { host, .. } => Ok(host),
        Resolved::Virtual { guest } if guest.starts_with("/proc") => Err(Errno::EACCES),
        Resolved::Virtual { .. } => Err(Errno::EPERM),
    }
}

fn cstr(p: &std::path::Path) -> Result<CString, Errno> {
    CString::new(p.as_os_str().as_bytes()).map_err(|_| Errno::EINVAL)
}

fn check(r: i32) -> SysResult {
    if r < 0 {
        Err(std::io::Error::last_os_error().into())
    } else {
        Ok(r as u64)
    }
}

pub fn sys_getcwd(k: &mut Kernel, a: &Args) -> SysResult {
    let cwd = k.current_task().fs.borrow().cwd.clone();
    let mut b = cwd.into_bytes();
    b.push(0);
    if (a[1] as usize) < b.len() {
        return Err(Errno::ERANGE);
    }
    k.copy_to_user(a[0], &b)?;
    Ok(b.len() as u64)
}

fn set_cwd(k: &mut Kernel, r: Resolved) -> SysResult {
    match &r {
        Resolved::Host { host, .. } => {
            let md = std::fs::metadata(host)?;
            if !md.is_dir() {
                return Err(Errno::ENOTDIR);
            }
        }
        Resolved::Virtual { guest } => match k.proc_read(guest)? {
            crate::proc::ProcNode::Dir(_) => {}
            // /proc/self: the directory it links to (relative to /proc).
            crate::proc::ProcNode::Link(t) if !t.contains(':') => {
                let r = k.vfs.resolve("/proc", &t, true)?;
                return set_cwd(k, r);
            }
            _ => return Err(Errno::ENOTDIR),
        },
    }
    k.current_task().fs.borrow_mut().cwd = r.guest().to_owned();
    Ok(0)
}

pub fn sys_chdir(k: &mut Kernel, a: &Args) -> SysResult {
    let p = k.read_path(a[0])?;
    let r = k.resolve_at(AT_FDCWD, &p, true)?;
    set_cwd(k, r)
}

pub fn sys_fchdir(k: &mut Kernel, a: &Args) -> SysResult {
    let f = k.file(a[0] as i32)?;
    match &f.kind {
        FileKind::Dir { .. } | FileKind::ProcDir(_) => {
            k.current_task().fs.borrow_mut().cwd = f.path.clone();
            Ok(0)
        }
        _ => Err(Errno::ENOTDIR),
    }
}

fn mkdir(k: &mut Kernel, dirfd: i32, path: u64, mode: u64) -> SysResult {
    let p = k.read_path(path)?;
    let host = host_of(k.resolve_at(dirfd, &p, false)?)?;
    let m = (mode as u32) & 0o7777 & !k.umask();
    // SAFETY: mkdir(2) on a path we own.
    let r = check(unsafe { libc::mkdir(cstr(&host)?.as_ptr(), m) })?;
    // The virtual clock stamps and numbers what the guest creates.
    k.note_change_path(&host, crate::time::Change::Created);
    if let Some(dir) = host.parent() {
        k.note_change_path(dir, crate::time::Change::Written);
    }
    Ok(r)
}

pub fn sys_mkdir(k: &mut Kernel, a: &Args) -> SysResult {
    mkdir(k, AT_FDCWD, a[0], a[1])
}

pub fn sys_mkdirat(k: &mut Kernel, a: &Args) -> SysResult {
    mkdir(k, a[0] as i32, a[1], a[2])
}

fn unlink(k: &mut Kernel, dirfd: i32, path: u64, flags: u64) -> SysResult {
    if flags & !AT_REMOVEDIR != 0 {
        return Err(Errno::EINVAL);
    }
    let p = k.read_path(path)?;
    let host = host_of(k.resolve_at(dirfd, &p, false)?)?;
    let c = cstr(&host)?;
    // SAFETY: rmdir(2)/unlink(2) on a path we own.
    check(unsafe {
        if flags & AT_REMOVEDIR != 0 {
            libc::rmdir(c.as_ptr())
        } else {
            libc::unlink(c.as_ptr())
        }
    })
}

pub fn sys_unlink(k: &mut Kernel, a: &Args) -> SysResult {
    unlink(k, AT_FDCWD, a[0], 0)
}

pub fn sys_rmdir(k: &mut Kernel, a: &Args) -> SysResult {
    unlink(k, AT_FDCWD, a[0], AT_REMOVEDIR)
}

pub fn sys_unlinkat(k: &mut Kernel, a: &Args) -> SysResult {
    unlink(k, a[0] as i32, a[1], a[2])
}

fn rename(k: &mut Kernel, olddir: i32, old: u64, newdir: i32, new: u64, flags: u64) -> SysResult {
    let o = k.read_path(old)?;
    let n = k.read_path(new)?;
    let oh = host_of(k.resolve_at(olddir, &o, false)?)?;
    let nh = host_of(k.resolve_at(newdir, &n, false)?)?;
    let (oc, nc) = (cstr(&oh)?, cstr(&nh)?);
    // SAFETY: renameat2(2) on paths we own.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            oc.as_ptr(),
            libc::AT_FDCWD,
            nc.as_ptr(),
            flags as u32,
        )
    };
    check(r as i32)
}

pub fn sys_rename(k: &mut Kernel, a: &Args) -> SysResult {
    rename(k, AT_FDCWD, a[0], AT_FDCWD, a[1], 0)
}

pub fn sys_renameat(k: &mut Kernel, a: &Args) -> SysResult {
    rename(k, a[0] as i32, a[1], a[2] as i32, a[3], 0)
}

pub fn sys_renameat2(k: &mut Kernel, a: &Args) -> SysResult {
    rename(k, a[0] as i32, a[1], a[2] as i32, a[3], a[4])
}

fn link(k: &mut Kernel, olddir: i32, old: u64, newdir: i32, new: u64, flags: u64) -> SysResult {
    if flags & !(super::AT_SYMLINK_FOLLOW | super::AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let n = k.read_path(new)?;
    let nh = host_of(k.resolve_at(newdir, &n, false)?)?;
    let ob = k.read_cstr(old, crate::vfs::path::PATH_MAX)?;
    let o = String::from_utf8(ob).map_err(|_| Errno::EINVAL)?;
    let follow = flags & super::AT_SYMLINK_FOLLOW != 0;
    // An open file itself: linkat(fd, "", AT_EMPTY_PATH) or, following the magic
    // link, /proc/self/fd/N (how an O_TMPFILE file gets a name). The host decides
    // with its own rules (AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH there too).
    let file = if o.is_empty() && flags & super::AT_EMPTY_PATH != 0 {
        Some((k.file(olddir)?, libc::AT_EMPTY_PATH))
    } else if follow {
        let r = k.resolve_at(olddir, &o, true)?;
        match &r {
            Resolved::Virtual { guest } => {
                k.proc_fd_file(guest)?.map(|f| (f, libc::AT_SYMLINK_FOLLOW))
            }
            _ => None,
        }
    } else {
        None
    };
    if let Some((f, how)) = file {
        let h = match f.host_fd() {
            Some(h) => h,
            None if matches!(f.kind, FileKind::Dir { .. }) => return Err(Errno::EPERM),
            None => return Err(Errno::EXDEV),
        };
        let nc = cstr(&nh)?;
        let (path, hflags) = if how == libc::AT_EMPTY_PATH {
            (CString::default(), libc::AT_EMPTY_PATH)
        } else {
            (
                CString::new(format!("/proc/self/fd/{h}")).map_err(|_| Errno::EINVAL)?,
                libc::AT_SYMLINK_FOLLOW,
            )
        };
        let dirfd = if how == libc::AT_EMPTY_PATH {
            h
        } else {
            libc::AT_FDCWD
        };
        // SAFETY: linkat(2) on a descriptor puffer owns (or the host's magic link to
        // it) and a resolved new path.
        return check(unsafe {
            libc::linkat(dirfd, path.as_ptr(), libc::AT_FDCWD, nc.as_ptr(), hflags)
        });
    }
    if o.is_empty() {
        return Err(Errno::ENOENT);
    }
    let oh = host_of(k.resolve_at(olddir, &o, follow)?)?;
    std::fs::hard_link(oh, nh)?;
    Ok(0)
}

pub fn sys_link(k: &mut Kernel, a: &Args) -> SysResult {
    link(k, AT_FDCWD, a[0], AT_FDCWD, a[1], 0)
}

pub fn sys_linkat(k: &mut Kernel, a: &Args) -> SysResult {
    link(k, a[0] as i32, a[1], a[2] as i32, a[3], a[4])
}

fn symlink(k: &mut Kernel, target: u64, dirfd: i32, path: u64) -> SysResult {
    // The target is stored as the guest wrote it; it is interpreted inside the root
    // whenever it is followed.
    let t = k.read_path(target)?;
    let p = k.read_path(path)?;
    let host = host_of(k.resolve_at(dirfd, &p, false)?)?;
    std::os::unix::fs::symlink(t, host)?;
    Ok(0)
}

pub fn sys_symlink(k: &mut Kernel, a: &Args) -> SysResult {
    symlink(k, a[0], AT_FDCWD, a[1])
}

pub fn sys_symlinkat(k: &mut Kernel, a: &Args) -> SysResult {
    symlink(k, a[0], a[1] as i32, a[2])
}

pub fn sys_umask(k: &mut Kernel, a: &Args) -> SysResult {
    let fs = k.current_task().fs.clone();
    let old = fs.borrow().umask;
    fs.borrow_mut().umask = a[0] as u32 & 0o777;
    Ok(old as u64)
}

const DT_DIR: u8 = 4;

fn list_dir(host: &std::path::Path) -> Result<Vec<DirEntry>, Errno> {
    let mut out = Vec::new();
    let md = std::fs::metadata(host)?;
    out.push(DirEntry {
        ino: md.ino(),
        kind: DT_DIR,
        name: b".".to_vec(),
    });
    let parent = std::fs::metadata(host.join(".."))
        .map(|m| m.ino())
        .unwrap_or(md.ino());
    out.push(DirEntry {
        ino: parent,
        kind: DT_DIR,
        name: b"..".to_vec(),
    });
    for e in std::fs::read_dir(host)? {
        let e = e?;
        let kind = match e.file_type() {
            Ok(t) if t.is_dir() => DT_DIR,
            Ok(t) if t.is_symlink() => 10,
            Ok(t) if t.is_file() => 8,
            Ok(t) => {
                use std::os::unix::fs::FileTypeExt;
                if t.is_fifo() {
                    1
                } else if t.is_char_device() {
                    2
                } else if t.is_block_device() {
                    6
                } else if t.is_socket() {
                    12
                } else {
                    0
                }
            }
            Err(_) => 0,
        };
        out.push(DirEntry {
            ino: e.ino(),
            kind,
            name: e.file_name().as_bytes().to_vec(),
        });
    }
    Ok(out)
}

/// getdents64: `struct linux_dirent64 { u64 d_ino; i64 d_off; u16 d_reclen; u8 d_type;
/// char d_name[]; }`, each record 8-byte aligned. The file offset is an entry index.
pub fn sys_getdents64(k: &mut Kernel, a: &Args) -> SysResult {
    let f = k.file(a[0] as i32)?;
    let ents: Vec<DirEntry> = match &f.kind {
        FileKind::Dir { host, entries } => {
            if entries.borrow().is_none() {
                let mut list = list_dir(host)?;
                if k.deterministic() {
                    // Inode numbers of entries the guest created are its own.
                    let dev = std::fs::metadata(host).map_or(0, |m| m.dev());
                    for e in &mut list {
                        e.ino = k.guest_ino(dev, e.ino);
                    }
                }
                *entries.borrow_mut() = Some(list);
            }
            entries.borrow().clone().unwrap_or_default()
        }
        FileKind::ProcDir(entries) => {
            if entries.borrow().is_none() {
                let names = match k.proc_read(&f.path)? {
                    crate::proc::ProcNode::Dir(names) => names,
                    _ => Vec::new(),
                };
                *entries.borrow_mut() = Some(k.proc_dir_entries(&f.path, names));
            }
            entries.borrow().clone().unwrap_or_default()
        }
        _ => return Err(Errno::ENOTDIR),
    };
    let cap = a[2] as usize;
    let mut out = Vec::new();
    let mut idx = f.offset.get() as usize;
    while idx < ents.len() {
        let e = &ents[idx];
        let reclen = (19 + e.name.len() + 1).div_ceil(8) * 8;
        if out.len() + reclen > cap {
            if out.is_empty() {
                return Err(Errno::EINVAL);
            }
            break;
        }
        let start = out.len();
        out.extend_from_slice(&e.ino.to_le_bytes());
        out.extend_from_slice(&((idx + 1) as i64).to_le_bytes());
        out.extend_from_slice(&(reclen as u16).to_le_bytes());
        out.push(e.kind);
        out.extend_from_slice(&e.name);
        out.resize(start + reclen, 0);
        idx += 1;
    }
    k.copy_to_user(a[1], &out)?;
    f.offset.set(idx as u64);
    Ok(out.len() as u64)
}
