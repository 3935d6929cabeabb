//! The descriptor table: small integers onto open file descriptions, with the
//! per-descriptor close-on-exec flag. Allocation takes the lowest free number, as
//! POSIX requires.

use super::file::FileRef;
use crate::errno::Errno;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fd(pub i32);

#[derive(Clone)]
pub struct FdEntry {
    pub file: FileRef,
    pub cloexec: bool,
}

/// RLIMIT_NOFILE's default soft limit.
pub const NOFILE: usize = 1024;

/// The most descriptors a table can hold whatever RLIMIT_NOFILE says (Linux's
/// fs.nr_open default).
pub const NR_OPEN: usize = 1 << 20;

#[derive(Clone, Default)]
pub struct FdTable {
    slots: Vec<Option<FdEntry>>,
}

impl FdTable {
    pub fn get(&self, fd: i32) -> Result<&FileRef, Errno> {
        self.entry(fd).map(|e| &e.file)
    }

    pub fn entry(&self, fd: i32) -> Result<&FdEntry, Errno> {
        if fd < 0 {
            return Err(Errno::EBADF);
        }
        self.slots
            .get(fd as usize)
            .and_then(|s| s.as_ref())
            .ok_or(Errno::EBADF)
    }

    pub fn entry_mut(&mut self, fd: i32) -> Result<&mut FdEntry, Errno> {
        if fd < 0 {
            return Err(Errno::EBADF);
        }
        self.slots
            .get_mut(fd as usize)
            .and_then(|s| s.as_mut())
            .ok_or(Errno::EBADF)
    }

    /// Install at the lowest free descriptor >= `min`, which must be below
    /// `limit` (the caller's RLIMIT_NOFILE): EMFILE when none is.
    pub fn alloc_from(
        &mut self,
        min: usize,
        limit: usize,
        file: FileRef,
        cloexec: bool,
    ) -> Result<i32, Errno> {
        let mut i = min;
        while i < self.slots.len() && self.slots[i].is_some() {
            i += 1;
        }
        if i >= limit.min(NR_OPEN) {
            return Err(Errno::EMFILE);
        }
        self.set(i as i32, file, cloexec);
        Ok(i as i32)
    }

    /// Install at exactly `fd`, replacing (and returning) what was there.
    pub fn set(&mut self, fd: i32, file: FileRef, cloexec: bool) -> Option<FdEntry> {
        let i = fd as usize;
        if self.slots.len() <= i {
            self.slots.resize(i + 1, None);
        }
        self.slots[i].replace(FdEntry { file, cloexec })
    }

    pub fn close(&mut self, fd: i32) -> Result<FdEntry, Errno> {
        if fd < 0 {
            return Err(Errno::EBADF);
        }
        self.slots
            .get_mut(fd as usize)
            .and_then(Option::take)
            .ok_or(Errno::EBADF)
    }

    /// execve: close every close-on-exec descriptor.
    pub fn close_on_exec(&mut self) {
        for s in self.slots.iter_mut() {
            if s.as_ref().is_some_and(|e| e.cloexec) {
                *s = None;
            }
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (i32, &FdEntry)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|e| (i as i32, e)))
    }
}
