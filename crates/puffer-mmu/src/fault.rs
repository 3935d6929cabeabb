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

/// A #PF: the address (CR2) and the error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageFault {
    pub addr: VirtAddr,
    pub code: PfCode,
}

impl PageFault {
    pub fn is_write(&self) -> bool {
        self.code.contains(PfCode::WRITE)
    }
    pub fn is_protection(&self) -> bool {
        self.code.contains(PfCode::PRESENT)
    }
    pub fn is_fetch(&self) -> bool {
        self.code.contains(PfCode::IFETCH)
    }
}
