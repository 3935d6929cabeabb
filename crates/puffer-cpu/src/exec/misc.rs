//! Everything else: CPUID, RDTSC, SYSCALL, INT3, UD2, HLT, NOP/ENDBR/PAUSE/fences,
//! and the flag instructions CLC STC CMC CLD STD.

use crate::flags::CF;
use crate::reg::{R11, RAX, RBX, RCX, RDX};
use crate::{Cpu, Trap};
use iced_x86::Instruction;

/// What CPUID reports. It must claim exactly what puffer implements, because glibc
/// picks its string and math routines (ifuncs) from these bits.
#[derive(Clone, Debug)]
pub struct CpuidModel {
    pub vendor: [u8; 12],
    pub brand: [u8; 48],
    /// Leaf 1 EDX: FPU TSC CX8 CMOV FXSR SSE SSE2 (the x86-64 baseline, less MMX, whose
    /// register forms puffer does not implement; glibc and musl never need it).
    pub leaf1_edx: u32,
    /// Leaf 1 ECX: none of SSE3+ yet.
    pub leaf1_ecx: u32,
}

impl Default for CpuidModel {
    fn default() -> Self {
        let mut brand = [0u8; 48];
        let b = b"puffer x86-64 interpreter";
        brand[..b.len()].copy_from_slice(b);
        let edx = (1 << 0) // FPU
            | (1 << 4) // TSC
            | (1 << 8) // CX8
            | (1 << 15) // CMOV
            // MMX (bit 23) is not claimed: the MMX-register forms are not implemented.
            | (1 << 24) // FXSR
            | (1 << 25) // SSE
            | (1 << 26); // SSE2
        CpuidModel {
            vendor: *b"GenuineIntel",
            brand,
            leaf1_edx: edx,
            leaf1_ecx: 0,
        }
    }
}

fn le(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

impl CpuidModel {
    /// (EAX, EBX, ECX, EDX) for a leaf and subleaf.
    pub fn query(&self, leaf: u32, sub: u32) -> [u32; 4] {
        let v = &self.vendor;
        match leaf {
            0 => [7, le(&v[0..4]), le(&v[8..12]), le(&v[4..8])],
            // Family 6, model 0x2a-style signature; CLFLUSH line 64 bytes; 1 logical CPU.
            1 => [
                0x0002_06a7,
                (8 << 8) | (1 << 16),
                self.leaf1_ecx,
                self.leaf1_edx,
            ],
            // Leaf 2: descriptor 0xff says "use leaf 4".
            2 => [0x00ff_0001, 0, 0, 0],
            // Deterministic cache parameters: L1d 32K 8-way, L1i 32K, L2 256K, L3 8M.
            4 => {
                let cache = |ty: u32, level: u32, ways: u32, sets: u32, shared: u32| {
                    [
                        ty | (level << 5) | (1 << 8) | (shared << 14),
                        (ways - 1) << 22 | 63,
                        sets - 1,
                        0,
                    ]
                };
                match sub {
                    0 => cache(1, 1, 8, 64, 0),
                    1 => cache(2, 1, 8, 64, 0),
                    2 => cache(3, 2, 4, 1024, 0),
                    3 => cache(3, 3, 16, 8192, 0),
                    _ => [0; 4],
                }
            }
            0x8000_0000 => [0x8000_0008, 0, 0, 0],
            // LAHF/SAHF in 64-bit mode; SYSCALL, NX, long mode.
            0x8000_0001 => [0, 0, 1, (1 << 11) | (1 << 20) | (1 << 29)],
            0x8000_0002..=0x8000_0004 => {
                let o = ((leaf - 0x8000_0002) * 16) as usize;
                let b = &self.brand[o..o + 16];
                [le(&b[0..4]), le(&b[4..8]), le(&b[8..12]), le(&b[12..16])]
            }
            // 48-bit physical and linear addresses.
            0x8000_0008 => [0x3030, 0, 0, 0],
            _ => [0; 4],
        }
    }
}

pub fn cpuid(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    if cpu.host_exit {
        return Err(Trap::HostInsn);
    }
    let leaf = cpu.state.gpr[RAX] as u32;
    let sub = cpu.state.gpr[RCX] as u32;
    let r = cpu.cpuid.query(leaf, sub);
    cpu.state.gpr[RAX] = r[0] as u64;
    cpu.state.gpr[RBX] = r[1] as u64;
    cpu.state.gpr[RCX] = r[2] as u64;
    cpu.state.gpr[RDX] = r[3] as u64;
    Ok(())
}

pub fn rdtsc(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    if cpu.host_exit {
        return Err(Trap::HostInsn);
    }
    let t = (cpu.tsc)(cpu);
    cpu.state.gpr[RAX] = t & 0xffff_ffff;
    cpu.state.gpr[RDX] = t >> 32;
    Ok(())
}

/// SYSCALL: RCX = return address, R11 = RFLAGS; the kernel takes over.
pub fn syscall(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    cpu.state.gpr[RCX] = i.next_ip();
    cpu.state.gpr[R11] = cpu.state.flags.get() & !(1 << 16);
    Err(Trap::Syscall)
}

pub fn int3(_: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    Err(Trap::Breakpoint)
}

pub fn ud(_: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    Err(Trap::InvalidOpcode)
}

/// HLT and other privileged instructions: #GP(0) in user mode.
pub fn privileged(_: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    Err(Trap::GeneralProtection)
}

pub fn nop(_: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    Ok(())
}

pub fn clc(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    cpu.state.flags.set_cf(false);
    Ok(())
}

pub fn stc(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    cpu.state.flags.set_cf(true);
    Ok(())
}

pub fn cmc(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    let f = cpu.state.flags.arith();
    cpu.state.flags.set_arith(f ^ CF);
    Ok(())
}

pub fn cld(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    cpu.state.flags.set_df(false);
    Ok(())
}

pub fn std(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    cpu.state.flags.set_df(true);
    Ok(())
}
