//! Open file descriptions (Linux's `struct file`): what a descriptor points at, with
//! the offset and status flags that `dup` and `fork` share.

use super::stat::Stat;
use crate::errno::Errno;
use std::cell::{Cell, RefCell};
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::rc::Rc;

pub type FileRef = Rc<File>;

pub enum FileKind {
    /// A regular host file.
    Host(std::fs::File),
    /// A host directory, read with getdents64.
    Dir {
        host: PathBuf,
        entries: RefCell<Option<Vec<DirEntry>>>,
    },
    /// One of puffer's own standard descriptors, passed through to the host's.
    HostFd(i32),
    Null,
    Zero,
    Full,
    Random,
    /// Contents generated when opened (/proc files).
    Synthetic(Vec<u8>),
}

#[derive(Clone, Debug)]
pub struct DirEntry {
    pub ino: u64,
    pub kind: u8,
    pub name: Vec<u8>,
}

pub struct File {
    pub kind: FileKind,
    pub offset: Cell<u64>,
    /// O_* status flags (O_APPEND, O_NONBLOCK, access mode).
    pub flags: Cell<u32>,
    /// The guest path it was opened by (for /proc/self/fd and traces).
    pub path: String,
}

pub const O_ACCMODE: u32 = 3;
pub const O_WRONLY: u32 = 1;
pub const O_RDWR: u32 = 2;
pub const O_APPEND: u32 = 0o2000;

impl File {
    pub fn new(kind: FileKind, flags: u32, path: impl Into<String>) -> FileRef {
        Rc::new(File {
            kind,
            offset: Cell::new(0),
            flags: Cell::new(flags),
            path: path.into(),
        })
    }

    pub fn readable(&self) -> bool {
        self.flags.get() & O_ACCMODE != O_WRONLY
    }
    pub fn writable(&self) -> bool {
        let m = self.flags.get() & O_ACCMODE;
        m == O_WRONLY || m == O_RDWR
    }

    /// read(2) at the current offset.
    pub fn read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        match &self.kind {
            FileKind::Host(_) | FileKind::Synthetic(_) => {
                let n = self.pread(buf, self.offset.get())?;
                self.offset.set(self.offset.get() + n as u64);
                Ok(n)
            }
            _ => self.pread(buf, 0),
        }
    }

    /// pread(2): no offset change.
    pub fn pread(&self, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        match &self.kind {
            FileKind::Host(f) => Ok(f.read_at(buf, off)?),
            FileKind::Dir { .. } => Err(Errno::EISDIR),
            FileKind::HostFd(fd) => {
                // SAFETY: plain read(2) into a buffer we own.
                let n = unsafe { libc::read(*fd, buf.as_mut_ptr().cast(), buf.len()) };
                if n < 0 {
                    Err(std::io::Error::last_os_error().into())
                } else {
                    Ok(n as usize)
                }
            }
            FileKind::Null => Ok(0),
            FileKind::Zero | FileKind::Full => {
                buf.fill(0);
                Ok(buf.len())
            }
            FileKind::Random => {
                crate::random::fill(buf);
                Ok(buf.len())
            }
            FileKind::Synthetic(data) => {
                let off = (off as usize).min(data.len());
                let n = buf.len().min(data.len() - off);
                buf[..n].copy_from_slice(&data[off..off + n]);
                Ok(n)
            }
        }
    }

    /// Read as much as possible at `off` (used by demand paging).
    pub fn pread_full(&self, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        let mut done = 0;
        while done < buf.len() {
            let n = self.pread(&mut buf[done..], off + done as u64)?;
            if n == 0 {
                break;
            }
            done += n;
        }
        Ok(done)
    }

    pub fn write(&self, buf: &[u8]) -> Result<usize, Errno> {
        match &self.kind {
            FileKind::Host(f) => {
                if self.flags.get() & O_APPEND != 0 {
                    self.offset.set(f.metadata()?.len());
                }
                let n = f.write_at(buf, self.offset.get())?;
                self.offset.set(self.offset.get() + n as u64);
                Ok(n)
            }
            _ => self.pwrite(buf, 0),
        }
    }

    pub fn pwrite(&self, buf: &[u8], off: u64) -> Result<usize, Errno> {
        match &self.kind {
            FileKind::Host(f) => Ok(f.write_at(buf, off)?),
            FileKind::Dir { .. } => Err(Errno::EISDIR),
            FileKind::HostFd(fd) => {
                // SAFETY: plain write(2) from a buffer we own.
                let n = unsafe { libc::write(*fd, buf.as_ptr().cast(), buf.len()) };
                if n < 0 {
                    Err(std::io::Error::last_os_error().into())
                } else {
                    Ok(n as usize)
                }
            }
            FileKind::Null | FileKind::Zero | FileKind::Random => Ok(buf.len()),
            FileKind::Full => Err(Errno::ENOSPC),
            FileKind::Synthetic(_) => Err(Errno::EACCES),
        }
    }

    pub fn pwrite_all(&self, buf: &[u8], off: u64) -> Result<(), Errno> {
        let mut done = 0;
        while done < buf.len() {
            let n = self.pwrite(&buf[done..], off + done as u64)?;
            if n == 0 {
                return Err(Errno::EIO);
            }
            done += n;
        }
        Ok(())
    }

    /// The size used by lseek(SEEK_END).
    pub fn size(&self) -> Result<u64, Errno> {
        match &self.kind {
            FileKind::Host(f) => Ok(f.metadata()?.len()),
            FileKind::Synthetic(d) => Ok(d.len() as u64),
            _ => Ok(0),
        }
    }

    pub fn seekable(&self) -> bool {
        !matches!(self.kind, FileKind::HostFd(_))
    }

    pub fn stat(&self) -> Result<Stat, Errno> {
        match &self.kind {
            FileKind::Host(f) => Stat::of_fd(std::os::fd::AsRawFd::as_raw_fd(f)),
            FileKind::Dir { host, .. } => Stat::of_path(host, true),
            FileKind::HostFd(fd) => Stat::of_fd(*fd),
            FileKind::Null => Ok(Stat::char_device(1, 3)),
            FileKind::Zero => Ok(Stat::char_device(1, 5)),
            FileKind::Full => Ok(Stat::char_device(1, 7)),
            FileKind::Random => Ok(Stat::char_device(1, 9)),
            FileKind::Synthetic(_) => Ok(Stat::proc_file(0)),
        }
    }
}
