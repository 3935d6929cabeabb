//! PID allocation. Linux's allocator (alloc_pid → idr_alloc_cyclic) hands out the next
//! free number after the last one, wrapping at pid_max back to 300 (below that are
//! reserved once the counter has wrapped); OpenBSD's (allocpid) draws random numbers
//! and retries while ispidtaken() says the number is in use as a process, process
//! group or session id. Both never hand out a number still in use as a PID, TGID, PGID
//! or SID, zombies included.

use crate::task::Pid;
use crate::Kernel;

pub const PID_MAX: i32 = 32768;
const RESERVED: i32 = 300;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PidAlloc {
    /// Linux: sequential, wrapping.
    Sequential,
    /// OpenBSD: random, re-drawn while taken.
    Random,
}

impl Kernel {
    /// Is `n` in use as a task id, a process id, a process group or a session?
    pub(crate) fn pid_taken(&self, n: i32) -> bool {
        let p = Pid(n);
        self.tasks.contains_key(&p)
            || self
                .procs
                .values()
                .any(|q| q.pid == p || q.pgid == p || q.sid == p)
    }

    /// A fresh PID, or None when every number is taken (fork then fails with EAGAIN).
    pub(crate) fn alloc_pid(&mut self) -> Option<Pid> {
        match self.config.pid_alloc {
            PidAlloc::Sequential => {
                let mut n = self.last_pid;
                for _ in 0..PID_MAX {
                    n += 1;
                    if n >= PID_MAX {
                        n = RESERVED;
                    }
                    if !self.pid_taken(n) {
                        self.last_pid = n;
                        return Some(Pid(n));
                    }
                }
                None
            }
            PidAlloc::Random => {
                // The first process is still PID 1 so that it is init.
                if self.procs.is_empty() && !self.pid_taken(1) {
                    return Some(Pid(1));
                }
                for _ in 0..PID_MAX * 4 {
                    let mut b = [0u8; 4];
                    crate::random::fill(&mut b);
                    let n = 2 + (u32::from_le_bytes(b) % (PID_MAX as u32 - 2)) as i32;
                    if !self.pid_taken(n) {
                        return Some(Pid(n));
                    }
                }
                None
            }
        }
    }
}
