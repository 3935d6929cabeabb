//! Operand access: iced-x86 registers onto the register file, effective addresses,
//! and sized reads and writes of register, memory and immediate operands.

use crate::{Cpu, Trap};
use iced_x86::{Instruction, OpKind, Register};

/// How an iced `Register` maps onto the GPR file: index, size in bytes, and whether
/// it is one of AH/CH/DH/BH (bits 8..16).
#[derive(Clone, Copy)]
pub struct GprInfo {
    pub idx: u8,
    pub size: u8,
    pub high: bool,
}

const fn gpr_table() -> [GprInfo; 256] {
    let mut t = [GprInfo {
        idx: 0,
        size: 0,
        high: false,
    }; 256];
    let mut i = 0;
    while i < 16 {
        // AL, CL, DL, BL
        if i < 4 {
            t[Register::AL as usize + i] = GprInfo {
                idx: i as u8,
                size: 1,
                high: false,
            };
            t[Register::AH as usize + i] = GprInfo {
                idx: i as u8,
                size: 1,
                high: true,
            };
        } else {
            t[Register::SPL as usize + i - 4] = GprInfo {
                idx: i as u8,
                size: 1,
                high: false,
            };
        }
        t[Register::AX as usize + i] = GprInfo {
            idx: i as u8,
            size: 2,
            high: false,
        };
        t[Register::EAX as usize + i] = GprInfo {
            idx: i as u8,
            size: 4,
            high: false,
        };
        t[Register::RAX as usize + i] = GprInfo {
            idx: i as u8,
            size: 8,
            high: false,
        };
        i += 1;
    }
    t
}

pub static GPR: [GprInfo; 256] = gpr_table();

#[inline(always)]
pub const fn mask_of(size: usize) -> u64 {
    if size >= 8 {
        u64::MAX
    } else {
        (1u64 << (size * 8)) - 1
    }
}

impl Cpu {
    /// Read a general-purpose register of any size, zero-extended.
    #[inline(always)]
    pub fn reg(&self, r: Register) -> u64 {
        let g = GPR[r as usize];
        let v = self.state.gpr[g.idx as usize];
        if g.high {
            (v >> 8) & 0xff
        } else {
            v & mask_of(g.size as usize)
        }
    }

    /// Read a GPR operand whose size `S` the decoder guaranteed (no table lookup).
    #[inline(always)]
    pub fn reg_s<const S: usize>(&self, r: Register) -> u64 {
        match S {
            8 => self.state.gpr[(r as usize).wrapping_sub(Register::RAX as usize) & 15],
            4 => {
                self.state.gpr[(r as usize).wrapping_sub(Register::EAX as usize) & 15] & 0xffff_ffff
            }
            2 => self.state.gpr[(r as usize).wrapping_sub(Register::AX as usize) & 15] & 0xffff,
            _ => self.reg(r),
        }
    }

    /// Write a GPR operand of statically known size `S`.
    #[inline(always)]
    pub fn set_reg_s<const S: usize>(&mut self, r: Register, v: u64) {
        match S {
            8 => self.state.gpr[(r as usize).wrapping_sub(Register::RAX as usize) & 15] = v,
            4 => {
                self.state.gpr[(r as usize).wrapping_sub(Register::EAX as usize) & 15] =
                    v & 0xffff_ffff
            }
            2 => {
                let slot =
                    &mut self.state.gpr[(r as usize).wrapping_sub(Register::AX as usize) & 15];
                *slot = (*slot & !0xffff) | (v & 0xffff);
            }
            _ => self.set_reg(r, v),
        }
    }

    /// Write a general-purpose register: 8/16-bit writes keep the upper bits, 32-bit
    /// writes zero the upper half (Intel SDM Vol. 1, 3.4.1.1).
    #[inline(always)]
    pub fn set_reg(&mut self, r: Register, v: u64) {
        let g = GPR[r as usize];
        let slot = &mut self.state.gpr[g.idx as usize];
        match (g.size, g.high) {
            (1, true) => *slot = (*slot & !0xff00) | ((v & 0xff) << 8),
            (1, false) => *slot = (*slot & !0xff) | (v & 0xff),
            (2, _) => *slot = (*slot & !0xffff) | (v & 0xffff),
            (4, _) => *slot = v & 0xffff_ffff,
            _ => *slot = v,
        }
    }

    /// The effective (linear) address of the memory operand.
    #[inline(always)]
    pub fn ea(&self, i: &Instruction) -> u64 {
        let mut a = i.memory_displacement64();
        let base = i.memory_base();
        if base != Register::None && base != Register::RIP {
            if base == Register::EIP {
                a &= 0xffff_ffff;
            } else {
                a = a.wrapping_add(self.reg(base));
            }
        }
        let index = i.memory_index();
        if index != Register::None {
            a = a.wrapping_add(self.reg(index) << (i.memory_index_scale().trailing_zeros()));
        }
        if GPR[base as usize].size == 4 || GPR[index as usize].size == 4 {
            // 0x67 address-size prefix: 32-bit effective address.
            a &= 0xffff_ffff;
        }
        match i.memory_segment() {
            Register::FS => a.wrapping_add(self.state.fs_base),
            Register::GS => a.wrapping_add(self.state.gs_base),
            _ => a,
        }
    }

    /// Read `S` bytes from guest memory (S = 1, 2, 4, 8).
    #[inline(always)]
    pub fn load<const S: usize>(&mut self, addr: u64) -> Result<u64, Trap> {
        Ok(match S {
            1 => self.mmu.read::<u8>(addr)? as u64,
            2 => self.mmu.read::<u16>(addr)? as u64,
            4 => self.mmu.read::<u32>(addr)? as u64,
            _ => self.mmu.read::<u64>(addr)?,
        })
    }

    #[inline(always)]
    pub fn store<const S: usize>(&mut self, addr: u64, v: u64) -> Result<(), Trap> {
        match S {
            1 => self.mmu.write::<u8>(addr, v as u8)?,
            2 => self.mmu.write::<u16>(addr, v as u16)?,
            4 => self.mmu.write::<u32>(addr, v as u32)?,
            _ => self.mmu.write::<u64>(addr, v)?,
        }
        Ok(())
    }

    /// Read operand `n` as an `S`-byte value (zero-extended; immediates are
    /// sign-extended to the operand size, then masked).
    #[inline(always)]
    pub fn read_op<const S: usize>(&mut self, i: &Instruction, n: u32) -> Result<u64, Trap> {
        match i.op_kind(n) {
            OpKind::Register => Ok(self.reg(i.op_register(n))),
            OpKind::Memory => {
                let a = self.ea(i);
                self.load::<S>(a)
            }
            _ => Ok(i.immediate(n) & mask_of(S)),
        }
    }

    /// Write operand `n` (a register or memory), `S` bytes.
    #[inline(always)]
    pub fn write_op<const S: usize>(
        &mut self,
        i: &Instruction,
        n: u32,
        v: u64,
    ) -> Result<(), Trap> {
        match i.op_kind(n) {
            OpKind::Register => {
                self.set_reg(i.op_register(n), v);
                Ok(())
            }
            _ => {
                let a = self.ea(i);
                self.store::<S>(a, v)
            }
        }
    }

    #[inline(always)]
    pub fn push64(&mut self, v: u64) -> Result<(), Trap> {
        let sp = self.state.gpr[crate::reg::RSP].wrapping_sub(8);
        self.mmu.write::<u64>(sp, v)?;
        self.state.gpr[crate::reg::RSP] = sp;
        Ok(())
    }

    #[inline(always)]
    pub fn pop64(&mut self) -> Result<u64, Trap> {
        let sp = self.state.gpr[crate::reg::RSP];
        let v = self.mmu.read::<u64>(sp)?;
        self.state.gpr[crate::reg::RSP] = sp.wrapping_add(8);
        Ok(v)
    }

    /// Read a 128-bit memory operand.
    #[inline(always)]
    pub fn load128(&mut self, addr: u64) -> Result<u128, Trap> {
        Ok(self.mmu.read::<u128>(addr)?)
    }

    #[inline(always)]
    pub fn store128(&mut self, addr: u64, v: u128) -> Result<(), Trap> {
        Ok(self.mmu.write::<u128>(addr, v)?)
    }
}

/// Operand size in bytes of operand `n` (register or memory).
pub fn op_size(i: &Instruction, n: u32) -> usize {
    match i.op_kind(n) {
        OpKind::Register => GPR[i.op_register(n) as usize].size as usize,
        OpKind::Memory => i.memory_size().size(),
        OpKind::Immediate8 => 1,
        OpKind::Immediate16 => 2,
        OpKind::Immediate32 => 4,
        _ => 8,
    }
}
