//! `puffer run --strace`: every syscall as strace prints it.
//!
//! [`crate::syscall::dispatch`] calls [`enter`] before a handler runs and [`exit`]
//! after. Input arguments (paths, write buffers, argv) are formatted on entry, while
//! they still exist (execve replaces the address space); output arguments (read
//! buffers, struct stat) after the call, from the result. Guest memory is read with
//! `copy_from_user`, which never faults the guest: an unreadable pointer prints as hex,
//! as strace does.
//!
//! A syscall that sleeps (returns the internal ERESTARTSYS and is executed again when
//! the task wakes) is printed once, when it completes: puffer does not print
//! `<unfinished ...>`/`<... resumed>` pairs. Lines of different tasks therefore never
//! interleave, but a vfork parent's `vfork()` line comes after its child's lines.
//!
//! Lines are prefixed by `[pid N] ` while more than one task is alive, like strace -f.

pub mod decode;
pub mod format;

use crate::errno::{Errno, SysResult};
use crate::task::{ExitStatus, TaskState};
use crate::Kernel;
use std::io::Write;

/// The `--strace` sink.
pub struct Strace {
    out: Box<dyn Write>,
}

impl Strace {
    pub fn new(out: Box<dyn Write>) -> Strace {
        Strace { out }
    }
}

impl Drop for Strace {
    fn drop(&mut self) {
        let _ = self.out.flush();
    }
}

/// What [`enter`] saw, for [`exit`].
pub struct Entry {
    pid: i32,
    args: Vec<Option<String>>,
}

impl Kernel {
    fn strace_prefix(&self, pid: i32, extra_live: usize) -> String {
        let live = self
            .tasks
            .values()
            .filter(|t| t.state != TaskState::Zombie)
            .count()
            + extra_live;
        if live > 1 {
            format!("[pid {pid:>5}] ")
        } else {
            String::new()
        }
    }

    fn strace_emit(&mut self, line: String) {
        if let Some(s) = self.strace.as_mut() {
            let _ = writeln!(s.out, "{line}");
        }
    }

    /// `+++ exited with N +++` / `+++ killed by SIG +++` for process `pid`.
    pub(crate) fn strace_process_exit(&mut self, pid: i32, status: ExitStatus) {
        if self.strace.is_none() {
            return;
        }
        let what = match status {
            ExitStatus::Exited(c) => format!("exited with {c}"),
            ExitStatus::Signaled { sig, core } => format!(
                "killed by {}{}",
                format::signal(sig as u64),
                if core { " (core dumped)" } else { "" }
            ),
        };
        let p = self.strace_prefix(pid, 1);
        self.strace_emit(format!("{p}+++ {what} +++"));
    }

    /// `--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10} ---`.
    pub(crate) fn strace_signal(&mut self, sig: i32, code: &str, addr: Option<u64>) {
        if self.strace.is_none() {
            return;
        }
        let pid = self.current.0;
        let p = self.strace_prefix(pid, 0);
        let s = format::signal(sig as u64);
        let mut info = format!("{{si_signo={s}, si_code={code}");
        if let Some(a) = addr {
            info.push_str(&format!(", si_addr={}", format::ptr(a)));
        }
        info.push('}');
        self.strace_emit(format!("{p}--- {s} {info} ---"));
    }

    /// The `--- SIG... ---` line of a CPU exception other than a page fault (those are
    /// reported by the fault path, which knows whether the fault is a signal at all).
    pub(crate) fn strace_trap(&mut self, trap: puffer_cpu::Trap) {
        use puffer_cpu::Trap;
        if self.strace.is_none() {
            return;
        }
        let rip = self.cpu.state.rip;
        let (sig, code, addr) = match trap {
            Trap::InvalidOpcode => (crate::signal::SIGILL, "ILL_ILLOPN", Some(rip)),
            Trap::DivideError => (crate::signal::SIGFPE, "FPE_INTDIV", Some(rip)),
            Trap::FloatingPoint | Trap::SimdFloatingPoint => {
                (crate::signal::SIGFPE, "FPE_FLTINV", Some(rip))
            }
            Trap::GeneralProtection => (crate::signal::SIGSEGV, "SI_KERNEL", Some(0)),
            Trap::Breakpoint => (crate::signal::SIGTRAP, "SI_KERNEL", None),
            _ => return,
        };
        self.strace_signal(sig, code, addr);
    }

    /// The `execve(...) = 0` strace shows first, for the program puffer starts.
    pub fn strace_initial_exec(&mut self, path: &str) {
        if self.strace.is_none() {
            return;
        }
        let Some(first) = self.runq.front().copied() else {
            return;
        };
        // Put the new process on the CPU (as the scheduler would) to read its stack.
        self.switch_to(first);
        let sp = self.cpu.state.gpr[puffer_cpu::reg::RSP];
        let argc = self.read_u64(sp).unwrap_or(0).min(1 << 16);
        let argv = decode::argv(self, sp + 8);
        let envp = decode::envp(self, sp + 8 + 8 * (argc + 1));
        let l = format::line(
            "execve",
            &[format::quote(path.as_bytes(), false, false), argv, envp],
            "0",
        );
        self.strace_emit(l);
    }
}

/// Before the handler: format the input arguments. `None` when not tracing.
pub fn enter(k: &mut Kernel, nr: u64, a: &[u64; 6]) -> Option<Entry> {
    k.strace.as_ref()?;
    let pid = k.current.0;
    let args = decode::enter(k, nr, a);
    let e = Entry { pid, args };
    if matches!(nr, 60 | 231) {
        // exit and exit_group do not return: print them now, before `+++ exited`.
        let l = finish(k, nr, a, &e, None);
        k.strace_emit(l);
    }
    Some(e)
}

/// After the handler: format the output arguments and the result, print the line.
pub fn exit(k: &mut Kernel, nr: u64, a: &[u64; 6], e: Entry, r: SysResult) {
    if r == Err(Errno::ERESTARTSYS) || matches!(nr, 60 | 231) {
        return;
    }
    let l = finish(k, nr, a, &e, Some(r));
    k.strace_emit(l);
}

fn finish(k: &mut Kernel, nr: u64, a: &[u64; 6], e: &Entry, r: Option<SysResult>) -> String {
    let args: Vec<String> = e
        .args
        .iter()
        .enumerate()
        .map(|(i, s)| match s {
            Some(s) => s.clone(),
            None => decode::output(k, nr, a, i, r),
        })
        .collect();
    let name = match crate::syscall::names::name(nr) {
        Some(n) => n.to_string(),
        None => format!("syscall_{nr:#x}"),
    };
    let res = match r {
        None => "?".to_string(),
        Some(r) => decode::result(nr, r),
    };
    // strace aligns the result counting the `[pid N] ` prefix too.
    let p = k.strace_prefix(e.pid, 0);
    format::line(&format!("{p}{name}"), &args, &res)
}
