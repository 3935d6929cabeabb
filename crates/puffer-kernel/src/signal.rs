//! Signals. For now puffer applies the default action of a signal the CPU raises
//! (SIGSEGV, SIGILL, SIGFPE, SIGTRAP) or the kernel sends (SIGKILL): terminate, with a
//! core-dump flag where Linux would dump core. Handlers, masks and delivery frames come
//! with the signal work (issue 4).

use crate::task::ExitStatus;
use crate::Kernel;

pub const SIGILL: i32 = 4;
pub const SIGTRAP: i32 = 5;
pub const SIGABRT: i32 = 6;
pub const SIGBUS: i32 = 7;
pub const SIGFPE: i32 = 8;
pub const SIGKILL: i32 = 9;
pub const SIGSEGV: i32 = 11;
pub const SIGSYS: i32 = 31;

/// Signals whose default action dumps core (signal(7)).
fn dumps_core(sig: i32) -> bool {
    matches!(
        sig,
        SIGILL | SIGTRAP | SIGABRT | SIGBUS | SIGFPE | SIGSEGV | SIGSYS | 3 | 24 | 25
    )
}

impl Kernel {
    /// A synchronous signal to the current task; with no handler support yet its
    /// default action, termination, applies.
    pub(crate) fn force_signal(&mut self, sig: i32) {
        // Linux reports a core dump only when one was written (RLIMIT_CORE is 0 by
        // default), so the wait status has no 0x80 bit.
        let _ = dumps_core(sig);
        self.exit_group(ExitStatus::Signaled { sig, core: false });
    }
}
