//! Futexes: the kernel half of user-space locks. A waiter sleeps on a key; private
//! futexes are keyed by (address space, virtual address), shared ones by the physical
//! address of the word, so processes sharing a MAP_SHARED page find each other.

use crate::errno::{Errno, SysResult};
use crate::process::Wait;
use crate::task::{Pid, TaskState};
use crate::Kernel;
use puffer_mmu::VirtAddr;

pub const FUTEX_WAIT: u64 = 0;
pub const FUTEX_WAKE: u64 = 1;
pub const FUTEX_REQUEUE: u64 = 3;
pub const FUTEX_CMP_REQUEUE: u64 = 4;
pub const FUTEX_WAIT_BITSET: u64 = 9;
pub const FUTEX_WAKE_BITSET: u64 = 10;
pub const FUTEX_PRIVATE_FLAG: u64 = 128;
pub const FUTEX_CLOCK_REALTIME: u64 = 256;
pub const FUTEX_BITSET_MATCH_ANY: u32 = u32::MAX;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FutexKey {
    space: usize,
    addr: u64,
}

#[derive(Clone, Copy, Debug)]
pub struct Waiter {
    pub tid: Pid,
    pub key: FutexKey,
    pub bitset: u32,
}

impl Kernel {
    fn futex_key(&mut self, addr: u64, private: bool) -> Result<FutexKey, Errno> {
        if addr & 3 != 0 {
            return Err(Errno::EINVAL);
        }
        let mm = self.current_mm();
        if private {
            return Ok(FutexKey {
                space: std::rc::Rc::as_ptr(&mm) as usize,
                addr,
            });
        }
        // Make sure the page is present, then key by its physical address.
        let _ = self.read_u32(addr)?;
        let root = mm.borrow().root;
        let pte = self
            .cpu
            .mmu
            .lookup(root, VirtAddr(addr & !0xfff))
            .ok_or(Errno::EFAULT)?;
        Ok(FutexKey {
            space: 0,
            addr: pte.addr().0 | (addr & 0xfff),
        })
    }

    pub(crate) fn read_u32(&mut self, addr: u64) -> Result<u32, Errno> {
        let mut b = [0u8; 4];
        self.copy_from_user(addr, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    /// FUTEX_WAIT: sleep if *addr == val, until woken or `deadline` (monotonic ns).
    pub(crate) fn futex_wait(
        &mut self,
        addr: u64,
        val: u32,
        bitset: u32,
        private: bool,
        deadline: Option<u128>,
    ) -> SysResult {
        if bitset == 0 {
            return Err(Errno::EINVAL);
        }
        let tid = self.current;
        let mut deadline = deadline;
        // Woken (our waiter entry is gone) or timed out: this is the restart.
        if self.current_task().restart_deadline.is_some() || self.futex_woken.remove(&tid) {
            let dl = self.current_task_mut().restart_deadline.take();
            let still_waiting = self.futex_waiters.iter().position(|w| w.tid == tid);
            if let Some(i) = still_waiting {
                self.futex_waiters.remove(i);
                if dl.is_some_and(|d| self.mono_ns() >= d) {
                    return Err(Errno::ETIMEDOUT);
                }
                // Run again without being woken (a signal that ran no handler: a
                // stop and continue): wait on, keeping the original deadline.
                deadline = deadline.or(dl.filter(|&d| d != u128::MAX));
            } else {
                return Ok(0);
            }
        }
        let key = self.futex_key(addr, private)?;
        if self.read_u32(addr)? != val {
            return Err(Errno::EAGAIN);
        }
        if deadline.is_some_and(|d| self.mono_ns() >= d) {
            return Err(Errno::ETIMEDOUT);
        }
        self.futex_waiters.push(Waiter { tid, key, bitset });
        let t = self.current_task_mut();
        t.state = TaskState::Sleeping;
        t.wait = Some(Wait::Futex(deadline));
        t.restart_deadline = deadline.or(Some(u128::MAX));
        Err(Errno::ERESTARTSYS)
    }

    /// FUTEX_WAKE: wake up to `n` waiters on the word at `addr`.
    pub(crate) fn futex_wake_bits(
        &mut self,
        addr: u64,
        n: u32,
        bitset: u32,
        private: bool,
    ) -> SysResult {
        if bitset == 0 {
            return Err(Errno::EINVAL);
        }
        let key = self.futex_key(addr, private)?;
        let mut woken = 0;
        let mut i = 0;
        while i < self.futex_waiters.len() && woken < n {
            let w = self.futex_waiters[i];
            if w.key == key && w.bitset & bitset != 0 {
                self.futex_waiters.remove(i);
                self.futex_woken.insert(w.tid);
                if let Some(t) = self.tasks.get_mut(&w.tid) {
                    t.state = TaskState::Runnable;
                    t.wait = None;
                }
                woken += 1;
            } else {
                i += 1;
            }
        }
        Ok(woken as u64)
    }

    /// Wake for thread exit (CLONE_CHILD_CLEARTID): errors are ignored.
    pub(crate) fn futex_wake(&mut self, addr: u64, n: u32) {
        let _ = self.futex_wake_bits(addr, n, FUTEX_BITSET_MATCH_ANY, true);
        let _ = self.futex_wake_bits(addr, n, FUTEX_BITSET_MATCH_ANY, false);
    }

    /// FUTEX_REQUEUE / FUTEX_CMP_REQUEUE: wake `n`, move up to `n2` more to `addr2`.
    pub(crate) fn futex_requeue(
        &mut self,
        addr: u64,
        n: u32,
        n2: u32,
        addr2: u64,
        cmp: Option<u32>,
        private: bool,
    ) -> SysResult {
        if let Some(v) = cmp {
            if self.read_u32(addr)? != v {
                return Err(Errno::EAGAIN);
            }
        }
        let woken = self.futex_wake_bits(addr, n, FUTEX_BITSET_MATCH_ANY, private)?;
        let from = self.futex_key(addr, private)?;
        let to = self.futex_key(addr2, private)?;
        let mut moved = 0;
        for w in self.futex_waiters.iter_mut() {
            if moved >= n2 {
                break;
            }
            if w.key == from {
                w.key = to;
                moved += 1;
            }
        }
        Ok(woken + moved as u64)
    }

    /// Drop a task's futex wait (it was woken by something else, or died).
    pub(crate) fn futex_forget(&mut self, tid: Pid) {
        self.futex_waiters.retain(|w| w.tid != tid);
        self.futex_woken.remove(&tid);
    }
}
