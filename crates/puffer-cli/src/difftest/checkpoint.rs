//! Checkpoint mode (`--sync syscall`): both sides run freely from syscall to syscall
//! and are compared at each syscall entry; a divergence is localized by re-running
//! both to the last agreeing syscall and going on in lockstep.

use super::hostsys::{apply_syscall, outgoing_ranges, Applied};
use super::native::Stop;
use super::report::{Compared, AF, COMPARED_FLAGS};
use super::{status_of, DiffArgs, Flow, Session};
use iced_x86::Mnemonic;
use puffer_cpu::{reg, Trap};
use puffer_kernel::trace::syscall_name;
use puffer_kernel::ExitStatus;
use std::process::ExitCode;

/// What one checkpoint found.
enum Cp {
    Go,
    End(ExitCode),
    /// The sides differ at the entry of syscall number `Session::syscalls`.
    Diverged(String),
}

/// Run `s` in checkpoint mode (after its lockstep prefix) to the end.
pub fn run(a: &DiffArgs, mut s: Session) -> Result<ExitCode, String> {
    while s.compared < a.step_first {
        if let Flow::End(c) = s.step_once()? {
            return Ok(c);
        }
    }
    loop {
        match s.checkpoint_once(a)? {
            Cp::Go => {}
            Cp::End(c) => return Ok(c),
            Cp::Diverged(report) => return localize(a, s.syscalls, &report),
        }
    }
}

/// Re-run both sides to syscall `k` (the last agreeing one) and compare from there
/// in lockstep; print the first differing instruction, or the checkpoint's report
/// when no instruction differs before it (a difference only in memory).
fn localize(a: &DiffArgs, k: u64, report: &str) -> Result<ExitCode, String> {
    println!(
        "difftest: the sides differ at syscall #{k}; localizing: re-running both to syscall #{k} and comparing from there in lockstep"
    );
    let mut s = Session::start(a, true)?;
    while s.compared < a.step_first {
        if let Flow::End(_) = s.step_once()? {
            println!("difftest: DIVERGENCE (the re-run ended in its lockstep prefix)\n{report}");
            return Ok(ExitCode::from(1));
        }
    }
    while s.syscalls < k {
        match s.checkpoint_once(a)? {
            Cp::Go => {}
            _ => {
                println!("difftest: DIVERGENCE (the re-run went differently before syscall #{k})\n{report}");
                return Ok(ExitCode::from(1));
            }
        }
    }
    s.quiet = false;
    while s.syscalls <= k {
        if let Flow::End(c) = s.step_once()? {
            return Ok(c);
        }
    }
    println!("{report}");
    println!("  (no instruction differed in lockstep from syscall #{k} to it)");
    Ok(ExitCode::from(1))
}

impl Session {
    /// Puffer to its next syscall entry: at full speed, or a step at a time when an
    /// instruction is to be broken on purpose.
    fn puffer_to_syscall(&mut self) -> Result<(), ExitStatus> {
        if !self.break_add {
            return self.k.run_to_syscall();
        }
        loop {
            let st = self.k.step(false)?;
            if st.trap == Trap::Syscall {
                return Ok(());
            }
            if st.trap == Trap::Budget && st.insn.is_some_and(|i| i.mnemonic() == Mnemonic::Add) {
                let f = self.k.cpu.state.rflags();
                self.k.cpu.state.set_rflags(f ^ super::report::CF);
            }
        }
    }

    fn checkpoint_once(&mut self, a: &DiffArgs) -> Result<Cp, String> {
        // The native process to its next syscall entry. Signals from faults are
        // passed on: puffer raises its own.
        let mut sig = 0;
        let native_end = loop {
            match self.native.to_syscall(sig) {
                Stop::Syscall => break None,
                Stop::Ended(st) => break Some(status_of(st)),
                Stop::Signal(s) => sig = s,
                Stop::Trap => sig = 0,
            }
        };
        let puffer = self.puffer_to_syscall();
        let step = self.k.cpu.stats.retired;
        let n = self.syscalls;
        match (native_end, puffer) {
            (Some(nst), Err(pst)) => return Ok(flow(self.end(pst, nst))),
            (Some(nst), Ok(())) => {
                let nr = self.k.cpu.state.gpr[reg::RAX];
                return Ok(Cp::Diverged(format!(
                    "difftest: DIVERGENCE at syscall #{n}: the native process ended ({nst:?}), puffer made syscall {} at step {step} (rip {:#x})",
                    syscall_name(nr).unwrap_or("?"),
                    self.k.cpu.state.rip
                )));
            }
            (None, Err(pst)) => {
                let r = self.native.regs();
                return Ok(Cp::Diverged(format!(
                    "difftest: DIVERGENCE at syscall #{n}: puffer ended ({pst:?}) at step {step}, the native process made syscall {} at rip {:#x}",
                    syscall_name(r.orig_rax).unwrap_or("?"),
                    r.rip
                )));
            }
            (None, Ok(())) => {}
        }
        // Compare at the entry. The arithmetic flags the last flag-writing
        // instruction left undefined are unknown here; AF is the one nearly every
        // logic instruction leaves so, and no code reads: it is not compared.
        let mut nr = self.native.regs();
        nr.rax = nr.orig_rax;
        let no = self.k.cpu.state.gpr[reg::RAX];
        let name = syscall_name(no).unwrap_or("?");
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
                return Ok(Cp::Diverged(format!(
                    "difftest: DIVERGENCE at the entry of syscall #{n} ({name}) at step {step}: the {len} bytes it sends from {addr:#x} differ, first at offset {at}"
                )));
            }
        }
        let exiting = no == 60 || no == 231;
        if exiting || (a.digest_every > 0 && n > 0 && n % a.digest_every == 0) {
            if let Some(d) = self.memory_difference() {
                return Ok(Cp::Diverged(format!(
                    "difftest: DIVERGENCE in memory at the entry of syscall #{n} ({name}) at step {step}: {d}"
                )));
            }
        }
        if no == 59 || no == 322 {
            println!(
                "difftest: syscall #{n}: execve is not followed; stopping after {n} syscalls, no divergence"
            );
            return Ok(Cp::End(ExitCode::SUCCESS));
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
        if let Applied::Fork = apply_syscall(&self.native, &mut self.k, no, &args, ret) {
            self.note_fork(step, no);
        }
        self.syscalls += 1;
        Ok(Cp::Go)
    }

    /// The first difference between the two sides' writable memory (the native
    /// process's writable mappings), if any.
    fn memory_difference(&mut self) -> Option<String> {
        const PAGE: usize = 4096;
        let maps = self.native.maps();
        let mut pb = vec![0u8; PAGE];
        for line in maps.lines() {
            let mut f = line.split_whitespace();
            let (Some(range), Some(perms)) = (f.next(), f.next()) else {
                continue;
            };
            let path = f.nth(3).unwrap_or("");
            if perms.as_bytes().get(1) != Some(&b'w') || path.starts_with("[v") {
                continue;
            }
            let Some((lo, hi)) = range.split_once('-') else {
                continue;
            };
            let (Ok(lo), Ok(hi)) = (u64::from_str_radix(lo, 16), u64::from_str_radix(hi, 16))
            else {
                continue;
            };
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
