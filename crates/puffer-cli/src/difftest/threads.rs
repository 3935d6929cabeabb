//! Following a multi-threaded program. Natively its threads would run at once, in
//! an order no run repeats; difftest makes both sides run the same one thread at
//! a time instead. At each checkpoint (a syscall entry, a CPUID) the next thread
//! that can run is picked, round robin, and resumed natively and in puffer (which
//! is told to keep it on its CPU, see `Kernel::difftest_switch`) to its next
//! checkpoint, where the two are compared as in a single-threaded program.
//!
//! A syscall entered from a multi-threaded program is not waited for: it may
//! block until another thread acts (a futex wait, a join, a read of a pipe), so it
//! is left running natively in the kernel while other threads go on, and its
//! result is taken into puffer when its exit stop comes. Only when no thread can
//! run does difftest wait for one to return. Since only syscalls run
//! concurrently, what one thread's user code sees of another's writes is the
//! same on both sides. exit(2) of one thread is waited for to its end: its
//! clear-child-tid store is what a joiner looks at next.
//!
//! A signal from outside may interrupt a syscall a thread waits in natively (the
//! host kernel wakes a thread that can take a process-wide signal, such as a
//! child's SIGCHLD). The thread's exit stop then shows -ERESTART*; it is run on
//! to its signal-delivery stop, or, when another thread dequeued the signal
//! first, to the entry of the restarted syscall, which goes on unseen by puffer.
//! A signal it takes that has a handler is taken by the same thread in puffer,
//! its syscall interrupted as natively.
//!
//! A thread that waits for another without a syscall (a spin loop on a flag, a
//! spinlock) would wait forever if threads switched only at checkpoints, so they
//! switch at time slices too (see native/slice.rs): puffer catches up with the
//! preempted thread as with a signal from outside, and the next one runs. A
//! localizing re-run ends a replayed segment that ended so after as many
//! instructions as puffer ran in it the first time.

use super::checkpoint::Cp;
use super::native::Stop;
use super::{status_of, Flow, Session};
use puffer_kernel::Pid;

/// How long a localizing re-run waits for the thread the first run ran next to be
/// ready while another one is.
const REPLAY_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// One scheduling decision: the thread that ran, and, when a time slice ended its
/// segment, how many instructions it ran in puffer.
#[derive(Clone, Copy, Debug)]
pub struct Seg {
    pub thread: usize,
    pub preempted_after: Option<u64>,
}

/// One thread of the program, on both sides.
pub struct Th {
    /// Its thread ID natively (what the program sees).
    pub ntid: libc::pid_t,
    /// Its task in puffer.
    pub ptid: Pid,
    pub state: TState,
    /// Its registered `struct rseq`, whose CPU fields the host kernel rewrites on
    /// returns to user mode.
    pub rseq: Option<u64>,
    /// A signal that interrupted its syscall natively, delivered when it is
    /// resumed next (puffer holds it queued, the syscall interrupted).
    pub sig: i32,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TState {
    /// Stopped natively in user mode (or at a syscall's exit, taken in puffer):
    /// can run.
    Ready,
    /// Natively inside this syscall (puffer stands at its entry): its exit stop
    /// has not been taken yet.
    InSyscall { no: u64, args: [u64; 6], step: u64 },
    /// Exited.
    Gone,
}

impl Th {
    pub fn first(ntid: libc::pid_t, ptid: Pid) -> Th {
        Th {
            ntid,
            ptid,
            state: TState::Ready,
            rseq: None,
            sig: 0,
        }
    }
}

impl Session {
    /// Threads that have not exited.
    pub(super) fn live_threads(&self) -> usize {
        self.threads
            .iter()
            .filter(|t| t.state != TState::Gone)
            .count()
    }

    /// The native process has created thread `ntid` (puffer's task `ptid`): follow
    /// it from its first instruction.
    pub(super) fn new_thread(&mut self, step: u64, ret: u64, ptid: Pid) -> Result<(), String> {
        let ntid = ret as libc::pid_t;
        self.native
            .adopt(ntid)
            .map_err(|e| format!("difftest: cannot follow the new thread: {e}"))?;
        self.threads.push(Th::first(ntid, ptid));
        if self.threads.len() == 2 {
            self.note(format_args!(
                "step {step}: a second thread (tid {ntid}): followed, one thread at a time on both sides, compared at syscalls"
            ));
        }
        Ok(())
    }

    /// Make thread `i` the one both sides run.
    pub(super) fn switch_thread(&mut self, i: usize) {
        self.cur = i;
        self.native.cur = self.threads[i].ntid;
        self.k.difftest_switch(self.threads[i].ptid);
    }

    /// Pick the thread to run next (the next one that can, round robin; in a
    /// localizing re-run, the one the first run picked) and switch both sides to
    /// it, waiting for a syscall to return when none can run.
    pub(super) fn schedule(&mut self) -> Result<(), Cp> {
        self.collect(false)?;
        let mut want = match &mut self.replay {
            Some((v, pos)) if *pos < v.len() => {
                *pos += 1;
                Some(v[*pos - 1])
            }
            _ => None,
        };
        let since = std::time::Instant::now();
        loop {
            let n = self.threads.len();
            let pick = match want {
                Some(w) => (w.thread < n && self.threads[w.thread].state == TState::Ready)
                    .then_some(w.thread),
                None => (1..=n)
                    .map(|d| (self.cur + d) % n)
                    .find(|&i| self.threads[i].state == TState::Ready),
            };
            if let Some(i) = pick {
                self.switch_thread(i);
                self.sched.push(Seg {
                    thread: i,
                    preempted_after: None,
                });
                self.seg_start = self.k.cpu.stats.retired;
                self.seg_budget = want.and_then(|w| w.preempted_after);
                self.seg_replayed = want.is_some();
                return Ok(());
            }
            let others_ready = self.threads.iter().any(|t| t.state == TState::Ready);
            if let Some(w) = want.filter(|_| others_ready) {
                if since.elapsed() < REPLAY_GRACE {
                    self.collect(false)?;
                    std::thread::sleep(std::time::Duration::from_millis(2));
                } else {
                    self.abandon_replay(w.thread);
                    want = None;
                }
                continue;
            }
            if self.live_threads() == 0 {
                return Err(Cp::Diverged(
                    "difftest: every thread has exited but the process has not ended".into(),
                ));
            }
            self.collect(true)?;
        }
    }

    /// A localizing re-run cannot run the thread the first run ran next: the host
    /// went differently this time (a signal woke another thread, a child ended
    /// later), and that thread may now wait for one that can run. Waiting for it
    /// would wait forever, so the re-run goes on round robin from here; both sides
    /// still run the same thread at a time, so what it compares holds.
    fn abandon_replay(&mut self, wanted: usize) {
        let at = self.replay.as_ref().map_or(0, |(_, pos)| *pos);
        println!(
            "difftest: localizing: the re-run's thread order went differently at decision {at} (thread {} is not ready to run): going on round robin",
            self.threads.get(wanted).map_or(0, |t| t.ntid)
        );
        self.replay = None;
    }

    /// Take the results of the syscalls threads are in that have returned natively
    /// (with `block`, wait until at least one has). Err: the process ended, or a
    /// divergence.
    pub(super) fn collect(&mut self, block: bool) -> Result<(), Cp> {
        loop {
            let mut any = false;
            for i in 0..self.threads.len() {
                let TState::InSyscall { no, args, step } = self.threads[i].state else {
                    continue;
                };
                let ntid = self.threads[i].ntid;
                match self.native.poll(ntid) {
                    None => {}
                    Some(Stop::Syscall) if self.native.at_syscall_entry(ntid) => {
                        // The syscall restarted natively: the signal that
                        // interrupted it was taken by another thread, or ignored
                        // (restart_syscall(2) carries on a sleep with a deadline).
                        // Puffer, which still stands at its entry, sees nothing of
                        // this; the result comes when it returns.
                        tracing::debug!("difftest: thread {ntid}: syscall {no} restarted");
                        self.native.resume_in_syscall(ntid, 0);
                    }
                    Some(Stop::Syscall) => {
                        let ret = self.native.regs_of(ntid).rax;
                        if super::step::is_restart_code(ret as i64) {
                            // A signal interrupted it (-ERESTART*): next comes the
                            // thread's signal-delivery stop, or, when another thread
                            // took the signal first, the restart's entry.
                            tracing::debug!(
                                "difftest: thread {ntid}: syscall {no} interrupted ({})",
                                ret as i64
                            );
                            self.native.resume_in_syscall(ntid, 0);
                            continue;
                        }
                        self.switch_thread(i);
                        self.threads[i].state = TState::Ready;
                        self.complete_syscall(step, no, &args, ret)
                            .map_err(Cp::Diverged)?;
                        any = true;
                    }
                    Some(Stop::Ended(st)) => {
                        // A thread ends in a syscall only when the whole process does.
                        self.switch_thread(i);
                        let nst = if ntid == self.native.pid {
                            st
                        } else {
                            self.native.finish_process()
                        };
                        let pst = self.puffer_end();
                        return Err(match self.end(pst, status_of(nst)) {
                            Flow::End(c) => Cp::End(c),
                            Flow::Go => Cp::Go,
                        });
                    }
                    Some(Stop::Signal(sig)) => {
                        // A signal from outside (a child's SIGCHLD, a timer) that
                        // interrupted the syscall this thread waits in, at its
                        // delivery. One the program ignores exists only for the
                        // tracer (Linux discards it on arrival at an untraced
                        // process): it is passed on and the syscall restarts,
                        // unseen by puffer. Otherwise puffer takes it with the
                        // syscall interrupted, as Linux did; natively it is
                        // delivered when the thread runs next, so the handler
                        // runs on both sides in the same segment.
                        self.switch_thread(i);
                        tracing::debug!("difftest: thread {ntid}: signal {sig} in syscall {no}");
                        if self.k.discards_signal(sig) {
                            self.native.resume_in_syscall(ntid, sig);
                            continue;
                        }
                        let info = self.native.siginfo();
                        self.copy_interrupted_results(no);
                        self.k.inject_signal(&info, Some(no));
                        self.signals += 1;
                        self.threads[i].state = TState::Ready;
                        self.threads[i].sig = sig;
                        any = true;
                    }
                    Some(other) => {
                        return Err(Cp::Diverged(format!(
                        "difftest: thread {ntid} stopped in syscall {no} unexpectedly ({other:?})"
                    )))
                    }
                }
            }
            if any || !block {
                return Ok(());
            }
            self.native.wait_any();
        }
    }

    /// May the current thread be preempted natively at the end of a time slice?
    /// When there is another thread (the one it may be waiting for without a
    /// syscall, which may be ready to run or about to be, its syscall done
    /// natively but not taken yet); in a localizing re-run, when the first run's
    /// segment ended so.
    pub(super) fn may_preempt(&self) -> bool {
        if self.threads.len() < 2 || self.segments_in_lockstep {
            return false;
        }
        if self.seg_replayed {
            return self.seg_budget.is_some();
        }
        self.threads
            .iter()
            .enumerate()
            .any(|(i, t)| i != self.cur && t.state != TState::Gone)
    }

    /// The current thread's segment ended at a time slice (both sides stand at
    /// the same instruction): the next checkpoint picks the next thread.
    pub(super) fn end_slice(&mut self) {
        let n = self.k.cpu.stats.retired - self.seg_start;
        if let Some(s) = self.sched.last_mut() {
            s.preempted_after = Some(n);
        }
        self.slices += 1;
        tracing::debug!(
            "difftest: thread {}: time slice over after {n} instructions",
            self.threads[self.cur].ntid
        );
    }

    /// Are any threads inside a syscall natively (so that memory may still change
    /// under a comparison)?
    pub(super) fn any_in_syscall(&self) -> bool {
        self.threads
            .iter()
            .any(|t| matches!(t.state, TState::InSyscall { .. }))
    }

    /// The current thread calls exit(2) while others live on: on both sides it
    /// goes (puffer's clear-child-tid store and the host's are both done before any
    /// other thread runs).
    pub(super) fn thread_exit(&mut self) -> Result<Cp, String> {
        self.k.dispatch_syscall();
        self.native.exit_thread()?;
        let t = &mut self.threads[self.cur];
        t.state = TState::Gone;
        t.rseq = None;
        Ok(Cp::Go)
    }
}
