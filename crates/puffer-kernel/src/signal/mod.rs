//! Signals, as a guest program sees them on Linux (kernel/signal.c,
//! arch/x86/kernel/signal.c and signal_64.c, signal(7)).
//!
//! - **State** (this file): each task has its blocked mask, its own pending set, the
//!   saved mask of sigsuspend and a handle on the handler table, which threads share
//!   (CLONE_SIGHAND); each process has the shared pending set (process-directed
//!   signals), its job-control state and its interval timers.
//! - **Generation** (`send.rs`, Linux's send_signal_locked / complete_signal): a signal
//!   is discarded when ignored, queued (standard signals coalesce, real-time ones
//!   queue), a thread that does not block it is woken, and an unhandled fatal signal
//!   kills the whole process at once. SIGCONT and the stop signals act when sent.
//! - **Delivery** (`deliver.rs`, get_signal / handle_signal): before a task returns to
//!   user mode one unblocked signal is taken (synchronous faults first) and its action
//!   applied: the default (terminate, core, stop, ignore) or a handler, entered through
//!   an x86-64 `rt_sigframe` built on the user or alternate stack (`frame.rs`);
//!   rt_sigreturn undoes it. A syscall sleeping when the signal comes is interrupted:
//!   it fails with EINTR or is restarted (SA_RESTART), as Linux's restart codes say.
//! - **Job control and the parent** (`jobctl.rs`): group stop and continue, SIGCHLD
//!   with its siginfo at a child's exit, stop and continue, the reports wait4 gives
//!   (WUNTRACED, WCONTINUED), automatic reaping (SIGCHLD ignored or SA_NOCLDWAIT),
//!   PR_SET_PDEATHSIG.
//! - **Faults** (`fault.rs`, and #PF in `Kernel::handle_trap`): CPU exceptions become
//!   forced signals with Linux's si_code and si_addr; a blocked or ignored one kills.
//! - **Timers** (`timer.rs`): ITIMER_REAL (and alarm) through the scheduler's
//!   deadlines; ITIMER_VIRTUAL and ITIMER_PROF on retired instructions.

mod deliver;
mod fault;
pub(crate) mod frame;
mod jobctl;
mod send;
mod timer;

pub use deliver::{Park, NR_RESTART_SYSCALL};
pub use frame::{StackT, FPSTATE_SIZE};
pub use send::Target;
pub use timer::{ITimer, ITIMER_PROF, ITIMER_REAL, ITIMER_VIRTUAL};

use crate::task::{ExitStatus, Pid};
use crate::Kernel;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

pub const SIGHUP: i32 = 1;
pub const SIGINT: i32 = 2;
pub const SIGQUIT: i32 = 3;
pub const SIGILL: i32 = 4;
pub const SIGTRAP: i32 = 5;
pub const SIGABRT: i32 = 6;
pub const SIGBUS: i32 = 7;
pub const SIGFPE: i32 = 8;
pub const SIGKILL: i32 = 9;
pub const SIGUSR1: i32 = 10;
pub const SIGSEGV: i32 = 11;
pub const SIGUSR2: i32 = 12;
pub const SIGPIPE: i32 = 13;
pub const SIGALRM: i32 = 14;
pub const SIGTERM: i32 = 15;
pub const SIGSTKFLT: i32 = 16;
pub const SIGCHLD: i32 = 17;
pub const SIGCONT: i32 = 18;
pub const SIGSTOP: i32 = 19;
pub const SIGTSTP: i32 = 20;
pub const SIGTTIN: i32 = 21;
pub const SIGTTOU: i32 = 22;
pub const SIGURG: i32 = 23;
pub const SIGXCPU: i32 = 24;
pub const SIGXFSZ: i32 = 25;
pub const SIGVTALRM: i32 = 26;
pub const SIGPROF: i32 = 27;
pub const SIGWINCH: i32 = 28;
pub const SIGIO: i32 = 29;
pub const SIGPWR: i32 = 30;
pub const SIGSYS: i32 = 31;
/// The first real-time signal (the kernel's; C libraries keep 32..34 for themselves).
pub const SIGRTMIN: i32 = 32;
/// Signals are 1..=NSIG.
pub const NSIG: i32 = 64;

/// `sigaction` handler values.
pub const SIG_DFL: u64 = 0;
pub const SIG_IGN: u64 = 1;

/// `sa_flags` (x86-64 values).
pub const SA_NOCLDSTOP: u64 = 0x1;
pub const SA_NOCLDWAIT: u64 = 0x2;
pub const SA_SIGINFO: u64 = 0x4;
pub const SA_EXPOSE_TAGBITS: u64 = 0x800;
pub const SA_RESTORER: u64 = 0x0400_0000;
pub const SA_ONSTACK: u64 = 0x0800_0000;
pub const SA_RESTART: u64 = 0x1000_0000;
pub const SA_NODEFER: u64 = 0x4000_0000;
pub const SA_RESETHAND: u64 = 0x8000_0000;
/// The flags the kernel keeps (and reports back); others are cleared so that a program
/// can detect what is unsupported (Linux's UAPI_SA_FLAGS).
pub const SA_KNOWN: u64 = SA_NOCLDSTOP
    | SA_NOCLDWAIT
    | SA_SIGINFO
    | SA_EXPOSE_TAGBITS
    | SA_RESTORER
    | SA_ONSTACK
    | SA_RESTART
    | SA_NODEFER
    | SA_RESETHAND;

/// `si_code` values.
pub const SI_USER: i32 = 0;
pub const SI_KERNEL: i32 = 0x80;
pub const SI_QUEUE: i32 = -1;
pub const SI_TKILL: i32 = -6;
pub const ILL_ILLOPN: i32 = 2;
pub const FPE_INTDIV: i32 = 1;
pub const FPE_FLTDIV: i32 = 3;
pub const FPE_FLTOVF: i32 = 4;
pub const FPE_FLTUND: i32 = 5;
pub const FPE_FLTRES: i32 = 6;
pub const FPE_FLTINV: i32 = 7;
pub const SEGV_MAPERR: i32 = 1;
pub const SEGV_ACCERR: i32 = 2;
pub const CLD_EXITED: i32 = 1;
pub const CLD_KILLED: i32 = 2;
pub const CLD_DUMPED: i32 = 3;
pub const CLD_STOPPED: i32 = 5;
pub const CLD_CONTINUED: i32 = 6;

/// The name of `si_code` `code` for signal `sig`, as strace and the C headers spell
/// it (None for codes puffer never generates).
pub fn code_name(sig: i32, code: i32) -> Option<&'static str> {
    Some(match (sig, code) {
        (_, SI_USER) => "SI_USER",
        (_, SI_KERNEL) => "SI_KERNEL",
        (_, SI_QUEUE) => "SI_QUEUE",
        (_, -2) => "SI_TIMER",
        (_, -3) => "SI_MESGQ",
        (_, -4) => "SI_ASYNCIO",
        (_, -5) => "SI_SIGIO",
        (_, SI_TKILL) => "SI_TKILL",
        (SIGILL, ILL_ILLOPN) => "ILL_ILLOPN",
        (SIGFPE, FPE_INTDIV) => "FPE_INTDIV",
        (SIGFPE, 2) => "FPE_INTOVF",
        (SIGFPE, FPE_FLTDIV) => "FPE_FLTDIV",
        (SIGFPE, FPE_FLTOVF) => "FPE_FLTOVF",
        (SIGFPE, FPE_FLTUND) => "FPE_FLTUND",
        (SIGFPE, FPE_FLTRES) => "FPE_FLTRES",
        (SIGFPE, FPE_FLTINV) => "FPE_FLTINV",
        (SIGFPE, 8) => "FPE_FLTSUB",
        (SIGSEGV, SEGV_MAPERR) => "SEGV_MAPERR",
        (SIGSEGV, SEGV_ACCERR) => "SEGV_ACCERR",
        (SIGBUS, 1) => "BUS_ADRALN",
        (SIGBUS, 2) => "BUS_ADRERR",
        (SIGTRAP, 1) => "TRAP_BRKPT",
        (SIGTRAP, 2) => "TRAP_TRACE",
        (SIGCHLD, CLD_EXITED) => "CLD_EXITED",
        (SIGCHLD, CLD_KILLED) => "CLD_KILLED",
        (SIGCHLD, CLD_DUMPED) => "CLD_DUMPED",
        (SIGCHLD, 4) => "CLD_TRAPPED",
        (SIGCHLD, CLD_STOPPED) => "CLD_STOPPED",
        (SIGCHLD, CLD_CONTINUED) => "CLD_CONTINUED",
        _ => return None,
    })
}

/// A signal set: bit N-1 for signal N (the kernel's 64-bit `sigset_t`).
pub type SigSet = u64;

/// The bit of `sig` in a [`SigSet`] (`sig` must be 1..=64).
pub const fn bit(sig: i32) -> SigSet {
    1u64 << (sig - 1)
}

pub fn valid(sig: i32) -> bool {
    (1..=NSIG).contains(&sig)
}

/// SIGKILL and SIGSTOP can be neither blocked, caught nor ignored.
pub const UNBLOCKABLE: SigSet = bit(SIGKILL) | bit(SIGSTOP);
/// Signals the CPU raises, taken before any other pending signal.
const SYNCHRONOUS: SigSet =
    bit(SIGSEGV) | bit(SIGBUS) | bit(SIGILL) | bit(SIGTRAP) | bit(SIGFPE) | bit(SIGSYS);
const STOP_SIGNALS: SigSet = bit(SIGSTOP) | bit(SIGTSTP) | bit(SIGTTIN) | bit(SIGTTOU);

/// What a signal does when its handler is SIG_DFL (signal(7)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultAction {
    Term,
    Core,
    Ignore,
    Stop,
    Cont,
}

pub fn default_action(sig: i32) -> DefaultAction {
    use DefaultAction::*;
    match sig {
        SIGQUIT | SIGILL | SIGTRAP | SIGABRT | SIGBUS | SIGFPE | SIGSEGV | SIGXCPU | SIGXFSZ
        | SIGSYS => Core,
        SIGCHLD | SIGURG | SIGWINCH => Ignore,
        SIGCONT => Cont,
        SIGSTOP | SIGTSTP | SIGTTIN | SIGTTOU => Stop,
        _ => Term,
    }
}

/// One entry of the handler table (the kernel's `struct sigaction`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigAction {
    pub handler: u64,
    pub flags: u64,
    pub restorer: u64,
    pub mask: SigSet,
}

/// The handler table, shared by the threads of a process (Linux's `sighand_struct`).
#[derive(Clone, Debug)]
pub struct SigHand {
    actions: [SigAction; NSIG as usize],
}

impl Default for SigHand {
    fn default() -> Self {
        SigHand {
            actions: [SigAction::default(); NSIG as usize],
        }
    }
}

impl SigHand {
    pub fn get(&self, sig: i32) -> SigAction {
        self.actions[(sig - 1) as usize]
    }
    pub fn set(&mut self, sig: i32, act: SigAction) {
        self.actions[(sig - 1) as usize] = act;
    }
    /// Is `sig` discarded when it arrives (SIG_IGN, or SIG_DFL with "ignore")?
    fn ignores(&self, sig: i32) -> bool {
        match self.get(sig).handler {
            SIG_IGN => true,
            SIG_DFL => matches!(
                default_action(sig),
                DefaultAction::Ignore | DefaultAction::Cont
            ),
            _ => false,
        }
    }
    /// Would `sig` kill the process (no handler, a fatal default action)?
    fn fatal(&self, sig: i32) -> bool {
        self.get(sig).handler == SIG_DFL
            && matches!(
                default_action(sig),
                DefaultAction::Term | DefaultAction::Core
            )
    }
}

/// A `siginfo_t` (128 bytes, x86-64 layout): si_signo, si_errno, si_code, then the
/// union at offset 16 (kill: si_pid, si_uid; fault: si_addr; SIGCHLD: si_pid, si_uid,
/// si_status, si_utime, si_stime; rt/queue: si_pid, si_uid, si_value).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SigInfo(pub [u8; 128]);

impl std::fmt::Debug for SigInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigInfo(sig {} code {})", self.signo(), self.code())
    }
}

impl SigInfo {
    pub fn new(sig: i32, code: i32) -> SigInfo {
        let mut s = SigInfo([0; 128]);
        s.put_i32(0, sig);
        s.put_i32(8, code);
        s
    }
    fn put_i32(&mut self, off: usize, v: i32) {
        self.0[off..off + 4].copy_from_slice(&v.to_le_bytes());
    }
    fn put_u64(&mut self, off: usize, v: u64) {
        self.0[off..off + 8].copy_from_slice(&v.to_le_bytes());
    }
    fn i32_at(&self, off: usize) -> i32 {
        i32::from_le_bytes([
            self.0[off],
            self.0[off + 1],
            self.0[off + 2],
            self.0[off + 3],
        ])
    }
    pub fn signo(&self) -> i32 {
        self.i32_at(0)
    }
    pub fn code(&self) -> i32 {
        self.i32_at(8)
    }
    pub fn set_signo(&mut self, sig: i32) {
        self.put_i32(0, sig);
    }
    /// The sender's PID for the codes that carry one (kill, tkill, sigqueue, SIGCHLD).
    pub fn sender(&self) -> i32 {
        if self.code() == SI_KERNEL || (self.code() > 0 && self.signo() != SIGCHLD) {
            0
        } else {
            self.i32_at(16)
        }
    }
    /// `si_addr`, for the fault signals that carry one (SIGSEGV, SIGBUS, SIGILL,
    /// SIGFPE raised by the CPU rather than sent by a process).
    pub fn fault_addr(&self) -> Option<u64> {
        let fault = matches!(self.signo(), SIGSEGV | SIGBUS | SIGILL | SIGFPE);
        (fault && self.code() > 0 && self.code() != SI_KERNEL)
            .then(|| u64::from_le_bytes(self.0[16..24].try_into().unwrap_or([0; 8])))
    }
    /// Sent by a process: kill (SI_USER), tkill/tgkill (SI_TKILL).
    pub fn user(sig: i32, code: i32, pid: Pid) -> SigInfo {
        let mut s = SigInfo::new(sig, code);
        s.put_i32(16, pid.0);
        s.put_i32(20, crate::current_uid() as i32);
        s
    }
    /// Sent by the kernel itself (SEND_SIG_PRIV): SI_KERNEL, no sender.
    pub fn kernel(sig: i32) -> SigInfo {
        SigInfo::new(sig, SI_KERNEL)
    }
    /// A fault at `addr` (SIGSEGV, SIGFPE, SIGILL...).
    pub fn fault(sig: i32, code: i32, addr: u64) -> SigInfo {
        let mut s = SigInfo::new(sig, code);
        s.put_u64(16, addr);
        s
    }
    /// A child changed state (SIGCHLD): `status` is the exit code or the signal.
    pub fn child(sig: i32, code: i32, pid: Pid, status: i32) -> SigInfo {
        let mut s = SigInfo::new(sig, code);
        s.put_i32(16, pid.0);
        s.put_i32(20, crate::current_uid() as i32);
        s.put_i32(24, status);
        s
    }
}

/// A set of pending signals with their siginfo (Linux's `struct sigpending`): a
/// standard signal is pending at most once, real-time signals queue.
#[derive(Clone, Debug, Default)]
pub struct SigPending {
    pub set: SigSet,
    queue: VecDeque<SigInfo>,
}

/// At most this many siginfos wait in one queue (RLIMIT_SIGPENDING's default).
const MAX_QUEUED: usize = 4096;

impl SigPending {
    pub fn contains(&self, sig: i32) -> bool {
        self.set & bit(sig) != 0
    }
    /// The next signal to take among those not in `blocked`: synchronous ones first,
    /// then the lowest number (Linux's next_signal).
    fn next(&self, blocked: SigSet) -> Option<i32> {
        let mut x = self.set & !blocked;
        if x == 0 {
            return None;
        }
        if x & SYNCHRONOUS != 0 {
            x &= SYNCHRONOUS;
        }
        Some(x.trailing_zeros() as i32 + 1)
    }
    /// Remove one instance of `sig` and return its siginfo.
    fn take(&mut self, sig: i32) -> SigInfo {
        let pos = self.queue.iter().position(|i| i.signo() == sig);
        let info = match pos.and_then(|p| self.queue.remove(p)) {
            Some(i) => i,
            // Queued without a siginfo (the queue was full).
            None => SigInfo::new(sig, SI_USER),
        };
        if !self.queue.iter().any(|i| i.signo() == sig) {
            self.set &= !bit(sig);
        }
        info
    }
    /// Queue `info`; `Err` when the queue is full (the signal is still marked pending).
    fn push(&mut self, info: SigInfo) -> Result<(), ()> {
        self.set |= bit(info.signo());
        if self.queue.len() >= MAX_QUEUED {
            return Err(());
        }
        self.queue.push_back(info);
        Ok(())
    }
    /// Forget the signals in `mask`.
    fn flush(&mut self, mask: SigSet) {
        self.set &= !mask;
        self.queue.retain(|i| bit(i.signo()) & mask == 0);
    }
}

/// The fault that raised the last synchronous signal, for the signal frame's
/// `trapno`, `err` and `cr2` (Linux's thread.trap_nr, error_code, cr2).
#[derive(Clone, Copy, Debug, Default)]
pub struct TrapInfo {
    pub trapno: u64,
    pub err: u64,
    pub cr2: u64,
}

/// A task's signal state.
#[derive(Clone, Debug)]
pub struct TaskSig {
    /// The handler table (shared with CLONE_SIGHAND).
    pub hand: Rc<RefCell<SigHand>>,
    pub blocked: SigSet,
    /// rt_sigtimedwait's real mask while it sleeps with the awaited signals unblocked.
    pub real_blocked: Option<SigSet>,
    /// The mask to restore after a handler (sigsuspend's; Linux's saved_sigmask).
    pub saved_mask: Option<SigSet>,
    /// Signals sent to this thread.
    pub pending: SigPending,
    /// A syscall that is sleeping or was interrupted (see [`Park`]).
    pub park: Park,
    pub trap: TrapInfo,
    /// The registers were saved by a fault-class exception, whose RFLAGS image has
    /// RF set (SDM vol. 3, 17.3.1.1): the next signal frame shows it.
    pub fault_rf: bool,
    /// PR_SET_PDEATHSIG: sent to this task's process when its parent exits.
    pub pdeath: i32,
}

impl Default for TaskSig {
    fn default() -> Self {
        TaskSig {
            hand: Rc::new(RefCell::new(SigHand::default())),
            blocked: 0,
            real_blocked: None,
            saved_mask: None,
            pending: SigPending::default(),
            park: Park::None,
            trap: TrapInfo::default(),
            fault_rf: false,
            pdeath: 0,
        }
    }
}

impl TaskSig {
    /// The signal state of a new task (fork, clone): the handlers are copied (or
    /// shared with CLONE_SIGHAND), the mask inherited, nothing pending.
    pub fn fork(&self, share_handlers: bool) -> TaskSig {
        TaskSig {
            hand: if share_handlers {
                self.hand.clone()
            } else {
                Rc::new(RefCell::new(self.hand.borrow().clone()))
            },
            blocked: self.blocked,
            ..TaskSig::default()
        }
    }
}

/// A stop or continue a parent has not yet collected with wait4.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobReport {
    Stopped(i32),
    Continued,
}

/// A process's signal state.
#[derive(Clone, Debug, Default)]
pub struct ProcSig {
    /// Signals sent to the process (any thread that does not block them takes them).
    pub shared: SigPending,
    /// The process is stopped (group stop) by this signal.
    pub stopped: Option<i32>,
    /// For the parent's wait4 (WUNTRACED / WCONTINUED).
    pub report: Option<JobReport>,
    /// ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF.
    pub timers: [ITimer; 3],
    /// The parent's thread that created this process (PR_SET_PDEATHSIG fires when it
    /// exits).
    pub parent_thread: Option<Pid>,
}

/// Kernel-wide signal bookkeeping.
#[derive(Clone, Debug, Default)]
pub struct Global {
    /// Some process has armed ITIMER_VIRTUAL or ITIMER_PROF (retired instructions are
    /// only accounted to processes from then on).
    pub cpu_timers: bool,
}

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

/// Is `addr` canonical (bits 63..47 all equal)?
pub fn canonical(addr: u64) -> bool {
    let top = (addr as i64) >> 47;
    top == 0 || top == -1
}

/// The earlier of two optional deadlines.
pub fn earliest(a: Option<u128>, b: Option<u128>) -> Option<u128> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

impl Kernel {
    /// A signal the kernel raises against the current task for what it just did
    /// (SI_KERNEL: a bad signal frame, guest RAM exhausted...).
    pub(crate) fn force_signal(&mut self, sig: i32) {
        self.force_signal_info(SigInfo::kernel(sig));
    }

    /// Send `sig` to task `tid` (SIGPIPE from a write, ...), as Linux's send_sig: from
    /// the current process (SI_USER). The entry point for other subsystems.
    #[allow(dead_code)]
    pub(crate) fn raise_signal(&mut self, tid: Pid, sig: i32) {
        if !valid(sig) {
            return;
        }
        let me = self.current_tgid();
        let _ = self.send_signal(Target::Thread(tid), SigInfo::user(sig, SI_USER, me));
    }

    /// Send `sig` to process `pid` from the kernel (SI_KERNEL).
    #[allow(dead_code)]
    pub(crate) fn send_signal_to_process(&mut self, pid: Pid, sig: i32) {
        if valid(sig) {
            let _ = self.send_signal(Target::Process(pid), SigInfo::kernel(sig));
        }
    }

    /// execve (Linux's flush_signal_handlers and unshare_sighand): handled signals go
    /// back to SIG_DFL, ignored ones stay ignored, flags and masks are cleared; the
    /// table is unshared from any other process. The blocked mask and pending signals
    /// are kept.
    pub(crate) fn reset_signals_on_exec(&mut self) {
        let t = self.current_task_mut();
        if Rc::strong_count(&t.sig.hand) > 1 {
            let copy = t.sig.hand.borrow().clone();
            t.sig.hand = Rc::new(RefCell::new(copy));
        }
        let mut h = t.sig.hand.borrow_mut();
        for a in h.actions.iter_mut() {
            let ign = a.handler == SIG_IGN;
            *a = SigAction::default();
            if ign {
                a.handler = SIG_IGN;
            }
        }
        drop(h);
        t.sig.saved_mask = None;
    }

    /// Does the current task have a handler for `sig` that it does not block?
    pub(crate) fn signal_caught(&self, sig: i32) -> bool {
        self.tasks.get(&self.current).is_some_and(|t| {
            t.sig.blocked & bit(sig) == 0 && t.sig.hand.borrow().get(sig).handler > SIG_IGN
        })
    }

    /// The current task's process ID (0 when there is no current task).
    pub(crate) fn current_tgid(&self) -> Pid {
        self.tasks.get(&self.current).map_or(Pid(0), |t| t.tgid)
    }

    /// The signals a task would take now: pending for it or its process, not blocked.
    pub(crate) fn deliverable(&self, tid: Pid) -> SigSet {
        let Some(t) = self.tasks.get(&tid) else {
            return 0;
        };
        let shared = self.procs.get(&t.tgid).map_or(0, |p| p.sig.shared.set);
        (t.sig.pending.set | shared) & !t.sig.blocked
    }

    /// Linux's set_current_blocked: SIGKILL and SIGSTOP stay unblocked, and signals
    /// pending for the process that this thread now blocks are offered to another.
    pub(crate) fn set_blocked(&mut self, tid: Pid, mask: SigSet) {
        let Some(t) = self.tasks.get_mut(&tid) else {
            return;
        };
        let old = t.sig.blocked;
        t.sig.blocked = mask & !UNBLOCKABLE;
        let newly = t.sig.blocked & !old;
        let tgid = t.tgid;
        let shared = self.procs.get(&tgid).map_or(0, |p| p.sig.shared.set);
        let mut m = newly & shared;
        while m != 0 {
            let sig = m.trailing_zeros() as i32 + 1;
            m &= m - 1;
            if let Some(t) = self.pick_thread(tgid, None, sig) {
                self.signal_wake(t, false);
            }
        }
    }

    /// ppoll, pselect6, epoll_pwait (Linux's set_user_sigmask): the current task runs
    /// the syscall with `mask` blocked; its own mask comes back after the handler of a
    /// signal that interrupts the syscall. Safe to call again when the syscall runs
    /// again after a sleep. A syscall that completes (not interrupted) calls
    /// [`Kernel::restore_syscall_sigmask`] before returning.
    pub(crate) fn set_syscall_sigmask(&mut self, mask: SigSet) {
        let tid = self.current;
        let Some(t) = self.tasks.get_mut(&tid) else {
            return;
        };
        if t.sig.saved_mask.is_none() {
            t.sig.saved_mask = Some(t.sig.blocked);
        }
        self.set_blocked(tid, mask);
    }

    /// The mask set by [`Kernel::set_syscall_sigmask`] is dropped: the syscall
    /// completed, and signals it unblocked only for its wait stay pending.
    pub(crate) fn restore_syscall_sigmask(&mut self) {
        let tid = self.current;
        let saved = self
            .tasks
            .get_mut(&tid)
            .and_then(|t| t.sig.saved_mask.take());
        if let Some(m) = saved {
            self.set_blocked(tid, m);
        }
    }

    /// Emit a "signal" kernel-trace record.
    pub(crate) fn trace_signal(&mut self, sig: i32, from: i32, to: Pid, action: &str) {
        if self.ktrace.is_none() {
            return;
        }
        use crate::ktrace::Val;
        self.trace(
            "signal",
            vec![
                ("sig", Val::from(name(sig))),
                ("from", Val::from(from)),
                ("to", Val::from(to.0)),
                ("action", Val::from(action)),
            ],
        );
    }

    /// Terminate process `tgid` by `sig` (Linux's do_group_exit with a signal). A core
    /// is "dumped" (the wait status' core bit) only when RLIMIT_CORE allows one, as
    /// Linux reports it only when one was written; puffer writes no file.
    fn kill_by_signal(&mut self, tgid: Pid, sig: i32) {
        let core = default_action(sig) == DefaultAction::Core
            && self.procs.get(&tgid).is_some_and(|p| p.rlimits[4].0 != 0);
        self.exit_process(tgid, ExitStatus::Signaled { sig, core });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_signal_prefers_synchronous_then_lowest() {
        let mut p = SigPending::default();
        p.push(SigInfo::new(SIGUSR2, 0)).unwrap();
        p.push(SigInfo::new(SIGSEGV, 0)).unwrap();
        p.push(SigInfo::new(SIGHUP, 0)).unwrap();
        assert_eq!(p.next(0), Some(SIGSEGV));
        assert_eq!(p.next(bit(SIGSEGV)), Some(SIGHUP));
        assert_eq!(p.next(bit(SIGSEGV) | bit(SIGHUP) | bit(SIGUSR2)), None);
    }

    #[test]
    fn realtime_signals_queue() {
        let mut p = SigPending::default();
        for v in 0..3 {
            let mut i = SigInfo::new(40, SI_QUEUE);
            i.put_i32(24, v);
            p.push(i).unwrap();
        }
        for v in 0..3 {
            assert!(p.contains(40));
            assert_eq!(p.take(40).i32_at(24), v);
        }
        assert!(!p.contains(40));
    }

    #[test]
    fn default_actions() {
        assert_eq!(default_action(SIGSEGV), DefaultAction::Core);
        assert_eq!(default_action(SIGCHLD), DefaultAction::Ignore);
        assert_eq!(default_action(SIGTSTP), DefaultAction::Stop);
        assert_eq!(default_action(SIGRTMIN + 3), DefaultAction::Term);
        assert_eq!(name(SIGRTMIN + 3), "SIGRT35");
    }
}
