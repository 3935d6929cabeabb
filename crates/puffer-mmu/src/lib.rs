//! puffer's memory management unit: guest physical RAM, x86-64 4-level page tables
//! stored *in* that RAM in the hardware format, the page walk, and a software TLB.
//!
//! Every guest access (instruction fetch, load, store, and the kernel's copies to and
//! from user memory) goes through [`Mmu`]. A TLB hit is an index, a compare and an add;
//! a miss walks the page tables of the current root (CR3), sets the Accessed and Dirty
//! bits as the hardware does, and reports a [`PageFault`] with the hardware error code
//! when the walk fails. The kernel edits page tables only through this API, which
//! keeps the TLB coherent.

pub mod addr;
pub mod fault;
pub mod phys;
pub mod pte;
pub mod tlb;

pub use addr::{Pfn, PhysAddr, VirtAddr, PAGE_MASK, PAGE_SIZE};
pub use fault::{Access, PageFault, PfCode};
pub use phys::{OutOfMemory, PhysMem};
pub use pte::{Pte, PteFlags};

use tlb::TlbArray;

/// Counters for `puffer run --stats`.
#[derive(Clone, Copy, Debug, Default)]
pub struct MmuStats {
    pub tlb_hits: u64,
    pub tlb_misses: u64,
    pub page_walks: u64,
}

pub struct Mmu {
    pub phys: PhysMem,
    cr3: PhysAddr,
    host: *mut u8,
    tlb_read: TlbArray,
    tlb_write: TlbArray,
    tlb_exec: TlbArray,
    pub stats: MmuStats,
}

/// Values that can be loaded and stored in guest memory (little-endian).
pub trait Scalar: Copy {
    const SIZE: usize;
    fn from_le(b: &[u8]) -> Self;
    fn to_le(self, b: &mut [u8]);
}

macro_rules! scalar {
    ($($t:ty),*) => {$(
        impl Scalar for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            #[inline(always)]
            fn from_le(b: &[u8]) -> Self {
                let mut a = [0u8; std::mem::size_of::<$t>()];
                a.copy_from_slice(&b[..Self::SIZE]);
                <$t>::from_le_bytes(a)
            }
            #[inline(always)]
            fn to_le(self, b: &mut [u8]) {
                b[..Self::SIZE].copy_from_slice(&self.to_le_bytes());
            }
        }
    )*};
}
scalar!(u8, u16, u32, u64, u128);

impl Mmu {
    pub fn new(ram_size: u64) -> Mmu {
        let mut phys = PhysMem::new(ram_size);
        let host = phys.host_base();
        Mmu {
            phys,
            cr3: PhysAddr(0),
            host,
            tlb_read: TlbArray::new(),
            tlb_write: TlbArray::new(),
            tlb_exec: TlbArray::new(),
            stats: MmuStats::default(),
        }
    }

    pub fn cr3(&self) -> PhysAddr {
        self.cr3
    }

    /// Switch address spaces (a MOV to CR3): the whole TLB is flushed.
    pub fn set_cr3(&mut self, root: PhysAddr) {
        if root != self.cr3 {
            self.cr3 = root;
            self.flush_tlb();
        }
    }

    pub fn flush_tlb(&mut self) {
        self.tlb_read.flush();
        self.tlb_write.flush();
        self.tlb_exec.flush();
    }

    /// INVLPG: drop any cached translation of the page holding `va`.
    pub fn invlpg(&mut self, va: VirtAddr) {
        self.tlb_read.invalidate(va.0);
        self.tlb_write.invalidate(va.0);
        self.tlb_exec.invalidate(va.0);
    }

    // ---------------------------------------------------------------- fast path

    #[inline(always)]
    pub fn read<T: Scalar>(&mut self, va: u64) -> Result<T, PageFault> {
        if let Some(p) = self.tlb_read.lookup(va, T::SIZE) {
            self.stats.tlb_hits += 1;
            // SAFETY: a TLB entry is filled only from a successful walk to a frame inside
            // guest RAM, and `lookup` checked that the access stays inside that page.
            let b = unsafe { std::slice::from_raw_parts(p, T::SIZE) };
            return Ok(T::from_le(b));
        }
        self.read_slow(va)
    }

    #[inline(always)]
    pub fn write<T: Scalar>(&mut self, va: u64, v: T) -> Result<(), PageFault> {
        if let Some(p) = self.tlb_write.lookup(va, T::SIZE) {
            self.stats.tlb_hits += 1;
            // SAFETY: as in `read`; write entries exist only for writable, non-code pages.
            let b = unsafe { std::slice::from_raw_parts_mut(p, T::SIZE) };
            v.to_le(b);
            return Ok(());
        }
        self.write_slow(va, v)
    }

    /// Translate an instruction fetch; returns the physical address.
    #[inline(always)]
    pub fn translate_exec(&mut self, va: u64) -> Result<PhysAddr, PageFault> {
        let e = &self.tlb_exec.entries[TlbArray::index(va)];
        if e.tag == va >> 12 {
            return Ok(PhysAddr(e.pa | (va & 0xfff)));
        }
        self.fill(va, Access::Exec)
            .map(|pa| PhysAddr(pa | (va & 0xfff)))
    }

    // ---------------------------------------------------------------- slow path

    #[inline(never)]
    fn read_slow<T: Scalar>(&mut self, va: u64) -> Result<T, PageFault> {
        let mut buf = [0u8; 16];
        self.read_bytes(va, &mut buf[..T::SIZE])?;
        Ok(T::from_le(&buf))
    }

    #[inline(never)]
    fn write_slow<T: Scalar>(&mut self, va: u64, v: T) -> Result<(), PageFault> {
        let mut buf = [0u8; 16];
        v.to_le(&mut buf);
        self.write_bytes(va, &buf[..T::SIZE])
    }

    /// Read guest memory into `buf`, page by page. A fault leaves `buf` partly filled.
    pub fn read_bytes(&mut self, va: u64, buf: &mut [u8]) -> Result<(), PageFault> {
        let mut done = 0;
        while done < buf.len() {
            let a = va.wrapping_add(done as u64);
            let pa = self.translate(a, Access::Read)?;
            let n = (4096 - (a & 0xfff) as usize).min(buf.len() - done);
            let off = pa.0 as usize;
            let frame = self.phys.frame(pa.pfn());
            let fo = off & 0xfff;
            buf[done..done + n].copy_from_slice(&frame[fo..fo + n]);
            done += n;
        }
        Ok(())
    }

    /// Write `buf` to guest memory, page by page. Both pages of a straddling write are
    /// translated before any byte is stored, so a fault leaves memory unchanged.
    pub fn write_bytes(&mut self, va: u64, buf: &[u8]) -> Result<(), PageFault> {
        if buf.len() <= 4096 {
            // Probe the second page first so that a straddling store is all or nothing.
            let last = va.wrapping_add(buf.len() as u64 - 1);
            if buf.is_empty() {
                return Ok(());
            }
            if last >> 12 != va >> 12 {
                self.translate(last, Access::Write)?;
            }
        }
        let mut done = 0;
        while done < buf.len() {
            let a = va.wrapping_add(done as u64);
            let pa = self.translate(a, Access::Write)?;
            let n = (4096 - (a & 0xfff) as usize).min(buf.len() - done);
            let fo = (pa.0 & 0xfff) as usize;
            let frame = self.phys.frame_mut(pa.pfn());
            frame[fo..fo + n].copy_from_slice(&buf[done..done + n]);
            done += n;
        }
        Ok(())
    }

    /// Fill `len` bytes at `va` with `byte`.
    pub fn fill_bytes(&mut self, va: u64, byte: u8, len: usize) -> Result<(), PageFault> {
        let mut done = 0;
        while done < len {
            let a = va.wrapping_add(done as u64);
            let pa = self.translate(a, Access::Write)?;
            let n = (4096 - (a & 0xfff) as usize).min(len - done);
            let fo = (pa.0 & 0xfff) as usize;
            self.phys.frame_mut(pa.pfn())[fo..fo + n].fill(byte);
            done += n;
        }
        Ok(())
    }

    /// Translate one address for an access, through the TLB.
    pub fn translate(&mut self, va: u64, acc: Access) -> Result<PhysAddr, PageFault> {
        let tlb = match acc {
            Access::Read => &self.tlb_read,
            Access::Write => &self.tlb_write,
            Access::Exec => &self.tlb_exec,
        };
        let e = &tlb.entries[TlbArray::index(va)];
        if e.tag == va >> 12 {
            self.stats.tlb_hits += 1;
            return Ok(PhysAddr(e.pa | (va & 0xfff)));
        }
        self.fill(va, acc).map(|pa| PhysAddr(pa | (va & 0xfff)))
    }

    /// TLB miss: walk, check permissions, set A/D, fill the TLB. Returns the page's
    /// physical base address.
    #[inline(never)]
    fn fill(&mut self, va: u64, acc: Access) -> Result<u64, PageFault> {
        self.stats.tlb_misses += 1;
        let pa = self.walk(va, acc)?;
        let pfn = pa.pfn();
        match acc {
            Access::Read => self.tlb_read.fill(va, pa.0, self.host),
            Access::Write => {
                if self.phys.is_code(pfn) {
                    // Self-modifying code: drop the decoded instructions of this frame
                    // before the write lands; the CPU sees the queued frame.
                    self.phys.clear_code(pfn);
                }
                self.tlb_write.fill(va, pa.0, self.host);
                // A read entry may exist; it maps the same frame, so it stays valid.
            }
            Access::Exec => self.tlb_exec.fill(va, pa.0, self.host),
        }
        Ok(pa.0)
    }

    /// The hardware page walk (Intel SDM Vol. 3A, 4.5): PML4 → PDPT → PD → PT. Access
    /// rights are the AND of R/W and U/S over all levels and the OR of XD; A is set in
    /// every entry used and D in the leaf on a write.
    fn walk(&mut self, va: u64, acc: Access) -> Result<PhysAddr, PageFault> {
        self.stats.page_walks += 1;
        let v = VirtAddr(va);
        let not_present = PageFault::new(v, acc.fault_code());
        if !v.is_canonical() || self.cr3.0 == 0 {
            return Err(not_present);
        }
        let mut table = self.cr3;
        let mut writable = true;
        let mut user = true;
        let mut nx = false;
        for level in (0..4).rev() {
            let idx = (va >> (12 + 9 * level)) & 0x1ff;
            let ea = PhysAddr(table.0 + idx * 8);
            let mut e = Pte(self.phys.read_u64(ea));
            if !e.present() {
                return Err(not_present);
            }
            let f = e.flags();
            writable &= f.contains(PteFlags::WRITABLE);
            user &= f.contains(PteFlags::USER);
            nx |= f.contains(PteFlags::NO_EXEC);
            let mut set = PteFlags::ACCESSED;
            if level == 0 && acc == Access::Write && writable && user {
                set |= PteFlags::DIRTY;
            }
            if !f.contains(set) {
                e.0 |= set.bits();
                self.phys.write_u64(ea, e.0);
            }
            table = e.addr();
            if !self.phys.contains(table) {
                return Err(PageFault::new(
                    v,
                    acc.fault_code() | PfCode::RSVD | PfCode::PRESENT,
                ));
            }
        }
        let denied = !user || (acc == Access::Write && !writable) || (acc == Access::Exec && nx);
        if denied {
            return Err(PageFault::new(v, acc.fault_code() | PfCode::PRESENT));
        }
        Ok(table)
    }

    // ------------------------------------------------- page-table editing (kernel)

    /// A new, empty top-level table (a fresh address space).
    pub fn new_root(&mut self) -> Result<PhysAddr, OutOfMemory> {
        Ok(self.phys.alloc()?.addr())
    }

    /// Find the leaf entry slot for `va` under `root`, creating intermediate tables
    /// when `create` is set.
    fn leaf_slot(
        &mut self,
        root: PhysAddr,
        va: u64,
        create: bool,
    ) -> Result<Option<PhysAddr>, OutOfMemory> {
        let mut table = root;
        for level in (1..4).rev() {
            let idx = (va >> (12 + 9 * level)) & 0x1ff;
            let ea = PhysAddr(table.0 + idx * 8);
            let e = Pte(self.phys.read_u64(ea));
            if e.present() {
                table = e.addr();
            } else if create {
                let t = self.phys.alloc()?;
                let flags = PteFlags::PRESENT | PteFlags::WRITABLE | PteFlags::USER;
                self.phys.write_u64(ea, Pte::new(t, flags).0);
                table = t.addr();
            } else {
                return Ok(None);
            }
        }
        Ok(Some(PhysAddr(table.0 + ((va >> 12) & 0x1ff) * 8)))
    }

    /// The leaf entry for `va`, if any table leads to it.
    pub fn lookup(&mut self, root: PhysAddr, va: VirtAddr) -> Option<Pte> {
        let slot = self.leaf_slot(root, va.0, false).ok()??;
        let e = Pte(self.phys.read_u64(slot));
        e.present().then_some(e)
    }

    /// Install `pte` for `va`; returns the entry it replaced. The caller owns the frame
    /// references of both.
    pub fn map(
        &mut self,
        root: PhysAddr,
        va: VirtAddr,
        pte: Pte,
    ) -> Result<Option<Pte>, OutOfMemory> {
        let slot = self.leaf_slot(root, va.0, true)?.ok_or(OutOfMemory)?;
        let old = Pte(self.phys.read_u64(slot));
        self.phys.write_u64(slot, pte.0);
        if root == self.cr3 {
            self.invlpg(va);
        }
        Ok(old.present().then_some(old))
    }

    /// Remove the mapping of `va`; returns the entry (the caller drops the frame).
    pub fn unmap(&mut self, root: PhysAddr, va: VirtAddr) -> Option<Pte> {
        let slot = self.leaf_slot(root, va.0, false).ok()??;
        let old = Pte(self.phys.read_u64(slot));
        if !old.present() {
            return None;
        }
        self.phys.write_u64(slot, 0);
        if root == self.cr3 {
            self.invlpg(va);
        }
        Some(old)
    }

    /// Visit every present leaf entry in `[start, end)` under `root`, skipping empty
    /// tables. The visitor may rewrite the entry; returning `None` clears it.
    pub fn for_each_leaf(
        &mut self,
        root: PhysAddr,
        start: u64,
        end: u64,
        f: &mut dyn FnMut(&mut PhysMem, VirtAddr, Pte) -> Option<Pte>,
    ) {
        let mut changed = false;
        self.visit(root, 3, 0, start, end, f, &mut changed);
        if changed && root == self.cr3 {
            self.flush_tlb();
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn visit(
        &mut self,
        table: PhysAddr,
        level: u32,
        base: u64,
        start: u64,
        end: u64,
        f: &mut dyn FnMut(&mut PhysMem, VirtAddr, Pte) -> Option<Pte>,
        changed: &mut bool,
    ) {
        let span = 1u64 << (12 + 9 * level);
        for idx in 0..512u64 {
            let lo = sign_extend(base + idx * span);
            let hi = lo.wrapping_add(span);
            if hi <= start && hi != 0 || lo >= end {
                continue;
            }
            let ea = PhysAddr(table.0 + idx * 8);
            let e = Pte(self.phys.read_u64(ea));
            if !e.present() {
                continue;
            }
            if level == 0 {
                let new = f(&mut self.phys, VirtAddr(lo), e);
                let nv = new.map_or(0, |p| p.0);
                if nv != e.0 {
                    self.phys.write_u64(ea, nv);
                    *changed = true;
                }
            } else {
                self.visit(
                    e.addr(),
                    level - 1,
                    base + idx * span,
                    start,
                    end,
                    f,
                    changed,
                );
            }
        }
    }

    /// Free the page tables of an address space (not the leaf frames: unmap those
    /// first). Returns the number of table frames released.
    pub fn free_tables(&mut self, root: PhysAddr) -> usize {
        let n = self.free_level(root, 3);
        if root == self.cr3 {
            self.cr3 = PhysAddr(0);
            self.flush_tlb();
        }
        n
    }

    fn free_level(&mut self, table: PhysAddr, level: u32) -> usize {
        let mut n = 0;
        if level > 0 {
            for idx in 0..512u64 {
                let e = Pte(self.phys.read_u64(PhysAddr(table.0 + idx * 8)));
                if e.present() {
                    n += self.free_level(e.addr(), level - 1);
                }
            }
        }
        self.phys.put(table.pfn());
        n + 1
    }

    /// Frames whose decoded code must be dropped (written to, or freed).
    pub fn take_code_dirty(&mut self) -> Option<Vec<Pfn>> {
        if self.phys.code_dirty.is_empty() {
            None
        } else {
            Some(std::mem::take(&mut self.phys.code_dirty))
        }
    }

    #[inline(always)]
    pub fn has_code_dirty(&self) -> bool {
        !self.phys.code_dirty.is_empty()
    }

    /// The decode cache holds instructions from `pfn`: writes to it must take the slow
    /// path from now on.
    pub fn mark_code(&mut self, pfn: Pfn) {
        if !self.phys.is_code(pfn) {
            self.phys.set_code(pfn);
            self.tlb_write.invalidate_pa(pfn.addr().0);
        }
    }

    /// Read bytes for instruction decoding: a fetch access.
    pub fn fetch_bytes(&mut self, va: u64, buf: &mut [u8]) -> Result<(), PageFault> {
        let mut done = 0;
        while done < buf.len() {
            let a = va.wrapping_add(done as u64);
            let pa = self.translate_exec(a)?;
            let n = (4096 - (a & 0xfff) as usize).min(buf.len() - done);
            let fo = (pa.0 & 0xfff) as usize;
            buf[done..done + n].copy_from_slice(&self.phys.frame(pa.pfn())[fo..fo + n]);
            done += n;
        }
        Ok(())
    }
}

/// Bits 63..48 copy bit 47 in a canonical address.
fn sign_extend(a: u64) -> u64 {
    (((a << 16) as i64) >> 16) as u64
}

#[cfg(test)]
mod tests;
