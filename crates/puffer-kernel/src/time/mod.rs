//! The guest's clocks.
//!
//! By default every clock the guest reads is the host's: CLOCK_REALTIME is the host's
//! wall clock, sleeps last real time, RDTSC counts host nanoseconds.
//!
//! With `--deterministic` ([`Kernel::set_deterministic`]) the kernel keeps a virtual
//! clock instead, so that nothing the guest reads depends on when or how fast the host
//! ran it. Guest time is a function of the machine's retired-instruction count:
//!
//! - every retired instruction (of any task: the machine has one CPU) advances time
//!   by [`NS_PER_INSN`] nanoseconds, a nominal 100 MIPS machine — the rate ITIMER_VIRTUAL
//!   and ITIMER_PROF already charged;
//! - when every task is asleep waiting for a deadline (nanosleep, a poll timeout, an
//!   alarm), the clock jumps to the earliest deadline instead of the host waiting for
//!   it, like a discrete-event simulator: `sleep 10` takes no host time;
//! - CLOCK_MONOTONIC and CLOCK_BOOTTIME start at 0 with the first instruction, and
//!   CLOCK_REALTIME is [`EPOCH_SECS`] (2024-01-01 00:00:00 UTC) plus that;
//! - the CPU-time clocks, getrusage, times and wait4's rusage count each task's and
//!   process's retired instructions at the same rate;
//! - RDTSC reads the monotonic clock in nanoseconds (a 1 GHz TSC), computed from the
//!   retired-instruction counter (`Cpu::tsc_offset` holds the idle jumps), so the
//!   interpreter loop does no extra work. The counter is updated per decoded block,
//!   so two RDTSCs in one straight-line block read the same value.
//!
//! `files.rs` keeps host files' timestamps and new files' inode numbers on the
//! guest's terms; docs/determinism.md lists what else the mode fixes and what stays
//! host-dependent.

mod files;

pub(crate) use files::Change;

use crate::task::Pid;
use crate::Kernel;
use puffer_cpu::Cpu;

/// Guest nanoseconds per retired instruction in deterministic mode.
pub const NS_PER_INSN: u64 = 10;

/// CLOCK_REALTIME when the first instruction runs in deterministic mode:
/// 2024-01-01 00:00:00 UTC.
pub const EPOCH_SECS: u64 = 1_704_067_200;

/// The resolution of the coarse clocks (Linux's jiffy at HZ=250).
const COARSE_NS: u64 = 4_000_000;

const NSEC: u128 = 1_000_000_000;

/// Which clocks the guest sees.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// `Some` in deterministic mode.
    virt: Option<VirtualClock>,
}

#[derive(Clone, Debug, Default)]
struct VirtualClock {
    /// The retired-instruction count up to which CPU time has been charged to tasks.
    charged: u64,
    /// Host files as the guest sees them (`files.rs`).
    files: files::HostFiles,
}

impl Clock {
    pub fn is_virtual(&self) -> bool {
        self.virt.is_some()
    }
}

/// RDTSC in deterministic mode: the virtual monotonic clock in nanoseconds.
fn virtual_tsc(cpu: &Cpu) -> u64 {
    cpu.stats
        .retired
        .wrapping_mul(NS_PER_INSN)
        .wrapping_add(cpu.tsc_offset)
}

/// RDTSC by default: the host's monotonic clock in nanoseconds (a 1 GHz TSC).
pub(crate) fn host_tsc(_: &Cpu) -> u64 {
    host_mono_ns() as u64
}

fn split(ns: u128) -> (i64, i64) {
    ((ns / NSEC) as i64, (ns % NSEC) as i64)
}

impl Kernel {
    /// Switch to the virtual clock and seed the random generator with `seed`
    /// (getrandom, AT_RANDOM, /dev/urandom, `--pid-alloc random`). Call before
    /// spawning the first process, so that its AT_RANDOM bytes are seeded too.
    pub fn set_deterministic(&mut self, seed: u64) {
        crate::random::set_deterministic(seed);
        self.clock.virt = Some(VirtualClock {
            charged: self.cpu.stats.retired,
            files: files::HostFiles::new(host_clock(libc::CLOCK_REALTIME).unwrap_or((0, 0))),
        });
        self.cpu.tsc = virtual_tsc;
        self.cpu.tsc_offset = 0u64.wrapping_sub(self.cpu.stats.retired * NS_PER_INSN);
    }

    /// Is time virtual (`--deterministic`)?
    pub fn deterministic(&self) -> bool {
        self.clock.is_virtual()
    }

    /// CLOCK_MONOTONIC in nanoseconds: the clock every sleep deadline is kept on.
    pub(crate) fn mono_ns(&self) -> u128 {
        match self.clock.virt {
            None => host_mono_ns(),
            Some(_) => virtual_tsc(&self.cpu) as u128,
        }
    }

    /// CLOCK_REALTIME as (seconds, nanoseconds).
    pub(crate) fn realtime(&self) -> (i64, i64) {
        self.clock_read(libc::CLOCK_REALTIME).unwrap_or((0, 0))
    }

    /// Read clock `id` (a CLOCK_* constant) as (seconds, nanoseconds); None for a
    /// clock that does not exist.
    pub(crate) fn clock_read(&self, id: i32) -> Option<(i64, i64)> {
        if let Some(ns) = self.cpu_clock_ns(id) {
            return ns.map(split);
        }
        if self.clock.virt.is_none() {
            return host_clock(id);
        }
        let mono = self.mono_ns();
        let ns = match id {
            libc::CLOCK_REALTIME | libc::CLOCK_REALTIME_ALARM | libc::CLOCK_TAI => {
                EPOCH_SECS as u128 * NSEC + mono
            }
            libc::CLOCK_REALTIME_COARSE => {
                EPOCH_SECS as u128 * NSEC + mono / COARSE_NS as u128 * COARSE_NS as u128
            }
            libc::CLOCK_MONOTONIC
            | libc::CLOCK_MONOTONIC_RAW
            | libc::CLOCK_BOOTTIME
            | libc::CLOCK_BOOTTIME_ALARM => mono,
            libc::CLOCK_MONOTONIC_COARSE => mono / COARSE_NS as u128 * COARSE_NS as u128,
            _ => return None,
        };
        Some(split(ns))
    }

    /// The CPU-time clocks, which are the kernel's own accounting in both modes (the
    /// host's would be puffer's, all guest processes together): CLOCK_PROCESS_ and
    /// CLOCK_THREAD_CPUTIME_ID, and the dynamic ids of clock_getcpuclockid(3) and
    /// pthread_getcpuclockid(3), which encode a PID or TID as Linux's
    /// `MAKE_PROCESS_CPUCLOCK(pid, clock)` = `(~pid << 3) | clock` (bit 2: per
    /// thread; clock 3 would be a clock fd, which puffer has none of). None: not a
    /// CPU clock; Some(None): a CPU clock of no such process or thread (EINVAL).
    fn cpu_clock_ns(&self, id: i32) -> Option<Option<u128>> {
        let cur = self.tasks.get(&self.current);
        let (pid, thread) = match id {
            libc::CLOCK_PROCESS_CPUTIME_ID => (0, false),
            libc::CLOCK_THREAD_CPUTIME_ID => (0, true),
            i if i < 0 && i & 3 != 3 => (!(i >> 3), i & 4 != 0),
            _ => return None,
        };
        let extra = |tid: Pid| {
            if tid == self.current {
                self.uncharged_ns() as u128
            } else {
                0
            }
        };
        Some(if thread {
            // posix_cpu_clock_get: a thread clock of the caller's own thread group.
            let tid = if pid == 0 { self.current } else { Pid(pid) };
            let t = self.tasks.get(&tid);
            match (t, cur) {
                (Some(t), Some(c)) if t.tgid == c.tgid => Some(t.cpu_ns as u128 + extra(tid)),
                _ => None,
            }
        } else {
            let tgid = match (pid, cur) {
                (0, Some(c)) => c.tgid,
                (0, None) => return Some(None),
                (p, _) => Pid(p),
            };
            let running_here = cur.is_some_and(|c| c.tgid == tgid);
            self.procs
                .get(&tgid)
                .filter(|p| p.exit.is_none())
                .map(|p| p.cpu_ns as u128 + if running_here { extra(self.current) } else { 0 })
        })
    }

    /// /proc/uptime: seconds since boot and seconds the CPU idled, with two decimals.
    /// Idle time is what the virtual clock skipped; the host's idle time is not
    /// the guest's, so with host clocks it reads 0.
    pub(crate) fn uptime_text(&self) -> String {
        let up = self.clock_read(libc::CLOCK_BOOTTIME).unwrap_or((0, 0));
        let idle = match self.clock.virt {
            Some(_) => {
                let busy = self.cpu.stats.retired as u128 * NS_PER_INSN as u128;
                split(self.mono_ns().saturating_sub(busy))
            }
            None => (0, 0),
        };
        format!(
            "{}.{:02} {}.{:02}\n",
            up.0,
            up.1 / 10_000_000,
            idle.0,
            idle.1 / 10_000_000
        )
    }

    /// CPU time the current task has used since it was last charged.
    fn uncharged_ns(&self) -> u64 {
        self.clock.virt.as_ref().map_or(0, |v| {
            self.cpu.stats.retired.saturating_sub(v.charged) * NS_PER_INSN
        })
    }

    /// Deterministic mode: charge the instructions retired since the last call to the
    /// current task and its process (their CPU time, rusage and times). Called when a
    /// task leaves the CPU and when the kernel is entered, so that every way of
    /// running guest code (run, the tracer's and the debugger's steps) is counted.
    pub(crate) fn charge_retired(&mut self) {
        let retired = self.cpu.stats.retired;
        let Some(v) = self.clock.virt.as_mut() else {
            return;
        };
        let ns = retired.saturating_sub(v.charged) * NS_PER_INSN;
        v.charged = retired;
        if ns == 0 {
            return;
        }
        let cur: Pid = self.current;
        if let Some(t) = self.tasks.get_mut(&cur) {
            t.cpu_ns += ns;
            let tgid = t.tgid;
            if let Some(p) = self.procs.get_mut(&tgid) {
                p.cpu_ns += ns;
            }
        }
    }

    /// Account the host CPU time puffer's thread used since `t0` (a
    /// [`host_cpu_ns`] reading) to `tid` and its process (clocks, rusage, times).
    /// CPU time, not wall time: while the host preempts puffer the guest does not
    /// run, and natively its CPU clocks would not advance either. Only with host
    /// clocks: virtual CPU time is charged by [`Kernel::charge_retired`].
    pub(crate) fn charge_host(&mut self, tid: Pid, t0: u64) {
        let ns = host_cpu_ns().saturating_sub(t0);
        if let Some(t) = self.tasks.get_mut(&tid) {
            t.cpu_ns += ns;
        }
        if let Some(tgid) = self.tasks.get(&tid).map(|t| t.tgid) {
            if let Some(p) = self.procs.get_mut(&tgid) {
                p.cpu_ns += ns;
            }
        }
    }

    /// Deterministic mode, nothing runnable: move the clock forward to `deadline`
    /// (monotonic ns) at once, as if the machine had idled until then. False if the
    /// clock cannot get there (beyond 2^64 ns, some 584 years): nothing will wake.
    pub(crate) fn idle_until(&mut self, deadline: u128) -> bool {
        let now = self.mono_ns();
        if deadline > u64::MAX as u128 {
            return false;
        }
        if self.clock.virt.is_some() && deadline > now {
            let jump = (deadline - now) as u64;
            self.cpu.tsc_offset = self.cpu.tsc_offset.wrapping_add(jump);
        }
        true
    }
}

/// The host's clock `id`.
pub fn host_clock(id: i32) -> Option<(i64, i64)> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into a timespec we own.
    let r = unsafe { libc::clock_gettime(id, &mut ts) };
    (r == 0).then_some((ts.tv_sec, ts.tv_nsec))
}

/// The host's monotonic clock in nanoseconds.
/// The CPU time of the calling host thread (the one running the guest), in ns.
pub fn host_cpu_ns() -> u64 {
    let (s, ns) = host_clock(libc::CLOCK_THREAD_CPUTIME_ID).unwrap_or((0, 0));
    s as u64 * NSEC as u64 + ns as u64
}

pub fn host_mono_ns() -> u128 {
    let (s, ns) = host_clock(libc::CLOCK_MONOTONIC).unwrap_or((0, 0));
    s as u128 * NSEC + ns as u128
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    fn kernel() -> Kernel {
        let mut k = Kernel::new(Config {
            mem: 4 << 20,
            ..Config::default()
        });
        k.set_deterministic(1);
        k
    }

    #[test]
    fn virtual_time_follows_retired_instructions_and_idle_jumps() {
        let mut k = kernel();
        assert_eq!(k.mono_ns(), 0);
        assert_eq!(k.realtime(), (EPOCH_SECS as i64, 0));
        k.cpu.stats.retired = 150_000_000;
        // 1.5 s at 10 ns per instruction, on every clock and on the TSC.
        assert_eq!(k.mono_ns(), 1_500_000_000);
        assert_eq!(k.clock_read(libc::CLOCK_BOOTTIME), Some((1, 500_000_000)));
        assert_eq!(
            k.clock_read(libc::CLOCK_MONOTONIC_COARSE),
            Some((1, 500_000_000))
        );
        assert_eq!(k.realtime(), (EPOCH_SECS as i64 + 1, 500_000_000));
        assert_eq!((k.cpu.tsc)(&k.cpu), 1_500_000_000);
        // Idle until a deadline: the clock jumps there, the TSC with it.
        assert!(k.idle_until(4_000_000_123));
        assert_eq!(k.mono_ns(), 4_000_000_123);
        assert_eq!((k.cpu.tsc)(&k.cpu), 4_000_000_123);
        assert_eq!(k.clock_read(libc::CLOCK_MONOTONIC_COARSE), Some((4, 0)));
        // A deadline in the past changes nothing; one beyond 2^64 ns is unreachable.
        assert!(k.idle_until(1));
        assert_eq!(k.mono_ns(), 4_000_000_123);
        assert!(!k.idle_until(u128::MAX));
        k.cpu.stats.retired += 1;
        assert_eq!(k.mono_ns(), 4_000_000_133);
        assert_eq!(k.uptime_text(), "4.00 2.50\n");
    }

    #[test]
    fn host_clocks_by_default() {
        let k = Kernel::new(Config {
            mem: 4 << 20,
            ..Config::default()
        });
        assert!(!k.deterministic());
        let (s, _) = k.realtime();
        assert!(s > EPOCH_SECS as i64);
        assert!(k.mono_ns() > 0);
    }
}
