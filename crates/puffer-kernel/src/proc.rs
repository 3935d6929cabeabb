//! puffer's /proc: generated from the kernel's own state (VMAs, tasks, descriptors),
//! never the host's.

use crate::errno::Errno;
use crate::mm::Backing;
use crate::proc_sys::PROC_ROOT_FILES;
use crate::task::Pid;
use crate::vfs::FileKind;
use crate::Kernel;
use std::fmt::Write;

pub enum ProcNode {
    File(Vec<u8>),
    /// A directory and its entry names.
    Dir(#[allow(dead_code)] Vec<String>),
    Link(String),
}

impl Kernel {
    /// Look up a path under /proc.
    pub(crate) fn proc_read(&mut self, guest: &str) -> Result<ProcNode, Errno> {
        let parts: Vec<&str> = guest
            .trim_start_matches("/proc")
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        let me = self.current_task().tgid;
        let Some(first) = parts.first() else {
            let mut names: Vec<String> = self.procs.keys().map(|p| p.0.to_string()).collect();
            names.push("self".into());
            names.extend(PROC_ROOT_FILES.iter().map(|s| s.to_string()));
            return Ok(ProcNode::Dir(names));
        };
        match (*first, parts.len()) {
            ("meminfo", 1) => return Ok(ProcNode::File(self.meminfo_text().into_bytes())),
            ("mounts", 1) => return Ok(ProcNode::Link("self/mounts".into())),
            ("uptime", 1) => return Ok(ProcNode::File(self.uptime_text().into_bytes())),
            _ => {}
        }
        let pid = if *first == "self" {
            if parts.len() == 1 {
                // Relative, as Linux's (readlink gives the bare pid).
                return Ok(ProcNode::Link(me.to_string()));
            }
            me
        } else {
            Pid(first.parse().map_err(|_| Errno::ENOENT)?)
        };
        let Some(task) = self.tasks.get(&pid) else {
            return Err(Errno::ENOENT);
        };
        let mm = task.mm.clone();
        let files = task.files.clone();
        match &parts[1..] {
            [] => Ok(ProcNode::Dir(vec![
                "cmdline".into(),
                "exe".into(),
                "fd".into(),
                "maps".into(),
                "mounts".into(),
                "stat".into(),
                "status".into(),
            ])),
            ["exe"] => Ok(ProcNode::Link(mm.borrow().exe.clone())),
            ["cwd"] => Ok(ProcNode::Link(task.fs.borrow().cwd.clone())),
            ["maps"] => Ok(ProcNode::File(self.maps_text(pid).into_bytes())),
            ["mounts"] => Ok(ProcNode::File(self.mounts_text().into_bytes())),
            ["cmdline"] => {
                let mut out = Vec::new();
                for a in &self.procs[&pid].cmdline {
                    out.extend_from_slice(a.as_bytes());
                    out.push(0);
                }
                Ok(ProcNode::File(out))
            }
            ["comm"] => Ok(ProcNode::File(format!("{}\n", task.comm).into_bytes())),
            ["stat"] => {
                let p = &self.procs[&pid];
                let state = match task.state {
                    crate::task::TaskState::Runnable => 'R',
                    crate::task::TaskState::Sleeping => 'S',
                    crate::task::TaskState::Stopped => 'T',
                    crate::task::TaskState::Zombie => 'Z',
                };
                let s = format!(
                    "{} ({}) {} {} {} {} 0 -1 0 0 0 0 0 0 0 0 0 20 0 {} 0 0 0 0\n",
                    pid,
                    task.comm,
                    state,
                    p.ppid,
                    p.pgid,
                    p.sid,
                    p.threads.len()
                );
                Ok(ProcNode::File(s.into_bytes()))
            }
            ["status"] => {
                let p = &self.procs[&pid];
                let s = format!(
                    "Name:\t{}\nState:\t{}\nTgid:\t{}\nPid:\t{}\nPPid:\t{}\nThreads:\t{}\n",
                    task.comm,
                    match task.state {
                        crate::task::TaskState::Runnable => "R (running)",
                        crate::task::TaskState::Sleeping => "S (sleeping)",
                        crate::task::TaskState::Stopped => "T (stopped)",
                        crate::task::TaskState::Zombie => "Z (zombie)",
                    },
                    pid,
                    pid,
                    p.ppid,
                    p.threads.len()
                );
                Ok(ProcNode::File(s.into_bytes()))
            }
            ["fd"] => Ok(ProcNode::Dir(
                files.borrow().iter().map(|(n, _)| n.to_string()).collect(),
            )),
            ["fd", n] => {
                let n: i32 = n.parse().map_err(|_| Errno::ENOENT)?;
                // A descriptor that is not open has no entry (ENOENT, not EBADF).
                let f = files.borrow().get(n).map_err(|_| Errno::ENOENT)?.clone();
                let target = match (&f.kind, f.anon_name()) {
                    (_, Some(name)) => name,
                    (FileKind::HostFd(h), None) => {
                        // The host's answer (a terminal, a host pipe), as a guest path
                        // when it lies inside the guest's root.
                        match std::fs::read_link(format!("/proc/self/fd/{h}")) {
                            Ok(p) if p.is_absolute() => self
                                .vfs
                                .guest_of(&p)
                                .unwrap_or_else(|| p.to_string_lossy().into_owned()),
                            Ok(p) => p.to_string_lossy().into_owned(),
                            Err(_) => f.path.clone(),
                        }
                    }
                    _ => f.path.clone(),
                };
                Ok(ProcNode::Link(target))
            }
            _ => Err(Errno::ENOENT),
        }
    }

    /// /proc/<pid>/maps in Linux's format (fs/proc/task_mmu.c, show_map_vma).
    pub(crate) fn maps_text(&mut self, pid: Pid) -> String {
        let Some(task) = self.tasks.get(&pid) else {
            return String::new();
        };
        let mm = task.mm.clone();
        let mm = mm.borrow();
        let mut out = String::new();
        for v in mm.vmas.values() {
            let perms = format!(
                "{}{}{}{}",
                if v.prot.contains(crate::mm::Prot::READ) {
                    'r'
                } else {
                    '-'
                },
                if v.prot.contains(crate::mm::Prot::WRITE) {
                    'w'
                } else {
                    '-'
                },
                if v.prot.contains(crate::mm::Prot::EXEC) {
                    'x'
                } else {
                    '-'
                },
                if v.shared { 's' } else { 'p' },
            );
            let (off, dev, ino) = match &v.backing {
                Backing::File { file, offset, .. } => {
                    let st = file.stat().unwrap_or_default();
                    let major = ((st.dev >> 8) & 0xfff) | ((st.dev >> 32) & !0xfff);
                    let minor = (st.dev & 0xff) | ((st.dev >> 12) & !0xff);
                    (*offset, format!("{major:02x}:{minor:02x}"), st.ino)
                }
                Backing::Anon => (0, "00:00".to_string(), 0),
            };
            let mut line = String::new();
            let _ = write!(
                line,
                "{:08x}-{:08x} {} {:08x} {} {} ",
                v.start, v.end, perms, off, dev, ino
            );
            let name = if v.start == mm.brk_start
                && v.name.is_empty()
                && matches!(v.backing, Backing::Anon)
                && v.start != 0
            {
                "[heap]"
            } else {
                v.name.as_str()
            };
            if !name.is_empty() {
                while line.len() < 73 {
                    line.push(' ');
                }
                line.push_str(name);
            }
            out.push_str(&line);
            out.push('\n');
        }
        out
    }
}
