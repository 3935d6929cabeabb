//! Address spaces (Linux's `mm_struct`): the VMAs of a process over its page-table
//! root, and the operations on them — the page-fault handler (demand paging and
//! copy-on-write), mmap/munmap/mprotect/mremap, brk, and the fork-time copy.

mod fault;
pub mod pagecache;
pub mod vma;

pub use fault::FaultOutcome;
pub use vma::{Backing, Prot, Vma};

use crate::errno::Errno;
use puffer_mmu::{Mmu, PhysAddr, PteFlags, VirtAddr, PAGE_SIZE};
use std::collections::BTreeMap;

/// The top of user space (exclusive), as on Linux x86-64 with 4-level paging.
pub const TASK_SIZE: u64 = 0x7fff_ffff_f000;
/// Where the stack ends when ASLR is off.
pub const STACK_TOP: u64 = TASK_SIZE;
/// Where top-down mmap allocation starts when ASLR is off.
pub const MMAP_BASE: u64 = 0x7fff_f7ff_f000;
/// The stack may grow to this size (RLIMIT_STACK default).
pub const STACK_LIMIT: u64 = 8 << 20;
/// Where a static-pie (ET_DYN) program is loaded when ASLR is off.
pub const ET_DYN_BASE: u64 = 0x5555_5555_4000;

pub fn page_up(a: u64) -> u64 {
    a.wrapping_add(PAGE_SIZE - 1) & !(PAGE_SIZE - 1)
}
pub fn page_down(a: u64) -> u64 {
    a & !(PAGE_SIZE - 1)
}

pub struct AddressSpace {
    pub root: PhysAddr,
    /// Keyed by start address; VMAs never overlap.
    pub vmas: BTreeMap<u64, Vma>,
    pub brk_start: u64,
    pub brk: u64,
    pub mmap_base: u64,
    /// Where the program's argv/envp strings live, for /proc/<pid>/cmdline.
    pub arg_start: u64,
    pub arg_end: u64,
    pub env_start: u64,
    pub env_end: u64,
    /// The executable's path, for /proc/self/exe.
    pub exe: String,
    /// The kernel's page cache, once this address space has a shared file mapping
    /// (`pagecache.rs`).
    pub page_cache: Option<std::rc::Rc<std::cell::RefCell<pagecache::PageCache>>>,
}

/// PTE flags for a page of `vma` (before any copy-on-write adjustment).
pub fn pte_flags(prot: Prot, shared: bool) -> PteFlags {
    let mut f = PteFlags::PRESENT | PteFlags::USER;
    if prot.contains(Prot::WRITE) {
        f |= PteFlags::WRITABLE;
    }
    if !prot.contains(Prot::EXEC) {
        f |= PteFlags::NO_EXEC;
    }
    if shared {
        f |= PteFlags::SHARED;
    }
    if prot.is_empty() {
        // PROT_NONE: the frame stays mapped (so it survives a later mprotect) but
        // only "supervisor" may touch it, so every guest access faults.
        f.remove(PteFlags::USER);
    }
    f
}

impl AddressSpace {
    pub fn new(mmu: &mut Mmu) -> Result<AddressSpace, Errno> {
        let root = mmu.new_root().map_err(|_| Errno::ENOMEM)?;
        Ok(AddressSpace {
            root,
            vmas: BTreeMap::new(),
            brk_start: 0,
            brk: 0,
            mmap_base: MMAP_BASE,
            arg_start: 0,
            arg_end: 0,
            env_start: 0,
            env_end: 0,
            exe: String::new(),
            page_cache: None,
        })
    }

    pub fn find(&self, addr: u64) -> Option<&Vma> {
        self.vmas
            .range(..=addr)
            .next_back()
            .map(|(_, v)| v)
            .filter(|v| v.contains(addr))
    }

    /// Is any of `[start, end)` mapped?
    pub fn overlaps(&self, start: u64, end: u64) -> bool {
        if let Some((_, v)) = self.vmas.range(..end).next_back() {
            return v.end > start;
        }
        false
    }

    /// Insert a VMA into a range that must be free.
    pub fn insert(&mut self, vma: Vma) {
        debug_assert!(!self.overlaps(vma.start, vma.end));
        self.vmas.insert(vma.start, vma);
    }

    /// Take `[start, end)` out of the VMA tree: VMAs straddling an edge are split,
    /// the parts outside the range stay, and the parts inside are returned.
    fn carve(&mut self, start: u64, end: u64) -> Vec<Vma> {
        let hit: Vec<u64> = self
            .vmas
            .range(..end)
            .filter(|(_, v)| v.end > start)
            .map(|(&k, _)| k)
            .collect();
        let mut inside = Vec::with_capacity(hit.len());
        for k in hit {
            let Some(v) = self.vmas.remove(&k) else {
                continue;
            };
            if v.start < start {
                self.vmas.insert(v.start, v.slice(v.start, start));
            }
            if v.end > end {
                self.vmas.insert(end, v.slice(end, v.end));
            }
            inside.push(v.slice(start, end));
        }
        inside
    }

    /// Remove `[start, end)` from the VMAs and the page tables, dropping frames.
    pub fn unmap_range(&mut self, mmu: &mut Mmu, start: u64, end: u64) {
        for v in self.carve(start, end) {
            self.release_pages(mmu, v.start, v.end, &v);
        }
    }

    /// Drop the frames mapped in `[s, e)`, writing back dirty MAP_SHARED file pages.
    fn release_pages(&mut self, mmu: &mut Mmu, s: u64, e: u64, v: &Vma) {
        let mut writeback: Vec<(u64, puffer_mmu::Pfn)> = Vec::new();
        let mut frames = Vec::new();
        mmu.for_each_leaf(self.root, s, e, &mut |_, va, pte| {
            if v.shared && pte.flags().contains(PteFlags::DIRTY) {
                writeback.push((va.0, pte.pfn()));
            }
            frames.push(pte.pfn());
            None
        });
        for (va, pfn) in writeback {
            fault::write_back(mmu, v, va, pfn);
        }
        for f in frames {
            mmu.phys.put(f);
        }
    }

    /// Find a free range of `len` bytes below `mmap_base`, searching down.
    pub fn find_free(&self, len: u64) -> Option<u64> {
        let mut top = self.mmap_base;
        for (_, v) in self.vmas.range(..self.mmap_base).rev() {
            if v.end <= top && top - v.end >= len {
                return Some(top - len);
            }
            top = top.min(v.start);
            // The stack's growth area is reserved too.
        }
        (top >= len + 0x10000).then(|| top - len)
    }

    /// Change protection of `[start, end)`; every page must be mapped.
    pub fn protect(
        &mut self,
        mmu: &mut Mmu,
        start: u64,
        end: u64,
        prot: Prot,
    ) -> Result<(), Errno> {
        // Linux: ENOMEM if any part of the range is unmapped.
        let mut a = start;
        while a < end {
            let v = self.find(a).ok_or(Errno::ENOMEM)?;
            a = v.end;
        }
        for mut mid in self.carve(start, end) {
            mid.prot = prot;
            let (s, e) = (mid.start, mid.end);
            let shared = mid.shared;
            self.vmas.insert(mid.start, mid);
            let base = pte_flags(prot, shared);
            mmu.for_each_leaf(self.root, s, e, &mut |_, _, pte| {
                let old = pte.flags();
                let mut f = base | (old & (PteFlags::ACCESSED | PteFlags::DIRTY | PteFlags::COW));
                if old.contains(PteFlags::COW) {
                    f.remove(PteFlags::WRITABLE);
                }
                Some(puffer_mmu::Pte::new(pte.pfn(), f))
            });
        }
        self.merge_around(start, end);
        Ok(())
    }

    /// Merge adjacent compatible anonymous VMAs (keeps /proc/self/maps like Linux's).
    pub fn merge_around(&mut self, start: u64, end: u64) {
        let keys: Vec<u64> = self
            .vmas
            .range(..=end)
            .rev()
            .take_while(|(_, v)| v.end + PAGE_SIZE > start)
            .map(|(&k, _)| k)
            .collect();
        for k in keys.into_iter().rev() {
            let Some(cur) = self.vmas.get(&k) else {
                continue;
            };
            let Some((&nk, next)) = self.vmas.range(cur.end..).next() else {
                continue;
            };
            let mergeable = next.start == cur.end
                && next.prot == cur.prot
                && next.shared == cur.shared
                && next.name == cur.name
                && !next.grows_down
                && !cur.grows_down
                && matches!(
                    (&cur.backing, &next.backing),
                    (Backing::Anon, Backing::Anon)
                );
            if mergeable {
                let end = next.end;
                self.vmas.remove(&nk);
                if let Some(c) = self.vmas.get_mut(&k) {
                    c.end = end;
                }
            }
        }
    }

    /// Tear down everything: frames, then tables.
    pub fn destroy(&mut self, mmu: &mut Mmu) {
        self.unmap_range(mmu, 0, TASK_SIZE);
        mmu.free_tables(self.root);
        self.root = PhysAddr(0);
    }

    /// Resident pages, for statistics.
    pub fn resident(&self, mmu: &mut Mmu) -> u64 {
        let mut n = 0;
        mmu.for_each_leaf(self.root, 0, TASK_SIZE, &mut |_, _, p| {
            n += 1;
            Some(p)
        });
        n
    }

    pub fn page_pte(&self, mmu: &mut Mmu, va: u64) -> Option<puffer_mmu::Pte> {
        mmu.lookup(self.root, VirtAddr(va))
    }
}

/// What `AddressSpace::fork` did, for the kernel-event trace.
#[derive(Clone, Copy, Debug, Default)]
pub struct ForkStats {
    /// Private pages now shared read-only and marked copy-on-write.
    pub cow_pages: u64,
    /// MAP_SHARED pages now mapped by both.
    pub shared_pages: u64,
}

impl AddressSpace {
    /// The child's address space for fork (Linux's dup_mm, OpenBSD's uvmspace_fork):
    /// the same VMAs; MAP_SHARED pages mapped to the same frames; private pages shared
    /// read-only with the COW mark in *both* page tables, each frame's reference count
    /// raised. The first write on either side faults and copies (or, for the last
    /// user, takes the frame over).
    pub fn fork(&self, mmu: &mut Mmu) -> Result<(AddressSpace, ForkStats), Errno> {
        let mut child = AddressSpace::new(mmu)?;
        child.vmas = self.vmas.clone();
        child.brk_start = self.brk_start;
        child.brk = self.brk;
        child.mmap_base = self.mmap_base;
        child.arg_start = self.arg_start;
        child.arg_end = self.arg_end;
        child.env_start = self.env_start;
        child.env_end = self.env_end;
        child.exe = self.exe.clone();
        child.page_cache = self.page_cache.clone();
        let mut stats = ForkStats::default();
        let mut entries = Vec::new();
        let vmas = &self.vmas;
        mmu.for_each_leaf(self.root, 0, TASK_SIZE, &mut |phys, va, pte| {
            let shared = vmas
                .range(..=va.0)
                .next_back()
                .is_some_and(|(_, v)| v.contains(va.0) && v.shared);
            phys.get(pte.pfn());
            if shared {
                stats.shared_pages += 1;
                entries.push((va, pte));
                Some(pte)
            } else {
                stats.cow_pages += 1;
                let f = (pte.flags() - PteFlags::WRITABLE) | PteFlags::COW;
                let p = puffer_mmu::Pte::new(pte.pfn(), f);
                entries.push((va, p));
                Some(p)
            }
        });
        for (va, pte) in entries {
            if mmu.map(child.root, va, pte).is_err() {
                // Out of frames for page tables: undo what the child holds.
                mmu.phys.put(pte.pfn());
                child.destroy(mmu);
                return Err(Errno::ENOMEM);
            }
        }
        Ok((child, stats))
    }
}
