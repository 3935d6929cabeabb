//! socketpair(AF_UNIX): two connected endpoints, each direction a pipe buffer
//! (`pipe.rs`). An endpoint reads its `rx` and writes its `tx`; the peer has them the
//! other way round. SOCK_STREAM is a byte stream; SOCK_SEQPACKET and SOCK_DGRAM keep
//! message boundaries (the buffer's packet mode, messages of up to a page).
//!
//! shutdown(SHUT_WR) closes this end's writing side (the peer reads EOF after the
//! data), shutdown(SHUT_RD) its reading side (reads return EOF, the peer's writes
//! EPIPE); closing the endpoint does both.

use super::pipe::{
    PipeBuf, POLLHUP, POLLIN, POLLOUT, POLLRDHUP, POLLRDNORM, POLLWRBAND, POLLWRNORM,
};
use std::cell::Cell;
use std::rc::Rc;

pub const AF_UNIX: u64 = 1;
pub const SOCK_STREAM: u32 = 1;
pub const SOCK_DGRAM: u32 = 2;
pub const SOCK_SEQPACKET: u32 = 5;

/// Slots per direction: 208 KiB, about Linux's default unix socket buffer
/// (net.core.wmem_default = 212992).
pub const SOCK_SLOTS: usize = 52;

pub struct SockEnd {
    pub rx: Rc<PipeBuf>,
    pub tx: Rc<PipeBuf>,
    pub ty: u32,
    rd_shut: Cell<bool>,
    wr_shut: Cell<bool>,
    pub ino: u64,
}

impl SockEnd {
    /// The two connected endpoints of a new pair.
    pub fn pair(ab: Rc<PipeBuf>, ba: Rc<PipeBuf>, ty: u32) -> (SockEnd, SockEnd) {
        for p in [&ab, &ba] {
            p.open_end(false);
            p.open_end(true);
        }
        let a = SockEnd {
            rx: ba.clone(),
            tx: ab.clone(),
            ty,
            rd_shut: Cell::new(false),
            wr_shut: Cell::new(false),
            ino: super::pipe::new_ino(),
        };
        let b = SockEnd {
            rx: ab,
            tx: ba,
            ty,
            rd_shut: Cell::new(false),
            wr_shut: Cell::new(false),
            ino: super::pipe::new_ino(),
        };
        (a, b)
    }

    pub fn packet(&self) -> bool {
        self.ty != SOCK_STREAM
    }

    /// shutdown(2): `how` 0 = SHUT_RD, 1 = SHUT_WR, 2 = SHUT_RDWR.
    pub fn shutdown(&self, how: u64) {
        if (how == 0 || how == 2) && !self.rd_shut.replace(true) {
            self.rx.close_end(false);
        }
        if (how == 1 || how == 2) && !self.wr_shut.replace(true) {
            self.tx.close_end(true);
        }
    }

    /// No more data will arrive: this end shut its reading side or the peer its
    /// writing side.
    pub fn rcv_shut(&self) -> bool {
        self.rd_shut.get() || self.rx.writers() == 0
    }

    /// Writing is over: this end shut its writing side or the peer its reading side.
    pub fn send_shut(&self) -> bool {
        self.wr_shut.get() || self.tx.readers() == 0
    }

    /// poll(2)'s mask (unix_poll).
    pub fn poll(&self) -> i16 {
        let mut m = 0;
        let (rcv, send) = (self.rcv_shut(), self.send_shut());
        if rcv && send {
            m |= POLLHUP;
        }
        if rcv {
            m |= POLLRDHUP | POLLIN | POLLRDNORM;
        }
        if !self.rx.is_empty() {
            m |= POLLIN | POLLRDNORM;
        }
        // unix_writable: at most a quarter of the send buffer in flight.
        if self.tx.available() * 4 <= self.tx.size() {
            m |= POLLOUT | POLLWRNORM | POLLWRBAND;
        }
        m
    }
}

impl Drop for SockEnd {
    fn drop(&mut self) {
        self.shutdown(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iowait::Waker;
    use crate::vfs::pipe::{ReadOutcome, WriteOutcome, POLLERR};

    fn pair() -> (SockEnd, SockEnd) {
        let w = Waker::default();
        SockEnd::pair(PipeBuf::new(&w, 4), PipeBuf::new(&w, 4), SOCK_STREAM)
    }

    #[test]
    fn both_directions_and_shutdown() {
        let (a, b) = pair();
        assert_eq!(a.tx.write(b"ping", true, false), WriteOutcome::Wrote(4));
        assert_eq!(b.rx.peek(10), ReadOutcome::Data(b"ping".to_vec()));
        assert_eq!(b.tx.write(b"pong", true, false), WriteOutcome::Wrote(4));
        assert_eq!(a.rx.peek(10), ReadOutcome::Data(b"pong".to_vec()));
        a.shutdown(1);
        assert!(a.send_shut() && b.rcv_shut() && !b.send_shut());
        assert!(b.poll() & POLLRDHUP != 0);
        b.rx.consume(4);
        assert_eq!(b.rx.peek(10), ReadOutcome::Eof);
        // Shutting down twice, then dropping, never counts an end twice.
        a.shutdown(2);
        a.shutdown(2);
        drop(a);
        assert_eq!(b.tx.readers(), 0);
        assert_eq!(b.tx.write(b"x", true, false), WriteOutcome::Broken);
        assert!(b.poll() & POLLHUP != 0 && b.poll() & POLLERR == 0);
    }
}
