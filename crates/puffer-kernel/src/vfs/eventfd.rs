//! eventfd (Linux's fs/eventfd.c): a 64-bit counter. A write adds to it (blocking
//! while the sum would pass 2^64 - 2), a read takes it all and resets it to zero, or,
//! with EFD_SEMAPHORE, takes one; a read of a zero counter blocks.

use super::pipe::{POLLERR, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use crate::iowait::{WaitQueue, Waker};
use std::cell::Cell;

pub const EFD_SEMAPHORE: u64 = 1;
/// The largest value the counter may hold.
pub const EVENTFD_MAX: u64 = u64::MAX - 1;

pub struct EventFd {
    count: Cell<u64>,
    pub semaphore: bool,
    pub wq: WaitQueue,
}

impl EventFd {
    pub fn new(waker: &Waker, initval: u64, semaphore: bool) -> EventFd {
        EventFd {
            count: Cell::new(initval),
            semaphore,
            wq: WaitQueue::new(waker),
        }
    }

    pub fn count(&self) -> u64 {
        self.count.get()
    }

    /// The value a read would return, or None when the counter is zero.
    pub fn peek(&self) -> Option<u64> {
        match self.count.get() {
            0 => None,
            _ if self.semaphore => Some(1),
            c => Some(c),
        }
    }

    /// Take the value a read returns, or None when the counter is zero.
    pub fn take(&self) -> Option<u64> {
        let v = self.peek()?;
        self.count.set(self.count.get() - v);
        self.wq.wake_all();
        Some(v)
    }

    /// Add `v` (already checked not to be u64::MAX); false if it does not fit yet.
    pub fn add(&self, v: u64) -> bool {
        let c = self.count.get();
        if EVENTFD_MAX - c < v {
            return false;
        }
        self.count.set(c + v);
        if v > 0 {
            self.wq.wake_all();
        }
        true
    }

    /// poll(2)'s mask (eventfd_poll).
    pub fn poll(&self) -> i16 {
        let c = self.count.get();
        let mut m = 0;
        if c > 0 {
            m |= POLLIN | POLLRDNORM;
        }
        if c == u64::MAX {
            m |= POLLERR;
        }
        if c < EVENTFD_MAX {
            m |= POLLOUT | POLLWRNORM;
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_and_semaphore() {
        let e = EventFd::new(&Waker::default(), 2, false);
        assert!(e.add(5));
        assert_eq!(e.take(), Some(7));
        assert_eq!(e.take(), None);
        assert!(e.add(EVENTFD_MAX));
        assert!(!e.add(1));
        assert_eq!(e.poll() & POLLOUT, 0);
        let s = EventFd::new(&Waker::default(), 2, true);
        assert_eq!((s.take(), s.take(), s.take()), (Some(1), Some(1), None));
    }
}
