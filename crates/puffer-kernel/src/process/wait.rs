//! Reaping: wait4 and waitid (Linux's do_wait → wait_task_zombie → release_task).
//! A zombie child that matches is reaped: its status is reported and its PID freed.

use super::Wait;
use crate::errno::Errno;
use crate::ktrace::Val;
use crate::task::{ExitStatus, Pid, TaskState};
use crate::Kernel;

pub const WNOHANG: u64 = 1;
pub const WUNTRACED: u64 = 2;
pub const WEXITED: u64 = 4;
pub const WCONTINUED: u64 = 8;
pub const WNOWAIT: u64 = 0x0100_0000;
pub const WNOTHREAD: u64 = 0x2000_0000;
pub const WALL: u64 = 0x4000_0000;
pub const WCLONE: u64 = 0x8000_0000;

/// Which children a wait call is about.
#[derive(Clone, Copy, Debug)]
pub enum Which {
    Any,
    Pid(Pid),
    Pgid(Pid),
}

pub enum WaitResult {
    Reaped {
        pid: Pid,
        status: ExitStatus,
        utime_us: u64,
    },
    /// WUNTRACED: a child stopped by `sig`.
    Stopped { pid: Pid, sig: i32 },
    /// WCONTINUED: a stopped child was continued.
    Continued { pid: Pid },
    /// WNOHANG and nothing to report.
    Nothing,
}

impl Kernel {
    /// Find a matching zombie and reap it, or report that matching children exist.
    /// Sleeps (via ERESTARTSYS) when children exist but none has changed state.
    pub(crate) fn do_wait(&mut self, which: Which, options: u64) -> Result<WaitResult, Errno> {
        let me = self.current_task().tgid;
        let my_pgid = self.procs[&me].pgid;
        let which = match which {
            Which::Pgid(Pid(0)) => Which::Pgid(my_pgid),
            w => w,
        };
        let children = self.procs[&me].children.clone();
        let matching: Vec<Pid> = children
            .into_iter()
            .filter(|c| match which {
                Which::Any => true,
                Which::Pid(p) => *c == p,
                Which::Pgid(g) => self.procs.get(c).is_some_and(|p| p.pgid == g),
            })
            .collect();
        if matching.is_empty() {
            return Err(Errno::ECHILD);
        }
        for c in &matching {
            let Some(st) = self.procs.get(c).and_then(|p| p.exit) else {
                // A live child's stop or continue (signal/jobctl.rs).
                if let Some(r) = self.wait_job_control(*c, options) {
                    return Ok(r);
                }
                continue;
            };
            // waitid without WEXITED reports only stops and continues (wait4 always
            // passes WEXITED).
            if options & WEXITED == 0 {
                continue;
            }
            let total_ns = self.procs[c].cpu_ns + self.procs[c].children_ns;
            let utime_us = total_ns / 1000;
            if options & WNOWAIT == 0 {
                if let Some(me) = self.procs.get_mut(&me) {
                    me.children_ns += total_ns;
                }
                self.release_process(*c);
                self.trace(
                    "reap",
                    vec![
                        ("pid", Val::from(c.0)),
                        ("by", Val::from(me.0)),
                        ("status", Val::from(super::exit::describe(st))),
                    ],
                );
            }
            return Ok(WaitResult::Reaped {
                pid: *c,
                status: st,
                utime_us,
            });
        }
        if options & WNOHANG != 0 {
            return Ok(WaitResult::Nothing);
        }
        let t = self.current_task_mut();
        t.state = TaskState::Sleeping;
        t.wait = Some(Wait::Child);
        Err(Errno::ERESTARTSYS)
    }

    /// release_task: the zombie's PID, task and process entries go away.
    pub(crate) fn release_process(&mut self, pid: Pid) {
        if let Some(p) = self.procs.remove(&pid) {
            if let Some(parent) = self.procs.get_mut(&p.ppid) {
                parent.children.retain(|&c| c != pid);
            }
            for t in p.threads {
                self.tasks.remove(&t);
            }
        }
        self.tasks.remove(&pid);
    }
}
