//! Tasks and processes (Linux's `task_struct` and thread group). A task is one
//! schedulable thread of execution with its own registers; a process is a thread group
//! sharing an address space, a descriptor table and a PID.

use crate::mm::AddressSpace;
use crate::vfs::FdTable;
use puffer_cpu::CpuState;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// A process or thread ID in puffer's own PID space.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pid(pub i32);

impl fmt::Debug for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    Runnable,
    /// Blocked in a syscall that will be restarted when woken.
    Sleeping,
    Stopped,
    /// Exited; waiting to be reaped.
    Zombie,
}

/// How a process ended, in the shape wait4 encodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    Exited(i32),
    Signaled { sig: i32, core: bool },
}

impl ExitStatus {
    /// The wait status word (`WIFEXITED`/`WIFSIGNALED` encoding).
    pub fn wait_status(self) -> i32 {
        match self {
            ExitStatus::Exited(c) => (c & 0xff) << 8,
            ExitStatus::Signaled { sig, core } => (sig & 0x7f) | if core { 0x80 } else { 0 },
        }
    }
    /// What a shell would report, and puffer exits with: the code, or 128+signal.
    pub fn shell_code(self) -> i32 {
        match self {
            ExitStatus::Exited(c) => c & 0xff,
            ExitStatus::Signaled { sig, .. } => 128 + sig,
        }
    }
}

/// Per-task file-system context (cwd, umask), shared with CLONE_FS.
#[derive(Clone, Debug)]
pub struct FsContext {
    pub cwd: String,
    pub umask: u32,
}

pub struct Task {
    pub tid: Pid,
    /// The thread-group (process) id.
    pub tgid: Pid,
    pub state: TaskState,
    pub regs: CpuState,
    pub mm: Rc<RefCell<AddressSpace>>,
    pub files: Rc<RefCell<FdTable>>,
    pub fs: Rc<RefCell<FsContext>>,
    /// set_tid_address: cleared and futex-woken when the task exits.
    pub clear_child_tid: u64,
    pub robust_list: (u64, u64),
    pub rseq: (u64, u32),
    /// prctl(PR_SET_NAME), 15 bytes at most.
    pub comm: String,
    pub alt_stack: (u64, u64, u32),
    /// What the task sleeps on (with `state == Sleeping`).
    pub wait: Option<crate::process::Wait>,
    /// A sleeping syscall's deadline, kept across its restarts.
    pub restart_deadline: Option<u128>,
    /// The syscall (number, arguments) restart_syscall(2) resumes: a sleep that a
    /// signal with no handler interrupted (Linux's `restart_block`).
    pub restart_block: Option<(u64, [u64; 6])>,
    /// For a vfork child: the parent task sleeping until this one execs or exits.
    pub vfork_parent: Option<Pid>,
    /// Signal state: handlers (shared by threads), blocked mask, pending signals.
    pub sig: crate::signal::TaskSig,
    /// CPU time of this thread in deterministic mode (CLOCK_THREAD_CPUTIME_ID), in
    /// nanoseconds; see `time`.
    pub cpu_ns: u64,
}

pub struct Process {
    pub pid: Pid,
    pub ppid: Pid,
    pub pgid: Pid,
    pub sid: Pid,
    pub threads: Vec<Pid>,
    pub children: Vec<Pid>,
    pub exit: Option<ExitStatus>,
    /// argv[0.. ] as given to execve, for /proc/<pid>/cmdline and traces.
    pub cmdline: Vec<String>,
    /// Resource limits (soft, hard), indexed by RLIMIT_*.
    pub rlimits: [(u64, u64); 16],
    /// The signal the parent gets when this process exits (SIGCHLD, or clone's choice).
    pub exit_signal: i32,
    /// prctl(PR_SET_CHILD_SUBREAPER).
    pub subreaper: bool,
    /// Signal state of the process: pending signals, job control, interval timers.
    pub sig: crate::signal::ProcSig,
    /// Host time spent running this process's tasks, in nanoseconds (user time: puffer
    /// runs guest code and the kernel's work for it on the same clock).
    pub cpu_ns: u64,
    /// The same for its reaped children and their reaped descendants.
    pub children_ns: u64,
}
