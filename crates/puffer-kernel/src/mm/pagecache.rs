//! The page cache of shared file mappings (a small part of Linux's page cache): one
//! guest frame per page of a host file, keyed by the file's (device, inode, page
//! index), shared by every MAP_SHARED mapping of that page in every process. So two
//! shared mappings of a file see each other's stores at once, as on Linux.
//!
//! The frames are the newest version of their pages: read(2) of a host file takes
//! the cached pages' bytes over the file's, write(2) updates the cached pages as well
//! as the file, and truncation zeroes what lies past the new end. Stores through a
//! mapping reach the file on msync, munmap, exit, fsync and sync (the dirty-page
//! write-back in `mm/mod.rs` and here). An entry lives while a mapping holds its
//! frame; once the cache's reference is the last one it is dropped at the next
//! pruning (each mmap, munmap and cache lookup from I/O).
//!
//! MAP_SHARED anonymous memory is a cached "file" of its own (`FileKind::Shmem`),
//! so a mapping shared across fork shares its pages however late they are touched.
//!
//! Private file mappings copy from a cached page when there is one, so they too see
//! what shared mappings wrote before their first touch of the page.
//!
//! Otherwise a read fault on a whole page of a private file mapping (program text and
//! read-only data above all) maps a *clean* cached frame read-only, marked
//! copy-on-write when the mapping is writable, so every process running the same
//! binary — and every later exec of it — shares one frame per page, and the decode
//! cache (keyed by physical address) keeps the instructions decoded from it. Clean
//! pages are keyed by the file's identity *and version* (mtime, ctime), so a file
//! replaced by another that reuses its inode number never hits stale pages; write(2)
//! and truncation through puffer update them like the shared ones, as Linux's private
//! mappings see file changes until their first write. Clean pages nobody maps are
//! kept for the next user, up to a budget, and given up first when guest RAM runs out.

use crate::vfs::{File, FileKind, FileRef};
use crate::Kernel;
use puffer_mmu::{Mmu, Pfn, PAGE_SIZE};
use std::collections::BTreeMap;
use std::os::unix::fs::{FileExt, MetadataExt};

/// (device, inode, page index).
pub type PageKey = (u64, u64, u64);

/// A cached page: its index in the file, its frame, the file.
type CachedPage = (u64, Pfn, FileRef);

/// (device, inode, version, page index): the version tells apart two files that
/// share an inode number over time.
pub type CleanKey = (u64, u64, u64, u64);

/// Unused clean pages kept at most (plus what is in use): 64 MiB.
const CLEAN_BUDGET: usize = 16 << 10;

#[derive(Default)]
pub struct PageCache {
    pages: BTreeMap<PageKey, (Pfn, FileRef)>,
    clean: BTreeMap<CleanKey, Pfn>,
    /// Sweep the clean pages for unused ones when there are more than this.
    clean_sweep_at: usize,
}

impl PageCache {
    /// No shared pages (clean pages never need overlaying on read(2)).
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    pub fn lookup_clean(&self, key: CleanKey) -> Option<Pfn> {
        self.clean.get(&key).copied()
    }

    /// Take `pfn` (with one reference the caller gives to the cache) as a clean page.
    pub fn insert_clean(&mut self, mmu: &mut Mmu, key: CleanKey, pfn: Pfn) {
        if self.clean.len() >= self.clean_sweep_at.max(CLEAN_BUDGET) {
            self.drop_unused_clean(mmu);
            self.clean_sweep_at = self.clean.len() + CLEAN_BUDGET / 2;
        }
        if let Some(old) = self.clean.insert(key, pfn) {
            mmu.phys.put(old);
        }
    }

    /// Give back the clean pages no mapping uses; returns how many.
    pub fn drop_unused_clean(&mut self, mmu: &mut Mmu) -> usize {
        let before = self.clean.len();
        self.clean.retain(|_, pfn| {
            let keep = mmu.phys.refcount(*pfn) > 1;
            if !keep {
                mmu.phys.put(*pfn);
            }
            keep
        });
        before - self.clean.len()
    }

    /// Guest RAM ran out: give back every page only the cache holds.
    pub fn shrink(&mut self, mmu: &mut Mmu) -> usize {
        let n = self.drop_unused_clean(mmu);
        let m = self.pages.len();
        self.prune(mmu);
        n + m - self.pages.len()
    }

    /// Pages held (each one frame), for /proc/meminfo's Cached.
    pub fn len(&self) -> usize {
        self.pages.len() + self.clean.len()
    }

    pub fn lookup(&self, key: PageKey) -> Option<Pfn> {
        self.pages.get(&key).map(|e| e.0)
    }

    /// Take `pfn` (with one reference the caller gives to the cache) as the page.
    pub fn insert(&mut self, key: PageKey, pfn: Pfn, file: FileRef) {
        self.pages.insert(key, (pfn, file));
    }

    /// Drop pages no mapping uses any more.
    pub fn prune(&mut self, mmu: &mut Mmu) {
        let dead: Vec<PageKey> = self
            .pages
            .iter()
            .filter(|(_, (pfn, _))| mmu.phys.refcount(*pfn) <= 1)
            .map(|(k, _)| *k)
            .collect();
        for k in dead {
            if let Some((pfn, _)) = self.pages.remove(&k) {
                mmu.phys.put(pfn);
            }
        }
    }

    /// The shared cached pages of one file, in order.
    fn of_file(&self, dev: u64, ino: u64) -> Vec<CachedPage> {
        self.pages
            .range((dev, ino, 0)..=(dev, ino, u64::MAX))
            .map(|(k, (p, f))| (k.2, *p, f.clone()))
            .collect()
    }

    /// The clean pages of one file, every version: (page index, frame).
    fn clean_of_file(&self, dev: u64, ino: u64) -> Vec<(u64, Pfn)> {
        self.clean
            .range((dev, ino, 0, 0)..=(dev, ino, u64::MAX, u64::MAX))
            .map(|(k, p)| (k.3, *p))
            .collect()
    }
}

/// The clean-cache key of a host file's page: identity and version.
pub fn clean_key_of(file: &File, page_index: u64) -> Option<CleanKey> {
    if let Some((dev, ino, version)) = file.cache_id.get() {
        return Some((dev, ino, version, page_index));
    }
    let FileKind::Host(f) = &file.kind else {
        return None;
    };
    let m = f.metadata().ok()?;
    let version = (m.mtime() as u64)
        .wrapping_mul(1_000_000_007)
        .wrapping_add(m.mtime_nsec() as u64)
        .wrapping_mul(1_000_000_009)
        .wrapping_add(m.ctime() as u64)
        .wrapping_mul(1_000_000_007)
        .wrapping_add(m.ctime_nsec() as u64);
    file.cache_id.set(Some((m.dev(), m.ino(), version)));
    Some((m.dev(), m.ino(), version, page_index))
}

/// The device number shared anonymous memory is keyed under (no host file has it).
const SHMEM_DEV: u64 = u64::MAX;

/// The cache key of a file's page, if its pages are cached: host files and shared
/// anonymous memory.
pub fn key_of(file: &File, page_index: u64) -> Option<PageKey> {
    match &file.kind {
        FileKind::Host(f) => {
            let m = f.metadata().ok()?;
            Some((m.dev(), m.ino(), page_index))
        }
        FileKind::Shmem(id) => Some((SHMEM_DEV, *id, page_index)),
        _ => None,
    }
}

/// Write a cached frame back to its file, up to the file's current size.
fn write_page(mmu: &Mmu, hf: &std::fs::File, idx: u64, pfn: Pfn, size: u64) {
    let off = idx * PAGE_SIZE;
    if off >= size {
        return;
    }
    let n = (size - off).min(PAGE_SIZE) as usize;
    let _ = hf.write_all_at(&mmu.phys.frame(pfn)[..n], off);
}

impl Kernel {
    fn cached_pages_of(
        &mut self,
        hf: &std::fs::File,
    ) -> Option<(std::fs::Metadata, Vec<CachedPage>)> {
        if self.page_cache.borrow().is_empty() {
            return None;
        }
        let m = hf.metadata().ok()?;
        let pages = self.page_cache.borrow().of_file(m.dev(), m.ino());
        (!pages.is_empty()).then_some((m, pages))
    }

    /// Every cached frame of the file (shared and clean): what write(2) and
    /// truncation must update.
    fn all_frames_of(&mut self, hf: &std::fs::File) -> Vec<(u64, Pfn)> {
        let c = self.page_cache.borrow();
        if c.pages.is_empty() && c.clean.is_empty() {
            return Vec::new();
        }
        let Ok(m) = hf.metadata() else {
            return Vec::new();
        };
        let mut v: Vec<(u64, Pfn)> = c
            .of_file(m.dev(), m.ino())
            .into_iter()
            .map(|(i, p, _)| (i, p))
            .collect();
        v.extend(c.clean_of_file(m.dev(), m.ino()));
        v
    }

    /// read(2) of `[off, off + buf.len())` from `file` returned `buf`: put the cached
    /// pages' bytes over it.
    pub(crate) fn page_cache_overlay(&mut self, file: &File, off: u64, buf: &mut [u8]) {
        let FileKind::Host(hf) = &file.kind else {
            return;
        };
        let Some((_, pages)) = self.cached_pages_of(hf) else {
            return;
        };
        let end = off + buf.len() as u64;
        for (idx, pfn, _) in pages {
            let (ps, pe) = (idx * PAGE_SIZE, (idx + 1) * PAGE_SIZE);
            let (s, e) = (ps.max(off), pe.min(end));
            if s >= e {
                continue;
            }
            let frame = self.cpu.mmu.phys.frame(pfn);
            buf[(s - off) as usize..(e - off) as usize]
                .copy_from_slice(&frame[(s - ps) as usize..(e - ps) as usize]);
        }
    }

    /// write(2) put `data` at `off` in `file`: update the cached pages too.
    pub(crate) fn page_cache_update(&mut self, file: &File, off: u64, data: &[u8]) {
        let FileKind::Host(hf) = &file.kind else {
            return;
        };
        let pages = self.all_frames_of(hf);
        let end = off + data.len() as u64;
        for (idx, pfn) in pages {
            let (ps, pe) = (idx * PAGE_SIZE, (idx + 1) * PAGE_SIZE);
            let (s, e) = (ps.max(off), pe.min(end));
            if s >= e {
                continue;
            }
            // The frame may hold decoded instructions: have them dropped.
            self.cpu.mmu.phys.clear_code(pfn);
            self.cpu.mmu.phys.frame_mut(pfn)[(s - ps) as usize..(e - ps) as usize]
                .copy_from_slice(&data[(s - off) as usize..(e - off) as usize]);
        }
    }

    /// The file `m` describes was truncated to `len`: cached bytes past the end are
    /// zero (they read as zero if the file grows again).
    pub(crate) fn page_cache_truncated(&mut self, m: &std::fs::Metadata, len: u64) {
        let mut pages: Vec<(u64, Pfn)> = {
            let c = self.page_cache.borrow();
            c.of_file(m.dev(), m.ino())
                .into_iter()
                .map(|(i, p, _)| (i, p))
                .collect()
        };
        pages.extend(self.page_cache.borrow().clean_of_file(m.dev(), m.ino()));
        for (idx, pfn) in pages {
            let ps = idx * PAGE_SIZE;
            if ps + PAGE_SIZE <= len {
                continue;
            }
            let from = len.saturating_sub(ps) as usize;
            self.cpu.mmu.phys.clear_code(pfn);
            self.cpu.mmu.phys.frame_mut(pfn)[from..].fill(0);
        }
    }

    /// fsync: write the file's cached pages back.
    pub(crate) fn page_cache_writeback(&mut self, hf: &std::fs::File) {
        if let Some((m, pages)) = self.cached_pages_of(hf) {
            for (idx, pfn, _) in pages {
                write_page(&self.cpu.mmu, hf, idx, pfn, m.len());
            }
        }
    }

    /// sync: write every cached page back.
    pub(crate) fn page_cache_writeback_all(&mut self) {
        self.page_cache.borrow_mut().prune(&mut self.cpu.mmu);
        let all: Vec<CachedPage> = self
            .page_cache
            .borrow()
            .pages
            .iter()
            .map(|(k, (p, f))| (k.2, *p, f.clone()))
            .collect();
        for (idx, pfn, f) in all {
            if let FileKind::Host(hf) = &f.kind {
                if let Ok(m) = hf.metadata() {
                    write_page(&self.cpu.mmu, hf, idx, pfn, m.len());
                }
            }
        }
    }

    pub(crate) fn page_cache_prune(&mut self) {
        if !self.page_cache.borrow().is_empty() {
            self.page_cache.borrow_mut().prune(&mut self.cpu.mmu);
        }
    }
}
