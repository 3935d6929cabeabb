//! puffer's kernel: a Linux-compatible kernel for guest programs, written in Rust and
//! entered when the CPU traps (`syscall`, faults). It owns tasks and processes,
//! address spaces (VMAs over page tables), the ELF loader, the VFS, and the syscall
//! table. Many guest tasks share this one host thread: the scheduler runs each for a
//! time slice of retired instructions.

pub mod debug;
mod difftest;
pub use difftest::{DiffStop, RunTo};
pub mod errno;
mod futex;
mod iowait;
pub mod ktrace;
pub mod loader;
pub mod mm;
mod proc;
mod proc_sys;
pub mod process;
pub mod random;
pub mod signal;
pub mod strace;
pub(crate) mod syscall;
pub mod task;
pub mod time;
pub mod trace;
mod uaccess;
pub mod vfs;

pub use errno::{Errno, SysResult};
pub use task::{ExitStatus, Pid};

use mm::AddressSpace;
use puffer_cpu::{Cpu, CpuState, Trap};
use puffer_mmu::Mmu;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;
use std::rc::Rc;
use task::{FsContext, Process, Task, TaskState};
use vfs::{FdTable, File, FileKind, Vfs};

/// How the kernel is set up (from the command line).
#[derive(Clone, Debug)]
pub struct Config {
    /// Guest RAM in bytes.
    pub mem: u64,
    /// The guest's "/".
    pub root: PathBuf,
    /// The guest's initial working directory (a guest path).
    pub cwd: String,
    /// Instructions per time slice.
    pub timeslice: u64,
    /// How PIDs are chosen.
    pub pid_alloc: process::pid::PidAlloc,
    /// At most this many processes may exist at once (fork then fails with EAGAIN).
    pub max_procs: usize,
    /// Bytes reserved for the FPU state in a signal frame: 512 for puffer's FXSAVE
    /// image. difftest sets the host's XSAVE size so that frames sit at the same
    /// addresses as the native process's.
    pub sigframe_fp_size: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mem: 2 << 30,
            root: PathBuf::from("/"),
            cwd: "/".into(),
            timeslice: 200_000,
            pid_alloc: process::pid::PidAlloc::Sequential,
            max_procs: 4096,
            sigframe_fp_size: signal::FPSTATE_SIZE,
        }
    }
}

/// Counters for `--stats`.
#[derive(Clone, Copy, Debug, Default)]
pub struct KernelStats {
    pub syscalls: u64,
    pub page_faults: u64,
    pub cow_copies: u64,
    pub context_switches: u64,
    /// Faults turned into signals (SIGSEGV, SIGBUS...).
    pub forced_faults: u64,
}

/// One signal frame puffer set up (for difftest).
#[derive(Clone, Copy, Debug)]
pub struct SigFrameLog {
    /// The frame's address (its return address slot).
    pub frame: u64,
    /// The fpstate's address.
    pub fpstate: u64,
    /// The signal is the CPU's exception for an instruction (a fault), not one
    /// sent from outside.
    pub fault: bool,
}

pub struct Kernel {
    pub cpu: Cpu,
    pub config: Config,
    pub vfs: Vfs,
    tasks: BTreeMap<Pid, Task>,
    procs: BTreeMap<Pid, Process>,
    runq: VecDeque<Pid>,
    /// The task whose registers are in `cpu.state` now.
    current: Pid,
    /// The current task's time slice ends when `cpu.stats.retired` reaches this.
    slice_end: u64,
    /// The last PID handed out (Linux's idr cursor).
    last_pid: i32,
    /// What a dead task's `mm` points at (never torn down).
    empty_mm: Rc<RefCell<AddressSpace>>,
    futex_waiters: Vec<futex::Waiter>,
    futex_woken: BTreeSet<Pid>,
    /// Tasks sleeping on pipes, sockets, eventfds and host descriptors.
    io: iowait::IoState,
    /// Pages of MAP_SHARED file mappings (`mm/pagecache.rs`).
    page_cache: Rc<RefCell<mm::pagecache::PageCache>>,
    /// Owners chown recorded where the host refused (vfs/owners.rs).
    owners: vfs::owners::Owners,
    /// `--ktrace`: the kernel-event trace.
    pub ktrace: Option<ktrace::Ktrace>,
    /// `--strace`: every syscall as strace prints it.
    pub strace: Option<strace::Strace>,
    /// Signal deliveries since the step observer last looked (`puffer trace`); None
    /// when nobody records them.
    pub(crate) deliveries: Option<Vec<trace::Delivery>>,
    /// Signal frames set up since the caller last looked, when Some: difftest
    /// takes the host's XSAVE bytes in them (and, for a signal from outside, the
    /// trap fields) from the native frame.
    pub sigframes: Option<Vec<SigFrameLog>>,
    /// Syscall numbers already reported as unimplemented (each is logged once).
    enosys_logged: BTreeSet<u64>,
    /// The exit status of the first process, once it has ended.
    init_exit: Option<ExitStatus>,
    pub stats: KernelStats,
    /// Kernel-wide signal bookkeeping (see `signal`).
    signals: signal::Global,
    /// The host's clocks, or the virtual clock of `--deterministic` (see `time`).
    clock: time::Clock,
}

impl Kernel {
    pub fn new(config: Config) -> Kernel {
        let mut mmu = Mmu::new(config.mem);
        let empty_mm = Rc::new(RefCell::new(
            AddressSpace::new(&mut mmu).expect("a fresh guest RAM has a free frame"),
        ));
        let mut cpu = Cpu::new(mmu);
        cpu.tsc = time::host_tsc;
        let vfs = Vfs::new(config.root.clone());
        Kernel {
            cpu,
            config,
            vfs,
            tasks: BTreeMap::new(),
            procs: BTreeMap::new(),
            runq: VecDeque::new(),
            current: Pid(0),
            slice_end: 0,
            last_pid: 0,
            empty_mm,
            futex_waiters: Vec::new(),
            futex_woken: BTreeSet::new(),
            io: iowait::IoState::default(),
            page_cache: Rc::default(),
            owners: Default::default(),
            ktrace: None,
            strace: None,
            deliveries: None,
            sigframes: None,
            enosys_logged: BTreeSet::new(),
            init_exit: None,
            stats: KernelStats::default(),
            signals: signal::Global::default(),
            clock: time::Clock::default(),
        }
    }

    /// Create the first process (PID 1) running the host file `path` with `argv` and
    /// `envp`.
    pub fn spawn_init(
        &mut self,
        path: &std::path::Path,
        argv: Vec<Vec<u8>>,
        envp: Vec<Vec<u8>>,
    ) -> Result<Pid, loader::LoadError> {
        let guest = path.to_string_lossy().into_owned();
        let (file, bytes, len) = loader::open_image(path, &guest)?;
        let exe = std::fs::canonicalize(path)
            .ok()
            .and_then(|p| self.vfs.guest_of(&p))
            .unwrap_or_else(|| guest.clone());
        self.spawn_init_image(file, &bytes, len, &guest, &exe, argv, envp)
    }

    /// Create the first process from an in-memory image (the embedded demo).
    pub fn spawn_init_bytes(
        &mut self,
        name: &str,
        bytes: Vec<u8>,
        argv: Vec<Vec<u8>>,
        envp: Vec<Vec<u8>>,
    ) -> Result<Pid, loader::LoadError> {
        let file = File::new(FileKind::Synthetic(bytes.clone()), 0, name);
        let len = bytes.len() as u64;
        self.spawn_init_image(file, &bytes, len, name, name, argv, envp)
    }

    fn spawn_init_image(
        &mut self,
        file: vfs::FileRef,
        bytes: &[u8],
        len: u64,
        execfn: &str,
        exe: &str,
        argv: Vec<Vec<u8>>,
        envp: Vec<Vec<u8>>,
    ) -> Result<Pid, loader::LoadError> {
        let params = loader::ExecParams {
            argv: &argv,
            envp: &envp,
            execfn: execfn.as_bytes(),
            hwcap: self.cpu.cpuid.leaf1_edx as u64,
            uid: current_uid(),
            gid: current_gid(),
        };
        let img = loader::load(
            &mut self.cpu.mmu,
            file,
            bytes,
            len,
            exe,
            &params,
            &self.page_cache,
        )?;
        let pid = self.alloc_pid().ok_or(loader::LoadError::NoMemory)?;
        let mut regs = CpuState::default();
        regs.rip = img.entry;
        regs.gpr[puffer_cpu::reg::RSP] = img.sp;
        let mut files = FdTable::default();
        for fd in 0..3 {
            let flags = if fd == 0 { 0 } else { vfs::file::O_WRONLY };
            files.set(
                fd,
                File::new(FileKind::HostFd(fd), flags, format!("/dev/fd/{fd}")),
                false,
            );
        }
        let task = Task {
            tid: pid,
            tgid: pid,
            state: TaskState::Runnable,
            regs,
            mm: Rc::new(RefCell::new(img.mm)),
            files: Rc::new(RefCell::new(files)),
            fs: Rc::new(RefCell::new(FsContext {
                cwd: self.config.cwd.clone(),
                umask: 0o022,
            })),
            clear_child_tid: 0,
            robust_list: (0, 0),
            rseq: (0, 0),
            comm: comm_of(execfn),
            alt_stack: (0, 0, 0),
            wait: None,
            restart_deadline: None,
            restart_block: None,
            vfork_parent: None,
            sig: signal::TaskSig::default(),
            cpu_ns: 0,
        };
        self.tasks.insert(pid, task);
        self.procs.insert(
            pid,
            Process {
                pid,
                ppid: Pid(0),
                pgid: pid,
                sid: pid,
                threads: vec![pid],
                children: vec![],
                exit: None,
                cmdline: argv
                    .iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect(),
                rlimits: syscall::default_rlimits(),
                exit_signal: 0,
                subreaper: false,
                sig: signal::ProcSig::default(),
                cpu_ns: 0,
                children_ns: 0,
            },
        );
        self.runq.push_back(pid);
        let entry = self.tasks[&pid].regs.rip;
        self.trace(
            "exec",
            vec![
                ("pid", ktrace::Val::from(pid.0)),
                ("path", ktrace::Val::from(exe)),
                (
                    "argv",
                    ktrace::Val::List(
                        argv.iter()
                            .map(|a| String::from_utf8_lossy(a).into_owned())
                            .collect(),
                    ),
                ),
                ("entry", ktrace::Val::Hex(entry)),
            ],
        );
        Ok(pid)
    }

    /// Run until the first process exits; returns its status. When it does, every
    /// other process is killed, as when a PID namespace's init dies.
    pub fn run(&mut self) -> ExitStatus {
        loop {
            let tid = match self.enter_user() {
                Ok(tid) => tid,
                Err(st) => return st,
            };
            let budget = self.slice_end.saturating_sub(self.cpu.stats.retired).max(1);
            // Host CPU time is charged per slice; virtual time by `charge_retired`.
            let t0 = (!self.clock.is_virtual()).then(crate::time::host_cpu_ns);
            let start = self.cpu.stats.retired;
            let trap = self.cpu.run(budget);
            if let Some(t0) = t0 {
                self.charge_host(tid, t0);
            }
            // ITIMER_VIRTUAL/ITIMER_PROF run on retired instructions.
            self.account_cpu_time(self.cpu.stats.retired - start);
            self.handle_trap(trap);
        }
    }

    /// Put the next task on the CPU, ready to return to user mode: scheduled, its
    /// registers and address space loaded, and its pending signals taken (which may
    /// stop or end it, and then another is picked). `run`, the tracer's `step` and
    /// the debugger's `debug_step` all start here. Err: the machine has ended — the
    /// first process's status, or SIGKILL when every task sleeps forever.
    pub(crate) fn enter_user(&mut self) -> Result<Pid, ExitStatus> {
        loop {
            if let Some(st) = self.init_exit {
                return Err(st);
            }
            let Some(tid) = self.pick_next() else {
                // A timer's signal may have ended the first process while the
                // scheduler waited for it.
                if let Some(st) = self.init_exit {
                    return Err(st);
                }
                tracing::error!("deadlock: every task is asleep with nothing to wake it");
                return Err(ExitStatus::Signaled {
                    sig: signal::SIGKILL,
                    core: false,
                });
            };
            self.switch_to(tid);
            if self.signal_return_to_user() {
                return Ok(tid);
            }
        }
    }

    /// The next task to run: the current one while its slice lasts, else round robin.
    /// With nothing runnable, sleep (the host thread) until the earliest deadline.
    fn pick_next(&mut self) -> Option<Pid> {
        let cur = self.current;
        if self
            .tasks
            .get(&cur)
            .is_some_and(|t| t.state == TaskState::Runnable)
            && self.cpu.stats.retired < self.slice_end
        {
            return Some(cur);
        }
        loop {
            self.wake_expired();
            let n = self.runq.len();
            for _ in 0..n {
                let t = self.runq.pop_front()?;
                match self.tasks.get(&t) {
                    Some(task) if task.state == TaskState::Runnable => {
                        self.runq.push_back(t);
                        self.slice_end = self.cpu.stats.retired + self.config.timeslice;
                        return Some(t);
                    }
                    Some(task) if task.state != TaskState::Zombie => self.runq.push_back(t),
                    _ => {}
                }
            }
            let next = self
                .tasks
                .values()
                .filter(|t| t.state == TaskState::Sleeping)
                .filter_map(|t| t.wait.and_then(|w| w.deadline()))
                .min();
            // Interval timers (ITIMER_REAL) wake the idle scheduler too.
            let next = signal::earliest(next, self.next_timer_deadline());
            if next.is_none() && !self.io_has_host_waits() {
                return None;
            }
            if self.clock.is_virtual() {
                // Virtual time: host descriptors are polled only now that the machine
                // is idle, so when their tasks wake does not depend on host timing
                // while others run. With none ready, time jumps to the next deadline;
                // only without one does the host block (waiting for input).
                if !self.io_wake(Some(std::time::Duration::ZERO), true) {
                    match next {
                        Some(d) if self.idle_until(d) => {}
                        _ if self.io_has_host_waits() => {
                            self.io_wake(None, true);
                        }
                        _ => return None,
                    }
                }
                continue;
            }
            // Nothing to run: block in the host until a deadline or a host descriptor
            // a task waits for.
            let now = self.mono_ns();
            let timeout = next.map(|d| {
                std::time::Duration::from_nanos(d.saturating_sub(now).min(u64::MAX as u128) as u64)
            });
            self.io_wake(timeout, true);
        }
    }

    /// Wake tasks whose sleep deadline has passed, and those whose I/O is ready (host
    /// descriptors only with host clocks: see `pick_next`).
    fn wake_expired(&mut self) {
        let poll_host = !self.clock.is_virtual();
        self.io_wake(Some(std::time::Duration::ZERO), poll_host);
        let now = self.mono_ns();
        self.run_timers(now);
        for t in self.tasks.values_mut() {
            if t.state == TaskState::Sleeping
                && t.wait.and_then(|w| w.deadline()).is_some_and(|d| d <= now)
            {
                t.state = TaskState::Runnable;
                t.wait = None;
            }
        }
    }

    /// Put `tid`'s registers and address space on the CPU.
    fn switch_to(&mut self, tid: Pid) {
        if tid == self.current {
            return;
        }
        self.stats.context_switches += 1;
        self.charge_retired();
        if let Some(old) = self.tasks.get_mut(&self.current) {
            old.regs = self.cpu.state.clone();
        }
        if let Some(new) = self.tasks.get(&tid) {
            self.cpu.state = new.regs.clone();
            let root = new.mm.borrow().root;
            self.cpu.mmu.set_cr3(root);
        }
        self.current = tid;
    }

    /// Guest RAM is exhausted (Linux's OOM killer): the process with the most resident
    /// pages is killed with SIGKILL; the faulting instruction is retried if it lives.
    fn out_of_memory(&mut self) {
        // Pages only the page cache holds go before any process does; the faulting
        // instruction then simply runs again.
        if self.page_cache.borrow_mut().shrink(&mut self.cpu.mmu) > 0 {
            return;
        }
        let mut victim: Option<(u64, Pid)> = None;
        let live: Vec<(Pid, Rc<RefCell<AddressSpace>>)> = self
            .procs
            .values()
            .filter(|p| p.exit.is_none())
            .filter_map(|p| self.tasks.get(&p.pid).map(|t| (p.pid, t.mm.clone())))
            .collect();
        for (pid, mm) in live {
            let rss = mm.borrow().resident(&mut self.cpu.mmu);
            if victim.is_none_or(|(best, _)| rss > best) {
                victim = Some((rss, pid));
            }
        }
        let Some((rss, pid)) = victim else { return };
        tracing::warn!(
            "guest RAM exhausted; killing pid {pid} ({} KiB resident)",
            rss * 4
        );
        self.exit_process(
            pid,
            ExitStatus::Signaled {
                sig: signal::SIGKILL,
                core: false,
            },
        );
    }

    /// Emit a kernel-event trace record (and a debug log line).
    pub(crate) fn trace(&mut self, event: &str, fields: Vec<(&str, ktrace::Val)>) {
        if let Some(k) = self.ktrace.as_mut() {
            k.emit(event, fields);
        }
    }

    /// End the current time slice (sched_yield, or after waking someone).
    pub(crate) fn yield_now(&mut self) {
        self.slice_end = self.cpu.stats.retired;
    }

    pub fn current_mm(&self) -> Rc<RefCell<AddressSpace>> {
        self.tasks[&self.current].mm.clone()
    }

    pub fn current_files(&self) -> Rc<RefCell<FdTable>> {
        self.tasks[&self.current].files.clone()
    }

    pub fn current_task(&self) -> &Task {
        &self.tasks[&self.current]
    }

    pub fn current_task_mut(&mut self) -> &mut Task {
        self.tasks
            .get_mut(&self.current)
            .expect("current task exists")
    }

    fn handle_trap(&mut self, trap: Trap) {
        self.charge_retired();
        match trap {
            Trap::Budget => {}
            Trap::Syscall => syscall::dispatch(self),
            // The MMU reports a non-canonical address as a page fault; the CPU's
            // exception is #GP (SIGSEGV with SI_KERNEL).
            Trap::PageFault(pf) if !signal::canonical(pf.addr.0) => {
                self.cpu_fault(Trap::GeneralProtection)
            }
            Trap::PageFault(pf) => {
                self.stats.page_faults += 1;
                let mm = self.current_mm();
                let out = mm.borrow_mut().handle_fault(&mut self.cpu.mmu, pf);
                match out {
                    mm::FaultOutcome::Paged => {}
                    mm::FaultOutcome::CowBroken { copied } => {
                        if copied {
                            self.stats.cow_copies += 1;
                        }
                        if self.ktrace.is_some() {
                            let pid = self.current_task().tgid.0;
                            self.trace(
                                "cow",
                                vec![
                                    ("pid", ktrace::Val::from(pid)),
                                    ("addr", ktrace::Val::Hex(pf.addr.0 & !0xfff)),
                                    (
                                        "action",
                                        ktrace::Val::from(if copied {
                                            "copied"
                                        } else {
                                            "taken over"
                                        }),
                                    ),
                                ],
                            );
                        }
                    }
                    mm::FaultOutcome::MapErr | mm::FaultOutcome::AccErr => {
                        tracing::debug!(
                            "SIGSEGV at {:#x} ({:?}) rip={:#x}",
                            pf.addr.0,
                            out,
                            self.cpu.state.rip
                        );
                        let code = if out == mm::FaultOutcome::MapErr {
                            signal::SEGV_MAPERR
                        } else {
                            signal::SEGV_ACCERR
                        };
                        // The frame's error code says "user mode" (bit 2), as Linux's.
                        let trap = signal::TrapInfo {
                            trapno: 14,
                            err: pf.code().bits() as u64 | 4,
                            cr2: pf.addr.0,
                        };
                        let info = signal::SigInfo::fault(signal::SIGSEGV, code, pf.addr.0);
                        self.force_fault(info, trap);
                    }
                    mm::FaultOutcome::OutOfMemory => self.out_of_memory(),
                }
            }
            Trap::InvalidOpcode => {
                // Worth a warning when it kills (a guest catching SIGILL probes on purpose).
                if !self.signal_caught(signal::SIGILL) {
                    let rip = self.cpu.state.rip;
                    match self.cpu.peek_insn(rip) {
                        Ok(i) => {
                            tracing::warn!("SIGILL: unimplemented instruction at {rip:#x}: {i}")
                        }
                        Err(_) => tracing::warn!("SIGILL: undecodable bytes at {rip:#x}"),
                    }
                }
                self.cpu_fault(trap);
            }
            Trap::DivideError
            | Trap::FloatingPoint
            | Trap::SimdFloatingPoint
            | Trap::GeneralProtection
            | Trap::Breakpoint => self.cpu_fault(trap),
            Trap::HostInsn => {
                if let Err(t) = self.cpu.complete_host_insn() {
                    self.handle_trap(t);
                }
            }
        }
    }

    pub fn stats_line(&self) -> String {
        let m = &self.cpu.mmu.stats;
        let d = &self.cpu.decode.stats;
        format!(
            "tlb hits {} misses {}, page walks {}, page faults {} (cow copies {}), decode hits {} misses {} invalidations {}, syscalls {}",
            m.tlb_hits, m.tlb_misses, m.page_walks, self.stats.page_faults, self.stats.cow_copies, d.hits, d.misses, d.invalidations, self.stats.syscalls
        )
    }
}

fn comm_of(path: &str) -> String {
    let base = path.rsplit('/').next().unwrap_or(path);
    base.chars().take(15).collect()
}

fn current_uid() -> u32 {
    // SAFETY: getuid/getgid cannot fail.
    unsafe { libc::getuid() }
}
fn current_gid() -> u32 {
    // SAFETY: as above.
    unsafe { libc::getgid() }
}
