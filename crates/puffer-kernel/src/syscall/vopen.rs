//! Opening the special names: /dev/tty (the host's controlling terminal),
//! /proc/<pid>/fd/N (a new open file description of the same file, as Linux's
//! magic links do), and /proc directories (listed for getdents64).

use super::open::{O_CLOEXEC, O_CREAT, O_EXCL, O_NOFOLLOW};
use crate::errno::Errno;
use crate::proc::ProcNode;
use crate::task::Pid;
use crate::vfs::file::{O_ACCMODE, O_RDWR, O_WRONLY};
use crate::vfs::pipe::PipeEnd;
use crate::vfs::{DirEntry, File, FileKind, FileRef};
use crate::Kernel;
use std::cell::RefCell;
use std::os::fd::FromRawFd;

const DT_DIR: u8 = 4;
const DT_REG: u8 = 8;
const DT_LNK: u8 = 10;

/// Status flags a new description keeps.
fn status(flags: u32) -> u32 {
    flags & !(O_CREAT | O_EXCL | super::open::O_TRUNC | O_CLOEXEC | O_NOFOLLOW)
}

/// A stable inode number for a /proc name.
fn proc_ino(path: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in path.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    (h & 0xffff_ffff) | 0x1000
}

/// Open a host path that puffer chose itself (not a guest path): a host magic link
/// /proc/self/fd/N or /dev/tty.
fn host_open(path: &str, flags: u32) -> Result<std::fs::File, Errno> {
    let c = std::ffi::CString::new(path).map_err(|_| Errno::EINVAL)?;
    let hflags = (status(flags) | libc::O_CLOEXEC as u32 | libc::O_NOCTTY as u32)
        & !(libc::O_NONBLOCK as u32);
    // SAFETY: open(2) on a NUL-terminated path we own.
    let fd = unsafe { libc::open(c.as_ptr(), hflags as i32) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error().into());
    }
    // SAFETY: `fd` was just opened and belongs to nobody else.
    Ok(unsafe { std::fs::File::from_raw_fd(fd) })
}

impl Kernel {
    /// /dev/tty: the host's controlling terminal if puffer has one; otherwise ENXIO,
    /// as Linux answers a process without a controlling terminal.
    pub(crate) fn open_tty(&mut self, flags: u32) -> Result<FileRef, Errno> {
        let f = host_open("/dev/tty", flags)?;
        Ok(File::new(
            FileKind::HostStream(f),
            status(flags),
            "/dev/tty",
        ))
    }

    /// /proc/<pid>/fd/N: a new open file description of the file that descriptor
    /// refers to (None if `guest` is not such a name). Host files are re-opened
    /// through the host's own magic link, so even an unlinked file can be; a pipe
    /// gets a new description of the requested end (O_RDWR: the same end as the
    /// original); sockets and anonymous inodes cannot be re-opened (ENXIO).
    pub(crate) fn reopen_fd(&mut self, guest: &str, flags: u32) -> Result<Option<FileRef>, Errno> {
        let Some(f) = self.proc_fd_file(guest)? else {
            return Ok(None);
        };
        let st = status(flags);
        let new = match &f.kind {
            FileKind::Pipe(end) => {
                let write = match flags & O_ACCMODE {
                    O_WRONLY => true,
                    O_RDWR => end.write,
                    _ => false,
                };
                let st = (st & !O_ACCMODE) | if write { O_WRONLY } else { 0 };
                File::new(
                    FileKind::Pipe(PipeEnd::new(end.pipe.clone(), write)),
                    st,
                    f.path.clone(),
                )
            }
            FileKind::Socket(_) | FileKind::EventFd(_) | FileKind::Shmem(_) => {
                return Err(Errno::ENXIO)
            }
            FileKind::Host(_) | FileKind::HostFd(_) | FileKind::HostStream(_) => {
                let h = f.host_fd().ok_or(Errno::ENOENT)?;
                let hf = host_open(&format!("/proc/self/fd/{h}"), flags)?;
                let md = hf.metadata()?;
                let kind = if md.is_file() {
                    FileKind::Host(hf)
                } else if md.is_dir() {
                    FileKind::Dir {
                        host: self.vfs.host_path(&f.path),
                        entries: RefCell::new(None),
                    }
                } else {
                    FileKind::HostStream(hf)
                };
                File::new(kind, st, f.path.clone())
            }
            FileKind::Dir { host, .. } => {
                if flags & O_ACCMODE != 0 {
                    return Err(Errno::EISDIR);
                }
                File::new(
                    FileKind::Dir {
                        host: host.clone(),
                        entries: RefCell::new(None),
                    },
                    st,
                    f.path.clone(),
                )
            }
            FileKind::Null => File::new(FileKind::Null, st, f.path.clone()),
            FileKind::Zero => File::new(FileKind::Zero, st, f.path.clone()),
            FileKind::Full => File::new(FileKind::Full, st, f.path.clone()),
            FileKind::Random => File::new(FileKind::Random, st, f.path.clone()),
            FileKind::Synthetic(_) | FileKind::ProcDir(_) => {
                // Generated again, as a fresh open of the /proc file would be.
                let path = f.path.clone();
                if path.starts_with("/proc") {
                    return self.open_virtual(&path, flags).map(Some);
                }
                match &f.kind {
                    FileKind::Synthetic(d) => File::new(FileKind::Synthetic(d.clone()), st, path),
                    _ => return Err(Errno::ENXIO),
                }
            }
        };
        Ok(Some(new))
    }

    /// The open file /proc/<pid>/fd/N names (None if `guest` is not such a name).
    pub(crate) fn proc_fd_file(&self, guest: &str) -> Result<Option<FileRef>, Errno> {
        let parts: Vec<&str> = guest.split('/').filter(|s| !s.is_empty()).collect();
        let ["proc", who, "fd", n] = parts.as_slice() else {
            return Ok(None);
        };
        let pid = if *who == "self" {
            self.current_task().tgid
        } else {
            Pid(who.parse().map_err(|_| Errno::ENOENT)?)
        };
        let n: i32 = n.parse().map_err(|_| Errno::ENOENT)?;
        let files = self.tasks.get(&pid).ok_or(Errno::ENOENT)?.files.clone();
        let f = files.borrow().get(n).map_err(|_| Errno::ENOENT)?.clone();
        Ok(Some(f))
    }

    /// The entries of a /proc directory, with `.` and `..` and each name's type.
    pub(crate) fn proc_dir_entries(&mut self, guest: &str, names: Vec<String>) -> Vec<DirEntry> {
        let parent = match guest.rfind('/') {
            Some(0) | None => "/".to_string(),
            Some(i) => guest[..i].to_string(),
        };
        let mut out = vec![
            DirEntry {
                ino: proc_ino(guest),
                kind: DT_DIR,
                name: b".".to_vec(),
            },
            DirEntry {
                ino: proc_ino(&parent),
                kind: DT_DIR,
                name: b"..".to_vec(),
            },
        ];
        for n in names {
            let path = format!("{}/{}", guest.trim_end_matches('/'), n);
            let kind = match self.proc_read(&path) {
                Ok(ProcNode::Dir(_)) => DT_DIR,
                Ok(ProcNode::Link(_)) => DT_LNK,
                _ => DT_REG,
            };
            out.push(DirEntry {
                ino: proc_ino(&path),
                kind,
                name: n.into_bytes(),
            });
        }
        out
    }
}
