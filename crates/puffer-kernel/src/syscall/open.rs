//! Opening and closing: open, openat, creat, close, dup, dup2, dup3, fcntl, ioctl.

use super::{Args, AT_FDCWD};
use crate::errno::{Errno, SysResult};
use crate::vfs::file::{O_ACCMODE, O_RDWR, O_WRONLY};
use crate::vfs::{File, FileKind, FileRef, Resolved};
use crate::Kernel;
use std::cell::RefCell;
use std::os::fd::FromRawFd;
use std::os::unix::ffi::OsStrExt;

pub const O_CREAT: u32 = 0o100;
pub const O_EXCL: u32 = 0o200;
pub const O_TRUNC: u32 = 0o1000;
pub const O_NOCTTY: u32 = 0o400;
pub const O_NONBLOCK: u32 = 0o4000;
pub const O_NOFOLLOW: u32 = 0o400000;
pub const O_CLOEXEC: u32 = 0o2000000;
pub const O_TMPFILE: u32 = 0o20000000;
pub const O_DIRECTORY: u32 = 0o200000;
pub const O_PATH: u32 = 0o10000000;

/// The metadata of `host` if it is a FIFO.
fn is_fifo(host: &std::path::Path) -> Option<std::fs::Metadata> {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(host)
        .ok()
        .filter(|m| m.file_type().is_fifo())
}

impl Kernel {
    /// The guest directory a `*at` call is relative to.
    pub(crate) fn dir_of(&self, dirfd: i32, path: &str) -> Result<String, Errno> {
        if path.starts_with('/') || dirfd == AT_FDCWD {
            return Ok(self.current_task().fs.borrow().cwd.clone());
        }
        let files = self.current_files();
        let files = files.borrow();
        let f = files.get(dirfd)?;
        match &f.kind {
            FileKind::Dir { .. } | FileKind::ProcDir(_) => Ok(f.path.clone()),
            _ => Err(Errno::ENOTDIR),
        }
    }

    pub(crate) fn resolve_at(
        &self,
        dirfd: i32,
        path: &str,
        follow: bool,
    ) -> Result<Resolved, Errno> {
        let dir = self.dir_of(dirfd, path)?;
        self.vfs.resolve(&dir, path, follow)
    }

    pub(crate) fn umask(&self) -> u32 {
        self.current_task().fs.borrow().umask
    }

    pub(crate) fn file(&self, fd: i32) -> Result<FileRef, Errno> {
        self.current_files().borrow().get(fd).cloned()
    }

    fn do_open(&mut self, dirfd: i32, path: &str, flags: u32, mode: u32) -> SysResult {
        // A FIFO open of this task that sleeps waiting for its partner: this call
        // restarts it (or it is abandoned, and its end closes).
        let fifo_pending = self.io.fifos.pending.remove(&self.current);
        let follow = flags & O_NOFOLLOW == 0;
        let r = self.resolve_at(dirfd, path, follow)?;
        let fifo = match &r {
            Resolved::Host { host, .. } if flags & O_PATH == 0 => is_fifo(host),
            _ => None,
        };
        let file = match (r, fifo) {
            (Resolved::Virtual { guest }, _) => self.open_virtual(&guest, flags)?,
            (Resolved::Host { guest, host }, Some(md)) => {
                // Never opened on the host, where it would block puffer's thread.
                if flags & O_DIRECTORY != 0 {
                    return Err(Errno::ENOTDIR);
                }
                self.open_fifo(guest, &host, &md, flags, fifo_pending)?
            }
            (Resolved::Host { guest, host }, None) => {
                let c = std::ffi::CString::new(host.as_os_str().as_bytes())
                    .map_err(|_| Errno::EINVAL)?;
                let hflags =
                    (flags & !(O_CLOEXEC | O_TMPFILE)) | O_NOFOLLOW | libc::O_CLOEXEC as u32;
                let hflags = if flags & O_TMPFILE == O_TMPFILE {
                    hflags | libc::O_TMPFILE as u32
                } else {
                    hflags
                };
                let m = mode & 0o7777 & !self.umask();
                // The virtual clock stamps what the guest creates or truncates.
                let creates = self.deterministic()
                    && flags & O_CREAT != 0
                    && std::fs::symlink_metadata(&host).is_err();
                // SAFETY: open(2) on a NUL-terminated path we own.
                let fd = unsafe { libc::open(c.as_ptr(), hflags as i32, m) };
                if fd < 0 {
                    return Err(std::io::Error::last_os_error().into());
                }
                if creates {
                    self.note_change_fd(fd, crate::time::Change::Created);
                    if let Some(dir) = host.parent() {
                        self.note_change_path(dir, crate::time::Change::Written);
                    }
                } else if flags & O_TRUNC != 0 && flags & O_ACCMODE != 0 {
                    self.note_change_fd(fd, crate::time::Change::Written);
                }
                // SAFETY: `fd` was just opened and is owned by nobody else.
                let hf = unsafe { std::fs::File::from_raw_fd(fd) };
                let kind = match hf.metadata() {
                    Ok(m) if m.is_dir() => FileKind::Dir {
                        host: host.clone(),
                        entries: RefCell::new(None),
                    },
                    _ => FileKind::Host(hf),
                };
                // F_GETFL shows what Linux keeps in f_flags: not O_CREAT, O_EXCL,
                // O_NOCTTY, O_TRUNC (do_dentry_open) nor O_CLOEXEC (build_open_flags).
                File::new(
                    kind,
                    flags & !(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC),
                    guest,
                )
            }
        };
        let fd = self.install_fd(file, flags & O_CLOEXEC != 0)?;
        Ok(fd as u64)
    }

    /// RLIMIT_NOFILE's soft limit for the current process: one more than the
    /// highest descriptor it may have.
    pub(crate) fn nofile_limit(&self) -> u64 {
        let tgid = self.current_task().tgid;
        self.procs
            .get(&tgid)
            .map_or(crate::vfs::fdtable::NOFILE as u64, |p| p.rlimits[7].0)
    }

    fn fd_limit(&self) -> usize {
        self.nofile_limit().min(crate::vfs::fdtable::NR_OPEN as u64) as usize
    }

    /// Install `file` at the current process's lowest free descriptor (EMFILE at
    /// RLIMIT_NOFILE).
    pub(crate) fn install_fd(&mut self, file: FileRef, cloexec: bool) -> Result<i32, Errno> {
        let limit = self.fd_limit();
        self.current_files()
            .borrow_mut()
            .alloc_from(0, limit, file, cloexec)
    }
}

pub fn sys_open(k: &mut Kernel, a: &Args) -> SysResult {
    let path = k.read_path(a[0])?;
    k.do_open(AT_FDCWD, &path, a[1] as u32, a[2] as u32)
}

pub fn sys_openat(k: &mut Kernel, a: &Args) -> SysResult {
    let path = k.read_path(a[1])?;
    k.do_open(a[0] as i32, &path, a[2] as u32, a[3] as u32)
}

pub fn sys_creat(k: &mut Kernel, a: &Args) -> SysResult {
    let path = k.read_path(a[0])?;
    k.do_open(AT_FDCWD, &path, O_CREAT | O_WRONLY | O_TRUNC, a[1] as u32)
}

pub fn sys_close(k: &mut Kernel, a: &Args) -> SysResult {
    let entry = k.current_files().borrow_mut().close(a[0] as i32)?;
    drop(entry);
    Ok(0)
}

pub fn sys_dup(k: &mut Kernel, a: &Args) -> SysResult {
    let files = k.current_files();
    let f = files.borrow().get(a[0] as i32)?.clone();
    let fd = k.install_fd(f, false)?;
    Ok(fd as u64)
}

fn dup_to(k: &mut Kernel, old: i32, new: i32, cloexec: bool) -> SysResult {
    if new < 0 || new as usize >= k.fd_limit() {
        return Err(Errno::EBADF);
    }
    let files = k.current_files();
    let f = files.borrow().get(old)?.clone();
    let replaced = files.borrow_mut().set(new, f, cloexec);
    drop(replaced);
    Ok(new as u64)
}

pub fn sys_dup2(k: &mut Kernel, a: &Args) -> SysResult {
    let (old, new) = (a[0] as i32, a[1] as i32);
    if old == new {
        k.file(old)?;
        return Ok(new as u64);
    }
    dup_to(k, old, new, false)
}

pub fn sys_dup3(k: &mut Kernel, a: &Args) -> SysResult {
    let (old, new, flags) = (a[0] as i32, a[1] as i32, a[2] as u32);
    if old == new || flags & !O_CLOEXEC != 0 {
        return Err(Errno::EINVAL);
    }
    dup_to(k, old, new, flags & O_CLOEXEC != 0)
}

const F_DUPFD: u64 = 0;
const F_GETFD: u64 = 1;
const F_SETFD: u64 = 2;
const F_GETFL: u64 = 3;
const F_SETFL: u64 = 4;
const F_DUPFD_CLOEXEC: u64 = 1030;
const F_SETPIPE_SZ: u64 = 1031;
const F_GETPIPE_SZ: u64 = 1032;
const FD_CLOEXEC: u64 = 1;

/// F_GETFL: the access mode and status flags. Files opened by path carry
/// O_LARGEFILE (forced on 64-bit Linux); pipes, sockets and eventfds do not. For the
/// host's standard descriptors the host's flags count, with puffer's O_NONBLOCK.
pub(crate) fn getfl(f: &File) -> u32 {
    if let Some(h) = f.host_stream_fd() {
        // SAFETY: fcntl(F_GETFL) on a descriptor puffer owns.
        let r = unsafe { libc::fcntl(h, libc::F_GETFL) };
        if r >= 0 {
            let host = r as u32 & !(libc::O_LARGEFILE as u32) & !O_NONBLOCK;
            return host | (f.flags.get() & O_NONBLOCK);
        }
    }
    if f.is_kernel_stream() {
        f.flags.get()
    } else {
        f.flags.get() | crate::vfs::file::O_LARGEFILE
    }
}

pub fn sys_fcntl(k: &mut Kernel, a: &Args) -> SysResult {
    let fd = a[0] as i32;
    let files = k.current_files();
    match a[1] {
        F_DUPFD | F_DUPFD_CLOEXEC => {
            let f = files.borrow().get(fd)?.clone();
            // (Linux takes the argument as an unsigned int.)
            let min = a[2] as u32 as usize;
            let limit = k.fd_limit();
            if min >= limit {
                return Err(Errno::EINVAL);
            }
            let n = files
                .borrow_mut()
                .alloc_from(min, limit, f, a[1] == F_DUPFD_CLOEXEC)?;
            Ok(n as u64)
        }
        F_GETFD => Ok(files.borrow().entry(fd)?.cloexec as u64),
        F_SETFD => {
            files.borrow_mut().entry_mut(fd)?.cloexec = a[2] & FD_CLOEXEC != 0;
            Ok(0)
        }
        F_GETFL => {
            let f = files.borrow().get(fd)?.clone();
            Ok(getfl(&f) as u64)
        }
        F_SETFL => {
            let f = files.borrow().get(fd)?.clone();
            // Only O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT, O_NOATIME can change. The
            // host's own descriptors keep their host flags: O_NONBLOCK on a standard
            // descriptor is puffer's (reads poll the host first).
            let changeable = 0o2000 | O_NONBLOCK | 0o20000 | 0o40000 | 0o1000000;
            let v = (f.flags.get() & !changeable) | (a[2] as u32 & changeable);
            f.flags.set(v);
            Ok(0)
        }
        F_SETPIPE_SZ => {
            let f = files.borrow().get(fd)?.clone();
            super::pipe::pipe_size(&f, Some(a[2] as u32 as u64))
        }
        F_GETPIPE_SZ => {
            let f = files.borrow().get(fd)?.clone();
            super::pipe::pipe_size(&f, None)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// Open one of puffer's own files (/dev/null, /proc/...).
impl Kernel {
    pub(crate) fn open_virtual(&mut self, guest: &str, flags: u32) -> Result<FileRef, Errno> {
        let kind = match guest {
            "/dev/null" => FileKind::Null,
            "/dev/zero" => FileKind::Zero,
            "/dev/full" => FileKind::Full,
            "/dev/urandom" | "/dev/random" => FileKind::Random,
            "/dev/tty" => return self.open_tty(flags),
            _ => {
                if let Some(f) = self.reopen_fd(guest, flags)? {
                    return Ok(f);
                }
                if flags & O_ACCMODE == O_WRONLY || flags & O_ACCMODE == O_RDWR {
                    return Err(Errno::EACCES);
                }
                match self.proc_read(guest)? {
                    crate::proc::ProcNode::File(data) => FileKind::Synthetic(data),
                    crate::proc::ProcNode::Dir(_) => FileKind::ProcDir(RefCell::new(None)),
                    crate::proc::ProcNode::Link(target) => {
                        // Opening a /proc symlink opens its target.
                        // A relative target (/proc/mounts -> self/mounts) is relative to /proc.
                        let r = self.vfs.resolve("/proc", &target, true)?;
                        return match r {
                            Resolved::Host { host, guest } => {
                                let hf = std::fs::File::open(&host)?;
                                Ok(File::new(FileKind::Host(hf), flags, guest))
                            }
                            Resolved::Virtual { guest } => self.open_virtual(&guest, flags),
                        };
                    }
                }
            }
        };
        Ok(File::new(
            kind,
            flags & !(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC),
            guest,
        ))
    }
}
