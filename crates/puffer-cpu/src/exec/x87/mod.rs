//! The x87 FPU (Intel SDM Vol. 1, chapter 8) with exact 80-bit extended-precision
//! arithmetic.
//!
//! * [`float`] is the arithmetic: every basic operation (FADD/FSUB/FMUL/FDIV/FSQRT,
//!   FRNDINT, FSCALE, FPREM/FPREM1, FXTRACT, conversions to and from memory formats
//!   and integers, comparisons) computes the exact result in 128-bit integers and
//!   rounds once, in the precision (FCW.PC: 24/53/64-bit significands, 15-bit
//!   exponent range kept) and rounding mode (FCW.RC) of the control word, with the
//!   x87's exception, C1 ("rounded up"), NaN-propagation, denormal,
//!   unsupported-format and bias-adjusted unmasked overflow/underflow rules.
//!   (`rustc_apfloat` is not used for these: rounding its 64-bit result again to 53
//!   or 24 bits would round twice, which is not what the hardware does.)
//! * [`trans`] is the transcendentals (F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN, FSIN,
//!   FCOS, FSINCOS), evaluated in binary128 (113-bit) arithmetic with
//!   `rustc_apfloat` and rounded once to 64 bits; see that module for their accuracy.
//! * [`env`] is the state-management instructions: FNSTENV/FLDENV, FNSAVE/FRSTOR (the
//!   14/28-byte and 94/108-byte formats) and FXSAVE/FXRSTOR.
//!
//! How this was checked: the arithmetic was compared bit for bit (result, exception
//! flags, C1) with the x87 of the AMD EPYC development host over millions of random
//! operands (specials, denormals, unsupported formats, boundary exponents) in every
//! PC/RC combination with random exception masks; and whole instruction sequences
//! (tens of thousands of random programs over all the forms below, random control
//! words included) were run both natively and here, comparing every store, the
//! status word after each instruction and the final register file. Where the SDM
//! leaves something undefined the host's choice is followed (e.g. FPREM's partial
//! reduction step N = 32 + D mod 32, C1 of FXAM on an empty register = the sign of
//! its stale contents, FCMOV with an empty source writing the indefinite, PE and C1
//! details); the tests in `tests/x87.rs` record the host's results.
//!
//! Exceptions: flags accumulate in the status word; an *unmasked* exception sets
//! ES/B and is delivered as [`Trap::FloatingPoint`] (#MF) by the next waiting x87
//! instruction (or FWAIT), as the hardware delivers it, with RIP at that instruction
//! (the no-wait forms FNSTSW/FNSTCW/FNCLEX/FNINIT/FNSTENV/FNSAVE do not deliver it).
//! Unmasked invalid-operation, divide-by-zero and denormal-operand exceptions leave
//! the destination and the stack unchanged; unmasked overflow/underflow store the
//! bias-adjusted result into registers and nothing into memory.
//!
//! Not modelled: the last-instruction and last-operand pointers (FIP/FCS/FOP/FDP/FDS
//! are stored as zero by FNSTENV/FNSAVE/FXSAVE). FISTTP (SSE3) is implemented.

pub mod env;
pub mod float;
pub mod trans;

use super::Handler;
use crate::state::X87;
use crate::{Cpu, Trap};
use float::{Cmp, Env, Out, Rc, DE, F32, F64, IE, INDEFINITE, OE, PE, UE, ZE};
use iced_x86::{Instruction, MemorySize, Mnemonic as M, OpKind, Register};

// Status-word bits.
pub const SF: u16 = 0x40;
pub const ES: u16 = 0x80;
pub const C0: u16 = 0x100;
pub const C1: u16 = 0x200;
pub const C2: u16 = 0x400;
pub const C3: u16 = 0x4000;
pub const B: u16 = 0x8000;
const CC: u16 = C0 | C1 | C2 | C3;

/// The handler for an x87 instruction, or `None` if this is not one.
pub fn handler(i: &Instruction) -> Option<Handler> {
    let h: Handler = match i.mnemonic() {
        M::Fld => fld,
        M::Fild => fild,
        M::Fbld => fbld,
        M::Fst | M::Fstp | M::Fstpnce => fst,
        M::Fist | M::Fistp | M::Fisttp => fist,
        M::Fbstp => fbstp,
        M::Fxch => fxch,
        M::Fld1 | M::Fldz | M::Fldpi | M::Fldl2e | M::Fldl2t | M::Fldlg2 | M::Fldln2 => fconst,
        M::Fadd
        | M::Faddp
        | M::Fiadd
        | M::Fsub
        | M::Fsubp
        | M::Fisub
        | M::Fsubr
        | M::Fsubrp
        | M::Fisubr
        | M::Fmul
        | M::Fmulp
        | M::Fimul
        | M::Fdiv
        | M::Fdivp
        | M::Fidiv
        | M::Fdivr
        | M::Fdivrp
        | M::Fidivr => arith,
        M::Fchs | M::Fabs => fsign,
        M::Fsqrt => fsqrt,
        M::Frndint => frndint,
        M::Fscale => fscale,
        M::Fxtract => fxtract,
        M::Fprem | M::Fprem1 => fprem,
        M::Fcom
        | M::Fcomp
        | M::Fcompp
        | M::Fucom
        | M::Fucomp
        | M::Fucompp
        | M::Ficom
        | M::Ficomp
        | M::Ftst => fcom,
        M::Fcomi | M::Fcomip | M::Fucomi | M::Fucomip => fcomi,
        M::Fxam => fxam,
        M::Fcmovb
        | M::Fcmove
        | M::Fcmovbe
        | M::Fcmovu
        | M::Fcmovnb
        | M::Fcmovne
        | M::Fcmovnbe
        | M::Fcmovnu => fcmov,
        M::Fnstcw | M::Fstcw => fnstcw,
        M::Fldcw => fldcw,
        M::Fnstsw | M::Fstsw => fnstsw,
        M::Fnclex | M::Fclex => fnclex,
        M::Fninit | M::Finit => fninit,
        M::Wait => fwait,
        M::Fnop => fnop,
        // 8087/287 control instructions: no-ops on the 387 and later.
        M::Fneni | M::Fndisi | M::Fnsetpm => nowait_nop,
        M::Feni | M::Fdisi | M::Fsetpm => fnop,
        M::Ffree | M::Ffreep => ffree,
        M::Fincstp | M::Fdecstp => fincdecstp,
        M::Fnstenv | M::Fstenv => env::fnstenv,
        M::Fldenv => env::fldenv,
        M::Fnsave | M::Fsave => env::fnsave,
        M::Frstor => env::frstor,
        M::Fxsave | M::Fxsave64 => env::fxsave,
        M::Fxrstor | M::Fxrstor64 => env::fxrstor,
        M::F2xm1 => trans::f2xm1,
        M::Fyl2x | M::Fyl2xp1 => trans::fyl2x,
        M::Fptan => trans::fptan,
        M::Fpatan => trans::fpatan,
        M::Fsin | M::Fcos | M::Fsincos => trans::fsincos,
        _ => return None,
    };
    Some(h)
}

// ---------------------------------------------------------------------------------
// Register stack and status word.

#[inline]
fn phys(x: &X87, i: u8) -> usize {
    (x.top.wrapping_add(i) & 7) as usize
}

/// Whether ST(i) holds a value (its tag is not "empty").
#[inline]
pub fn valid(x: &X87, i: u8) -> bool {
    x.tags & (1 << phys(x, i)) != 0
}

/// The raw 80-bit contents of ST(i).
#[inline]
pub fn st(x: &X87, i: u8) -> u128 {
    x.regs[phys(x, i)]
}

/// Store into ST(i) and tag it valid.
#[inline]
pub fn set_st(x: &mut X87, i: u8, v: u128) {
    let p = phys(x, i);
    x.regs[p] = v & ((1 << 80) - 1);
    x.tags |= 1 << p;
}

#[inline]
fn push(x: &mut X87, v: u128) {
    x.top = x.top.wrapping_sub(1) & 7;
    set_st(x, 0, v);
}

#[inline]
fn pop(x: &mut X87) {
    x.tags &= !(1 << phys(x, 0));
    x.top = (x.top + 1) & 7;
}

/// The status word as FNSTSW shows it (TOP inserted).
pub fn status_word(x: &X87) -> u16 {
    (x.fsw & !0x3800) | ((x.top as u16 & 7) << 11)
}

/// ES and B summarise the unmasked exceptions that are flagged.
fn update_es(x: &mut X87) {
    if x.fsw & !x.fcw & 0x3f != 0 {
        x.fsw |= ES | B;
    } else {
        x.fsw &= !(ES | B);
    }
}

/// Record exception flags (and SF).
fn raise(x: &mut X87, flags: u16) {
    x.fsw |= flags & 0x7f;
    update_es(x);
}

fn unmasked(x: &X87, flags: u8) -> u8 {
    flags & !(x.fcw as u8) & 0x3f
}

fn set_cc(x: &mut X87, mask: u16, bits: u16) {
    x.fsw = (x.fsw & !mask) | (bits & mask);
}

fn set_c1(x: &mut X87, on: bool) {
    set_cc(x, C1, if on { C1 } else { 0 });
}

/// A stack underflow (an empty register was read): IE and SF, C1 = 0. Returns
/// whether IE is masked, i.e. whether the instruction goes on with the
/// indefinite-QNaN response.
fn underflow(x: &mut X87) -> bool {
    set_c1(x, false);
    raise(x, IE as u16 | SF);
    x.fcw & IE as u16 != 0
}

/// A stack overflow (a push onto a valid register): IE and SF, C1 = 1. Returns
/// whether IE is masked.
fn overflow(x: &mut X87) -> bool {
    set_c1(x, true);
    raise(x, IE as u16 | SF);
    x.fcw & IE as u16 != 0
}

/// Push `v`, or handle a stack overflow (masked: push the indefinite QNaN).
fn push_checked(x: &mut X87, v: u128) {
    if valid(x, 7) {
        if overflow(x) {
            push(x, INDEFINITE);
        }
    } else {
        push(x, v);
    }
}

/// Waiting x87 instructions deliver a pending unmasked exception (#MF) first.
#[inline]
fn wait_check(cpu: &Cpu) -> Result<(), Trap> {
    if cpu.state.x87.fsw & ES != 0 {
        Err(Trap::FloatingPoint)
    } else {
        Ok(())
    }
}

/// Apply an arithmetic result's exceptions. Returns the value to write, or `None`
/// when an unmasked IE/ZE/DE suppresses the write (and any pop).
fn commit(x: &mut X87, o: Out) -> Option<u128> {
    let um = unmasked(x, o.flags);
    if um & (IE | ZE) != 0 {
        raise(x, (o.flags & (IE | ZE)) as u16);
        set_c1(x, false);
        return None;
    }
    if um & DE != 0 {
        raise(x, DE as u16);
        set_c1(x, false);
        return None;
    }
    raise(x, o.flags as u16);
    set_c1(x, o.up);
    Some(o.val)
}

/// Apply the exceptions of a store to memory: returns whether to store. Unmasked
/// IE/OE/UE store nothing (and report no PE or C1).
fn commit_store(x: &mut X87, flags: u8, up: bool) -> bool {
    let um = unmasked(x, flags);
    if um & (IE | OE | UE | ZE | DE) != 0 {
        raise(x, (flags & !PE) as u16);
        set_c1(x, false);
        return false;
    }
    raise(x, flags as u16);
    set_c1(x, up);
    true
}

fn st_index(r: Register) -> u8 {
    (r as u32).wrapping_sub(Register::ST0 as u32) as u8 & 7
}

/// ST index of register operand `n`.
fn op_st(i: &Instruction, n: u32) -> u8 {
    st_index(i.op_register(n))
}

// ---------------------------------------------------------------------------------
// Memory operands.

fn read80(cpu: &mut Cpu, addr: u64) -> Result<u128, Trap> {
    let mut b = [0u8; 16];
    cpu.mmu.read_bytes(addr, &mut b[..10])?;
    Ok(u128::from_le_bytes(b))
}

fn write80(cpu: &mut Cpu, addr: u64, v: u128) -> Result<(), Trap> {
    cpu.mmu.write_bytes(addr, &v.to_le_bytes()[..10])?;
    Ok(())
}

/// A memory source operand as an 80-bit value (SNaNs kept signalling, so that the
/// operation sees them) and whether it was a denormal in its own format.
fn load_operand(cpu: &mut Cpu, i: &Instruction) -> Result<(u128, bool), Trap> {
    let a = cpu.ea(i);
    Ok(match i.memory_size() {
        MemorySize::Float32 => float::widen(cpu.mmu.read::<u32>(a)? as u64, F32),
        MemorySize::Float64 => float::widen(cpu.mmu.read::<u64>(a)?, F64),
        MemorySize::Float80 => (read80(cpu, a)?, false),
        MemorySize::Int16 => (
            float::from_i64(cpu.mmu.read::<u16>(a)? as i16 as i64),
            false,
        ),
        MemorySize::Int32 => (
            float::from_i64(cpu.mmu.read::<u32>(a)? as i32 as i64),
            false,
        ),
        _ => (float::from_i64(cpu.mmu.read::<u64>(a)? as i64), false),
    })
}

/// DE for a memory operand that was a denormal in its own format: raised unless a
/// NaN operand, an invalid operation or a division by zero took precedence.
fn mem_denormal(o: &mut Out, a: u128, b: u128, was_denormal: bool) {
    if was_denormal && o.flags & (IE | ZE) == 0 && float::nan2(a, b).is_none() {
        o.flags |= DE;
    }
}

// ---------------------------------------------------------------------------------
// Loads and stores.

fn fld(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    if i.op0_kind() == OpKind::Memory {
        let a = cpu.ea(i);
        let o = match i.memory_size() {
            MemorySize::Float32 => float::from_ieee(cpu.mmu.read::<u32>(a)? as u64, F32),
            MemorySize::Float64 => float::from_ieee(cpu.mmu.read::<u64>(a)?, F64),
            _ => Out {
                val: read80(cpu, a)?,
                flags: 0,
                up: false,
            },
        };
        let x = &mut cpu.state.x87;
        if valid(x, 7) {
            if overflow(x) {
                push(x, INDEFINITE);
            }
            return Ok(());
        }
        // Unmasked IE (an SNaN) loads nothing; an unmasked DE still loads.
        if unmasked(x, o.flags) & IE != 0 {
            raise(x, o.flags as u16);
            return Ok(());
        }
        raise(x, o.flags as u16);
        set_c1(x, false);
        push(x, o.val);
    } else {
        let x = &mut cpu.state.x87;
        let s = op_st(i, 0);
        if !valid(x, s) {
            // Masked underflow: the indefinite is pushed (only the underflow is
            // reported, as on the host).
            if underflow(x) {
                push(x, INDEFINITE);
            }
            return Ok(());
        }
        let v = st(x, s);
        set_c1(x, false);
        push_checked(x, v);
    }
    Ok(())
}

fn fild(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    let (v, _) = load_operand(cpu, i)?;
    let x = &mut cpu.state.x87;
    set_c1(x, false);
    push_checked(x, v);
    Ok(())
}

fn fbld(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    let a = cpu.ea(i);
    let mut b = [0u8; 10];
    cpu.mmu.read_bytes(a, &mut b)?;
    let mut v: u64 = 0;
    for k in (0..9).rev() {
        // Invalid digits (A-F) give an undefined but harmless value.
        v = v
            .wrapping_mul(100)
            .wrapping_add((b[k] >> 4) as u64 * 10 + (b[k] & 15) as u64);
    }
    let x = &mut cpu.state.x87;
    set_c1(x, false);
    push_checked(x, float::from_u64(b[9] & 0x80 != 0, v));
    Ok(())
}

fn fst(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    let pops = i.mnemonic() != M::Fst;
    let x = &mut cpu.state.x87;
    let empty = !valid(x, 0);
    let v = st(x, 0);
    if i.op0_kind() != OpKind::Memory {
        let d = op_st(i, 0);
        if empty {
            if !underflow(x) {
                return Ok(());
            }
            set_st(x, d, INDEFINITE);
        } else {
            set_c1(x, false);
            set_st(x, d, v);
        }
        if pops {
            pop(x);
        }
        return Ok(());
    }
    let fcw = x.fcw;
    let a = cpu.ea(i);
    let size = i.memory_size();
    if empty {
        let x = &mut cpu.state.x87;
        if !underflow(x) {
            return Ok(());
        }
        match size {
            MemorySize::Float32 => cpu.mmu.write::<u32>(a, 0xffc0_0000)?,
            MemorySize::Float64 => cpu.mmu.write::<u64>(a, 0xfff8_0000_0000_0000)?,
            _ => write80(cpu, a, INDEFINITE)?,
        }
        if pops {
            pop(&mut cpu.state.x87);
        }
        return Ok(());
    }
    let env = Env::full(fcw);
    let (bits, flags, up) = match size {
        MemorySize::Float32 => float::to_ieee(v, F32, &env),
        MemorySize::Float64 => float::to_ieee(v, F64, &env),
        _ => {
            write80(cpu, a, v)?;
            let x = &mut cpu.state.x87;
            set_c1(x, false);
            if pops {
                pop(x);
            }
            return Ok(());
        }
    };
    let store = unmasked(&cpu.state.x87, flags) & (IE | OE | UE) == 0;
    if store {
        if size == MemorySize::Float32 {
            cpu.mmu.write::<u32>(a, bits as u32)?;
        } else {
            cpu.mmu.write::<u64>(a, bits)?;
        }
    }
    let x = &mut cpu.state.x87;
    if commit_store(x, flags, up) && pops {
        pop(x);
    }
    Ok(())
}

fn int_bits(size: MemorySize) -> u32 {
    match size {
        MemorySize::Int16 => 16,
        MemorySize::Int32 => 32,
        _ => 64,
    }
}

fn write_int(cpu: &mut Cpu, a: u64, bits: u32, v: i64) -> Result<(), Trap> {
    match bits {
        16 => cpu.mmu.write::<u16>(a, v as u16)?,
        32 => cpu.mmu.write::<u32>(a, v as u32)?,
        _ => cpu.mmu.write::<u64>(a, v as u64)?,
    }
    Ok(())
}

/// FIST/FISTP (rounding mode of FCW) and FISTTP (truncation).
fn fist(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    let pops = i.mnemonic() != M::Fist;
    let a = cpu.ea(i);
    let bits = int_bits(i.memory_size());
    let x = &cpu.state.x87;
    let mut env = Env::full(x.fcw);
    if i.mnemonic() == M::Fisttp {
        env.rc = Rc::Zero;
    }
    if !valid(x, 0) {
        if !underflow(&mut cpu.state.x87) {
            return Ok(());
        }
        write_int(cpu, a, bits, i64::MIN >> (64 - bits))?;
        if pops {
            pop(&mut cpu.state.x87);
        }
        return Ok(());
    }
    let (v, flags, up) = float::to_int(st(x, 0), bits, &env);
    if unmasked(x, flags) & IE == 0 {
        write_int(cpu, a, bits, v)?;
    }
    let x = &mut cpu.state.x87;
    if commit_store(x, flags, up) && pops {
        pop(x);
    }
    Ok(())
}

fn fbstp(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    let a = cpu.ea(i);
    let x = &cpu.state.x87;
    let env = Env::full(x.fcw);
    const BCD_INDEFINITE: [u8; 10] = [0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff];
    if !valid(x, 0) {
        if underflow(&mut cpu.state.x87) {
            cpu.mmu.write_bytes(a, &BCD_INDEFINITE)?;
            pop(&mut cpu.state.x87);
        }
        return Ok(());
    }
    let v = st(x, 0);
    let mut r = float::round_int(v, &env);
    // Like FIST, FBSTP raises no DE for a denormal source.
    r.flags &= !DE;
    let (out, flags) = match float::classify(r.val) {
        float::Class::Zero => {
            let mut b = [0u8; 10];
            b[9] = if float::is_neg(r.val) { 0x80 } else { 0 };
            (b, r.flags)
        }
        float::Class::Normal if (0x3fff..0x3fff + 60).contains(&float::exp_field(r.val)) => {
            let f = float::fin(r.val);
            let mut mag = f.sig >> (63 - f.exp);
            if mag >= 1_000_000_000_000_000_000 {
                (BCD_INDEFINITE, IE)
            } else {
                let mut b = [0u8; 10];
                for byte in b.iter_mut().take(9) {
                    let lo = (mag % 10) as u8;
                    mag /= 10;
                    let hi = (mag % 10) as u8;
                    mag /= 10;
                    *byte = hi << 4 | lo;
                }
                b[9] = if f.neg { 0x80 } else { 0 };
                (b, r.flags)
            }
        }
        _ => (BCD_INDEFINITE, IE),
    };
    if unmasked(x, flags) & IE == 0 {
        cpu.mmu.write_bytes(a, &out)?;
    }
    let up = r.up && flags & IE == 0;
    let x = &mut cpu.state.x87;
    if commit_store(x, flags, up) {
        pop(x);
    }
    Ok(())
}

fn fxch(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    let s = if i.op_count() > 1 { op_st(i, 1) } else { 1 };
    let x = &mut cpu.state.x87;
    let (mut a, mut b) = (st(x, 0), st(x, s));
    if !valid(x, 0) || !valid(x, s) {
        if !underflow(x) {
            return Ok(());
        }
        if !valid(x, 0) {
            a = INDEFINITE;
        }
        if !valid(x, s) {
            b = INDEFINITE;
        }
    } else {
        set_c1(x, false);
    }
    set_st(x, 0, b);
    set_st(x, s, a);
    Ok(())
}

/// FLD1, FLDZ, FLDPI, FLDL2E, FLDL2T, FLDLG2, FLDLN2: the constants are held with
/// more than 64 bits and rounded in the rounding mode (no PE, no C1).
fn fconst(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    // (round-to-nearest value, whether that value was rounded up)
    let (v, nearest_up): (u128, bool) = match i.mnemonic() {
        M::Fld1 => (0x3fff_8000_0000_0000_0000, false),
        M::Fldz => (0, false),
        M::Fldpi => (0x4000_c90f_daa2_2168_c235, true),
        M::Fldl2e => (0x3fff_b8aa_3b29_5c17_f0bc, true),
        M::Fldl2t => (0x4000_d49a_784b_cd1b_8afe, false),
        M::Fldlg2 => (0x3ffd_9a20_9a84_fbcf_f799, true),
        _ => (0x3ffe_b172_17f7_d1cf_79ac, true),
    };
    let x = &mut cpu.state.x87;
    let exact = matches!(i.mnemonic(), M::Fld1 | M::Fldz);
    let v = match Rc::from_fcw(x.fcw) {
        Rc::Down | Rc::Zero if nearest_up && !exact => v - 1,
        Rc::Up if !nearest_up && !exact => v + 1,
        _ => v,
    };
    set_c1(x, false);
    push_checked(x, v);
    Ok(())
}

// ---------------------------------------------------------------------------------
// Arithmetic.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Bin {
    Add,
    Sub,
    Mul,
    Div,
}

fn arith(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    let (op, rev, pops) = match i.mnemonic() {
        M::Fadd | M::Fiadd => (Bin::Add, false, false),
        M::Faddp => (Bin::Add, false, true),
        M::Fsub | M::Fisub => (Bin::Sub, false, false),
        M::Fsubp => (Bin::Sub, false, true),
        M::Fsubr | M::Fisubr => (Bin::Sub, true, false),
        M::Fsubrp => (Bin::Sub, true, true),
        M::Fmul | M::Fimul => (Bin::Mul, false, false),
        M::Fmulp => (Bin::Mul, false, true),
        M::Fdiv | M::Fidiv => (Bin::Div, false, false),
        M::Fdivp => (Bin::Div, false, true),
        M::Fdivr | M::Fidivr => (Bin::Div, true, false),
        _ => (Bin::Div, true, true),
    };
    // result ST(d) = ST(d) op other (reversed: other op ST(d))
    let (d, other, mem_de) = if i.op0_kind() == OpKind::Memory {
        let (v, de) = load_operand(cpu, i)?;
        (0, Err(v), de)
    } else if i.op_count() >= 2 {
        (op_st(i, 0), Ok(op_st(i, 1)), false)
    } else {
        (1, Ok(0), false)
    };
    let x = &mut cpu.state.x87;
    let other_ok = match other {
        Ok(s) => valid(x, s),
        Err(_) => true,
    };
    if !valid(x, d) || !other_ok {
        if underflow(x) {
            set_st(x, d, INDEFINITE);
            if pops {
                pop(x);
            }
        }
        return Ok(());
    }
    let a = st(x, d);
    let b = match other {
        Ok(s) => st(x, s),
        Err(v) => v,
    };
    let (l, r) = if rev { (b, a) } else { (a, b) };
    let env = Env::pc(x.fcw);
    let mut o = match op {
        Bin::Add => float::add(l, r, false, &env),
        Bin::Sub => float::add(l, r, true, &env),
        Bin::Mul => float::mul(l, r, &env),
        Bin::Div => float::div(l, r, &env),
    };
    mem_denormal(&mut o, l, r, mem_de);
    if let Some(v) = commit(x, o) {
        set_st(x, d, v);
        if pops {
            pop(x);
        }
    }
    Ok(())
}

/// A one-operand operation on ST(0): underflow handling, then `f`.
fn unary(cpu: &mut Cpu, f: impl FnOnce(u128, u16) -> Out) -> Result<(), Trap> {
    wait_check(cpu)?;
    let x = &mut cpu.state.x87;
    if !valid(x, 0) {
        if underflow(x) {
            set_st(x, 0, INDEFINITE);
        }
        return Ok(());
    }
    let o = f(st(x, 0), x.fcw);
    if let Some(v) = commit(x, o) {
        set_st(x, 0, v);
    }
    Ok(())
}

fn fsign(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let chs = i.mnemonic() == M::Fchs;
    unary(cpu, |a, _| Out {
        val: if chs {
            a ^ float::SIGN
        } else {
            a & !float::SIGN
        },
        flags: 0,
        up: false,
    })
}

fn fsqrt(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    unary(cpu, |a, fcw| float::sqrt(a, &Env::pc(fcw)))
}

fn frndint(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    unary(cpu, |a, fcw| float::round_int(a, &Env::full(fcw)))
}

fn fscale(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    let x = &mut cpu.state.x87;
    if !valid(x, 0) || !valid(x, 1) {
        if underflow(x) {
            set_st(x, 0, INDEFINITE);
        }
        return Ok(());
    }
    let o = float::scale(st(x, 0), st(x, 1), &Env::full(x.fcw));
    if let Some(v) = commit(x, o) {
        set_st(x, 0, v);
    }
    Ok(())
}

fn fxtract(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    let x = &mut cpu.state.x87;
    if !valid(x, 0) {
        // Masked underflow: both results are the indefinite; only the underflow
        // is reported.
        if underflow(x) {
            set_st(x, 0, INDEFINITE);
            push(x, INDEFINITE);
        }
        return Ok(());
    }
    if valid(x, 7) {
        if overflow(x) {
            set_st(x, 0, INDEFINITE);
            push(x, INDEFINITE);
        }
        return Ok(());
    }
    let (e, s, flags) = float::xtract(st(x, 0));
    let o = Out {
        val: e,
        flags,
        up: false,
    };
    // ZE (zero operand) is raised with the masked response still computed.
    if unmasked(x, flags) & (IE | DE | ZE) != 0 {
        raise(x, flags as u16);
        return Ok(());
    }
    if let Some(e) = commit(x, o) {
        set_st(x, 0, e);
        push(x, s);
    }
    Ok(())
}

fn fprem(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    let ieee = i.mnemonic() == M::Fprem1;
    let x = &mut cpu.state.x87;
    if !valid(x, 0) || !valid(x, 1) {
        set_cc(x, C2, 0);
        if underflow(x) {
            set_st(x, 0, INDEFINITE);
        }
        return Ok(());
    }
    let p = float::prem(st(x, 0), st(x, 1), ieee, &Env::full(x.fcw));
    let o = Out {
        val: p.val,
        flags: p.flags,
        up: false,
    };
    // C2 is cleared also when an unmasked exception suppresses the result.
    set_cc(x, C2, 0);
    if let Some(v) = commit(x, o) {
        set_st(x, 0, v);
        let mut cc = 0;
        if p.incomplete {
            cc |= C2;
        }
        match p.q {
            Some(q) => {
                if q & 1 != 0 {
                    cc |= C1;
                }
                if q & 2 != 0 {
                    cc |= C3;
                }
                if q & 4 != 0 {
                    cc |= C0;
                }
                set_cc(x, CC, cc);
            }
            None => set_cc(x, C1 | C2, 0),
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Comparisons and classification.

fn cmp_cc(c: Cmp) -> u16 {
    match c {
        Cmp::Greater => 0,
        Cmp::Less => C0,
        Cmp::Equal => C3,
        Cmp::Unordered => C3 | C2 | C0,
    }
}

fn fcom(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    let m = i.mnemonic();
    let quiet = matches!(m, M::Fucom | M::Fucomp | M::Fucompp);
    let pops = match m {
        M::Fcomp | M::Fucomp | M::Ficomp => 1,
        M::Fcompp | M::Fucompp => 2,
        _ => 0,
    };
    let (other, mem_de) = if m == M::Ftst {
        (Err(0u128), false)
    } else if i.op_count() >= 1 && i.op0_kind() == OpKind::Memory {
        let (v, de) = load_operand(cpu, i)?;
        (Err(v), de)
    } else if i.op_count() >= 2 {
        (Ok(op_st(i, 1)), false)
    } else {
        (Ok(1), false)
    };
    let x = &mut cpu.state.x87;
    let other_ok = match other {
        Ok(s) => valid(x, s),
        Err(_) => true,
    };
    let c = if !valid(x, 0) || !other_ok {
        if !underflow(x) {
            // Unmasked: nothing is popped, but the relation is still reported.
            set_cc(x, C0 | C2 | C3, cmp_cc(Cmp::Unordered));
            return Ok(());
        }
        Cmp::Unordered
    } else {
        let b = match other {
            Ok(s) => st(x, s),
            Err(v) => v,
        };
        let (c, mut flags) = float::compare(st(x, 0), b, quiet);
        if mem_de && c != Cmp::Unordered {
            flags |= DE;
        }
        if unmasked(x, flags) & (IE | DE) != 0 {
            // Nothing is popped, but the host still reports the relation.
            raise(x, flags as u16);
            set_cc(x, CC, cmp_cc(c));
            return Ok(());
        }
        raise(x, flags as u16);
        set_c1(x, false);
        c
    };
    set_cc(x, C0 | C2 | C3, cmp_cc(c));
    for _ in 0..pops {
        pop(x);
    }
    Ok(())
}

fn fcomi(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    use crate::flags::{CF, PF, ZF};
    wait_check(cpu)?;
    let m = i.mnemonic();
    let quiet = matches!(m, M::Fucomi | M::Fucomip);
    let pops = matches!(m, M::Fcomip | M::Fucomip);
    let s = op_st(i, 1);
    let x = &mut cpu.state.x87;
    let mut pops = pops;
    let c = if !valid(x, 0) || !valid(x, s) {
        if !underflow(x) {
            pops = false;
        }
        Cmp::Unordered
    } else {
        let (c, flags) = float::compare(st(x, 0), st(x, s), quiet);
        // C1 is left as it was (as on the host).
        raise(x, flags as u16);
        // An unmasked exception suppresses the pop; EFLAGS are still set.
        if unmasked(x, flags) & (IE | DE) != 0 {
            pops = false;
        }
        c
    };
    if pops {
        pop(x);
    }
    let f = match c {
        Cmp::Greater => 0,
        Cmp::Less => CF,
        Cmp::Equal => ZF,
        Cmp::Unordered => ZF | PF | CF,
    };
    cpu.state.flags.set_arith(f);
    Ok(())
}

fn fxam(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    use float::Class;
    let x = &mut cpu.state.x87;
    let v = st(x, 0);
    let cc = if !valid(x, 0) {
        C3 | C0
    } else {
        match float::classify(v) {
            Class::Unsupported => 0,
            Class::QNaN | Class::SNaN => C0,
            Class::Normal => C2,
            Class::Infinity => C2 | C0,
            Class::Zero => C3,
            Class::Denormal => C3 | C2,
        }
    };
    // C1 is the sign bit, also of an empty register's stale contents.
    set_cc(x, CC, cc | if float::is_neg(v) { C1 } else { 0 });
    Ok(())
}

fn fcmov(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    let f = &cpu.state.flags;
    let cond = match i.mnemonic() {
        M::Fcmovb => f.cf(),
        M::Fcmove => f.zf(),
        M::Fcmovbe => f.cf() || f.zf(),
        M::Fcmovu => f.pf(),
        M::Fcmovnb => !f.cf(),
        M::Fcmovne => !f.zf(),
        M::Fcmovnbe => !f.cf() && !f.zf(),
        _ => !f.pf(),
    };
    let s = op_st(i, 1);
    let x = &mut cpu.state.x87;
    if !valid(x, 0) || !valid(x, s) {
        // Masked stack underflow: ST(0) becomes the indefinite whatever the
        // condition (as the host does).
        if underflow(x) {
            set_st(x, 0, INDEFINITE);
        }
        return Ok(());
    }
    // C1 is left as it was.
    if cond {
        let v = st(x, s);
        set_st(x, 0, v);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// Control.

fn fnstcw(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    if i.mnemonic() == M::Fstcw {
        wait_check(cpu)?;
    }
    let a = cpu.ea(i);
    let v = cpu.state.x87.fcw;
    cpu.mmu.write::<u16>(a, v)?;
    Ok(())
}

/// Load a control word: reserved bits read back as the hardware shows them.
pub fn load_fcw(x: &mut X87, v: u16) {
    x.fcw = (v & 0x1f3f) | 0x40;
    update_es(x);
}

fn fldcw(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    let a = cpu.ea(i);
    let v = cpu.mmu.read::<u16>(a)?;
    load_fcw(&mut cpu.state.x87, v);
    Ok(())
}

fn fnstsw(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    if i.mnemonic() == M::Fstsw {
        wait_check(cpu)?;
    }
    let v = status_word(&cpu.state.x87);
    if i.op0_kind() == OpKind::Memory {
        let a = cpu.ea(i);
        cpu.mmu.write::<u16>(a, v)?;
    } else {
        cpu.set_reg(Register::AX, v as u64);
    }
    Ok(())
}

fn fnclex(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    if i.mnemonic() == M::Fclex {
        wait_check(cpu)?;
    }
    cpu.state.x87.fsw &= !(0x00ff | B);
    Ok(())
}

/// FNINIT's state (the registers themselves are left as they are).
pub fn init(x: &mut X87) {
    x.fcw = 0x037f;
    x.fsw = 0;
    x.top = 0;
    x.tags = 0;
}

fn fninit(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    if i.mnemonic() == M::Finit {
        wait_check(cpu)?;
    }
    init(&mut cpu.state.x87);
    Ok(())
}

fn fwait(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)
}

fn fnop(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)
}

fn nowait_nop(_: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    Ok(())
}

fn ffree(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    let s = op_st(i, 0);
    let x = &mut cpu.state.x87;
    x.tags &= !(1 << phys(x, s));
    set_c1(x, false);
    if i.mnemonic() == M::Ffreep {
        pop(x);
    }
    Ok(())
}

fn fincdecstp(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    let x = &mut cpu.state.x87;
    x.top = if i.mnemonic() == M::Fincstp {
        x.top.wrapping_add(1)
    } else {
        x.top.wrapping_sub(1)
    } & 7;
    set_c1(x, false);
    Ok(())
}

// ---------------------------------------------------------------------------------
// Conversions for other parts of puffer (signal frames, debuggers). Unused inside
// the CPU crate until the crate root re-exports them.

/// The binary64 value nearest to an 80-bit value (round to nearest even; NaN
/// payloads are truncated, unsupported formats become the default NaN). Exact
/// whenever the value is representable in binary64.
#[allow(dead_code)]
pub fn f80_to_f64(bits: u128) -> f64 {
    let env = Env::full(0x037f);
    f64::from_bits(float::to_ieee(bits & ((1 << 80) - 1), F64, &env).0)
}

/// The 80-bit value of a binary64 value (exact; an SNaN stays signalling).
#[allow(dead_code)]
pub fn f64_to_f80(v: f64) -> u128 {
    float::widen(v.to_bits(), F64).0
}
