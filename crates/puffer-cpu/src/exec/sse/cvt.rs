//! Conversions between integers, single and double precision: CVTSI2SS/SD,
//! CVT(T)SS2SI, CVT(T)SD2SI, CVTSS2SD, CVTSD2SS, CVTDQ2PS/PD, CVT(T)PS2DQ,
//! CVT(T)PD2DQ, CVTPS2PD, CVTPD2PS, and the MMX-register forms CVTPI2PS/PD,
//! CVT(T)PS2PI, CVT(T)PD2PI, MOVQ2DQ, MOVDQ2Q.

use super::fp::{self, Fp};
use super::{commit, dst, src64, src_a, src_scalar, xi};
use crate::{Cpu, Trap};
use iced_x86::{Instruction, OpKind, Register};

/// CVTSI2SS/CVTSI2SD xmm, r/m32 or r/m64 (`S` bytes): the low element, rounded per
/// MXCSR.RC; the other elements are kept.
pub fn cvtsi2f<T: Fp, const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = cpu.read_op::<S>(i, 1)?;
    let v = if S == 4 {
        v as u32 as i32 as i64
    } else {
        v as i64
    };
    let mut fl = 0;
    let r = fp::from_int::<T>(v, cpu.state.mxcsr, &mut fl);
    commit(cpu, fl)?;
    let d = &mut cpu.state.xmm[dst(i)];
    *d = (*d & !(T::ALL as u128)) | r as u128;
    Ok(())
}

/// CVTSS2SI/CVTSD2SI (MXCSR rounding) and CVTTSS2SI/CVTTSD2SI (`TRUNC`) to r32 or r64
/// (`WIDE`).
pub fn cvtf2si<T: Fp, const WIDE: bool, const TRUNC: bool>(
    cpu: &mut Cpu,
    i: &Instruction,
) -> Result<(), Trap> {
    let a = src_scalar::<T>(cpu, i, 1)?;
    let mut fl = 0;
    let r = fp::to_int::<T>(a, WIDE, TRUNC, cpu.state.mxcsr, &mut fl);
    commit(cpu, fl)?;
    cpu.set_reg(i.op0_register(), r);
    Ok(())
}

/// CVTSS2SD xmm, xmm/m32.
pub fn cvtss2sd(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = src_scalar::<f32>(cpu, i, 1)?;
    let mut fl = 0;
    let r = fp::f32_to_f64(a, cpu.state.mxcsr, &mut fl);
    commit(cpu, fl)?;
    let d = &mut cpu.state.xmm[dst(i)];
    *d = (*d & !(u64::MAX as u128)) | r as u128;
    Ok(())
}

/// CVTSD2SS xmm, xmm/m64.
pub fn cvtsd2ss(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = src_scalar::<f64>(cpu, i, 1)?;
    let mut fl = 0;
    let r = fp::f64_to_f32(a, cpu.state.mxcsr, &mut fl);
    commit(cpu, fl)?;
    let d = &mut cpu.state.xmm[dst(i)];
    *d = (*d & !(u32::MAX as u128)) | r as u128;
    Ok(())
}

/// Convert `n` elements of `w` bits from `src` with `f`, into elements of `rw` bits
/// (the rest of the result is zero).
#[inline(always)]
fn convert(
    src: u128,
    n: u32,
    w: u32,
    rw: u32,
    mx: u32,
    fl: &mut u32,
    f: impl Fn(u64, u32, &mut u32) -> u64,
) -> u128 {
    let mask = u64::MAX >> (64 - w);
    (0..n).fold(0u128, |r, k| {
        r | ((f((src >> (k * w)) as u64 & mask, mx, fl) as u128) << (k * rw))
    })
}

/// CVTDQ2PS xmm, xmm/m128.
pub fn cvtdq2ps(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let s = src_a(cpu, i, 1)?;
    let mut fl = 0;
    let r = convert(s, 4, 32, 32, cpu.state.mxcsr, &mut fl, |v, mx, fl| {
        fp::from_int::<f32>(v as u32 as i32 as i64, mx, fl)
    });
    commit(cpu, fl)?;
    cpu.state.xmm[dst(i)] = r;
    Ok(())
}

/// CVTDQ2PD xmm, xmm/m64 (exact).
pub fn cvtdq2pd(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let s = src64(cpu, i, 1)? as u128;
    let mut fl = 0;
    let r = convert(s, 2, 32, 64, cpu.state.mxcsr, &mut fl, |v, mx, fl| {
        fp::from_int::<f64>(v as u32 as i32 as i64, mx, fl)
    });
    cpu.state.xmm[dst(i)] = r;
    Ok(())
}

/// CVTPS2DQ/CVTTPS2DQ xmm, xmm/m128.
pub fn cvtps2dq<const TRUNC: bool>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let s = src_a(cpu, i, 1)?;
    let mut fl = 0;
    let r = convert(s, 4, 32, 32, cpu.state.mxcsr, &mut fl, |v, mx, fl| {
        fp::to_int::<f32>(v, false, TRUNC, mx, fl)
    });
    commit(cpu, fl)?;
    cpu.state.xmm[dst(i)] = r;
    Ok(())
}

/// CVTPD2DQ/CVTTPD2DQ xmm, xmm/m128: two doublewords, upper quadword zeroed.
pub fn cvtpd2dq<const TRUNC: bool>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let s = src_a(cpu, i, 1)?;
    let mut fl = 0;
    let r = convert(s, 2, 64, 32, cpu.state.mxcsr, &mut fl, |v, mx, fl| {
        fp::to_int::<f64>(v, false, TRUNC, mx, fl)
    });
    commit(cpu, fl)?;
    cpu.state.xmm[dst(i)] = r;
    Ok(())
}

/// CVTPS2PD xmm, xmm/m64.
pub fn cvtps2pd(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let s = src64(cpu, i, 1)? as u128;
    let mut fl = 0;
    let r = convert(s, 2, 32, 64, cpu.state.mxcsr, &mut fl, fp::f32_to_f64);
    commit(cpu, fl)?;
    cpu.state.xmm[dst(i)] = r;
    Ok(())
}

/// CVTPD2PS xmm, xmm/m128: two singles, upper quadword zeroed.
pub fn cvtpd2ps(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let s = src_a(cpu, i, 1)?;
    let mut fl = 0;
    let r = convert(s, 2, 64, 32, cpu.state.mxcsr, &mut fl, fp::f64_to_f32);
    commit(cpu, fl)?;
    cpu.state.xmm[dst(i)] = r;
    Ok(())
}

// ---------------------------------------------------------------- MMX register forms

/// An MMX register's physical x87 register.
#[inline(always)]
fn mm(r: Register) -> usize {
    (r as usize).wrapping_sub(Register::MM0 as usize) & 7
}

/// The x87-to-MMX transition every MMX register access makes: TOP = 0, all tags
/// valid.
#[inline(always)]
fn mmx_enter(cpu: &mut Cpu) {
    cpu.state.x87.top = 0;
    cpu.state.x87.tags = 0xff;
}

/// A 64-bit source that is an MMX register (with the transition) or m64.
fn src_mm(cpu: &mut Cpu, i: &Instruction, n: u32) -> Result<u64, Trap> {
    match i.op_kind(n) {
        OpKind::Register => {
            mmx_enter(cpu);
            Ok(cpu.state.x87.regs[mm(i.op_register(n))] as u64)
        }
        _ => {
            let a = cpu.ea(i);
            cpu.load::<8>(a)
        }
    }
}

/// Write an MMX register: bits 64..80 of the x87 register become all ones.
fn set_mm(cpu: &mut Cpu, r: Register, v: u64) {
    mmx_enter(cpu);
    cpu.state.x87.regs[mm(r)] = (0xffffu128 << 64) | v as u128;
}

/// CVTPI2PS xmm, mm/m64: two singles into the low quadword, the upper one kept.
pub fn cvtpi2ps(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let s = src_mm(cpu, i, 1)? as u128;
    let mut fl = 0;
    let r = convert(s, 2, 32, 32, cpu.state.mxcsr, &mut fl, |v, mx, fl| {
        fp::from_int::<f32>(v as u32 as i32 as i64, mx, fl)
    });
    commit(cpu, fl)?;
    let d = &mut cpu.state.xmm[dst(i)];
    *d = (*d & !(u64::MAX as u128)) | r;
    Ok(())
}

/// CVTPI2PD xmm, mm/m64 (exact).
pub fn cvtpi2pd(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let s = src_mm(cpu, i, 1)? as u128;
    let mut fl = 0;
    let r = convert(s, 2, 32, 64, cpu.state.mxcsr, &mut fl, |v, mx, fl| {
        fp::from_int::<f64>(v as u32 as i32 as i64, mx, fl)
    });
    cpu.state.xmm[dst(i)] = r;
    Ok(())
}

/// CVTPS2PI/CVTTPS2PI mm, xmm/m64.
pub fn cvtps2pi<const TRUNC: bool>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let s = src64(cpu, i, 1)? as u128;
    let mut fl = 0;
    let r = convert(s, 2, 32, 32, cpu.state.mxcsr, &mut fl, |v, mx, fl| {
        fp::to_int::<f32>(v, false, TRUNC, mx, fl)
    });
    commit(cpu, fl)?;
    set_mm(cpu, i.op0_register(), r as u64);
    Ok(())
}

/// CVTPD2PI/CVTTPD2PI mm, xmm/m128.
pub fn cvtpd2pi<const TRUNC: bool>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let s = src_a(cpu, i, 1)?;
    let mut fl = 0;
    let r = convert(s, 2, 64, 32, cpu.state.mxcsr, &mut fl, |v, mx, fl| {
        fp::to_int::<f64>(v, false, TRUNC, mx, fl)
    });
    commit(cpu, fl)?;
    set_mm(cpu, i.op0_register(), r as u64);
    Ok(())
}

/// MOVQ2DQ xmm, mm.
pub fn movq2dq(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = src_mm(cpu, i, 1)?;
    cpu.state.xmm[dst(i)] = v as u128;
    Ok(())
}

/// MOVDQ2Q mm, xmm.
pub fn movdq2q(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = cpu.state.xmm[xi(i.op1_register())] as u64;
    set_mm(cpu, i.op0_register(), v);
    Ok(())
}
