//! Sleeping on I/O: how a task waits for a pipe, socket or eventfd to change state, or
//! for one of the host's descriptors (a terminal on stdin) to become ready, without
//! blocking the one host thread all guest tasks share.
//!
//! - An object that tasks can wait on (a pipe buffer, an eventfd) owns a [`WaitQueue`].
//!   A syscall that must block adds the current task to the queues it depends on and
//!   calls [`Kernel::io_block`]: the task sleeps with `Wait::Io` and the syscall is
//!   restarted when it wakes (ERESTARTSYS), so it re-checks everything itself.
//! - When the object changes (data written, data read, an end closed — including
//!   from `Drop`, when the last reference to an open file description goes away, in
//!   the middle of an exit) its queue hands its tasks to the kernel's [`Waker`]; the
//!   scheduler makes them runnable the next time it looks for a task to run.
//!   Spurious wakeups are harmless: the restarted syscall just sleeps again.
//! - A task waiting for a host descriptor registers it with [`Kernel::io_wait_host`];
//!   the scheduler polls those descriptors (timeout 0) each time it picks a task, and,
//!   when no task is runnable, blocks in the host's ppoll(2) on them until the
//!   earliest guest deadline. With the virtual clock (`--deterministic`) they are
//!   polled only when no task is runnable, so that when such a task wakes does not
//!   depend on host timing while others run (see `time/mod.rs`).
//!
//! For signal delivery: a task sleeping with `Wait::Io` may be woken at any time (set
//! it runnable, clear `wait`); its syscall then runs again and re-checks. To make the
//! syscall fail with EINTR instead, note two pieces of state: a blocking write that
//! already moved bytes has a [`Partial`] record — Linux returns that count rather than
//! EINTR ([`Kernel::io_take_partial`]) — and poll/select keep their deadline in
//! `Task::restart_deadline`, which must be cleared when the call is abandoned.

use crate::errno::{Errno, SysResult};
use crate::process::Wait;
use crate::task::{Pid, TaskState};
use crate::Kernel;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Tasks that some object has woken, waiting for the scheduler to make them runnable.
#[derive(Clone, Default)]
pub struct Waker(Rc<RefCell<Vec<Pid>>>);

impl Waker {
    fn take(&self) -> Vec<Pid> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

/// The tasks sleeping on one object.
#[derive(Default)]
pub struct WaitQueue {
    waker: Waker,
    waiting: RefCell<Vec<Pid>>,
}

impl WaitQueue {
    pub fn new(waker: &Waker) -> WaitQueue {
        WaitQueue {
            waker: waker.clone(),
            waiting: RefCell::new(Vec::new()),
        }
    }

    /// Wake `tid` when this object next changes.
    pub fn add(&self, tid: Pid) {
        let mut w = self.waiting.borrow_mut();
        if !w.contains(&tid) {
            w.push(tid);
        }
    }

    /// The object changed: every waiting task re-checks.
    pub fn wake_all(&self) {
        let mut w = self.waiting.borrow_mut();
        if w.is_empty() {
            return;
        }
        if let Ok(mut q) = self.waker.0.try_borrow_mut() {
            q.append(&mut w);
        }
    }
}

impl Drop for WaitQueue {
    fn drop(&mut self) {
        self.wake_all();
    }
}

/// A task waiting for a host descriptor.
#[derive(Clone, Copy, Debug)]
struct HostWait {
    tid: Pid,
    fd: i32,
    events: i16,
}

/// A blocking write that has moved part of its data and sleeps for room for the rest:
/// the restarted syscall continues from `done` (Linux keeps this progress on the
/// kernel stack of the sleeping writer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partial {
    pub fd: i32,
    pub buf: u64,
    pub len: u64,
    pub done: u64,
}

/// The kernel's I/O-wait state.
#[derive(Default)]
pub struct IoState {
    pub waker: Waker,
    host_waits: Vec<HostWait>,
    partial: BTreeMap<Pid, Partial>,
    /// FIFOs open in any process, and FIFO opens waiting for a partner.
    pub fifos: crate::vfs::fifo::FifoTable,
    /// The terminal's foreground process group as the guest sees it (TIOCSPGRP);
    /// the host's own process groups mean nothing to guest processes.
    pub tty_pgrp: Option<Pid>,
}

impl Kernel {
    /// Put the current task to sleep until an object it registered with changes, a
    /// registered host descriptor becomes ready, or `deadline` (monotonic ns) passes.
    pub(crate) fn io_block(&mut self, deadline: Option<u128>) -> SysResult {
        let t = self.current_task_mut();
        t.state = TaskState::Sleeping;
        t.wait = Some(Wait::Io(deadline));
        Err(Errno::ERESTARTSYS)
    }

    /// Wake the current task when host descriptor `fd` has one of `events` (or an
    /// error or hangup).
    pub(crate) fn io_wait_host(&mut self, fd: i32, events: i16) {
        let tid = self.current;
        self.io.host_waits.push(HostWait { tid, fd, events });
    }

    /// Forget the current task's host-descriptor waits (a fresh attempt registers
    /// them again).
    pub(crate) fn io_forget_host(&mut self) {
        let tid = self.current;
        self.io.host_waits.retain(|w| w.tid != tid);
    }

    /// The progress of the current task's interrupted transfer `(fd, buf, len)`, if
    /// this call restarts one.
    pub(crate) fn io_partial(&mut self, fd: i32, buf: u64, len: u64) -> Option<u64> {
        let tid = self.current;
        match self.io.partial.remove(&tid) {
            Some(p) if p.fd == fd && p.buf == buf && p.len == len => Some(p.done),
            _ => None,
        }
    }

    /// A sleeping task's syscall is being interrupted: the bytes its blocking transfer
    /// already moved (the syscall's result instead of EINTR), if any.
    #[allow(dead_code)] // for signal delivery, see the module comment
    /// The bytes a blocking read or write of `tid` has moved so far (0: none).
    pub(crate) fn io_partial_done(&self, tid: Pid) -> u64 {
        self.io.partial.get(&tid).map_or(0, |p| p.done)
    }

    pub(crate) fn io_take_partial(&mut self, tid: Pid) -> Option<u64> {
        self.io
            .partial
            .remove(&tid)
            .map(|p| p.done)
            .filter(|&d| d > 0)
    }

    pub(crate) fn io_set_partial(&mut self, p: Partial) {
        let tid = self.current;
        self.io.partial.insert(tid, p);
    }

    fn wake_io_task(&mut self, tid: Pid) {
        if let Some(t) = self.tasks.get_mut(&tid) {
            if t.state == TaskState::Sleeping && matches!(t.wait, Some(Wait::Io(_))) {
                t.state = TaskState::Runnable;
                t.wait = None;
            }
        }
    }

    fn io_sleeping(&self, tid: Pid) -> bool {
        self.tasks
            .get(&tid)
            .is_some_and(|t| t.state == TaskState::Sleeping && matches!(t.wait, Some(Wait::Io(_))))
    }

    /// Make runnable the tasks objects have woken, and (with `poll_host`) those whose
    /// host descriptors are ready. `timeout`: how long the host thread may block in
    /// ppoll(2) for them (None: forever; it is only called so when no guest task is
    /// runnable). Returns true if something was woken.
    pub(crate) fn io_wake(
        &mut self,
        timeout: Option<std::time::Duration>,
        poll_host: bool,
    ) -> bool {
        let mut woke = false;
        for tid in self.io.waker.take() {
            if self.io_sleeping(tid) {
                woke = true;
            }
            self.wake_io_task(tid);
        }
        // Drop host waits whose task no longer sleeps on them, and partial writes of
        // tasks that are gone.
        let waits = std::mem::take(&mut self.io.host_waits);
        let waits: Vec<HostWait> = waits
            .into_iter()
            .filter(|w| self.io_sleeping(w.tid))
            .collect();
        let tasks = &self.tasks;
        self.io.partial.retain(|tid, _| tasks.contains_key(tid));
        if !poll_host {
            self.io.host_waits = waits;
            return woke;
        }
        if waits.is_empty() {
            if let Some(d) = timeout {
                if !woke && !d.is_zero() {
                    std::thread::sleep(d);
                }
            }
            return woke;
        }
        let mut pfds: Vec<libc::pollfd> = waits
            .iter()
            .map(|w| libc::pollfd {
                fd: w.fd,
                events: w.events,
                revents: 0,
            })
            .collect();
        let ts = timeout.map(|d| libc::timespec {
            tv_sec: d.as_secs().min(i64::MAX as u64) as i64,
            tv_nsec: d.subsec_nanos() as i64,
        });
        let zero = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        let tsp: *const libc::timespec = match (&ts, woke) {
            (_, true) => &zero,
            (Some(t), false) => t,
            (None, false) => std::ptr::null(),
        };
        // SAFETY: ppoll(2) on an array of pollfd we own, with a timespec we own (or
        // NULL) and no signal mask.
        let n = unsafe {
            libc::ppoll(
                pfds.as_mut_ptr(),
                pfds.len() as libc::nfds_t,
                tsp,
                std::ptr::null(),
            )
        };
        let mut keep = Vec::new();
        for (w, p) in waits.into_iter().zip(&pfds) {
            if n > 0 && p.revents != 0 {
                self.wake_io_task(w.tid);
                woke = true;
            } else {
                keep.push(w);
            }
        }
        // Tasks woken above drop their other registrations at the next pass.
        self.io.host_waits.extend(keep);
        woke
    }

    /// Does any task wait for a host descriptor (so that an idle scheduler should
    /// block in ppoll rather than declare a deadlock)?
    pub(crate) fn io_has_host_waits(&self) -> bool {
        self.io.host_waits.iter().any(|w| self.io_sleeping(w.tid))
    }
}

/// Poll one host descriptor without blocking: its revents for `events`.
pub fn host_poll(fd: i32, events: i16) -> i16 {
    let mut p = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    // SAFETY: poll(2) on one pollfd we own, timeout 0.
    let n = unsafe { libc::poll(&mut p, 1, 0) };
    if n < 0 {
        libc::POLLERR
    } else {
        p.revents
    }
}
