//! SSE2 integer instructions on XMM registers: packed add/subtract (wrapping and
//! saturating), multiplies, averages, min/max, sums of absolute differences,
//! comparisons, logic, shifts, shuffles, unpacks, packs, PINSRW/PEXTRW.
//!
//! Each binary operation is an instance of `binop::<OP>`: `OP` is a compile-time
//! constant, so `calc` folds to the one operation and there is no dispatch at run time.

use super::{dst, src_a, xi};
use crate::{Cpu, Trap};
use iced_x86::{Instruction, OpKind};

/// A lane type of a 128-bit vector.
trait Lane: Copy {
    const W: u32;
    fn get(v: u128, k: u32) -> Self;
    fn put(self) -> u128;
}

macro_rules! lane {
    ($($t:ty => $u:ty),*) => {$(
        impl Lane for $t {
            const W: u32 = <$t>::BITS;
            #[inline(always)]
            fn get(v: u128, k: u32) -> $t {
                (v >> (k * Self::W)) as $u as $t
            }
            #[inline(always)]
            fn put(self) -> u128 {
                self as $u as u128
            }
        }
    )*};
}
lane!(u8 => u8, i8 => u8, u16 => u16, i16 => u16, u32 => u32, i32 => u32, u64 => u64);

/// Apply `f` lane by lane.
#[inline(always)]
fn map2<L: Lane>(a: u128, b: u128, f: impl Fn(L, L) -> L) -> u128 {
    let mut r = 0u128;
    let mut k = 0;
    while k < 128 / L::W {
        r |= f(L::get(a, k), L::get(b, k)).put() << (k * L::W);
        k += 1;
    }
    r
}

#[inline(always)]
fn map1<L: Lane>(a: u128, f: impl Fn(L) -> L) -> u128 {
    map2::<L>(a, 0, |x, _| f(x))
}

/// All ones if `c`.
#[inline(always)]
fn ones<L: Lane>(c: bool) -> u128 {
    if c {
        u128::MAX >> (128 - L::W)
    } else {
        0
    }
}

/// Compare lanes: all ones where `f` holds.
#[inline(always)]
fn cmp2<L: Lane>(a: u128, b: u128, f: impl Fn(L, L) -> bool) -> u128 {
    let mut r = 0u128;
    let mut k = 0;
    while k < 128 / L::W {
        r |= ones::<L>(f(L::get(a, k), L::get(b, k))) << (k * L::W);
        k += 1;
    }
    r
}

/// Interleave the lanes of the low (`HIGH` = false) or high halves of `a` and `b`.
#[inline(always)]
fn unpack<L: Lane, const HIGH: bool>(a: u128, b: u128) -> u128 {
    let n = 64 / L::W;
    let base = if HIGH { n } else { 0 };
    let mut r = 0u128;
    let mut k = 0;
    while k < n {
        r |= L::get(a, base + k).put() << (2 * k * L::W);
        r |= L::get(b, base + k).put() << ((2 * k + 1) * L::W);
        k += 1;
    }
    r
}

pub mod op {
    pub const PADDB: u8 = 0;
    pub const PADDW: u8 = 1;
    pub const PADDD: u8 = 2;
    pub const PADDQ: u8 = 3;
    pub const PSUBB: u8 = 4;
    pub const PSUBW: u8 = 5;
    pub const PSUBD: u8 = 6;
    pub const PSUBQ: u8 = 7;
    pub const PADDSB: u8 = 8;
    pub const PADDSW: u8 = 9;
    pub const PADDUSB: u8 = 10;
    pub const PADDUSW: u8 = 11;
    pub const PSUBSB: u8 = 12;
    pub const PSUBSW: u8 = 13;
    pub const PSUBUSB: u8 = 14;
    pub const PSUBUSW: u8 = 15;
    pub const PMULLW: u8 = 16;
    pub const PMULHW: u8 = 17;
    pub const PMULHUW: u8 = 18;
    pub const PMULUDQ: u8 = 19;
    pub const PMADDWD: u8 = 20;
    pub const PAVGB: u8 = 21;
    pub const PAVGW: u8 = 22;
    pub const PMINUB: u8 = 23;
    pub const PMAXUB: u8 = 24;
    pub const PMINSW: u8 = 25;
    pub const PMAXSW: u8 = 26;
    pub const PSADBW: u8 = 27;
    pub const PCMPEQB: u8 = 28;
    pub const PCMPEQW: u8 = 29;
    pub const PCMPEQD: u8 = 30;
    pub const PCMPGTB: u8 = 31;
    pub const PCMPGTW: u8 = 32;
    pub const PCMPGTD: u8 = 33;
    pub const PAND: u8 = 34;
    pub const PANDN: u8 = 35;
    pub const POR: u8 = 36;
    pub const PXOR: u8 = 37;
    pub const PUNPCKLBW: u8 = 38;
    pub const PUNPCKLWD: u8 = 39;
    pub const PUNPCKLDQ: u8 = 40;
    pub const PUNPCKLQDQ: u8 = 41;
    pub const PUNPCKHBW: u8 = 42;
    pub const PUNPCKHWD: u8 = 43;
    pub const PUNPCKHDQ: u8 = 44;
    pub const PUNPCKHQDQ: u8 = 45;
    pub const PACKSSWB: u8 = 46;
    pub const PACKSSDW: u8 = 47;
    pub const PACKUSWB: u8 = 48;
    // Shifts (count from an xmm/m128 operand or an immediate).
    pub const PSLLW: u8 = 60;
    pub const PSLLD: u8 = 61;
    pub const PSLLQ: u8 = 62;
    pub const PSRLW: u8 = 63;
    pub const PSRLD: u8 = 64;
    pub const PSRLQ: u8 = 65;
    pub const PSRAW: u8 = 66;
    pub const PSRAD: u8 = 67;
    pub const PSLLDQ: u8 = 68;
    pub const PSRLDQ: u8 = 69;
    // Shuffles with an immediate.
    pub const PSHUFD: u8 = 80;
    pub const PSHUFLW: u8 = 81;
    pub const PSHUFHW: u8 = 82;
}

/// The result of binary operation `OP` on `a` (destination) and `b` (source).
#[inline(always)]
pub fn calc<const OP: u8>(a: u128, b: u128) -> u128 {
    use op::*;
    match OP {
        PADDB => map2::<u8>(a, b, u8::wrapping_add),
        PADDW => map2::<u16>(a, b, u16::wrapping_add),
        PADDD => map2::<u32>(a, b, u32::wrapping_add),
        PADDQ => map2::<u64>(a, b, u64::wrapping_add),
        PSUBB => map2::<u8>(a, b, u8::wrapping_sub),
        PSUBW => map2::<u16>(a, b, u16::wrapping_sub),
        PSUBD => map2::<u32>(a, b, u32::wrapping_sub),
        PSUBQ => map2::<u64>(a, b, u64::wrapping_sub),
        PADDSB => map2::<i8>(a, b, i8::saturating_add),
        PADDSW => map2::<i16>(a, b, i16::saturating_add),
        PADDUSB => map2::<u8>(a, b, u8::saturating_add),
        PADDUSW => map2::<u16>(a, b, u16::saturating_add),
        PSUBSB => map2::<i8>(a, b, i8::saturating_sub),
        PSUBSW => map2::<i16>(a, b, i16::saturating_sub),
        PSUBUSB => map2::<u8>(a, b, u8::saturating_sub),
        PSUBUSW => map2::<u16>(a, b, u16::saturating_sub),
        PMULLW => map2::<u16>(a, b, u16::wrapping_mul),
        PMULHW => map2::<i16>(a, b, |x, y| ((x as i32 * y as i32) >> 16) as i16),
        PMULHUW => map2::<u16>(a, b, |x, y| ((x as u32 * y as u32) >> 16) as u16),
        PMULUDQ => map2::<u64>(a, b, |x, y| (x & 0xffff_ffff) * (y & 0xffff_ffff)),
        PMADDWD => map2::<u32>(a, b, |x, y| {
            let p = |s: u32| ((x >> s) as i16 as i32) * ((y >> s) as i16 as i32);
            // Only 0x8000 * 0x8000 twice overflows: the hardware wraps to 0x80000000.
            p(0).wrapping_add(p(16)) as u32
        }),
        PAVGB => map2::<u8>(a, b, |x, y| ((x as u16 + y as u16 + 1) >> 1) as u8),
        PAVGW => map2::<u16>(a, b, |x, y| ((x as u32 + y as u32 + 1) >> 1) as u16),
        PMINUB => map2::<u8>(a, b, u8::min),
        PMAXUB => map2::<u8>(a, b, u8::max),
        PMINSW => map2::<i16>(a, b, i16::min),
        PMAXSW => map2::<i16>(a, b, i16::max),
        PSADBW => map2::<u64>(a, b, |x, y| {
            (0..8).fold(0u64, |s, k| {
                let (p, q) = ((x >> (8 * k)) as u8, (y >> (8 * k)) as u8);
                s + p.abs_diff(q) as u64
            })
        }),
        PCMPEQB => cmp2::<u8>(a, b, |x, y| x == y),
        PCMPEQW => cmp2::<u16>(a, b, |x, y| x == y),
        PCMPEQD => cmp2::<u32>(a, b, |x, y| x == y),
        PCMPGTB => cmp2::<i8>(a, b, |x, y| x > y),
        PCMPGTW => cmp2::<i16>(a, b, |x, y| x > y),
        PCMPGTD => cmp2::<i32>(a, b, |x, y| x > y),
        PAND => a & b,
        PANDN => !a & b,
        POR => a | b,
        PXOR => a ^ b,
        PUNPCKLBW => unpack::<u8, false>(a, b),
        PUNPCKLWD => unpack::<u16, false>(a, b),
        PUNPCKLDQ => unpack::<u32, false>(a, b),
        PUNPCKLQDQ => unpack::<u64, false>(a, b),
        PUNPCKHBW => unpack::<u8, true>(a, b),
        PUNPCKHWD => unpack::<u16, true>(a, b),
        PUNPCKHDQ => unpack::<u32, true>(a, b),
        PUNPCKHQDQ => unpack::<u64, true>(a, b),
        PACKSSWB => pack(a, b, 16, |w| {
            (w as i16).clamp(i8::MIN as i16, i8::MAX as i16) as u8 as u64
        }),
        PACKUSWB => pack(a, b, 16, |w| (w as i16).clamp(0, 255) as u64),
        PACKSSDW => pack(a, b, 32, |d| {
            (d as i32).clamp(i16::MIN as i32, i16::MAX as i32) as u16 as u64
        }),
        _ => a,
    }
}

/// Narrow the `w`-bit lanes of `a` (low half of the result) and `b` (high half) to
/// `w / 2` bits each with saturation `f`.
#[inline(always)]
fn pack(a: u128, b: u128, w: u32, f: impl Fn(u64) -> u64) -> u128 {
    let n = 128 / w;
    let h = w / 2;
    let mut r = 0u128;
    for k in 0..n {
        r |= (f((a >> (k * w)) as u64) as u128) << (k * h);
        r |= (f((b >> (k * w)) as u64) as u128) << ((k + n) * h);
    }
    r
}

/// A binary operation xmm, xmm/m128 (memory 16-byte aligned).
pub fn binop<const OP: u8>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let b = src_a(cpu, i, 1)?;
    let d = dst(i);
    cpu.state.xmm[d] = calc::<OP>(cpu.state.xmm[d], b);
    Ok(())
}

/// PXOR/PCMPEQB... xmm, xmm: the register form without the operand-kind test.
pub fn binop_rr<const OP: u8>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let b = cpu.state.xmm[xi(i.op1_register())];
    let d = dst(i);
    cpu.state.xmm[d] = calc::<OP>(cpu.state.xmm[d], b);
    Ok(())
}

/// Shift `a` by `count` (the whole 64-bit count: anything past the lane width
/// empties the lanes, or fills them with the sign for arithmetic shifts).
#[inline(always)]
fn shift_calc<const OP: u8>(a: u128, count: u64) -> u128 {
    use op::*;
    let c = count.min(64) as u32;
    match OP {
        PSLLW if c < 16 => map1::<u16>(a, |x| x << c),
        PSLLD if c < 32 => map1::<u32>(a, |x| x << c),
        PSLLQ if c < 64 => map1::<u64>(a, |x| x << c),
        PSRLW if c < 16 => map1::<u16>(a, |x| x >> c),
        PSRLD if c < 32 => map1::<u32>(a, |x| x >> c),
        PSRLQ if c < 64 => map1::<u64>(a, |x| x >> c),
        PSRAW => map1::<i16>(a, |x| x >> c.min(15)),
        PSRAD => map1::<i32>(a, |x| x >> c.min(31)),
        PSLLDQ if c < 16 => a << (8 * c),
        PSRLDQ if c < 16 => a >> (8 * c),
        _ => 0,
    }
}

/// PSLLW/PSRLW/PSRAW... xmm, xmm/m128 (count = low quadword) or xmm, imm8;
/// PSLLDQ/PSRLDQ xmm, imm8 (count in bytes).
pub fn shift<const OP: u8>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let count = match i.op1_kind() {
        OpKind::Immediate8 => i.immediate8() as u64,
        _ => src_a(cpu, i, 1)? as u64,
    };
    let d = dst(i);
    cpu.state.xmm[d] = shift_calc::<OP>(cpu.state.xmm[d], count);
    Ok(())
}

/// PSHUFD/PSHUFLW/PSHUFHW xmm, xmm/m128, imm8.
pub fn pshuf<const OP: u8>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let s = src_a(cpu, i, 1)?;
    let imm = i.immediate8() as u32;
    let sel = |k: u32| (imm >> (2 * k)) & 3;
    let r = match OP {
        op::PSHUFD => (0..4).fold(0u128, |r, k| {
            r | (((s >> (32 * sel(k))) & 0xffff_ffff) << (32 * k))
        }),
        op::PSHUFLW => (0..4).fold(s & !(u64::MAX as u128), |r, k| {
            r | (((s >> (16 * sel(k))) & 0xffff) << (16 * k))
        }),
        _ => (0..4).fold(s & u64::MAX as u128, |r, k| {
            r | (((s >> (64 + 16 * sel(k))) & 0xffff) << (64 + 16 * k))
        }),
    };
    cpu.state.xmm[dst(i)] = r;
    Ok(())
}

/// PINSRW xmm, r32/m16, imm8.
pub fn pinsrw(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = match i.op1_kind() {
        OpKind::Register => cpu.reg(i.op1_register()) & 0xffff,
        _ => {
            let a = cpu.ea(i);
            cpu.load::<2>(a)?
        }
    };
    let sh = 16 * (i.immediate8() as u32 & 7);
    let d = &mut cpu.state.xmm[dst(i)];
    *d = (*d & !(0xffffu128 << sh)) | ((v as u128) << sh);
    Ok(())
}

/// PEXTRW r32/r64, xmm, imm8: zero-extended.
pub fn pextrw(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let sh = 16 * (i.immediate8() as u32 & 7);
    let v = (cpu.state.xmm[xi(i.op1_register())] >> sh) as u64 & 0xffff;
    cpu.set_reg(i.op0_register(), v);
    Ok(())
}
