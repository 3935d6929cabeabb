//! Job control and the parent: group stop and continue (Linux's do_signal_stop and
//! prepare_signal's SIGCONT), SIGCHLD with its siginfo (do_notify_parent,
//! do_notify_parent_cldstop), the stop/continue reports wait4 gives, automatic
//! reaping, and PR_SET_PDEATHSIG.

use super::*;
use crate::process::wait::{WaitResult, WCONTINUED, WNOWAIT, WUNTRACED};
use crate::process::Wait;
use crate::task::TaskState;

impl Kernel {
    /// A stop signal's default action: every thread of the process stops (a sleeping
    /// syscall runs again when the process continues), and the parent is told.
    pub(super) fn do_signal_stop(&mut self, tgid: Pid, sig: i32) {
        let threads = match self.procs.get_mut(&tgid) {
            Some(p) => {
                p.sig.stopped = Some(sig);
                p.sig.report = Some(JobReport::Stopped(sig));
                p.threads.clone()
            }
            None => return,
        };
        for t in threads {
            if let Some(t) = self.tasks.get_mut(&t) {
                match t.state {
                    TaskState::Runnable => t.state = TaskState::Stopped,
                    TaskState::Sleeping if !matches!(t.wait, Some(Wait::Vfork(_))) => {
                        t.state = TaskState::Stopped;
                        t.wait = None;
                    }
                    _ => {}
                }
            }
        }
        self.notify_parent_cldstop(tgid, CLD_STOPPED, sig);
    }

    /// SIGCONT was sent (by `from`): a stopped process runs again, and the parent is
    /// told.
    pub(super) fn continue_process(&mut self, tgid: Pid, from: i32) {
        let (was, threads) = match self.procs.get_mut(&tgid) {
            Some(p) => (p.sig.stopped.take(), p.threads.clone()),
            None => return,
        };
        for t in threads {
            if let Some(t) = self.tasks.get_mut(&t) {
                if t.state == TaskState::Stopped {
                    t.state = TaskState::Runnable;
                }
            }
        }
        if was.is_some() {
            if let Some(p) = self.procs.get_mut(&tgid) {
                p.sig.report = Some(JobReport::Continued);
            }
            self.trace_signal(SIGCONT, from, tgid, "continue");
            self.notify_parent_cldstop(tgid, CLD_CONTINUED, SIGCONT);
        }
    }

    /// The parent's SIGCHLD action (from its main thread's table).
    fn parent_sigchld(&self, ppid: Pid) -> SigAction {
        self.tasks
            .get(&ppid)
            .map_or(SigAction::default(), |t| t.sig.hand.borrow().get(SIGCHLD))
    }

    /// do_notify_parent_cldstop: SIGCHLD (unless the parent asked SA_NOCLDSTOP), and
    /// the parent's wait4 wakes up.
    fn notify_parent_cldstop(&mut self, tgid: Pid, why: i32, status: i32) {
        let Some(ppid) = self.procs.get(&tgid).map(|p| p.ppid) else {
            return;
        };
        if self.parent_sigchld(ppid).flags & SA_NOCLDSTOP == 0 {
            let info = SigInfo::child(SIGCHLD, why, tgid, status);
            let _ = self.send_signal(Target::Process(ppid), info);
        }
        self.wake_waiters(ppid);
    }

    /// do_notify_parent at a process's exit: its exit signal (SIGCHLD) with the status
    /// in the siginfo, and the parent's wait4 wakes up. Returns true when the child is
    /// to be reaped at once: the parent ignores SIGCHLD or set SA_NOCLDWAIT.
    pub(crate) fn notify_parent_exit(&mut self, tgid: Pid) -> bool {
        let Some(p) = self.procs.get(&tgid) else {
            return false;
        };
        let (ppid, mut sig) = (p.ppid, p.exit_signal);
        let (code, status) = match p.exit {
            Some(ExitStatus::Exited(c)) => (CLD_EXITED, c),
            Some(ExitStatus::Signaled { sig, core }) => {
                (if core { CLD_DUMPED } else { CLD_KILLED }, sig)
            }
            None => return false,
        };
        let mut autoreap = false;
        if sig == SIGCHLD {
            let act = self.parent_sigchld(ppid);
            if act.handler == SIG_IGN || act.flags & SA_NOCLDWAIT != 0 {
                autoreap = true;
                if act.handler == SIG_IGN {
                    sig = 0;
                }
            }
        }
        if valid(sig) {
            let _ = self.send_signal(
                Target::Process(ppid),
                SigInfo::child(sig, code, tgid, status),
            );
        }
        self.wake_waiters(ppid);
        autoreap
    }

    /// wait4/waitid's WUNTRACED and WCONTINUED: a stop or continue of child `c` not
    /// yet reported (consumed unless WNOWAIT).
    pub(crate) fn wait_job_control(&mut self, c: Pid, options: u64) -> Option<WaitResult> {
        let p = self.procs.get_mut(&c)?;
        let r = match p.sig.report? {
            JobReport::Stopped(sig) if options & WUNTRACED != 0 => {
                WaitResult::Stopped { pid: c, sig }
            }
            JobReport::Continued if options & WCONTINUED != 0 => WaitResult::Continued { pid: c },
            _ => return None,
        };
        if options & WNOWAIT == 0 {
            p.sig.report = None;
        }
        Some(r)
    }

    /// Is process group `pgid` orphaned: does no member have a parent in another
    /// group of the same session? (Linux does not count the global init as such a
    /// parent; puffer's first process is a PID namespace's init, which counts. Its own
    /// parent, whoever ran puffer, is taken to be in another group of the same session,
    /// as a shell is.)
    pub(super) fn pgrp_orphaned(&self, pgid: Pid) -> bool {
        !self.procs.values().any(|p| {
            p.pgid == pgid
                && p.exit.is_none()
                && match self.procs.get(&p.ppid) {
                    Some(q) => q.pgid != pgid && q.sid == p.sid,
                    None => p.ppid == Pid(0),
                }
        })
    }

    /// PR_SET_PDEATHSIG: the children of process `tgid` (only those created by thread
    /// `thread`, when only that thread exits) are sent their parent-death signals.
    pub(crate) fn send_pdeath_signals(&mut self, tgid: Pid, thread: Option<Pid>) {
        let children = self
            .procs
            .get(&tgid)
            .map(|p| p.children.clone())
            .unwrap_or_default();
        for c in children {
            let Some(cp) = self.procs.get_mut(&c) else {
                continue;
            };
            if thread.is_some_and(|t| cp.sig.parent_thread != Some(t)) {
                continue;
            }
            // The thread's children now belong to the process as a whole.
            cp.sig.parent_thread = None;
            let sigs: Vec<i32> = cp
                .threads
                .iter()
                .filter_map(|t| self.tasks.get(t))
                .map(|t| t.sig.pdeath)
                .filter(|&s| valid(s))
                .collect();
            for s in sigs {
                let _ = self.send_signal(Target::Process(c), SigInfo::user(s, SI_USER, tgid));
            }
        }
    }
}
