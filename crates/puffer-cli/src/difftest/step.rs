//! Lockstep: one instruction on each side, then compare everything.

use super::hostsys::fix_after_insn;
use super::native::Stop;
use super::report::{print_hist, undefined_flags, Compared, Hist, COMPARED_FLAGS};
use super::{status_of, Flow, Session};
use crate::trace::hex_bytes;
use iced_x86::Mnemonic;
use puffer_cpu::{reg, Trap};
use puffer_kernel::trace::syscall_name;
use std::process::ExitCode;

impl Session {
    /// Execute one instruction on both sides and compare. The native side goes
    /// first: a signal the host delivers at this boundary (a timer, another
    /// process's kill, the SIGCHLD of a child) stops it before the instruction, and
    /// puffer must take the same signal here instead of executing.
    pub fn step_once(&mut self) -> Result<Flow, String> {
        if let Err(st) = self.k.deliver_pending() {
            let nst = self.native.finish(0);
            return Ok(self.end(st, status_of(nst)));
        }
        self.take_frames(true);
        if !self.deferred.is_empty() {
            let (sig, info) = self.deferred.remove(0);
            self.native.set_siginfo(&info);
            return self.take_async_step(sig, &info);
        }
        let pending = std::mem::take(&mut self.threads[self.cur].sig);
        let st = self.native.step(pending);
        if let Stop::Signal(sig) = st {
            let info = self.native.siginfo();
            if !is_fault(sig, &info) {
                return self.take_async_step(sig, &info);
            }
        }
        self.puffer_step(st)
    }

    /// A signal the native process is about to take between two instructions, in
    /// lockstep: give puffer the same, deliver it on both sides, and compare.
    fn take_async_step(&mut self, sig: i32, info: &[u8; 128]) -> Result<Flow, String> {
        let interrupted = self.interrupted_syscall();
        if interrupted.is_none() && self.completed_syscall() {
            // The step was a syscall that completed natively, and the signal (made
            // deliverable by it: an unblocking sigprocmask, a kill of itself) is
            // taken on its way out: puffer completes it first.
            if let Flow::End(c) = self.puffer_step(Stop::Trap)? {
                return Ok(Flow::End(c));
            }
        }
        if let Some(nr) = interrupted {
            self.copy_interrupted_results(nr);
        }
        self.note(format_args!(
            "step {}: the host delivers signal {sig} (si_code {}){}",
            self.k.cpu.stats.retired,
            si_code(info),
            if interrupted.is_some() {
                ", interrupting a syscall"
            } else {
                ""
            }
        ));
        self.k.inject_signal(info, interrupted);
        let rip0 = self.k.cpu.state.rip;
        let at = self.native.regs().rip;
        let mut st = self.native.step(sig);
        // More signals taken in the same get_signal loop, while the host's registers
        // still show the syscall interrupted (its restart comes after them all):
        // puffer queues them too and takes them all together.
        while let Stop::Signal(next) = st {
            let info = self.native.siginfo();
            if interrupted.is_none()
                || is_fault(next, &info)
                || self.native.regs().rip != at
                || self.interrupted_syscall().is_none()
            {
                break;
            }
            self.note(format_args!(
                "step {}: the host delivers signal {next} (si_code {}) too",
                self.k.cpu.stats.retired,
                si_code(&info)
            ));
            self.k.inject_signal(&info, None);
            st = self.native.step(next);
        }
        let frames0 = self.frames_logged();
        if let Err(pst) = self.k.deliver_pending() {
            let nst = match st {
                Stop::Ended(nst) => nst,
                _ => self.native.finish(0),
            };
            return Ok(self.end(pst, status_of(nst)));
        }
        // A handler ran if puffer set up a frame (its address alone does not tell:
        // a second signal may share the handler the first one entered).
        let framed = self.frames_logged() > frames0;
        if !framed && self.k.cpu.state.rip == rip0 {
            // No handler ran (ignored, or a restart): the native step executed the
            // next instruction; so does puffer's.
            return self.puffer_step(st);
        }
        self.take_frames(true);
        // A handler: the native process stopped at its first instruction.
        match st {
            Stop::Ended(nst) => {
                let pst = self.puffer_end();
                return Ok(self.end(pst, status_of(nst)));
            }
            Stop::Trap => {}
            other => {
                println!(
                    "difftest: DIVERGENCE at step {}: puffer entered the handler of signal {sig}; natively delivering it stopped with {other:?}",
                    self.k.cpu.stats.retired
                );
                return Ok(Flow::End(ExitCode::from(1)));
            }
        }
        let nr = self.native.regs();
        let c = Compared::new(&nr, &self.native.xmm(), &self.k.cpu.state, COMPARED_FLAGS);
        if c.differs() {
            println!(
                "difftest: DIVERGENCE at step {} entering the handler of signal {sig}:",
                self.k.cpu.stats.retired
            );
            print_hist(&self.hist);
            print!("{}", c.render());
            return Ok(Flow::End(ExitCode::from(1)));
        }
        Ok(Flow::Go)
    }

    /// Has the native process just completed the `syscall` instruction puffer
    /// stands at (it stopped for a signal on the way out)?
    fn completed_syscall(&mut self) -> bool {
        let r = self.native.regs();
        let st = &self.k.cpu.state;
        let (rip, nr) = (st.rip, st.gpr[reg::RAX]);
        let mut b = [0u8; 2];
        r.rip == rip.wrapping_add(2)
            && r.orig_rax == nr
            && self.k.copy_from_user(rip, &mut b).is_ok()
            && b == [0x0f, 0x05]
    }

    /// When the native process stops for a signal right after a syscall that
    /// returned a -ERESTART* code (the signal interrupted it): that syscall's number.
    pub fn interrupted_syscall(&self) -> Option<u64> {
        let r = self.native.regs();
        let rax = r.rax as i64;
        ((r.orig_rax as i64) >= 0 && is_restart_code(rax)).then_some(r.orig_rax)
    }

    /// Puffer executes one instruction, which the native process has executed
    /// with the outcome `st`; compare.
    fn puffer_step(&mut self, mut st: Stop) -> Result<Flow, String> {
        let s = match self.k.step(false) {
            Ok(s) => s,
            Err(pst) => {
                let nst = match st {
                    Stop::Ended(nst) => nst,
                    _ => self.native.finish(0),
                };
                return Ok(self.end(pst, status_of(nst)));
            }
        };
        self.take_frames(true);
        let asm = self.dis.format(s.insn.as_ref());
        self.hist.push_back(Hist {
            step: s.step,
            rip: s.before.rip,
            bytes: s.bytes.clone(),
            asm: asm.clone(),
        });
        if self.hist.len() > 9 {
            self.hist.pop_front();
        }
        let mnemonic = s.insn.map(|i| i.mnemonic()).unwrap_or(Mnemonic::INVALID);
        // A REP string instruction single-steps one iteration at a time natively;
        // puffer retires it whole.
        let rep = s
            .insn
            .is_some_and(|i| i.has_rep_prefix() || i.has_repne_prefix());
        loop {
            match st {
                Stop::Trap if rep && self.native.regs().rip == s.before.rip => {}
                // A signal from outside that arrived before the instruction ran (a
                // second SIGCHLD just after the first was delivered) or between two
                // iterations of a REP: puffer retires the instruction whole, so
                // the native process takes it afterwards, at the next boundary.
                Stop::Signal(sig) if self.interrupted_syscall().is_none() => {
                    let info = self.native.siginfo();
                    if is_fault(sig, &info) {
                        break;
                    }
                    // A standard signal already held back merges with it, as a
                    // second one pending would on Linux; others queue.
                    if sig >= 32 || !self.deferred.iter().any(|&(s, _)| s == sig) {
                        self.deferred.push((sig, info));
                    }
                    if self.native.regs().rip != s.before.rip {
                        // The instruction completed (a syscall) and the signal
                        // waits on its way out.
                        st = Stop::Trap;
                        break;
                    }
                }
                _ => break,
            }
            st = self.native.step(0);
        }
        let sig = match st {
            Stop::Ended(nst) => {
                // The native process ended on this instruction (exit_group).
                if s.trap == Trap::Syscall {
                    self.k.dispatch_syscall();
                }
                let pst = self.puffer_end();
                return Ok(self.end(pst, status_of(nst)));
            }
            // (No time slices in lockstep.)
            Stop::Trap | Stop::Syscall | Stop::Preempted => 0,
            Stop::Signal(sig) => sig,
        };
        if sig != 0 {
            // A native exception: puffer must have raised one too.
            if matches!(s.trap, Trap::Budget | Trap::Syscall) {
                println!(
                    "difftest: DIVERGENCE at step {}: natively {} raised signal {sig}, puffer did not",
                    s.step, asm
                );
                print_hist(&self.hist);
                return Ok(Flow::End(ExitCode::from(1)));
            }
            self.note(format_args!(
                "step {}: both raised an exception at {:#x} ({asm}): native signal {sig}, puffer {:?}",
                s.step, s.before.rip, s.trap
            ));
            // Deliver it natively (stopping at the handler's first instruction, if
            // there is one); puffer's kernel has queued its own.
            return match self.native.step(sig) {
                Stop::Ended(nst) => {
                    let pst = self.puffer_end();
                    Ok(self.end(pst, status_of(nst)))
                }
                _ if self.k.init_exit().is_some() => {
                    let pst = self.puffer_end();
                    let nst = self.native.finish(0);
                    Ok(self.end(pst, status_of(nst)))
                }
                _ => Ok(Flow::Go),
            };
        }
        let mut nr = self.native.regs();
        match s.trap {
            Trap::Syscall => {
                let no = s.before.gpr[reg::RAX];
                let args = puffer_kernel::trace::syscall_args(&s.before);
                self.syscalls += 1;
                if let Err(report) = self.complete_syscall(s.step, no, &args, nr.rax) {
                    println!("{report}");
                    print_hist(&self.hist);
                    return Ok(Flow::End(ExitCode::from(1)));
                }
            }
            Trap::Budget => {}
            _ => {
                println!(
                    "difftest: DIVERGENCE at step {}: puffer raised {:?} at {:#x} ({asm}), the native CPU did not",
                    s.step, s.trap, s.before.rip
                );
                print_hist(&self.hist);
                return Ok(Flow::End(ExitCode::from(1)));
            }
        }
        fix_after_insn(&self.native, &mut self.k, &mut nr, mnemonic);
        self.sync_rseq();
        self.break_result(s.insn.as_ref());
        let undef = undefined_flags(s.insn.as_ref());
        let c = Compared::new(
            &nr,
            &self.native.xmm(),
            &self.k.cpu.state,
            COMPARED_FLAGS & !undef,
        );
        if c.differs() {
            println!(
                "difftest: DIVERGENCE at step {} after {:#x}: {} {}",
                s.step,
                s.before.rip,
                hex_bytes(&s.bytes),
                asm
            );
            print_hist(&self.hist);
            print!("{}", c.render());
            return Ok(Flow::End(ExitCode::from(1)));
        }
        if let Some(w) = self.watch {
            let nb = self.native.read(w, 8);
            let mut pb = [0u8; 8];
            let pok = self.k.copy_from_user(w, &mut pb).is_ok();
            if nb.as_deref() != pok.then_some(&pb[..]) {
                println!(
                    "difftest: DIVERGENCE at step {} after {:#x} ({asm}, rax was {:#x}): the 8 bytes at {w:#x} differ: native {nb:x?}, puffer {pb:x?}",
                    s.step, s.before.rip, s.before.gpr[reg::RAX]
                );
                print_hist(&self.hist);
                return Ok(Flow::End(ExitCode::from(1)));
            }
        }
        // Flags the instruction left undefined: take the host's, so that a later
        // PUSHF or ADC sees the same value.
        if undef != 0 {
            let f = self.k.cpu.state.rflags();
            self.k
                .cpu
                .state
                .set_rflags((f & !undef) | (nr.eflags & undef));
        }
        self.compared += 1;
        Ok(Flow::Go)
    }

    pub fn note_fork(&mut self, step: u64, nr: u64, held: bool) {
        if !self.noted_fork || held && !self.noted_held {
            self.note(format_args!(
                "step {step}: {} — following only the first process; the child runs natively {} and not in puffer",
                syscall_name(nr).unwrap_or("clone"),
                if held {
                    "(it shares writable memory with this one: held still while this one runs its own code)"
                } else {
                    "untraced"
                }
            ));
            self.noted_fork = true;
            self.noted_held |= held;
        }
    }
}

/// Is `rax` a syscall's -ERESTARTSYS, -ERESTARTNOINTR, -ERESTARTNOHAND or
/// -ERESTART_RESTARTBLOCK: a signal interrupted it?
pub fn is_restart_code(rax: i64) -> bool {
    matches!(rax, -516 | -514 | -513 | -512)
}

/// The si_code of a siginfo.
pub fn si_code(info: &[u8; 128]) -> i32 {
    i32::from_le_bytes([info[8], info[9], info[10], info[11]])
}

/// Is this signal the CPU's exception for the instruction (which puffer raises
/// itself), rather than one sent from outside?
pub fn is_fault(sig: i32, info: &[u8; 128]) -> bool {
    si_code(info) > 0
        && matches!(
            sig,
            libc::SIGSEGV | libc::SIGBUS | libc::SIGILL | libc::SIGFPE | libc::SIGTRAP
        )
}
