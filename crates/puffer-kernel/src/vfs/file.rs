//! Open file descriptions (Linux's `struct file`): what a descriptor points at, with
//! the offset and status flags that `dup` and `fork` share.

use super::eventfd::EventFd;
use super::pipe::{PipeEnd, ReadOutcome, WriteOutcome};
use super::socket::SockEnd;
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
    /// A directory of puffer's own (/proc and below); its entries are listed at the
    /// first getdents64 (and again after a rewind), as Linux generates them.
    ProcDir(RefCell<Option<Vec<DirEntry>>>),
    /// One end of a pipe (`pipe.rs`).
    Pipe(PipeEnd),
    /// One end of a socketpair (`socket.rs`).
    Socket(SockEnd),
    /// An eventfd counter (`eventfd.rs`).
    EventFd(EventFd),
    /// A host terminal or other stream opened by path (/dev/tty, a re-opened standard
    /// descriptor): read and written like the standard descriptors, polled before
    /// reading so that the host thread never blocks.
    HostStream(std::fs::File),
    /// The memory object behind a MAP_SHARED anonymous (or /dev/zero) mapping: its
    /// pages live in the page cache under this number (`mm/pagecache.rs`), so that
    /// processes sharing the mapping after fork share the pages.
    Shmem(u64),
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
    /// (device, inode, version) of a host file, taken once for the page cache
    /// (mm/pagecache.rs): while this description is open its inode number cannot
    /// be reused, so the version read at the first page fault stays valid.
    pub cache_id: Cell<Option<(u64, u64, u64)>>,
}

pub const O_ACCMODE: u32 = 3;
pub const O_WRONLY: u32 = 1;
pub const O_RDWR: u32 = 2;
pub const O_APPEND: u32 = 0o2000;
pub const O_NONBLOCK: u32 = 0o4000;
pub const O_DIRECT: u32 = 0o40000;
pub const O_LARGEFILE: u32 = 0o100000;

pub const S_IFIFO: u32 = 0o010000;
pub const S_IFSOCK: u32 = 0o140000;

impl File {
    pub fn new(kind: FileKind, flags: u32, path: impl Into<String>) -> FileRef {
        Rc::new(File {
            kind,
            offset: Cell::new(0),
            flags: Cell::new(flags),
            path: path.into(),
            cache_id: Cell::new(None),
        })
    }

    pub fn readable(&self) -> bool {
        self.flags.get() & O_ACCMODE != O_WRONLY
    }
    pub fn writable(&self) -> bool {
        let m = self.flags.get() & O_ACCMODE;
        m == O_WRONLY || m == O_RDWR
    }

    pub fn nonblocking(&self) -> bool {
        self.flags.get() & O_NONBLOCK != 0
    }

    /// The host descriptor of a stream read without blocking the host thread.
    pub fn host_stream_fd(&self) -> Option<i32> {
        match &self.kind {
            FileKind::HostFd(fd) => Some(*fd),
            FileKind::HostStream(f) => Some(std::os::fd::AsRawFd::as_raw_fd(f)),
            _ => None,
        }
    }

    /// A host descriptor for this file, if it has one (fsync, fchmod, ...).
    pub fn host_fd(&self) -> Option<i32> {
        match &self.kind {
            FileKind::Host(f) | FileKind::HostStream(f) => Some(std::os::fd::AsRawFd::as_raw_fd(f)),
            FileKind::HostFd(fd) => Some(*fd),
            _ => None,
        }
    }

    /// Pipes, sockets, eventfds: kernel objects whose reads and writes may block.
    pub fn is_kernel_stream(&self) -> bool {
        matches!(
            self.kind,
            FileKind::Pipe(_) | FileKind::Socket(_) | FileKind::EventFd(_)
        )
    }

    /// What /proc/<pid>/fd/N points at for objects without a path.
    pub fn anon_name(&self) -> Option<String> {
        match &self.kind {
            FileKind::Pipe(p) if p.pipe.fifo.is_some() => None,
            FileKind::Pipe(p) => Some(format!("pipe:[{}]", p.pipe.ino)),
            FileKind::Socket(s) => Some(format!("socket:[{}]", s.ino)),
            FileKind::EventFd(_) => Some("anon_inode:[eventfd]".into()),
            _ => None,
        }
    }

    /// poll(2)'s readiness mask, for everything but host streams (which the caller
    /// asks the host about). Files that never block are always readable and
    /// writable (DEFAULT_POLLMASK).
    pub fn poll_mask(&self) -> i16 {
        use super::pipe::{POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
        match &self.kind {
            FileKind::Pipe(p) => p.poll(),
            FileKind::Socket(s) => s.poll(),
            FileKind::EventFd(e) => e.poll(),
            _ => POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM,
        }
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

    /// pread(2): no offset change. Pipes and sockets read without blocking here;
    /// the syscall layer does the sleeping.
    pub fn pread(&self, buf: &mut [u8], off: u64) -> Result<usize, Errno> {
        match &self.kind {
            FileKind::Host(f) => Ok(f.read_at(buf, off)?),
            FileKind::Dir { .. } | FileKind::ProcDir(_) => Err(Errno::EISDIR),
            FileKind::HostFd(_) | FileKind::HostStream(_) => {
                let fd = self.host_stream_fd().unwrap_or(-1);
                // SAFETY: plain read(2) into a buffer we own.
                let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
                if n < 0 {
                    Err(std::io::Error::last_os_error().into())
                } else {
                    Ok(n as usize)
                }
            }
            FileKind::Pipe(PipeEnd { pipe, .. }) | FileKind::Socket(SockEnd { rx: pipe, .. }) => {
                match pipe.peek(buf.len()) {
                    ReadOutcome::Data(d) => {
                        buf[..d.len()].copy_from_slice(&d);
                        pipe.consume(d.len());
                        Ok(d.len())
                    }
                    ReadOutcome::Eof => Ok(0),
                    ReadOutcome::Empty => Err(Errno::EAGAIN),
                }
            }
            FileKind::EventFd(e) => {
                if buf.len() < 8 {
                    return Err(Errno::EINVAL);
                }
                let v = e.take().ok_or(Errno::EAGAIN)?;
                buf[..8].copy_from_slice(&v.to_le_bytes());
                Ok(8)
            }
            FileKind::Null => Ok(0),
            FileKind::Zero | FileKind::Full | FileKind::Shmem(_) => {
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
            FileKind::Dir { .. } | FileKind::ProcDir(_) => Err(Errno::EISDIR),
            FileKind::Pipe(PipeEnd { pipe, .. }) | FileKind::Socket(SockEnd { tx: pipe, .. }) => {
                match pipe.write(buf, true, false) {
                    WriteOutcome::Wrote(0) if !buf.is_empty() => Err(Errno::EAGAIN),
                    WriteOutcome::Wrote(n) => Ok(n),
                    WriteOutcome::Broken => Err(Errno::EPIPE),
                }
            }
            FileKind::EventFd(e) => {
                let v = u64::from_le_bytes(
                    buf.get(..8)
                        .and_then(|b| b.try_into().ok())
                        .ok_or(Errno::EINVAL)?,
                );
                if v == u64::MAX {
                    return Err(Errno::EINVAL);
                }
                if e.add(v) {
                    Ok(8)
                } else {
                    Err(Errno::EAGAIN)
                }
            }
            FileKind::HostFd(_) | FileKind::HostStream(_) => {
                let fd = self.host_stream_fd().unwrap_or(-1);
                // SAFETY: plain write(2) from a buffer we own.
                let n = unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) };
                if n < 0 {
                    Err(std::io::Error::last_os_error().into())
                } else {
                    Ok(n as usize)
                }
            }
            FileKind::Null | FileKind::Zero | FileKind::Random | FileKind::Shmem(_) => {
                Ok(buf.len())
            }
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
        !matches!(
            self.kind,
            FileKind::HostFd(_)
                | FileKind::HostStream(_)
                | FileKind::Pipe(_)
                | FileKind::Socket(_)
                | FileKind::EventFd(_)
        )
    }

    pub fn stat(&self) -> Result<Stat, Errno> {
        match &self.kind {
            FileKind::Host(f) => Stat::of_fd(std::os::fd::AsRawFd::as_raw_fd(f)),
            FileKind::Dir { host, .. } => Stat::of_path(host, true),
            FileKind::HostFd(fd) => Stat::of_fd(*fd),
            FileKind::HostStream(f) => Stat::of_fd(std::os::fd::AsRawFd::as_raw_fd(f)),
            FileKind::ProcDir(_) => Ok(Stat::proc_dir()),
            FileKind::Pipe(p) => match &p.pipe.fifo {
                // A FIFO's inode is the file's (if it is still there).
                Some(host) => {
                    Stat::of_path(host, false).or_else(|_| Ok(p.pipe.stat(S_IFIFO | 0o600)))
                }
                None => Ok(p.pipe.stat(S_IFIFO | 0o600)),
            },
            FileKind::Socket(s) => {
                let mut st = s.rx.stat(S_IFSOCK | 0o777);
                st.dev = 0x8;
                st.ino = s.ino;
                Ok(st)
            }
            FileKind::EventFd(_) => Ok(Stat {
                dev: 0xe,
                ino: 1000,
                nlink: 1,
                mode: 0o600,
                blksize: 4096,
                ..Stat::default()
            }),
            FileKind::Null => Ok(Stat::char_device(1, 3)),
            FileKind::Zero | FileKind::Shmem(_) => Ok(Stat::char_device(1, 5)),
            FileKind::Full => Ok(Stat::char_device(1, 7)),
            FileKind::Random => Ok(Stat::char_device(1, 9)),
            FileKind::Synthetic(_) => Ok(Stat::proc_file(0)),
        }
    }
}
