//! Integer arithmetic and logic: ADD ADC SUB SBB CMP AND OR XOR TEST INC DEC NEG NOT.
//! Flags are recorded lazily (see `flags`): these are the hottest instructions.

use crate::flags::{Flags, Op};
use crate::{Cpu, Trap};
use iced_x86::{Instruction, OpKind};

const fn bits(s: usize) -> u8 {
    (s * 8) as u8
}

/// Operand forms the decoder distinguishes, so the common ones run without looking
/// at operand kinds: register-register, register-immediate, register-memory, and the
/// general case (memory destination).
pub const RR: u8 = 0;
pub const RI: u8 = 1;
pub const RM: u8 = 2;
pub const ANY: u8 = 3;

/// Apply `f(flags, dst, src)` to operand 0 and 1; store the result in operand 0 when
/// `WRITE`. The memory form computes into a copy of the flags and commits them only
/// after the store succeeded, so a faulting store changes nothing.
#[inline(always)]
fn binop<const S: usize, const WRITE: bool, const FORM: u8>(
    cpu: &mut Cpu,
    i: &Instruction,
    f: impl FnOnce(&mut Flags, u64, u64) -> u64,
) -> Result<(), Trap> {
    let b = match FORM {
        RR => cpu.reg_s::<S>(i.op1_register()),
        RI => i.immediate(1) & crate::operand::mask_of(S),
        RM => {
            let a = cpu.ea(i);
            cpu.load::<S>(a)?
        }
        _ => cpu.read_op::<S>(i, 1)?,
    };
    if FORM != ANY || i.op0_kind() == OpKind::Register {
        let r = i.op0_register();
        let a = cpu.reg_s::<S>(r);
        let res = f(&mut cpu.state.flags, a, b);
        if WRITE {
            cpu.set_reg_s::<S>(r, res);
        }
    } else {
        let addr = cpu.ea(i);
        let a = cpu.load::<S>(addr)?;
        let mut fl = cpu.state.flags;
        let res = f(&mut fl, a, b);
        if WRITE {
            cpu.store::<S>(addr, res)?;
        }
        cpu.state.flags = fl;
    }
    Ok(())
}

/// Apply `f` to operand 0 alone (INC, DEC, NEG, NOT).
#[inline(always)]
fn unop<const S: usize>(
    cpu: &mut Cpu,
    i: &Instruction,
    f: impl FnOnce(&mut Flags, u64) -> u64,
) -> Result<(), Trap> {
    if i.op0_kind() == OpKind::Register {
        let r = i.op0_register();
        let a = cpu.reg_s::<S>(r);
        let res = f(&mut cpu.state.flags, a);
        cpu.set_reg_s::<S>(r, res);
    } else {
        let addr = cpu.ea(i);
        let a = cpu.load::<S>(addr)?;
        let mut fl = cpu.state.flags;
        let res = f(&mut fl, a);
        cpu.store::<S>(addr, res)?;
        cpu.state.flags = fl;
    }
    Ok(())
}

pub fn add<const S: usize, const FORM: u8>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    binop::<S, true, FORM>(cpu, i, |f, a, b| {
        let r = a.wrapping_add(b);
        f.set_lazy(Op::Add, bits(S), a, b, r);
        r
    })
}

pub fn adc<const S: usize, const FORM: u8>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    binop::<S, true, FORM>(cpu, i, |f, a, b| {
        let c = f.cf();
        let r = a.wrapping_add(b).wrapping_add(c as u64);
        f.set_lazy_carry(Op::Adc, bits(S), a, b, r, c);
        r
    })
}

pub fn sub<const S: usize, const FORM: u8>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    binop::<S, true, FORM>(cpu, i, |f, a, b| {
        let r = a.wrapping_sub(b);
        f.set_lazy(Op::Sub, bits(S), a, b, r);
        r
    })
}

pub fn sbb<const S: usize, const FORM: u8>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    binop::<S, true, FORM>(cpu, i, |f, a, b| {
        let c = f.cf();
        let r = a.wrapping_sub(b).wrapping_sub(c as u64);
        f.set_lazy_carry(Op::Sbb, bits(S), a, b, r, c);
        r
    })
}

pub fn cmp<const S: usize, const FORM: u8>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    binop::<S, false, FORM>(cpu, i, |f, a, b| {
        let r = a.wrapping_sub(b);
        f.set_lazy(Op::Sub, bits(S), a, b, r);
        r
    })
}

pub fn and<const S: usize, const FORM: u8>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    binop::<S, true, FORM>(cpu, i, |f, a, b| {
        let r = a & b;
        f.set_logic(bits(S), r);
        r
    })
}

pub fn or<const S: usize, const FORM: u8>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    binop::<S, true, FORM>(cpu, i, |f, a, b| {
        let r = a | b;
        f.set_logic(bits(S), r);
        r
    })
}

pub fn xor<const S: usize, const FORM: u8>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    binop::<S, true, FORM>(cpu, i, |f, a, b| {
        let r = a ^ b;
        f.set_logic(bits(S), r);
        r
    })
}

pub fn test<const S: usize, const FORM: u8>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    binop::<S, false, FORM>(cpu, i, |f, a, b| {
        let r = a & b;
        f.set_logic(bits(S), r);
        r
    })
}

pub fn inc<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    unop::<S>(cpu, i, |f, a| {
        let r = a.wrapping_add(1);
        f.set_incdec(true, bits(S), a, r);
        r
    })
}

pub fn dec<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    unop::<S>(cpu, i, |f, a| {
        let r = a.wrapping_sub(1);
        f.set_incdec(false, bits(S), a, r);
        r
    })
}

/// NEG: CF = (operand != 0); the rest as for 0 - operand.
pub fn neg<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    unop::<S>(cpu, i, |f, a| {
        let r = 0u64.wrapping_sub(a);
        f.set_lazy(Op::Sub, bits(S), 0, a, r);
        r
    })
}

/// NOT: no flags.
pub fn not<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    unop::<S>(cpu, i, |_, a| !a)
}
