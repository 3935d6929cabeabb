//! Signals. So far puffer applies the default action of a signal the CPU raises
//! (SIGSEGV, SIGILL, SIGFPE, SIGTRAP) or the kernel sends (SIGKILL) — terminate — and
//! records signals sent to a process (SIGCHLD at a child's exit) as pending. Handlers,
//! masks and delivery frames come with the signal work (issue 4).

use crate::task::{ExitStatus, Pid};
use crate::Kernel;

pub const SIGILL: i32 = 4;
pub const SIGTRAP: i32 = 5;
pub const SIGFPE: i32 = 8;
pub const SIGKILL: i32 = 9;
pub const SIGSEGV: i32 = 11;
pub const SIGCHLD: i32 = 17;

const NAMES: [&str; 32] = [
    "0",
    "SIGHUP",
    "SIGINT",
    "SIGQUIT",
    "SIGILL",
    "SIGTRAP",
    "SIGABRT",
    "SIGBUS",
    "SIGFPE",
    "SIGKILL",
    "SIGUSR1",
    "SIGSEGV",
    "SIGUSR2",
    "SIGPIPE",
    "SIGALRM",
    "SIGTERM",
    "SIGSTKFLT",
    "SIGCHLD",
    "SIGCONT",
    "SIGSTOP",
    "SIGTSTP",
    "SIGTTIN",
    "SIGTTOU",
    "SIGURG",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGVTALRM",
    "SIGPROF",
    "SIGWINCH",
    "SIGIO",
    "SIGPWR",
    "SIGSYS",
];

pub fn name(sig: i32) -> String {
    match NAMES.get(sig as usize) {
        Some(n) if sig > 0 => n.to_string(),
        _ => format!("SIGRT{sig}"),
    }
}

impl Kernel {
    /// A synchronous signal to the current task; with no handler support yet its
    /// default action, termination, applies. Linux reports a core dump in the wait
    /// status only when one was written, and RLIMIT_CORE is 0 by default.
    pub(crate) fn force_signal(&mut self, sig: i32) {
        self.exit_group(ExitStatus::Signaled { sig, core: false });
    }

    /// Send `sig` to task `tid` (SIGPIPE from a write, tgkill...). Until handlers
    /// exist, the default action applies: terminate, or ignore for SIGCHLD & co.
    pub(crate) fn raise_signal(&mut self, tid: Pid, sig: i32) {
        let Some(tgid) = self.tasks.get(&tid).map(|t| t.tgid) else { return };
        match sig {
            0 | SIGCHLD | 18 | 23 | 28 => {}
            19..=22 => self.send_signal_to_process(tgid, sig),
            _ => self.exit_process(tgid, ExitStatus::Signaled { sig, core: false }),
        }
    }

    /// Record `sig` as pending for process `pid`.
    pub(crate) fn send_signal_to_process(&mut self, pid: Pid, sig: i32) {
        if let Some(p) = self.procs.get_mut(&pid) {
            if (1..=64).contains(&sig) {
                p.pending |= 1 << (sig - 1);
            }
        }
    }

    /// execve resets handled signals to their default (ignored ones stay ignored);
    /// nothing to do until handlers exist.
    pub(crate) fn reset_signals_on_exec(&mut self) {}
}
