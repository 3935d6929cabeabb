//! The stack: PUSH POP PUSHF POPF LEAVE ENTER.

use crate::flags::USER_WRITABLE;
use crate::reg::{RBP, RSP};
use crate::{Cpu, Trap};
use iced_x86::{Instruction, OpKind};

pub fn push(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    if i.op0_kind() == OpKind::Memory && i.memory_size().size() == 2
        || i.op0_kind() == OpKind::Register && crate::operand::op_size(i, 0) == 2
        || i.op0_kind() == OpKind::Immediate8to16
        || i.op0_kind() == OpKind::Immediate16
    {
        let v = cpu.read_op::<2>(i, 0)?;
        let sp = cpu.state.gpr[RSP].wrapping_sub(2);
        cpu.store::<2>(sp, v)?;
        cpu.state.gpr[RSP] = sp;
        return Ok(());
    }
    let v = match i.op0_kind() {
        OpKind::Register => cpu.reg(i.op0_register()),
        OpKind::Memory => {
            let a = cpu.ea(i);
            cpu.load::<8>(a)?
        }
        _ => i.immediate(0),
    };
    cpu.push64(v)
}

pub fn push_r64(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = cpu.reg(i.op0_register());
    cpu.push64(v)
}

pub fn pop(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    if crate::operand::op_size(i, 0) == 2 {
        let sp = cpu.state.gpr[RSP];
        let v = cpu.load::<2>(sp)?;
        cpu.state.gpr[RSP] = sp.wrapping_add(2);
        return cpu.write_op::<2>(i, 0, v);
    }
    let sp = cpu.state.gpr[RSP];
    let v = cpu.load::<8>(sp)?;
    if i.op0_kind() == OpKind::Memory {
        // POP [rsp+x] computes the address with the incremented RSP.
        cpu.state.gpr[RSP] = sp.wrapping_add(8);
        let a = cpu.ea(i);
        if let Err(t) = cpu.store::<8>(a, v) {
            cpu.state.gpr[RSP] = sp;
            return Err(t);
        }
        return Ok(());
    }
    cpu.state.gpr[RSP] = sp.wrapping_add(8);
    cpu.set_reg(i.op0_register(), v);
    Ok(())
}

pub fn pop_r64(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = cpu.pop64()?;
    cpu.set_reg(i.op0_register(), v);
    Ok(())
}

/// PUSHFQ: RF and VM are cleared in the pushed image.
pub fn pushf(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    let f = cpu.state.flags.get() & !(1 << 16 | 1 << 17);
    cpu.push64(f)
}

pub fn popf(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    let v = cpu.pop64()?;
    let cur = cpu.state.flags.get();
    cpu.state
        .flags
        .set((cur & !USER_WRITABLE) | (v & USER_WRITABLE));
    Ok(())
}

pub fn leave(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    let bp = cpu.state.gpr[RBP];
    let v = cpu.load::<8>(bp)?;
    cpu.state.gpr[RSP] = bp.wrapping_add(8);
    cpu.state.gpr[RBP] = v;
    Ok(())
}

/// ENTER imm16, imm8 (64-bit operand size).
pub fn enter(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let size = i.immediate(0) & 0xffff;
    let level = i.immediate(1) & 0x1f;
    let rsp0 = cpu.state.gpr[RSP];
    let mut bp = cpu.state.gpr[RBP];
    let mut sp = rsp0.wrapping_sub(8);
    cpu.store::<8>(sp, bp)?;
    let frame = sp;
    if level > 0 {
        for _ in 1..level {
            bp = bp.wrapping_sub(8);
            let v = cpu.load::<8>(bp)?;
            sp = sp.wrapping_sub(8);
            cpu.store::<8>(sp, v)?;
        }
        sp = sp.wrapping_sub(8);
        cpu.store::<8>(sp, frame)?;
    }
    cpu.state.gpr[RBP] = frame;
    cpu.state.gpr[RSP] = sp.wrapping_sub(size);
    Ok(())
}
