//! Address newtypes. Guest virtual, guest physical and frame numbers are all `u64`
//! underneath; keeping them apart in the type system stops the classic emulator bug of
//! indexing RAM with a virtual address.

use std::fmt;

/// A guest virtual (linear) address.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct VirtAddr(pub u64);

/// A guest physical address: an offset into guest RAM.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct PhysAddr(pub u64);

/// A 4 KiB page frame number (`PhysAddr >> 12`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pfn(pub u64);

pub const PAGE_SIZE: u64 = 4096;
pub const PAGE_SHIFT: u32 = 12;
pub const PAGE_MASK: u64 = PAGE_SIZE - 1;

impl VirtAddr {
    pub const fn page_offset(self) -> u64 {
        self.0 & PAGE_MASK
    }
    pub const fn page_base(self) -> VirtAddr {
        VirtAddr(self.0 & !PAGE_MASK)
    }
    pub const fn vpn(self) -> u64 {
        self.0 >> PAGE_SHIFT
    }
    /// True for addresses whose bits 63..47 are all equal, as x86-64 requires.
    pub const fn is_canonical(self) -> bool {
        let top = (self.0 as i64) >> 47;
        top == 0 || top == -1
    }
    pub const fn add(self, n: u64) -> VirtAddr {
        VirtAddr(self.0.wrapping_add(n))
    }
}

impl PhysAddr {
    pub const fn pfn(self) -> Pfn {
        Pfn(self.0 >> PAGE_SHIFT)
    }
}

impl Pfn {
    pub const fn addr(self) -> PhysAddr {
        PhysAddr(self.0 << PAGE_SHIFT)
    }
}

impl fmt::Debug for VirtAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v:{:#x}", self.0)
    }
}
impl fmt::Debug for PhysAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "p:{:#x}", self.0)
    }
}
impl fmt::Debug for Pfn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pfn:{:#x}", self.0)
    }
}
impl fmt::LowerHex for VirtAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::LowerHex::fmt(&self.0, f)
    }
}
