//! Children of the followed process, held still while it runs its own code.
//!
//! difftest follows one process; its children run natively only. What a child
//! writes into memory it shares with the followed process (MAP_SHARED) reaches
//! puffer by difftest's copy at each syscall (`sync_mirrored`), and that copy is
//! exact only if no child writes while the followed process runs between two
//! syscalls: natively it then reads what puffer was given. So children forked
//! while such memory exists are traced (PTRACE_SEIZE: no stop the program could
//! see or wait for) and held in a ptrace stop whenever the followed process runs
//! user code. They run while it is in the kernel, which is where a parent waits
//! for its children (wait4, a pipe, a futex) or yields to them (sched_yield).
//!
//! A stop signal the program sends a child puts the child into a real group
//! stop, reported to the program as natively (WIFSTOPPED, CLD_STOPPED);
//! PTRACE_LISTEN keeps it there until a SIGCONT.

use super::Native;

/// Where a held child is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kid {
    /// Running.
    Running,
    /// In a ptrace stop; resumed with this signal (0: none): a signal-delivery
    /// stop's signal is delivered on resuming, as the tracer's choice.
    Trapped(i32),
    /// In a group stop (a stop signal reached it), not yet listening.
    GroupStop,
    /// In a group stop and PTRACE_LISTENing: stopped until a SIGCONT.
    Listening,
}

impl Native {
    /// Trace child `pid` of the followed process, to hold it still while the
    /// process runs its own code (see the module's comment).
    pub fn hold_child(&mut self, pid: libc::pid_t) -> Result<(), String> {
        // SAFETY: attaching to a descendant; no memory is passed.
        let r = unsafe {
            libc::ptrace(
                libc::PTRACE_SEIZE,
                pid,
                0,
                libc::PTRACE_O_EXITKILL as libc::c_long,
            )
        };
        if r != 0 {
            // A child that has ended already (a zombie cannot be attached to) has
            // nothing left to hold.
            if super::task_ended(&format!("/proc/{pid}/stat")) {
                return Ok(());
            }
            return Err(format!(
                "PTRACE_SEIZE of child {pid}: {}",
                super::errno_str()
            ));
        }
        self.kids.push((pid, Kid::Running));
        self.holding = false;
        Ok(())
    }

    /// Does difftest hold any child?
    pub fn holds_children(&self) -> bool {
        !self.kids.is_empty()
    }

    /// Take a wait status of held child `pid` into account (false: not one).
    pub(super) fn kid_status(&mut self, pid: libc::pid_t, st: i32) -> bool {
        let Some(i) = self.kids.iter().position(|&(p, _)| p == pid) else {
            return false;
        };
        if libc::WIFEXITED(st) || libc::WIFSIGNALED(st) {
            self.kids.remove(i);
            return true;
        }
        if !libc::WIFSTOPPED(st) {
            return true;
        }
        let sig = libc::WSTOPSIG(st);
        self.kids[i].1 = if st >> 16 == libc::PTRACE_EVENT_STOP {
            // A group stop, or a trap of difftest's (PTRACE_INTERRUPT, or the
            // end of a listened-to group stop): its signal is SIGTRAP then.
            if matches!(
                sig,
                libc::SIGSTOP | libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU
            ) {
                Kid::GroupStop
            } else {
                Kid::Trapped(0)
            }
        } else {
            // A signal-delivery stop.
            Kid::Trapped(sig)
        };
        if !self.holding {
            self.let_kid_go(i);
        }
        true
    }

    /// Resume held child `i` as the program would have it run.
    fn let_kid_go(&mut self, i: usize) {
        let (pid, state) = self.kids[i];
        // SAFETY: our tracee, in a ptrace stop in both cases.
        self.kids[i].1 = unsafe {
            match state {
                Kid::Trapped(sig) => {
                    libc::ptrace(libc::PTRACE_CONT, pid, 0, sig as libc::c_long);
                    Kid::Running
                }
                Kid::GroupStop => {
                    libc::ptrace(libc::PTRACE_LISTEN, pid, 0, 0);
                    Kid::Listening
                }
                s => s,
            }
        };
    }

    /// Take one wait status of held child `pid` (`nohang`: only one it has
    /// already). False when there was none, or the child is gone.
    fn wait_kid(&mut self, pid: libc::pid_t, nohang: bool) -> bool {
        let mut st = 0;
        let flags = libc::__WALL | if nohang { libc::WNOHANG } else { 0 };
        // SAFETY: waiting for our tracee.
        let r = unsafe { libc::waitpid(pid, &mut st, flags) };
        if r == pid {
            self.kid_status(pid, st);
            return true;
        }
        if r < 0 {
            self.kids.retain(|&(p, _)| p != pid);
        }
        false
    }

    /// Collect every status the held children have to report.
    fn sweep_kids(&mut self) {
        let pids: Vec<libc::pid_t> = self.kids.iter().map(|&(p, _)| p).collect();
        for pid in pids {
            while self.wait_kid(pid, true) {}
        }
    }

    /// Stop every held child that runs, and keep them stopped.
    pub(super) fn hold_kids(&mut self) {
        if self.kids.is_empty() {
            return;
        }
        self.holding = true;
        self.sweep_kids();
        let running = |n: &Native, pid| n.kids.contains(&(pid, Kid::Running));
        let pids: Vec<libc::pid_t> = self
            .kids
            .iter()
            .filter(|k| k.1 == Kid::Running)
            .map(|k| k.0)
            .collect();
        for pid in pids {
            // SAFETY: our (seized) tracee; it reports a stop soon after.
            unsafe { libc::ptrace(libc::PTRACE_INTERRUPT, pid, 0, 0) };
            while self.wait_kid(pid, false) && running(self, pid) {}
        }
    }

    /// Let every held child run (those in a group stop stay there, listening).
    pub(super) fn release_kids(&mut self) {
        if self.kids.is_empty() {
            return;
        }
        self.holding = false;
        self.sweep_kids();
        for i in 0..self.kids.len() {
            self.let_kid_go(i);
        }
    }

    /// Will resuming thread `tid` with `req` and `sig` run it in the kernel (a
    /// syscall) rather than in the program's own code?
    pub(super) fn resumes_into_kernel(
        &self,
        tid: libc::pid_t,
        req: libc::c_uint,
        sig: i32,
    ) -> bool {
        match req {
            libc::PTRACE_CONT => true,
            libc::PTRACE_SYSCALL => self.at_syscall_entry(tid),
            _ if sig != 0 => false,
            _ => {
                // A single-step of a syscall instruction runs the whole syscall.
                let mut r: libc::user_regs_struct = unsafe { std::mem::zeroed() };
                // SAFETY: GETREGS fills the plain-data struct.
                unsafe { libc::ptrace(libc::PTRACE_GETREGS, tid, 0, &mut r as *mut _) };
                matches!(
                    self.read(r.rip, 2).as_deref(),
                    Some([0x0f, 0x05]) | Some([0xcd, 0x80])
                )
            }
        }
    }

    /// Is thread `tid` stopped at a syscall's entry (PTRACE_GET_SYSCALL_INFO)?
    pub fn at_syscall_entry(&self, tid: libc::pid_t) -> bool {
        let mut info = [0u8; 88];
        // SAFETY: the kernel writes at most `info.len()` bytes.
        let r = unsafe {
            libc::ptrace(
                libc::PTRACE_GET_SYSCALL_INFO,
                tid,
                info.len(),
                info.as_mut_ptr(),
            )
        };
        r > 0 && info[0] == libc::PTRACE_SYSCALL_INFO_ENTRY
    }
}
