//! Process and thread creation: fork, vfork, clone, clone3 all come here (Linux's
//! kernel_clone → copy_process; OpenBSD's sys_fork → fork1 → process_new/thread_new).

use super::{CloneFlags, Wait};
use crate::errno::Errno;
use crate::ktrace::Val;
use crate::task::{Pid, Process, Task, TaskState};
use crate::Kernel;
use puffer_cpu::reg;
use std::cell::RefCell;
use std::rc::Rc;

pub struct CloneArgs {
    pub flags: CloneFlags,
    /// The signal sent to the parent when the child exits (SIGCHLD for fork).
    pub exit_signal: i32,
    /// New stack pointer for the child (0: the parent's).
    pub stack: u64,
    pub parent_tid: u64,
    pub child_tid: u64,
    pub tls: u64,
}

impl CloneArgs {
    pub fn fork() -> CloneArgs {
        CloneArgs {
            flags: CloneFlags::empty(),
            exit_signal: crate::signal::SIGCHLD,
            stack: 0,
            parent_tid: 0,
            child_tid: 0,
            tls: 0,
        }
    }
    pub fn vfork() -> CloneArgs {
        CloneArgs {
            flags: CloneFlags::VM | CloneFlags::VFORK,
            ..CloneArgs::fork()
        }
    }
}

impl Kernel {
    /// Create a child of the current task. Returns its PID (TID for a thread). The
    /// child is runnable and returns 0 from the syscall; with CLONE_VFORK the caller
    /// sleeps until the child execs or exits.
    pub(crate) fn clone_task(&mut self, args: CloneArgs) -> Result<Pid, Errno> {
        let f = args.flags;
        // copy_process's sanity checks.
        if f.contains(CloneFlags::THREAD) && !f.contains(CloneFlags::SIGHAND) {
            return Err(Errno::EINVAL);
        }
        if f.contains(CloneFlags::SIGHAND) && !f.contains(CloneFlags::VM) {
            return Err(Errno::EINVAL);
        }
        if f.intersects(
            CloneFlags::NEWNS
                | CloneFlags::NEWUSER
                | CloneFlags::NEWPID
                | CloneFlags::NEWNET
                | CloneFlags::NEWUTS
                | CloneFlags::NEWIPC
                | CloneFlags::NEWCGROUP,
        ) {
            return Err(Errno::EPERM);
        }
        let parent_tid = self.current;
        let parent_tgid = self.current_task().tgid;
        // Limits: the process cap and RLIMIT_NPROC contain a fork bomb (EAGAIN).
        if !f.contains(CloneFlags::THREAD) {
            let nproc = self.procs.len() as u64;
            let limit = self
                .procs
                .get(&parent_tgid)
                .map_or(u64::MAX, |p| p.rlimits[6].0);
            if nproc >= self.config.max_procs as u64 || nproc >= limit {
                return Err(Errno::EAGAIN);
            }
        }
        let pid = self.alloc_pid().ok_or(Errno::EAGAIN)?;

        let parent = self.current_task();
        let (mm, fork_stats) = if f.contains(CloneFlags::VM) {
            (parent.mm.clone(), Default::default())
        } else {
            let pm = parent.mm.clone();
            let (child_mm, st) = pm.borrow().fork(&mut self.cpu.mmu)?;
            (Rc::new(RefCell::new(child_mm)), st)
        };
        let parent = self.current_task();
        let files = if f.contains(CloneFlags::FILES) {
            parent.files.clone()
        } else {
            Rc::new(RefCell::new(parent.files.borrow().clone()))
        };
        let fs = if f.contains(CloneFlags::FS) {
            parent.fs.clone()
        } else {
            Rc::new(RefCell::new(parent.fs.borrow().clone()))
        };
        let nfds = files.borrow().iter().count();
        let mut regs = self.cpu.state.clone();
        regs.gpr[reg::RAX] = 0;
        if args.stack != 0 {
            regs.gpr[reg::RSP] = args.stack;
        }
        if f.contains(CloneFlags::SETTLS) {
            regs.fs_base = args.tls;
        }
        let tgid = if f.contains(CloneFlags::THREAD) {
            parent_tgid
        } else {
            pid
        };
        let task = Task {
            tid: pid,
            tgid,
            state: TaskState::Runnable,
            regs,
            mm: mm.clone(),
            files,
            fs,
            clear_child_tid: if f.contains(CloneFlags::CHILD_CLEARTID) {
                args.child_tid
            } else {
                0
            },
            robust_list: (0, 0),
            rseq: (0, 0),
            comm: parent.comm.clone(),
            // A thread sharing the address space does not share the alternate signal
            // stack (vfork's child does, as Linux's copy_process).
            alt_stack: if f.contains(CloneFlags::VM) && !f.contains(CloneFlags::VFORK) {
                (0, 0, 2)
            } else {
                parent.alt_stack
            },
            wait: None,
            restart_deadline: None,
            restart_block: None,
            vfork_parent: if f.contains(CloneFlags::VFORK) {
                Some(parent_tid)
            } else {
                None
            },
            sig: parent.sig.fork(f.contains(CloneFlags::SIGHAND)),
            cpu_ns: 0,
        };
        self.tasks.insert(pid, task);
        if f.contains(CloneFlags::THREAD) {
            if let Some(p) = self.procs.get_mut(&parent_tgid) {
                p.threads.push(pid);
            }
        } else {
            let pp = &self.procs[&parent_tgid];
            let ppid = if f.contains(CloneFlags::PARENT) {
                pp.ppid
            } else {
                parent_tgid
            };
            let proc = Process {
                pid,
                ppid,
                pgid: pp.pgid,
                sid: pp.sid,
                threads: vec![pid],
                children: vec![],
                exit: None,
                cmdline: pp.cmdline.clone(),
                rlimits: pp.rlimits,
                exit_signal: args.exit_signal,
                subreaper: false,
                sig: crate::signal::ProcSig {
                    parent_thread: Some(parent_tid),
                    ..Default::default()
                },
                cpu_ns: 0,
                children_ns: 0,
            };
            self.procs.insert(pid, proc);
            if let Some(p) = self.procs.get_mut(&ppid) {
                p.children.push(pid);
            }
        }
        // The TID stores: PARENT_SETTID in the parent's memory, CHILD_SETTID in the
        // child's (the same memory with CLONE_VM).
        if f.contains(CloneFlags::PARENT_SETTID) {
            self.write_u32(args.parent_tid, pid.0 as u32)?;
        }
        if f.contains(CloneFlags::CHILD_SETTID) {
            let mut m = mm.borrow_mut();
            crate::loader::poke(
                &mut self.cpu.mmu,
                &mut m,
                args.child_tid,
                &(pid.0 as u32).to_le_bytes(),
            )
            .map_err(|_| Errno::EFAULT)?;
        }
        self.runq.push_back(pid);
        let kind = if f.contains(CloneFlags::THREAD) {
            "thread"
        } else if f.contains(CloneFlags::VFORK) {
            "vfork"
        } else {
            "fork"
        };
        self.trace(
            kind,
            vec![
                ("parent", Val::from(parent_tgid.0)),
                ("child", Val::from(pid.0)),
                ("cow_pages", Val::from(fork_stats.cow_pages)),
                ("shared_pages", Val::from(fork_stats.shared_pages)),
                ("fds", Val::from(nfds)),
                ("flags", Val::Hex(f.bits())),
            ],
        );
        if f.contains(CloneFlags::VFORK) {
            let t = self.current_task_mut();
            t.state = TaskState::Sleeping;
            t.wait = Some(Wait::Vfork(pid));
        }
        Ok(pid)
    }
}
