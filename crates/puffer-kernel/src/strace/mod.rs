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

    /// `--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=2, ...} ---` when a
    /// signal is delivered to thread `tid` (strace's signal-delivery stop), whatever
    /// raised it: a fault, kill, a timer, a child.
    pub(crate) fn strace_delivery(&mut self, tid: i32, info: &crate::signal::SigInfo) {
        if self.strace.is_none() {
            return;
        }
        let p = self.strace_prefix(tid, 0);
        let line = format::siginfo(&info.0);
        let s = format::signal(info.signo() as u64);
        self.strace_emit(format!("{p}--- {s} {line} ---"));
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
    let mut args = decode::enter(k, nr, a);
    if nr == crate::signal::NR_RESTART_SYSCALL {
        // As strace shows the sleep a restart block resumes.
        if let Some((inner, _)) = k.current_task().restart_block {
            let name = crate::syscall::names::name(inner).unwrap_or("syscall");
            args = vec![Some(format!("<... resuming interrupted {name} ...>"))];
        }
    }
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
        Some(r) => {
            let mut s = decode::result(nr, r);
            if let Some(d) = decode::result_detail(k, nr, a, r) {
                s.push(' ');
                s.push_str(&d);
            }
            s
        }
    };
    // strace aligns the result counting the `[pid N] ` prefix too.
    let p = k.strace_prefix(e.pid, 0);
    format::line(&format!("{p}{name}"), &args, &res)
}
