//! Architectural state of one hardware thread: what a context switch saves and
//! restores, and what a signal frame or a debugger shows.

use crate::flags::Flags;

/// General-purpose register numbers in the x86 encoding order.
pub mod reg {
    pub const RAX: usize = 0;
    pub const RCX: usize = 1;
    pub const RDX: usize = 2;
    pub const RBX: usize = 3;
    pub const RSP: usize = 4;
    pub const RBP: usize = 5;
    pub const RSI: usize = 6;
    pub const RDI: usize = 7;
    pub const R8: usize = 8;
    pub const R9: usize = 9;
    pub const R10: usize = 10;
    pub const R11: usize = 11;
    pub const R12: usize = 12;
    pub const R13: usize = 13;
    pub const R14: usize = 14;
    pub const R15: usize = 15;
    /// The order debuggers and traces list the registers in (gdb's x86-64 target,
    /// ptrace's user_regs_struct for the first eight): RAX RBX RCX RDX RSI RDI RBP RSP
    /// R8..R15.
    pub const DISPLAY_ORDER: [usize; 16] = [
        RAX, RBX, RCX, RDX, RSI, RDI, RBP, RSP, R8, R9, R10, R11, R12, R13, R14, R15,
    ];
    pub const NAMES: [&str; 16] = [
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12",
        "r13", "r14", "r15",
    ];
}

/// The x87 FPU: eight 80-bit registers kept as raw bit patterns (the 64-bit
/// significand in the low bits, sign and exponent in bits 64..80), with the status
/// word's TOP field and the tag word, as FXSAVE stores them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct X87 {
    /// Physical registers R0..R7; ST(i) is `regs[(top + i) & 7]`.
    pub regs: [u128; 8],
    pub top: u8,
    /// Control word (FNINIT value 0x037f: all exceptions masked, 64-bit precision,
    /// round to nearest).
    pub fcw: u16,
    /// Status word without TOP (bits 11..13 are inserted from `top` on read).
    pub fsw: u16,
    /// One bit per physical register: 1 = valid (FXSAVE's abridged tag form).
    pub tags: u8,
}

impl Default for X87 {
    fn default() -> Self {
        X87 {
            regs: [0; 8],
            top: 0,
            fcw: 0x037f,
            fsw: 0,
            tags: 0,
        }
    }
}

#[derive(Clone, Debug)]
pub struct CpuState {
    pub gpr: [u64; 16],
    pub rip: u64,
    pub flags: Flags,
    pub fs_base: u64,
    pub gs_base: u64,
    pub xmm: [u128; 16],
    pub mxcsr: u32,
    pub x87: X87,
}

impl Default for CpuState {
    fn default() -> Self {
        CpuState {
            gpr: [0; 16],
            rip: 0,
            flags: Flags::default(),
            fs_base: 0,
            gs_base: 0,
            xmm: [0; 16],
            mxcsr: 0x1f80,
            x87: X87::default(),
        }
    }
}

impl CpuState {
    pub fn rflags(&self) -> u64 {
        self.flags.get()
    }
    pub fn set_rflags(&mut self, v: u64) {
        self.flags.set(v)
    }
}
