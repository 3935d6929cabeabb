//! The process lifecycle, following the steps the seed documents walk through:
//! creation (`fork.rs`: Linux's kernel_clone/copy_process, OpenBSD's fork1), PID
//! allocation (`pid.rs`: alloc_pid, allocpid/ispidtaken), program replacement
//! (`exec.rs`: do_execveat_common / load_elf_binary), termination (`exit.rs`: do_exit,
//! exit_notify, reparenting) and reaping (`wait.rs`: wait4, release_task).

pub mod exec;
pub mod exit;
pub mod fork;
pub mod pid;
pub mod wait;

use bitflags::bitflags;

bitflags! {
    /// clone(2) flags.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct CloneFlags: u64 {
        const VM = 0x100;
        const FS = 0x200;
        const FILES = 0x400;
        const SIGHAND = 0x800;
        const PIDFD = 0x1000;
        const PTRACE = 0x2000;
        const VFORK = 0x4000;
        const PARENT = 0x8000;
        const THREAD = 0x10000;
        const NEWNS = 0x20000;
        const SYSVSEM = 0x40000;
        const SETTLS = 0x80000;
        const PARENT_SETTID = 0x100000;
        const CHILD_CLEARTID = 0x200000;
        const DETACHED = 0x400000;
        const UNTRACED = 0x800000;
        const CHILD_SETTID = 0x1000000;
        const NEWCGROUP = 0x2000000;
        const NEWUTS = 0x4000000;
        const NEWIPC = 0x8000000;
        const NEWUSER = 0x10000000;
        const NEWPID = 0x20000000;
        const NEWNET = 0x40000000;
        const IO = 0x80000000;
    }
}

/// What a task is waiting for while it sleeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// wait4/waitid: a child changing state.
    Child,
    /// vfork: the child execs or exits.
    Vfork(crate::Pid),
    /// nanosleep & co: a monotonic deadline in nanoseconds.
    Until(u128),
    /// A futex word, with an optional deadline.
    Futex(Option<u128>),
    /// pause, sigsuspend, sigtimedwait: any signal (see `crate::signal`).
    Signal,
    /// I/O readiness (a pipe, socket, eventfd or host descriptor; see `iowait.rs`),
    /// with an optional deadline.
    Io(Option<u128>),
}

impl Wait {
    /// When the sleep ends by itself, if ever.
    pub fn deadline(self) -> Option<u128> {
        match self {
            Wait::Until(d) => Some(d),
            Wait::Futex(d) | Wait::Io(d) => d,
            _ => None,
        }
    }
}
