//! Path resolution inside the guest root, like Linux's `path_lookupat` but over the
//! host file system: each component is looked up on the host under the root, symlinks
//! are followed by hand (at most 40, ELOOP after), an absolute symlink target restarts
//! at the guest root, and `..` at the root stays at the root. The host kernel never
//! resolves a guest symlink itself, so none can point outside the root.
//!
//! Names under /proc and the devices puffer provides (/dev/null ...) resolve to
//! `Resolved::Virtual`: their contents come from puffer's kernel, not the host's.

use crate::errno::Errno;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

pub struct Vfs {
    /// Host directory that is the guest's "/".
    pub root: PathBuf,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A host file (which may not exist yet): its guest path and host path.
    Host { guest: String, host: PathBuf },
    /// A file puffer's kernel provides: /proc/..., /dev/null ...
    Virtual { guest: String },
}

impl Resolved {
    pub fn guest(&self) -> &str {
        match self {
            Resolved::Host { guest, .. } | Resolved::Virtual { guest } => guest,
        }
    }
}

const MAX_SYMLINKS: u32 = 40;
pub const PATH_MAX: usize = 4096;

/// Devices puffer implements itself rather than passing the host's through.
pub const VIRTUAL_DEVICES: &[&str] = &[
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/urandom",
    "/dev/random",
    "/dev/tty",
];

impl Vfs {
    pub fn new(root: PathBuf) -> Vfs {
        Vfs { root }
    }

    pub fn host_path(&self, guest: &str) -> PathBuf {
        let rel = guest.trim_start_matches('/');
        if rel.is_empty() {
            self.root.clone()
        } else {
            self.root.join(rel)
        }
    }

    /// Resolve `path` (relative to the guest directory `cwd`). `follow` says whether a
    /// symlink in the last component is followed.
    pub fn resolve(&self, cwd: &str, path: &str, follow: bool) -> Result<Resolved, Errno> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        if path.len() >= PATH_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let mut links = 0;
        // Components still to walk, in order (a stack, last element next).
        let mut todo: Vec<String> = Vec::new();
        push_components(&mut todo, path);
        let mut cur: Vec<String> = if path.starts_with('/') {
            Vec::new()
        } else {
            split(cwd)
        };
        let trailing_slash = path.ends_with('/');
        while let Some(c) = todo.pop() {
            match c.as_str() {
                "." => continue,
                ".." => {
                    cur.pop();
                    continue;
                }
                _ => {}
            }
            if c.len() > 255 {
                return Err(Errno::ENAMETOOLONG);
            }
            cur.push(c);
            let guest = join(&cur);
            if guest == "/proc" || guest.starts_with("/proc/") {
                // Everything below /proc is puffer's; finish the walk textually.
                while let Some(c) = todo.pop() {
                    match c.as_str() {
                        "." => {}
                        ".." => {
                            cur.pop();
                        }
                        _ => cur.push(c),
                    }
                }
                return Ok(Resolved::Virtual { guest: join(&cur) });
            }
            let last = todo.is_empty();
            if last && VIRTUAL_DEVICES.contains(&guest.as_str()) {
                return Ok(Resolved::Virtual { guest });
            }
            let host = self.host_path(&guest);
            match std::fs::symlink_metadata(&host) {
                Ok(md) if md.file_type().is_symlink() && (!last || follow || trailing_slash) => {
                    links += 1;
                    if links > MAX_SYMLINKS {
                        return Err(Errno::ELOOP);
                    }
                    let target = std::fs::read_link(&host)?;
                    let t = target.as_os_str().as_bytes();
                    let t = String::from_utf8_lossy(t).into_owned();
                    cur.pop();
                    if t.starts_with('/') {
                        cur.clear();
                    }
                    push_components(&mut todo, &t);
                }
                Ok(md) => {
                    if !last && !md.is_dir() {
                        return Err(Errno::ENOTDIR);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if !last {
                        return Err(Errno::ENOENT);
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        let guest = join(&cur);
        if guest == "/proc" || guest.starts_with("/proc/") {
            // Reached without a new component (`.` or `..` from a cwd inside /proc):
            // still puffer's, never the host's /proc.
            return Ok(Resolved::Virtual { guest });
        }
        let host = self.host_path(&guest);
        Ok(Resolved::Host { guest, host })
    }

    /// Turn a host path under the root back into a guest path (for readlink etc.).
    pub fn guest_of(&self, host: &Path) -> Option<String> {
        let rel = host.strip_prefix(&self.root).ok()?;
        Some(format!("/{}", rel.to_string_lossy()))
    }
}

fn split(p: &str) -> Vec<String> {
    p.split('/')
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

fn push_components(todo: &mut Vec<String>, p: &str) {
    for c in p.split('/').filter(|c| !c.is_empty()).rev() {
        todo.push(c.to_owned());
    }
}

fn join(cur: &[String]) -> String {
    if cur.is_empty() {
        "/".to_owned()
    } else {
        let mut s = String::new();
        for c in cur {
            s.push('/');
            s.push_str(c);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotdot_cannot_escape_root() {
        let dir = std::env::temp_dir().join(format!("puffer-vfs-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("a/b")).unwrap();
        let vfs = Vfs::new(dir.clone());
        let r = vfs.resolve("/a/b", "../../../../etc", true).unwrap();
        assert_eq!(r.guest(), "/etc");
        std::os::unix::fs::symlink("/../../..", dir.join("a/up")).unwrap();
        let r = vfs.resolve("/", "/a/up/x", true).unwrap();
        assert_eq!(
            r,
            Resolved::Host {
                guest: "/x".into(),
                host: dir.join("x")
            }
        );
        std::os::unix::fs::symlink("loop", dir.join("loop")).unwrap();
        assert_eq!(vfs.resolve("/", "/loop", true), Err(Errno::ELOOP));
        assert_eq!(
            vfs.resolve("/", "/proc/self/exe", true).unwrap().guest(),
            "/proc/self/exe"
        );
        assert_eq!(
            vfs.resolve("/proc/1", ".", true),
            Ok(Resolved::Virtual {
                guest: "/proc/1".into()
            })
        );
        assert_eq!(
            vfs.resolve("/proc/1/fd", "..", true),
            Ok(Resolved::Virtual {
                guest: "/proc/1".into()
            })
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
