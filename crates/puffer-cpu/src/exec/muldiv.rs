//! Multiplication and division: MUL IMUL DIV IDIV (Intel SDM Vol. 2A/2B). DIV and
//! IDIV raise #DE on a zero divisor or a quotient that does not fit, leaving every
//! register unchanged.
//!
//! The flags the SDM leaves undefined are set as the AMD Zen host on which the
//! step-trace fixtures (fixtures/*.asm.elf.steps) are recorded sets them, so that a
//! program that saves its flags with PUSHF after a multiply or divide matches the
//! host's trace: MUL and IMUL leave SF ZF AF PF as they were; DIV and IDIV set AF,
//! clear SF ZF PF and leave CF OF as they were.

use crate::flags::{AF, CF, OF, PF, SF, ZF};
use crate::operand::mask_of;
use crate::reg::{RAX, RDX};
use crate::{Cpu, Trap};
use iced_x86::Instruction;

fn sext<const S: usize>(v: u64) -> i64 {
    let sh = 64 - S * 8;
    ((v << sh) as i64) >> sh
}

/// Write the double-width result to AX, DX:AX, EDX:EAX or RDX:RAX.
fn put_wide<const S: usize>(cpu: &mut Cpu, lo: u64, hi: u64) {
    match S {
        1 => cpu.state.gpr[RAX] = (cpu.state.gpr[RAX] & !0xffff) | (lo & 0xff) | ((hi & 0xff) << 8),
        2 => {
            cpu.state.gpr[RAX] = (cpu.state.gpr[RAX] & !0xffff) | (lo & 0xffff);
            cpu.state.gpr[RDX] = (cpu.state.gpr[RDX] & !0xffff) | (hi & 0xffff);
        }
        4 => {
            cpu.state.gpr[RAX] = lo & 0xffff_ffff;
            cpu.state.gpr[RDX] = hi & 0xffff_ffff;
        }
        _ => {
            cpu.state.gpr[RAX] = lo;
            cpu.state.gpr[RDX] = hi;
        }
    }
}

/// MUL r/m: CF = OF = (upper half != 0). SF/ZF/PF/AF are undefined and kept (see the
/// module comment).
pub fn mul<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let b = cpu.read_op::<S>(i, 0)? as u128;
    let a = (cpu.state.gpr[RAX] & mask_of(S)) as u128;
    let p = a * b;
    let bits = S * 8;
    let lo = (p as u64) & mask_of(S);
    let hi = ((p >> bits) as u64) & mask_of(S);
    put_wide::<S>(cpu, lo, hi);
    let c = if hi != 0 { CF | OF } else { 0 };
    cpu.state.flags.update_arith(CF | OF, c);
    Ok(())
}

/// IMUL in its one-, two- and three-operand forms: CF = OF = (the full product does
/// not equal the sign-extended truncated one).
pub fn imul<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let bits = S * 8;
    match i.op_count() {
        1 => {
            let b = sext::<S>(cpu.read_op::<S>(i, 0)?) as i128;
            let a = sext::<S>(cpu.state.gpr[RAX] & mask_of(S)) as i128;
            let p = a * b;
            let lo = (p as u64) & mask_of(S);
            let hi = ((p >> bits) as u64) & mask_of(S);
            put_wide::<S>(cpu, lo, hi);
            let fits = sext::<S>(lo) as i128 == p;
            let c = if fits { 0 } else { CF | OF };
            cpu.state.flags.update_arith(CF | OF, c);
        }
        n => {
            let (a, b) = if n == 2 {
                (cpu.reg(i.op0_register()), cpu.read_op::<S>(i, 1)?)
            } else {
                (cpu.read_op::<S>(i, 1)?, i.immediate(2) & mask_of(S))
            };
            let p = sext::<S>(a) as i128 * sext::<S>(b) as i128;
            let lo = (p as u64) & mask_of(S);
            cpu.set_reg(i.op0_register(), lo);
            let fits = sext::<S>(lo) as i128 == p;
            let c = if fits { 0 } else { CF | OF };
            cpu.state.flags.update_arith(CF | OF, c);
        }
    }
    Ok(())
}

fn get_wide<const S: usize>(cpu: &Cpu) -> u128 {
    let m = mask_of(S) as u128;
    match S {
        1 => (cpu.state.gpr[RAX] & 0xffff) as u128,
        _ => ((cpu.state.gpr[RDX] as u128 & m) << (S * 8)) | (cpu.state.gpr[RAX] as u128 & m),
    }
}

fn put_divmod<const S: usize>(cpu: &mut Cpu, q: u64, r: u64) {
    match S {
        1 => cpu.state.gpr[RAX] = (cpu.state.gpr[RAX] & !0xffff) | (q & 0xff) | ((r & 0xff) << 8),
        _ => put_wide::<S>(cpu, q, r),
    }
}

/// Every flag is undefined after DIV and IDIV; set as the AMD host does (see the
/// module comment).
fn div_flags(cpu: &mut Cpu) {
    cpu.state.flags.update_arith(SF | ZF | PF, AF);
}

/// DIV: quotient to the low half, remainder to the high half.
pub fn div<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let d = cpu.read_op::<S>(i, 0)? as u128;
    if d == 0 {
        return Err(Trap::DivideError);
    }
    let n = get_wide::<S>(cpu);
    // 128-bit division is a slow library call; the dividend usually fits in 64 bits.
    let (q, r) = if n >> 64 == 0 {
        let (n, d) = (n as u64, d as u64);
        ((n / d) as u128, n % d)
    } else {
        (n / d, (n % d) as u64)
    };
    if q > mask_of(S) as u128 {
        return Err(Trap::DivideError);
    }
    put_divmod::<S>(cpu, q as u64, r);
    div_flags(cpu);
    Ok(())
}

pub fn idiv<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let d = sext::<S>(cpu.read_op::<S>(i, 0)?) as i128;
    if d == 0 {
        return Err(Trap::DivideError);
    }
    let bits = S * 16;
    let raw = get_wide::<S>(cpu);
    let n = ((raw << (128 - bits)) as i128) >> (128 - bits);
    let q = if n >= i64::MIN as i128 && n <= i64::MAX as i128 {
        // Fits in 64 bits (the usual case): avoid the slow 128-bit division.
        let (n64, d64) = (n as i64, d as i64);
        n64.checked_div(d64)
            .map(|q| q as i128)
            .unwrap_or(-(i64::MIN as i128))
    } else {
        n.checked_div(d).ok_or(Trap::DivideError)?
    };
    let min = -(1i128 << (S * 8 - 1));
    let max = (1i128 << (S * 8 - 1)) - 1;
    if q < min || q > max {
        return Err(Trap::DivideError);
    }
    let r = n - q * d;
    put_divmod::<S>(cpu, q as u64 & mask_of(S), r as u64 & mask_of(S));
    div_flags(cpu);
    Ok(())
}
