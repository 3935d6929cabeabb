//! `struct stat` and `struct statx` as the x86-64 Linux ABI lays them out, filled from
//! the host's metadata or synthesised for puffer's own files.

use crate::errno::Errno;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stat {
    pub dev: u64,
    pub ino: u64,
    pub nlink: u64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub rdev: u64,
    pub size: i64,
    pub blksize: i64,
    pub blocks: i64,
    pub atime: (i64, i64),
    pub mtime: (i64, i64),
    pub ctime: (i64, i64),
}

pub const S_IFCHR: u32 = 0o020000;
pub const S_IFREG: u32 = 0o100000;
pub const S_IFDIR: u32 = 0o040000;
pub const S_IFLNK: u32 = 0o120000;
pub const S_IFMT: u32 = 0o170000;

fn makedev(major: u64, minor: u64) -> u64 {
    ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & !0xff) << 12) | ((major & !0xfff) << 32)
}

impl Stat {
    pub fn of_meta(m: &std::fs::Metadata) -> Stat {
        Stat {
            dev: m.dev(),
            ino: m.ino(),
            nlink: m.nlink(),
            mode: m.mode(),
            uid: m.uid(),
            gid: m.gid(),
            rdev: m.rdev(),
            size: m.size() as i64,
            blksize: m.blksize() as i64,
            blocks: m.blocks() as i64,
            atime: (m.atime(), m.atime_nsec()),
            mtime: (m.mtime(), m.mtime_nsec()),
            ctime: (m.ctime(), m.ctime_nsec()),
        }
    }

    pub fn of_path(p: &Path, follow: bool) -> Result<Stat, Errno> {
        let m = if follow {
            std::fs::metadata(p)?
        } else {
            std::fs::symlink_metadata(p)?
        };
        Ok(Stat::of_meta(&m))
    }

    pub fn of_fd(fd: i32) -> Result<Stat, Errno> {
        // SAFETY: fstat(2) writes a `struct stat` into memory we own.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        if unsafe { libc::fstat(fd, &mut st) } < 0 {
            return Err(std::io::Error::last_os_error().into());
        }
        Ok(Stat {
            dev: st.st_dev,
            ino: st.st_ino,
            nlink: st.st_nlink,
            mode: st.st_mode,
            uid: st.st_uid,
            gid: st.st_gid,
            rdev: st.st_rdev,
            size: st.st_size,
            blksize: st.st_blksize,
            blocks: st.st_blocks,
            atime: (st.st_atime, st.st_atime_nsec),
            mtime: (st.st_mtime, st.st_mtime_nsec),
            ctime: (st.st_ctime, st.st_ctime_nsec),
        })
    }

    pub fn char_device(major: u64, minor: u64) -> Stat {
        Stat {
            dev: 5,
            ino: 1000 + minor,
            nlink: 1,
            mode: S_IFCHR | 0o666,
            rdev: makedev(major, minor),
            blksize: 4096,
            ..Stat::default()
        }
    }

    pub fn proc_file(size: i64) -> Stat {
        Stat {
            dev: 0x16,
            ino: 4026531840,
            nlink: 1,
            mode: S_IFREG | 0o444,
            size,
            blksize: 1024,
            ..Stat::default()
        }
    }

    pub fn proc_dir() -> Stat {
        Stat {
            dev: 0x16,
            ino: 1,
            nlink: 2,
            mode: S_IFDIR | 0o555,
            blksize: 1024,
            ..Stat::default()
        }
    }

    pub fn proc_link() -> Stat {
        Stat {
            dev: 0x16,
            ino: 2,
            nlink: 1,
            mode: S_IFLNK | 0o777,
            blksize: 1024,
            ..Stat::default()
        }
    }

    /// The 144-byte x86-64 `struct stat`.
    pub fn encode(&self) -> [u8; 144] {
        let mut b = [0u8; 144];
        let mut put = |off: usize, v: &[u8]| b[off..off + v.len()].copy_from_slice(v);
        put(0, &self.dev.to_le_bytes());
        put(8, &self.ino.to_le_bytes());
        put(16, &self.nlink.to_le_bytes());
        put(24, &self.mode.to_le_bytes());
        put(28, &self.uid.to_le_bytes());
        put(32, &self.gid.to_le_bytes());
        put(40, &self.rdev.to_le_bytes());
        put(48, &self.size.to_le_bytes());
        put(56, &self.blksize.to_le_bytes());
        put(64, &self.blocks.to_le_bytes());
        put(72, &self.atime.0.to_le_bytes());
        put(80, &self.atime.1.to_le_bytes());
        put(88, &self.mtime.0.to_le_bytes());
        put(96, &self.mtime.1.to_le_bytes());
        put(104, &self.ctime.0.to_le_bytes());
        put(112, &self.ctime.1.to_le_bytes());
        b
    }

    /// The 256-byte `struct statx`, with the basic fields filled (STATX_BASIC_STATS).
    pub fn encode_statx(&self) -> [u8; 256] {
        let mut b = [0u8; 256];
        let mut put = |off: usize, v: &[u8]| b[off..off + v.len()].copy_from_slice(v);
        put(0, &0x7ffu32.to_le_bytes()); // stx_mask: STATX_BASIC_STATS
        put(4, &(self.blksize as u32).to_le_bytes());
        put(16, &(self.nlink as u32).to_le_bytes());
        put(20, &self.uid.to_le_bytes());
        put(24, &self.gid.to_le_bytes());
        put(28, &(self.mode as u16).to_le_bytes());
        put(32, &self.ino.to_le_bytes());
        put(40, &(self.size as u64).to_le_bytes());
        put(48, &(self.blocks as u64).to_le_bytes());
        let ts = |t: (i64, i64)| {
            let mut x = [0u8; 16];
            x[..8].copy_from_slice(&t.0.to_le_bytes());
            x[8..12].copy_from_slice(&(t.1 as u32).to_le_bytes());
            x
        };
        put(64, &ts(self.atime)); // stx_atime
        put(80, &ts(self.ctime)); // stx_btime (birth time unknown: ctime)
        put(96, &ts(self.ctime));
        put(112, &ts(self.mtime));
        let major = |d: u64| (((d >> 8) & 0xfff) | ((d >> 32) & !0xfff)) as u32;
        let minor = |d: u64| ((d & 0xff) | ((d >> 12) & !0xff)) as u32;
        put(128, &major(self.rdev).to_le_bytes());
        put(132, &minor(self.rdev).to_le_bytes());
        put(136, &major(self.dev).to_le_bytes());
        put(140, &minor(self.dev).to_le_bytes());
        b
    }
}
