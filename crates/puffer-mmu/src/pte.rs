//! The x86-64 page-table entry, in the format the hardware defines (Intel SDM Vol. 3A,
//! 4.5 "4-Level Paging", Table 4-19 "Format of a 4-Level Page-Table Entry that Maps a
//! 4-KByte Page"). Bits 9-11 are ignored by the processor; the kernel keeps its own
//! marks there, as Linux does with `_PAGE_SOFTW1..3`.

use crate::addr::{Pfn, PhysAddr};
use bitflags::bitflags;

bitflags! {
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
    pub struct PteFlags: u64 {
        const PRESENT  = 1 << 0;
        const WRITABLE = 1 << 1;
        const USER     = 1 << 2;
        const PWT      = 1 << 3;
        const PCD      = 1 << 4;
        const ACCESSED = 1 << 5;
        const DIRTY    = 1 << 6;
        /// PS in a PDE/PDPTE; PAT in a PTE. puffer maps 4 KiB pages only.
        const HUGE     = 1 << 7;
        const GLOBAL   = 1 << 8;
        /// Software bit: the page is copy-on-write; a write fault copies or takes it over.
        const COW      = 1 << 9;
        /// Software bit: the page belongs to a MAP_SHARED mapping and is never COW.
        const SHARED   = 1 << 10;
        /// Software bit: free for the kernel.
        const SOFT3    = 1 << 11;
        const NO_EXEC  = 1 << 63;
    }
}

/// Bits 12..51 of an entry hold the physical address of the next table or the page.
pub const PTE_ADDR_MASK: u64 = 0x000f_ffff_ffff_f000;

#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Pte(pub u64);

impl Pte {
    pub fn new(pfn: Pfn, flags: PteFlags) -> Pte {
        Pte((pfn.addr().0 & PTE_ADDR_MASK) | flags.bits())
    }
    pub fn flags(self) -> PteFlags {
        PteFlags::from_bits_retain(self.0 & !PTE_ADDR_MASK)
    }
    pub fn addr(self) -> PhysAddr {
        PhysAddr(self.0 & PTE_ADDR_MASK)
    }
    pub fn pfn(self) -> Pfn {
        self.addr().pfn()
    }
    pub fn present(self) -> bool {
        self.0 & PteFlags::PRESENT.bits() != 0
    }
}

impl std::fmt::Debug for Pte {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pte({:?} {:?})", self.addr(), self.flags())
    }
}
