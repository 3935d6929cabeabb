//! The page-fault handler: the kernel's answer to a #PF. A fault inside a VMA that
//! permits the access is resolved here — demand-zero for anonymous memory, a read from
//! the file for file mappings, a copy (or a take-over, when this mapping is the last
//! user of the frame) for a write to a copy-on-write page — and the instruction is
//! restarted. Anything else becomes SIGSEGV with SEGV_MAPERR or SEGV_ACCERR.

use super::{page_down, pte_flags, AddressSpace, Backing, Prot, Vma, STACK_LIMIT};
use puffer_mmu::{Mmu, PageFault, Pfn, Pte, PteFlags, VirtAddr, PAGE_SIZE};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultOutcome {
    /// A page was brought in (demand paging).
    Paged,
    /// A copy-on-write page was copied (`true`) or taken over as the last user.
    CowBroken { copied: bool },
    /// No VMA covers the address: SIGSEGV, SEGV_MAPERR.
    MapErr,
    /// The VMA forbids this access: SIGSEGV, SEGV_ACCERR.
    AccErr,
    /// Guest RAM is exhausted.
    OutOfMemory,
}

impl AddressSpace {
    pub fn handle_fault(&mut self, mmu: &mut Mmu, pf: PageFault) -> FaultOutcome {
        let addr = pf.addr.0;
        let vma = match self.find(addr) {
            Some(v) => v.clone(),
            None => match self.grow_stack(addr) {
                Some(v) => v,
                None => return FaultOutcome::MapErr,
            },
        };
        let need = if pf.is_write() {
            Prot::WRITE
        } else if pf.is_fetch() {
            Prot::EXEC
        } else {
            Prot::READ
        };
        // x86 cannot make a page writable or executable but not readable.
        let allowed = vma.prot.contains(need) || (need == Prot::READ && !vma.prot.is_empty());
        if !allowed {
            return FaultOutcome::AccErr;
        }
        let page = page_down(addr);
        match mmu.lookup(self.root, VirtAddr(page)) {
            Some(pte) if pf.is_write() && pte.flags().contains(PteFlags::COW) => {
                self.break_cow(mmu, &vma, page, pte)
            }
            Some(pte) => {
                // Present and the VMA allows it: the PTE is stale (e.g. after mprotect
                // widened rights without touching every page). Refresh it.
                let mut f = pte_flags(vma.prot, vma.shared)
                    | (pte.flags() & (PteFlags::ACCESSED | PteFlags::DIRTY));
                if pte.flags().contains(PteFlags::COW) {
                    // Still shared: writable only once a write fault has copied it.
                    f = (f - PteFlags::WRITABLE) | PteFlags::COW;
                }
                if mmu
                    .map(self.root, VirtAddr(page), Pte::new(pte.pfn(), f))
                    .is_err()
                {
                    return FaultOutcome::OutOfMemory;
                }
                FaultOutcome::Paged
            }
            None => self.populate(mmu, &vma, page),
        }
    }

    /// A free frame; when RAM is short, pages only the page cache holds go first.
    fn alloc_frame(&self, mmu: &mut Mmu) -> Option<Pfn> {
        match &self.page_cache {
            Some(c) => alloc_frame(mmu, c),
            None => mmu.phys.alloc().ok(),
        }
    }

    /// Extend a grows-down stack VMA to cover `addr`, within RLIMIT_STACK.
    fn grow_stack(&mut self, addr: u64) -> Option<Vma> {
        let (&k, v) = self.vmas.range(addr..).next()?;
        if !v.grows_down || v.end - page_down(addr) > STACK_LIMIT {
            return None;
        }
        let new_start = page_down(addr);
        // Keep a guard gap to the mapping below.
        if let Some((_, below)) = self.vmas.range(..new_start).next_back() {
            if below.end + PAGE_SIZE > new_start {
                return None;
            }
        }
        let mut v = self.vmas.remove(&k)?;
        v.start = new_start;
        self.vmas.insert(new_start, v.clone());
        Some(v)
    }

    fn populate(&mut self, mmu: &mut Mmu, vma: &Vma, page: u64) -> FaultOutcome {
        if let Some(out) = self.populate_cached(mmu, vma, page) {
            return out;
        }
        let Some(frame) = self.alloc_frame(mmu) else {
            return FaultOutcome::OutOfMemory;
        };
        if let Backing::File {
            file,
            offset,
            file_end,
        } = &vma.backing
        {
            if page < *file_end {
                let n = (file_end - page).min(PAGE_SIZE) as usize;
                let off = offset + (page - vma.start);
                let buf = &mut mmu.phys.frame_mut(frame)[..n];
                // A read past the end of the file leaves zeros, as Linux does (SIGBUS
                // for whole pages past EOF is not modelled).
                let _ = file.pread_full(buf, off);
            }
        }
        let flags = pte_flags(vma.prot, vma.shared);
        match mmu.map(self.root, VirtAddr(page), Pte::new(frame, flags)) {
            Ok(_) => FaultOutcome::Paged,
            Err(_) => {
                mmu.phys.put(frame);
                FaultOutcome::OutOfMemory
            }
        }
    }

    /// A file page through the page cache (`pagecache.rs`): a shared mapping maps the
    /// cached frame (caching the page first if needed); a private one copies the
    /// cached frame when there is one. None: not a case for the cache.
    fn populate_cached(&mut self, mmu: &mut Mmu, vma: &Vma, page: u64) -> Option<FaultOutcome> {
        let cache = self.page_cache.clone()?;
        let Backing::File {
            file,
            offset,
            file_end,
        } = &vma.backing
        else {
            return None;
        };
        let off = offset + (page - vma.start);
        if !off.is_multiple_of(PAGE_SIZE) {
            return None;
        }
        let idx = off / PAGE_SIZE;
        if !vma.shared && cache.borrow().is_empty() {
            return self.populate_clean(mmu, vma, page, file, off, *file_end, &cache);
        }
        let key = super::pagecache::key_of(file, idx)?;
        let cached = cache.borrow().lookup(key);
        if !vma.shared && cached.is_none() {
            return self.populate_clean(mmu, vma, page, file, off, *file_end, &cache);
        }
        let flags = pte_flags(vma.prot, vma.shared);
        let frame = if vma.shared {
            match cached {
                Some(pfn) => {
                    mmu.phys.get(pfn);
                    pfn
                }
                None => {
                    let Ok(pfn) = mmu.phys.alloc() else {
                        return Some(FaultOutcome::OutOfMemory);
                    };
                    // The whole page as the file has it now (zeros past its end).
                    let _ = file.pread_full(mmu.phys.frame_mut(pfn), off);
                    mmu.phys.get(pfn);
                    cache.borrow_mut().insert(key, pfn, file.clone());
                    pfn
                }
            }
        } else {
            let src = cached?;
            let Ok(pfn) = mmu.phys.alloc() else {
                return Some(FaultOutcome::OutOfMemory);
            };
            let n = file_end.saturating_sub(page).min(PAGE_SIZE) as usize;
            mmu.phys.copy_frame(src, pfn);
            mmu.phys.frame_mut(pfn)[n..].fill(0);
            pfn
        };
        Some(
            match mmu.map(self.root, VirtAddr(page), Pte::new(frame, flags)) {
                Ok(_) => FaultOutcome::Paged,
                Err(_) => {
                    mmu.phys.put(frame);
                    FaultOutcome::OutOfMemory
                }
            },
        )
    }

    /// A whole page of a private file mapping from the clean page cache: the shared
    /// frame mapped read-only, copy-on-write if the mapping may be written.
    #[allow(clippy::too_many_arguments)]
    fn populate_clean(
        &mut self,
        mmu: &mut Mmu,
        vma: &Vma,
        page: u64,
        file: &crate::vfs::FileRef,
        off: u64,
        file_end: u64,
        cache: &std::rc::Rc<std::cell::RefCell<super::pagecache::PageCache>>,
    ) -> Option<FaultOutcome> {
        if page + PAGE_SIZE > file_end {
            // The page ends past the file's part of the segment: its tail must read
            // as zeros (.bss), so it gets a frame of its own.
            return None;
        }
        let key = super::pagecache::clean_key_of(file, off / PAGE_SIZE)?;
        let cached = cache.borrow().lookup_clean(key);
        let frame = match cached {
            Some(pfn) => pfn,
            None => {
                let pfn = alloc_frame(mmu, cache)?;
                if file.pread_full(mmu.phys.frame_mut(pfn), off).is_err() {
                    mmu.phys.put(pfn);
                    return None;
                }
                cache.borrow_mut().insert_clean(mmu, key, pfn);
                pfn
            }
        };
        mmu.phys.get(frame);
        let mut flags = pte_flags(vma.prot, false);
        if flags.contains(PteFlags::WRITABLE) {
            flags = (flags - PteFlags::WRITABLE) | PteFlags::COW;
        }
        Some(
            match mmu.map(self.root, VirtAddr(page), Pte::new(frame, flags)) {
                Ok(_) => FaultOutcome::Paged,
                Err(_) => {
                    mmu.phys.put(frame);
                    FaultOutcome::OutOfMemory
                }
            },
        )
    }

    fn break_cow(&mut self, mmu: &mut Mmu, vma: &Vma, page: u64, pte: Pte) -> FaultOutcome {
        let old = pte.pfn();
        let flags =
            (pte_flags(vma.prot, vma.shared) | (pte.flags() & PteFlags::ACCESSED)) - PteFlags::COW;
        if mmu.phys.refcount(old) == 1 {
            // The last user: take the frame over.
            if mmu
                .map(self.root, VirtAddr(page), Pte::new(old, flags))
                .is_err()
            {
                return FaultOutcome::OutOfMemory;
            }
            return FaultOutcome::CowBroken { copied: false };
        }
        let Some(new) = self.alloc_frame(mmu) else {
            return FaultOutcome::OutOfMemory;
        };
        mmu.phys.copy_frame(old, new);
        if mmu
            .map(self.root, VirtAddr(page), Pte::new(new, flags))
            .is_err()
        {
            mmu.phys.put(new);
            return FaultOutcome::OutOfMemory;
        }
        mmu.phys.put(old);
        FaultOutcome::CowBroken { copied: true }
    }
}

/// Write a dirty page of a MAP_SHARED file mapping back to its file.
pub(super) fn write_back(mmu: &mut Mmu, v: &Vma, va: u64, pfn: Pfn) {
    if let Backing::File {
        file,
        offset,
        file_end,
    } = &v.backing
    {
        if va < *file_end {
            let n = (file_end - va).min(PAGE_SIZE) as usize;
            let off = offset + (va - v.start);
            let _ = file.pwrite_all(&mmu.phys.frame(pfn)[..n], off);
        }
    }
}

/// A free frame, giving back pages only the page cache holds if RAM is short.
fn alloc_frame(
    mmu: &mut Mmu,
    cache: &std::rc::Rc<std::cell::RefCell<super::pagecache::PageCache>>,
) -> Option<Pfn> {
    if let Ok(p) = mmu.phys.alloc() {
        return Some(p);
    }
    cache.borrow_mut().shrink(mmu);
    mmu.phys.alloc().ok()
}
