//! Checkpoint mode (`--sync syscall`): both sides run freely from syscall to syscall
//! and are compared at each syscall entry; a divergence is localized by re-running
//! both to the last agreeing syscall and going on in lockstep.

use super::hostsys::outgoing_ranges;
use super::native::Stop;
use super::report::{Compared, AF, COMPARED_FLAGS};
use super::threads::TState;
use super::{status_of, DiffArgs, Flow, Session};
use iced_x86::Mnemonic;
use puffer_cpu::{reg, Trap};
use puffer_kernel::trace::syscall_name;
use puffer_kernel::{DiffStop, ExitStatus, RunTo};
use std::process::ExitCode;

/// What one checkpoint found.
pub(super) enum Cp {
    Go,
    End(ExitCode),
    /// The sides differ at the entry of syscall number `Session::syscalls`.
    Diverged(String),
}

/// Run `s` in checkpoint mode (after its lockstep prefix) to the end.
pub fn run(a: &DiffArgs, mut s: Session) -> Result<ExitCode, String> {
    // Lockstep follows one thread: a second one ends the prefix.
    while s.compared < a.step_first && s.threads.len() == 1 {
        if let Flow::End(c) = s.step_once()? {
            return Ok(c);
        }
    }
    s.set_planted(true)?;
    loop {
        match s.checkpoint_once(a)? {
            Cp::Go => {}
            Cp::End(c) => return Ok(c),
            Cp::Diverged(report) => {
                let upto = s.syscalls;
                let from = s.localize_from.unwrap_or(upto);
                let sched = std::mem::take(&mut s.sched);
                drop(s);
                return localize(a, from, upto, &report, sched);
            }
        }
    }
}

/// Re-run both sides to syscall `from` (the last one where they agreed: for a
/// difference in memory, the last memory comparison that agreed) and compare from
/// there in lockstep, every thread up to each of its syscalls, through syscall
/// `upto` (where the checkpoint saw the difference); print the first differing
/// instruction, or the checkpoint's report when no instruction differs (a
/// difference only in memory that no register shows).
fn localize(
    a: &DiffArgs,
    from: u64,
    upto: u64,
    report: &str,
    sched: Vec<super::threads::Seg>,
) -> Result<ExitCode, String> {
    println!(
        "difftest: checkpoint: {}\ndifftest: localizing: re-running both to syscall #{from} and comparing from there in lockstep",
        report.trim_start_matches("difftest: ")
    );
    let limit = a.localize_timeout;
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(limit));
        // (The native processes die with difftest: PTRACE_O_EXITKILL.)
        println!(
            "difftest: DIVERGENCE (as the checkpoint above reports; localizing it did not finish in {limit} s)"
        );
        std::process::exit(1);
    });
    let mut s = Session::start(a, true)?;
    // Threads run in the order the first run ran them.
    s.replay = Some((sched, 0));
    while s.compared < a.step_first && s.threads.len() == 1 {
        if let Flow::End(_) = s.step_once()? {
            println!("difftest: DIVERGENCE (the re-run ended in its lockstep prefix)\n{report}");
            return Ok(ExitCode::from(1));
        }
    }
    s.set_planted(true)?;
    while s.syscalls < from {
        match s.checkpoint_once(a)? {
            Cp::Go => {}
            _ => {
                println!("difftest: DIVERGENCE (the re-run went differently before syscall #{from})\n{report}");
                return Ok(ExitCode::from(1));
            }
        }
    }
    s.set_planted(false)?;
    s.quiet = false;
    s.pending = Some(report.to_string());
    s.segments_in_lockstep = true;
    while s.syscalls <= upto {
        match s.checkpoint_once(a)? {
            Cp::Go => {}
            Cp::End(c) => return Ok(c),
            Cp::Diverged(again) => {
                println!("{again}");
                println!("  (no instruction differed in lockstep from syscall #{from} to it)");
                return Ok(ExitCode::from(1));
            }
        }
    }
    println!("{report}");
    println!("  (no instruction differed in lockstep from syscall #{from} to it)");
    Ok(ExitCode::from(1))
}

/// Signals that came while the native thread finished a REP instruction besides
/// `sig`, the one it is to take there: natively they were dropped, so the two
/// sides could not take them alike.
fn only_one(sig: i32, more: &[(i32, [u8; 128])]) -> Result<(), Cp> {
    match more.first() {
        Some(&(s, _)) => Err(Cp::Diverged(format!(
            "difftest: signals {sig} and {s} from outside came while the native thread finished a REP instruction: not followed"
        ))),
        None => Ok(()),
    }
}

/// Where the native process stopped, running freely.
enum NStop {
    Syscall,
    /// At the breakpoint planted on the CPUID or RDTSC at this address.
    HostInsn(u64),
    Ended(ExitStatus),
    /// The thread's time slice ended; puffer has caught up with it.
    Preempted,
}

impl Session {
    /// Puffer to its next syscall entry or CPUID: at full speed, or a step at a
    /// time when an instruction is to be broken on purpose.
    fn puffer_to_stop(&mut self) -> Result<DiffStop, ExitStatus> {
        let r = self.puffer_to_stop_inner();
        self.take_frames(false);
        r
    }

    fn puffer_to_stop_inner(&mut self) -> Result<DiffStop, ExitStatus> {
        if !self.breaking() {
            return self.k.run_to_syscall(true);
        }
        loop {
            let rip = self.k.cpu.state.rip;
            if self
                .k
                .cpu
                .peek_insn(rip)
                .is_ok_and(|i| matches!(i.mnemonic(), Mnemonic::Cpuid | Mnemonic::Rdtsc))
            {
                return Ok(DiffStop::HostInsn);
            }
            let st = self.k.step(false)?;
            if st.trap == Trap::Syscall {
                return Ok(DiffStop::Syscall);
            }
            if st.trap == Trap::Budget {
                self.break_result(st.insn.as_ref());
            }
        }
    }

    /// The native process runs to its next syscall entry or planted CPUID. Fault
    /// signals are passed on (puffer raises its own); a signal from outside makes
    /// puffer catch up to the same point and take it too.
    fn native_to_stop(&mut self) -> Result<NStop, Cp> {
        let pending = std::mem::take(&mut self.threads[self.cur].sig);
        if self.may_preempt() {
            self.native.arm_slice(self.threads[self.cur].ntid);
        }
        let st = self.resume_with_signal(pending);
        let r = self.native_to_stop_from(st);
        self.native.disarm();
        r
    }

    fn native_to_stop_from(&mut self, mut st: Stop) -> Result<NStop, Cp> {
        // The syscall (RIP after it, number) a signal just injected interrupted.
        let mut interrupted_at: Option<(u64, u64)> = None;
        loop {
            match st {
                Stop::Syscall => return Ok(NStop::Syscall),
                Stop::Ended(x) => return Ok(NStop::Ended(status_of(x))),
                Stop::Preempted => {
                    let held = self.native.finish_rep(None).map_err(Cp::Diverged)?;
                    if let Some(&(sig, info)) = held.as_ref().and_then(|h| h.first()) {
                        // A signal came while the REP ran to its end: the stop is
                        // its delivery instead.
                        only_one(sig, &held.unwrap_or_default()[1..])?;
                        self.take_outside_signal(sig, &info, None)?;
                        self.native.set_siginfo(&info);
                        interrupted_at = None;
                        st = self.resume_with_signal(sig);
                        continue;
                    }
                    self.catch_up("is preempted (its time slice ended)")?;
                    self.sync_frames();
                    return Ok(NStop::Preempted);
                }
                Stop::Trap => {
                    interrupted_at = None;
                    let rip = self.native.regs().rip;
                    if self
                        .planted
                        .as_ref()
                        .is_some_and(|p| p.at(rip.wrapping_sub(1)).is_some())
                    {
                        return Ok(NStop::HostInsn(rip - 1));
                    }
                    // The program's own INT3 (SI_KERNEL) is its SIGTRAP to take.
                    let own = super::step::si_code(&self.native.siginfo()) == 0x80;
                    st = self.native.to_syscall(if own { libc::SIGTRAP } else { 0 });
                }
                Stop::Signal(sig) => {
                    let info = self.native.siginfo();
                    let r = self.native.regs();
                    if !super::step::is_fault(sig, &info)
                        && interrupted_at == Some((r.rip, r.orig_rax))
                        && self.interrupted_syscall().is_some()
                    {
                        // A second signal in the same get_signal loop: the host's
                        // restart of the syscall waits until every pending signal
                        // is taken, so the registers still show it interrupted.
                        // Puffer, which holds it interrupted already, queues this
                        // one too and takes both when it next runs.
                        self.k.inject_signal(&info, None);
                        self.signals += 1;
                    } else if !super::step::is_fault(sig, &info) {
                        // What an interrupted syscall wrote is part of the state to
                        // meet (puffer stands at its exit already).
                        let interrupted = self.interrupted_syscall();
                        if let Some(nr) = interrupted {
                            self.copy_interrupted_results(nr);
                            interrupted_at = Some((r.rip, nr));
                        }
                        // Taken after the REP instruction it came in the middle of,
                        // where puffer can be too (its siginfo kept for then).
                        let held = match interrupted {
                            None => self.native.finish_rep(Some(sig)).map_err(Cp::Diverged)?,
                            Some(_) => None,
                        };
                        if let Some(more) = &held {
                            only_one(sig, more)?;
                        }
                        self.take_outside_signal(sig, &info, interrupted)?;
                        if held.is_some() {
                            self.native.set_siginfo(&info);
                        }
                        st = self.resume_with_signal(sig);
                        continue;
                    }
                    st = self.native.to_syscall(sig);
                }
            }
        }
    }

    /// Resume the native thread with `sig` (0: none), a signal from outside that
    /// puffer has been given too. When puffer sets up a handler's frame for it,
    /// both sides first meet at the handler's first instruction (natively one
    /// single step, which Linux ends there, before the handler runs) and the
    /// frame's host-filled bytes are taken at once: the handler may read them
    /// (its ucontext, the FPU area) before the next checkpoint. The native thread
    /// then runs on to its next stop, which is returned.
    fn resume_with_signal(&mut self, sig: i32) -> Stop {
        if sig == 0 || !self.k.has_handler(sig) {
            return self.native.to_syscall(sig);
        }
        let before = self.frames_logged();
        // Err: puffer's process ended, which its next run reports.
        let framed = self.k.deliver_pending().is_ok() && self.frames_logged() > before;
        if !framed {
            return self.native.to_syscall(sig);
        }
        match self.native.step(sig) {
            Stop::Trap if self.native.regs().rip == self.k.cpu.state.rip => {
                self.take_frames(true);
                self.native.to_syscall(0)
            }
            // (Its frames are taken at the next checkpoint, as without the step.)
            other => other,
        }
    }

    /// Signal `sig` from outside, which the native thread stopped to take (or,
    /// moved past a REP instruction, is to take when resumed with it): puffer
    /// catches up with the thread and takes it there too. `interrupted`: the
    /// syscall it interrupted.
    fn take_outside_signal(
        &mut self,
        sig: i32,
        info: &[u8; 128],
        interrupted: Option<u64>,
    ) -> Result<(), Cp> {
        self.catch_up(&format!("takes signal {sig}"))?;
        self.sync_frames();
        self.k.inject_signal(info, interrupted);
        self.signals += 1;
        Ok(())
    }

    /// What an interrupted syscall wrote natively before it returned (nanosleep's
    /// remaining time, the time left of ppoll and pselect6, poll's revents, which
    /// Linux writes back whatever the outcome).
    pub(super) fn copy_interrupted_results(&mut self, nr: u64) {
        let a = puffer_kernel::trace::syscall_args(&self.k.cpu.state);
        let fds = a[1].min(1 << 16) * 8;
        let ranges: &[(u64, u64)] = match nr {
            35 => &[(a[1], 16)],
            230 if a[1] & 1 == 0 => &[(a[3], 16)],
            23 | 270 => &[(a[4], 16)],
            7 => &[(a[0], fds)],
            271 => &[(a[0], fds), (a[2], 16)],
            _ => &[],
        };
        for &(addr, len) in ranges {
            if addr == 0 || len == 0 {
                continue;
            }
            if let Some(b) = self.native.read(addr, len as usize) {
                let _ = self.k.copy_to_user(addr, &b);
            }
        }
    }

    /// The native process stopped to take a signal from outside, or at the end of a
    /// time slice: puffer runs (at full speed) to the same state, where it takes
    /// the signal too (or the other thread runs next): the same RIP and
    /// registers, and the same contents of the memory words that differ now (what
    /// the native process wrote since the last checkpoint, such as a spinning
    /// loop's counter in memory). A waiting loop repeats its state, so any
    /// iteration that matches is as good.
    fn catch_up(&mut self, what: &str) -> Result<(), Cp> {
        // A CPU-time timer (ITIMER_VIRTUAL, ITIMER_PROF) fires natively after some
        // tens of milliseconds of spinning: hundreds of millions of instructions.
        const LIMIT: u64 = 4_000_000_000;
        if self.threads.len() > 1 {
            // What other threads' syscalls wrote natively (a clock_gettime's
            // timespec) is to be in puffer too before the memory is compared.
            let me = self.cur;
            self.collect(false)?;
            self.switch_thread(me);
        }
        let nr = self.native.regs();
        let nx = self.native.xmm();
        let n = self.syscalls;
        // A signal taken just before (natively, the one whose handler this second
        // signal interrupts at its first instruction) is delivered first, so that
        // its frame is in puffer's memory too.
        if let Err(pst) = self.k.deliver_pending() {
            return Err(Cp::Diverged(format!(
                "difftest: DIVERGENCE after syscall #{n}: the native process {what} at rip {:#x}; puffer ended ({pst:?}) before reaching that state",
                nr.rip
            )));
        }
        self.take_frames(false);
        if self.k.cpu.state.rip == nr.rip
            && !Compared::new(&nr, &nx, &self.k.cpu.state, COMPARED_FLAGS & !AF).differs()
        {
            // Already there (the signal came as a syscall returned).
            self.adopt_af(&nr);
            return Ok(());
        }
        let words = self.differing_words(256, nr.rsp);
        if tracing::enabled!(tracing::Level::DEBUG) {
            for &(a, w) in words.iter().take(8) {
                let mut b = [0u8; 8];
                let _ = self.k.copy_from_user(a, &mut b);
                tracing::debug!(
                    "difftest: catching up ({what}) at {:#x}: {a:#x} native {:#x}, puffer {:#x}",
                    nr.rip,
                    u64::from_le_bytes(w),
                    u64::from_le_bytes(b)
                );
            }
        }
        // The general registers in puffer's order, for a quick first test.
        let gpr = {
            let mut s = self.k.cpu.state.clone();
            super::set_native_gprs(&mut s, &nr);
            s.gpr
        };
        let mut near = 0u64;
        let r = self.k.run_to_state(nr.rip, LIMIT, |cpu| {
            if cpu.state.gpr != gpr
                || Compared::new(&nr, &nx, &cpu.state, COMPARED_FLAGS & !AF).differs()
            {
                return false;
            }
            near += 1;
            words.iter().all(|&(a, w)| {
                let mut b = [0u8; 8];
                cpu.mmu.read_bytes(a, &mut b).is_ok() && b == w
            })
        });
        tracing::debug!("difftest: {near} register matches");
        self.take_frames(false);
        let ended = |pst: ExitStatus| {
            Cp::Diverged(format!(
                "difftest: DIVERGENCE after syscall #{n}: the native process {what} at rip {:#x}; puffer ended ({pst:?}) before reaching that state",
                nr.rip
            ))
        };
        match r {
            Ok(RunTo::Reached) => {
                self.adopt_af(&nr);
                Ok(())
            }
            Ok(RunTo::Stopped(st)) => {
                let reached = if st == DiffStop::HostInsn {
                    "a CPUID/RDTSC"
                } else {
                    "a syscall"
                };
                Err(Cp::Diverged(format!(
                    "difftest: DIVERGENCE after syscall #{n}: the native process {what} at rip {:#x}; puffer reached {reached} at {:#x} (step {}) first:\n{}",
                    nr.rip,
                    self.k.cpu.state.rip,
                    self.k.cpu.stats.retired,
                    Compared::new(&nr, &nx, &self.k.cpu.state, COMPARED_FLAGS & !AF).render()
                )))
            }
            Ok(RunTo::Limit) => Err(Cp::Diverged(format!(
                "difftest: DIVERGENCE after syscall #{n}: the native process {what} at rip {:#x}; puffer did not reach that state in {LIMIT} instructions",
                nr.rip
            ))),
            Err(pst) => Err(ended(pst)),
        }
    }

    /// AF, which the states were met without (most instructions that write it
    /// leave it undefined), as the host has it: a signal frame saves it.
    fn adopt_af(&mut self, nr: &libc::user_regs_struct) {
        let f = self.k.cpu.state.rflags();
        self.k.cpu.state.set_rflags((f & !AF) | (nr.eflags & AF));
    }

    /// Up to `max` aligned 8-byte words of writable memory whose contents differ
    /// between the two sides now, with the native contents; not counting the
    /// dead part of the stack below `rsp` (and its red zone), where old signal
    /// frames keep bytes the host fills in its own way.
    fn differing_words(&mut self, max: usize, rsp: u64) -> Vec<(u64, [u8; 8])> {
        const PAGE: usize = 4096;
        let mut out = Vec::new();
        // Bytes the two sides fill in their own ways, made equal at checkpoints
        // only: signal frames' host-specific parts, rseq's CPU fields.
        let mut skip = self.unsynced.clone();
        skip.extend(self.threads.iter().filter_map(|t| t.rseq).map(|a| (a, 32)));
        // Shared and file mappings, which children and the host change at any
        // time (puffer takes them from the host after every syscall).
        skip.extend(self.mirrored.iter().copied());
        skip.push((rsp.saturating_sub(8 << 20), (8 << 20) - 128));
        let skipped = |a: u64| skip.iter().any(|&(s, l)| a + 8 > s && a < s + l);
        let maps = self.native.maps();
        let mut pb = vec![0u8; PAGE];
        let writable =
            super::native::mappings(&maps).filter(|m| m.writable() && !m.path.starts_with("[v"));
        for (lo, hi) in writable.map(|m| (m.lo, m.hi)) {
            let mut addr = lo;
            while addr < hi && out.len() < max {
                let len = ((hi - addr) as usize).min(64 * PAGE);
                let Some(nb) = self.native.read(addr, len) else {
                    addr += len as u64;
                    continue;
                };
                for (i, np) in nb.chunks(PAGE).enumerate() {
                    let pa = addr + (i * PAGE) as u64;
                    let pb = &mut pb[..np.len()];
                    // Not present in puffer and zero natively: untouched on both.
                    let present = self.k.cpu.mmu.read_bytes(pa, pb).is_ok();
                    if !present
                        && (np.iter().all(|&b| b == 0) || self.k.copy_from_user(pa, pb).is_err())
                    {
                        continue;
                    }
                    if np == pb {
                        continue;
                    }
                    for (j, (x, y)) in np.chunks(8).zip(pb.chunks(8)).enumerate() {
                        let a = pa + 8 * j as u64;
                        if x != y && x.len() == 8 && out.len() < max && !skipped(a) {
                            let mut w = [0u8; 8];
                            w.copy_from_slice(x);
                            out.push((a, w));
                        }
                    }
                }
                addr += len as u64;
            }
        }
        out
    }

    /// Both sides are before the CPUID or RDTSC at `x`: compare, then give both
    /// puffer's CPUID answer (the native instruction never runs: RIP moves past it),
    /// or the host's RDTSC result.
    fn host_insn_checkpoint(&mut self, x: u64) -> Result<Cp, String> {
        let step = self.k.cpu.stats.retired;
        let n = self.syscalls;
        self.sync_rseq();
        self.sync_frames();
        let mut nr = self.native.regs();
        nr.rip = x;
        let c = Compared::new(
            &nr,
            &self.native.xmm(),
            &self.k.cpu.state,
            COMPARED_FLAGS & !AF,
        );
        if c.differs() {
            return Ok(Cp::Diverged(format!(
                "difftest: DIVERGENCE at the CPUID/RDTSC at {x:#x} (after syscall #{n}) at step {step}:\n{}",
                c.render()
            )));
        }
        let f = self.k.cpu.state.rflags();
        self.k.cpu.state.set_rflags((f & !AF) | (nr.eflags & AF));
        self.k
            .cpu
            .complete_host_insn()
            .map_err(|t| format!("puffer's CPUID/RDTSC at {x:#x}: {t:?}"))?;
        let rdtsc = self.planted.as_ref().and_then(|p| p.at(x)) == Some(Mnemonic::Rdtsc);
        if rdtsc {
            let st = match &self.planted {
                Some(p) => p.step_over(&mut self.native, x)?,
                None => return Err("no breakpoints".into()),
            };
            if st != Stop::Trap {
                return Err(format!("stepping over the native RDTSC at {x:#x}: {st:?}"));
            }
            let r = self.native.regs();
            let g = &mut self.k.cpu.state.gpr;
            g[reg::RAX] = r.rax;
            g[reg::RDX] = r.rdx;
        } else {
            let g = &self.k.cpu.state.gpr;
            nr.rax = g[reg::RAX];
            nr.rbx = g[reg::RBX];
            nr.rcx = g[reg::RCX];
            nr.rdx = g[reg::RDX];
            nr.rip = self.k.cpu.state.rip;
            self.native.set_regs(&nr);
        }
        self.cpuids += 1;
        Ok(Cp::Go)
    }

    fn checkpoint_once(&mut self, a: &DiffArgs) -> Result<Cp, String> {
        if self.threads.len() > 1 {
            if let Err(cp) = self.schedule() {
                return Ok(cp);
            }
        }
        if self.segments_in_lockstep {
            // Localizing: this thread's instructions up to its syscall in lockstep
            // (or as many as it ran before its time slice ended).
            loop {
                if self
                    .seg_budget
                    .is_some_and(|n| self.k.cpu.stats.retired - self.seg_start >= n)
                {
                    self.end_slice();
                    return Ok(Cp::Go);
                }
                let rip = self.k.cpu.state.rip;
                if self
                    .k
                    .cpu
                    .peek_insn(rip)
                    .is_ok_and(|i| i.mnemonic() == Mnemonic::Syscall)
                {
                    break;
                }
                if let Flow::End(c) = self.step_once()? {
                    return Ok(Cp::End(c));
                }
            }
        }
        let native = match self.native_to_stop() {
            Ok(NStop::Preempted) => {
                self.end_slice();
                return Ok(Cp::Go);
            }
            Ok(st) => st,
            Err(cp) => return Ok(cp),
        };
        let puffer = self.puffer_to_stop();
        let step = self.k.cpu.stats.retired;
        let n = self.syscalls;
        let prip = self.k.cpu.state.rip;
        let nname = |r: &libc::user_regs_struct| syscall_name(r.orig_rax).unwrap_or("?");
        let pname = syscall_name(self.k.cpu.state.gpr[reg::RAX]).unwrap_or("?");
        let puffer = match (native, puffer) {
            (NStop::Ended(nst), Err(pst)) => return Ok(flow(self.end(pst, nst))),
            (NStop::HostInsn(x), Ok(DiffStop::HostInsn)) if x == prip => {
                return self.host_insn_checkpoint(x)
            }
            (_, Ok(DiffStop::HostInsn))
                if self.planted.as_ref().is_none_or(|p| p.at(prip).is_none()) =>
            {
                return Err(format!(
                    "puffer reached a CPUID/RDTSC at {prip:#x} (step {step}) that difftest did not find in the program's code, so the native process executed it itself; cannot compare past it"
                ));
            }
            (NStop::Syscall, Ok(DiffStop::Syscall)) => Ok(()),
            (NStop::Syscall, Err(pst)) => Err(pst),
            (NStop::Ended(nst), Ok(_)) => {
                return Ok(Cp::Diverged(format!(
                    "difftest: DIVERGENCE after syscall #{n}: the native process ended ({nst:?}); puffer reached {} at step {step} (rip {prip:#x})",
                    if puffer == Ok(DiffStop::HostInsn) { "a CPUID/RDTSC".to_string() } else { format!("syscall {pname}") }
                )));
            }
            (native, puffer) => {
                let r = self.native.regs();
                let what = match native {
                    NStop::HostInsn(x) => format!("reached the CPUID/RDTSC at {x:#x}"),
                    _ => format!("made syscall {} at rip {:#x}", nname(&r), r.rip),
                };
                let pwhat = match puffer {
                    Ok(DiffStop::HostInsn) => format!("reached a CPUID/RDTSC at {prip:#x}"),
                    Ok(DiffStop::Syscall) => format!("made syscall {pname} at rip {prip:#x}"),
                    Err(pst) => format!("ended ({pst:?})"),
                };
                return Ok(Cp::Diverged(format!(
                    "difftest: DIVERGENCE after syscall #{n}: the native process {what}; puffer {pwhat} at step {step}"
                )));
            }
        };
        self.sync_rseq();
        self.sync_frames();
        if let Err(pst) = puffer {
            let r = self.native.regs();
            return Ok(Cp::Diverged(format!(
                "difftest: DIVERGENCE at syscall #{n}: puffer ended ({pst:?}) at step {step}, the native process made syscall {} at rip {:#x}",
                nname(&r),
                r.rip
            )));
        }
        // Compare at the entry. The arithmetic flags the last flag-writing
        // instruction left undefined are unknown here; AF is the one nearly every
        // logic instruction leaves so, and no code reads: it is not compared.
        let mut nr = self.native.regs();
        nr.rax = nr.orig_rax;
        let no = self.k.cpu.state.gpr[reg::RAX];
        let name = syscall_name(no).unwrap_or("?");
        // The `syscall` instruction copied RFLAGS into R11, so R11 carries that
        // uncompared AF too.
        let r11 = self.k.cpu.state.gpr[reg::R11];
        if (r11 ^ nr.r11) & !AF == 0 && (nr.r11 ^ nr.eflags) & AF == 0 {
            self.k.cpu.state.gpr[reg::R11] = nr.r11;
        }
        let c = Compared::new(
            &nr,
            &self.native.xmm(),
            &self.k.cpu.state,
            COMPARED_FLAGS & !AF,
        );
        if c.differs() {
            return Ok(Cp::Diverged(format!(
                "difftest: DIVERGENCE at the entry of syscall #{n} ({name}) at step {step}:\n{}",
                c.render()
            )));
        }
        let f = self.k.cpu.state.rflags();
        self.k.cpu.state.set_rflags((f & !AF) | (nr.eflags & AF));
        let args = puffer_kernel::trace::syscall_args(&self.k.cpu.state);
        for (addr, len) in outgoing_ranges(&self.native, no, &args) {
            let nb = self.native.read(addr, len as usize);
            let mut pb = vec![0u8; len as usize];
            let pok = self.k.copy_from_user(addr, &mut pb).is_ok();
            if nb.as_deref() != pok.then_some(&pb[..]) {
                let at = nb
                    .as_ref()
                    .and_then(|nb| nb.iter().zip(&pb).position(|(x, y)| x != y))
                    .unwrap_or(0);
                // Computed at any time since memory last agreed, by any thread.
                self.localize_from = Some(self.memory_agreed.unwrap_or(0));
                return Ok(Cp::Diverged(format!(
                    "difftest: DIVERGENCE at the entry of syscall #{n} ({name}) at step {step}: the {len} bytes it sends from {addr:#x} differ, first at offset {at}"
                )));
            }
        }
        let exiting = no == 60 || no == 231;
        if exiting || (a.digest_every > 0 && n > 0 && n.is_multiple_of(a.digest_every)) {
            let mut d = self.memory_difference(false);
            if d.is_some() && self.any_in_syscall() {
                // Another thread's syscall may have returned natively and written
                // memory whose copy into puffer waits for its exit stop.
                let me = self.cur;
                std::thread::sleep(std::time::Duration::from_millis(20));
                if let Err(cp) = self.collect(false) {
                    return Ok(cp);
                }
                self.switch_thread(me);
                d = self.memory_difference(false);
            }
            if let Some(d) = d {
                self.localize_from = Some(self.memory_agreed.unwrap_or(0));
                return Ok(Cp::Diverged(format!(
                    "difftest: DIVERGENCE in memory at the entry of syscall #{n} ({name}) at step {step}: {d}"
                )));
            }
        }
        if exiting || (a.digest_every > 0 && n > 0 && n.is_multiple_of(a.digest_every)) {
            // Memory agreed here (a difference returned above).
            self.memory_agreed = Some(n);
        }
        self.syscalls += 1;
        if self.live_threads() > 1 {
            match no {
                60 => return self.thread_exit(),
                // Those that never wait for another thread complete here.
                56 | 435 | 59 | 322 | 231 => {}
                _ => {
                    self.native.enter_syscall();
                    self.threads[self.cur].state = TState::InSyscall { no, args, step };
                    return Ok(Cp::Go);
                }
            }
        }
        // Complete it: the host's result, puffer's own state.
        match self.native.to_syscall(0) {
            Stop::Syscall => {}
            Stop::Ended(st) => {
                self.k.dispatch_syscall();
                let pst = self.puffer_end();
                return Ok(flow(self.end(pst, status_of(st))));
            }
            other => {
                return Err(format!(
                    "syscall #{n} ({name}): the native process stopped unexpectedly ({other:?})"
                ))
            }
        }
        let ret = self.native.regs().rax;
        if let Err(report) = self.complete_syscall(step, no, &args, ret) {
            return Ok(Cp::Diverged(report));
        }
        Ok(Cp::Go)
    }

    /// The first difference between the two sides' writable memory (the native
    /// process's writable mappings), if any; with `take`, instead copy every
    /// differing page from the native process into puffer.
    pub(super) fn memory_difference(&mut self, take: bool) -> Option<String> {
        const PAGE: usize = 4096;
        let maps = self.native.maps();
        let mut pb = vec![0u8; PAGE];
        for m in super::native::mappings(&maps) {
            if !m.writable() || m.path.starts_with("[v") {
                continue;
            }
            let (lo, hi, path) = (m.lo, m.hi, m.path);
            let mut addr = lo;
            while addr < hi {
                let len = ((hi - addr) as usize).min(64 * PAGE);
                let Some(nb) = self.native.read(addr, len) else {
                    addr += len as u64;
                    continue;
                };
                for (i, np) in nb.chunks(PAGE).enumerate() {
                    let pa = addr + (i * PAGE) as u64;
                    let pb = &mut pb[..np.len()];
                    if self.k.cpu.mmu.read_bytes(pa, pb).is_err() {
                        // Not present in puffer: untouched memory reads as zeros
                        // natively too; otherwise fault it in to compare.
                        if np.iter().all(|&b| b == 0) {
                            continue;
                        }
                        if self.k.copy_from_user(pa, pb).is_err() {
                            return Some(format!("{pa:#x} ({path}) is not mapped in puffer"));
                        }
                    }
                    if take {
                        if np != pb {
                            let _ = self.k.copy_to_user(pa, np);
                        }
                        continue;
                    }
                    if let Some(o) = np.iter().zip(pb.iter()).position(|(x, y)| x != y) {
                        return Some(format!(
                            "at {:#x} ({}): native {:#04x}, puffer {:#04x}",
                            pa + o as u64,
                            if path.is_empty() { "anonymous" } else { path },
                            np[o],
                            pb[o]
                        ));
                    }
                }
                addr += len as u64;
            }
        }
        None
    }
}

fn flow(f: Flow) -> Cp {
    match f {
        Flow::Go => Cp::Go,
        Flow::End(c) => Cp::End(c),
    }
}
