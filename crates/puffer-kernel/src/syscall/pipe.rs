//! Pipes and other streams that can block: pipe, pipe2, eventfd, eventfd2, and the
//! read/write paths that read(2), write(2), readv(2), writev(2) and the socket calls
//! take for pipes, sockets, eventfds and host streams (the standard descriptors,
//! /dev/tty).
//!
//! A read that finds nothing sleeps on the object (`iowait.rs`) and is restarted when
//! a writer or a close wakes it; a host stream is polled first, and the task sleeps
//! until the scheduler sees it ready. A blocking write that fills the pipe keeps its
//! progress across the restart ([`crate::iowait::Partial`]), so the caller sees one
//! write of everything, as on Linux. Data leaves a pipe only once it has been copied
//! to the guest, so a bad buffer loses nothing.

use super::Args;
use crate::errno::{Errno, SysResult};
use crate::iowait::{host_poll, Partial};
use crate::vfs::eventfd::{EventFd, EFD_SEMAPHORE};
use crate::vfs::file::{O_DIRECT, O_NONBLOCK, O_WRONLY};
use crate::vfs::pipe::{
    PipeBuf, PipeEnd, ReadOutcome, WriteOutcome, DEFAULT_SLOTS, PAGE, POLLIN, POLLOUT,
};
use crate::vfs::{File, FileKind, FileRef};
use crate::Kernel;

pub const SIGPIPE: i32 = 13;
const O_CLOEXEC: u32 = 0o2000000;
/// Linux's MAX_RW_COUNT.
pub const MAX_RW: u64 = 0x7fff_f000;
/// At most this much goes through a bounce buffer per host read or write.
const CHUNK: u64 = 1 << 20;

/// A guest buffer: one range (read, write, send, recv) or an iovec array.
pub enum UBuf {
    One(u64, u64),
    Iov(Vec<(u64, u64)>),
}

impl UBuf {
    pub fn total(&self) -> u64 {
        match self {
            UBuf::One(_, n) => (*n).min(MAX_RW),
            UBuf::Iov(v) => v
                .iter()
                .fold(0u64, |a, &(_, n)| a.saturating_add(n))
                .min(MAX_RW),
        }
    }

    /// Identifies the buffer of an interrupted write.
    fn key(&self) -> u64 {
        match self {
            UBuf::One(a, _) => *a,
            UBuf::Iov(v) => v.first().map_or(0, |x| x.0),
        }
    }

    /// The pieces of guest memory covering bytes `[off, off + n)` of the buffer.
    fn pieces(&self, off: u64, n: u64) -> Vec<(u64, u64)> {
        let all: &[(u64, u64)] = match self {
            UBuf::One(a, l) => &[(*a, *l)],
            UBuf::Iov(v) => v,
        };
        let mut out = Vec::new();
        let (mut skip, mut left) = (off, n);
        for &(base, len) in all {
            if left == 0 {
                break;
            }
            if skip >= len {
                skip -= len;
                continue;
            }
            let take = (len - skip).min(left);
            out.push((base.wrapping_add(skip), take));
            left -= take;
            skip = 0;
        }
        out
    }

    /// Copy `n` bytes at offset `off` of the buffer out of the guest.
    pub fn fetch(&self, k: &mut Kernel, off: u64, n: u64) -> Result<Vec<u8>, Errno> {
        let mut v = Vec::with_capacity(n as usize);
        for (a, l) in self.pieces(off, n) {
            let start = v.len();
            v.resize(start + l as usize, 0);
            k.copy_from_user(a, &mut v[start..])?;
        }
        Ok(v)
    }

    /// Copy `data` into the buffer at offset `off`.
    pub fn store(&self, k: &mut Kernel, off: u64, data: &[u8]) -> Result<(), Errno> {
        let mut done = 0usize;
        for (a, l) in self.pieces(off, data.len() as u64) {
            k.copy_to_user(a, &data[done..done + l as usize])?;
            done += l as usize;
        }
        Ok(())
    }
}

/// How one read or write behaves (the description's O_NONBLOCK, send/recv flags).
#[derive(Clone, Copy, Default)]
pub struct RwOpts {
    pub nonblock: bool,
    pub peek: bool,
    pub waitall: bool,
    pub nosignal: bool,
}

impl RwOpts {
    pub fn of(f: &File) -> RwOpts {
        RwOpts {
            nonblock: f.nonblocking(),
            ..RwOpts::default()
        }
    }
}

/// Does reading or writing `f` go through this module?
pub fn is_stream(f: &File) -> bool {
    f.is_kernel_stream() || f.host_stream_fd().is_some()
}

/// read(2)/readv(2)/recv of a stream.
pub fn stream_read(k: &mut Kernel, fd: i32, f: &FileRef, ub: &UBuf, o: RwOpts) -> SysResult {
    match &f.kind {
        FileKind::Pipe(end) => read_buf(k, fd, &end.pipe, ub, o, false),
        FileKind::Socket(s) => read_buf(k, fd, &s.rx, ub, o, s.rcv_shut()),
        FileKind::EventFd(e) => eventfd_read(k, e, ub, o),
        _ => match f.host_stream_fd() {
            Some(h) => host_read(k, h, ub, o),
            None => Err(Errno::EINVAL),
        },
    }
}

/// write(2)/writev(2)/send of a stream.
pub fn stream_write(k: &mut Kernel, fd: i32, f: &FileRef, ub: &UBuf, o: RwOpts) -> SysResult {
    match &f.kind {
        FileKind::Pipe(end) => {
            let packet = f.flags.get() & O_DIRECT != 0;
            write_buf(k, fd, &end.pipe, ub, o, packet)
        }
        FileKind::Socket(s) => {
            if s.send_shut() {
                return broken(k, o, 0);
            }
            if s.packet() {
                write_msg(k, &s.tx, ub, o)
            } else {
                write_buf(k, fd, &s.tx, ub, o, false)
            }
        }
        FileKind::EventFd(e) => eventfd_write(k, e, ub, o),
        _ => match f.host_stream_fd() {
            Some(h) => host_write(k, h, ub, o),
            None => Err(Errno::EINVAL),
        },
    }
}

fn read_buf(
    k: &mut Kernel,
    fd: i32,
    pipe: &std::rc::Rc<PipeBuf>,
    ub: &UBuf,
    o: RwOpts,
    shut: bool,
) -> SysResult {
    let len = ub.total();
    let mut done = if o.waitall {
        k.io_partial(fd, ub.key(), len).unwrap_or(0)
    } else {
        0
    };
    if len == 0 {
        return Ok(0);
    }
    loop {
        match pipe.peek((len - done) as usize) {
            ReadOutcome::Data(d) => {
                if let Err(e) = ub.store(k, done, &d) {
                    return if done > 0 { Ok(done) } else { Err(e) };
                }
                if !o.peek {
                    pipe.consume(d.len());
                }
                done += d.len() as u64;
                if !o.waitall || o.peek || done == len {
                    return Ok(done);
                }
            }
            ReadOutcome::Eof => return Ok(done),
            ReadOutcome::Empty if shut => return Ok(done),
            ReadOutcome::Empty => {
                if o.nonblock {
                    return if done > 0 {
                        Ok(done)
                    } else {
                        Err(Errno::EAGAIN)
                    };
                }
                if o.waitall {
                    k.io_set_partial(Partial {
                        fd,
                        buf: ub.key(),
                        len,
                        done,
                    });
                }
                pipe.add_waiter(k.current);
                return k.io_block(None);
            }
        }
    }
}

/// The reading side is gone: SIGPIPE (unless MSG_NOSIGNAL), and EPIPE unless some
/// bytes already went in.
pub(super) fn broken(k: &mut Kernel, o: RwOpts, done: u64) -> SysResult {
    if !o.nosignal {
        let tid = k.current;
        k.raise_signal(tid, SIGPIPE);
    }
    if done > 0 {
        Ok(done)
    } else {
        Err(Errno::EPIPE)
    }
}

fn write_buf(
    k: &mut Kernel,
    fd: i32,
    pipe: &std::rc::Rc<PipeBuf>,
    ub: &UBuf,
    o: RwOpts,
    packet: bool,
) -> SysResult {
    let len = ub.total();
    if len == 0 {
        return Ok(0);
    }
    let resumed = k.io_partial(fd, ub.key(), len);
    let mut done = resumed.unwrap_or(0);
    let mut fresh = resumed.is_none();
    loop {
        // No more than the pipe could take at once.
        let n = (len - done).min((pipe.size() + PAGE) as u64);
        let data = match ub.fetch(k, done, n) {
            Ok(d) => d,
            Err(e) => return if done > 0 { Ok(done) } else { Err(e) },
        };
        match pipe.write(&data, fresh, packet) {
            WriteOutcome::Broken => return broken(k, o, done),
            WriteOutcome::Wrote(w) => {
                done += w as u64;
                fresh = false;
                if done == len {
                    return Ok(done);
                }
                if w == data.len() {
                    continue;
                }
            }
        }
        // Full.
        if o.nonblock {
            return if done > 0 {
                Ok(done)
            } else {
                Err(Errno::EAGAIN)
            };
        }
        k.io_set_partial(Partial {
            fd,
            buf: ub.key(),
            len,
            done,
        });
        pipe.add_waiter(k.current);
        return k.io_block(None);
    }
}

/// Linux's default socket send buffer: a message larger than this is EMSGSIZE.
const MAX_MSG: u64 = 212_992;

fn write_msg(k: &mut Kernel, pipe: &std::rc::Rc<PipeBuf>, ub: &UBuf, o: RwOpts) -> SysResult {
    let len = ub.total();
    if len > MAX_MSG {
        return Err(Errno::EMSGSIZE);
    }
    let data = ub.fetch(k, 0, len)?;
    match pipe.write_msg(&data) {
        WriteOutcome::Broken => broken(k, o, 0),
        WriteOutcome::Wrote(n) if n == data.len() => Ok(n as u64),
        WriteOutcome::Wrote(_) if o.nonblock => Err(Errno::EAGAIN),
        WriteOutcome::Wrote(_) => {
            pipe.add_waiter(k.current);
            k.io_block(None)
        }
    }
}

fn eventfd_read(k: &mut Kernel, e: &EventFd, ub: &UBuf, o: RwOpts) -> SysResult {
    if ub.total() < 8 {
        return Err(Errno::EINVAL);
    }
    match e.peek() {
        Some(v) => {
            ub.store(k, 0, &v.to_le_bytes())?;
            e.take();
            Ok(8)
        }
        None if o.nonblock => Err(Errno::EAGAIN),
        None => {
            e.wq.add(k.current);
            k.io_block(None)
        }
    }
}

fn eventfd_write(k: &mut Kernel, e: &EventFd, ub: &UBuf, o: RwOpts) -> SysResult {
    if ub.total() < 8 {
        return Err(Errno::EINVAL);
    }
    let b = ub.fetch(k, 0, 8)?;
    let v = u64::from_le_bytes(b[..8].try_into().map_err(|_| Errno::EINVAL)?);
    if v == u64::MAX {
        return Err(Errno::EINVAL);
    }
    if e.add(v) {
        return Ok(8);
    }
    if o.nonblock {
        return Err(Errno::EAGAIN);
    }
    e.wq.add(k.current);
    k.io_block(None)
}

fn host_result(n: isize) -> Result<usize, Errno> {
    if n < 0 {
        Err(std::io::Error::last_os_error().into())
    } else {
        Ok(n as usize)
    }
}

/// Read a host stream: only once the host says it is readable, so the host thread
/// never blocks while other guest tasks could run.
fn host_read(k: &mut Kernel, h: i32, ub: &UBuf, o: RwOpts) -> SysResult {
    k.io_forget_host();
    let len = ub.total().min(CHUNK) as usize;
    if host_poll(h, POLLIN) == 0 {
        if o.nonblock {
            return Err(Errno::EAGAIN);
        }
        k.io_wait_host(h, POLLIN);
        return k.io_block(None);
    }
    let mut tmp = vec![0u8; len];
    // SAFETY: read(2) into a buffer we own.
    let got = host_result(unsafe { libc::read(h, tmp.as_mut_ptr().cast(), len) })?;
    ub.store(k, 0, &tmp[..got])?;
    Ok(got as u64)
}

/// Write a host stream. A blocking write to a full host pipe blocks the host thread
/// (rare, and the reader is outside puffer anyway).
fn host_write(k: &mut Kernel, h: i32, ub: &UBuf, o: RwOpts) -> SysResult {
    if o.nonblock && host_poll(h, POLLOUT) & POLLOUT == 0 {
        return Err(Errno::EAGAIN);
    }
    let len = ub.total();
    let mut done = 0u64;
    while done < len {
        let n = (len - done).min(CHUNK);
        let data = match ub.fetch(k, done, n) {
            Ok(d) => d,
            Err(e) => return if done > 0 { Ok(done) } else { Err(e) },
        };
        // SAFETY: write(2) from a buffer we own.
        let r = host_result(unsafe { libc::write(h, data.as_ptr().cast(), data.len()) });
        match r {
            Ok(w) => {
                done += w as u64;
                if w < data.len() {
                    break;
                }
            }
            Err(Errno::EPIPE) => return broken(k, o, done),
            Err(e) => return if done > 0 { Ok(done) } else { Err(e) },
        }
    }
    Ok(done)
}

impl Kernel {
    /// A new pipe's two open file descriptions (read end, write end).
    pub(crate) fn new_pipe(&mut self, flags: u32) -> (FileRef, FileRef) {
        let p = PipeBuf::new_at(&self.io.waker, DEFAULT_SLOTS, self.realtime());
        let name = format!("pipe:[{}]", p.ino);
        let st = flags & (O_NONBLOCK | O_DIRECT);
        let r = File::new(FileKind::Pipe(PipeEnd::new(p.clone(), false)), st, &name);
        let w = File::new(FileKind::Pipe(PipeEnd::new(p, true)), st | O_WRONLY, name);
        (r, w)
    }

    /// Install two descriptions and write their numbers to the guest's `int[2]`.
    pub(crate) fn install_pair(
        &mut self,
        a: FileRef,
        b: FileRef,
        cloexec: bool,
        out: u64,
    ) -> SysResult {
        let files = self.current_files();
        let fa = self.install_fd(a, cloexec)?;
        let fb = match self.install_fd(b, cloexec) {
            Ok(fb) => fb,
            Err(e) => {
                let _ = files.borrow_mut().close(fa);
                return Err(e);
            }
        };
        let mut bytes = [0u8; 8];
        bytes[..4].copy_from_slice(&fa.to_le_bytes());
        bytes[4..].copy_from_slice(&fb.to_le_bytes());
        if let Err(e) = self.copy_to_user(out, &bytes) {
            let ea = files.borrow_mut().close(fa);
            let eb = files.borrow_mut().close(fb);
            drop((ea, eb));
            return Err(e);
        }
        Ok(0)
    }
}

fn pipe2(k: &mut Kernel, out: u64, flags: u32) -> SysResult {
    if flags & !(O_CLOEXEC | O_NONBLOCK | O_DIRECT) != 0 {
        return Err(Errno::EINVAL);
    }
    let (r, w) = k.new_pipe(flags);
    k.install_pair(r, w, flags & O_CLOEXEC != 0, out)
}

pub fn sys_pipe(k: &mut Kernel, a: &Args) -> SysResult {
    pipe2(k, a[0], 0)
}

pub fn sys_pipe2(k: &mut Kernel, a: &Args) -> SysResult {
    pipe2(k, a[0], a[1] as u32)
}

const EFD_CLOEXEC: u64 = O_CLOEXEC as u64;
const EFD_NONBLOCK: u64 = O_NONBLOCK as u64;

fn eventfd2(k: &mut Kernel, initval: u64, flags: u64) -> SysResult {
    if flags & !(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE) != 0 {
        return Err(Errno::EINVAL);
    }
    let e = EventFd::new(
        &k.io.waker,
        initval as u32 as u64,
        flags & EFD_SEMAPHORE != 0,
    );
    let st = crate::vfs::file::O_RDWR | (flags as u32 & O_NONBLOCK);
    let f = File::new(FileKind::EventFd(e), st, "anon_inode:[eventfd]");
    let fd = k.install_fd(f, flags & EFD_CLOEXEC != 0)?;
    Ok(fd as u64)
}

pub fn sys_eventfd(k: &mut Kernel, a: &Args) -> SysResult {
    eventfd2(k, a[0], 0)
}

pub fn sys_eventfd2(k: &mut Kernel, a: &Args) -> SysResult {
    eventfd2(k, a[0], a[1])
}

/// F_GETPIPE_SZ / F_SETPIPE_SZ.
pub fn pipe_size(f: &File, set: Option<u64>) -> SysResult {
    let FileKind::Pipe(end) = &f.kind else {
        return Err(Errno::EBADF);
    };
    match set {
        None => Ok(end.pipe.size() as u64),
        Some(n) => {
            let privileged = crate::current_uid() == 0;
            end.pipe.set_size(n, privileged).map(|s| s as u64)
        }
    }
}
