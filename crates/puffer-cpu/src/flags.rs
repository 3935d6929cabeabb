//! RFLAGS with lazily computed arithmetic flags.
//!
//! Most instructions that write CF/PF/AF/ZF/SF/OF have their flags overwritten before
//! anyone reads them, so ADD/SUB/CMP/AND/INC... only record their operands, result and
//! operation here (a few stores); a flag is computed when a Jcc, SETcc, CMOVcc, PUSHF
//! or ADC asks for it. Instructions with rarer or more intricate flag rules (shifts,
//! multiplies, bit tests) compute the flags eagerly and store them as `Op::Done`.
//!
//! Flag definitions: Intel SDM Vol. 1, 3.4.3.1 "Status Flags", and each instruction's
//! "Flags Affected" section.

pub const CF: u64 = 1 << 0;
pub const PF: u64 = 1 << 2;
pub const AF: u64 = 1 << 4;
pub const ZF: u64 = 1 << 6;
pub const SF: u64 = 1 << 7;
pub const TF: u64 = 1 << 8;
pub const IF: u64 = 1 << 9;
pub const DF: u64 = 1 << 10;
pub const OF: u64 = 1 << 11;
pub const AC: u64 = 1 << 18;
pub const ID: u64 = 1 << 21;
pub const ARITH: u64 = CF | PF | AF | ZF | SF | OF;
/// Flags user code can change with POPF (IOPL, IF, VM, RF... stay as they are).
pub const USER_WRITABLE: u64 = ARITH | TF | DF | AC | ID;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Op {
    /// The arithmetic flags are stored in `bits`.
    Done,
    /// res = a + b
    Add,
    /// res = a + b + cf_in
    Adc,
    /// res = a - b
    Sub,
    /// res = a - b - cf_in
    Sbb,
    /// AND/OR/XOR/TEST: CF = OF = 0, AF = 0.
    Logic,
    /// INC: like Add with b = 1, but CF is the preserved `cf_in`.
    Inc,
    /// DEC: like Sub with b = 1, CF preserved.
    Dec,
    /// SHL/SAL by a non-zero count `b` of `a`.
    Shl,
    /// SHR by a non-zero count `b`.
    Shr,
    /// SAR by a non-zero count `b`.
    Sar,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flags {
    op: Op,
    /// Operand size in bits (8, 16, 32, 64).
    bits: u8,
    cf_in: bool,
    a: u64,
    b: u64,
    res: u64,
    /// Non-arithmetic bits (DF, TF, AC, ID, IF, bit 1) and, when `op == Done`, the
    /// arithmetic ones.
    other: u64,
}

impl Default for Flags {
    fn default() -> Self {
        Flags {
            op: Op::Done,
            bits: 64,
            cf_in: false,
            a: 0,
            b: 0,
            res: 0,
            other: 0x202,
        }
    }
}

#[inline(always)]
fn mask(bits: u8) -> u64 {
    u64::MAX >> (64 - bits as u32)
}

#[inline(always)]
fn parity(v: u64) -> bool {
    (v as u8).count_ones() & 1 == 0
}

impl Flags {
    /// Record an arithmetic result for lazy evaluation. `bits` is the operand size.
    #[inline(always)]
    pub fn set_lazy(&mut self, op: Op, bits: u8, a: u64, b: u64, res: u64) {
        self.op = op;
        self.bits = bits;
        self.a = a;
        self.b = b;
        self.res = res;
    }

    /// ADC/SBB: the carry-in participates in CF.
    #[inline(always)]
    pub fn set_lazy_carry(&mut self, op: Op, bits: u8, a: u64, b: u64, res: u64, cf_in: bool) {
        self.set_lazy(op, bits, a, b, res);
        self.cf_in = cf_in;
    }

    /// INC/DEC keep CF: capture it before replacing the lazy state.
    #[inline(always)]
    pub fn set_incdec(&mut self, inc: bool, bits: u8, a: u64, res: u64) {
        let cf = self.cf();
        self.cf_in = cf;
        self.set_lazy(if inc { Op::Inc } else { Op::Dec }, bits, a, 1, res);
    }

    #[inline(always)]
    pub fn set_logic(&mut self, bits: u8, res: u64) {
        self.set_lazy(Op::Logic, bits, 0, 0, res);
    }

    /// Store eagerly computed arithmetic flags (only the ARITH bits of `f` are used).
    /// All six are replaced, so the pending lazy state needs no evaluation.
    #[inline(always)]
    pub fn set_arith(&mut self, f: u64) {
        self.op = Op::Done;
        self.other = (self.other & !ARITH) | (f & ARITH);
    }

    /// Change some arithmetic flags and keep the others.
    pub fn update_arith(&mut self, clear: u64, set: u64) {
        let cur = self.arith();
        self.set_arith((cur & !clear) | set);
    }

    /// The arithmetic flags as RFLAGS bits.
    #[inline]
    pub fn arith(&self) -> u64 {
        if self.op == Op::Done {
            self.other & ARITH
        } else {
            self.compute_arith()
        }
    }

    fn compute_arith(&self) -> u64 {
        let mut f = 0;
        if self.cf() {
            f |= CF;
        }
        if self.pf() {
            f |= PF;
        }
        if self.af() {
            f |= AF;
        }
        if self.zf() {
            f |= ZF;
        }
        if self.sf() {
            f |= SF;
        }
        if self.of() {
            f |= OF;
        }
        f
    }

    /// The whole RFLAGS value.
    pub fn get(&self) -> u64 {
        (self.other & !ARITH) | self.arith() | 2
    }

    /// Load RFLAGS (POPF, SAHF, sigreturn).
    pub fn set(&mut self, v: u64) {
        self.op = Op::Done;
        self.other = v | 2;
    }

    #[inline(always)]
    pub fn cf(&self) -> bool {
        let m = mask(self.bits);
        let (a, b, r) = (self.a & m, self.b & m, self.res & m);
        match self.op {
            Op::Done => self.other & CF != 0,
            Op::Add => r < a,
            Op::Adc => r < a || (self.cf_in && r == a),
            Op::Sub => a < b,
            Op::Sbb => a < b || (self.cf_in && a == b),
            Op::Logic => false,
            Op::Inc | Op::Dec => self.cf_in,
            Op::Shl => self.b <= self.bits as u64 && (a >> (self.bits as u64 - self.b)) & 1 != 0,
            Op::Shr => self.b <= self.bits as u64 && (a >> (self.b - 1)) & 1 != 0,
            Op::Sar => {
                let sh = 64 - self.bits as u32;
                let sa = ((a << sh) as i64) >> sh;
                (sa >> (self.b - 1).min(63)) & 1 != 0
            }
        }
    }

    #[inline(always)]
    pub fn zf(&self) -> bool {
        match self.op {
            Op::Done => self.other & ZF != 0,
            _ => self.res & mask(self.bits) == 0,
        }
    }

    #[inline(always)]
    pub fn sf(&self) -> bool {
        match self.op {
            Op::Done => self.other & SF != 0,
            _ => (self.res >> (self.bits - 1)) & 1 != 0,
        }
    }

    #[inline(always)]
    pub fn of(&self) -> bool {
        let sign = 1u64 << (self.bits - 1);
        let (a, b, r) = (self.a, self.b, self.res);
        match self.op {
            Op::Done => self.other & OF != 0,
            Op::Add | Op::Adc | Op::Inc => (a ^ r) & (b ^ r) & sign != 0,
            Op::Sub | Op::Sbb | Op::Dec => (a ^ b) & (a ^ r) & sign != 0,
            Op::Logic | Op::Sar => false,
            // Defined for a count of 1; current Intel cores use the same formula for
            // larger counts.
            Op::Shl => (r & sign != 0) != self.cf(),
            Op::Shr => b == 1 && a & sign != 0,
        }
    }

    #[inline(always)]
    pub fn pf(&self) -> bool {
        match self.op {
            Op::Done => self.other & PF != 0,
            _ => parity(self.res),
        }
    }

    #[inline(always)]
    pub fn af(&self) -> bool {
        match self.op {
            Op::Done => self.other & AF != 0,
            Op::Logic => false,
            // Undefined for shifts by the SDM; AMD Zen (the host puffer's step-trace
            // fixtures are recorded on) sets it, so puffer does too.
            Op::Shl | Op::Shr | Op::Sar => true,
            _ => (self.a ^ self.b ^ self.res) & 0x10 != 0,
        }
    }

    #[inline(always)]
    pub fn df(&self) -> bool {
        self.other & DF != 0
    }

    pub fn set_df(&mut self, on: bool) {
        if on {
            self.other |= DF;
        } else {
            self.other &= !DF;
        }
    }

    pub fn set_cf(&mut self, on: bool) {
        self.update_arith(CF, if on { CF } else { 0 });
    }

    /// Evaluate a condition code (the low 4 bits of Jcc/SETcc/CMOVcc opcodes;
    /// Intel SDM Vol. 1, Appendix B "EFLAGS Condition Codes").
    #[inline(always)]
    pub fn cond(&self, cc: u8) -> bool {
        let r = match cc >> 1 {
            0 => self.of(),
            1 => self.cf(),
            2 => self.zf(),
            3 => self.cf() || self.zf(),
            4 => self.sf(),
            5 => self.pf(),
            6 => self.sf() != self.of(),
            _ => self.zf() || (self.sf() != self.of()),
        };
        r != (cc & 1 != 0)
    }
}

/// Flags of a result, for eager computation: ZF, SF and PF.
#[inline(always)]
pub fn szp(bits: u8, res: u64) -> u64 {
    let r = res & mask(bits);
    let mut f = 0;
    if r == 0 {
        f |= ZF;
    }
    if (r >> (bits - 1)) & 1 != 0 {
        f |= SF;
    }
    if parity(r) {
        f |= PF;
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_flags() {
        let mut f = Flags::default();
        f.set_lazy(Op::Add, 8, 0x7f, 1, 0x80);
        assert_eq!(f.arith(), OF | SF | AF);
        f.set_lazy(Op::Add, 8, 0xff, 1, 0x100);
        assert_eq!(f.arith(), CF | ZF | PF | AF);
        f.set_lazy(Op::Add, 64, u64::MAX, 1, 0);
        assert_eq!(f.arith(), CF | ZF | PF | AF);
    }

    #[test]
    fn sub_flags() {
        let mut f = Flags::default();
        f.set_lazy(Op::Sub, 32, 0, 1, 0u64.wrapping_sub(1));
        assert_eq!(f.arith(), CF | SF | PF | AF);
        f.set_lazy(Op::Sub, 32, 0x8000_0000, 1, 0x7fff_ffff);
        assert_eq!(f.arith(), OF | PF | AF);
        f.set_lazy(Op::Sub, 16, 5, 5, 0);
        assert_eq!(f.arith(), ZF | PF);
    }

    #[test]
    fn sbb_and_adc_carry_in() {
        let mut f = Flags::default();
        // 0 - 0 - 1 borrows.
        f.set_lazy_carry(Op::Sbb, 8, 0, 0, 0xff, true);
        assert!(f.cf());
        // 0xff + 0 + 1 carries, result 0.
        f.set_lazy_carry(Op::Adc, 8, 0xff, 0, 0x100, true);
        assert!(f.cf() && f.zf());
        f.set_lazy_carry(Op::Adc, 8, 0xff, 0, 0xff, false);
        assert!(!f.cf());
    }

    #[test]
    fn inc_preserves_cf() {
        let mut f = Flags::default();
        f.set_arith(CF);
        f.set_incdec(true, 32, 0x7fff_ffff, 0x8000_0000);
        assert!(f.cf() && f.of() && f.sf());
        f.set_arith(0);
        f.set_incdec(false, 8, 0, 0xff);
        assert!(!f.cf() && f.sf() && !f.of());
    }

    #[test]
    fn conditions() {
        let mut f = Flags::default();
        f.set_lazy(Op::Sub, 32, 3, 5, 3u64.wrapping_sub(5));
        assert!(f.cond(0x2)); // B
        assert!(f.cond(0xc)); // L
        assert!(!f.cond(0x4)); // E
        assert!(f.cond(0x6)); // BE
        assert!(!f.cond(0xf)); // G
    }

    #[test]
    fn get_set_roundtrip() {
        let mut f = Flags::default();
        f.set(0x202 | CF | ZF | DF);
        assert_eq!(f.get(), 0x202 | CF | ZF | DF);
        f.set_logic(64, 0);
        assert_eq!(f.get(), 0x202 | ZF | PF | DF);
    }
}
