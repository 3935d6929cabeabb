//! The software TLB: three direct-mapped arrays (read, write, fetch), so that a hit
//! checks the permission by being present at all. An entry holds the *addend* that
//! turns a guest virtual address into a host pointer (host = va + addend), so a hit
//! costs an index, a compare and an add.

use crate::addr::PAGE_SHIFT;

pub const TLB_ENTRIES: usize = 1024;
const INVALID: u64 = u64::MAX;

#[derive(Clone, Copy)]
pub struct TlbEntry {
    /// Virtual page number, or `INVALID`.
    pub tag: u64,
    /// `host_base + pa_page - va_page`, wrapping.
    pub addend: u64,
    /// Guest physical address of the page.
    pub pa: u64,
}

impl TlbEntry {
    const EMPTY: TlbEntry = TlbEntry {
        tag: INVALID,
        addend: 0,
        pa: 0,
    };
}

pub struct TlbArray {
    pub entries: Box<[TlbEntry; TLB_ENTRIES]>,
}

impl TlbArray {
    pub fn new() -> TlbArray {
        TlbArray {
            entries: Box::new([TlbEntry::EMPTY; TLB_ENTRIES]),
        }
    }

    #[inline(always)]
    pub fn index(va: u64) -> usize {
        ((va >> PAGE_SHIFT) as usize) & (TLB_ENTRIES - 1)
    }

    /// Host pointer for `size` bytes at `va` if they lie in one cached page.
    #[inline(always)]
    pub fn lookup(&self, va: u64, size: usize) -> Option<*mut u8> {
        let e = &self.entries[Self::index(va)];
        if e.tag == va >> PAGE_SHIFT && (va & 0xfff) as usize + size <= 4096 {
            Some(va.wrapping_add(e.addend) as *mut u8)
        } else {
            None
        }
    }

    pub fn fill(&mut self, va: u64, pa_page: u64, host_base: *mut u8) {
        let va_page = va & !0xfff;
        self.entries[Self::index(va)] = TlbEntry {
            tag: va >> PAGE_SHIFT,
            addend: (host_base as u64)
                .wrapping_add(pa_page)
                .wrapping_sub(va_page),
            pa: pa_page,
        };
    }

    pub fn invalidate(&mut self, va: u64) {
        let e = &mut self.entries[Self::index(va)];
        if e.tag == va >> PAGE_SHIFT {
            *e = TlbEntry::EMPTY;
        }
    }

    pub fn invalidate_pa(&mut self, pa_page: u64) {
        for e in self.entries.iter_mut() {
            if e.tag != INVALID && e.pa == pa_page {
                *e = TlbEntry::EMPTY;
            }
        }
    }

    pub fn flush(&mut self) {
        self.entries.fill(TlbEntry::EMPTY);
    }
}

impl Default for TlbArray {
    fn default() -> Self {
        Self::new()
    }
}
