//! `puffer difftest`: run a program natively under ptrace and in puffer, from the
//! same initial memory and registers, and compare them.
//!
//! Two ways to keep the sides in sync (`--sync`):
//! - `step` (default): lockstep, comparing RIP, the general registers, the defined
//!   arithmetic flags and the XMM registers after every instruction.
//! - `syscall`: checkpoints. The native process runs freely to its next syscall
//!   (PTRACE_SYSCALL) and puffer at full speed to its next; they are compared at
//!   every syscall entry (registers, the bytes the syscall sends out of the process)
//!   and, every so often and at exit, over all writable memory. A divergence is then
//!   localized: both are re-run from the start to the last syscall where they agreed
//!   and from there in lockstep to the first differing instruction.
//!   CPUID and RDTSC in the program's code get breakpoints (`planted`), so the
//!   native side still sees puffer's CPU model and puffer the host's TSC.
//!
//! The host is authoritative for what is host-specific (see `hostsys`): syscall
//! results and the memory syscalls write are copied into puffer. Only the first
//! process is followed: at fork the child runs natively untraced and not in puffer
//! (after a vfork, and at every syscall for MAP_SHARED and file mappings, the
//! memory such a child can write is copied from the host). An execve is followed:
//! both sides load the new program and start it from the host's initial stack.
//!
//! Threads are followed (`threads`): from the second thread on, difftest compares
//! at syscalls and runs one thread at a time on both sides, the same one, from
//! one syscall (or CPUID) to the next, round robin; a syscall that may block is
//! left running natively in the kernel while the others go on, and its result
//! is taken when it comes.
//!
//! Both difftest and the native process are pinned to the CPU difftest starts on:
//! a ptrace stop crossing CPUs costs about three times as much.

mod checkpoint;
mod hostsys;
mod native;
mod planted;
mod report;
mod step;
mod threads;

use crate::trace::{reg_values, Disasm};
use native::Native;
use puffer_cpu::reg;
use puffer_kernel::{ExitStatus, Kernel};
use report::Hist;
use std::collections::VecDeque;
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Sync {
    /// After every instruction.
    Step,
    /// At every syscall (and memory digests), localizing a divergence by lockstep.
    Syscall,
}

#[derive(clap::Args, Clone)]
pub struct DiffArgs {
    /// Test switch: make one instruction compute a wrong result in puffer (`add`:
    /// a flipped carry flag; any other mnemonic: bit 0 of its first operand's
    /// register flipped afterwards), to check that difftest catches it.
    #[arg(long, hide = true)]
    break_insn: Option<String>,
    /// Test switch: break it only in the Nth thread the program creates (1: the
    /// first one after the main thread).
    #[arg(long, hide = true, value_name = "N")]
    break_thread: Option<usize>,
    /// When to compare: after every instruction, or at syscalls.
    #[arg(long, value_enum, default_value = "step")]
    sync: Sync,
    /// With `--sync syscall`: compare the first N instructions in lockstep first.
    #[arg(long, default_value_t = 0, value_name = "N")]
    step_first: u64,
    /// With `--sync syscall`: compare all writable memory every N syscalls (and at
    /// exit); 0: only at exit.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    digest_every: u64,
    /// With `--sync syscall`: give up localizing a divergence a checkpoint saw
    /// after this many seconds (its report stands; exit status 1). A re-run can
    /// go differently from the first run where the host decides (which thread a
    /// signal wakes, when a child ends) and then wait for something that does
    /// not come.
    #[arg(long, default_value_t = 600, value_name = "SECS")]
    pub localize_timeout: u64,
    /// Stop (successfully) after comparing this many instructions in lockstep.
    #[arg(long)]
    max_steps: Option<u64>,
    /// Debugging aid: in lockstep, also compare the 8 bytes at this address after
    /// every instruction.
    #[arg(long, hide = true, value_parser = parse_hex)]
    watch: Option<u64>,
    /// Guest RAM for puffer.
    #[arg(long, default_value = "2G", value_parser = crate::parse_size)]
    mem: u64,
    /// The program.
    elf: std::path::PathBuf,
    /// Its arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<std::ffi::OsString>,
}

const STACK_TOP: u64 = 0x7fff_ffff_f000;
const AT_IGNORE: u64 = 1;
const AT_SYSINFO_EHDR: u64 = 33;

fn parse_hex(s: &str) -> Result<u64, String> {
    u64::from_str_radix(s.trim_start_matches("0x"), 16).map_err(|e| e.to_string())
}

pub fn main(a: DiffArgs) -> ExitCode {
    match run(&a) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("puffer difftest: {e}");
            ExitCode::from(2)
        }
    }
}

/// What one step of either mode leads to.
pub enum Flow {
    /// Go on comparing.
    Go,
    /// The comparison is over, with this exit code (1: a divergence was printed).
    End(ExitCode),
}

/// Both sides of one comparison.
pub struct Session {
    native: Native,
    k: Kernel,
    break_insn: Option<iced_x86::Mnemonic>,
    break_thread: Option<usize>,
    dis: Disasm,
    /// The last few instructions compared in lockstep.
    hist: VecDeque<Hist>,
    /// Instructions compared in lockstep.
    compared: u64,
    /// Syscalls completed on both sides.
    syscalls: u64,
    /// CPUIDs and RDTSCs compared in checkpoint mode (lockstep counts them as
    /// instructions).
    cpuids: u64,
    /// Signals from outside the program (timers, other processes) both sides took.
    signals: u64,
    /// Successful execves followed.
    execs: u64,
    /// Checkpoint mode's breakpoints on the program's CPUIDs and RDTSCs.
    planted: Option<planted::Planted>,
    /// The host's size of a signal frame's FPU state (its XSAVE area).
    fp_size: u64,
    /// Bytes of signal frames set up since the last checkpoint that the host
    /// fills in its own way (the XSAVE area beyond the FXSAVE image, uc_flags), as
    /// (start, length): copied from the native frames at the next checkpoint.
    unsynced: Vec<(u64, u64)>,
    noted_fork: bool,
    /// Has it said that a child is held still (see `Native::hold_child`)?
    noted_held: bool,
    /// The program's mappings of files and MAP_SHARED ones (see `sync_mirrored`).
    mirrored: Vec<(u64, u64)>,
    /// Has the program mapped memory MAP_SHARED and writable? Its children,
    /// which can write there, are then held still while it runs (`hold_child`).
    shares_writable: bool,
    /// The program's threads (the first one first), each on both sides.
    threads: Vec<threads::Th>,
    /// The one that runs now (`threads[cur]`).
    cur: usize,
    /// Which thread each scheduling decision picked, for a localizing re-run to
    /// replay (`replay`: the decisions and how many are taken).
    sched: Vec<threads::Seg>,
    replay: Option<(Vec<threads::Seg>, usize)>,
    /// Puffer's instruction count when the current thread's segment began, and,
    /// replaying one that ended at a time slice, how many instructions it ran.
    seg_start: u64,
    seg_budget: Option<u64>,
    /// Is the current segment one the first run picked (a localizing re-run)?
    seg_replayed: bool,
    /// Segments that ended at a time slice.
    slices: u64,
    /// The syscall at whose entry all memory last compared equal (a localizing
    /// re-run starts there after a difference in memory).
    memory_agreed: Option<u64>,
    /// Where a localizing re-run starts comparing in lockstep, when not at the
    /// syscall before the difference (a difference in memory).
    localize_from: Option<u64>,
    /// Localizing: each thread's run to its next syscall goes in lockstep.
    segments_in_lockstep: bool,
    /// A difference a checkpoint saw that lockstep did not pin on an instruction:
    /// reported if the re-run ends without finding one.
    pending: Option<String>,
    watch: Option<u64>,
    /// A signal from outside that arrived in the middle of a REP instruction, held
    /// back natively until the instruction is done.
    /// (Several: a timer can fire many times during one long REP, single-stepped
    /// an iteration at a time.)
    deferred: Vec<(i32, [u8; 128])>,
    /// No progress notes (a localizing re-run).
    quiet: bool,
}

fn status_of(st: i32) -> ExitStatus {
    if libc::WIFEXITED(st) {
        ExitStatus::Exited(libc::WEXITSTATUS(st))
    } else {
        ExitStatus::Signaled {
            sig: libc::WTERMSIG(st),
            core: false,
        }
    }
}

impl Session {
    /// Start the program on both sides, with the same initial stack and registers.
    fn start(a: &DiffArgs, quiet: bool) -> Result<Session, String> {
        let native = Native::spawn(&a.elf, &a.args)?;
        let mut k = crate::trace::spawn(a.mem, &a.elf, &a.args)?;
        if !k.load_next() {
            return Err("puffer has no task to run".into());
        }
        sync_initial(&native, &mut k)?;
        let fp_size = host_fp_size();
        let native_pid = native.pid;
        let k_tid = k.current_ids().1;
        k.config.sigframe_fp_size = fp_size;
        k.sigframes = Some(Vec::new());
        Ok(Session {
            native,
            k,
            break_insn: match a.break_insn.as_deref() {
                None => None,
                Some(m) => Some(
                    iced_x86::Mnemonic::values()
                        .find(|v| format!("{v:?}").eq_ignore_ascii_case(m))
                        .ok_or_else(|| format!("--break-insn: no mnemonic {m:?}"))?,
                ),
            },
            break_thread: a.break_thread,
            dis: Disasm::new(false),
            hist: VecDeque::new(),
            compared: 0,
            syscalls: 0,
            cpuids: 0,
            signals: 0,
            seg_start: 0,
            seg_budget: None,
            seg_replayed: false,
            slices: 0,
            execs: 0,
            planted: None,
            fp_size,
            unsynced: Vec::new(),
            watch: a.watch,
            deferred: Vec::new(),
            noted_fork: false,
            noted_held: false,
            mirrored: Vec::new(),
            shares_writable: false,
            threads: vec![threads::Th::first(native_pid, k_tid)],
            cur: 0,
            sched: Vec::new(),
            replay: None,
            memory_agreed: None,
            localize_from: None,
            segments_in_lockstep: false,
            pending: None,
            quiet,
        })
    }

    /// Is an instruction to be broken on purpose in the thread running now?
    fn breaking(&self) -> bool {
        self.break_insn.is_some() && self.break_thread.is_none_or(|n| n == self.cur)
    }

    /// After puffer executed `insn`: break what it left if it is the instruction
    /// to break (see `--break-insn`).
    fn break_result(&mut self, insn: Option<&iced_x86::Instruction>) {
        let Some(i) = insn.filter(|i| self.breaking() && Some(i.mnemonic()) == self.break_insn)
        else {
            return;
        };
        if i.mnemonic() == iced_x86::Mnemonic::Add {
            let f = self.k.cpu.state.rflags();
            self.k.cpu.state.set_rflags(f ^ report::CF);
        } else if i.op_count() > 0 && i.op0_kind() == iced_x86::OpKind::Register {
            let r = i.op0_register().full_register();
            if r.is_gpr64() {
                self.k.cpu.state.gpr[r.number()] ^= 1;
            }
        }
    }

    fn note(&self, msg: std::fmt::Arguments) {
        if !self.quiet {
            println!("difftest: {msg}");
        }
    }

    /// Both sides have ended: compare how.
    fn end(&self, puffer: ExitStatus, native: ExitStatus) -> Flow {
        let compared = self.compared;
        let syscalls = self.syscalls;
        let mut cpuids = String::new();
        if self.cpuids > 0 {
            cpuids += &format!(", {} CPUID/RDTSC", self.cpuids);
        }
        if self.signals > 0 {
            cpuids += &format!(", {} signals from outside", self.signals);
        }
        if self.execs > 0 {
            cpuids += &format!(", {} execve", self.execs);
        }
        if self.slices > 0 {
            cpuids += &format!(", {} time slices", self.slices);
        }
        if let (Some(report), true) = (&self.pending, puffer == native) {
            println!("{report}");
            println!(
                "  (no instruction differed in lockstep from the last agreeing syscall to the end)"
            );
            return Flow::End(ExitCode::from(1));
        }
        if puffer != native {
            println!(
                "difftest: DIVERGENCE at the end: native {native:?}, puffer {puffer:?} (after {compared} instructions in lockstep, {syscalls} syscalls{cpuids})"
            );
            return Flow::End(ExitCode::from(1));
        }
        println!(
            "difftest: {compared} instructions compared in lockstep, {syscalls} syscalls{cpuids}, no divergence; both ended {native:?}"
        );
        Flow::End(ExitCode::SUCCESS)
    }

    /// Complete in puffer a syscall the native process has completed (see
    /// `hostsys`), and count it. Err: a divergence report.
    fn complete_syscall(
        &mut self,
        step: u64,
        no: u64,
        args: &[u64; 6],
        ret: u64,
    ) -> Result<(), String> {
        match hostsys::apply_syscall(&self.native, &mut self.k, no, args, ret) {
            hostsys::Applied::Fork => {
                let vfork = no == 58 || (no == 56 && args[0] & 0x4000 != 0);
                let held = (ret as i64) > 0
                    && !vfork
                    && (self.shares_writable || (no == 56 && args[0] & 0x100 != 0));
                if held {
                    self.native.hold_child(ret as libc::pid_t).map_err(|e| {
                        format!("difftest: step {step}: holding the new child: {e}")
                    })?;
                }
                self.note_fork(step, no, held);
                // vfork, clone(CLONE_VM|CLONE_VFORK) (posix_spawn): the child ran
                // natively in the program's own memory until it exec'd or exited,
                // and may have written there (a vfork child's variables).
                if no == 58 || (no == 56 && args[0] & 0x4100 == 0x4100) {
                    self.memory_difference(true);
                    self.k.cpu.sync_code();
                }
            }
            hostsys::Applied::Exec => return self.after_exec(step),
            hostsys::Applied::Thread(ptid) => self.new_thread(step, ret, ptid)?,
            hostsys::Applied::ThreadFailed(e) => {
                return Err(format!(
                    "difftest: DIVERGENCE at step {step}: the native process created thread {ret}; puffer's clone failed ({e})"
                ))
            }
            hostsys::Applied::Ok => {}
        }
        if no == 334 && ret == 0 {
            self.threads[self.cur].rseq = (args[2] & 1 == 0).then_some(args[0]);
        }
        // A file's or a MAP_SHARED mapping (see `sync_mirrored`).
        if no == 9 && (args[3] & 3 != 2 || args[3] & 0x20 == 0) && (ret as i64) >= 0 {
            self.mirrored.push((ret, args[1].div_ceil(4096) * 4096));
            self.shares_writable |= args[3] & 3 != 2 && args[2] & 2 != 0;
        }
        if !self.mirrored.is_empty() {
            self.sync_mirrored();
        }
        Ok(())
    }

    /// What the host writes into memory the program has mapped from a file or
    /// shared reaches puffer only from the host: children run natively only (a
    /// MAP_SHARED mapping is where they can write into the followed process), and
    /// puffer holds file mappings as anonymous memory (see `hostsys`), so writes
    /// to the file, through another mapping or write(2), show natively only. After
    /// every syscall (where the program can have synchronized with a child, or
    /// written the file), the native contents of those mappings are copied into
    /// puffer where they differ.
    fn sync_mirrored(&mut self) {
        const PAGE: u64 = 4096;
        let mut pb = vec![0u8; PAGE as usize];
        let mut perms: Option<String> = None;
        for &(lo, len) in &self.mirrored {
            let mut a = lo;
            while a < lo + len {
                let Some(nb) = self.native.read(a, PAGE as usize) else {
                    a += PAGE;
                    continue;
                };
                let same = self.k.copy_from_user(a, &mut pb).is_ok() && pb == nb;
                if !same && self.k.copy_to_user(a, &nb).is_err() {
                    // Read-only in puffer (as natively): open it for the copy.
                    let maps = perms.get_or_insert_with(|| self.native.maps());
                    let prot = prot_at(maps, a);
                    hostsys::call(&mut self.k, 10, [a, PAGE, 3, 0, 0, 0]);
                    let _ = self.k.copy_to_user(a, &nb);
                    hostsys::call(&mut self.k, 10, [a, PAGE, prot, 0, 0, 0]);
                }
                a += PAGE;
            }
        }
        self.k.cpu.sync_code();
    }

    /// Both sides have replaced the program by execve: compare where each starts
    /// the new one, then start from the same state as at the beginning (the host's
    /// initial stack and registers).
    fn after_exec(&mut self, step: u64) -> Result<(), String> {
        let execed = self.native.take_exec();
        let nr = self.native.regs();
        let ps = &self.k.cpu.state;
        if !execed || ps.rip != nr.rip || ps.gpr[reg::RAX] != 0 {
            return Err(format!(
                "difftest: DIVERGENCE at step {step}: execve: natively {}, rip {:#x}; in puffer rax {:#x}, rip {:#x}",
                if execed { "a new program" } else { "no exec event" },
                nr.rip,
                ps.gpr[reg::RAX] as i64,
                ps.rip
            ));
        }
        if self.threads.len() > 1 {
            // The other threads are gone on both sides; one that was not the
            // first took over the first one's ID on both (Linux's de_thread).
            if self.cur != 0 {
                self.note(format_args!(
                    "step {step}: execve by thread {}: it goes on as the process's only thread, with the process ID",
                    self.threads[self.cur].ntid
                ));
            }
            self.threads.truncate(1);
            self.threads[0].state = threads::TState::Ready;
            self.threads[0].ntid = self.native.pid;
            self.cur = 0;
            self.native.cur = self.native.pid;
            self.native.only_leader();
        }
        sync_initial(&self.native, &mut self.k)?;
        // The old program's breakpoints, signal frames and rseq area are gone.
        let plant = self.planted.take().is_some();
        self.unsynced.clear();
        for t in &mut self.threads {
            t.rseq = None;
        }
        self.execs += 1;
        self.note(format_args!(
            "step {step}: execve: both start the new program at {:#x}",
            nr.rip
        ));
        if plant {
            self.set_planted(true)?;
        }
        Ok(())
    }

    /// The signal frames puffer set up since the last look: their host-specific
    /// bytes are taken from the native frames. In lockstep (`now`) the native
    /// process has just set up the same frames; in checkpoint mode they are taken
    /// at the next checkpoint, where both sides stand at the same point again
    /// (`sync_frames`).
    fn take_frames(&mut self, now: bool) {
        let Some(frames) = self.k.sigframes.as_mut().map(std::mem::take) else {
            return;
        };
        for f in frames {
            tracing::debug!(
                "difftest: signal frame at {:#x}, fpstate at {:#x}",
                f.frame,
                f.fpstate
            );
            // uc_flags (UC_FP_XSTATE), the FXSAVE image's MXCSR_MASK (which MXCSR
            // bits this CPU implements) and its software-reserved bytes
            // (fpx_sw_bytes) with the XSAVE header and state after it; and the
            // x87 last-instruction fields FOP, FIP and FDP, which an Intel CPU
            // saves for every x87 instruction and an AMD one (like puffer) only
            // while an x87 exception is pending. And the image's reserved tail
            // (416..464), which no save writes: it keeps the stack's old bytes,
            // unless the host's save into the frame faulted and Linux cleared the
            // area first. That depends on the host's page tables: a page
            // copy-on-write since a fork puffer does not follow (the child is not
            // in puffer) is one puffer writes without a fault.
            let (fr, fp) = (f.frame, f.fpstate);
            self.unsynced.extend([
                (fr + 8, 8),
                (fp + 6, 18),
                (fp + 28, 4),
                (fp + 416, self.fp_size.saturating_sub(416)),
            ]);
            // A signal from outside shows the thread's last trap (err, trapno,
            // cr2), which natively is difftest's own breakpoint or single-step.
            if !f.fault {
                self.unsynced.extend([(fr + 200, 16), (fr + 224, 8)]);
            }
        }
        if now {
            self.sync_frames();
        }
    }

    /// How many signal frames puffer has set up that `take_frames` has not looked
    /// at yet: a count that grows tells that a handler is about to run.
    fn frames_logged(&self) -> usize {
        self.k.sigframes.as_ref().map_or(0, Vec::len)
    }

    /// Copy the host-specific bytes of the signal frames set up since the last
    /// checkpoint from the native process into puffer.
    fn sync_frames(&mut self) {
        for (a, len) in std::mem::take(&mut self.unsynced) {
            if let Some(b) = self.native.read(a, len as usize) {
                let _ = self.k.copy_to_user(a, &b);
            }
        }
    }

    /// Plant the CPUID breakpoints (checkpoint mode) or remove them (lockstep).
    fn set_planted(&mut self, on: bool) -> Result<(), String> {
        match (on, self.planted.take()) {
            (true, None) => {
                let p = planted::Planted::plant(&self.native)?;
                self.note(format_args!(
                    "{} CPUID and RDTSC instructions in the program's code get breakpoints",
                    p.len()
                ));
                self.planted = Some(p);
            }
            (true, Some(p)) => self.planted = Some(p),
            (false, Some(p)) => p.remove(&self.native)?,
            (false, None) => {}
        }
        Ok(())
    }

    /// Take the fields of `struct rseq` the host kernel owns (cpu_id_start, cpu_id,
    /// node_id, mm_cid): which CPU the native process runs on is host-specific.
    fn sync_rseq(&mut self) {
        for i in 0..self.threads.len() {
            let Some(a) = self.threads[i].rseq else {
                continue;
            };
            if let Some(b) = self.native.read(a, 32) {
                let _ = self.k.copy_to_user(a, &b[0..8]);
                let _ = self.k.copy_to_user(a + 24, &b[24..32]);
            }
        }
    }

    /// Puffer's status once its first process has ended (running it to its end).
    fn puffer_end(&mut self) -> ExitStatus {
        match self.k.init_exit() {
            Some(p) => p,
            None => self.k.run(),
        }
    }
}

/// The protection (PROT_*) of the native mapping holding `addr`, from
/// /proc/PID/maps text.
fn prot_at(maps: &str, addr: u64) -> u64 {
    for m in native::mappings(maps) {
        if (m.lo..m.hi).contains(&addr) {
            let p = m.perms;
            return [(b'r', 1), (b'w', 2), (b'x', 4)]
                .iter()
                .enumerate()
                .filter(|&(i, &(c, _))| p.get(i) == Some(&c))
                .map(|(_, &(_, v))| v)
                .sum();
        }
    }
    0
}

/// The size of the host kernel's signal-frame FPU area: the standard-format XSAVE
/// size of the features enabled in XCR0 except those Linux enables only on a
/// process's request (AMX tile data, XFD-armed: a frame holds it only after
/// ARCH_REQ_XCOMP_PERM), and the 4-byte FP_XSTATE_MAGIC2 after it; 512 (FXSAVE)
/// without XSAVE. CPUID 0xD.0 EBX would count the tile data too (8 KiB more on a
/// Sapphire Rapids host).
fn host_fp_size() -> u64 {
    /// XFEATURE_XTILE_DATA, Linux's only dynamically enabled feature.
    const DYNAMIC: u64 = 1 << 18;
    // CPUID is available on every x86-64 CPU.
    let leaf1 = std::arch::x86_64::__cpuid(1);
    // OSXSAVE: XGETBV is usable.
    if leaf1.ecx & (1 << 27) == 0 {
        return 512;
    }
    let (lo, hi): (u32, u32);
    // SAFETY: XGETBV(0) reads XCR0; OSXSAVE says the OS allows it.
    unsafe {
        std::arch::asm!("xgetbv", in("ecx") 0u32, out("eax") lo, out("edx") hi, options(nomem, nostack));
    }
    let xcr0 = (lo as u64 | (hi as u64) << 32) & !DYNAMIC;
    let mut end = 576u64;
    for i in 2..63 {
        if xcr0 & (1 << i) != 0 {
            let r = std::arch::x86_64::__cpuid_count(0xd, i);
            end = end.max(r.ebx as u64 + r.eax as u64);
        }
    }
    end + 4
}

/// Put the native general registers into puffer's state.
fn set_native_gprs(s: &mut puffer_cpu::CpuState, r: &libc::user_regs_struct) {
    let v = report::native_values(r);
    for (i, &g) in reg::DISPLAY_ORDER.iter().enumerate() {
        s.gpr[g] = v[i];
    }
}

/// Same initial state: hide the host's vDSO (puffer has none), then copy the host's
/// registers and whole initial stack into puffer.
fn sync_initial(native: &Native, k: &mut Kernel) -> Result<(), String> {
    let r0 = native.regs();
    let mut stack = native
        .read(r0.rsp, (STACK_TOP - r0.rsp) as usize)
        .ok_or("cannot read the native initial stack")?;
    let word = |s: &[u8], i: usize| -> u64 {
        s.get(i * 8..i * 8 + 8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
            .unwrap_or(0)
    };
    let argc = word(&stack, 0) as usize;
    let mut i = 1 + argc + 1;
    while i < stack.len() / 8 && word(&stack, i) != 0 {
        i += 1;
    }
    i += 1;
    while i + 1 < stack.len() / 8 {
        let t = word(&stack, i);
        if t == 0 {
            break;
        }
        if t == AT_SYSINFO_EHDR {
            stack[i * 8..i * 8 + 8].copy_from_slice(&AT_IGNORE.to_le_bytes());
            native.write(r0.rsp + i as u64 * 8, &AT_IGNORE.to_le_bytes())?;
        }
        i += 2;
    }
    k.copy_to_user(r0.rsp, &stack)
        .map_err(|e| format!("copying the initial stack into puffer: {e:?}"))?;
    let s = &mut k.cpu.state;
    set_native_gprs(s, &r0);
    s.rip = r0.rip;
    s.set_rflags(r0.eflags & !0x100);
    s.fs_base = r0.fs_base;
    s.gs_base = r0.gs_base;
    debug_assert_eq!(reg_values(s)[7], r0.rsp);
    Ok(())
}

fn run(a: &DiffArgs) -> Result<ExitCode, String> {
    let mut s = Session::start(a, false)?;
    let pin = match s.native.cpu {
        Some(c) => format!("pinned to CPU {c}"),
        None => "not pinned".into(),
    };
    let how = match a.sync {
        Sync::Step => "in lockstep".to_string(),
        Sync::Syscall if a.step_first > 0 => format!(
            "in lockstep for {} instructions, then at every syscall",
            a.step_first
        ),
        Sync::Syscall => "at every syscall".to_string(),
    };
    println!(
        "difftest: {} natively (pid {}) and in puffer, compared {how} ({pin}); following the first process and its threads",
        a.elf.display(),
        s.native.pid
    );
    match a.sync {
        Sync::Step => loop {
            if s.threads.len() > 1 {
                s.note(format_args!(
                    "a second thread: comparing at syscalls from here (lockstep follows one thread)"
                ));
                return checkpoint::run(a, s);
            }
            if a.max_steps.is_some_and(|m| s.compared >= m) {
                println!(
                    "difftest: stopped after {} instructions, no divergence",
                    s.compared
                );
                return Ok(ExitCode::SUCCESS);
            }
            if let Flow::End(c) = s.step_once()? {
                return Ok(c);
            }
        },
        Sync::Syscall => checkpoint::run(a, s),
    }
}
