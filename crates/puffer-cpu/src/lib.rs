//! puffer's x86-64 user-mode CPU: architectural state, instruction semantics over
//! `iced_x86::Instruction`, and a decoded-block cache.
//!
//! The CPU knows nothing of processes or syscalls. [`Cpu::run`] executes until the
//! instruction budget runs out or something needs the kernel, and says why as a
//! [`Trap`] value: a `syscall`, or an exception (#PF with its address and error code,
//! #UD, #DE, #GP, #BP...). Exceptions are never unwound through the host: a guest
//! that divides by zero gets a `Trap::DivideError`, and the kernel turns it into SIGFPE.

pub mod decode;
mod dispatch;
mod exec;
pub mod flags;
mod operand;
pub mod state;
pub mod stepdigest;

pub use decode::DecodeStats;

/// x87 helpers for debuggers, traces and signal frames.
pub mod fpu {
    pub use crate::exec::x87::{f64_to_f80, f80_to_f64, st, status_word};
}
pub use exec::sse::mov::{fxrstor_image, fxsave_image};
pub use flags::Flags;
pub use state::{reg, CpuState, X87};

use puffer_mmu::{Mmu, PageFault};

/// Why the CPU stopped and handed control back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trap {
    /// The instruction budget ran out (a time slice ended). RIP is the next instruction.
    Budget,
    /// A `syscall` instruction: RIP is the instruction after it, RCX/R11 are set as the
    /// hardware sets them.
    Syscall,
    /// #PF: RIP is the faulting instruction, which can be restarted.
    PageFault(PageFault),
    /// #UD: the bytes at RIP are not an instruction puffer's CPU implements.
    InvalidOpcode,
    /// #DE: DIV/IDIV by zero or quotient overflow.
    DivideError,
    /// #GP(0): a privileged instruction, a non-canonical address, a misaligned SSE
    /// operand.
    GeneralProtection,
    /// #BP: INT3. RIP is the instruction after it, as the hardware leaves it.
    Breakpoint,
    /// #XM: an unmasked SIMD floating-point exception.
    SimdFloatingPoint,
    /// #MF: an unmasked x87 exception.
    FloatingPoint,
    /// Not an exception: a CPUID or RDTSC while [`Cpu::host_exit`] is set, before it
    /// executes (RIP points at it), like a hypervisor's exit. difftest uses it to meet
    /// the native process at the same instruction: CPUID answers as puffer's model,
    /// RDTSC as the host's clock.
    HostInsn,
}

// Every handler returns this; at 16 bytes it comes back in two registers.
const _: () = assert!(std::mem::size_of::<Result<(), Trap>>() <= 16);

impl From<PageFault> for Trap {
    #[inline(always)]
    fn from(pf: PageFault) -> Trap {
        Trap::PageFault(pf)
    }
}

/// Counters for `puffer run --stats`.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuStats {
    pub retired: u64,
}

/// The CPU: the state of the task now running, the MMU it accesses memory through,
/// and the decode cache (shared by all tasks: it is keyed by physical address).
pub struct Cpu {
    pub state: CpuState,
    pub mmu: Mmu,
    pub decode: decode::DecodeCache,
    pub stats: CpuStats,
    /// CPUID leaf values depend on the kernel's idea of the machine; the defaults
    /// describe an x86-64 baseline CPU (SSE2, no AVX).
    pub cpuid: exec::misc::CpuidModel,
    /// A monotonically increasing time-stamp counter source for RDTSC.
    pub tsc: fn(&Cpu) -> u64,
    /// For a `tsc` source computed from `stats.retired`: what to add to it (a
    /// virtual clock keeps its jumps over idle time here). Unused by the default.
    pub tsc_offset: u64,
    /// Stop before every CPUID and RDTSC with [`Trap::HostInsn`] instead of
    /// executing it.
    pub host_exit: bool,
}

fn default_tsc(cpu: &Cpu) -> u64 {
    cpu.stats.retired
}

impl Cpu {
    pub fn new(mmu: Mmu) -> Cpu {
        Cpu {
            state: CpuState::default(),
            mmu,
            decode: decode::DecodeCache::new(),
            stats: CpuStats::default(),
            cpuid: exec::misc::CpuidModel::default(),
            tsc: default_tsc,
            tsc_offset: 0,
            host_exit: false,
        }
    }

    /// Execute instructions until `budget` have retired or a trap occurs. A budget
    /// of 1 single-steps (traces and debuggers use that).
    pub fn run(&mut self, budget: u64) -> Trap {
        self.run_inner::<false>(budget, 0)
    }

    /// As [`Cpu::run`], but also stop (with [`Trap::Budget`], RIP = `watch`) before
    /// executing an instruction at `watch`, other than the first one: difftest
    /// runs puffer at full speed to where the host took an asynchronous signal.
    pub fn run_until(&mut self, budget: u64, watch: u64) -> Trap {
        self.run_inner::<true>(budget, watch)
    }

    /// The interpreter loop; with `WATCH` false (every ordinary run) the watch
    /// test is compiled out.
    #[inline(always)]
    fn run_inner<const WATCH: bool>(&mut self, budget: u64, watch: u64) -> Trap {
        let start = self.stats.retired;
        let limit = self.stats.retired.saturating_add(budget);
        'lookup: loop {
            if self.stats.retired >= limit {
                return Trap::Budget;
            }
            let mut block = match self.decode.lookup(&mut self.mmu, self.state.rip) {
                Ok(b) => b,
                Err(t) => return t,
            };
            loop {
                let remaining = limit - self.stats.retired;
                let n = block.insns.len().min(remaining as usize);
                // Only control transfers end a block, so RIP needs storing just once:
                // before the last instruction that runs (a branch overwrites it).
                // Handlers use the instruction's own IP, never `state.rip`.
                self.state.rip = block.insns[n - 1].insn.next_ip();
                for (k, d) in block.insns[..n].iter().enumerate() {
                    if WATCH && d.insn.ip() == watch && self.stats.retired + k as u64 != start {
                        self.stats.retired += k as u64;
                        self.state.rip = watch;
                        return Trap::Budget;
                    }
                    if let Err(t) = (d.handler)(self, &d.insn) {
                        self.stats.retired += k as u64;
                        match t {
                            // Traps: the instruction completed; RIP is the next one.
                            Trap::Syscall | Trap::Breakpoint => {
                                self.stats.retired += 1;
                                self.state.rip = d.insn.next_ip();
                            }
                            // Faults: RIP points at the faulting instruction.
                            _ => self.state.rip = d.insn.ip(),
                        }
                        self.sync_code();
                        return t;
                    }
                    if self.mmu.has_code_dirty() {
                        // The instruction wrote to a page holding decoded code (maybe
                        // this very block): drop stale blocks and fetch afresh.
                        self.stats.retired += k as u64 + 1;
                        if k + 1 < n {
                            self.state.rip = d.insn.next_ip();
                        }
                        self.sync_code();
                        continue 'lookup;
                    }
                }
                // Retired counts are kept per block; only a trap needs the position.
                self.stats.retired += n as u64;
                if self.stats.retired >= limit {
                    return Trap::Budget;
                }
                let rip = self.state.rip;
                let next = match block.successor(rip) {
                    Some(b) => b,
                    None => match self.decode.lookup(&mut self.mmu, rip) {
                        Ok(b) => {
                            block.link(&b);
                            b
                        }
                        Err(t) => return t,
                    },
                };
                block = next;
            }
        }
    }

    /// Drop decoded blocks of frames that were written to or freed.
    pub fn sync_code(&mut self) {
        if let Some(frames) = self.mmu.take_code_dirty() {
            self.decode.invalidate_frames(&frames);
        }
    }

    /// Execute the CPUID or RDTSC at RIP that stopped the CPU with
    /// [`Trap::HostInsn`], and retire it.
    pub fn complete_host_insn(&mut self) -> Result<(), Trap> {
        let i = self.peek_insn(self.state.rip)?;
        let saved = std::mem::replace(&mut self.host_exit, false);
        let r = match i.mnemonic() {
            iced_x86::Mnemonic::Rdtsc => exec::misc::rdtsc(self, &i),
            _ => exec::misc::cpuid(self, &i),
        };
        self.host_exit = saved;
        r?;
        self.state.rip = i.next_ip();
        self.stats.retired += 1;
        Ok(())
    }

    /// Decode the instruction at `rip` without executing it (for traces and
    /// debuggers). Goes through the fetch path, so it can fault.
    pub fn peek_insn(&mut self, rip: u64) -> Result<iced_x86::Instruction, Trap> {
        let mut buf = [0u8; 15];
        let mut n = 0;
        while n < 15 {
            if self
                .mmu
                .fetch_bytes(rip + n as u64, &mut buf[n..n + 1])
                .is_err()
            {
                break;
            }
            n += 1;
        }
        let mut dec =
            iced_x86::Decoder::with_ip(64, &buf[..n], rip, iced_x86::DecoderOptions::NONE);
        let insn = dec.decode();
        if insn.is_invalid() {
            return Err(Trap::InvalidOpcode);
        }
        Ok(insn)
    }
}

#[cfg(test)]
mod tests;
