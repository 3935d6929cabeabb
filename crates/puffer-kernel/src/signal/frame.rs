//! The x86-64 signal frame (arch/x86/include/asm/sigframe.h, uapi asm/sigcontext.h),
//! as a handler finds it on its stack:
//!
//! ```text
//! frame+0    pretcode      the return address: sa_restorer (it calls rt_sigreturn)
//! frame+8    ucontext      uc_flags, uc_link, uc_stack, uc_mcontext (sigcontext),
//!                          uc_sigmask                                 (304 bytes)
//! frame+312  siginfo                                                 (128 bytes)
//! ...        fpstate       the 512-byte FXSAVE image, 64-byte aligned, above the frame
//! ```
//!
//! The frame is placed 128 bytes (the red zone) below the interrupted RSP, or at the
//! top of the alternate stack, below the fpstate, so that `(rsp + 8) % 16 == 0` at the
//! handler's entry, as after a call.

use super::TrapInfo;
use puffer_cpu::{reg, CpuState};

pub const FRAME_SIZE: u64 = 440;
pub const UC_OFF: u64 = 8;
pub const INFO_OFF: u64 = 312;
pub const UC_SIZE: usize = 304;
pub const FPSTATE_SIZE: u64 = 512;
/// FP_XSTATE_MAGIC2, the word after an XSAVE-format fpstate that marks its end.
pub const FP_XSTATE_MAGIC2_SIZE: u64 = 4;
/// The XSAVE header after the legacy FXSAVE image.
pub const XSAVE_HEADER_SIZE: usize = 64;
/// Offsets inside the ucontext.
const MC: usize = 40;
pub(crate) const SIGMASK: usize = 296;

/// uc_flags: the sigcontext has SS, and sigreturn restores it strictly. No XSAVE state
/// (UC_FP_XSTATE) since the CPU has no XSAVE: the fpstate is a plain FXSAVE image.
pub const UC_FLAGS: u64 = 0x2 | 0x4;

/// The user code and stack segment selectors of a 64-bit Linux process.
const USER_CS: u16 = 0x33;
const USER_DS: u16 = 0x2b;

/// sigcontext's register slots, in order: r8..r15, rdi, rsi, rbp, rbx, rdx, rax,
/// rcx, rsp (then rip, eflags, ...).
const GREG_ORDER: [usize; 16] = [
    reg::R8,
    reg::R9,
    reg::R10,
    reg::R11,
    reg::R12,
    reg::R13,
    reg::R14,
    reg::R15,
    reg::RDI,
    reg::RSI,
    reg::RBP,
    reg::RBX,
    reg::RDX,
    reg::RAX,
    reg::RCX,
    reg::RSP,
];

/// The ranges of the ucontext Linux's setup_rt_frame never stores to: uc_stack's
/// padding after ss_flags and sigcontext's `__reserved1`.
pub const UNWRITTEN: [std::ops::Range<usize>; 2] = [28..32, MC + 192..MC + 256];

/// The bytes of the FXSAVE image the instruction writes: 416..512 are reserved or
/// for software, and keep their old contents.
pub const FXSAVE_WRITTEN: usize = 416;

/// Set RF (bit 16) in an encoded ucontext's saved RFLAGS.
pub fn set_saved_rf(uc: &mut [u8; UC_SIZE]) {
    uc[MC + 136 + 2] |= 1;
}

/// `stack_t`: ss_sp, ss_flags, ss_size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StackT {
    pub sp: u64,
    pub flags: u32,
    pub size: u64,
}

impl StackT {
    pub fn encode(&self) -> [u8; 24] {
        let mut b = [0u8; 24];
        b[0..8].copy_from_slice(&self.sp.to_le_bytes());
        b[8..12].copy_from_slice(&self.flags.to_le_bytes());
        b[16..24].copy_from_slice(&self.size.to_le_bytes());
        b
    }
    pub fn decode(b: &[u8]) -> StackT {
        StackT {
            sp: u64_at(b, 0),
            flags: u32::from_le_bytes([b[8], b[9], b[10], b[11]]),
            size: u64_at(b, 16),
        }
    }
}

fn u64_at(b: &[u8], o: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[o..o + 8]);
    u64::from_le_bytes(w)
}

fn put(b: &mut [u8], o: usize, v: u64) {
    b[o..o + 8].copy_from_slice(&v.to_le_bytes());
}

/// The ucontext of a frame: the interrupted registers, the mask to restore, the
/// alternate stack at the time, and where the fpstate is.
pub fn encode_ucontext(
    regs: &CpuState,
    stack: StackT,
    trap: TrapInfo,
    fpstate: u64,
    mask: u64,
) -> [u8; UC_SIZE] {
    let mut b = [0u8; UC_SIZE];
    put(&mut b, 0, UC_FLAGS);
    put(&mut b, 8, 0); // uc_link
    b[16..40].copy_from_slice(&stack.encode());
    for (n, &r) in GREG_ORDER.iter().enumerate() {
        put(&mut b, MC + 8 * n, regs.gpr[r]);
    }
    put(&mut b, MC + 128, regs.rip);
    put(&mut b, MC + 136, regs.rflags());
    b[MC + 144..MC + 146].copy_from_slice(&USER_CS.to_le_bytes());
    // gs and fs (MC+146, MC+148) read as 0, as on Linux.
    b[MC + 150..MC + 152].copy_from_slice(&USER_DS.to_le_bytes());
    put(&mut b, MC + 152, trap.err);
    put(&mut b, MC + 160, trap.trapno);
    put(&mut b, MC + 168, mask); // oldmask
    put(&mut b, MC + 176, trap.cr2);
    put(&mut b, MC + 184, fpstate);
    put(&mut b, SIGMASK, mask);
    b
}

/// What rt_sigreturn takes back from a ucontext.
pub struct Restored {
    pub gpr: [u64; 16],
    pub rip: u64,
    pub rflags: u64,
    pub fpstate: u64,
    pub mask: u64,
    pub stack: StackT,
}

pub fn decode_ucontext(b: &[u8; UC_SIZE]) -> Restored {
    let mut gpr = [0u64; 16];
    for (n, &r) in GREG_ORDER.iter().enumerate() {
        gpr[r] = u64_at(b, MC + 8 * n);
    }
    Restored {
        gpr,
        rip: u64_at(b, MC + 128),
        rflags: u64_at(b, MC + 136),
        fpstate: u64_at(b, MC + 184),
        mask: u64_at(b, SIGMASK),
        stack: StackT::decode(&b[16..40]),
    }
}

/// The RFLAGS bits sigreturn takes from the frame (Linux's FIX_EFLAGS): AC, OF, DF,
/// TF, SF, ZF, AF, PF, CF, RF. The others (IF, IOPL...) stay as they are.
pub const FIX_EFLAGS: u64 =
    0x40000 | 0x800 | 0x400 | 0x100 | 0x80 | 0x40 | 0x10 | 0x4 | 0x1 | 0x10000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ucontext_round_trip_and_layout() {
        let mut regs = CpuState::default();
        for (i, g) in regs.gpr.iter_mut().enumerate() {
            *g = 0x1000 + i as u64;
        }
        regs.rip = 0x401234;
        let st = StackT {
            sp: 0x7000,
            flags: 2,
            size: 0,
        };
        let trap = TrapInfo {
            trapno: 14,
            err: 6,
            cr2: 0xdead,
        };
        let b = encode_ucontext(&regs, st, trap, 0x7ff000, 0x1234);
        // glibc's gregs: REG_R8 = 0 ... REG_RIP = 16, REG_ERR = 19, REG_TRAPNO = 20,
        // REG_CR2 = 22.
        let greg = |n: usize| u64_at(&b, MC + 8 * n);
        assert_eq!(greg(0), regs.gpr[reg::R8]);
        assert_eq!(greg(8), regs.gpr[reg::RDI]);
        assert_eq!(greg(13), regs.gpr[reg::RAX]);
        assert_eq!(greg(15), regs.gpr[reg::RSP]);
        assert_eq!(greg(16), 0x401234);
        assert_eq!(greg(19), 6);
        assert_eq!(greg(20), 14);
        assert_eq!(greg(22), 0xdead);
        assert_eq!(greg(23), 0x7ff000);
        let r = decode_ucontext(&b);
        assert_eq!(r.gpr, regs.gpr);
        assert_eq!(r.rip, regs.rip);
        assert_eq!(r.mask, 0x1234);
        assert_eq!(r.stack, st);
        assert_eq!(r.fpstate, 0x7ff000);
    }
}
