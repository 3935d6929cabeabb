//! Guest physical memory: one contiguous host allocation, committed lazily by the host
//! kernel (it is zero-filled anonymous memory, so untouched frames cost nothing), and a
//! frame allocator with reference counts so that copy-on-write and shared mappings can
//! share frames between address spaces.

use crate::addr::{Pfn, PhysAddr, PAGE_SIZE};

/// Why a frame could not be had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfMemory;

pub struct PhysMem {
    ram: Box<[u8]>,
    /// Reference count per frame; 0 = free.
    refcount: Vec<u32>,
    /// Frames that were freed and may be reused (they must be zeroed on reuse).
    free: Vec<u32>,
    /// Frames above this one have never been handed out and are still zero.
    next_fresh: u32,
    /// One bit per frame: decoded instructions have been cached from this frame, so a
    /// write to it must go through the slow path and invalidate them.
    code: Vec<u64>,
    /// Frames whose code bit was cleared by a write or a free since the CPU last looked.
    pub(crate) code_dirty: Vec<Pfn>,
    frames_in_use: usize,
}

impl PhysMem {
    /// `size` is rounded down to whole frames. Frame 0 is never handed out, so that a
    /// physical address of 0 can mean "none" in page tables.
    pub fn new(size: u64) -> PhysMem {
        let frames = (size / PAGE_SIZE).max(16) as usize;
        let ram = vec![0u8; frames * PAGE_SIZE as usize].into_boxed_slice();
        PhysMem {
            ram,
            refcount: vec![0; frames],
            free: Vec::new(),
            next_fresh: 1,
            code: vec![0; frames.div_ceil(64)],
            code_dirty: Vec::new(),
            frames_in_use: 0,
        }
    }

    pub fn total_frames(&self) -> usize {
        self.refcount.len()
    }
    pub fn frames_in_use(&self) -> usize {
        self.frames_in_use
    }
    pub fn size(&self) -> u64 {
        self.ram.len() as u64
    }

    /// Allocate a zeroed frame with a reference count of 1.
    pub fn alloc(&mut self) -> Result<Pfn, OutOfMemory> {
        let pfn = if let Some(f) = self.free.pop() {
            let pfn = Pfn(f as u64);
            self.frame_mut(pfn).fill(0);
            pfn
        } else if (self.next_fresh as usize) < self.refcount.len() {
            self.next_fresh += 1;
            Pfn(self.next_fresh as u64 - 1)
        } else {
            return Err(OutOfMemory);
        };
        self.refcount[pfn.0 as usize] = 1;
        self.frames_in_use += 1;
        Ok(pfn)
    }

    pub fn get(&mut self, pfn: Pfn) {
        self.refcount[pfn.0 as usize] += 1;
    }

    /// Drop one reference; the frame is freed when the last one goes.
    pub fn put(&mut self, pfn: Pfn) {
        let rc = &mut self.refcount[pfn.0 as usize];
        debug_assert!(*rc > 0, "put of a free frame {pfn:?}");
        if *rc == 0 {
            return;
        }
        *rc -= 1;
        if *rc == 0 {
            self.frames_in_use -= 1;
            self.clear_code(pfn);
            self.free.push(pfn.0 as u32);
        }
    }

    pub fn refcount(&self, pfn: Pfn) -> u32 {
        self.refcount.get(pfn.0 as usize).copied().unwrap_or(0)
    }

    pub fn contains(&self, pa: PhysAddr) -> bool {
        pa.0 < self.ram.len() as u64
    }

    pub fn frame(&self, pfn: Pfn) -> &[u8] {
        let base = pfn.addr().0 as usize;
        &self.ram[base..base + PAGE_SIZE as usize]
    }

    pub fn frame_mut(&mut self, pfn: Pfn) -> &mut [u8] {
        let base = pfn.addr().0 as usize;
        &mut self.ram[base..base + PAGE_SIZE as usize]
    }

    pub fn read_u64(&self, pa: PhysAddr) -> u64 {
        let a = pa.0 as usize;
        u64::from_le_bytes(self.ram[a..a + 8].try_into().unwrap_or([0; 8]))
    }

    pub fn write_u64(&mut self, pa: PhysAddr, v: u64) {
        let a = pa.0 as usize;
        self.ram[a..a + 8].copy_from_slice(&v.to_le_bytes());
    }

    /// Base of the host mapping of guest RAM, for TLB entries.
    pub(crate) fn host_base(&mut self) -> *mut u8 {
        self.ram.as_mut_ptr()
    }

    pub fn copy_frame(&mut self, from: Pfn, to: Pfn) {
        let (f, t) = (from.addr().0 as usize, to.addr().0 as usize);
        self.ram.copy_within(f..f + PAGE_SIZE as usize, t);
    }

    pub fn is_code(&self, pfn: Pfn) -> bool {
        let i = pfn.0 as usize;
        self.code[i / 64] & (1 << (i % 64)) != 0
    }

    pub fn set_code(&mut self, pfn: Pfn) {
        let i = pfn.0 as usize;
        self.code[i / 64] |= 1 << (i % 64);
    }

    /// Forget that `pfn` holds decoded code, and queue it for the decode cache to drop.
    pub fn clear_code(&mut self, pfn: Pfn) {
        if self.is_code(pfn) {
            let i = pfn.0 as usize;
            self.code[i / 64] &= !(1 << (i % 64));
            self.code_dirty.push(pfn);
        }
    }
}
