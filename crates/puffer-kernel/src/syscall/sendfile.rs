//! sendfile(2): copy from a file to another descriptor inside the kernel (Linux's
//! do_sendfile in fs/read_write.c).
//!
//! - The input must be something Linux can splice from a file position: a regular
//!   file (or a /proc file, /dev/zero ...). Pipes, sockets, eventfds, directories
//!   and the host's streams are EINVAL (pipes and directories have no splice_read
//!   on Linux either; puffer does not splice from sockets or host streams, and
//!   callers such as busybox fall back to read and write on EINVAL).
//! - With `offset` non-NULL the transfer starts there, the input's file offset is
//!   untouched and the new position is stored back (ESPIPE for an input without
//!   pread); with NULL it starts at, and advances, the input's file offset.
//! - The output may be a regular file (at its offset, which advances; EINVAL with
//!   O_APPEND, "not currently supported"), a pipe, a socket or a host stream.
//! - A pipe or socket output takes what fits: when it fills after some bytes the
//!   call returns that short count (as splice_file_to_pipe does for pipes; for
//!   sockets Linux would go on waiting, and a short count is within the man page's
//!   contract), and when it is full from the start the call sleeps, or fails with
//!   EAGAIN if the output is O_NONBLOCK. A reader-less output is EPIPE and SIGPIPE.
//! - EBADF: a descriptor not open, the input not readable or the output not
//!   writable. EINVAL: a negative offset, or count beyond SSIZE_MAX.

use super::pipe::{broken, RwOpts};
use super::Args;
use crate::errno::{Errno, SysResult};
use crate::vfs::file::{O_APPEND, O_DIRECT};
use crate::vfs::pipe::{PipeBuf, WriteOutcome};
use crate::vfs::{FileKind, FileRef};
use crate::Kernel;

/// Linux's MAX_RW_COUNT.
const MAX_RW: u64 = 0x7fff_f000;
/// At most this much is read from the input at a time.
const CHUNK: u64 = 1 << 20;

pub fn sys_sendfile(k: &mut Kernel, a: &Args) -> SysResult {
    let (out_fd, in_fd, offp, count) = (a[0] as i32, a[1] as i32, a[2], a[3]);
    let pos = if offp != 0 {
        Some(k.read_u64(offp)? as i64)
    } else {
        None
    };
    let (n, end) = sendfile(k, out_fd, in_fd, pos, count)?;
    if offp != 0 {
        k.copy_to_user(offp, &(end as u64).to_le_bytes())?;
    }
    Ok(n)
}

/// Can data be spliced out of `f` from a file position?
fn splice_source(f: &FileRef) -> bool {
    matches!(
        f.kind,
        FileKind::Host(_)
            | FileKind::Synthetic(_)
            | FileKind::Null
            | FileKind::Zero
            | FileKind::Full
            | FileKind::Random
    )
}

/// The transfer: (bytes moved, the input position after it).
fn sendfile(
    k: &mut Kernel,
    out_fd: i32,
    in_fd: i32,
    pos: Option<i64>,
    count: u64,
) -> Result<(u64, i64), Errno> {
    let inf = k.file(in_fd)?;
    if !inf.readable() {
        return Err(Errno::EBADF);
    }
    if pos.is_some() && !inf.seekable() {
        return Err(Errno::ESPIPE);
    }
    let start = pos.unwrap_or(inf.offset.get() as i64);
    if start < 0 || count > i64::MAX as u64 || start.checked_add(count as i64).is_none() {
        return Err(Errno::EINVAL);
    }
    let count = count.min(MAX_RW);
    let out = k.file(out_fd)?;
    if !out.writable() && !matches!(out.kind, FileKind::HostFd(_)) {
        return Err(Errno::EBADF);
    }
    let to_pipe = matches!(out.kind, FileKind::Pipe(_) | FileKind::Socket(_));
    if !to_pipe && out.flags.get() & O_APPEND != 0 {
        return Err(Errno::EINVAL);
    }
    if !splice_source(&inf) || matches!(out.kind, FileKind::EventFd(_)) {
        return Err(Errno::EINVAL);
    }
    let o = RwOpts::of(&out);
    let mut done = 0u64;
    while done < count {
        let want = (count - done).min(CHUNK) as usize;
        let mut buf = vec![0u8; want];
        let at = start as u64 + done;
        let got = inf.pread(&mut buf, at)?;
        if matches!(inf.kind, FileKind::Host(_)) {
            // What MAP_SHARED mappings of the input wrote and the host has not seen.
            k.page_cache_overlay(&inf, at, &mut buf[..got]);
        }
        if got == 0 {
            break;
        }
        let r = match put(k, &out, &buf[..got], o) {
            Ok(n) => n,
            Err(Errno::EPIPE) => {
                // SIGPIPE, and EPIPE unless some bytes went already.
                broken(k, o, done)?;
                break;
            }
            Err(Errno::EAGAIN) if done == 0 && !o.nonblock => {
                return k.io_block(None).map(|_| (0, start));
            }
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        };
        done += r as u64;
        if r < got {
            break;
        }
    }
    let end = start + done as i64;
    if pos.is_none() {
        inf.offset.set(end as u64);
    }
    Ok((done, end))
}

/// Write `data` to the output without sleeping: how much it took (EAGAIN when
/// nothing fits; EPIPE when nobody reads). A full pipe or socket registers the
/// task to be woken when it drains.
fn put(k: &mut Kernel, out: &FileRef, data: &[u8], o: RwOpts) -> Result<usize, Errno> {
    let into_pipe = |k: &mut Kernel, p: &PipeBuf, packet: bool| match p.write(data, true, packet) {
        WriteOutcome::Broken => Err(Errno::EPIPE),
        WriteOutcome::Wrote(0) => {
            if !o.nonblock {
                p.add_waiter(k.current);
            }
            Err(Errno::EAGAIN)
        }
        WriteOutcome::Wrote(n) => Ok(n),
    };
    match &out.kind {
        FileKind::Pipe(end) => into_pipe(k, &end.pipe, out.flags.get() & O_DIRECT != 0),
        FileKind::Socket(s) => {
            if s.send_shut() {
                return Err(Errno::EPIPE);
            }
            if s.packet() {
                // One message per chunk, like a send of it.
                return match s.tx.write_msg(data) {
                    WriteOutcome::Broken => Err(Errno::EPIPE),
                    WriteOutcome::Wrote(0) => {
                        if !o.nonblock {
                            s.tx.add_waiter(k.current);
                        }
                        Err(Errno::EAGAIN)
                    }
                    WriteOutcome::Wrote(n) => Ok(n),
                };
            }
            into_pipe(k, &s.tx, false)
        }
        FileKind::Host(_) => {
            let mut done = 0;
            while done < data.len() {
                let n = out.write(&data[done..])?;
                if n == 0 {
                    break;
                }
                let at = out.offset.get() - n as u64;
                k.page_cache_update(out, at, &data[done..done + n]);
                done += n;
            }
            Ok(done)
        }
        _ => {
            // Host streams (written like write(2) does), /dev/null and friends.
            let mut done = 0;
            while done < data.len() {
                let n = out.write(&data[done..])?;
                if n == 0 {
                    break;
                }
                done += n;
            }
            Ok(done)
        }
    }
}
