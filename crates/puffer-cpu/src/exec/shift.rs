//! Shifts and rotates: SHL/SAL SHR SAR ROL ROR RCL RCR SHLD SHRD (Intel SDM Vol. 2B,
//! "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR", "SHLD", "SHRD"). The count is masked to 5
//! bits (6 for 64-bit operands); a masked count of 0 changes no flags. Flags are
//! computed eagerly. Where the SDM leaves OF undefined (counts above 1) puffer uses
//! the count-1 formula, which is what current Intel cores do. AF, undefined for every
//! shift by a non-zero count, is set: that is what the AMD Zen host does on which the
//! step-trace fixtures (fixtures/*.asm.elf.steps) are recorded, and a program that
//! saves its flags with PUSHF after a shift then matches the host's trace.

use crate::flags::{szp, AF, CF, OF};
use crate::operand::mask_of;
use crate::{Cpu, Trap};
use iced_x86::{Instruction, Mnemonic, OpKind};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Shl,
    Shr,
    Sar,
    Rol,
    Ror,
    Rcl,
    Rcr,
}

fn kind(m: Mnemonic) -> Kind {
    match m {
        Mnemonic::Shl | Mnemonic::Sal => Kind::Shl,
        Mnemonic::Shr => Kind::Shr,
        Mnemonic::Sar => Kind::Sar,
        Mnemonic::Rol => Kind::Rol,
        Mnemonic::Ror => Kind::Ror,
        Mnemonic::Rcl => Kind::Rcl,
        _ => Kind::Rcr,
    }
}

/// Returns (result, new arithmetic flags or None when flags are unchanged).
fn compute<const S: usize>(k: Kind, a: u64, cnt: u32, cf_in: bool, old: u64) -> (u64, Option<u64>) {
    let bits = (S * 8) as u32;
    let m = mask_of(S);
    let sign = |v: u64| (v >> (bits - 1)) & 1;
    let cnt = cnt & if S == 8 { 0x3f } else { 0x1f };
    if cnt == 0 {
        return (a, None);
    }
    let keep = old & !(CF | OF | AF | crate::flags::ZF | crate::flags::SF | crate::flags::PF);
    match k {
        Kind::Shl => {
            let r = if cnt >= 64 { 0 } else { (a << cnt) & m };
            let cf = if cnt > bits {
                0
            } else {
                (a >> (bits - cnt)) & 1
            };
            let of = sign(r) ^ cf;
            (
                r,
                Some(keep | szp(bits as u8, r) | (cf * CF) | (of * OF) | AF),
            )
        }
        Kind::Shr => {
            let r = if cnt >= 64 { 0 } else { a >> cnt };
            let cf = if cnt > bits { 0 } else { (a >> (cnt - 1)) & 1 };
            let of = if cnt == 1 { sign(a) } else { 0 };
            (
                r,
                Some(keep | szp(bits as u8, r) | (cf * CF) | (of * OF) | AF),
            )
        }
        Kind::Sar => {
            let sa = ((a << (64 - bits)) as i64) >> (64 - bits);
            let r = (sa >> cnt.min(63)) as u64 & m;
            let cf = ((sa >> (cnt - 1).min(63)) & 1) as u64;
            (r, Some(keep | szp(bits as u8, r) | (cf * CF) | AF))
        }
        Kind::Rol => {
            let c = cnt % bits;
            let r = if c == 0 {
                a
            } else {
                ((a << c) | (a >> (bits - c))) & m
            };
            let cf = r & 1;
            let of = sign(r) ^ cf;
            let f = (old & !(CF | OF)) | (cf * CF) | (of * OF);
            (r, Some(f))
        }
        Kind::Ror => {
            let c = cnt % bits;
            let r = if c == 0 {
                a
            } else {
                ((a >> c) | (a << (bits - c))) & m
            };
            let cf = sign(r);
            let of = sign(r) ^ ((r >> (bits - 2)) & 1);
            let f = (old & !(CF | OF)) | (cf * CF) | (of * OF);
            (r, Some(f))
        }
        Kind::Rcl | Kind::Rcr => {
            let c = match S {
                1 => cnt % 9,
                2 => cnt % 17,
                _ => cnt,
            };
            // Rotate the (bits+1)-bit quantity CF:a.
            let wide = ((cf_in as u128) << bits) | a as u128;
            let w = bits + 1;
            let wm = (1u128 << w) - 1;
            let c = c % w;
            let r = if c == 0 {
                wide
            } else if k == Kind::Rcl {
                ((wide << c) | (wide >> (w - c))) & wm
            } else {
                ((wide >> c) | (wide << (w - c))) & wm
            };
            let res = (r as u64) & m;
            let cf = ((r >> bits) & 1) as u64;
            let of = if k == Kind::Rcl {
                sign(res) ^ cf
            } else {
                sign(res) ^ ((res >> (bits - 2)) & 1)
            };
            let f = (old & !(CF | OF)) | (cf * CF) | (of * OF);
            (res, Some(f))
        }
    }
}

pub fn shift<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let cnt = match i.op1_kind() {
        OpKind::Register => cpu.reg(i.op1_register()) as u32,
        _ => i.immediate(1) as u32,
    };
    let k = kind(i.mnemonic());
    let old = cpu.state.flags.arith();
    let cf_in = old & CF != 0;
    if i.op0_kind() == OpKind::Register {
        let r = i.op0_register();
        let a = cpu.reg(r);
        let (res, f) = compute::<S>(k, a, cnt, cf_in, old);
        if let Some(f) = f {
            cpu.set_reg(r, res);
            cpu.state.flags.set_arith(f);
        } else if S == 4 {
            cpu.set_reg(r, a);
        }
    } else {
        let addr = cpu.ea(i);
        let a = cpu.load::<S>(addr)?;
        let (res, f) = compute::<S>(k, a, cnt, cf_in, old);
        if let Some(f) = f {
            cpu.store::<S>(addr, res)?;
            cpu.state.flags.set_arith(f);
        }
    }
    Ok(())
}

/// SHLD/SHRD r/m, r, imm8|CL.
pub fn shxd<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let left = i.mnemonic() == Mnemonic::Shld;
    let bits = (S * 8) as u32;
    let m = mask_of(S);
    let cnt = match i.op2_kind() {
        OpKind::Register => cpu.reg(i.op2_register()) as u32,
        _ => i.immediate(2) as u32,
    } & if S == 8 { 0x3f } else { 0x1f };
    let b = cpu.reg(i.op1_register());
    let a = cpu.read_op::<S>(i, 0)?;
    if cnt == 0 {
        if S == 4 && i.op0_kind() == OpKind::Register {
            cpu.set_reg(i.op0_register(), a);
        }
        return Ok(());
    }
    // Concatenate in 128 bits so counts up to 31 on 16-bit operands behave as the
    // hardware's (undefined but deterministic) double-width shift.
    let (res, cf) = if left {
        let wide = ((a as u128) << bits) | b as u128;
        let wide = if S == 2 {
            wide | ((a as u128) << (2 * bits))
        } else {
            wide
        };
        let r = (wide << cnt) >> bits;
        ((r as u64) & m, ((wide >> (2 * bits - cnt)) & 1) as u64)
    } else {
        let wide = ((b as u128) << bits) | a as u128;
        let wide = if S == 2 {
            wide | ((a as u128) << (2 * bits))
        } else {
            wide
        };
        let r = wide >> cnt;
        ((r as u64) & m, ((wide >> (cnt - 1)) & 1) as u64)
    };
    let sign = |v: u64| (v >> (bits - 1)) & 1;
    // OF: defined for a count of 1 (the sign changed); for larger counts the AMD host
    // computes it as for a count of 1 applied to the last step, as SHL/ROR do: the
    // result's sign against CF (SHLD) or against the bit below it (SHRD).
    let of = if left {
        sign(res) ^ cf
    } else {
        sign(res) ^ ((res >> (bits - 2)) & 1)
    };
    // AF is undefined; set, as on the AMD host (see the module comment).
    let f = szp(bits as u8, res) | (cf * CF) | (of * OF) | AF;
    cpu.write_op::<S>(i, 0, res)?;
    cpu.state.flags.set_arith(f);
    Ok(())
}

pub const SHL: u8 = 0;
pub const SHR: u8 = 1;
pub const SAR: u8 = 2;

/// SHL/SHR/SAR: the common shifts, with lazily computed flags (the same values the
/// eager `compute` gives).
pub fn shift_lazy<const S: usize, const K: u8>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let cnt = match i.op1_kind() {
        OpKind::Register => cpu.reg(i.op1_register()) as u32,
        _ => i.immediate(1) as u32,
    } & if S == 8 { 0x3f } else { 0x1f };
    let bits = (S * 8) as u32;
    let m = mask_of(S);
    let f = |a: u64| -> u64 {
        match K {
            SHL => (a << cnt) & m,
            SHR => a >> cnt,
            _ => {
                let sa = ((a << (64 - bits)) as i64) >> (64 - bits);
                ((sa >> cnt) as u64) & m
            }
        }
    };
    let op = match K {
        SHL => crate::flags::Op::Shl,
        SHR => crate::flags::Op::Shr,
        _ => crate::flags::Op::Sar,
    };
    if i.op0_kind() == OpKind::Register {
        let r = i.op0_register();
        let a = cpu.reg_s::<S>(r);
        if cnt == 0 {
            // No change, no flags; a 32-bit destination is still zero-extended.
            cpu.set_reg_s::<S>(r, a);
            return Ok(());
        }
        let res = f(a);
        cpu.set_reg_s::<S>(r, res);
        cpu.state.flags.set_lazy(op, bits as u8, a, cnt as u64, res);
    } else {
        let addr = cpu.ea(i);
        let a = cpu.load::<S>(addr)?;
        if cnt == 0 {
            return Ok(());
        }
        let res = f(a);
        cpu.store::<S>(addr, res)?;
        cpu.state.flags.set_lazy(op, bits as u8, a, cnt as u64, res);
    }
    Ok(())
}
