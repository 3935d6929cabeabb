//! Comparing the two register sets and printing a divergence.

use crate::trace::{hex_bytes, reg_values, REG_NAMES};
use iced_x86::{Instruction, RflagsBits};
use std::collections::VecDeque;

pub const CF: u64 = 1;
pub const PF: u64 = 4;
pub const AF: u64 = 0x10;
pub const ZF: u64 = 0x40;
pub const SF: u64 = 0x80;
pub const DF: u64 = 0x400;
pub const OF: u64 = 0x800;
pub const COMPARED_FLAGS: u64 = CF | PF | AF | ZF | SF | DF | OF;

/// The flag bits an instruction leaves undefined, in RFLAGS positions.
pub fn undefined_flags(insn: Option<&Instruction>) -> u64 {
    let Some(i) = insn else { return 0 };
    let u = i.rflags_undefined();
    let mut m = 0;
    for (bit, f) in [
        (RflagsBits::CF, CF),
        (RflagsBits::PF, PF),
        (RflagsBits::AF, AF),
        (RflagsBits::ZF, ZF),
        (RflagsBits::SF, SF),
        (RflagsBits::OF, OF),
    ] {
        if u & bit != 0 {
            m |= f;
        }
    }
    m
}

/// The native registers in [`REG_NAMES`] order.
pub fn native_values(r: &libc::user_regs_struct) -> [u64; 17] {
    [
        r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp, r.rsp, r.r8, r.r9, r.r10, r.r11, r.r12,
        r.r13, r.r14, r.r15, r.eflags,
    ]
}

/// Both register sets and where they differ.
pub struct Compared {
    pub rip: (u64, u64),
    pub native: [u64; 17],
    pub puffer: [u64; 17],
    pub diff: [bool; 17],
    pub xmm: Vec<(usize, u128, u128)>,
    /// The RFLAGS bits compared.
    pub mask: u64,
}

impl Compared {
    /// Compare `nr`/`nx` (native) with puffer's `s`, RFLAGS under `mask`.
    pub fn new(
        nr: &libc::user_regs_struct,
        nx: &[u128; 16],
        s: &puffer_cpu::CpuState,
        mask: u64,
    ) -> Compared {
        let native = native_values(nr);
        let puffer = reg_values(s);
        let mut diff = [false; 17];
        for i in 0..16 {
            diff[i] = native[i] != puffer[i];
        }
        diff[16] = (native[16] & mask) != (puffer[16] & mask);
        let xmm = (0..16)
            .filter(|&i| nx[i] != s.xmm[i])
            .map(|i| (i, nx[i], s.xmm[i]))
            .collect();
        Compared {
            rip: (nr.rip, s.rip),
            native,
            puffer,
            diff,
            xmm,
            mask,
        }
    }

    pub fn differs(&self) -> bool {
        self.rip.0 != self.rip.1 || self.diff.iter().any(|&d| d) || !self.xmm.is_empty()
    }

    /// The two register sets side by side, differences marked `<<`.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let mut o = String::new();
        let _ = writeln!(o, "  {:<8} {:>18} {:>18}", "reg", "native", "puffer");
        let mark = |d: bool| if d { "  <<" } else { "" };
        let _ = writeln!(
            o,
            "  {:<8} {:>#18x} {:>#18x}{}",
            "rip",
            self.rip.0,
            self.rip.1,
            mark(self.rip.0 != self.rip.1)
        );
        for i in 0..17 {
            let _ = writeln!(
                o,
                "  {:<8} {:>#18x} {:>#18x}{}",
                REG_NAMES[i],
                self.native[i],
                self.puffer[i],
                mark(self.diff[i])
            );
        }
        if self.diff[16] {
            let _ = writeln!(o, "  (rflags compared under mask {:#x})", self.mask);
        }
        for &(i, n, p) in &self.xmm {
            let _ = writeln!(o, "  xmm{i:<5} {n:#034x} {p:#034x}  <<");
        }
        o
    }
}

/// One executed instruction, for the history printed with a divergence.
pub struct Hist {
    pub step: u64,
    pub rip: u64,
    pub bytes: Vec<u8>,
    pub asm: String,
}

pub fn print_hist(h: &VecDeque<Hist>) {
    if h.is_empty() {
        return;
    }
    println!("  the instructions up to it:");
    for e in h {
        println!(
            "  {:>10} {:#014x} {:<30} {}",
            e.step,
            e.rip,
            hex_bytes(&e.bytes),
            e.asm
        );
    }
}
