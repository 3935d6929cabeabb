//! Hooks for `puffer difftest`'s checkpoint mode, which runs the guest at full speed
//! between syscalls and compares it with the host there. Used only by difftest.

use crate::task::ExitStatus;
use crate::Kernel;
use puffer_cpu::Trap;

impl Kernel {
    /// Run the scheduled tasks at full speed until one executes `syscall`, and stop
    /// there without dispatching it: the registers are those at syscall entry (RIP
    /// after the instruction, RAX the number) and the caller completes it, e.g. with
    /// [`Kernel::dispatch_syscall`]. Faults, signals and time slices are handled as in
    /// [`Kernel::run`]. Err: the first process has ended, with this status.
    pub fn run_to_syscall(&mut self) -> Result<(), ExitStatus> {
        loop {
            let tid = self.enter_user()?;
            let budget = self.slice_end.saturating_sub(self.cpu.stats.retired).max(1);
            let t0 = (!self.clock.is_virtual()).then(std::time::Instant::now);
            let start = self.cpu.stats.retired;
            let trap = self.cpu.run(budget);
            if let Some(t0) = t0 {
                self.charge_host(tid, t0);
            }
            self.account_cpu_time(self.cpu.stats.retired - start);
            if trap == Trap::Syscall {
                return Ok(());
            }
            self.handle_trap(trap);
        }
    }
}
