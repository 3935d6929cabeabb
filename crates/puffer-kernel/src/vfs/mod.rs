//! The virtual file system: guest paths resolved inside a root directory on the host
//! (neither `..` nor a symlink can leave it), open file descriptions shared by
//! descriptors, the descriptor table, and puffer's own /dev and /proc files.

pub mod eventfd;
pub mod fdtable;
pub mod fifo;
pub mod file;
pub mod owners;
pub mod path;
pub mod pipe;
pub mod socket;
pub mod stat;

pub use fdtable::{Fd, FdTable};
pub use file::{DirEntry, File, FileKind, FileRef};
pub use path::{Resolved, Vfs};
