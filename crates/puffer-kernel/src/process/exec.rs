//! Program replacement: execve/execveat (Linux's do_execveat_common → bprm_execve →
//! load_elf_binary → begin_new_exec). Everything that can fail — resolving the path,
//! permission, reading the file, `#!` interpreters, the ELF checks, building the new
//! address space and stack — happens before the point of no return, so a failing
//! execve leaves the caller exactly as it was.

use crate::errno::Errno;
use crate::ktrace::Val;
use crate::loader::{self, ExecParams, LoadError};
use crate::task::TaskState;
use crate::vfs::{File, FileKind, Resolved};
use crate::Kernel;
use puffer_cpu::CpuState;
use std::cell::RefCell;
use std::os::unix::ffi::OsStrExt;
use std::rc::Rc;

/// Linux's limits on what execve copies (MAX_ARG_STRLEN and a quarter of the stack).
pub const MAX_ARG_STRLEN: usize = 32 * 4096;
pub const MAX_ARG_STRINGS: usize = 0x7fff_ffff;
const MAX_INTERP_DEPTH: usize = 4;

impl Kernel {
    /// Read a NULL-terminated array of string pointers (argv or envp).
    pub(crate) fn read_strings(&mut self, mut addr: u64) -> Result<Vec<Vec<u8>>, Errno> {
        let mut out = Vec::new();
        let mut total = 0usize;
        if addr == 0 {
            return Ok(out);
        }
        loop {
            let p = self.read_u64(addr)?;
            if p == 0 {
                return Ok(out);
            }
            let s = self.read_cstr(p, MAX_ARG_STRLEN).map_err(|e| {
                if e == Errno::ENAMETOOLONG {
                    Errno::E2BIG
                } else {
                    e
                }
            })?;
            total += s.len() + 1 + 8;
            if total > (crate::mm::STACK_LIMIT / 4) as usize || out.len() >= MAX_ARG_STRINGS {
                return Err(Errno::E2BIG);
            }
            out.push(s);
            addr += 8;
        }
    }

    /// execve(path, argv, envp) for the current task.
    pub(crate) fn execve(
        &mut self,
        dirfd: i32,
        path: &str,
        mut argv: Vec<Vec<u8>>,
        envp: Vec<Vec<u8>>,
        follow: bool,
    ) -> Result<(), Errno> {
        let mut path = path.to_owned();
        // AT_EXECFN names what the caller asked for, even when a `#!` line redirected it.
        let execfn = path.clone().into_bytes();
        // `#!` interpreters, at most a few deep.
        let mut depth = 0;
        let (file, bytes, guest) = loop {
            let r = self.resolve_at(dirfd, &path, follow)?;
            let (host, guest) = match r {
                Resolved::Host { host, guest } => (host, guest),
                Resolved::Virtual { guest } => match self.proc_read(&guest)? {
                    crate::proc::ProcNode::Link(t) => match self.vfs.resolve("/", &t, true)? {
                        Resolved::Host { host, guest } => (host, guest),
                        _ => return Err(Errno::EACCES),
                    },
                    _ => return Err(Errno::EACCES),
                },
            };
            let md = std::fs::metadata(&host)?;
            if !md.is_file() {
                return Err(Errno::EACCES);
            }
            let c =
                std::ffi::CString::new(host.as_os_str().as_bytes()).map_err(|_| Errno::EINVAL)?;
            // SAFETY: access(2) on a path we own.
            if unsafe { libc::access(c.as_ptr(), libc::X_OK) } != 0 {
                return Err(Errno::EACCES);
            }
            let hf = std::fs::File::open(&host)?;
            let bytes = loader::read_head(&hf)?;
            if bytes.starts_with(b"#!") {
                depth += 1;
                if depth > MAX_INTERP_DEPTH {
                    return Err(Errno::ELOOP);
                }
                let (interp, arg) = parse_shebang(&bytes).ok_or(Errno::ENOEXEC)?;
                // New argv: interpreter [arg] script argv[1..]
                let mut nargv = vec![interp.clone()];
                if let Some(a) = arg {
                    nargv.push(a);
                }
                nargv.push(path.clone().into_bytes());
                nargv.extend(argv.iter().skip(1).cloned());
                argv = nargv;
                path = String::from_utf8(interp).map_err(|_| Errno::ENOEXEC)?;
                continue;
            }
            break (
                File::new(FileKind::Host(hf), 0, guest.clone()),
                (bytes, md.len()),
                guest,
            );
        };
        // Linux: an empty argv gets an empty argv[0] (since 5.18, with a warning).
        if argv.is_empty() {
            argv.push(Vec::new());
        }
        let params = ExecParams {
            argv: &argv,
            envp: &envp,
            execfn: &execfn,
            hwcap: self.cpu.cpuid.leaf1_edx as u64,
            uid: crate::current_uid(),
            gid: crate::current_gid(),
        };
        let img = loader::load(
            &mut self.cpu.mmu,
            file,
            &bytes.0,
            bytes.1,
            &guest,
            &params,
            &self.page_cache,
        )
        .map_err(|e| match e {
            LoadError::Dynamic(_)
            | LoadError::NotElf
            | LoadError::NotX86_64(_)
            | LoadError::Corrupt(_) => Errno::ENOEXEC,
            e => e.errno(),
        })?;

        // ---- the point of no return (begin_new_exec) ----
        let tid = self.current;
        let tgid = self.current_task().tgid;
        self.kill_other_threads(tgid, tid);
        if tid != tgid {
            self.take_over_leader(tid, tgid);
        }
        let entry = img.entry;
        let sp = img.sp;
        let mappings: Vec<String> = img
            .mm
            .vmas
            .values()
            .map(|v| {
                let p = |b: crate::mm::Prot, c: char| if v.prot.contains(b) { c } else { '-' };
                format!(
                    "{:x}-{:x} {}{}{} {}",
                    v.start,
                    v.end,
                    p(crate::mm::Prot::READ, 'r'),
                    p(crate::mm::Prot::WRITE, 'w'),
                    p(crate::mm::Prot::EXEC, 'x'),
                    v.name
                )
            })
            .collect();
        let new_mm = Rc::new(RefCell::new(img.mm));
        let old_mm = std::mem::replace(&mut self.current_task_mut().mm, new_mm.clone());
        self.release_mm(old_mm);
        // A descriptor table shared with another process (CLONE_FILES) is unshared.
        let files = self.current_task().files.clone();
        if Rc::strong_count(&files) > 1 {
            let copy = files.borrow().clone();
            self.current_task_mut().files = Rc::new(RefCell::new(copy));
        }
        self.current_task().files.borrow_mut().close_on_exec();
        self.reset_signals_on_exec();
        let mut regs = CpuState::default();
        regs.rip = entry;
        regs.gpr[puffer_cpu::reg::RSP] = sp;
        self.cpu.state = regs;
        let root = new_mm.borrow().root;
        self.cpu.mmu.set_cr3(root);
        self.cpu.sync_code();
        // Linux names the task after the last component of the path given to execve
        // (a symlink's name, "exe" for /proc/self/exe), not the file it resolved to.
        let comm: String = String::from_utf8_lossy(&execfn)
            .rsplit('/')
            .next()
            .unwrap_or("")
            .chars()
            .take(15)
            .collect();
        let t = self.current_task_mut();
        t.comm = comm;
        t.clear_child_tid = 0;
        t.rseq = (0, 0);
        // No alternate signal stack (flags 0, as Linux leaves them after execve).
        t.alt_stack = (0, 0, 0);
        if let Some(p) = self.procs.get_mut(&tgid) {
            p.cmdline = argv
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
        }
        self.release_vfork_parent();
        self.trace(
            "exec",
            vec![
                ("pid", Val::from(tgid.0)),
                ("path", Val::from(guest.as_str())),
                (
                    "argv",
                    Val::List(
                        argv.iter()
                            .map(|a| String::from_utf8_lossy(a).into_owned())
                            .collect(),
                    ),
                ),
                ("entry", Val::Hex(entry)),
                ("mappings", Val::List(mappings)),
            ],
        );
        Ok(())
    }

    /// de_thread: a thread other than the leader that execs takes over the leader's
    /// identity, so the new program runs with TID == PID, alone in its group.
    fn take_over_leader(&mut self, tid: crate::Pid, tgid: crate::Pid) {
        self.tasks.remove(&tgid);
        let Some(mut t) = self.tasks.remove(&tid) else {
            return;
        };
        t.tid = tgid;
        self.tasks.insert(tgid, t);
        self.current = tgid;
        for q in self.runq.iter_mut() {
            if *q == tid {
                *q = tgid;
            }
        }
        if let Some(p) = self.procs.get_mut(&tgid) {
            p.threads = vec![tgid];
        }
        self.trace(
            "thread_exit",
            vec![
                ("pid", Val::from(tgid.0)),
                ("tid", Val::from(tgid.0)),
                ("reason", Val::from("exec by another thread")),
            ],
        );
    }

    /// A vfork child that execs or exits gives its parent back the CPU.
    pub(crate) fn release_vfork_parent(&mut self) {
        if let Some(ptid) = self.current_task_mut().vfork_parent.take() {
            if let Some(p) = self.tasks.get_mut(&ptid) {
                if p.wait == Some(super::Wait::Vfork(self.current)) {
                    p.wait = None;
                    p.state = TaskState::Runnable;
                }
            }
        }
    }

    /// Drop a reference to an address space; the last one tears it down.
    pub(crate) fn release_mm(&mut self, mm: Rc<RefCell<crate::mm::AddressSpace>>) {
        if Rc::strong_count(&mm) == 1 {
            mm.borrow_mut().destroy(&mut self.cpu.mmu);
            self.cpu.sync_code();
        }
    }
}

/// The interpreter and optional single argument of a `#!` line (at most 256 bytes
/// are examined, as Linux's BINPRM_BUF_SIZE).
fn parse_shebang(bytes: &[u8]) -> Option<(Vec<u8>, Option<Vec<u8>>)> {
    let head = &bytes[2..bytes.len().min(256)];
    let line = match head.iter().position(|&b| b == b'\n') {
        Some(n) => &head[..n],
        None => head,
    };
    let line: Vec<u8> = line.to_vec();
    let trimmed: &[u8] = {
        let s = line.iter().position(|&b| b != b' ' && b != b'\t')?;
        let e = line
            .iter()
            .rposition(|&b| b != b' ' && b != b'\t' && b != b'\r')?
            + 1;
        &line[s..e]
    };
    let split = trimmed.iter().position(|&b| b == b' ' || b == b'\t');
    match split {
        None => Some((trimmed.to_vec(), None)),
        Some(n) => {
            let rest = &trimmed[n..];
            let s = rest.iter().position(|&b| b != b' ' && b != b'\t')?;
            Some((trimmed[..n].to_vec(), Some(rest[s..].to_vec())))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn shebang_lines() {
        assert_eq!(
            super::parse_shebang(b"#!/bin/sh\necho"),
            Some((b"/bin/sh".to_vec(), None))
        );
        assert_eq!(
            super::parse_shebang(b"#! /usr/bin/env  python3 \n"),
            Some((b"/usr/bin/env".to_vec(), Some(b"python3".to_vec())))
        );
        assert_eq!(
            super::parse_shebang(b"#!/bin/awk -f -x\n"),
            Some((b"/bin/awk".to_vec(), Some(b"-f -x".to_vec())))
        );
        assert_eq!(super::parse_shebang(b"#!\n"), None);
    }
}
