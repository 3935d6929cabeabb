//! Bit operations and atomics: BT BTS BTR BTC BSF BSR TZCNT LZCNT POPCNT, and the
//! read-modify-write family CMPXCHG CMPXCHG8B CMPXCHG16B XADD. puffer runs one guest
//! instruction at a time, so LOCK-prefixed forms are atomic by construction.

use crate::flags::{Op, CF, PF, ZF};
use crate::operand::mask_of;
use crate::reg::{RAX, RBX, RCX, RDX};
use crate::{Cpu, Trap};
use iced_x86::{Instruction, Mnemonic, OpKind};

/// BT/BTS/BTR/BTC: CF = the selected bit. With a register bit offset and a memory
/// operand the offset is a signed bit index relative to the address (SDM "BT":
/// "Bit(BitBase, BitOffset)").
pub fn bt<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let bits = (S * 8) as u64;
    let m = i.mnemonic();
    let (off, from_reg) = match i.op1_kind() {
        OpKind::Register => (cpu.reg(i.op1_register()), true),
        _ => (i.immediate(1), false),
    };
    let apply = |v: u64, bit: u64| -> u64 {
        match m {
            Mnemonic::Bts => v | (1 << bit),
            Mnemonic::Btr => v & !(1 << bit),
            Mnemonic::Btc => v ^ (1 << bit),
            _ => v,
        }
    };
    let cf;
    if i.op0_kind() == OpKind::Register {
        let r = i.op0_register();
        let bit = off & (bits - 1);
        let v = cpu.reg(r);
        cf = (v >> bit) & 1;
        if m != Mnemonic::Bt {
            cpu.set_reg(r, apply(v, bit));
        }
    } else {
        let mut addr = cpu.ea(i);
        let bit;
        if from_reg {
            let soff = ((off << (64 - bits)) as i64) >> (64 - bits);
            addr = addr.wrapping_add(((soff >> bits.trailing_zeros()) * S as i64) as u64);
            bit = (soff as u64) & (bits - 1);
        } else {
            bit = off & (bits - 1);
        }
        let v = cpu.load::<S>(addr)?;
        cf = (v >> bit) & 1;
        if m != Mnemonic::Bt {
            cpu.store::<S>(addr, apply(v, bit))?;
        }
    }
    cpu.state.flags.update_arith(CF, cf * CF);
    Ok(())
}

/// BSF/BSR: ZF = (source == 0), and then the destination is left unchanged, all 64
/// bits of it even for a 32-bit operand (as AMD documents, and the AMD Zen host the
/// step-trace fixtures are recorded on does). The other flags are undefined; puffer
/// sets them as that host does: CF OF SF AF clear, PF the parity of the index's low
/// byte (of 0 for a zero source).
pub fn bsf<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = cpu.read_op::<S>(i, 1)?;
    let rev = matches!(i.mnemonic(), Mnemonic::Bsr | Mnemonic::Lzcnt);
    if v == 0 {
        cpu.state.flags.set_arith(ZF | PF);
        return Ok(());
    }
    let idx = if rev {
        63 - v.leading_zeros()
    } else {
        v.trailing_zeros()
    } as u64;
    cpu.set_reg(i.op0_register(), idx);
    let pf = if (idx as u8).count_ones().is_multiple_of(2) {
        PF
    } else {
        0
    };
    cpu.state.flags.set_arith(pf);
    Ok(())
}

/// TZCNT/LZCNT (BSF/BSR's opcodes with an F3 prefix): the count of trailing or
/// leading zero bits, the operand size for a zero source; CF = (source == 0), ZF =
/// (count == 0). A CPU without BMI1/LZCNT would run them as BSF/BSR, but compilers
/// emit them for any x86-64 (`rep bsf`), and code reached through them may pass zero
/// and rely on the count: puffer behaves as the hosts it is checked against do (the
/// others flags, undefined, cleared as there).
pub fn count_zeros<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = cpu.read_op::<S>(i, 1)? & mask_of(S);
    let bits = (S * 8) as u64;
    let n = if v == 0 {
        bits
    } else if i.mnemonic() == Mnemonic::Lzcnt {
        v.leading_zeros() as u64 - (64 - bits)
    } else {
        v.trailing_zeros() as u64
    };
    cpu.set_reg(i.op0_register(), n);
    let mut f = 0;
    if v == 0 {
        f |= CF;
    }
    if n == 0 {
        f |= ZF;
    }
    cpu.state.flags.set_arith(f);
    Ok(())
}

pub fn popcnt<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = cpu.read_op::<S>(i, 1)?;
    let n = v.count_ones() as u64;
    cpu.set_reg(i.op0_register(), n);
    cpu.state.flags.set_arith(if v == 0 { ZF } else { 0 });
    Ok(())
}

/// CMPXCHG r/m, r: compare the accumulator with the destination; equal → store the
/// source, else load the destination into the accumulator. Flags as CMP. The memory
/// form always writes (the old value back on mismatch), as the hardware does.
pub fn cmpxchg<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let acc = cpu.state.gpr[RAX] & mask_of(S);
    let src = cpu.reg(i.op1_register());
    let bits = (S * 8) as u8;
    if i.op0_kind() == OpKind::Register {
        let r = i.op0_register();
        let d = cpu.reg(r);
        cpu.state
            .flags
            .set_lazy(Op::Sub, bits, acc, d, acc.wrapping_sub(d));
        if acc == d {
            cpu.set_reg(r, src);
        } else {
            set_acc::<S>(cpu, d);
        }
    } else {
        let addr = cpu.ea(i);
        let d = cpu.load::<S>(addr)?;
        if acc == d {
            cpu.store::<S>(addr, src)?;
        } else {
            cpu.store::<S>(addr, d)?;
            set_acc::<S>(cpu, d);
        }
        cpu.state
            .flags
            .set_lazy(Op::Sub, bits, acc, d, acc.wrapping_sub(d));
    }
    Ok(())
}

fn set_acc<const S: usize>(cpu: &mut Cpu, v: u64) {
    let r = match S {
        1 => iced_x86::Register::AL,
        2 => iced_x86::Register::AX,
        4 => iced_x86::Register::EAX,
        _ => iced_x86::Register::RAX,
    };
    cpu.set_reg(r, v);
}

/// CMPXCHG8B / CMPXCHG16B m: compare EDX:EAX (RDX:RAX) with memory; ZF reports
/// equality. CMPXCHG16B needs a 16-byte aligned operand (#GP otherwise).
pub fn cmpxchg_wide(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let addr = cpu.ea(i);
    let g = cpu.state.gpr;
    if i.mnemonic() == Mnemonic::Cmpxchg16b {
        if addr & 15 != 0 {
            return Err(Trap::GeneralProtection);
        }
        let cur = cpu.load128(addr)?;
        let expect = ((g[RDX] as u128) << 64) | g[RAX] as u128;
        if cur == expect {
            cpu.store128(addr, ((g[RCX] as u128) << 64) | g[RBX] as u128)?;
            cpu.state.flags.update_arith(ZF, ZF);
        } else {
            cpu.store128(addr, cur)?;
            cpu.state.gpr[RAX] = cur as u64;
            cpu.state.gpr[RDX] = (cur >> 64) as u64;
            cpu.state.flags.update_arith(ZF, 0);
        }
    } else {
        let cur = cpu.load::<8>(addr)?;
        let expect = ((g[RDX] & 0xffff_ffff) << 32) | (g[RAX] & 0xffff_ffff);
        if cur == expect {
            cpu.store::<8>(
                addr,
                ((g[RCX] & 0xffff_ffff) << 32) | (g[RBX] & 0xffff_ffff),
            )?;
            cpu.state.flags.update_arith(ZF, ZF);
        } else {
            cpu.store::<8>(addr, cur)?;
            cpu.state.gpr[RAX] = cur & 0xffff_ffff;
            cpu.state.gpr[RDX] = cur >> 32;
            cpu.state.flags.update_arith(ZF, 0);
        }
    }
    Ok(())
}

/// XADD r/m, r: exchange, then add; flags as ADD.
pub fn xadd<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let src_r = i.op1_register();
    let src = cpu.reg(src_r);
    let bits = (S * 8) as u8;
    if i.op0_kind() == OpKind::Register {
        let r = i.op0_register();
        let d = cpu.reg(r);
        let sum = d.wrapping_add(src);
        cpu.set_reg(src_r, d);
        cpu.set_reg(r, sum);
        cpu.state.flags.set_lazy(Op::Add, bits, d, src, sum);
    } else {
        let addr = cpu.ea(i);
        let d = cpu.load::<S>(addr)?;
        let sum = d.wrapping_add(src);
        cpu.store::<S>(addr, sum)?;
        cpu.set_reg(src_r, d);
        cpu.state.flags.set_lazy(Op::Add, bits, d, src, sum);
    }
    Ok(())
}
