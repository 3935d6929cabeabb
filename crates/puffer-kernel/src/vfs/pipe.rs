//! Pipes (Linux's fs/pipe.c). A pipe is a ring of page-sized buffers ("slots"), 16 by
//! default (64 KiB, `F_SETPIPE_SZ` changes it). A write first tops up the last buffer
//! when the part of it that is not a whole number of pages fits there, then fills
//! fresh pages, so a write of at most PIPE_BUF (4096) bytes is never split and the
//! amount a pipe holds before it is full is exactly Linux's. In packet mode
//! (O_DIRECT) every write of up to a page is a packet of its own and a read takes at
//! most one packet.
//!
//! The buffer counts the open file descriptions of each end: a [`PipeEnd`] is the
//! kind of one open file description, and dropping it (the last descriptor of that
//! description closed, in any process) closes that end: readers then see EOF, writers
//! EPIPE. Every change wakes the tasks sleeping on the pipe.
//!
//! The same buffer is each direction of a socketpair (`socket.rs`).

use super::stat::Stat;
use crate::errno::Errno;
use crate::iowait::{WaitQueue, Waker};
use crate::task::Pid;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

pub const PAGE: usize = 4096;
pub const PIPE_BUF: usize = 4096;
/// Linux's default pipe size: 16 pages.
pub const DEFAULT_SLOTS: usize = 16;
/// /proc/sys/fs/pipe-max-size's default: an unprivileged F_SETPIPE_SZ may go this far.
pub const PIPE_MAX_SIZE: usize = 1 << 20;

pub const POLLIN: i16 = 0x1;
pub const POLLPRI: i16 = 0x2;
pub const POLLOUT: i16 = 0x4;
pub const POLLERR: i16 = 0x8;
pub const POLLHUP: i16 = 0x10;
pub const POLLNVAL: i16 = 0x20;
pub const POLLRDNORM: i16 = 0x40;
pub const POLLWRNORM: i16 = 0x100;
pub const POLLWRBAND: i16 = 0x200;
pub const POLLRDHUP: i16 = 0x2000;

static NEXT_INO: AtomicU64 = AtomicU64::new(4026532000);

/// A fresh inode number for a pipe, socket or other kernel object.
pub fn new_ino() -> u64 {
    NEXT_INO.fetch_add(1, Ordering::Relaxed)
}

struct Slot {
    data: Vec<u8>,
    off: usize,
    /// Later writes may append to this page (not in packet mode).
    merge: bool,
}

impl Slot {
    fn len(&self) -> usize {
        self.data.len() - self.off
    }
}

struct Inner {
    slots: VecDeque<Slot>,
    max_slots: usize,
    readers: usize,
    writers: usize,
    /// How many times each end was ever opened (Linux's r_counter/w_counter): a
    /// FIFO opener waiting for its partner sees that one came, even if it has
    /// already gone again.
    r_counter: u64,
    w_counter: u64,
}

/// One pipe (or one direction of a socketpair).
pub struct PipeBuf {
    inner: RefCell<Inner>,
    pub wq: WaitQueue,
    pub ino: u64,
    /// When it was made (its inode's times).
    pub ctime: (i64, i64),
    /// For a FIFO (named pipe, `fifo.rs`): the host file it lives at, whose inode
    /// fstat shows and whose name /proc/<pid>/fd shows.
    pub fifo: Option<std::path::PathBuf>,
}

/// What a read found.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadOutcome {
    /// Bytes (possibly fewer than asked).
    Data(Vec<u8>),
    /// Empty, and no writer is left: end of file.
    Eof,
    /// Empty, and a writer may still write: block or EAGAIN.
    Empty,
}

/// What a write did.
#[derive(Debug, PartialEq, Eq)]
pub enum WriteOutcome {
    /// This many bytes went in (maybe fewer than offered: the pipe filled up).
    Wrote(usize),
    /// No reader is left (EPIPE; SIGPIPE when nothing was written).
    Broken,
}

impl PipeBuf {
    /// A pipe buffer created now by the host's clock.
    pub fn new(waker: &Waker, slots: usize) -> Rc<PipeBuf> {
        let now = crate::time::host_clock(libc::CLOCK_REALTIME).unwrap_or((0, 0));
        Self::new_at(waker, slots, now)
    }

    /// A pipe buffer created at `ctime` (the guest's CLOCK_REALTIME: its stat times).
    pub fn new_at(waker: &Waker, slots: usize, ctime: (i64, i64)) -> Rc<PipeBuf> {
        Rc::new(PipeBuf {
            inner: RefCell::new(Inner {
                slots: VecDeque::new(),
                max_slots: slots,
                readers: 0,
                writers: 0,
                r_counter: 0,
                w_counter: 0,
            }),
            wq: WaitQueue::new(waker),
            ino: new_ino(),
            ctime,
            fifo: None,
        })
    }

    /// The pipe behind the FIFO at `host` (made when the first end opens, at the
    /// guest's time `ctime`).
    pub fn new_fifo(waker: &Waker, host: std::path::PathBuf, ctime: (i64, i64)) -> Rc<PipeBuf> {
        let mut p = PipeBuf::new_at(waker, DEFAULT_SLOTS, ctime);
        if let Some(p) = Rc::get_mut(&mut p) {
            p.fifo = Some(host);
        }
        p
    }

    /// (r_counter, w_counter): how often each end has been opened.
    pub fn open_counters(&self) -> (u64, u64) {
        let i = self.inner.borrow();
        (i.r_counter, i.w_counter)
    }

    /// Bytes waiting to be read (FIONREAD).
    pub fn available(&self) -> usize {
        self.inner.borrow().slots.iter().map(Slot::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.borrow().slots.is_empty()
    }

    pub fn is_full(&self) -> bool {
        let i = self.inner.borrow();
        i.slots.len() >= i.max_slots
    }

    pub fn readers(&self) -> usize {
        self.inner.borrow().readers
    }

    pub fn writers(&self) -> usize {
        self.inner.borrow().writers
    }

    /// The capacity in bytes (F_GETPIPE_SZ).
    pub fn size(&self) -> usize {
        self.inner.borrow().max_slots * PAGE
    }

    /// F_SETPIPE_SZ: round up to a power-of-two number of pages; EBUSY if the data
    /// already held would not fit.
    pub fn set_size(&self, bytes: u64, privileged: bool) -> Result<usize, Errno> {
        if bytes > 1 << 31 {
            return Err(Errno::EINVAL);
        }
        let pages = (bytes as usize).div_ceil(PAGE).max(1).next_power_of_two();
        let size = pages * PAGE;
        if size > PIPE_MAX_SIZE && !privileged {
            return Err(Errno::EPERM);
        }
        let mut i = self.inner.borrow_mut();
        if i.slots.len() > pages {
            return Err(Errno::EBUSY);
        }
        i.max_slots = pages;
        drop(i);
        self.wq.wake_all();
        Ok(size)
    }

    /// An end opens; FIFO openers waiting for it wake (wake_up_partner).
    pub fn open_end(&self, write: bool) {
        let mut i = self.inner.borrow_mut();
        if write {
            i.writers += 1;
            i.w_counter += 1;
        } else {
            i.readers += 1;
            i.r_counter += 1;
        }
        drop(i);
        self.wq.wake_all();
    }

    pub fn close_end(&self, write: bool) {
        if let Ok(mut i) = self.inner.try_borrow_mut() {
            if write {
                i.writers = i.writers.saturating_sub(1);
            } else {
                i.readers = i.readers.saturating_sub(1);
            }
        }
        self.wq.wake_all();
    }

    /// Look at up to `max` bytes without consuming them (one packet at most in
    /// packet mode; `packet` reports whether the first buffer is one).
    pub fn peek(&self, max: usize) -> ReadOutcome {
        let i = self.inner.borrow();
        if i.slots.is_empty() {
            return if i.writers == 0 {
                ReadOutcome::Eof
            } else {
                ReadOutcome::Empty
            };
        }
        let mut out = Vec::with_capacity(max.min(self.size()));
        for s in &i.slots {
            if out.len() >= max {
                break;
            }
            let n = s.len().min(max - out.len());
            out.extend_from_slice(&s.data[s.off..s.off + n]);
            if !s.merge {
                // A packet: a read never continues into the next one.
                break;
            }
        }
        ReadOutcome::Data(out)
    }

    /// Consume `n` bytes that `peek` returned. In packet mode the rest of a partly
    /// read packet is discarded, as Linux does.
    pub fn consume(&self, mut n: usize) {
        let mut i = self.inner.borrow_mut();
        while n > 0 {
            let Some(s) = i.slots.front_mut() else { break };
            let k = s.len().min(n);
            s.off += k;
            n -= k;
            let (empty, packet) = (s.len() == 0, !s.merge);
            if empty || packet {
                i.slots.pop_front();
            }
            if packet {
                break;
            }
        }
        drop(i);
        self.wq.wake_all();
    }

    /// Write `data` as Linux's pipe_write would without sleeping. `fresh` is false
    /// when this continues a write that already put some of its bytes in (the top-up
    /// of the last page happens only at the start). `packet`: O_DIRECT.
    pub fn write(&self, data: &[u8], fresh: bool, packet: bool) -> WriteOutcome {
        let mut i = self.inner.borrow_mut();
        if i.readers == 0 {
            return WriteOutcome::Broken;
        }
        let mut done = 0;
        let chars = data.len() % PAGE;
        if fresh && chars > 0 && !packet {
            if let Some(last) = i.slots.back_mut() {
                if last.merge && last.off + last.len() + chars <= PAGE {
                    last.data.extend_from_slice(&data[..chars]);
                    done = chars;
                }
            }
        }
        while done < data.len() && i.slots.len() < i.max_slots {
            let n = (data.len() - done).min(PAGE);
            let mut page = Vec::with_capacity(if packet { n } else { PAGE });
            page.extend_from_slice(&data[done..done + n]);
            i.slots.push_back(Slot {
                data: page,
                off: 0,
                merge: !packet,
            });
            done += n;
        }
        drop(i);
        if done > 0 {
            self.wq.wake_all();
        }
        WriteOutcome::Wrote(done)
    }

    /// One whole message (a SOCK_SEQPACKET/SOCK_DGRAM send): one slot, or nothing
    /// when every slot is taken.
    pub fn write_msg(&self, data: &[u8]) -> WriteOutcome {
        let mut i = self.inner.borrow_mut();
        if i.readers == 0 {
            return WriteOutcome::Broken;
        }
        if i.slots.len() >= i.max_slots {
            return WriteOutcome::Wrote(0);
        }
        if data.is_empty() {
            return WriteOutcome::Wrote(0);
        }
        i.slots.push_back(Slot {
            data: data.to_vec(),
            off: 0,
            merge: false,
        });
        drop(i);
        self.wq.wake_all();
        WriteOutcome::Wrote(data.len())
    }

    /// Can a write of `len` bytes make progress now (blocking-write check)? Writes
    /// of at most PIPE_BUF bytes need room for all of them.
    pub fn writable_now(&self, len: usize) -> bool {
        let i = self.inner.borrow();
        if i.readers == 0 || i.slots.len() < i.max_slots {
            return true;
        }
        // Full of slots: only a top-up of the last page can go in.
        let chars = len % PAGE;
        len < PAGE
            && chars > 0
            && i.slots
                .back()
                .is_some_and(|s| s.merge && s.off + s.len() + chars <= PAGE)
    }

    pub fn stat(&self, mode: u32) -> Stat {
        Stat {
            dev: 0xd,
            ino: self.ino,
            nlink: 1,
            mode,
            uid: crate::current_uid(),
            gid: crate::current_gid(),
            blksize: PAGE as i64,
            atime: self.ctime,
            mtime: self.ctime,
            ctime: self.ctime,
            ..Stat::default()
        }
    }

    pub fn add_waiter(&self, tid: Pid) {
        self.wq.add(tid);
    }
}

/// One open end of a pipe: the kind of an open file description. Counted on the
/// pipe while it exists. A FIFO opened O_RDWR is both ends at once (`read` and
/// `write`), counted as a reader and a writer.
/// Packet mode is the description's O_DIRECT flag, as on Linux.
pub struct PipeEnd {
    pub pipe: Rc<PipeBuf>,
    pub write: bool,
    pub read: bool,
    /// A FIFO opened for reading with O_NONBLOCK before any writer: POLLHUP only
    /// once a writer has come and gone, not for the writer that never was (the
    /// w_counter at open; Linux keeps it in f_version). 0 for everything else.
    no_hup_until: u64,
}

impl PipeEnd {
    pub fn new(pipe: Rc<PipeBuf>, write: bool) -> PipeEnd {
        pipe.open_end(write);
        PipeEnd {
            pipe,
            write,
            read: !write,
            no_hup_until: 0,
        }
    }

    /// No POLLHUP until a writer opens (see `no_hup_until`).
    pub fn hup_after_next_writer(mut self) -> PipeEnd {
        self.no_hup_until = self.pipe.open_counters().1;
        self
    }

    /// Both ends in one description (a FIFO opened O_RDWR).
    pub fn new_rdwr(pipe: Rc<PipeBuf>) -> PipeEnd {
        pipe.open_end(false);
        pipe.open_end(true);
        PipeEnd {
            pipe,
            write: true,
            read: true,
            no_hup_until: 0,
        }
    }

    /// poll(2)'s mask for this end (pipe_poll).
    pub fn poll(&self) -> i16 {
        let mut m = 0;
        if self.write {
            if !self.pipe.is_full() {
                m |= POLLOUT | POLLWRNORM;
            }
            if self.pipe.readers() == 0 {
                m |= POLLERR;
            }
        }
        if self.read {
            if !self.pipe.is_empty() {
                m |= POLLIN | POLLRDNORM;
            }
            if self.pipe.writers() == 0 && self.pipe.open_counters().1 != self.no_hup_until {
                m |= POLLHUP;
            }
        }
        m
    }
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        if self.read {
            self.pipe.close_end(false);
        }
        if self.write {
            self.pipe.close_end(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipe() -> (Rc<PipeBuf>, PipeEnd, PipeEnd) {
        let p = PipeBuf::new(&Waker::default(), DEFAULT_SLOTS);
        let r = PipeEnd::new(p.clone(), false);
        let w = PipeEnd::new(p.clone(), true);
        (p, r, w)
    }

    #[test]
    fn capacity_matches_linux() {
        let (p, _r, _w) = pipe();
        // 1000-byte writes: four fit in a page, the fifth starts a new one.
        let mut total = 0;
        loop {
            match p.write(&[1u8; 1000], true, false) {
                WriteOutcome::Wrote(0) => break,
                WriteOutcome::Wrote(n) => total += n,
                WriteOutcome::Broken => unreachable!(),
            }
        }
        assert_eq!(total, 64000);
        assert_eq!(p.available(), 64000);
        assert!(!p.writable_now(1000));
        let (p, _r, _w) = pipe();
        assert_eq!(
            p.write(&vec![7u8; 100_000], true, false),
            WriteOutcome::Wrote(65536)
        );
    }

    #[test]
    fn eof_and_broken() {
        let (p, r, w) = pipe();
        assert_eq!(p.write(b"abc", true, false), WriteOutcome::Wrote(3));
        drop(w);
        assert_eq!(p.peek(10), ReadOutcome::Data(b"abc".to_vec()));
        p.consume(2);
        assert_eq!(p.peek(10), ReadOutcome::Data(b"c".to_vec()));
        p.consume(1);
        assert_eq!(p.peek(10), ReadOutcome::Eof);
        drop(r);
        assert_eq!(p.readers(), 0);
        assert_eq!(p.write(b"x", true, false), WriteOutcome::Broken);
    }

    #[test]
    fn fifo_ends() {
        let p = PipeBuf::new(&Waker::default(), DEFAULT_SLOTS);
        // A non-blocking reader before any writer: no POLLHUP yet.
        let r = PipeEnd::new(p.clone(), false).hup_after_next_writer();
        assert_eq!(r.poll() & POLLHUP, 0);
        assert_eq!(p.open_counters(), (1, 0));
        // A reader-writer counts as both.
        let rw = PipeEnd::new_rdwr(p.clone());
        assert_eq!((p.readers(), p.writers()), (2, 1));
        assert_eq!(rw.poll() & (POLLOUT | POLLHUP), POLLOUT);
        drop(rw);
        assert_eq!((p.readers(), p.writers()), (1, 0));
        // A writer came and went: now POLLHUP.
        assert_eq!(r.poll() & POLLHUP, POLLHUP);
        assert_eq!(p.open_counters(), (2, 1));
    }

    #[test]
    fn packets() {
        let p = PipeBuf::new(&Waker::default(), DEFAULT_SLOTS);
        let _r = PipeEnd::new(p.clone(), false);
        let _w = PipeEnd::new(p.clone(), true);
        p.write(b"one", true, true);
        p.write(b"two!", true, true);
        assert_eq!(p.peek(100), ReadOutcome::Data(b"one".to_vec()));
        p.consume(3);
        assert_eq!(p.peek(2), ReadOutcome::Data(b"tw".to_vec()));
        p.consume(2);
        assert!(p.is_empty());
    }
}
