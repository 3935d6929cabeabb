//! Generation: a signal is sent to a thread or to a process (Linux's
//! send_signal_locked → prepare_signal, the pending queue, complete_signal), and the
//! kill family's routing (one process, a process group, everyone).

use super::*;
use crate::errno::Errno;
use crate::process::Wait;
use crate::task::TaskState;

/// Who a signal is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// One thread (tkill, tgkill, faults): only it can take the signal.
    Thread(Pid),
    /// A process (kill, SIGCHLD, timers): any of its threads not blocking it.
    Process(Pid),
}

impl Kernel {
    /// Send a signal described by `info`. Signals to processes or threads that have
    /// exited are dropped silently; `Err(EAGAIN)` only when a real-time signal with data
    /// (sigqueue) finds the queue full.
    pub(crate) fn send_signal(&mut self, target: Target, info: SigInfo) -> Result<(), Errno> {
        let sig = info.signo();
        if !valid(sig) {
            return Ok(());
        }
        let (tgid, thread) = match target {
            Target::Thread(t) => match self.tasks.get(&t) {
                Some(task) if task.state != TaskState::Zombie => (task.tgid, Some(t)),
                _ => return Ok(()),
            },
            Target::Process(p) => (p, None),
        };
        if self.procs.get(&tgid).is_none_or(|p| p.exit.is_some()) {
            return Ok(());
        }
        let from = info.sender();
        // prepare_signal: a stop signal cancels a pending SIGCONT and vice versa, and
        // SIGCONT resumes a stopped process as it is sent, whatever its disposition.
        if bit(sig) & STOP_SIGNALS != 0 {
            self.flush_pending(tgid, bit(SIGCONT));
        } else if sig == SIGCONT {
            self.flush_pending(tgid, STOP_SIGNALS);
            self.continue_process(tgid, from);
        }
        // Ignored signals are discarded now, unless blocked (the handler may change
        // before they are unblocked). For a process, its main thread's mask counts.
        if self.sig_ignored(thread.unwrap_or(tgid), sig) {
            self.trace_signal(sig, from, tgid, "ignored");
            return Ok(());
        }
        let pending = match thread {
            Some(t) => match self.tasks.get_mut(&t) {
                Some(t) => &mut t.sig.pending,
                None => return Ok(()),
            },
            None => match self.procs.get_mut(&tgid) {
                Some(p) => &mut p.sig.shared,
                None => return Ok(()),
            },
        };
        // Standard signals do not queue: one pending instance absorbs the others.
        if sig < SIGRTMIN && pending.contains(sig) {
            self.trace_signal(sig, from, tgid, "coalesced");
            return Ok(());
        }
        if pending.push(info).is_err()
            && sig >= SIGRTMIN
            && info.code() != SI_USER
            && info.code() != SI_KERNEL
        {
            // A real-time signal carrying data is refused rather than queued bare.
            pending.flush_one_bare(sig);
            return Err(Errno::EAGAIN);
        }
        self.trace_signal(sig, from, tgid, "pending");
        self.complete_signal(sig, tgid, thread, from);
        Ok(())
    }

    /// Would `sig` be discarded on arrival at task `tid`?
    pub(crate) fn sig_ignored(&self, tid: Pid, sig: i32) -> bool {
        let Some(t) = self.tasks.get(&tid) else {
            return false;
        };
        if (t.sig.blocked | t.sig.real_blocked.unwrap_or(0)) & bit(sig) != 0 {
            return false;
        }
        t.sig.hand.borrow().ignores(sig)
    }

    /// Forget pending `mask` signals of process `tgid` and all its threads.
    pub(crate) fn flush_pending(&mut self, tgid: Pid, mask: SigSet) {
        let threads = match self.procs.get_mut(&tgid) {
            Some(p) => {
                p.sig.shared.flush(mask);
                p.threads.clone()
            }
            None => return,
        };
        for t in threads {
            if let Some(t) = self.tasks.get_mut(&t) {
                t.sig.pending.flush(mask);
            }
        }
    }

    /// The thread that should take `sig`: the given one, or for a process its main
    /// thread if that wants it, else any other that does (Linux's wants_signal).
    pub(super) fn pick_thread(&self, tgid: Pid, thread: Option<Pid>, sig: i32) -> Option<Pid> {
        let wants = |tid: &Pid| {
            self.tasks.get(tid).is_some_and(|t| {
                t.sig.blocked & bit(sig) == 0
                    && t.state != TaskState::Zombie
                    && (sig == SIGKILL || t.state != TaskState::Stopped)
            })
        };
        if let Some(t) = thread {
            return Some(t).filter(wants);
        }
        if wants(&tgid) {
            return Some(tgid);
        }
        let p = self.procs.get(&tgid)?;
        p.threads.iter().copied().find(wants)
    }

    /// complete_signal: wake a thread that can take `sig`; a signal that would kill
    /// the process with no core dump kills it now (the whole thread group).
    fn complete_signal(&mut self, sig: i32, tgid: Pid, thread: Option<Pid>, from: i32) {
        let Some(t) = self.pick_thread(tgid, thread, sig) else {
            return;
        };
        let (fatal, real_blocked) = match self.tasks.get(&t) {
            Some(task) => (
                task.sig.hand.borrow().fatal(sig),
                task.sig.real_blocked.unwrap_or(0) & bit(sig) != 0,
            ),
            None => return,
        };
        if sig == SIGKILL || (fatal && !real_blocked && default_action(sig) != DefaultAction::Core)
        {
            self.trace_signal(sig, from, tgid, "terminate");
            self.kill_by_signal(tgid, sig);
            return;
        }
        self.signal_wake(t, false);
    }

    /// signal_wake_up: a thread sleeping interruptibly runs again (and re-executes
    /// its syscall, which then sees the signal); `resume` also wakes a stopped one.
    /// A vfork parent's wait is not interruptible.
    pub(super) fn signal_wake(&mut self, tid: Pid, resume: bool) {
        if let Some(t) = self.tasks.get_mut(&tid) {
            match t.state {
                TaskState::Sleeping if !matches!(t.wait, Some(Wait::Vfork(_))) => {
                    t.state = TaskState::Runnable;
                    t.wait = None;
                }
                TaskState::Stopped if resume => t.state = TaskState::Runnable,
                _ => {}
            }
        }
    }

    /// A signal the kernel forces on the current task for what it did (Linux's
    /// force_sig_info): if the signal is blocked or ignored, it is unblocked and its
    /// action reset to the default, so that a fault cannot be ignored.
    pub(crate) fn force_signal_info(&mut self, info: SigInfo) {
        let tid = self.current;
        let sig = info.signo();
        let Some(t) = self.tasks.get_mut(&tid) else {
            return;
        };
        let act = t.sig.hand.borrow().get(sig);
        if t.sig.blocked & bit(sig) != 0 || act.handler == SIG_IGN {
            t.sig.hand.borrow_mut().set(
                sig,
                SigAction {
                    handler: SIG_DFL,
                    ..act
                },
            );
            t.sig.blocked &= !bit(sig);
        }
        let _ = self.send_signal(Target::Thread(tid), info);
    }

    /// A CPU fault on the current task: record the trap for the signal frame
    /// (trapno, error code, CR2) and force the signal.
    pub(crate) fn force_fault(&mut self, info: SigInfo, trap: TrapInfo) {
        self.stats.forced_faults += 1;
        if let Some(t) = self.tasks.get_mut(&self.current) {
            // Only a page fault sets CR2 (Linux's thread.cr2): any other fault's
            // frame shows the address of the last one.
            let cr2 = if trap.trapno == 14 {
                trap.cr2
            } else {
                t.sig.trap.cr2
            };
            t.sig.trap = TrapInfo { cr2, ..trap };
            // #BP and #DB are traps; everything else puffer raises is a fault.
            t.sig.fault_rf = !matches!(trap.trapno, 1 | 3);
        }
        self.force_signal_info(info);
    }

    /// force_sigsegv: a handler's frame could not be set up. A SIGSEGV handler is
    /// dropped first, so that this SIGSEGV kills.
    pub(super) fn force_sigsegv(&mut self, sig: i32) {
        if sig == SIGSEGV {
            if let Some(t) = self.tasks.get(&self.current) {
                t.sig.hand.borrow_mut().set(SIGSEGV, SigAction::default());
            }
        }
        self.force_signal_info(SigInfo::kernel(SIGSEGV));
    }

    /// kill(pid > 0) / rt_sigqueueinfo: signal one process (a zombie too, to no effect).
    pub(crate) fn kill_process(&mut self, pid: Pid, info: SigInfo) -> Result<(), Errno> {
        if !self.procs.contains_key(&pid) {
            return Err(Errno::ESRCH);
        }
        self.kill_one(Target::Process(pid), info)
    }

    /// kill(0), kill(-pgid): every process of the group; ESRCH if it has none.
    pub(crate) fn kill_pgrp(&mut self, pgid: Pid, info: SigInfo) -> Result<(), Errno> {
        let members: Vec<Pid> = self
            .procs
            .values()
            .filter(|p| p.pgid == pgid)
            .map(|p| p.pid)
            .collect();
        let mut result = Err(Errno::ESRCH);
        for p in members {
            let r = self.kill_one(Target::Process(p), info);
            if result.is_err() {
                result = r;
            }
        }
        result
    }

    /// kill(-1): every process but init and the caller's own; ESRCH if none.
    pub(crate) fn kill_all(&mut self, info: SigInfo) -> Result<(), Errno> {
        let me = self.current_tgid();
        let targets: Vec<Pid> = self
            .procs
            .keys()
            .copied()
            .filter(|&p| p.0 > 1 && p != me)
            .collect();
        if targets.is_empty() {
            return Err(Errno::ESRCH);
        }
        let mut result = Ok(());
        for p in targets {
            result = self.kill_one(Target::Process(p), info);
        }
        result
    }

    /// tkill/tgkill/rt_tgsigqueueinfo: signal one thread, of process `tgid` if given.
    pub(crate) fn kill_thread(
        &mut self,
        tgid: Option<Pid>,
        tid: Pid,
        info: SigInfo,
    ) -> Result<(), Errno> {
        match self.tasks.get(&tid) {
            Some(t) if tgid.is_none_or(|g| g == t.tgid) => {}
            _ => return Err(Errno::ESRCH),
        }
        self.kill_one(Target::Thread(tid), info)
    }

    /// The permission and validity checks, then the signal; signal 0 only checks.
    fn kill_one(&mut self, target: Target, info: SigInfo) -> Result<(), Errno> {
        let sig = info.signo();
        if !(0..=NSIG).contains(&sig) {
            return Err(Errno::EINVAL);
        }
        if sig == 0 {
            return Ok(());
        }
        self.send_signal(target, info)
    }
}

impl SigPending {
    /// Undo the pending bit `push` set for a signal that could not be queued, unless
    /// other instances are queued.
    fn flush_one_bare(&mut self, sig: i32) {
        if !self.queue.iter().any(|i| i.signo() == sig) {
            self.set &= !bit(sig);
        }
    }
}
