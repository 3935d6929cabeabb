//! FIFOs (named pipes, fifo(7)). The FIFO itself is a host file (made by mknod,
//! `syscall/fifo.rs`), so that stat, ls, rm and rename see it like any other name;
//! puffer never opens it on the host (that would block the one host thread).
//! Opening it gives a pipe of puffer's own (`pipe.rs`), shared by everyone who opens
//! the same host inode while any end is open, as Linux keeps one pipe_inode_info
//! per FIFO inode: when the last end closes, unread data is gone.
//!
//! An open that must wait for its partner (a reader for a writer and vice versa)
//! already counts as an open end, so that the partner does not wait for it in turn.
//! It sleeps holding that end in [`FifoTable::pending`] and is restarted when the
//! pipe changes; the partner's open counter (r_counter/w_counter) tells it whether
//! a partner came, even one that has already closed again.

use super::pipe::PipeBuf;
use super::FileRef;
use crate::task::Pid;
use std::collections::{BTreeMap, HashMap};
use std::rc::{Rc, Weak};

/// A FIFO's identity: the host inode (st_dev, st_ino).
pub type FifoKey = (u64, u64);

/// An open waiting for its partner.
pub struct PendingOpen {
    pub key: FifoKey,
    /// The open flags it was called with (a restart must be the same call).
    pub flags: u32,
    /// The partner's open counter when it began to wait.
    pub seen: u64,
    /// The open file description it will return (holding its end open meanwhile).
    pub file: FileRef,
}

#[derive(Default)]
pub struct FifoTable {
    pipes: HashMap<FifoKey, Weak<PipeBuf>>,
    /// Opens asleep until a partner opens, by task.
    pub pending: BTreeMap<Pid, PendingOpen>,
}

impl FifoTable {
    /// The pipe of an open FIFO, if any end of it is open.
    pub fn get(&mut self, key: FifoKey) -> Option<Rc<PipeBuf>> {
        self.pipes.retain(|_, w| w.strong_count() > 0);
        self.pipes.get(&key).and_then(Weak::upgrade)
    }

    pub fn insert(&mut self, key: FifoKey, pipe: &Rc<PipeBuf>) {
        self.pipes.insert(key, Rc::downgrade(pipe));
    }
}
