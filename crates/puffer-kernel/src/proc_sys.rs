//! The system-wide /proc files: /proc/meminfo (guest RAM as puffer's frame allocator
//! sees it) and /proc/<pid>/mounts (the guest's two mounts: the root directory and
//! puffer's /proc). /proc/mounts is a symlink to self/mounts, as on Linux.

use crate::Kernel;
use std::fmt::Write;
use std::os::unix::ffi::OsStrExt;

/// The names directly under /proc besides the pid directories and `self`.
pub const PROC_ROOT_FILES: &[&str] = &["meminfo", "mounts", "uptime"];

/// Names of the file systems a host root directory may be on (statfs' f_type), for
/// the type column of the root's line; anything else shows as its magic number.
fn fs_name(magic: i64) -> String {
    match magic {
        0xef53 => "ext4".into(),
        0x9123_683e => "btrfs".into(),
        0x5846_5342 => "xfs".into(),
        0x0102_1994 => "tmpfs".into(),
        0x794c_7630 => "overlay".into(),
        0x6573_5546 => "fuse".into(),
        0x0102_1997 => "9p".into(),
        0x6969 => "nfs".into(),
        0xf2f5_2010 => "f2fs".into(),
        0x2fc1_2fc1 => "zfs".into(),
        m => format!("0x{m:x}"),
    }
}

/// Mount options from statvfs' ST_* flags (fs/proc_namespace.c's order).
fn mount_opts(flags: u64) -> String {
    let mut o = String::from(if flags & libc::ST_RDONLY != 0 {
        "ro"
    } else {
        "rw"
    });
    for (bit, name) in [
        (libc::ST_NOSUID, "nosuid"),
        (libc::ST_NODEV, "nodev"),
        (libc::ST_NOEXEC, "noexec"),
        (libc::ST_NOATIME, "noatime"),
        (libc::ST_NODIRATIME, "nodiratime"),
        (libc::ST_RELATIME, "relatime"),
    ] {
        if flags & bit != 0 {
            o.push(',');
            o.push_str(name);
        }
    }
    o
}

impl Kernel {
    /// /proc/meminfo (fs/proc/meminfo.c's layout, values in kB). Guest RAM is the
    /// physical memory puffer allocated; free is what its frame allocator has not
    /// handed out. There is no swap; Cached is the page cache of shared file and
    /// anonymous mappings (`mm/pagecache.rs`), whose frames count as used.
    pub(crate) fn meminfo_text(&self) -> String {
        let phys = &self.cpu.mmu.phys;
        let total = phys.size() / 1024;
        let used = phys.frames_in_use() as u64 * 4;
        let free = total.saturating_sub(used);
        let cached = self.page_cache.borrow().len() as u64 * 4;
        let mut out = String::new();
        for (name, kb) in [
            ("MemTotal", total),
            ("MemFree", free),
            ("MemAvailable", free + cached),
            ("Buffers", 0),
            ("Cached", cached),
            ("SwapCached", 0),
            ("SwapTotal", 0),
            ("SwapFree", 0),
        ] {
            let _ = writeln!(out, "{:<16}{kb:>8} kB", format!("{name}:"));
        }
        out
    }

    /// /proc/<pid>/mounts: the root (its file system type and flags are the host
    /// directory's) and /proc. The device column names no host device: the guest's
    /// root is a directory puffer was given, shown as `puffer`.
    pub(crate) fn mounts_text(&self) -> String {
        let mut root = String::from("puffer / ");
        let c = std::ffi::CString::new(self.vfs.root.as_os_str().as_bytes()).unwrap_or_default();
        // SAFETY: statfs(2)/statvfs(3) fill structs we own from a NUL-terminated path.
        let mut s: libc::statfs = unsafe { std::mem::zeroed() };
        let mut v: libc::statvfs = unsafe { std::mem::zeroed() };
        let ok = unsafe {
            libc::statfs(c.as_ptr(), &mut s) == 0 && libc::statvfs(c.as_ptr(), &mut v) == 0
        };
        if ok {
            let _ = write!(root, "{} {}", fs_name(s.f_type), mount_opts(v.f_flag));
        } else {
            root.push_str("unknown rw");
        }
        root.push_str(" 0 0\n");
        root.push_str("proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n");
        root
    }
}
