//! File status: stat, fstat, lstat, newfstatat, statx, access, faccessat(2),
//! readlink, readlinkat.

use super::{Args, AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW};
use crate::errno::{Errno, SysResult};
use crate::proc::ProcNode;
use crate::vfs::stat::Stat;
use crate::vfs::Resolved;
use crate::Kernel;
use std::os::unix::ffi::OsStrExt;

impl Kernel {
    fn stat_resolved(&mut self, r: &Resolved, follow: bool) -> Result<Stat, Errno> {
        match r {
            Resolved::Host { host, .. } => Stat::of_path(host, follow),
            Resolved::Virtual { guest } => match guest.as_str() {
                "/dev/null" => Ok(Stat::char_device(1, 3)),
                "/dev/zero" => Ok(Stat::char_device(1, 5)),
                "/dev/full" => Ok(Stat::char_device(1, 7)),
                "/dev/random" => Ok(Stat::char_device(1, 8)),
                "/dev/urandom" => Ok(Stat::char_device(1, 9)),
                "/dev/tty" => Ok(Stat::char_device(5, 0)),
                _ if follow && self.proc_fd_file(guest)?.is_some() => {
                    // A magic link: the open file itself, pipes and sockets too.
                    self.proc_fd_file(guest)?.ok_or(Errno::ENOENT)?.stat()
                }
                _ => match self.proc_read(guest)? {
                    // Size 0 whatever it holds, as Linux's /proc files show.
                    ProcNode::File(_) => Ok(Stat::proc_file(0)),
                    ProcNode::Dir(_) => Ok(Stat::proc_dir()),
                    ProcNode::Link(t) if follow => {
                        // Relative targets (/proc/mounts -> self/mounts) are relative to /proc.
                        let r = self.vfs.resolve("/proc", &t, true)?;
                        self.stat_resolved(&r, true)
                    }
                    ProcNode::Link(_) => Ok(Stat::proc_link()),
                },
            },
        }
    }

    /// stat of `path` relative to `dirfd`, honouring AT_SYMLINK_NOFOLLOW and
    /// AT_EMPTY_PATH, with host metadata as the guest sees it (`time/files.rs`).
    fn stat_at(&mut self, dirfd: i32, path_addr: u64, flags: u64) -> Result<Stat, Errno> {
        let mut st = self.stat_at_host(dirfd, path_addr, flags)?;
        self.guest_stat(&mut st);
        Ok(st)
    }

    fn stat_at_host(&mut self, dirfd: i32, path_addr: u64, flags: u64) -> Result<Stat, Errno> {
        let path = self.read_path_maybe_empty(path_addr)?;
        if path.is_empty() {
            if flags & AT_EMPTY_PATH == 0 {
                return Err(Errno::ENOENT);
            }
            if dirfd == AT_FDCWD {
                let cwd = self.current_task().fs.borrow().cwd.clone();
                let r = self.vfs.resolve("/", &cwd, true)?;
                return self.stat_resolved(&r, true);
            }
            return self.file(dirfd)?.stat();
        }
        let follow = flags & AT_SYMLINK_NOFOLLOW == 0;
        let r = self.resolve_at(dirfd, &path, follow)?;
        // A trailing slash follows a final symlink even for lstat (path_resolution(7));
        // `resolve` does so on the host, /proc's links are followed here.
        self.stat_resolved(&r, follow || path.ends_with('/'))
    }

    fn read_path_maybe_empty(&mut self, addr: u64) -> Result<String, Errno> {
        let b = self.read_cstr(addr, crate::vfs::path::PATH_MAX)?;
        String::from_utf8(b).map_err(|_| Errno::EINVAL)
    }
}

pub fn sys_stat(k: &mut Kernel, a: &Args) -> SysResult {
    let st = k.stat_at(AT_FDCWD, a[0], 0)?;
    k.copy_to_user(a[1], &st.encode())?;
    Ok(0)
}

pub fn sys_lstat(k: &mut Kernel, a: &Args) -> SysResult {
    let st = k.stat_at(AT_FDCWD, a[0], AT_SYMLINK_NOFOLLOW)?;
    k.copy_to_user(a[1], &st.encode())?;
    Ok(0)
}

pub fn sys_fstat(k: &mut Kernel, a: &Args) -> SysResult {
    let mut st = k.file(a[0] as i32)?.stat()?;
    k.guest_stat(&mut st);
    k.copy_to_user(a[1], &st.encode())?;
    Ok(0)
}

pub fn sys_newfstatat(k: &mut Kernel, a: &Args) -> SysResult {
    let st = k.stat_at(a[0] as i32, a[1], a[3])?;
    k.copy_to_user(a[2], &st.encode())?;
    Ok(0)
}

pub fn sys_statx(k: &mut Kernel, a: &Args) -> SysResult {
    // statx(dirfd, path, flags, mask, buf)
    let st = k.stat_at(a[0] as i32, a[1], a[2])?;
    k.copy_to_user(a[4], &st.encode_statx())?;
    Ok(0)
}

fn access(k: &mut Kernel, dirfd: i32, path: u64, mode: u64, flags: u64) -> SysResult {
    if mode & !7 != 0 {
        return Err(Errno::EINVAL);
    }
    let path = k.read_path(path)?;
    let follow = flags & AT_SYMLINK_NOFOLLOW == 0;
    match k.resolve_at(dirfd, &path, follow)? {
        Resolved::Host { host, .. } => {
            let c =
                std::ffi::CString::new(host.as_os_str().as_bytes()).map_err(|_| Errno::EINVAL)?;
            // SAFETY: faccessat(2) on a path we own.
            let r = unsafe {
                libc::faccessat(
                    libc::AT_FDCWD,
                    c.as_ptr(),
                    mode as i32,
                    libc::AT_SYMLINK_NOFOLLOW,
                )
            };
            if r < 0 {
                return Err(std::io::Error::last_os_error().into());
            }
            Ok(0)
        }
        r @ Resolved::Virtual { .. } => {
            k.stat_resolved(&r, follow)?;
            Ok(0)
        }
    }
}

pub fn sys_access(k: &mut Kernel, a: &Args) -> SysResult {
    access(k, AT_FDCWD, a[0], a[1], 0)
}

pub fn sys_faccessat(k: &mut Kernel, a: &Args) -> SysResult {
    access(k, a[0] as i32, a[1], a[2], 0)
}

pub fn sys_faccessat2(k: &mut Kernel, a: &Args) -> SysResult {
    access(k, a[0] as i32, a[1], a[2], a[3])
}

fn readlink(k: &mut Kernel, dirfd: i32, path: u64, buf: u64, size: u64) -> SysResult {
    if (size as i64) <= 0 {
        return Err(Errno::EINVAL);
    }
    let path = k.read_path(path)?;
    let target: Vec<u8> = match k.resolve_at(dirfd, &path, false)? {
        Resolved::Host { host, .. } => {
            let md = std::fs::symlink_metadata(&host)?;
            if !md.file_type().is_symlink() {
                return Err(Errno::EINVAL);
            }
            std::fs::read_link(&host)?.as_os_str().as_bytes().to_vec()
        }
        Resolved::Virtual { guest } => match k.proc_read(&guest) {
            Ok(ProcNode::Link(t)) => t.into_bytes(),
            Ok(_) => return Err(Errno::EINVAL),
            Err(e) => {
                return Err(if guest.starts_with("/dev/") {
                    Errno::EINVAL
                } else {
                    e
                })
            }
        },
    };
    let n = target.len().min(size as usize);
    k.copy_to_user(buf, &target[..n])?;
    Ok(n as u64)
}

pub fn sys_readlink(k: &mut Kernel, a: &Args) -> SysResult {
    readlink(k, AT_FDCWD, a[0], a[1], a[2])
}

pub fn sys_readlinkat(k: &mut Kernel, a: &Args) -> SysResult {
    readlink(k, a[0] as i32, a[1], a[2], a[3])
}
