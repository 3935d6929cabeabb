//! Memory: brk, mmap, munmap, mprotect, mremap, madvise, msync. The work happens in
//! `mm`; these decode flags and check arguments the way Linux does.

use super::Args;
use crate::errno::{Errno, SysResult};
use crate::mm::{page_up, Backing, Prot, Vma, TASK_SIZE};
use crate::vfs::FileKind;
use crate::Kernel;
use puffer_mmu::VirtAddr;

const MAP_SHARED: u64 = 0x01;
const MAP_SHARED_VALIDATE: u64 = 0x03;
const MAP_FIXED: u64 = 0x10;
const MAP_ANONYMOUS: u64 = 0x20;
const MAP_GROWSDOWN: u64 = 0x100;
const MAP_FIXED_NOREPLACE: u64 = 0x100000;

pub fn sys_brk(k: &mut Kernel, a: &Args) -> SysResult {
    let mm = k.current_mm();
    let mut mm = mm.borrow_mut();
    let want = a[0];
    let (start, cur) = (mm.brk_start, mm.brk);
    if want < start {
        return Ok(cur);
    }
    let old_end = page_up(cur);
    let new_end = page_up(want);
    if new_end > old_end {
        if new_end > TASK_SIZE || mm.overlaps(old_end, new_end) {
            return Ok(cur);
        }
        // Grow the heap VMA (or create it).
        match mm.vmas.get_mut(&start) {
            Some(v) if v.end == old_end => v.end = new_end,
            _ => mm.insert(Vma {
                start: old_end,
                end: new_end,
                prot: Prot::READ | Prot::WRITE,
                shared: false,
                backing: Backing::Anon,
                grows_down: false,
                name: String::new(),
            }),
        }
        mm.merge_around(start, new_end);
    } else if new_end < old_end {
        mm.unmap_range(&mut k.cpu.mmu, new_end, old_end);
    }
    mm.brk = want;
    Ok(want)
}

pub fn sys_mmap(k: &mut Kernel, a: &Args) -> SysResult {
    let (addr, len, prot, flags, fd, off) = (a[0], a[1], a[2], a[3], a[4] as i32, a[5]);
    if len == 0 || off & 0xfff != 0 {
        return Err(Errno::EINVAL);
    }
    let len = page_up(len);
    if len == 0 || len > TASK_SIZE {
        return Err(Errno::ENOMEM);
    }
    let kind = flags & MAP_SHARED_VALIDATE;
    if kind == 0 {
        return Err(Errno::EINVAL);
    }
    let shared = kind == MAP_SHARED || kind == MAP_SHARED_VALIDATE;
    let prot = Prot::from_bits(prot as u32 & 7).ok_or(Errno::EINVAL)?;
    let backing = if flags & MAP_ANONYMOUS != 0 {
        if shared {
            shmem()
        } else {
            Backing::Anon
        }
    } else {
        let f = k.file(fd)?;
        if !matches!(
            f.kind,
            FileKind::Host(_) | FileKind::Zero | FileKind::Synthetic(_)
        ) {
            return Err(Errno::ENODEV);
        }
        if !f.readable() || (shared && prot.contains(Prot::WRITE) && !f.writable()) {
            return Err(Errno::EACCES);
        }
        if matches!(f.kind, FileKind::Zero) {
            if shared {
                shmem()
            } else {
                Backing::Anon
            }
        } else {
            let size = f.size()?;
            Backing::File {
                file: f,
                offset: off,
                file_end: 0,
            }
            .with_size(size)
        }
    };
    k.page_cache_prune();
    let mm = k.current_mm();
    let mut mm = mm.borrow_mut();
    if matches!(backing, Backing::File { .. }) && mm.page_cache.is_none() {
        // File pages go through the page cache from now on (mm/pagecache.rs).
        mm.page_cache = Some(k.page_cache.clone());
    }
    let fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0;
    let start = if fixed {
        if addr & 0xfff != 0 {
            return Err(Errno::EINVAL);
        }
        if addr.checked_add(len).is_none_or(|e| e > TASK_SIZE) {
            return Err(Errno::ENOMEM);
        }
        if mm.overlaps(addr, addr + len) {
            if flags & MAP_FIXED_NOREPLACE != 0 {
                return Err(Errno::EEXIST);
            }
            mm.unmap_range(&mut k.cpu.mmu, addr, addr + len);
        }
        addr
    } else {
        let hint = page_up(addr);
        if hint != 0
            && hint >= 0x10000
            && hint.checked_add(len).is_some_and(|e| e <= TASK_SIZE)
            && !mm.overlaps(hint, hint + len)
        {
            hint
        } else {
            mm.find_free(len).ok_or(Errno::ENOMEM)?
        }
    };
    let backing = match backing {
        Backing::File {
            file,
            offset,
            file_end,
        } => {
            // `with_size` stored the mappable byte count in file_end; make it absolute.
            Backing::File {
                file,
                offset,
                file_end: start + file_end,
            }
        }
        b => b,
    };
    let name = match &backing {
        Backing::File { file, .. } => file.path.clone(),
        Backing::Anon => String::new(),
    };
    mm.insert(Vma {
        start,
        end: start + len,
        prot,
        shared,
        backing,
        grows_down: flags & MAP_GROWSDOWN != 0,
        name,
    });
    if !shared {
        mm.merge_around(start, start + len);
    }
    Ok(start)
}

/// The backing of a MAP_SHARED anonymous mapping: a fresh shared memory object whose
/// pages the page cache keeps (Linux's shmem; /proc/<pid>/maps names it as Linux
/// does).
fn shmem() -> Backing {
    let id = crate::vfs::pipe::new_ino();
    Backing::File {
        file: crate::vfs::File::new(
            FileKind::Shmem(id),
            crate::vfs::file::O_RDWR,
            "/dev/zero (deleted)",
        ),
        offset: 0,
        file_end: 0,
    }
}

impl Backing {
    /// Record how many bytes of the file a mapping at `offset` can see (relative; made
    /// absolute once the address is known).
    fn with_size(self, size: u64) -> Backing {
        match self {
            Backing::File { file, offset, .. } => Backing::File {
                file,
                offset,
                file_end: size.saturating_sub(offset),
            },
            b => b,
        }
    }
}

fn check_range(addr: u64, len: u64) -> Result<(u64, u64), Errno> {
    if addr & 0xfff != 0 {
        return Err(Errno::EINVAL);
    }
    let end = addr.checked_add(page_up(len)).ok_or(Errno::EINVAL)?;
    if end > TASK_SIZE {
        return Err(Errno::EINVAL);
    }
    Ok((addr, end))
}

pub fn sys_munmap(k: &mut Kernel, a: &Args) -> SysResult {
    if a[1] == 0 {
        return Err(Errno::EINVAL);
    }
    let (s, e) = check_range(a[0], a[1])?;
    let mm = k.current_mm();
    mm.borrow_mut().unmap_range(&mut k.cpu.mmu, s, e);
    k.cpu.sync_code();
    k.page_cache_prune();
    Ok(0)
}

pub fn sys_mprotect(k: &mut Kernel, a: &Args) -> SysResult {
    let (s, e) = check_range(a[0], a[1])?;
    let prot = Prot::from_bits(a[2] as u32 & 7).ok_or(Errno::EINVAL)?;
    if a[2] & !7 & !0x0300_0000 != 0 {
        return Err(Errno::EINVAL);
    }
    if s == e {
        return Ok(0);
    }
    let mm = k.current_mm();
    mm.borrow_mut().protect(&mut k.cpu.mmu, s, e, prot)?;
    Ok(0)
}

const MREMAP_MAYMOVE: u64 = 1;
const MREMAP_FIXED: u64 = 2;

pub fn sys_mremap(k: &mut Kernel, a: &Args) -> SysResult {
    let (old, old_len, new_len, flags, new_addr) = (a[0], page_up(a[1]), page_up(a[2]), a[3], a[4]);
    if old & 0xfff != 0 || new_len == 0 || flags & !(MREMAP_MAYMOVE | MREMAP_FIXED | 4) != 0 {
        return Err(Errno::EINVAL);
    }
    if flags & MREMAP_FIXED != 0 && flags & MREMAP_MAYMOVE == 0 {
        return Err(Errno::EINVAL);
    }
    let mm = k.current_mm();
    let mut mm = mm.borrow_mut();
    let vma = mm.find(old).cloned().ok_or(Errno::EFAULT)?;
    if old + old_len > vma.end {
        return Err(Errno::EFAULT);
    }
    if flags & MREMAP_FIXED == 0 {
        if new_len <= old_len {
            mm.unmap_range(&mut k.cpu.mmu, old + new_len, old + old_len);
            return Ok(old);
        }
        // Grow in place when the VMA ends here and the space after it is free.
        if old + old_len == vma.end
            && !mm.overlaps(vma.end, old + new_len)
            && old + new_len <= TASK_SIZE
        {
            if let Some(v) = mm.vmas.get_mut(&vma.start) {
                v.end = old + new_len;
            }
            return Ok(old);
        }
        if flags & MREMAP_MAYMOVE == 0 {
            return Err(Errno::ENOMEM);
        }
    }
    let dest = if flags & MREMAP_FIXED != 0 {
        if new_addr & 0xfff != 0 {
            return Err(Errno::EINVAL);
        }
        mm.unmap_range(&mut k.cpu.mmu, new_addr, new_addr + new_len);
        new_addr
    } else {
        mm.find_free(new_len).ok_or(Errno::ENOMEM)?
    };
    // Move the pages: re-point each present PTE at the new address, no copying.
    let root = mm.root;
    let keep = old_len.min(new_len);
    let mut moved = Vec::new();
    k.cpu
        .mmu
        .for_each_leaf(root, old, old + keep, &mut |_, va, pte| {
            moved.push((va.0 - old, pte));
            None
        });
    for (off, pte) in moved {
        if k.cpu.mmu.map(root, VirtAddr(dest + off), pte).is_err() {
            return Err(Errno::ENOMEM);
        }
    }
    let mut nv = vma.slice(old, old + old_len);
    nv.start = dest;
    nv.end = dest + new_len;
    if let Backing::File { file_end, .. } = &mut nv.backing {
        *file_end = dest + (*file_end).saturating_sub(old);
    }
    mm.unmap_range(&mut k.cpu.mmu, old, old + old_len);
    mm.insert(nv);
    Ok(dest)
}

const MADV_DONTNEED: u64 = 4;
const MADV_FREE: u64 = 8;
const MADV_REMOVE: u64 = 9;

pub fn sys_madvise(k: &mut Kernel, a: &Args) -> SysResult {
    let (s, e) = check_range(a[0], a[1])?;
    match a[2] {
        // NORMAL, RANDOM, SEQUENTIAL, WILLNEED: hints only.
        0..=3 => Ok(0),
        MADV_DONTNEED | MADV_REMOVE => {
            let mm = k.current_mm();
            let mm = mm.borrow_mut();
            let mut a = s;
            while a < e {
                let Some(v) = mm.find(a) else {
                    return Err(Errno::ENOMEM);
                };
                a = v.end;
            }
            // Private pages are dropped: the next touch sees zeros (or the file).
            let root = mm.root;
            let vmas: Vec<Vma> = mm
                .vmas
                .range(..e)
                .map(|(_, v)| v.clone())
                .filter(|v| v.end > s)
                .collect();
            for v in vmas.iter().filter(|v| !v.shared) {
                let mut frames = Vec::new();
                k.cpu
                    .mmu
                    .for_each_leaf(root, v.start.max(s), v.end.min(e), &mut |_, _, p| {
                        frames.push(p.pfn());
                        None
                    });
                for f in frames {
                    k.cpu.mmu.phys.put(f);
                }
            }
            Ok(0)
        }
        // MADV_FREE may keep the contents; keeping them is always correct.
        MADV_FREE => Ok(0),
        // MERGEABLE, UNMERGEABLE, HUGEPAGE, NOHUGEPAGE, DONTDUMP, DODUMP, ...
        12..=17 | 20..=21 => Ok(0),
        _ => Err(Errno::EINVAL),
    }
}

pub fn sys_msync(k: &mut Kernel, a: &Args) -> SysResult {
    let (s, e) = check_range(a[0], a[1])?;
    if a[2] & !7 != 0 || (a[2] & 1 != 0 && a[2] & 4 != 0) {
        return Err(Errno::EINVAL);
    }
    let mm = k.current_mm();
    let mm = mm.borrow();
    let root = mm.root;
    for v in mm
        .vmas
        .range(..e)
        .map(|(_, v)| v)
        .filter(|v| v.end > s && v.shared)
    {
        if let Backing::File {
            file,
            offset,
            file_end,
        } = &v.backing
        {
            let mut pages = Vec::new();
            k.cpu
                .mmu
                .for_each_leaf(root, v.start.max(s), v.end.min(e), &mut |_, va, p| {
                    pages.push((va.0, p.pfn()));
                    Some(p)
                });
            for (va, pfn) in pages {
                if va < *file_end {
                    let n = (file_end - va).min(4096) as usize;
                    file.pwrite_all(&k.cpu.mmu.phys.frame(pfn)[..n], offset + (va - v.start))?;
                }
            }
        }
    }
    Ok(0)
}
