//! File metadata and durability: chmod, fchmod, fchmodat, fchmodat2, chown, fchown,
//! lchown, fchownat, utime, utimes, futimesat, utimensat, truncate, ftruncate, fsync,
//! fdatasync, sync, syncfs, statfs, fstatfs.
//!
//! Paths are resolved inside the guest root like every other path (`vfs/path.rs`):
//! the host call gets the resolved host path, whose components are no longer
//! symlinks, and "nofollow" variants are used where the host has them.
//!
//! Ownership: chown and friends go to the host first. A guest process runs as the
//! host user puffer runs as (getuid answers the same); when the host refuses the
//! change (EPERM: puffer is not root), the new owner is recorded on the side
//! (`vfs/owners.rs`) and stat shows it, so chown never fails for want of host
//! privilege — the guest's files end up owned as it asked, as far as it can see.
//!
//! puffer's own objects (pipes, sockets, eventfds) accept fchmod/fchown/futimens
//! and ignore them; /dev/null and the like, and /proc, refuse changes (EPERM) as
//! they would for an unprivileged user.

use super::{Args, AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW};
use crate::errno::{Errno, SysResult};
use crate::vfs::stat::Stat;
use crate::vfs::{FileKind, FileRef, Resolved};
use crate::Kernel;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// What a metadata call works on.
enum Target {
    /// A host file, by its resolved host path.
    Path(PathBuf),
    /// An open file (the fd variants, AT_EMPTY_PATH).
    File(FileRef),
    /// One of puffer's own names (/dev/null, /proc/...).
    Virtual(String),
}

fn cstr(p: &std::path::Path) -> Result<CString, Errno> {
    CString::new(p.as_os_str().as_bytes()).map_err(|_| Errno::EINVAL)
}

fn check(r: i32) -> SysResult {
    if r < 0 {
        Err(std::io::Error::last_os_error().into())
    } else {
        Ok(0)
    }
}

/// Resolve `path` relative to `dirfd`; an empty path means `dirfd` itself when
/// `empty_ok` (AT_EMPTY_PATH), else ENOENT.
fn target(
    k: &mut Kernel,
    dirfd: i32,
    path: u64,
    follow: bool,
    empty_ok: bool,
) -> Result<Target, Errno> {
    let b = k.read_cstr(path, crate::vfs::path::PATH_MAX)?;
    let p = String::from_utf8(b).map_err(|_| Errno::EINVAL)?;
    if p.is_empty() {
        if !empty_ok {
            return Err(Errno::ENOENT);
        }
        if dirfd == AT_FDCWD {
            let cwd = k.current_task().fs.borrow().cwd.clone();
            return resolved(k.vfs.resolve("/", &cwd, true)?);
        }
        return Ok(Target::File(k.file(dirfd)?));
    }
    resolved(k.resolve_at(dirfd, &p, follow)?)
}

fn resolved(r: Resolved) -> Result<Target, Errno> {
    Ok(match r {
        Resolved::Host { host, .. } => Target::Path(host),
        Resolved::Virtual { guest } => Target::Virtual(guest),
    })
}

/// The host descriptor to apply an fd operation to: Ok(None) for puffer's own
/// objects, which accept and ignore metadata changes.
fn host_fd_of(f: &FileRef) -> Result<Option<i32>, Errno> {
    match &f.kind {
        FileKind::Pipe(_) | FileKind::Socket(_) | FileKind::EventFd(_) => Ok(None),
        FileKind::Dir { .. } => Ok(None),
        _ => match f.host_fd() {
            Some(h) => Ok(Some(h)),
            None => Err(Errno::EPERM),
        },
    }
}

/// The host path of an open directory (directories are kept by path) or FIFO (whose
/// pipe has no host descriptor).
fn dir_path(f: &FileRef) -> Option<PathBuf> {
    match &f.kind {
        FileKind::Dir { host, .. } => Some(host.clone()),
        FileKind::Pipe(p) => p.pipe.fifo.clone(),
        _ => None,
    }
}

fn virtual_refusal(guest: &str) -> Errno {
    if guest.starts_with("/proc") {
        Errno::EACCES
    } else {
        Errno::EPERM
    }
}

// ---- chmod ----

fn chmod_target(t: Target, mode: u32) -> SysResult {
    let mode = mode & 0o7777;
    match t {
        Target::Path(p) => {
            // SAFETY: chmod(2) on a resolved path whose components are not symlinks.
            check(unsafe { libc::chmod(cstr(&p)?.as_ptr(), mode) })
        }
        Target::File(f) => {
            if let Some(p) = dir_path(&f) {
                // SAFETY: as above.
                return check(unsafe { libc::chmod(cstr(&p)?.as_ptr(), mode) });
            }
            match host_fd_of(&f)? {
                // SAFETY: fchmod(2) on a descriptor puffer owns.
                Some(h) => check(unsafe { libc::fchmod(h, mode) }),
                None => Ok(0),
            }
        }
        Target::Virtual(g) => Err(virtual_refusal(&g)),
    }
}

pub fn sys_chmod(k: &mut Kernel, a: &Args) -> SysResult {
    let t = target(k, AT_FDCWD, a[0], true, false)?;
    chmod_target(t, a[1] as u32)
}

pub fn sys_fchmod(k: &mut Kernel, a: &Args) -> SysResult {
    let f = k.file(a[0] as i32)?;
    chmod_target(Target::File(f), a[1] as u32)
}

pub fn sys_fchmodat(k: &mut Kernel, a: &Args) -> SysResult {
    let t = target(k, a[0] as i32, a[1], true, false)?;
    chmod_target(t, a[2] as u32)
}

pub fn sys_fchmodat2(k: &mut Kernel, a: &Args) -> SysResult {
    let flags = a[3];
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let follow = flags & AT_SYMLINK_NOFOLLOW == 0;
    let t = target(k, a[0] as i32, a[1], follow, flags & AT_EMPTY_PATH != 0)?;
    if let Target::Path(p) = &t {
        if !follow && std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()) {
            // Linux cannot change a symlink's mode.
            return Err(Errno::EOPNOTSUPP);
        }
    }
    chmod_target(t, a[2] as u32)
}

// ---- chown ----

fn chown_target(k: &mut Kernel, t: Target, uid: u32, gid: u32) -> SysResult {
    let r = match &t {
        Target::Path(p) => {
            // SAFETY: lchown(2) on a resolved path (a symlink itself when the caller
            // asked not to follow it).
            check(unsafe { libc::lchown(cstr(p)?.as_ptr(), uid, gid) })
        }
        Target::File(f) => {
            if let Some(p) = dir_path(f) {
                // SAFETY: as above.
                check(unsafe { libc::lchown(cstr(&p)?.as_ptr(), uid, gid) })
            } else {
                match host_fd_of(f)? {
                    // SAFETY: fchown(2) on a descriptor puffer owns.
                    Some(h) => check(unsafe { libc::fchown(h, uid, gid) }),
                    None => return Ok(0),
                }
            }
        }
        Target::Virtual(g) => return Err(virtual_refusal(g)),
    };
    if r != Err(Errno::EPERM) {
        return r;
    }
    // The host user may not give the file that owner: record it instead, as the
    // issue's "recorded or a no-op, but never an error" asks (vfs/owners.rs).
    let st = match &t {
        Target::Path(p) => Stat::of_path(p, false)?,
        Target::File(f) => match dir_path(f) {
            Some(p) => Stat::of_path(&p, false)?,
            None => f.stat()?,
        },
        Target::Virtual(_) => return r,
    };
    k.owners.set(st.dev, st.ino, (st.uid, st.gid), uid, gid);
    Ok(0)
}

pub fn sys_chown(k: &mut Kernel, a: &Args) -> SysResult {
    let t = target(k, AT_FDCWD, a[0], true, false)?;
    chown_target(k, t, a[1] as u32, a[2] as u32)
}

pub fn sys_lchown(k: &mut Kernel, a: &Args) -> SysResult {
    let t = target(k, AT_FDCWD, a[0], false, false)?;
    chown_target(k, t, a[1] as u32, a[2] as u32)
}

pub fn sys_fchown(k: &mut Kernel, a: &Args) -> SysResult {
    let f = k.file(a[0] as i32)?;
    chown_target(k, Target::File(f), a[1] as u32, a[2] as u32)
}

pub fn sys_fchownat(k: &mut Kernel, a: &Args) -> SysResult {
    let flags = a[4];
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let follow = flags & AT_SYMLINK_NOFOLLOW == 0;
    let t = target(k, a[0] as i32, a[1], follow, flags & AT_EMPTY_PATH != 0)?;
    chown_target(k, t, a[2] as u32, a[3] as u32)
}

// ---- times ----

const UTIME_NOW: i64 = (1 << 30) - 1;
const UTIME_OMIT: i64 = (1 << 30) - 2;

/// utimes on `t`, with "now" on the guest's clock; the virtual clock remembers the
/// times set (see `time`).
fn set_times(k: &mut Kernel, t: Target, times: Option<[libc::timespec; 2]>) -> SysResult {
    if !k.deterministic() {
        return utimes_target(t, times);
    }
    let times = k.guest_utimes(times);
    let st = match &t {
        Target::Path(p) => Stat::of_path(p, false).ok(),
        Target::File(f) => f.stat().ok(),
        Target::Virtual(_) => None,
    };
    let r = utimes_target(t, times)?;
    if let (Some(st), Some(t)) = (st, times) {
        let given = |x: libc::timespec| (x.tv_nsec != UTIME_OMIT).then_some((x.tv_sec, x.tv_nsec));
        k.note_change(&st, crate::time::Change::Times(given(t[0]), given(t[1])));
    }
    Ok(r)
}

fn utimes_target(t: Target, times: Option<[libc::timespec; 2]>) -> SysResult {
    let tp = times.as_ref().map_or(std::ptr::null(), |t| t.as_ptr());
    match t {
        Target::Path(p) => {
            // SAFETY: utimensat(2) on a resolved path, not following a final symlink
            // (the resolution already followed it if asked to).
            check(unsafe {
                libc::utimensat(
                    libc::AT_FDCWD,
                    cstr(&p)?.as_ptr(),
                    tp,
                    libc::AT_SYMLINK_NOFOLLOW,
                )
            })
        }
        Target::File(f) => {
            if let Some(p) = dir_path(&f) {
                return utimes_target(Target::Path(p), times);
            }
            match host_fd_of(&f)? {
                // SAFETY: futimens(3) on a descriptor puffer owns.
                Some(h) => check(unsafe { libc::futimens(h, tp) }),
                None => Ok(0),
            }
        }
        Target::Virtual(g) => Err(virtual_refusal(&g)),
    }
}

fn ts(sec: i64, nsec: i64) -> libc::timespec {
    libc::timespec {
        tv_sec: sec,
        tv_nsec: nsec,
    }
}

/// Two `struct timespec` (utimensat) from the guest, checked as Linux does.
fn read_timespecs(k: &mut Kernel, addr: u64) -> Result<Option<[libc::timespec; 2]>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    let b = k.read_vec(addr, 32)?;
    let v = |o: usize| i64::from_le_bytes(b[o..o + 8].try_into().unwrap_or_default());
    let out = [ts(v(0), v(8)), ts(v(16), v(24))];
    for t in &out {
        if t.tv_nsec != UTIME_NOW
            && t.tv_nsec != UTIME_OMIT
            && !(0..1_000_000_000).contains(&t.tv_nsec)
        {
            return Err(Errno::EINVAL);
        }
    }
    Ok(Some(out))
}

/// Two `struct timeval` (utimes, futimesat) from the guest.
fn read_timevals(k: &mut Kernel, addr: u64) -> Result<Option<[libc::timespec; 2]>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    let b = k.read_vec(addr, 32)?;
    let v = |o: usize| i64::from_le_bytes(b[o..o + 8].try_into().unwrap_or_default());
    let out = [(v(0), v(8)), (v(16), v(24))];
    if out.iter().any(|&(_, us)| !(0..1_000_000).contains(&us)) {
        return Err(Errno::EINVAL);
    }
    Ok(Some([
        ts(out[0].0, out[0].1 * 1000),
        ts(out[1].0, out[1].1 * 1000),
    ]))
}

pub fn sys_utimensat(k: &mut Kernel, a: &Args) -> SysResult {
    let (dirfd, path, times, flags) = (a[0] as i32, a[1], a[2], a[3]);
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let times = read_timespecs(k, times)?;
    if times.is_some_and(|t| t[0].tv_nsec == UTIME_OMIT && t[1].tv_nsec == UTIME_OMIT) {
        return Ok(0);
    }
    let t = if path == 0 {
        // futimens: the descriptor itself.
        if flags & AT_SYMLINK_NOFOLLOW != 0 {
            return Err(Errno::EINVAL);
        }
        if dirfd == AT_FDCWD {
            return Err(Errno::EFAULT);
        }
        Target::File(k.file(dirfd)?)
    } else {
        let follow = flags & AT_SYMLINK_NOFOLLOW == 0;
        target(k, dirfd, path, follow, flags & AT_EMPTY_PATH != 0)?
    };
    set_times(k, t, times)
}

pub fn sys_utimes(k: &mut Kernel, a: &Args) -> SysResult {
    let times = read_timevals(k, a[1])?;
    let t = target(k, AT_FDCWD, a[0], true, false)?;
    set_times(k, t, times)
}

pub fn sys_futimesat(k: &mut Kernel, a: &Args) -> SysResult {
    let times = read_timevals(k, a[2])?;
    let t = if a[1] == 0 {
        Target::File(k.file(a[0] as i32)?)
    } else {
        target(k, a[0] as i32, a[1], true, false)?
    };
    set_times(k, t, times)
}

pub fn sys_utime(k: &mut Kernel, a: &Args) -> SysResult {
    let times = if a[1] == 0 {
        None
    } else {
        let b = k.read_vec(a[1], 16)?;
        let v = |o: usize| i64::from_le_bytes(b[o..o + 8].try_into().unwrap_or_default());
        Some([ts(v(0), 0), ts(v(8), 0)])
    };
    let t = target(k, AT_FDCWD, a[0], true, false)?;
    set_times(k, t, times)
}

// ---- truncate ----

pub fn sys_truncate(k: &mut Kernel, a: &Args) -> SysResult {
    let len = a[1] as i64;
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    match target(k, AT_FDCWD, a[0], true, false)? {
        Target::Path(p) => {
            if std::fs::metadata(&p).is_ok_and(|m| m.is_dir()) {
                return Err(Errno::EISDIR);
            }
            // SAFETY: truncate(2) on a resolved path whose components are not symlinks.
            check(unsafe { libc::truncate(cstr(&p)?.as_ptr(), len) })?;
            if let Ok(m) = std::fs::metadata(&p) {
                k.page_cache_truncated(&m, len as u64);
            }
            Ok(0)
        }
        Target::File(_) => Err(Errno::EINVAL),
        Target::Virtual(g) if g.starts_with("/proc") => Err(Errno::EACCES),
        // Character devices: Linux's truncate answers EINVAL for non-regular files.
        Target::Virtual(_) => Err(Errno::EINVAL),
    }
}

pub fn sys_ftruncate(k: &mut Kernel, a: &Args) -> SysResult {
    let f = k.file(a[0] as i32)?;
    let len = a[1] as i64;
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    // Linux: EINVAL unless a regular file open for writing.
    let FileKind::Host(hf) = &f.kind else {
        return Err(Errno::EINVAL);
    };
    if !f.writable() {
        return Err(Errno::EINVAL);
    }
    let h = std::os::fd::AsRawFd::as_raw_fd(hf);
    // SAFETY: ftruncate(2) on a descriptor puffer owns.
    check(unsafe { libc::ftruncate(h, len) })?;
    if let Ok(m) = hf.metadata() {
        k.page_cache_truncated(&m, len as u64);
    }
    Ok(0)
}

// ---- durability ----

fn fsync_file(k: &mut Kernel, fd: i32, data_only: bool) -> SysResult {
    let f = k.file(fd)?;
    match &f.kind {
        FileKind::Host(hf) => {
            k.page_cache_writeback(hf);
            let h = std::os::fd::AsRawFd::as_raw_fd(hf);
            // SAFETY: fsync(2)/fdatasync(2) on a descriptor puffer owns.
            check(unsafe {
                if data_only {
                    libc::fdatasync(h)
                } else {
                    libc::fsync(h)
                }
            })
        }
        FileKind::Dir { .. } => Ok(0),
        FileKind::HostFd(_) | FileKind::HostStream(_) => {
            let h = f.host_fd().unwrap_or(-1);
            // SAFETY: as above (a terminal answers EINVAL, as on Linux).
            check(unsafe { libc::fsync(h) })
        }
        _ => Err(Errno::EINVAL),
    }
}

pub fn sys_fsync(k: &mut Kernel, a: &Args) -> SysResult {
    fsync_file(k, a[0] as i32, false)
}

pub fn sys_fdatasync(k: &mut Kernel, a: &Args) -> SysResult {
    fsync_file(k, a[0] as i32, true)
}

/// sync: the file system holding the guest's root, not every file system of the
/// host (syncfs on the root directory).
pub fn sys_sync(k: &mut Kernel, _: &Args) -> SysResult {
    k.page_cache_writeback_all();
    if let Ok(d) = std::fs::File::open(&k.vfs.root) {
        // SAFETY: syncfs(2) on a descriptor we own; sync cannot fail.
        unsafe { libc::syncfs(std::os::fd::AsRawFd::as_raw_fd(&d)) };
    }
    Ok(0)
}

pub fn sys_syncfs(k: &mut Kernel, a: &Args) -> SysResult {
    let f = k.file(a[0] as i32)?;
    k.page_cache_writeback_all();
    if let FileKind::Host(hf) = &f.kind {
        // SAFETY: syncfs(2) on a descriptor puffer owns.
        check(unsafe { libc::syncfs(std::os::fd::AsRawFd::as_raw_fd(hf)) })?;
    }
    Ok(0)
}

// ---- statfs ----

const PROC_SUPER_MAGIC: i64 = 0x9fa0;
const TMPFS_MAGIC: i64 = 0x0102_1994;
const PIPEFS_MAGIC: i64 = 0x5049_5045;
const SOCKFS_MAGIC: i64 = 0x534f_434b;
const ANON_INODE_FS_MAGIC: i64 = 0x0904_1934;
/// ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_RELATIME, and ST_VALID (0x20).
const PSEUDO_FLAGS: i64 = 0x102e | 0x20;

/// `struct statfs` as x86-64 Linux lays it out (120 bytes).
#[derive(Default)]
struct StatFs {
    ty: i64,
    bsize: i64,
    blocks: u64,
    bfree: u64,
    bavail: u64,
    files: u64,
    ffree: u64,
    fsid: [u8; 8],
    namelen: i64,
    frsize: i64,
    flags: i64,
}

impl StatFs {
    fn encode(&self) -> [u8; 120] {
        let mut b = [0u8; 120];
        let words: [[u8; 8]; 11] = [
            self.ty.to_le_bytes(),
            self.bsize.to_le_bytes(),
            self.blocks.to_le_bytes(),
            self.bfree.to_le_bytes(),
            self.bavail.to_le_bytes(),
            self.files.to_le_bytes(),
            self.ffree.to_le_bytes(),
            self.fsid,
            self.namelen.to_le_bytes(),
            self.frsize.to_le_bytes(),
            self.flags.to_le_bytes(),
        ];
        for (i, w) in words.iter().enumerate() {
            b[i * 8..i * 8 + 8].copy_from_slice(w);
        }
        b
    }

    /// From the host's answer. The libc struct hides f_flags in its spare words;
    /// statvfs(3) carries the same ST_* bits, so they come from there.
    fn of_host(s: &libc::statfs, flags: i64) -> StatFs {
        // SAFETY: fsid_t is two ints: copying it as 8 bytes is a plain copy.
        let fsid: [u8; 8] = unsafe { std::mem::transmute_copy(&s.f_fsid) };
        StatFs {
            ty: s.f_type,
            bsize: s.f_bsize,
            blocks: s.f_blocks,
            bfree: s.f_bfree,
            bavail: s.f_bavail,
            files: s.f_files,
            ffree: s.f_ffree,
            fsid,
            namelen: s.f_namelen,
            frsize: s.f_frsize,
            flags,
        }
    }
}

/// A pseudo file system's statfs (no blocks, no inodes).
fn pseudo(magic: i64) -> StatFs {
    StatFs {
        ty: magic,
        bsize: 4096,
        namelen: 255,
        frsize: 4096,
        flags: PSEUDO_FLAGS,
        ..StatFs::default()
    }
}

/// ST_* mount flags of a host descriptor, with ST_VALID as Linux's statfs reports.
fn host_flags(h: i32) -> i64 {
    // SAFETY: fstatvfs(3) fills a struct we own.
    let mut v: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstatvfs(h, &mut v) } < 0 {
        return 0x20;
    }
    v.f_flag as i64 | 0x20
}

fn host_statfs_fd(h: i32) -> Result<StatFs, Errno> {
    // SAFETY: fstatfs(2) fills a struct we own.
    let mut s: libc::statfs = unsafe { std::mem::zeroed() };
    check(unsafe { libc::fstatfs(h, &mut s) })?;
    Ok(StatFs::of_host(&s, host_flags(h)))
}

fn host_statfs_path(p: &std::path::Path) -> Result<StatFs, Errno> {
    // O_PATH: no permission needed, and no side effects on devices or FIFOs.
    let c = cstr(p)?;
    // SAFETY: open(2) with O_PATH on a resolved path.
    let fd = unsafe { libc::open(c.as_ptr(), libc::O_PATH | libc::O_CLOEXEC) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error().into());
    }
    // SAFETY: `fd` is ours; OwnedFd closes it.
    let owned = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) };
    host_statfs_fd(std::os::fd::AsRawFd::as_raw_fd(&owned))
}

fn statfs_of_file(f: &FileRef) -> Result<StatFs, Errno> {
    match &f.kind {
        FileKind::Pipe(p) => match &p.pipe.fifo {
            // A FIFO is on the file system it was made in.
            Some(host) => host_statfs_path(host).or(Ok(pseudo(PIPEFS_MAGIC))),
            None => Ok(pseudo(PIPEFS_MAGIC)),
        },
        FileKind::Socket(_) => Ok(pseudo(SOCKFS_MAGIC)),
        FileKind::EventFd(_) => Ok(pseudo(ANON_INODE_FS_MAGIC)),
        FileKind::Synthetic(_) | FileKind::ProcDir(_) => Ok(pseudo(PROC_SUPER_MAGIC)),
        FileKind::Null | FileKind::Zero | FileKind::Full | FileKind::Random => {
            Ok(pseudo(TMPFS_MAGIC))
        }
        FileKind::Dir { host, .. } => host_statfs_path(host),
        _ => host_statfs_fd(f.host_fd().ok_or(Errno::EINVAL)?),
    }
}

pub fn sys_statfs(k: &mut Kernel, a: &Args) -> SysResult {
    let s = match target(k, AT_FDCWD, a[0], true, false)? {
        Target::Path(p) => host_statfs_path(&p)?,
        Target::File(f) => statfs_of_file(&f)?,
        Target::Virtual(g) => {
            if g.starts_with("/proc") {
                // Existence check, as stat would.
                k.proc_read(&g)?;
                pseudo(PROC_SUPER_MAGIC)
            } else {
                pseudo(TMPFS_MAGIC)
            }
        }
    };
    k.copy_to_user(a[1], &s.encode())?;
    Ok(0)
}

pub fn sys_fstatfs(k: &mut Kernel, a: &Args) -> SysResult {
    let f = k.file(a[0] as i32)?;
    let s = statfs_of_file(&f)?;
    k.copy_to_user(a[1], &s.encode())?;
    Ok(0)
}
