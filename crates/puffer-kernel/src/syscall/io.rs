//! Reading and writing: read, write, pread64, pwrite64, readv, writev, lseek.

use super::pipe::{is_stream, stream_read, stream_write, RwOpts, UBuf};
use super::Args;
use crate::errno::{Errno, SysResult};
use crate::vfs::{FileKind, FileRef};
use crate::Kernel;

/// Linux caps one transfer at MAX_RW_COUNT; puffer moves at most this much per call
/// through a bounce buffer (a short count is a valid answer for read and write).
const CHUNK: usize = 1 << 20;
const IOV_MAX: u64 = 1024;

fn readable(k: &Kernel, fd: i32) -> Result<FileRef, Errno> {
    let f = k.file(fd)?;
    if !f.readable() {
        return Err(Errno::EBADF);
    }
    Ok(f)
}

fn writable(k: &Kernel, fd: i32) -> Result<FileRef, Errno> {
    let f = k.file(fd)?;
    if !f.writable() && !matches!(f.kind, FileKind::HostFd(_)) {
        return Err(Errno::EBADF);
    }
    Ok(f)
}

fn is_regular(f: &FileRef) -> bool {
    matches!(f.kind, FileKind::Host(_) | FileKind::Synthetic(_))
}

/// Read up to `len` bytes into guest memory at `buf`; `at` is Some(offset) for pread.
fn read_into(k: &mut Kernel, f: &FileRef, buf: u64, len: u64, at: Option<u64>) -> SysResult {
    if matches!(f.kind, FileKind::Dir { .. }) {
        return Err(Errno::EISDIR);
    }
    let mut done = 0u64;
    loop {
        let n = ((len - done) as usize).min(CHUNK);
        let mut tmp = vec![0u8; n];
        let start = at.map_or(f.offset.get(), |off| off + done);
        let got = match at {
            Some(off) => f.pread(&mut tmp, off + done)?,
            None => f.read(&mut tmp)?,
        };
        if matches!(f.kind, FileKind::Host(_)) {
            k.page_cache_overlay(f, start, &mut tmp[..got]);
        }
        k.copy_to_user(buf + done, &tmp[..got])?;
        done += got as u64;
        // Regular files fill the whole request; pipes and terminals return what
        // one read gave.
        if got < n || done == len || !is_regular(f) {
            return Ok(done);
        }
    }
}

fn write_from(k: &mut Kernel, f: &FileRef, buf: u64, len: u64, at: Option<u64>) -> SysResult {
    let mut done = 0u64;
    while done < len {
        let n = ((len - done) as usize).min(CHUNK);
        let mut tmp = vec![0u8; n];
        k.copy_from_user(buf + done, &mut tmp)?;
        let put = match at {
            Some(off) => f.pwrite(&tmp, off + done)?,
            None => f.write(&tmp)?,
        };
        if matches!(f.kind, FileKind::Host(_)) {
            let start = at.map_or(f.offset.get() - put as u64, |off| off + done);
            k.page_cache_update(f, start, &tmp[..put]);
        }
        done += put as u64;
        if put < n {
            break;
        }
    }
    if done > 0 {
        k.note_write(f);
    }
    Ok(done)
}

pub fn sys_read(k: &mut Kernel, a: &Args) -> SysResult {
    let f = readable(k, a[0] as i32)?;
    if is_stream(&f) {
        return stream_read(k, a[0] as i32, &f, &UBuf::One(a[1], a[2]), RwOpts::of(&f));
    }
    read_into(k, &f, a[1], a[2].min(0x7fff_f000), None)
}

pub fn sys_write(k: &mut Kernel, a: &Args) -> SysResult {
    let f = writable(k, a[0] as i32)?;
    if is_stream(&f) {
        return stream_write(k, a[0] as i32, &f, &UBuf::One(a[1], a[2]), RwOpts::of(&f));
    }
    write_from(k, &f, a[1], a[2].min(0x7fff_f000), None)
}

pub fn sys_pread64(k: &mut Kernel, a: &Args) -> SysResult {
    let f = readable(k, a[0] as i32)?;
    if !f.seekable() {
        return Err(Errno::ESPIPE);
    }
    if (a[3] as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    read_into(k, &f, a[1], a[2].min(0x7fff_f000), Some(a[3]))
}

pub fn sys_pwrite64(k: &mut Kernel, a: &Args) -> SysResult {
    let f = writable(k, a[0] as i32)?;
    if !f.seekable() {
        return Err(Errno::ESPIPE);
    }
    if (a[3] as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    write_from(k, &f, a[1], a[2].min(0x7fff_f000), Some(a[3]))
}

pub(super) fn iovecs(k: &mut Kernel, addr: u64, n: u64) -> Result<Vec<(u64, u64)>, Errno> {
    if n > IOV_MAX {
        return Err(Errno::EINVAL);
    }
    let raw = k.read_vec(addr, (n * 16) as usize)?;
    let v: Vec<(u64, u64)> = raw
        .chunks_exact(16)
        .map(|c| {
            (
                u64::from_le_bytes(c[..8].try_into().unwrap_or_default()),
                u64::from_le_bytes(c[8..].try_into().unwrap_or_default()),
            )
        })
        .collect();
    if v.iter().any(|&(_, l)| (l as i64) < 0) {
        return Err(Errno::EINVAL);
    }
    Ok(v)
}

pub fn sys_readv(k: &mut Kernel, a: &Args) -> SysResult {
    let f = readable(k, a[0] as i32)?;
    let iov = iovecs(k, a[1], a[2])?;
    if is_stream(&f) {
        return stream_read(k, a[0] as i32, &f, &UBuf::Iov(iov), RwOpts::of(&f));
    }
    let mut total = 0;
    for (base, len) in iov {
        if len == 0 {
            continue;
        }
        let n = read_into(k, &f, base, len, None)?;
        total += n;
        if n < len {
            break;
        }
    }
    Ok(total)
}

pub fn sys_writev(k: &mut Kernel, a: &Args) -> SysResult {
    let f = writable(k, a[0] as i32)?;
    let iov = iovecs(k, a[1], a[2])?;
    if is_stream(&f) {
        return stream_write(k, a[0] as i32, &f, &UBuf::Iov(iov), RwOpts::of(&f));
    }
    // Gather first so that the whole vector is one write, as the host would do it.
    let mut data = Vec::new();
    for (base, len) in iov {
        let mut tmp = vec![0u8; len as usize];
        match k.copy_from_user(base, &mut tmp) {
            Ok(()) => data.extend_from_slice(&tmp),
            Err(e) if data.is_empty() => return Err(e),
            Err(_) => break,
        }
    }
    let mut done = 0;
    while done < data.len() {
        let n = f.write(&data[done..])?;
        if n == 0 {
            break;
        }
        if matches!(f.kind, FileKind::Host(_)) {
            let start = f.offset.get() - n as u64;
            k.page_cache_update(&f, start, &data[done..done + n]);
        }
        done += n;
    }
    if done > 0 {
        k.note_write(&f);
    }
    Ok(done as u64)
}

const SEEK_SET: u64 = 0;
const SEEK_CUR: u64 = 1;
const SEEK_END: u64 = 2;

pub fn sys_lseek(k: &mut Kernel, a: &Args) -> SysResult {
    let f = k.file(a[0] as i32)?;
    let off = a[1] as i64;
    if f.is_kernel_stream() {
        return Err(Errno::ESPIPE);
    }
    if let Some(h) = f.host_stream_fd() {
        // SAFETY: lseek(2) on one of puffer's own standard descriptors.
        let r = unsafe { libc::lseek(h, off, a[2] as i32) };
        return if r < 0 {
            Err(std::io::Error::last_os_error().into())
        } else {
            Ok(r as u64)
        };
    }
    if matches!(
        f.kind,
        FileKind::Null | FileKind::Zero | FileKind::Random | FileKind::Full
    ) {
        f.offset.set(0);
        return Ok(0);
    }
    let base = match a[2] {
        SEEK_SET => 0,
        SEEK_CUR => f.offset.get() as i64,
        SEEK_END => f.size()? as i64,
        _ => return Err(Errno::EINVAL),
    };
    let new = base.checked_add(off).ok_or(Errno::EOVERFLOW)?;
    if new < 0 {
        return Err(Errno::EINVAL);
    }
    f.offset.set(new as u64);
    if let FileKind::Dir { entries, .. } | FileKind::ProcDir(entries) = &f.kind {
        if new == 0 {
            *entries.borrow_mut() = None;
        }
    }
    Ok(new as u64)
}

impl Kernel {
    /// The virtual clock stamps host files the guest writes (see `time`).
    fn note_write(&mut self, f: &FileRef) {
        if let (true, FileKind::Host(h)) = (self.deterministic(), &f.kind) {
            let fd = std::os::fd::AsRawFd::as_raw_fd(h);
            self.note_change_fd(fd, crate::time::Change::Written);
        }
    }
}
