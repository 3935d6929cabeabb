//! x87 state management: FNSTENV/FLDENV and FNSAVE/FRSTOR in the 32-bit
//! protected-mode formats (28 and 108 bytes; the 14/94-byte forms with a 0x66
//! prefix), and FXSAVE/FXRSTOR (Intel SDM Vol. 1, 8.1.10 and figures 8-9/8-10;
//! Vol. 2, FXSAVE table 3-53).
//!
//! The instruction and operand pointers (FIP, FCS, FOP, FDP, FDS) are not tracked
//! and are stored as zero. Reserved upper halves of the 28-byte format are stored as
//! 0xffff, as the hardware stores them.

use super::{init, load_fcw, phys, st, status_word, update_es, wait_check};
use crate::state::X87;
use crate::{Cpu, Trap};
use iced_x86::{Instruction, MemorySize};

/// The full tag word: two bits per physical register, 00 valid, 01 zero,
/// 10 special (NaN, infinity, denormal, unsupported), 11 empty.
pub fn full_tag_word(x: &X87) -> u16 {
    use super::float::Class;
    let mut w = 0u16;
    for p in 0..8 {
        let t = if x.tags & (1 << p) == 0 {
            3
        } else {
            match super::float::classify(x.regs[p]) {
                Class::Normal => 0,
                Class::Zero => 1,
                _ => 2,
            }
        };
        w |= t << (2 * p);
    }
    w
}

/// The abridged (FXSAVE) tag byte of a full tag word.
fn abridge(ftw: u16) -> u8 {
    let mut t = 0;
    for p in 0..8 {
        if (ftw >> (2 * p)) & 3 != 3 {
            t |= 1 << p;
        }
    }
    t
}

/// Load a status word (TOP goes to its own field).
fn load_fsw(x: &mut X87, v: u16) {
    x.top = ((v >> 11) & 7) as u8;
    x.fsw = v & !0x3800;
    update_es(x);
}

/// The environment image (14 or 28 bytes).
fn env_image(x: &X87, small: bool) -> Vec<u8> {
    let words = [
        x.fcw,
        status_word(x),
        full_tag_word(x),
        0, // FIP
        0, // FCS (16-bit) / FCS and FOP (32-bit)
        0, // FDP
        0, // FDS
    ];
    let mut out = Vec::with_capacity(28);
    for (k, w) in words.iter().enumerate() {
        if small {
            out.extend_from_slice(&w.to_le_bytes());
        } else {
            let hi: u32 = if matches!(k, 0 | 1 | 2 | 6) {
                0xffff
            } else {
                0
            };
            out.extend_from_slice(&((hi << 16) | *w as u32).to_le_bytes());
        }
    }
    out
}

fn is_small(i: &Instruction) -> bool {
    matches!(
        i.memory_size(),
        MemorySize::FpuEnv14 | MemorySize::FpuState94
    )
}

/// Load FCW, FSW and the tags from an environment image.
fn load_env(x: &mut X87, img: &[u8], small: bool) {
    let word = |k: usize| -> u16 {
        let o = if small { 2 * k } else { 4 * k };
        u16::from_le_bytes([img[o], img[o + 1]])
    };
    load_fcw(x, word(0));
    load_fsw(x, word(1));
    x.tags = abridge(word(2));
}

pub fn fnstenv(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    if i.mnemonic() == iced_x86::Mnemonic::Fstenv {
        wait_check(cpu)?;
    }
    let a = cpu.ea(i);
    let img = env_image(&cpu.state.x87, is_small(i));
    cpu.mmu.write_bytes(a, &img)?;
    // FNSTENV then masks all exceptions.
    let x = &mut cpu.state.x87;
    x.fcw |= 0x3f;
    update_es(x);
    Ok(())
}

pub fn fldenv(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    let a = cpu.ea(i);
    let small = is_small(i);
    let mut img = [0u8; 28];
    let n = if small { 14 } else { 28 };
    cpu.mmu.read_bytes(a, &mut img[..n])?;
    load_env(&mut cpu.state.x87, &img, small);
    Ok(())
}

pub fn fnsave(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    if i.mnemonic() == iced_x86::Mnemonic::Fsave {
        wait_check(cpu)?;
    }
    let a = cpu.ea(i);
    let x = &cpu.state.x87;
    let mut img = env_image(x, is_small(i));
    for k in 0..8 {
        img.extend_from_slice(&st(x, k).to_le_bytes()[..10]);
    }
    cpu.mmu.write_bytes(a, &img)?;
    init(&mut cpu.state.x87);
    Ok(())
}

pub fn frstor(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    let a = cpu.ea(i);
    let small = is_small(i);
    let n = if small { 94 } else { 108 };
    let mut img = [0u8; 108];
    cpu.mmu.read_bytes(a, &mut img[..n])?;
    let x = &mut cpu.state.x87;
    load_env(x, &img, small);
    let base = n - 80;
    for k in 0..8u8 {
        let mut b = [0u8; 16];
        b[..10].copy_from_slice(&img[base + 10 * k as usize..base + 10 * k as usize + 10]);
        let p = phys(x, k);
        x.regs[p] = u128::from_le_bytes(b);
    }
    Ok(())
}

/// MXCSR bits FXRSTOR accepts (and FXSAVE reports as MXCSR_MASK).
const MXCSR_MASK: u32 = 0xffff;

pub fn fxsave(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = cpu.ea(i);
    if a & 15 != 0 {
        return Err(Trap::GeneralProtection);
    }
    let x = &cpu.state.x87;
    let mut img = [0u8; 416];
    img[0..2].copy_from_slice(&x.fcw.to_le_bytes());
    img[2..4].copy_from_slice(&status_word(x).to_le_bytes());
    img[4] = x.tags;
    // 6: FOP, 8: FIP, 16: FDP (not tracked: zero)
    img[24..28].copy_from_slice(&cpu.state.mxcsr.to_le_bytes());
    img[28..32].copy_from_slice(&MXCSR_MASK.to_le_bytes());
    for k in 0..8u8 {
        let o = 32 + 16 * k as usize;
        img[o..o + 10].copy_from_slice(&st(x, k).to_le_bytes()[..10]);
    }
    for (k, v) in cpu.state.xmm.iter().enumerate() {
        let o = 160 + 16 * k;
        img[o..o + 16].copy_from_slice(&v.to_le_bytes());
    }
    cpu.mmu.write_bytes(a, &img)?;
    Ok(())
}

pub fn fxrstor(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let a = cpu.ea(i);
    if a & 15 != 0 {
        return Err(Trap::GeneralProtection);
    }
    let mut img = [0u8; 416];
    cpu.mmu.read_bytes(a, &mut img)?;
    let mxcsr = u32::from_le_bytes([img[24], img[25], img[26], img[27]]);
    if mxcsr & !MXCSR_MASK != 0 {
        return Err(Trap::GeneralProtection);
    }
    let x = &mut cpu.state.x87;
    load_fcw(x, u16::from_le_bytes([img[0], img[1]]));
    load_fsw(x, u16::from_le_bytes([img[2], img[3]]));
    x.tags = img[4];
    for k in 0..8u8 {
        let o = 32 + 16 * k as usize;
        let mut b = [0u8; 16];
        b[..10].copy_from_slice(&img[o..o + 10]);
        let p = phys(x, k);
        x.regs[p] = u128::from_le_bytes(b);
    }
    cpu.state.mxcsr = mxcsr;
    for k in 0..16 {
        let o = 160 + 16 * k;
        let mut b = [0u8; 16];
        b.copy_from_slice(&img[o..o + 16]);
        cpu.state.xmm[k] = u128::from_le_bytes(b);
    }
    Ok(())
}
