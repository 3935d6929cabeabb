//! Page faults as the hardware reports them: the faulting linear address (CR2) and the
//! error code pushed on the stack (Intel SDM Vol. 3A, 4.7 "Page-Fault Exceptions").

use crate::addr::VirtAddr;
use bitflags::bitflags;

bitflags! {
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
    pub struct PfCode: u8 {
        /// 0: the page was not present; 1: a protection violation on a present page.
        const PRESENT = 1 << 0;
        /// The access was a write.
        const WRITE   = 1 << 1;
        /// The access came from user mode (always set for guest accesses).
        const USER    = 1 << 2;
        /// A reserved bit was set in a paging-structure entry.
        const RSVD    = 1 << 3;
        /// The access was an instruction fetch.
        const IFETCH  = 1 << 4;
    }
}

/// What kind of access is being translated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    Exec,
}

impl Access {
    pub fn fault_code(self) -> PfCode {
        match self {
            Access::Read => PfCode::USER,
            Access::Write => PfCode::USER | PfCode::WRITE,
            Access::Exec => PfCode::USER | PfCode::IFETCH,
        }
    }
}

/// The error code's five bits as a 32-value enum. Its unused byte values give
/// `Result<(), Trap>` in the CPU a niche, so a handler's result fits in two registers
/// instead of being returned through memory on every instruction.
macro_rules! code_enum {
    ($($v:ident = $n:literal),*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        enum CodeBits { $($v = $n),* }
        impl CodeBits {
            fn from_u8(b: u8) -> CodeBits {
                match b & 31 { $($n => CodeBits::$v,)* _ => CodeBits::B0 }
            }
        }
    };
}
code_enum!(
    B0 = 0,
    B1 = 1,
    B2 = 2,
    B3 = 3,
    B4 = 4,
    B5 = 5,
    B6 = 6,
    B7 = 7,
    B8 = 8,
    B9 = 9,
    B10 = 10,
    B11 = 11,
    B12 = 12,
    B13 = 13,
    B14 = 14,
    B15 = 15,
    B16 = 16,
    B17 = 17,
    B18 = 18,
    B19 = 19,
    B20 = 20,
    B21 = 21,
    B22 = 22,
    B23 = 23,
    B24 = 24,
    B25 = 25,
    B26 = 26,
    B27 = 27,
    B28 = 28,
    B29 = 29,
    B30 = 30,
    B31 = 31
);

/// A #PF: the address (CR2) and the error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageFault {
    pub addr: VirtAddr,
    bits: CodeBits,
}

impl PageFault {
    pub fn new(addr: VirtAddr, code: PfCode) -> PageFault {
        PageFault {
            addr,
            bits: CodeBits::from_u8(code.bits()),
        }
    }
    /// The hardware error code.
    pub fn code(&self) -> PfCode {
        PfCode::from_bits_retain(self.bits as u8)
    }
    pub fn is_write(&self) -> bool {
        self.code().contains(PfCode::WRITE)
    }
    pub fn is_protection(&self) -> bool {
        self.code().contains(PfCode::PRESENT)
    }
    pub fn is_fetch(&self) -> bool {
        self.code().contains(PfCode::IFETCH)
    }
}
