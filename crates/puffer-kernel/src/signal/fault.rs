//! CPU exceptions other than page faults, as the signals Linux's trap handlers
//! (arch/x86/kernel/traps.c) force on the task: #DE → SIGFPE/FPE_INTDIV, #UD →
//! SIGILL/ILL_ILLOPN, #GP → SIGSEGV/SI_KERNEL, INT3 → SIGTRAP/SI_KERNEL, x87 #MF and
//! SIMD #XM → SIGFPE with the code of the unmasked exception.

use super::*;
use puffer_cpu::Trap;

/// x86 exception vectors (the signal frame's `trapno`).
const X86_TRAP_DE: u64 = 0;
const X86_TRAP_BP: u64 = 3;
const X86_TRAP_UD: u64 = 6;
const X86_TRAP_GP: u64 = 13;
const X86_TRAP_MF: u64 = 16;
const X86_TRAP_XF: u64 = 19;

/// fpu__exception_code: the SIGFPE code of the first unmasked exception in `err`
/// (invalid, zero divide, overflow, underflow or denormal, precision).
fn fp_code(err: u32) -> i32 {
    if err & 0x001 != 0 {
        FPE_FLTINV
    } else if err & 0x004 != 0 {
        FPE_FLTDIV
    } else if err & 0x008 != 0 {
        FPE_FLTOVF
    } else if err & 0x012 != 0 {
        FPE_FLTUND
    } else if err & 0x020 != 0 {
        FPE_FLTRES
    } else {
        0
    }
}

impl Kernel {
    /// Turn a CPU exception of the current task (other than #PF) into its signal.
    pub(crate) fn cpu_fault(&mut self, trap: Trap) {
        let s = &self.cpu.state;
        let rip = s.rip;
        let (info, trapno) = match trap {
            Trap::DivideError => (SigInfo::fault(SIGFPE, FPE_INTDIV, rip), X86_TRAP_DE),
            Trap::InvalidOpcode => (SigInfo::fault(SIGILL, ILL_ILLOPN, rip), X86_TRAP_UD),
            Trap::GeneralProtection => (SigInfo::kernel(SIGSEGV), X86_TRAP_GP),
            Trap::Breakpoint => (SigInfo::kernel(SIGTRAP), X86_TRAP_BP),
            // Not an exception: handled before it gets here.
            Trap::HostInsn => return,
            Trap::FloatingPoint => {
                let err = (s.x87.fsw & !s.x87.fcw) as u32;
                (SigInfo::fault(SIGFPE, fp_code(err), rip), X86_TRAP_MF)
            }
            Trap::SimdFloatingPoint => {
                let err = !(s.mxcsr >> 7) & s.mxcsr;
                (SigInfo::fault(SIGFPE, fp_code(err), rip), X86_TRAP_XF)
            }
            Trap::Budget | Trap::Syscall | Trap::PageFault(_) => return,
        };
        let trap = TrapInfo {
            trapno,
            err: 0,
            cr2: 0,
        };
        self.force_fault(info, trap);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fp_codes_by_priority() {
        use super::*;
        assert_eq!(fp_code(0x01 | 0x04), FPE_FLTINV);
        assert_eq!(fp_code(0x04 | 0x20), FPE_FLTDIV);
        assert_eq!(fp_code(0x08), FPE_FLTOVF);
        assert_eq!(fp_code(0x02), FPE_FLTUND);
        assert_eq!(fp_code(0x20), FPE_FLTRES);
    }
}
