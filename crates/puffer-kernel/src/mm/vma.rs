//! Virtual memory areas: what a range of the address space *should* contain (Linux's
//! `vm_area_struct`). Page tables say what is present now; a VMA says what a fault in
//! its range must bring in.

use crate::vfs::FileRef;
use bitflags::bitflags;

bitflags! {
    /// PROT_* bits as mmap(2) takes them.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Prot: u32 {
        const READ = 1;
        const WRITE = 2;
        const EXEC = 4;
    }
}

#[derive(Clone)]
pub enum Backing {
    /// Demand-zero memory.
    Anon,
    /// Pages read from `file` at `offset` (the file offset of the VMA's start). Bytes
    /// at or beyond `file_end` (a virtual address) read as zero: this is how an ELF
    /// segment's .bss tail shares a page with the end of .data.
    File {
        file: FileRef,
        offset: u64,
        file_end: u64,
    },
}

#[derive(Clone)]
pub struct Vma {
    pub start: u64,
    pub end: u64,
    pub prot: Prot,
    /// MAP_SHARED: writes go to the shared frames (and, for files, are written back).
    pub shared: bool,
    pub backing: Backing,
    /// The stack: may grow down on a fault just below `start`.
    pub grows_down: bool,
    /// Name shown in /proc/self/maps: "[heap]", "[stack]", a path, or empty.
    pub name: String,
}

impl Vma {
    pub fn len(&self) -> u64 {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    pub fn contains(&self, a: u64) -> bool {
        self.start <= a && a < self.end
    }

    /// The part of this VMA in `[start, end)`, with the file offset adjusted.
    pub fn slice(&self, start: u64, end: u64) -> Vma {
        let mut v = self.clone();
        v.start = start.max(self.start);
        v.end = end.min(self.end);
        if let Backing::File { offset, .. } = &mut v.backing {
            *offset += v.start - self.start;
        }
        v
    }
}
