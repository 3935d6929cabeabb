//! Special files: mknod and mknodat, and opening a FIFO (fifo(7), Linux's
//! fs/pipe.c fifo_open; the pipe behind it is `vfs/fifo.rs`).
//!
//! mknod makes regular files (mode type 0 or S_IFREG), FIFOs and socket names in
//! the host directory, as an unprivileged Linux process may. Device nodes
//! (S_IFCHR, S_IFBLK) are refused with EPERM whatever uid the guest sees: a device
//! node in the guest root would be the host's device, so puffer answers as Linux
//! does a process without CAP_MKNOD (mknod(2): "EPERM ... the caller is not
//! privileged"). Directories are EPERM too and other types EINVAL (may_mknod).
//!
//! Opening a FIFO (fifo(7), open(2)): a read-only open waits until a writer opens
//! and a write-only open until a reader does; O_NONBLOCK makes a read-only open
//! succeed at once and a write-only open fail with ENXIO when there is no reader;
//! O_RDWR never waits (it is both). Then the descriptor is a pipe end; one opened
//! for reading with O_NONBLOCK before any writer does not poll POLLHUP until a
//! writer has come and gone (pipe_poll's f_version check).

use super::open::{O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC};
use super::{Args, AT_FDCWD};
use crate::errno::{Errno, SysResult};
use crate::vfs::fifo::{FifoKey, PendingOpen};
use crate::vfs::file::{O_ACCMODE, O_NONBLOCK, O_RDWR, O_WRONLY};
use crate::vfs::pipe::{PipeBuf, PipeEnd};
use crate::vfs::{File, FileKind, FileRef, Resolved};
use crate::Kernel;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

const S_IFMT: u32 = 0o170000;
const S_IFSOCK: u32 = 0o140000;
const S_IFREG: u32 = 0o100000;
const S_IFBLK: u32 = 0o060000;
const S_IFDIR: u32 = 0o040000;
const S_IFCHR: u32 = 0o020000;
const S_IFIFO: u32 = 0o010000;
const O_CLOEXEC: u32 = 0o2000000;

fn mknod(k: &mut Kernel, dirfd: i32, path: u64, mode: u64) -> SysResult {
    let p = k.read_path(path)?;
    let mode = mode as u32;
    let ty = match mode & S_IFMT {
        0 | S_IFREG => S_IFREG,
        t @ (S_IFCHR | S_IFBLK | S_IFIFO | S_IFSOCK) => t,
        S_IFDIR => return Err(Errno::EPERM),
        _ => return Err(Errno::EINVAL),
    };
    let host = match k.resolve_at(dirfd, &p, false)? {
        Resolved::Host { host, .. } => host,
        // puffer's own names exist already (or, under /proc, cannot be made).
        Resolved::Virtual { guest } => {
            let exists = !guest.starts_with("/proc") || k.proc_read(&guest).is_ok();
            return Err(if exists { Errno::EEXIST } else { Errno::EACCES });
        }
    };
    if ty == S_IFCHR || ty == S_IFBLK {
        // The name is looked up (EEXIST) before the privilege check (vfs_mknod).
        if std::fs::symlink_metadata(&host).is_ok() {
            return Err(Errno::EEXIST);
        }
        return Err(Errno::EPERM);
    }
    let perm = mode & 0o7777 & !k.umask();
    let c = std::ffi::CString::new(host.as_os_str().as_bytes()).map_err(|_| Errno::EINVAL)?;
    // SAFETY: mknod(2) of a regular file, FIFO or socket name on a path we own.
    if unsafe { libc::mknod(c.as_ptr(), ty | perm, 0) } < 0 {
        return Err(std::io::Error::last_os_error().into());
    }
    Ok(0)
}

/// mknod(path, mode, dev): `dev` only matters for devices, which are refused.
pub fn sys_mknod(k: &mut Kernel, a: &Args) -> SysResult {
    mknod(k, AT_FDCWD, a[0], a[1])
}

pub fn sys_mknodat(k: &mut Kernel, a: &Args) -> SysResult {
    mknod(k, a[0] as i32, a[1], a[2])
}

/// The host's permission check for opening `host` with `flags`' access mode (the
/// host file is never opened itself).
fn check_access(host: &Path, flags: u32) -> Result<(), Errno> {
    let want = match flags & O_ACCMODE {
        O_WRONLY => libc::W_OK,
        O_RDWR => libc::R_OK | libc::W_OK,
        _ => libc::R_OK,
    };
    let c = std::ffi::CString::new(host.as_os_str().as_bytes()).map_err(|_| Errno::EINVAL)?;
    // SAFETY: access(2) on a path we own.
    if unsafe { libc::access(c.as_ptr(), want) } < 0 {
        return Err(std::io::Error::last_os_error().into());
    }
    Ok(())
}

fn pipe_of(f: &FileRef) -> Option<&std::rc::Rc<PipeBuf>> {
    match &f.kind {
        FileKind::Pipe(e) => Some(&e.pipe),
        _ => None,
    }
}

impl Kernel {
    /// Open the FIFO at `host` (metadata `md`) by the guest name `guest`. `pending`
    /// is this task's open that was waiting for a partner, if this call restarts it.
    pub(crate) fn open_fifo(
        &mut self,
        guest: String,
        host: &Path,
        md: &std::fs::Metadata,
        flags: u32,
        pending: Option<PendingOpen>,
    ) -> Result<FileRef, Errno> {
        let key: FifoKey = (md.dev(), md.ino());
        let acc = flags & O_ACCMODE;
        if let Some(p) = pending.filter(|p| p.key == key && p.flags == flags) {
            let Some(pipe) = pipe_of(&p.file).cloned() else {
                return Err(Errno::EIO);
            };
            let (r, w) = pipe.open_counters();
            let now = if acc == O_WRONLY { r } else { w };
            if now != p.seen {
                return Ok(p.file);
            }
            return self.fifo_wait(p, &pipe);
        }
        if flags & (O_CREAT | O_EXCL) == (O_CREAT | O_EXCL) {
            return Err(Errno::EEXIST);
        }
        check_access(host, flags)?;
        let pipe = match self.io.fifos.get(key) {
            Some(p) => p,
            None => {
                let p = PipeBuf::new_fifo(&self.io.waker, host.to_path_buf(), self.realtime());
                self.io.fifos.insert(key, &p);
                p
            }
        };
        // What F_GETFL shows (as for any open by path).
        let st = flags & !(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
        let nonblock = flags & O_NONBLOCK != 0;
        let (end, seen) = match acc {
            0 => {
                let end = PipeEnd::new(pipe.clone(), false);
                if pipe.writers() > 0 {
                    return Ok(File::new(FileKind::Pipe(end), st, guest));
                }
                if nonblock {
                    let end = end.hup_after_next_writer();
                    return Ok(File::new(FileKind::Pipe(end), st, guest));
                }
                (end, pipe.open_counters().1)
            }
            O_WRONLY => {
                if nonblock && pipe.readers() == 0 {
                    return Err(Errno::ENXIO);
                }
                let end = PipeEnd::new(pipe.clone(), true);
                if pipe.readers() > 0 {
                    return Ok(File::new(FileKind::Pipe(end), st, guest));
                }
                (end, pipe.open_counters().0)
            }
            O_RDWR => {
                let end = PipeEnd::new_rdwr(pipe);
                return Ok(File::new(FileKind::Pipe(end), st, guest));
            }
            _ => return Err(Errno::EINVAL),
        };
        let p = PendingOpen {
            key,
            flags,
            seen,
            file: File::new(FileKind::Pipe(end), st, guest),
        };
        self.fifo_wait(p, &pipe)
    }

    /// Sleep until the pipe changes (a partner may have opened); the open restarts.
    fn fifo_wait(&mut self, p: PendingOpen, pipe: &PipeBuf) -> Result<FileRef, Errno> {
        let tid = self.current;
        pipe.add_waiter(tid);
        self.io.fifos.pending.insert(tid, p);
        match self.io_block(None) {
            Ok(_) => Err(Errno::ERESTARTSYS),
            Err(e) => Err(e),
        }
    }

    /// A task's waiting FIFO open ends (interrupted by a signal, or the task
    /// exits): its end closes.
    pub(crate) fn fifo_forget(&mut self, tid: crate::task::Pid) {
        let p = self.io.fifos.pending.remove(&tid);
        drop(p);
    }
}
