//! Floating-point arithmetic on XMM registers: ADD SUB MUL DIV MIN MAX SQRT in packed
//! and scalar single and double precision, CMPccPS/PD/SS/SD, (U)COMISS/SD, SHUFPS/PD,
//! RCPPS/RCPSS/RSQRTPS/RSQRTSS. The per-element semantics live in `fp`; this module
//! walks the lanes, gathers the exception flags and commits them (or raises #XM)
//! before the destination is written.

use super::fp::{self, Bin, Fp};
use super::{commit, dst, src_a, src_scalar, xi};
use crate::flags::{CF, PF, ZF};
use crate::{Cpu, Trap};
use core::cmp::Ordering;
use iced_x86::Instruction;

/// Apply `f(dst_elem, src_elem, mxcsr, &mut flags)` to every element (`PACKED`) or to
/// the low element, keeping the destination's other elements.
#[inline(always)]
fn lanes<T: Fp, const PACKED: bool>(
    cpu: &mut Cpu,
    i: &Instruction,
    f: impl Fn(u64, u64, u32, &mut u32) -> u64,
) -> Result<(), Trap> {
    let d = dst(i);
    let a = cpu.state.xmm[d];
    let mx = cpu.state.mxcsr;
    let mut fl = 0;
    let r = if PACKED {
        let b = src_a(cpu, i, 1)?;
        let mut r = 0u128;
        let mut k = 0;
        while k < 128 / T::BITS {
            let sh = k * T::BITS;
            let x = (a >> sh) as u64 & T::ALL;
            let y = (b >> sh) as u64 & T::ALL;
            r |= (f(x, y, mx, &mut fl) as u128) << sh;
            k += 1;
        }
        r
    } else {
        let y = src_scalar::<T>(cpu, i, 1)?;
        let x = a as u64 & T::ALL;
        (a & !(T::ALL as u128)) | f(x, y, mx, &mut fl) as u128
    };
    commit(cpu, fl)?;
    cpu.state.xmm[d] = r;
    Ok(())
}

pub fn add<T: Fp, const P: bool>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    lanes::<T, P>(cpu, i, |a, b, mx, fl| {
        fp::arith::<T>(Bin::Add, a, b, mx, fl)
    })
}

pub fn sub<T: Fp, const P: bool>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    lanes::<T, P>(cpu, i, |a, b, mx, fl| {
        fp::arith::<T>(Bin::Sub, a, b, mx, fl)
    })
}

pub fn mul<T: Fp, const P: bool>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    lanes::<T, P>(cpu, i, |a, b, mx, fl| {
        fp::arith::<T>(Bin::Mul, a, b, mx, fl)
    })
}

pub fn div<T: Fp, const P: bool>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    lanes::<T, P>(cpu, i, |a, b, mx, fl| {
        fp::arith::<T>(Bin::Div, a, b, mx, fl)
    })
}

pub fn min<T: Fp, const P: bool>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    lanes::<T, P>(cpu, i, |a, b, mx, fl| fp::minmax::<T>(false, a, b, mx, fl))
}

pub fn max<T: Fp, const P: bool>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    lanes::<T, P>(cpu, i, |a, b, mx, fl| fp::minmax::<T>(true, a, b, mx, fl))
}

/// SQRTPS/SQRTPD/SQRTSS/SQRTSD: the root of the source element(s); the scalar forms
/// keep the destination's upper elements.
pub fn sqrt<T: Fp, const P: bool>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    lanes::<T, P>(cpu, i, |_, b, mx, fl| fp::sqrt::<T>(b, mx, fl))
}

/// RCPPS/RCPSS (no exceptions, MXCSR not consulted).
pub fn rcp<const P: bool>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    lanes::<f32, P>(cpu, i, |_, b, _, _| fp::rcp(b))
}

/// RSQRTPS/RSQRTSS.
pub fn rsqrt<const P: bool>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    lanes::<f32, P>(cpu, i, |_, b, _, _| fp::rsqrt(b))
}

/// CMPPS/CMPPD/CMPSS/CMPSD xmm, xmm/m, imm8: all ones where the predicate (imm8 bits
/// 0..2) holds, else zeros.
pub fn cmp<T: Fp, const P: bool>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let pred = i.immediate8() & 7;
    lanes::<T, P>(cpu, i, |a, b, mx, fl| {
        if fp::compare::<T>(pred, a, b, mx, fl) {
            T::ALL
        } else {
            0
        }
    })
}

/// COMISS/COMISD (`SIGNALLING`) and UCOMISS/UCOMISD: ZF, PF, CF from the comparison
/// (unordered: all three), OF = SF = AF = 0.
pub fn comi<T: Fp, const SIGNALLING: bool>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = cpu.state.xmm[dst(i)] as u64 & T::ALL;
    let b = src_scalar::<T>(cpu, i, 1)?;
    let mut fl = 0;
    let f = match fp::compare_ordered::<T>(SIGNALLING, a, b, cpu.state.mxcsr, &mut fl) {
        None => ZF | PF | CF,
        Some(Ordering::Less) => CF,
        Some(Ordering::Equal) => ZF,
        Some(Ordering::Greater) => 0,
    };
    commit(cpu, fl)?;
    cpu.state.flags.set_arith(f);
    Ok(())
}

/// SHUFPS xmm1, xmm2/m128, imm8: two elements of xmm1, then two of the source.
pub fn shufps(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let b = src_a(cpu, i, 1)?;
    let d = dst(i);
    let a = cpu.state.xmm[d];
    let imm = i.immediate8() as u32;
    let pick = |v: u128, k: u32| (v >> (32 * ((imm >> (2 * k)) & 3))) & 0xffff_ffff;
    cpu.state.xmm[d] = pick(a, 0) | (pick(a, 1) << 32) | (pick(b, 2) << 64) | (pick(b, 3) << 96);
    Ok(())
}

/// SHUFPD xmm1, xmm2/m128, imm8.
pub fn shufpd(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let b = src_a(cpu, i, 1)?;
    let d = dst(i);
    let a = cpu.state.xmm[d];
    let imm = i.immediate8() as u32;
    let lo = (a >> (64 * (imm & 1))) as u64;
    let hi = (b >> (64 * ((imm >> 1) & 1))) as u64;
    cpu.state.xmm[d] = lo as u128 | ((hi as u128) << 64);
    Ok(())
}

/// ADDSD/SUBSD/MULSD/DIVSD xmm, xmm: the hottest scalar forms, without the operand
/// kind test.
pub fn arith_sd_rr<const OP: u8>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let d = dst(i);
    let a = cpu.state.xmm[d];
    let b = cpu.state.xmm[xi(i.op1_register())] as u64;
    let op = match OP {
        0 => Bin::Add,
        1 => Bin::Sub,
        2 => Bin::Mul,
        _ => Bin::Div,
    };
    let mut fl = 0;
    let r = fp::arith::<f64>(op, a as u64, b, cpu.state.mxcsr, &mut fl);
    commit(cpu, fl)?;
    cpu.state.xmm[d] = (a & !(u64::MAX as u128)) | r as u128;
    Ok(())
}
