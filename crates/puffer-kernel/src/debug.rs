//! Hooks for a debugger (`puffer run --gdb`): run the scheduler a few instructions at
//! a time, and stop *before* a fatal signal's default action so the debugger can
//! report it and inspect the faulting state.

use crate::mm::FaultOutcome;
use crate::signal;
use crate::task::{ExitStatus, Pid, TaskState};
use crate::Kernel;
use puffer_cpu::{CpuState, Trap};

/// What one [`Kernel::debug_step`] ended with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DebugEvent {
    /// Instructions ran; nothing for the debugger.
    Ran,
    /// The current task is about to receive the fatal signal `sig` for `trap`; its
    /// registers are those of the faulting instruction. Pass the trap to
    /// [`Kernel::debug_deliver`] to let the signal's default action happen.
    Signal { sig: i32, trap: Trap },
    /// The first process ended (and with it the machine).
    Exited(ExitStatus),
}

impl Kernel {
    /// One scheduling step of at most `budget` instructions (1 single-steps).
    pub fn debug_step(&mut self, budget: u64) -> DebugEvent {
        if let Err(st) = self.enter_user() {
            return DebugEvent::Exited(st);
        }
        let slice = self.slice_end.saturating_sub(self.cpu.stats.retired).max(1);
        let trap = self.cpu.run(budget.clamp(1, slice));
        let sig = match trap {
            Trap::InvalidOpcode => Some(signal::SIGILL),
            Trap::DivideError | Trap::FloatingPoint | Trap::SimdFloatingPoint => {
                Some(signal::SIGFPE)
            }
            Trap::GeneralProtection => Some(signal::SIGSEGV),
            Trap::Breakpoint => Some(signal::SIGTRAP),
            Trap::HostInsn => {
                self.handle_trap(trap);
                None
            }
            Trap::PageFault(pf) => {
                // A fault the kernel resolves is invisible; a bad address is SIGSEGV
                // (asking again later gives the same answer: nothing was changed).
                let mm = self.current_mm();
                let out = mm.borrow_mut().handle_fault(&mut self.cpu.mmu, pf);
                match out {
                    FaultOutcome::MapErr | FaultOutcome::AccErr => Some(signal::SIGSEGV),
                    _ => {
                        self.stats.page_faults += 1;
                        None
                    }
                }
            }
            Trap::Syscall | Trap::Budget => None,
        };
        match sig {
            Some(sig) => DebugEvent::Signal { sig, trap },
            None => {
                if !matches!(trap, Trap::PageFault(_)) {
                    self.handle_trap(trap);
                }
                match self.init_exit {
                    Some(st) => DebugEvent::Exited(st),
                    None => DebugEvent::Ran,
                }
            }
        }
    }

    /// Let a signal reported by [`Kernel::debug_step`] take effect.
    pub fn debug_deliver(&mut self, trap: Trap) -> DebugEvent {
        self.handle_trap(trap);
        match self.init_exit {
            Some(st) => DebugEvent::Exited(st),
            None => DebugEvent::Ran,
        }
    }
}

impl Kernel {
    /// Put the first task on the CPU, so a debugger attached before the guest ran
    /// sees its initial registers and memory.
    pub fn debug_attach(&mut self) {
        if let Some(p) = self.runq.front().copied() {
            self.switch_to(p);
        }
    }

    /// Read guest memory of the task on the CPU (EFAULT if there is none).
    pub fn debug_read(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), crate::Errno> {
        if !self.tasks.contains_key(&self.current) {
            return Err(crate::Errno::EFAULT);
        }
        self.copy_from_user(addr, buf)
    }

    /// Write guest memory of the task on the CPU, then drop stale decoded code.
    pub fn debug_write(&mut self, addr: u64, buf: &[u8]) -> Result<(), crate::Errno> {
        if !self.tasks.contains_key(&self.current) {
            return Err(crate::Errno::EFAULT);
        }
        self.copy_to_user(addr, buf)?;
        self.cpu.sync_code();
        Ok(())
    }
}

impl Kernel {
    /// The live threads (not yet exited) of process `tgid`, by thread ID.
    pub fn debug_threads(&self, tgid: Pid) -> Vec<Pid> {
        self.tasks
            .values()
            .filter(|t| t.tgid == tgid && t.state != TaskState::Zombie)
            .map(|t| t.tid)
            .collect()
    }

    /// The registers of thread `tid`: the CPU's for the task on it, the saved ones
    /// for the others.
    pub fn debug_regs(&self, tid: Pid) -> Option<CpuState> {
        if tid == self.current {
            return Some(self.cpu.state.clone());
        }
        self.tasks.get(&tid).map(|t| t.regs.clone())
    }

    /// Put thread `tid` on the CPU for the next [`Kernel::debug_step`], when it can
    /// run now: a debugger steps the thread it means, not whichever the scheduler
    /// would pick. False when it cannot (asleep in a syscall, stopped, gone).
    pub fn debug_prefer(&mut self, tid: Pid) -> bool {
        if !self
            .tasks
            .get(&tid)
            .is_some_and(|t| t.state == TaskState::Runnable)
        {
            return false;
        }
        self.switch_to(tid);
        self.slice_end = self.slice_end.max(self.cpu.stats.retired + 1);
        true
    }

    /// Change the registers of thread `tid` (false when there is no such thread).
    pub fn debug_set_regs(&mut self, tid: Pid, f: impl FnOnce(&mut CpuState)) -> bool {
        if tid == self.current {
            f(&mut self.cpu.state);
            return true;
        }
        match self.tasks.get_mut(&tid) {
            Some(t) => {
                f(&mut t.regs);
                true
            }
            None => false,
        }
    }
}
