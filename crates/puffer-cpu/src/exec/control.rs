//! Control transfer: JMP Jcc CALL RET LOOP/LOOPcc JrCXZ. Near branches only; the
//! targets iced-x86 computed at decode time are absolute.

use crate::reg::RCX;
use crate::{Cpu, Trap};
use iced_x86::{Instruction, OpKind};

#[inline(always)]
fn branch_target(cpu: &mut Cpu, i: &Instruction) -> Result<u64, Trap> {
    match i.op0_kind() {
        OpKind::NearBranch64 | OpKind::NearBranch32 | OpKind::NearBranch16 => {
            Ok(i.near_branch_target())
        }
        _ => cpu.read_op::<8>(i, 0),
    }
}

pub fn jmp(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    cpu.state.rip = branch_target(cpu, i)?;
    Ok(())
}

pub fn jmp_rel(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    cpu.state.rip = i.near_branch_target();
    Ok(())
}

/// Jcc with the condition fixed at decode time, so only the flags it needs are
/// evaluated.
pub fn jcc<const CC: u8>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    if cpu.state.flags.cond(CC) {
        cpu.state.rip = i.near_branch_target();
    }
    Ok(())
}

pub fn call(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let target = branch_target(cpu, i)?;
    cpu.push64(i.next_ip())?;
    cpu.state.rip = target;
    Ok(())
}

pub fn ret(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let target = cpu.pop64()?;
    if i.op_count() == 1 {
        let sp = &mut cpu.state.gpr[crate::reg::RSP];
        *sp = sp.wrapping_add(i.immediate16() as u64);
    }
    cpu.state.rip = target;
    Ok(())
}

/// LOOP/LOOPE/LOOPNE: decrement rCX (address size decides its width), no flags.
pub fn loop_(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    use iced_x86::Mnemonic;
    let wide = i.op_register(1) != iced_x86::Register::ECX;
    let c = if wide {
        let c = cpu.state.gpr[RCX].wrapping_sub(1);
        cpu.state.gpr[RCX] = c;
        c
    } else {
        let c = (cpu.state.gpr[RCX] as u32).wrapping_sub(1) as u64;
        cpu.state.gpr[RCX] = c;
        c
    };
    let take = c != 0
        && match i.mnemonic() {
            Mnemonic::Loope => cpu.state.flags.zf(),
            Mnemonic::Loopne => !cpu.state.flags.zf(),
            _ => true,
        };
    if take {
        cpu.state.rip = i.near_branch_target();
    }
    Ok(())
}

pub fn jrcxz(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let c = match i.mnemonic() {
        iced_x86::Mnemonic::Jecxz => cpu.state.gpr[RCX] & 0xffff_ffff,
        _ => cpu.state.gpr[RCX],
    };
    if c == 0 {
        cpu.state.rip = i.near_branch_target();
    }
    Ok(())
}
