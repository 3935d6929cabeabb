//! Time slices for the native threads. difftest runs one thread at a time and
//! switches at checkpoints; a thread that waits for another without a syscall (a
//! spin loop on a flag, a spinlock) would never reach one, since the thread it
//! waits for is held in a ptrace stop. So while other threads could run, the
//! running one is preempted after [`SLICE`] of CPU time without a stop: a helper thread sends
//! it SIGSTOP (tgkill; the process was attached with TRACEME, so PTRACE_INTERRUPT
//! is not available), whose signal-delivery stop difftest takes as the end of its
//! slice and suppresses. A SIGSTOP that arrives after the thread stopped for
//! another reason is recognised by its sender (difftest itself) and dropped.

use super::{Native, Stop};
use iced_x86::{Decoder, DecoderOptions};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How much CPU time a thread has natively without a checkpoint, while another
/// could run, before it is preempted.
const SLICE: Duration = Duration::from_millis(20);
/// How often the helper looks.
const TICK: Duration = Duration::from_millis(4);

/// What the tracer and the helper thread share.
#[derive(Default)]
pub(super) struct Slicer {
    /// The thread running now, to preempt.
    tid: AtomicI32,
    /// Changes with every resume: the slice starts again.
    serial: AtomicU64,
    armed: AtomicBool,
}

impl Slicer {
    fn start(pid: libc::pid_t) -> Arc<Slicer> {
        let s = Arc::new(Slicer::default());
        let h = s.clone();
        std::thread::spawn(move || {
            // The slice being timed: its serial, and the thread's CPU time (or,
            // where the kernel does not say, the time) when it was first seen.
            let mut since: Option<(u64, Duration)> = None;
            let t0 = Instant::now();
            loop {
                std::thread::sleep(TICK);
                if !h.armed.load(SeqCst) {
                    since = None;
                    continue;
                }
                let serial = h.serial.load(SeqCst);
                let tid = h.tid.load(SeqCst);
                let now = cpu_time(pid, tid).unwrap_or_else(|| t0.elapsed());
                match since {
                    Some((s, start)) if s == serial => {
                        if now.saturating_sub(start) >= SLICE && h.armed.swap(false, SeqCst) {
                            // SAFETY: tgkill has no memory arguments.
                            unsafe { libc::syscall(libc::SYS_tgkill, pid, tid, libc::SIGSTOP) };
                            since = None;
                        }
                    }
                    _ => since = Some((serial, now)),
                }
            }
        });
        s
    }
}

/// The CPU time thread `tid` has had (/proc/PID/task/TID/schedstat, in ns): a
/// slice counts the thread's own running, which on a loaded machine is far less
/// than the time that passes.
fn cpu_time(pid: libc::pid_t, tid: libc::pid_t) -> Option<Duration> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/schedstat")).ok()?;
    let ns = s.split_whitespace().next()?.parse::<u64>().ok()?;
    Some(Duration::from_nanos(ns))
}

impl Native {
    /// Preempt thread `tid` if it runs for a slice without stopping (until
    /// [`Native::disarm`]): its resume then ends in [`super::Stop::Preempted`].
    pub fn arm_slice(&mut self, tid: libc::pid_t) {
        let pid = self.pid;
        let s = self.slicer.get_or_insert_with(|| Slicer::start(pid));
        s.tid.store(tid, SeqCst);
        s.serial.fetch_add(1, SeqCst);
        s.armed.store(true, SeqCst);
        self.slicing = Some(tid);
    }

    pub fn disarm(&mut self) {
        if let Some(s) = &self.slicer {
            s.armed.store(false, SeqCst);
        }
        self.slicing = None;
    }

    /// Is thread `tid`'s stop the delivery of a SIGSTOP difftest sent?
    pub(super) fn our_sigstop(&self, tid: libc::pid_t, st: i32) -> bool {
        if self.slicer.is_none() || !libc::WIFSTOPPED(st) || libc::WSTOPSIG(st) != libc::SIGSTOP {
            return false;
        }
        let b = self.siginfo_of(tid);
        let si_pid = i32::from_le_bytes([b[16], b[17], b[18], b[19]]);
        // si_code SI_TKILL, si_pid: difftest.
        crate::difftest::step::si_code(&b) == -6 && si_pid == std::process::id() as i32
    }

    /// Thread `tid`'s stop `st`: our SIGSTOP ends its slice when one was wanted;
    /// otherwise it came late and is dropped, the thread resumed with `req` as
    /// it was.
    pub(super) fn slice_stop(&mut self, tid: libc::pid_t, st: i32, req: libc::c_uint) -> Ours {
        if !self.our_sigstop(tid, st) {
            return Ours::No;
        }
        if self.slicing == Some(tid) {
            self.disarm();
            return Ours::Preempted;
        }
        // SAFETY: our tracee, at the signal's delivery stop: resumed without it.
        unsafe { libc::ptrace(req, tid, 0, 0) };
        Ours::Dropped
    }
}

impl Native {
    /// A thread preempted (or stopped by a signal from outside) in the middle
    /// of a REP string instruction (RSI, RDI and RCX part way) stands where
    /// puffer, which executes the whole instruction at once, never does: run it
    /// natively to the instruction's end (a breakpoint on the next one; the other
    /// threads are stopped or in syscalls). The signal it stood to take,
    /// `moving`, is not taken on the way: the caller delivers it at the new
    /// place. One that comes on the way is held back too (a standard signal
    /// merges with the same one, as a second one pending does on Linux).
    /// Ok(None): it was not in one; Ok(Some(held)): it was, and these signals
    /// came on the way. Err: it stopped otherwise.
    pub fn finish_rep(&mut self, moving: Option<i32>) -> Result<Option<Held>, String> {
        let r = self.regs();
        let Some(code) = self.read(r.rip, 15) else {
            return Ok(None);
        };
        let i = Decoder::with_ip(64, &code, r.rip, DecoderOptions::NONE).decode();
        if !(i.is_string_instruction() && (i.has_rep_prefix() || i.has_repne_prefix())) {
            return Ok(None);
        }
        let next = i.next_ip();
        tracing::debug!(
            "difftest: preempted in a REP at {:#x} (rcx {:#x}): run to its end",
            i.ip(),
            r.rcx
        );
        let orig = self
            .read(next, 1)
            .ok_or_else(|| format!("cannot read the native code at {next:#x}"))?;
        self.write(next, &[0xcc])?;
        let mut held: Held = Vec::new();
        let mut st = self.resume(libc::PTRACE_CONT, 0);
        while let Stop::Signal(sig) = st {
            let info = self.siginfo();
            if crate::difftest::step::is_fault(sig, &info) {
                break;
            }
            if sig >= 32 || (moving != Some(sig) && !held.iter().any(|&(s, _)| s == sig)) {
                held.push((sig, info));
            }
            st = self.resume(libc::PTRACE_CONT, 0);
        }
        self.write(next, &orig)?;
        let mut r = self.regs();
        if st != Stop::Trap || r.rip != next + 1 {
            return Err(format!(
                "difftest: the native thread, preempted in a REP instruction at {:#x}, stopped at {:#x} ({st:?}) before its end",
                i.ip(),
                r.rip
            ));
        }
        r.rip = next;
        self.set_regs(&r);
        Ok(Some(held))
    }
}

/// Signals from outside held back natively, with their siginfo.
pub(super) type Held = Vec<(i32, [u8; 128])>;

/// What [`Native::slice_stop`] made of a stop.
pub(super) enum Ours {
    /// Not a SIGSTOP of difftest's.
    No,
    /// The end of the thread's slice.
    Preempted,
    /// A late one, dropped: the thread runs on.
    Dropped,
}
