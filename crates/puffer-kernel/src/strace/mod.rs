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
//! the task wakes) is remembered as pending. If another task prints a line before it
//! completes, its input arguments are printed first with ` <unfinished ...>` and the
//! completion later as `<... read resumed>"x", 1) = 1`, the way strace -f shows
//! syscalls that overlap; if nothing intervenes it is printed as one line. A signal
//! that interrupts it ends it with the code the call exits with before the signal
//! is taken (`= ? ERESTARTSYS (To be restarted if SA_RESTART is set)`, `= ?
//! ERESTARTNOHAND ...`, `= ? ERESTART_RESTARTBLOCK ...`, or `= -1 EINTR` for the calls
//! that fail with it themselves); then come the `--- SIG... ---` line, the handler's
//! syscalls and `rt_sigreturn(...) = -1 EINTR` or the restarted call. A task that
//! dies asleep ends with `) = ?`.
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
    /// Syscalls asleep, in the order they started.
    pending: Vec<Pending>,
}

/// A syscall a task sleeps in (see the module comment).
struct Pending {
    nr: u64,
    entry: Entry,
    /// Its ` <unfinished ...>` line has been printed.
    shown: bool,
}

impl Strace {
    pub fn new(out: Box<dyn Write>) -> Strace {
        Strace {
            out,
            pending: Vec::new(),
        }
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
    /// Value-result arguments as they were on entry (`decode::pre_values`).
    pre: [Option<u32>; 6],
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

    /// Print a line of task `tid`'s: first, the ` <unfinished ...>` start of every
    /// other task's pending syscall not shown yet, and the end of those whose task
    /// has died.
    fn strace_emit(&mut self, tid: i32, line: String) {
        self.strace_flush_pending(Some(tid));
        if let Some(s) = self.strace.as_mut() {
            let _ = writeln!(s.out, "{line}");
        }
    }

    /// Print the pending syscalls of tasks other than `except` (all: None) that are
    /// not shown yet, and end those of tasks gone or dead.
    fn strace_flush_pending(&mut self, except: Option<i32>) {
        let Some(s) = self.strace.as_mut() else {
            return;
        };
        if s.pending.is_empty() {
            return;
        }
        let mut pending = std::mem::take(&mut s.pending);
        let mut lines = Vec::new();
        pending.retain_mut(|p| {
            let tid = p.entry.pid;
            let alive = self
                .tasks
                .get(&crate::Pid(tid))
                .is_some_and(|t| t.state != TaskState::Zombie);
            if !alive {
                lines.push(self.strace_pending_end(p));
                return false;
            }
            if Some(tid) != except && !p.shown {
                lines.push(self.strace_unfinished(p));
                p.shown = true;
            }
            true
        });
        if let Some(s) = self.strace.as_mut() {
            // Pending calls that started while these were printed go after them.
            pending.append(&mut s.pending);
            s.pending = pending;
            for l in lines {
                let _ = writeln!(s.out, "{l}");
            }
        }
    }

    /// `read(3,  <unfinished ...>`: the name and the input arguments before the
    /// first output one.
    fn strace_unfinished(&self, p: &Pending) -> String {
        let args = &p.entry.args;
        let k = args.iter().position(Option::is_none).unwrap_or(args.len());
        let shown: Vec<&str> = args[..k].iter().flatten().map(String::as_str).collect();
        let sep = if k > 0 && k < args.len() { ", " } else { "" };
        format!(
            "{}{}({}{sep} <unfinished ...>",
            self.strace_prefix(p.entry.pid, 0),
            syscall_name(p.nr),
            shown.join(", ")
        )
    }

    /// The end of a pending syscall whose task died in it.
    fn strace_pending_end(&self, p: &Pending) -> String {
        let l = if p.shown {
            format!(
                "{}<... {} resumed> <unfinished ...>)",
                self.strace_prefix(p.entry.pid, 0),
                syscall_name(p.nr)
            )
        } else {
            format!("{})", self.strace_unfinished(p))
        };
        format::pad_result(l, "?")
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
        // Its tasks' syscalls asleep end first.
        self.strace_flush_pending(Some(pid));
        let p = self.strace_prefix(pid, 1);
        self.strace_emit(pid, format!("{p}+++ {what} +++"));
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
        self.strace_emit(tid, format!("{p}--- {s} {line} ---"));
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
        self.strace_emit(first.0, l);
    }
}

fn syscall_name(nr: u64) -> String {
    match crate::syscall::names::name(nr) {
        Some(n) => n.to_string(),
        None => format!("syscall_{nr:#x}"),
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
    let pre = decode::pre_values(k, nr, a);
    let e = Entry { pid, args, pre };
    if matches!(nr, 60 | 231) {
        // exit and exit_group do not return: print them now, before `+++ exited`.
        let res = "?".to_string();
        let l = finish(k, nr, a, &e, None, res, false);
        k.strace_emit(pid, l);
    }
    Some(e)
}

/// After the handler: format the output arguments and the result, print the line
/// (the whole call, or its `<... resumed>` end).
pub fn exit(k: &mut Kernel, nr: u64, a: &[u64; 6], e: Entry, r: SysResult) {
    if r == Err(Errno::ERESTARTSYS) || matches!(nr, 60 | 231) {
        return;
    }
    let shown = take_pending(k, e.pid).is_some_and(|p| p.shown);
    let mut res = decode::result(nr, r);
    if let Some(d) = decode::result_detail(k, nr, a, r) {
        res.push(' ');
        res.push_str(&d);
    }
    let l = finish(k, nr, a, &e, Some(r), res, shown);
    k.strace_emit(e.pid, l);
}

/// The syscall returned ERESTARTSYS: it sleeps (it is pending, printed when it
/// completes or another task prints), or a signal interrupts it (it ends now, with
/// the code it exits with).
pub fn parked(k: &mut Kernel, nr: u64, a: &[u64; 6], e: Entry) {
    let interrupted = k
        .tasks
        .get(&k.current)
        .is_some_and(|t| t.sig.park == crate::signal::Park::Interrupted);
    if !interrupted {
        if let Some(s) = k.strace.as_mut() {
            if !s.pending.iter().any(|p| p.entry.pid == e.pid) {
                s.pending.push(Pending {
                    nr,
                    entry: e,
                    shown: false,
                });
            }
        }
        return;
    }
    let shown = take_pending(k, e.pid).is_some_and(|p| p.shown);
    let done = k.io_partial_done(k.current);
    // (ERESTARTSYS stands for every -ERESTART* code: the outputs print as for a
    // failure, but nanosleep's `rem`, written on being interrupted.)
    let r = if done > 0 {
        Ok(done)
    } else {
        Err(Errno::ERESTARTSYS)
    };
    let res = k.strace_interrupted_result();
    let l = finish(k, nr, a, &e, Some(r), res, shown);
    k.strace_emit(e.pid, l);
}

fn take_pending(k: &mut Kernel, tid: i32) -> Option<Pending> {
    let s = k.strace.as_mut()?;
    let i = s.pending.iter().position(|p| p.entry.pid == tid)?;
    Some(s.pending.remove(i))
}

/// A syscall's line: `name(args) = res`, or with `resumed` its end,
/// `<... name resumed>outputs...) = res`.
fn finish(
    k: &mut Kernel,
    nr: u64,
    a: &[u64; 6],
    e: &Entry,
    r: Option<SysResult>,
    res: String,
    resumed: bool,
) -> String {
    let args: Vec<String> = e
        .args
        .iter()
        .enumerate()
        .map(|(i, s)| match s {
            Some(s) => s.clone(),
            None => decode::output(k, nr, a, i, r, &e.pre),
        })
        .collect();
    let name = syscall_name(nr);
    // strace aligns the result counting the `[pid N] ` prefix too.
    let p = k.strace_prefix(e.pid, 0);
    if resumed {
        let first_out = e
            .args
            .iter()
            .position(Option::is_none)
            .unwrap_or(args.len());
        let l = format!("{p}<... {name} resumed>{})", args[first_out..].join(", "));
        return format::pad_result(l, &res);
    }
    format::line(&format!("{p}{name}"), &args, &res)
}
