//! Data movement: MOV MOVZX MOVSX MOVSXD LEA XCHG CMOVcc SETcc BSWAP, the sign
//! extensions of the accumulator (CBW CWDE CDQE CWD CDQ CQO), LAHF/SAHF.

use crate::flags;
use crate::operand::mask_of;
use crate::{Cpu, Trap};
use iced_x86::{Instruction, OpKind, Register};

pub fn mov<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = cpu.read_op::<S>(i, 1)?;
    cpu.write_op::<S>(i, 0, v)
}

/// MOV r64, r64: the most common instruction of all.
pub fn mov_r64_r64(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = cpu.reg(i.op1_register());
    cpu.set_reg(i.op0_register(), v);
    Ok(())
}

/// MOV r, r (16/32-bit; the 32-bit form zero-extends, the usual idiom for it).
pub fn mov_r_r<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = cpu.reg_s::<S>(i.op1_register());
    cpu.set_reg_s::<S>(i.op0_register(), v);
    Ok(())
}

/// MOV r, imm (16/32/64-bit registers).
pub fn mov_r_i<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    cpu.set_reg_s::<S>(i.op0_register(), i.immediate(1));
    Ok(())
}

/// MOV r, [m] (any GPR size).
pub fn mov_r_m<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = cpu.ea(i);
    let v = cpu.load::<S>(a)?;
    cpu.set_reg(i.op0_register(), v);
    Ok(())
}

/// MOV [m], r.
pub fn mov_m_r<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = cpu.ea(i);
    let v = cpu.reg(i.op1_register());
    cpu.store::<S>(a, v)
}

/// MOVZX/MOVSX/MOVSXD with the source size `SS` and destination size `DS` fixed at
/// decode time (`SX`: sign-extend).
pub fn movx<const SS: usize, const DS: usize, const SX: bool>(
    cpu: &mut Cpu,
    i: &Instruction,
) -> Result<(), Trap> {
    let v = match i.op1_kind() {
        OpKind::Memory => {
            let a = cpu.ea(i);
            cpu.load::<SS>(a)?
        }
        _ => cpu.reg(i.op1_register()),
    };
    let v = if SX {
        let sh = 64 - SS * 8;
        (((v << sh) as i64) >> sh) as u64
    } else {
        v
    };
    cpu.set_reg_s::<DS>(i.op0_register(), v);
    Ok(())
}

/// MOV [m], imm.
pub fn mov_m_i<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = cpu.ea(i);
    cpu.store::<S>(a, i.immediate(1))
}

pub fn lea(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    // LEA computes the offset only: no segment base.
    let mut a = i.memory_displacement64();
    let base = i.memory_base();
    if base != Register::None && base != Register::RIP && base != Register::EIP {
        a = a.wrapping_add(cpu.reg(base));
    }
    let index = i.memory_index();
    if index != Register::None {
        a = a.wrapping_add(cpu.reg(index) << i.memory_index_scale().trailing_zeros());
    }
    if crate::operand::GPR[base as usize].size == 4 || crate::operand::GPR[index as usize].size == 4
    {
        // 0x67 address-size prefix: the address is computed in 32 bits.
        a &= 0xffff_ffff;
    }
    cpu.set_reg(i.op0_register(), a);
    Ok(())
}

pub fn xchg<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    if i.op0_kind() == OpKind::Register && i.op1_kind() == OpKind::Register {
        let (r0, r1) = (i.op0_register(), i.op1_register());
        let (a, b) = (cpu.reg(r0), cpu.reg(r1));
        cpu.set_reg(r0, b);
        cpu.set_reg(r1, a);
        return Ok(());
    }
    // One operand is memory, the other a register.
    let (mem_n, reg_n) = if i.op0_kind() == OpKind::Memory {
        (0, 1)
    } else {
        (1, 0)
    };
    let _ = mem_n;
    let r = i.op_register(reg_n);
    let addr = cpu.ea(i);
    let m = cpu.load::<S>(addr)?;
    let v = cpu.reg(r);
    cpu.store::<S>(addr, v)?;
    cpu.set_reg(r, m);
    Ok(())
}

/// CMOVcc: the source is read (and may fault) even when the condition is false; a
/// 32-bit destination is zero-extended either way.
pub fn cmov<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = cpu.read_op::<S>(i, 1)?;
    let cc = cond_code(i);
    let r = i.op0_register();
    if cpu.state.flags.cond(cc) {
        cpu.set_reg(r, v);
    } else if S == 4 {
        let cur = cpu.reg(r);
        cpu.set_reg(r, cur);
    }
    Ok(())
}

pub fn setcc(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = cpu.state.flags.cond(cond_code(i)) as u64;
    cpu.write_op::<1>(i, 0, v)
}

/// The condition-code nibble of a Jcc/SETcc/CMOVcc.
pub fn cond_code(i: &Instruction) -> u8 {
    use iced_x86::ConditionCode as C;
    match i.condition_code() {
        C::o => 0,
        C::no => 1,
        C::b => 2,
        C::ae => 3,
        C::e => 4,
        C::ne => 5,
        C::be => 6,
        C::a => 7,
        C::s => 8,
        C::ns => 9,
        C::p => 10,
        C::np => 11,
        C::l => 12,
        C::ge => 13,
        C::le => 14,
        C::g => 15,
        C::None => 0,
    }
}

pub fn bswap<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let r = i.op0_register();
    let v = cpu.reg(r);
    let out = match S {
        // BSWAP r16 is undefined; the hardware zeroes the low word.
        2 => 0,
        4 => (v as u32).swap_bytes() as u64,
        _ => v.swap_bytes(),
    };
    cpu.set_reg(r, out);
    Ok(())
}

/// CBW / CWDE / CDQE: sign-extend the low half of the accumulator into all of it.
pub fn cbw<const S: usize>(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    let rax = cpu.state.gpr[0];
    let half = S * 4;
    let v = ((((rax << (64 - half)) as i64) >> (64 - half)) as u64) & mask_of(S);
    cpu.state.gpr[0] = match S {
        2 => (rax & !0xffff) | v,
        4 => v,
        _ => v,
    };
    Ok(())
}

/// CWD / CDQ / CQO: fill rDX with the sign of rAX.
pub fn cwd<const S: usize>(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    let a = cpu.state.gpr[0] & mask_of(S);
    let neg = (a >> (S * 8 - 1)) & 1 != 0;
    let fill = if neg { mask_of(S) } else { 0 };
    let rdx = cpu.state.gpr[2];
    cpu.state.gpr[2] = match S {
        2 => (rdx & !0xffff) | fill,
        _ => fill,
    };
    Ok(())
}

/// LAHF: AH = SF:ZF:0:AF:0:PF:1:CF.
pub fn lahf(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    let f = (cpu.state.flags.get() & 0xd5) | 2;
    cpu.state.gpr[0] = (cpu.state.gpr[0] & !0xff00) | (f << 8);
    Ok(())
}

pub fn sahf(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    let ah = (cpu.state.gpr[0] >> 8) & 0xd5;
    let mask = flags::CF | flags::PF | flags::AF | flags::ZF | flags::SF;
    cpu.state.flags.update_arith(mask, ah & mask);
    Ok(())
}

/// XLAT/XLATB: AL = [rBX + AL] (with the segment override, if any).
pub fn xlat(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let al = cpu.state.gpr[0] & 0xff;
    let base = match i.memory_base() {
        Register::EBX => cpu.state.gpr[crate::reg::RBX] & 0xffff_ffff,
        _ => cpu.state.gpr[crate::reg::RBX],
    };
    let mut a = base.wrapping_add(al);
    match i.memory_segment() {
        Register::FS => a = a.wrapping_add(cpu.state.fs_base),
        Register::GS => a = a.wrapping_add(cpu.state.gs_base),
        _ => {}
    }
    let v = cpu.load::<1>(a)?;
    cpu.state.gpr[0] = (cpu.state.gpr[0] & !0xff) | v;
    Ok(())
}
