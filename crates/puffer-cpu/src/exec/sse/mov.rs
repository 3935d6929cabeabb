//! Data movement between XMM registers, GPRs and memory; sign-mask extraction;
//! MXCSR loads and stores; FXSAVE/FXRSTOR.

use super::fp::MXCSR_MASK;
use super::{aligned, dst, src64, xi};
use crate::{Cpu, CpuState, Trap};
use iced_x86::{Instruction, OpKind, Register};

const LO64: u128 = u64::MAX as u128;
const LO32: u128 = u32::MAX as u128;

/// MOVAPS/MOVUPS/MOVDQA/... xmm, xmm (either encoding direction).
pub fn mov_xx(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    cpu.state.xmm[dst(i)] = cpu.state.xmm[xi(i.op1_register())];
    Ok(())
}

/// MOVAPS/MOVAPD/MOVDQA xmm, m128 (16-byte aligned).
pub fn load_a(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = aligned(cpu, i)?;
    cpu.state.xmm[dst(i)] = cpu.load128(a)?;
    Ok(())
}

/// MOVUPS/MOVUPD/MOVDQU xmm, m128.
pub fn load_u(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = cpu.ea(i);
    cpu.state.xmm[dst(i)] = cpu.load128(a)?;
    Ok(())
}

/// MOVAPS/MOVAPD/MOVDQA/MOVNTPS/MOVNTPD/MOVNTDQ m128, xmm (16-byte aligned).
pub fn store_a(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = aligned(cpu, i)?;
    let v = cpu.state.xmm[xi(i.op1_register())];
    cpu.store128(a, v)
}

/// MOVUPS/MOVUPD/MOVDQU m128, xmm.
pub fn store_u(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = cpu.ea(i);
    let v = cpu.state.xmm[xi(i.op1_register())];
    cpu.store128(a, v)
}

/// MOVD xmm, r/m32 and MOVQ xmm, r/m64: zero-extended to 128 bits.
pub fn movd_x_rm<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = cpu.read_op::<S>(i, 1)?;
    cpu.state.xmm[dst(i)] = v as u128;
    Ok(())
}

/// MOVD r/m32, xmm and MOVQ r/m64, xmm.
pub fn movd_rm_x<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = cpu.state.xmm[xi(i.op1_register())] as u64;
    cpu.write_op::<S>(i, 0, v)
}

/// MOVQ xmm, xmm/m64 (either encoding): the low quadword, zero-extended.
pub fn movq_x_xm(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = src64(cpu, i, 1)?;
    cpu.state.xmm[dst(i)] = v as u128;
    Ok(())
}

/// MOVQ/MOVSD/MOVLPS/MOVLPD m64, xmm: store the low quadword.
pub fn store_lo64(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = cpu.ea(i);
    let v = cpu.state.xmm[xi(i.op1_register())] as u64;
    cpu.store::<8>(a, v)
}

/// MOVHPS/MOVHPD m64, xmm: store the high quadword.
pub fn store_hi64(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = cpu.ea(i);
    let v = (cpu.state.xmm[xi(i.op1_register())] >> 64) as u64;
    cpu.store::<8>(a, v)
}

/// MOVSS m32, xmm.
pub fn store_lo32(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = cpu.ea(i);
    let v = cpu.state.xmm[xi(i.op1_register())] as u64;
    cpu.store::<4>(a, v)
}

/// MOVSS xmm, m32: the upper 96 bits are zeroed.
pub fn movss_load(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = cpu.ea(i);
    cpu.state.xmm[dst(i)] = cpu.load::<4>(a)? as u128;
    Ok(())
}

/// MOVSD xmm, m64: the upper quadword is zeroed.
pub fn movsd_load(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = cpu.ea(i);
    cpu.state.xmm[dst(i)] = cpu.load::<8>(a)? as u128;
    Ok(())
}

/// MOVSS xmm, xmm: merge the low doubleword.
pub fn movss_merge(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let s = cpu.state.xmm[xi(i.op1_register())];
    let d = &mut cpu.state.xmm[dst(i)];
    *d = (*d & !LO32) | (s & LO32);
    Ok(())
}

/// MOVSD xmm, xmm: merge the low quadword.
pub fn movsd_merge(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let s = cpu.state.xmm[xi(i.op1_register())];
    let d = &mut cpu.state.xmm[dst(i)];
    *d = (*d & !LO64) | (s & LO64);
    Ok(())
}

/// MOVLPS/MOVLPD xmm, m64: replace the low quadword.
pub fn movlps_load(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = cpu.ea(i);
    let v = cpu.load::<8>(a)?;
    let d = &mut cpu.state.xmm[dst(i)];
    *d = (*d & !LO64) | v as u128;
    Ok(())
}

/// MOVHPS/MOVHPD xmm, m64: replace the high quadword.
pub fn movhps_load(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = cpu.ea(i);
    let v = cpu.load::<8>(a)?;
    let d = &mut cpu.state.xmm[dst(i)];
    *d = (*d & LO64) | ((v as u128) << 64);
    Ok(())
}

/// MOVHLPS xmm1, xmm2: xmm1.low = xmm2.high.
pub fn movhlps(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let s = cpu.state.xmm[xi(i.op1_register())];
    let d = &mut cpu.state.xmm[dst(i)];
    *d = (*d & !LO64) | (s >> 64);
    Ok(())
}

/// MOVLHPS xmm1, xmm2: xmm1.high = xmm2.low.
pub fn movlhps(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let s = cpu.state.xmm[xi(i.op1_register())];
    let d = &mut cpu.state.xmm[dst(i)];
    *d = (*d & LO64) | (s << 64);
    Ok(())
}

/// MOVNTI m32/m64, r32/r64: a non-temporal hint on an ordinary GPR store.
pub fn movnti<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = cpu.ea(i);
    let v = cpu.reg(i.op1_register());
    cpu.store::<S>(a, v)
}

/// MASKMOVDQU xmm1, xmm2: store the bytes of xmm1 whose mask byte in xmm2 has its
/// top bit set to [DS:rDI]. Bytes are stored one at a time, so a fault part-way
/// leaves some stored; re-executing stores the same values, so that is harmless.
pub fn maskmovdqu(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let rdi = cpu.state.gpr[crate::reg::RDI];
    let mut base = match i.op0_kind() {
        OpKind::MemorySegEDI => rdi & 0xffff_ffff,
        OpKind::MemorySegDI => rdi & 0xffff,
        _ => rdi,
    };
    match i.memory_segment() {
        Register::FS => base = base.wrapping_add(cpu.state.fs_base),
        Register::GS => base = base.wrapping_add(cpu.state.gs_base),
        _ => {}
    }
    let v = cpu.state.xmm[xi(i.op1_register())].to_le_bytes();
    let m = cpu.state.xmm[xi(i.op2_register())].to_le_bytes();
    for (k, (&b, &mk)) in v.iter().zip(m.iter()).enumerate() {
        if mk & 0x80 != 0 {
            cpu.mmu.write::<u8>(base.wrapping_add(k as u64), b)?;
        }
    }
    Ok(())
}

/// Gather the top bit of each byte of `v` into bits 0..8.
#[inline(always)]
fn byte_signs(v: u64) -> u32 {
    let t = (v >> 7) & 0x0101_0101_0101_0101;
    (t.wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32
}

/// PMOVMSKB r32/r64, xmm.
pub fn pmovmskb(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = cpu.state.xmm[xi(i.op1_register())];
    let m = byte_signs(v as u64) | (byte_signs((v >> 64) as u64) << 8);
    cpu.set_reg(i.op0_register(), m as u64);
    Ok(())
}

/// MOVMSKPS r32/r64, xmm.
pub fn movmskps(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = cpu.state.xmm[xi(i.op1_register())];
    let m = (0..4).fold(0u64, |m, k| m | ((((v >> (32 * k + 31)) & 1) as u64) << k));
    cpu.set_reg(i.op0_register(), m);
    Ok(())
}

/// MOVMSKPD r32/r64, xmm.
pub fn movmskpd(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let v = cpu.state.xmm[xi(i.op1_register())];
    let m = ((v >> 63) & 1) as u64 | ((((v >> 127) & 1) as u64) << 1);
    cpu.set_reg(i.op0_register(), m);
    Ok(())
}

/// LDMXCSR m32: setting a reserved bit is #GP.
pub fn ldmxcsr(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = cpu.ea(i);
    let v = cpu.load::<4>(a)? as u32;
    if v & !MXCSR_MASK != 0 {
        return Err(Trap::GeneralProtection);
    }
    cpu.state.mxcsr = v;
    Ok(())
}

/// STMXCSR m32.
pub fn stmxcsr(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = cpu.ea(i);
    let v = cpu.state.mxcsr as u64;
    cpu.store::<4>(a, v)
}

/// EMMS: mark all x87 registers empty (the tag word becomes all "empty").
pub fn emms(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    cpu.state.x87.tags = 0;
    Ok(())
}

/// The part of the FXSAVE image that FXSAVE writes and FXRSTOR reads: bytes 416..512
/// are reserved or left to software (Linux keeps its fpstate magic there).
const FX_LEN: usize = 416;

/// The FXSAVE image of `s` (Intel SDM Vol. 1, 10.5.1, table 10-2): 512 bytes, of which
/// FXSAVE writes the first 416; the rest is zero here. puffer does not track the last
/// x87 instruction and data pointers or opcode: those fields read as zero. Used by the
/// FXSAVE instruction and by the kernel for a signal frame's fpstate.
pub fn fxsave_image(s: &CpuState) -> [u8; 512] {
    let x = &s.x87;
    let mut b = [0u8; 512];
    let fsw = (x.fsw & !0x3800) | (((x.top & 7) as u16) << 11);
    b[0..2].copy_from_slice(&x.fcw.to_le_bytes());
    b[2..4].copy_from_slice(&fsw.to_le_bytes());
    b[4] = x.tags;
    b[24..28].copy_from_slice(&s.mxcsr.to_le_bytes());
    b[28..32].copy_from_slice(&MXCSR_MASK.to_le_bytes());
    for st in 0..8 {
        let r = x.regs[(x.top as usize + st) & 7];
        let o = 32 + 16 * st;
        b[o..o + 10].copy_from_slice(&r.to_le_bytes()[..10]);
    }
    for (n, v) in s.xmm.iter().enumerate() {
        let o = 160 + 16 * n;
        b[o..o + 16].copy_from_slice(&v.to_le_bytes());
    }
    b
}

/// Load `s`'s x87 and SSE state from an FXSAVE image (only its first 416 bytes are
/// read). An MXCSR with reserved bits set is refused (`Err`) and nothing is changed,
/// as FXRSTOR's #GP.
pub fn fxrstor_image(s: &mut CpuState, b: &[u8]) -> Result<(), ()> {
    if b.len() < FX_LEN {
        return Err(());
    }
    let word = |o: usize| u16::from_le_bytes([b[o], b[o + 1]]);
    let mxcsr = u32::from_le_bytes([b[24], b[25], b[26], b[27]]);
    if mxcsr & !MXCSR_MASK != 0 {
        return Err(());
    }
    let fsw = word(2);
    let x = &mut s.x87;
    x.fcw = word(0);
    x.top = ((fsw >> 11) & 7) as u8;
    x.fsw = fsw & !0x3800;
    x.tags = b[4];
    for st in 0..8 {
        let o = 32 + 16 * st;
        let mut r = [0u8; 16];
        r[..10].copy_from_slice(&b[o..o + 10]);
        x.regs[(x.top as usize + st) & 7] = u128::from_le_bytes(r);
    }
    s.mxcsr = mxcsr;
    for (n, v) in s.xmm.iter_mut().enumerate() {
        let o = 160 + 16 * n;
        let mut r = [0u8; 16];
        r.copy_from_slice(&b[o..o + 16]);
        *v = u128::from_le_bytes(r);
    }
    Ok(())
}

/// FXSAVE/FXSAVE64 m512: see [`fxsave_image`].
pub fn fxsave(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = aligned(cpu, i)?;
    let b = fxsave_image(&cpu.state);
    cpu.mmu.write_bytes(a, &b[..FX_LEN])?;
    Ok(())
}

/// FXRSTOR/FXRSTOR64 m512: all of the image is read before anything is changed; an
/// MXCSR with reserved bits set is #GP.
pub fn fxrstor(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = aligned(cpu, i)?;
    let mut b = [0u8; FX_LEN];
    cpu.mmu.read_bytes(a, &mut b)?;
    fxrstor_image(&mut cpu.state, &b).map_err(|()| Trap::GeneralProtection)
}
