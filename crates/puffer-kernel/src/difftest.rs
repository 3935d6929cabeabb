//! Hooks for `puffer difftest`'s checkpoint mode, which runs the guest at full speed
//! between syscalls and compares it with the host there. Used only by difftest.

use crate::task::ExitStatus;
use crate::Kernel;
use puffer_cpu::Trap;

/// Where [`Kernel::run_to_syscall`] stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffStop {
    /// At a syscall's entry, not dispatched: RIP after the instruction, RAX the
    /// number. The caller completes it, e.g. with [`Kernel::dispatch_syscall`].
    Syscall,
    /// Before a CPUID or RDTSC (RIP points at it), only when asked for: the caller
    /// meets the native process there, then completes it with
    /// [`puffer_cpu::Cpu::complete_host_insn`].
    HostInsn,
}

impl Kernel {
    /// Run the scheduled tasks at full speed until one executes `syscall` (or, with
    /// `stop_at_host_insns`, reaches a CPUID or RDTSC) and stop there. Faults, signals and time
    /// slices are handled as in [`Kernel::run`]. Err: the first process has ended,
    /// with this status.
    pub fn run_to_syscall(&mut self, stop_at_host_insns: bool) -> Result<DiffStop, ExitStatus> {
        loop {
            let tid = self.enter_user()?;
            let budget = self.slice_end.saturating_sub(self.cpu.stats.retired).max(1);
            let t0 = (!self.clock.is_virtual()).then(crate::time::host_cpu_ns);
            let start = self.cpu.stats.retired;
            self.cpu.host_exit = stop_at_host_insns;
            let trap = self.cpu.run(budget);
            self.cpu.host_exit = false;
            if let Some(t0) = t0 {
                self.charge_host(tid, t0);
            }
            self.account_cpu_time(self.cpu.stats.retired - start);
            match trap {
                Trap::Syscall => return Ok(DiffStop::Syscall),
                Trap::HostInsn => return Ok(DiffStop::HostInsn),
                _ => self.handle_trap(trap),
            }
        }
    }
}

impl Kernel {
    /// Take what the current task has pending before it runs again (signal frames,
    /// an interrupted syscall's restart), without executing an instruction. Err: the
    /// first process has ended.
    pub fn deliver_pending(&mut self) -> Result<(), ExitStatus> {
        self.enter_user().map(|_| ())
    }

    /// Would the current thread discard `sig` on arrival (ignored and not
    /// blocked)? A traced native thread still stops to take such a signal, which
    /// for an untraced one never arrives.
    pub fn discards_signal(&self, sig: i32) -> bool {
        self.sig_ignored(self.current, sig)
    }

    /// Does the current thread's process have a handler of its own for `sig` (not
    /// SIG_DFL or SIG_IGN)? Taking it then sets up a signal frame.
    pub fn has_handler(&self, sig: i32) -> bool {
        if !crate::signal::valid(sig) {
            return false;
        }
        self.tasks.get(&self.current).is_some_and(|t| {
            !matches!(
                t.sig.hand.borrow().get(sig).handler,
                crate::signal::SIG_DFL | crate::signal::SIG_IGN
            )
        })
    }

    /// A signal the host delivered to the native process now: queue it for the
    /// current thread with the host's siginfo. `interrupted`: the syscall just
    /// completed (its number) returned a -ERESTART* code natively, i.e. the signal
    /// interrupted it; puffer then holds it the way its own sleeping syscalls are
    /// interrupted (RIP back on the `syscall`, RAX its number), and its restart rule
    /// decides between EINTR and a restart as Linux's did.
    ///
    /// A syscall that waits under a mask of its own (rt_sigsuspend, ppoll, pselect6,
    /// epoll_pwait) was interrupted under that mask: puffer takes it up from the
    /// arguments, as its own syscall would have, so that the signal is deliverable
    /// and the frame saves the caller's mask.
    pub fn inject_signal(&mut self, info: &[u8; 128], interrupted: Option<u64>) {
        if let Some(nr) = interrupted {
            let a = crate::trace::syscall_args(&self.cpu.state);
            let at = match nr {
                130 => Some(a[0]),
                271 => (a[3] != 0).then_some(a[3]),
                270 if a[5] != 0 => self.read_u64(a[5]).ok().filter(|&p| p != 0),
                281 | 441 => (a[4] != 0).then_some(a[4]),
                _ => None,
            };
            if let Some(m) = at.and_then(|p| self.read_u64(p).ok()) {
                self.set_syscall_sigmask(m & !crate::signal::UNBLOCKABLE);
            }
            self.cpu.state.rip = self.cpu.state.rip.wrapping_sub(2);
            self.cpu.state.gpr[puffer_cpu::reg::RAX] = nr;
            let tid = self.current;
            if let Some(t) = self.tasks.get_mut(&tid) {
                t.sig.park = crate::signal::Park::Interrupted;
            }
        }
        let tid = self.current;
        let _ = self.send_signal(
            crate::signal::Target::Thread(tid),
            crate::signal::SigInfo(*info),
        );
    }
}

impl Kernel {
    /// difftest runs a multi-threaded program one thread at a time, the one it
    /// resumes natively: put task `tid` on the CPU and keep it there (no time
    /// slice ends) until the next call. False when it is not a live task.
    pub fn difftest_switch(&mut self, tid: crate::task::Pid) -> bool {
        if !self
            .tasks
            .get(&tid)
            .is_some_and(|t| t.state != crate::task::TaskState::Zombie)
        {
            return false;
        }
        self.switch_to(tid);
        self.slice_end = u64::MAX;
        true
    }
}

/// How [`Kernel::run_to_state`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunTo {
    /// At the address, in the state asked for.
    Reached,
    /// It made a syscall or reached a CPUID/RDTSC first (see [`DiffStop`]).
    Stopped(DiffStop),
    /// The instruction limit ran out.
    Limit,
}

impl Kernel {
    /// Run the current task at full speed until it stands before the instruction
    /// at `rip` with `reached(cpu)` true (checked each time it gets there, and
    /// first where it stands now). Faults, signals and time slices are handled as
    /// in [`Kernel::run`]. difftest catches puffer up this way with the point where
    /// the host delivered a signal from outside: a CPU-time timer fires after
    /// hundreds of millions of instructions of a spinning loop. Err: the first
    /// process has ended.
    pub fn run_to_state(
        &mut self,
        rip: u64,
        limit: u64,
        mut reached: impl FnMut(&mut puffer_cpu::Cpu) -> bool,
    ) -> Result<RunTo, ExitStatus> {
        let end = self.cpu.stats.retired.saturating_add(limit);
        loop {
            let tid = self.enter_user()?;
            if self.cpu.state.rip == rip && reached(&mut self.cpu) {
                return Ok(RunTo::Reached);
            }
            if self.cpu.stats.retired >= end {
                return Ok(RunTo::Limit);
            }
            let stop = self.slice_end.min(end);
            let t0 = (!self.clock.is_virtual()).then(crate::time::host_cpu_ns);
            let start = self.cpu.stats.retired;
            self.cpu.host_exit = true;
            // A spinning loop passes `rip` every few instructions: test there and
            // go straight on, without a trip through the scheduler.
            let mut hit = false;
            let trap = loop {
                let budget = stop.saturating_sub(self.cpu.stats.retired).max(1);
                let trap = self.cpu.run_until(budget, rip);
                if matches!(trap, Trap::Budget)
                    && self.cpu.state.rip == rip
                    && self.cpu.stats.retired < stop
                {
                    if reached(&mut self.cpu) {
                        hit = true;
                        break trap;
                    }
                    continue;
                }
                break trap;
            };
            self.cpu.host_exit = false;
            if let Some(t0) = t0 {
                self.charge_host(tid, t0);
            }
            self.account_cpu_time(self.cpu.stats.retired - start);
            if hit {
                return Ok(RunTo::Reached);
            }
            match trap {
                Trap::Syscall => return Ok(RunTo::Stopped(DiffStop::Syscall)),
                Trap::HostInsn => return Ok(RunTo::Stopped(DiffStop::HostInsn)),
                _ => self.handle_trap(trap),
            }
        }
    }
}
