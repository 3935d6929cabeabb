//! Interval timers (setitimer, getitimer, alarm). ITIMER_REAL is a deadline on the
//! monotonic clock that the scheduler watches like a sleeping task's (`run_timers`
//! from wake_expired, `next_timer_deadline` for the idle sleep); it sends SIGALRM to
//! the process. ITIMER_VIRTUAL and ITIMER_PROF run on the process's retired
//! instructions, at a nominal 10 ns each, and send SIGVTALRM and SIGPROF.

use super::*;

pub const ITIMER_REAL: usize = 0;
pub const ITIMER_VIRTUAL: usize = 1;
pub const ITIMER_PROF: usize = 2;

/// CPU time charged for one retired instruction (a nominal 100 MIPS, the rate of the
/// deterministic mode's virtual clock too).
const NS_PER_INSN: u128 = crate::time::NS_PER_INSN as u128;

/// One interval timer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ITimer {
    /// Armed: for ITIMER_REAL the monotonic deadline, for the CPU timers the CPU time
    /// left, in nanoseconds.
    pub value: Option<u128>,
    /// Re-armed with this after it fires (0: one-shot), in nanoseconds.
    pub interval: u128,
}

impl Kernel {
    /// The earliest ITIMER_REAL deadline of a live process.
    pub(crate) fn next_timer_deadline(&self) -> Option<u128> {
        self.procs
            .values()
            .filter(|p| p.exit.is_none())
            .filter_map(|p| p.sig.timers[ITIMER_REAL].value)
            .min()
    }

    /// Fire the ITIMER_REAL timers due at `now` (the scheduler calls this with its
    /// deadline checks). A periodic timer that missed periods fires once.
    pub(crate) fn run_timers(&mut self, now: u128) {
        let due: Vec<Pid> = self
            .procs
            .values()
            .filter(|p| p.exit.is_none())
            .filter(|p| p.sig.timers[ITIMER_REAL].value.is_some_and(|d| d <= now))
            .map(|p| p.pid)
            .collect();
        for pid in due {
            if let Some(p) = self.procs.get_mut(&pid) {
                let t = &mut p.sig.timers[ITIMER_REAL];
                t.value = match (t.value, t.interval) {
                    (Some(d), i) if i > 0 => Some(d + i * ((now - d) / i + 1)),
                    _ => None,
                };
            }
            let _ = self.send_signal(Target::Process(pid), SigInfo::kernel(SIGALRM));
        }
    }

    /// Charge `insns` retired instructions to the current process's CPU timers.
    pub(crate) fn account_cpu_time(&mut self, insns: u64) {
        if !self.signals.cpu_timers || insns == 0 {
            return;
        }
        let tgid = self.current_tgid();
        let ns = insns as u128 * NS_PER_INSN;
        let mut fire = Vec::new();
        if let Some(p) = self.procs.get_mut(&tgid) {
            for (which, sig) in [(ITIMER_VIRTUAL, SIGVTALRM), (ITIMER_PROF, SIGPROF)] {
                let t = &mut p.sig.timers[which];
                if let Some(left) = t.value {
                    if left > ns {
                        t.value = Some(left - ns);
                    } else {
                        t.value = (t.interval > 0).then_some(t.interval);
                        fire.push(sig);
                    }
                }
            }
        }
        for sig in fire {
            let _ = self.send_signal(Target::Process(tgid), SigInfo::kernel(sig));
        }
    }

    /// getitimer: (interval, value) in nanoseconds; an armed timer never reads 0.
    pub(crate) fn get_itimer(&self, which: usize) -> (u128, u128) {
        let tgid = self.current_tgid();
        let Some(t) = self.procs.get(&tgid).map(|p| p.sig.timers[which]) else {
            return (0, 0);
        };
        let value = match t.value {
            None => 0,
            Some(v) if which == ITIMER_REAL => v.saturating_sub(self.mono_ns()).max(1000),
            Some(v) => v,
        };
        (t.interval, value)
    }

    /// setitimer: arm (`value` > 0) or disarm the timer; returns the old setting.
    pub(crate) fn set_itimer(&mut self, which: usize, interval: u128, value: u128) -> (u128, u128) {
        let old = self.get_itimer(which);
        let tgid = self.current_tgid();
        if which != ITIMER_REAL && value > 0 {
            self.signals.cpu_timers = true;
        }
        let now = self.mono_ns();
        if let Some(p) = self.procs.get_mut(&tgid) {
            // The interval is kept even when the timer is disarmed, as Linux does.
            let value = (value > 0).then(|| {
                if which == ITIMER_REAL {
                    now + value
                } else {
                    value
                }
            });
            p.sig.timers[which] = ITimer { value, interval };
        }
        old
    }
}
