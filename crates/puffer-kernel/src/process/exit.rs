//! Termination (Linux's do_exit → exit_notify; OpenBSD's exit1): the thread group's
//! tasks end, the address space and descriptors are released, the process becomes a
//! zombie holding its status, its children are reparented (to the nearest subreaper,
//! else to init), and the parent is sent its exit signal and woken.

use super::Wait;
use crate::ktrace::Val;
use crate::task::{ExitStatus, Pid, TaskState};
use crate::Kernel;

impl Kernel {
    /// exit_group: end every thread of the current process.
    pub(crate) fn exit_group(&mut self, status: ExitStatus) {
        let tgid = self.current_task().tgid;
        self.exit_process(tgid, status);
    }

    /// exit: end the calling thread; the last thread ends the process.
    pub(crate) fn exit_thread(&mut self, code: i32) {
        let tid = self.current;
        let tgid = self.current_task().tgid;
        let live = self.procs.get(&tgid).map_or(0, |p| {
            p.threads
                .iter()
                .filter(|t| {
                    self.tasks
                        .get(t)
                        .is_some_and(|t| t.state != TaskState::Zombie)
                })
                .count()
        });
        if live <= 1 {
            self.exit_process(tgid, ExitStatus::Exited(code));
            return;
        }
        self.end_task(tid);
        // PR_SET_PDEATHSIG of the children this thread created.
        self.send_pdeath_signals(tgid, Some(tid));
        self.trace(
            "thread_exit",
            vec![
                ("pid", Val::from(tgid.0)),
                ("tid", Val::from(tid.0)),
                ("code", Val::from(code)),
            ],
        );
        if tid != tgid {
            self.tasks.remove(&tid);
            if let Some(p) = self.procs.get_mut(&tgid) {
                p.threads.retain(|&t| t != tid);
            }
        }
    }

    /// Release what one task holds: clear_child_tid (cleared and futex-woken), the
    /// vfork parent, its references to the address space and descriptor table.
    fn end_task(&mut self, tid: Pid) {
        // The task's own memory is only reachable while its address space is current.
        if tid == self.current {
            let ctid = self.current_task().clear_child_tid;
            if ctid != 0 {
                let _ = self.write_u32(ctid, 0);
                self.futex_wake(ctid, 1);
            }
            self.release_vfork_parent();
        }
        self.futex_forget(tid);
        // A FIFO open it was waiting in closes its end (a partner must not see it).
        self.fifo_forget(tid);
        if let Some(t) = self.tasks.get_mut(&tid) {
            t.state = TaskState::Zombie;
            t.wait = None;
        }
        let empty_mm = self.empty_mm.clone();
        let empty_files = std::rc::Rc::new(std::cell::RefCell::new(crate::vfs::FdTable::default()));
        if let Some(t) = self.tasks.get_mut(&tid) {
            let mm = std::mem::replace(&mut t.mm, empty_mm);
            let files = std::mem::replace(&mut t.files, empty_files);
            drop(files);
            self.release_mm(mm);
        }
    }

    /// Other threads of a process end (exec, exit_group).
    pub(crate) fn kill_other_threads(&mut self, tgid: Pid, keep: Pid) {
        let threads = self
            .procs
            .get(&tgid)
            .map(|p| p.threads.clone())
            .unwrap_or_default();
        for t in threads.into_iter().filter(|&t| t != keep) {
            self.end_task(t);
            if t != tgid {
                self.tasks.remove(&t);
                if let Some(p) = self.procs.get_mut(&tgid) {
                    p.threads.retain(|&x| x != t);
                }
            }
        }
    }

    pub(crate) fn exit_process(&mut self, tgid: Pid, status: ExitStatus) {
        if self.procs.get(&tgid).is_none_or(|p| p.exit.is_some()) {
            return;
        }
        // The current task's clear_child_tid needs its memory: end it first.
        let cur = self.current;
        if self.tasks.get(&cur).is_some_and(|t| t.tgid == tgid) {
            self.end_task(cur);
        }
        self.kill_other_threads(tgid, cur);
        self.end_task(tgid);
        // Keep one task entry (the leader) as the zombie.
        let threads: Vec<Pid> = self.procs[&tgid]
            .threads
            .iter()
            .copied()
            .filter(|&t| t != tgid)
            .collect();
        for t in threads {
            self.tasks.remove(&t);
        }
        if let Some(p) = self.procs.get_mut(&tgid) {
            p.threads.retain(|&t| t == tgid);
            p.exit = Some(status);
        }
        self.strace_process_exit(tgid.0, status);
        self.trace(
            "exit",
            vec![
                ("pid", Val::from(tgid.0)),
                ("status", Val::from(describe(status))),
                ("state", Val::from("zombie")),
            ],
        );
        if tgid == self.init_pid() {
            self.init_exit = Some(status);
            return;
        }
        // PR_SET_PDEATHSIG of the children, before they move to their new parent.
        self.send_pdeath_signals(tgid, None);
        self.reparent_children(tgid);
        self.notify_parent(tgid);
    }

    fn init_pid(&self) -> Pid {
        Pid(1)
    }

    /// exit_notify's forget_original_parent: children go to the nearest ancestor that is
    /// a child subreaper, else to init.
    fn reparent_children(&mut self, tgid: Pid) {
        let children = self
            .procs
            .get_mut(&tgid)
            .map(|p| std::mem::take(&mut p.children))
            .unwrap_or_default();
        if children.is_empty() {
            return;
        }
        let mut reaper = self.init_pid();
        let mut a = self.procs.get(&tgid).map(|p| p.ppid);
        while let Some(pp) = a {
            match self.procs.get(&pp) {
                Some(p) if p.subreaper && p.exit.is_none() => {
                    reaper = pp;
                    break;
                }
                Some(p) => a = Some(p.ppid).filter(|&x| x != pp),
                None => break,
            }
        }
        for c in children {
            if let Some(cp) = self.procs.get_mut(&c) {
                cp.ppid = reaper;
            }
            if let Some(r) = self.procs.get_mut(&reaper) {
                r.children.push(c);
            }
            self.trace(
                "reparent",
                vec![
                    ("pid", Val::from(c.0)),
                    ("old_parent", Val::from(tgid.0)),
                    ("new_parent", Val::from(reaper.0)),
                ],
            );
            // A zombie child is announced to its new parent.
            if self.procs.get(&c).is_some_and(|p| p.exit.is_some()) {
                self.wake_waiters(reaper);
            }
        }
    }

    /// Send the exit signal to the parent and wake its waiters (signal/jobctl.rs). A
    /// parent that ignores SIGCHLD (or set SA_NOCLDWAIT) leaves no zombie: the child
    /// is reaped at once.
    fn notify_parent(&mut self, tgid: Pid) {
        if self.notify_parent_exit(tgid) {
            let by = self.procs.get(&tgid).map_or(0, |p| p.ppid.0);
            self.release_process(tgid);
            self.trace(
                "reap",
                vec![
                    ("pid", Val::from(tgid.0)),
                    ("by", Val::from(by)),
                    ("status", Val::from("autoreaped")),
                ],
            );
        }
    }

    /// Wake the tasks of process `pid` sleeping in wait4/waitid.
    pub(crate) fn wake_waiters(&mut self, pid: Pid) {
        let threads = self
            .procs
            .get(&pid)
            .map(|p| p.threads.clone())
            .unwrap_or_default();
        for t in threads {
            if let Some(task) = self.tasks.get_mut(&t) {
                if task.wait == Some(Wait::Child) {
                    task.wait = None;
                    task.state = TaskState::Runnable;
                }
            }
        }
    }
}

pub fn describe(s: ExitStatus) -> String {
    match s {
        ExitStatus::Exited(c) => format!("exited {c}"),
        ExitStatus::Signaled { sig, core } => format!(
            "killed by {}{}",
            crate::signal::name(sig),
            if core { " (core dumped)" } else { "" }
        ),
    }
}
