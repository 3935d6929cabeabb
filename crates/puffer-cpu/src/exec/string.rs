//! String instructions: MOVS STOS LODS SCAS CMPS, with REP / REPE / REPNE (Intel SDM
//! Vol. 2B, "REP/REPE/REPZ/REPNE/REPNZ"). Registers are updated after every element,
//! so a fault in the middle of a REP leaves RSI/RDI/RCX describing the work left and
//! the instruction restarts where it stopped, as on hardware. Forward REP MOVS/STOS
//! move whole page-sized chunks at a time.

use crate::flags::Op;
use crate::operand::mask_of;
use crate::reg::{RAX, RCX, RDI, RSI};
use crate::{Cpu, Trap};
use iced_x86::Instruction;

#[inline(always)]
fn step<const S: usize>(cpu: &Cpu) -> u64 {
    if cpu.state.flags.df() {
        (S as u64).wrapping_neg()
    } else {
        S as u64
    }
}

fn rep(i: &Instruction) -> bool {
    i.has_rep_prefix() || i.has_repne_prefix()
}

/// Elements (of S bytes) that can be moved at once from `src` (if any) to `dst`
/// without crossing a page and without a forward overlap changing the result.
fn chunk<const S: usize>(count: u64, dst: u64, src: Option<u64>) -> u64 {
    let mut bytes = 4096 - (dst & 0xfff);
    if let Some(s) = src {
        bytes = bytes.min(4096 - (s & 0xfff));
        if dst > s && dst - s < bytes {
            bytes = dst - s;
        }
    }
    (bytes / S as u64).min(count)
}

pub fn movs<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let st = step::<S>(cpu);
    if !rep(i) {
        let v = cpu.load::<S>(cpu.state.gpr[RSI])?;
        cpu.store::<S>(cpu.state.gpr[RDI], v)?;
        cpu.state.gpr[RSI] = cpu.state.gpr[RSI].wrapping_add(st);
        cpu.state.gpr[RDI] = cpu.state.gpr[RDI].wrapping_add(st);
        return Ok(());
    }
    let mut buf = [0u8; 4096];
    while cpu.state.gpr[RCX] != 0 {
        let (src, dst, n) = (cpu.state.gpr[RSI], cpu.state.gpr[RDI], cpu.state.gpr[RCX]);
        let k = if cpu.state.flags.df() {
            0
        } else {
            chunk::<S>(n, dst, Some(src))
        };
        if k > 1 {
            let len = (k as usize) * S;
            cpu.mmu.read_bytes(src, &mut buf[..len])?;
            cpu.mmu.write_bytes(dst, &buf[..len])?;
            cpu.state.gpr[RSI] = src.wrapping_add(len as u64);
            cpu.state.gpr[RDI] = dst.wrapping_add(len as u64);
            cpu.state.gpr[RCX] = n - k;
        } else {
            let v = cpu.load::<S>(src)?;
            cpu.store::<S>(dst, v)?;
            cpu.state.gpr[RSI] = src.wrapping_add(st);
            cpu.state.gpr[RDI] = dst.wrapping_add(st);
            cpu.state.gpr[RCX] = n - 1;
        }
    }
    Ok(())
}

pub fn stos<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let st = step::<S>(cpu);
    let v = cpu.state.gpr[RAX] & mask_of(S);
    if !rep(i) {
        cpu.store::<S>(cpu.state.gpr[RDI], v)?;
        cpu.state.gpr[RDI] = cpu.state.gpr[RDI].wrapping_add(st);
        return Ok(());
    }
    let mut buf = [0u8; 4096];
    let mut filled = false;
    while cpu.state.gpr[RCX] != 0 {
        let (dst, n) = (cpu.state.gpr[RDI], cpu.state.gpr[RCX]);
        let k = if cpu.state.flags.df() {
            0
        } else {
            chunk::<S>(n, dst, None)
        };
        if k > 1 {
            if !filled {
                for c in buf.chunks_exact_mut(S) {
                    c.copy_from_slice(&v.to_le_bytes()[..S]);
                }
                filled = true;
            }
            let len = (k as usize) * S;
            cpu.mmu.write_bytes(dst, &buf[..len])?;
            cpu.state.gpr[RDI] = dst.wrapping_add(len as u64);
            cpu.state.gpr[RCX] = n - k;
        } else {
            cpu.store::<S>(dst, v)?;
            cpu.state.gpr[RDI] = dst.wrapping_add(st);
            cpu.state.gpr[RCX] = n - 1;
        }
    }
    Ok(())
}

fn set_acc<const S: usize>(cpu: &mut Cpu, v: u64) {
    let r = &mut cpu.state.gpr[RAX];
    *r = match S {
        1 => (*r & !0xff) | v,
        2 => (*r & !0xffff) | v,
        4 => v,
        _ => v,
    };
}

pub fn lods<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let st = step::<S>(cpu);
    let once = !rep(i);
    while once || cpu.state.gpr[RCX] != 0 {
        let v = cpu.load::<S>(cpu.state.gpr[RSI])?;
        set_acc::<S>(cpu, v);
        cpu.state.gpr[RSI] = cpu.state.gpr[RSI].wrapping_add(st);
        if once {
            break;
        }
        cpu.state.gpr[RCX] -= 1;
    }
    Ok(())
}

/// SCAS: compare the accumulator with [RDI]; REPE/REPNE stop on the condition.
pub fn scas<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let st = step::<S>(cpu);
    let a = cpu.state.gpr[RAX] & mask_of(S);
    let (repe, repne) = (i.has_rep_prefix(), i.has_repne_prefix());
    loop {
        if (repe || repne) && cpu.state.gpr[RCX] == 0 {
            break;
        }
        let b = cpu.load::<S>(cpu.state.gpr[RDI])?;
        cpu.state.gpr[RDI] = cpu.state.gpr[RDI].wrapping_add(st);
        cpu.state
            .flags
            .set_lazy(Op::Sub, (S * 8) as u8, a, b, a.wrapping_sub(b));
        if !(repe || repne) {
            break;
        }
        cpu.state.gpr[RCX] -= 1;
        if (repe && a != b) || (repne && a == b) {
            break;
        }
    }
    Ok(())
}

/// CMPS: compare [RSI] with [RDI] (flags as CMP [RSI], [RDI]).
pub fn cmps<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let st = step::<S>(cpu);
    let (repe, repne) = (i.has_rep_prefix(), i.has_repne_prefix());
    loop {
        if (repe || repne) && cpu.state.gpr[RCX] == 0 {
            break;
        }
        let a = cpu.load::<S>(cpu.state.gpr[RSI])?;
        let b = cpu.load::<S>(cpu.state.gpr[RDI])?;
        cpu.state.gpr[RSI] = cpu.state.gpr[RSI].wrapping_add(st);
        cpu.state.gpr[RDI] = cpu.state.gpr[RDI].wrapping_add(st);
        cpu.state
            .flags
            .set_lazy(Op::Sub, (S * 8) as u8, a, b, a.wrapping_sub(b));
        if !(repe || repne) {
            break;
        }
        cpu.state.gpr[RCX] -= 1;
        if (repe && a != b) || (repne && a == b) {
            break;
        }
    }
    Ok(())
}

/// True when a string instruction needs [`general`]: a 0x67 address-size prefix
/// (ESI/EDI/ECX instead of RSI/RDI/RCX) or an FS/GS override on the source.
/// Compilers never emit these, so the common forms above stay lean.
pub fn needs_general(i: &Instruction) -> bool {
    use iced_x86::{OpKind, Register};
    let string_op = (0..i.op_count()).any(|n| {
        matches!(
            i.op_kind(n),
            OpKind::MemorySegRSI | OpKind::MemoryESRDI | OpKind::MemorySegESI | OpKind::MemoryESEDI
        )
    });
    // (SSE MOVSD/CMPSD share the mnemonics but have ordinary memory operands.)
    string_op
        && (needs_general_asz32(i) || matches!(i.segment_prefix(), Register::FS | Register::GS))
}

/// Every string instruction at any address size and with any source segment
/// (Intel SDM Vol. 2B, MOVS/CMPS/LODS/SCAS/STOS: "in 64-bit mode ... the 67H
/// prefix selects ESI/EDI/ECX"; a write to a 32-bit register clears bits 63:32,
/// which is what the mask below does). Element by element: slow, rare, exact.
pub fn general<const S: usize>(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    use iced_x86::{Mnemonic as M, Register};
    let mask: u64 = if needs_general_asz32(i) {
        0xffff_ffff
    } else {
        u64::MAX
    };
    let src_base = match i.memory_segment() {
        Register::FS => cpu.state.fs_base,
        Register::GS => cpu.state.gs_base,
        _ => 0,
    };
    let st = step::<S>(cpu);
    let (repe, repne) = (i.has_rep_prefix(), i.has_repne_prefix());
    let repeated = repe || repne;
    let m = i.mnemonic();
    let compares = matches!(
        m,
        M::Scasb | M::Scasw | M::Scasd | M::Scasq | M::Cmpsb | M::Cmpsw | M::Cmpsd | M::Cmpsq
    );
    let bump = |cpu: &mut Cpu, r: usize| {
        let v = cpu.state.gpr[r];
        cpu.state.gpr[r] = v.wrapping_add(st) & mask;
    };
    loop {
        if repeated && cpu.state.gpr[RCX] & mask == 0 {
            break;
        }
        let si = (cpu.state.gpr[RSI] & mask).wrapping_add(src_base);
        let di = cpu.state.gpr[RDI] & mask;
        let mut cmp = None;
        match m {
            M::Movsb | M::Movsw | M::Movsd | M::Movsq => {
                let v = cpu.load::<S>(si)?;
                cpu.store::<S>(di, v)?;
                bump(cpu, RSI);
                bump(cpu, RDI);
            }
            M::Stosb | M::Stosw | M::Stosd | M::Stosq => {
                cpu.store::<S>(di, cpu.state.gpr[RAX] & mask_of(S))?;
                bump(cpu, RDI);
            }
            M::Lodsb | M::Lodsw | M::Lodsd | M::Lodsq => {
                let v = cpu.load::<S>(si)?;
                set_acc::<S>(cpu, v);
                bump(cpu, RSI);
            }
            M::Scasb | M::Scasw | M::Scasd | M::Scasq => {
                let b = cpu.load::<S>(di)?;
                cmp = Some((cpu.state.gpr[RAX] & mask_of(S), b));
                bump(cpu, RDI);
            }
            _ => {
                let a = cpu.load::<S>(si)?;
                let b = cpu.load::<S>(di)?;
                cmp = Some((a, b));
                bump(cpu, RSI);
                bump(cpu, RDI);
            }
        }
        if let Some((a, b)) = cmp {
            cpu.state
                .flags
                .set_lazy(Op::Sub, (S * 8) as u8, a, b, a.wrapping_sub(b));
        }
        if !repeated {
            break;
        }
        let c = cpu.state.gpr[RCX];
        cpu.state.gpr[RCX] = c.wrapping_sub(1) & mask;
        if let (true, Some((a, b))) = (compares, cmp) {
            if (repe && a != b) || (repne && a == b) {
                break;
            }
        }
    }
    Ok(())
}

fn needs_general_asz32(i: &Instruction) -> bool {
    use iced_x86::OpKind;
    (0..i.op_count()).any(|n| matches!(i.op_kind(n), OpKind::MemorySegESI | OpKind::MemoryESEDI))
}
