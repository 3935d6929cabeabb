//! Host files as the guest sees them in deterministic mode.
//!
//! The guest's `/` is a host directory. Its files as they were before the run —
//! contents, timestamps, inode numbers — are input and reach the guest unchanged.
//! What the host file system records *during* the run would differ from run to run:
//! the host's clock stamps every change, and a new file gets whatever inode number the
//! host hands out. So the kernel notes the changes the guest makes through it
//! ([`Kernel::note_change`]: creating a file or directory, writing, truncating with
//! O_TRUNC, utimensat) with the guest's clock, and numbers the files and directories
//! the guest creates itself; stat and getdents report those. Host stamps made during
//! the run by anything else read as the guest's boot time.

use super::EPOCH_SECS;
use crate::vfs::stat::Stat;
use crate::Kernel;
use std::collections::BTreeMap;

/// The first inode number given to a file the guest creates (2^48): above what ext4
/// (32-bit), tmpfs or XFS hand out and below the high bits overlayfs uses for its
/// layers, so that it names no pre-existing file.
const GUEST_INO_BASE: u64 = 1 << 48;

/// How the guest changed a host file (for its timestamps).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Change {
    /// Created: every timestamp is now, and it gets an inode number of puffer's.
    Created,
    /// Data written or truncated: mtime and ctime are now.
    Written,
    /// utimensat: atime and mtime as given (None: unchanged), ctime now.
    Times(Option<(i64, i64)>, Option<(i64, i64)>),
}

#[derive(Clone, Debug, Default)]
pub(crate) struct HostFiles {
    /// The host's CLOCK_REALTIME when the machine started: host timestamps from then
    /// on were made during the run.
    host_start: (i64, i64),
    /// Files (host device, host inode) the guest changed, with their (atime, mtime,
    /// ctime) on the guest's clock.
    stamps: BTreeMap<(u64, u64), [(i64, i64); 3]>,
    /// Files the guest created: their inode numbers as the guest sees them.
    inos: BTreeMap<(u64, u64), u64>,
    /// The next of those numbers.
    next_ino: u64,
}

impl HostFiles {
    pub(crate) fn new(host_start: (i64, i64)) -> HostFiles {
        HostFiles {
            host_start,
            next_ino: GUEST_INO_BASE,
            ..HostFiles::default()
        }
    }
}

impl Kernel {
    fn host_files(&self) -> Option<&HostFiles> {
        self.clock.virt.as_ref().map(|v| &v.files)
    }

    /// A host file's metadata as the guest sees it: in deterministic mode, the
    /// guest's own inode number for a file it created, and timestamps from before the
    /// run, or of the guest's changes on its clock; anything else the host stamped
    /// during the run (a rename's ctime, an atime the host updated on a read, another
    /// host process) reads as the guest's boot time, with ctime kept no earlier than
    /// mtime.
    pub(crate) fn guest_stat(&self, st: &mut Stat) {
        // Owners recorded where the host refused a chown (vfs/owners.rs).
        if let Some((u, g)) = self.owners.get(st.dev, st.ino) {
            (st.uid, st.gid) = (u, g);
        }
        let Some(f) = self.host_files() else {
            return;
        };
        let key = (st.dev, st.ino);
        if let Some(&ino) = f.inos.get(&key) {
            st.ino = ino;
        }
        if let Some(&[a, m, c]) = f.stamps.get(&key) {
            (st.atime, st.mtime, st.ctime) = (a, m, c);
            return;
        }
        let boot = (EPOCH_SECS as i64, 0);
        let fix = |t: &mut (i64, i64)| {
            if *t >= f.host_start {
                *t = boot;
            }
        };
        let ctime_was_host = st.ctime >= f.host_start;
        fix(&mut st.atime);
        fix(&mut st.mtime);
        fix(&mut st.ctime);
        if ctime_was_host {
            st.ctime = st.ctime.max(st.mtime);
        }
    }

    /// The inode number the guest sees for host inode `ino` on host device `dev`
    /// (directory entries).
    pub(crate) fn guest_ino(&self, dev: u64, ino: u64) -> u64 {
        self.host_files()
            .and_then(|f| f.inos.get(&(dev, ino)).copied())
            .unwrap_or(ino)
    }

    /// The guest's "now" for utimensat and friends: with the virtual clock, a NULL
    /// `times` (both now) or UTIME_NOW becomes the guest's CLOCK_REALTIME, so that
    /// the file is stamped by the guest's clock rather than the host's.
    pub(crate) fn guest_utimes(
        &self,
        times: Option<[libc::timespec; 2]>,
    ) -> Option<[libc::timespec; 2]> {
        if self.clock.virt.is_none() {
            return times;
        }
        let (s, ns) = self.realtime();
        let now = libc::timespec {
            tv_sec: s,
            tv_nsec: ns,
        };
        let mut t = times.unwrap_or([now, now]);
        for x in &mut t {
            if x.tv_nsec == libc::UTIME_NOW {
                *x = now;
            }
        }
        Some(t)
    }

    /// Deterministic mode: the guest just changed the host file `st` describes (its
    /// host metadata, as read before or after the change); remember when on the
    /// guest's clock, and number a file it created.
    pub(crate) fn note_change(&mut self, st: &Stat, change: Change) {
        if self.clock.virt.is_none() {
            return;
        }
        let now = self.realtime();
        let mut old = *st;
        self.guest_stat(&mut old);
        let times = match change {
            Change::Created => [now; 3],
            Change::Written => [old.atime, now, now],
            Change::Times(a, m) => [a.unwrap_or(old.atime), m.unwrap_or(old.mtime), now],
        };
        let Some(v) = self.clock.virt.as_mut() else {
            return;
        };
        let key = (st.dev, st.ino);
        v.files.stamps.insert(key, times);
        if let Change::Created = change {
            // A host inode number freed and reused during the run gets a fresh one.
            v.files.inos.insert(key, v.files.next_ino);
            v.files.next_ino += 1;
        }
    }

    /// [`Kernel::note_change`] for a host descriptor.
    pub(crate) fn note_change_fd(&mut self, fd: i32, change: Change) {
        if self.clock.virt.is_some() {
            if let Ok(st) = Stat::of_fd(fd) {
                self.note_change(&st, change);
            }
        }
    }

    /// [`Kernel::note_change`] for a host path (not following a final symlink).
    pub(crate) fn note_change_path(&mut self, host: &std::path::Path, change: Change) {
        if self.clock.virt.is_some() {
            if let Ok(st) = Stat::of_path(host, false) {
                self.note_change(&st, change);
            }
        }
    }
}
