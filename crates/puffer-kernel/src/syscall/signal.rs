//! Signal syscalls: rt_sigaction, rt_sigprocmask, rt_sigpending, rt_sigsuspend,
//! rt_sigtimedwait, rt_sigqueueinfo, rt_tgsigqueueinfo, rt_sigreturn, sigaltstack,
//! kill, tkill, tgkill, pause, alarm, setitimer, getitimer, restart_syscall. The
//! machinery is in `crate::signal`.

use super::Args;
use crate::errno::{Errno, SysResult};
use crate::process::Wait;
use crate::signal::*;
use crate::task::{Pid, TaskState};
use crate::Kernel;

/// The only `sigsetsize` the rt_sig* calls accept (the kernel's 64-bit sigset_t).
const SIGSET_SIZE: u64 = 8;

fn u64_at(b: &[u8], o: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[o..o + 8]);
    u64::from_le_bytes(w)
}

/// Read a 128-byte siginfo from the guest.
fn read_siginfo(k: &mut Kernel, addr: u64) -> Result<SigInfo, Errno> {
    let mut b = [0u8; 128];
    k.copy_from_user(addr, &mut b)?;
    Ok(SigInfo(b))
}

pub fn sys_rt_sigaction(k: &mut Kernel, a: &Args) -> SysResult {
    let (sig, act, oact, size) = (a[0] as i32, a[1], a[2], a[3]);
    if size != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    // struct kernel_sigaction: handler, flags, restorer, mask.
    let new = if act != 0 {
        let b = k.read_vec(act, 32)?;
        Some(SigAction {
            handler: u64_at(&b, 0),
            flags: u64_at(&b, 8) & SA_KNOWN,
            restorer: u64_at(&b, 16),
            mask: u64_at(&b, 24) & !UNBLOCKABLE,
        })
    } else {
        None
    };
    if !valid(sig) || (new.is_some() && bit(sig) & UNBLOCKABLE != 0) {
        return Err(Errno::EINVAL);
    }
    let old = k.sigaction(sig, new);
    if oact != 0 {
        let mut b = [0u8; 32];
        b[0..8].copy_from_slice(&old.handler.to_le_bytes());
        b[8..16].copy_from_slice(&(old.flags & SA_KNOWN).to_le_bytes());
        b[16..24].copy_from_slice(&old.restorer.to_le_bytes());
        b[24..32].copy_from_slice(&old.mask.to_le_bytes());
        k.copy_to_user(oact, &b)?;
    }
    Ok(0)
}

const SIG_BLOCK: u64 = 0;
const SIG_UNBLOCK: u64 = 1;
const SIG_SETMASK: u64 = 2;

pub fn sys_rt_sigprocmask(k: &mut Kernel, a: &Args) -> SysResult {
    let (how, set, oset, size) = (a[0] as u32 as u64, a[1], a[2], a[3]);
    if size != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let tid = k.current;
    let old = k.current_task().sig.blocked;
    if set != 0 {
        let new = k.read_u64(set)? & !UNBLOCKABLE;
        let mask = match how {
            SIG_BLOCK => old | new,
            SIG_UNBLOCK => old & !new,
            SIG_SETMASK => new,
            _ => return Err(Errno::EINVAL),
        };
        k.set_blocked(tid, mask);
    }
    if oset != 0 {
        k.write_u64(oset, old)?;
    }
    Ok(0)
}

pub fn sys_rt_sigpending(k: &mut Kernel, a: &Args) -> SysResult {
    let (set, size) = (a[0], a[1]);
    if size > SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let t = k.current_task();
    let shared = k.procs.get(&t.tgid).map_or(0, |p| p.sig.shared.set);
    let pending = (t.sig.pending.set | shared) & t.sig.blocked;
    k.copy_to_user(set, &pending.to_le_bytes()[..size as usize])?;
    Ok(0)
}

/// Sleep until a signal is delivered (pause, sigsuspend): EINTR once a handler ran.
fn sleep_for_signal(k: &mut Kernel) -> SysResult {
    let t = k.current_task_mut();
    t.state = TaskState::Sleeping;
    t.wait = Some(Wait::Signal);
    Err(Errno::ERESTARTSYS)
}

pub fn sys_pause(k: &mut Kernel, _: &Args) -> SysResult {
    sleep_for_signal(k)
}

pub fn sys_rt_sigsuspend(k: &mut Kernel, a: &Args) -> SysResult {
    let (mask, size) = (a[0], a[1]);
    if size != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let m = k.read_u64(mask)? & !UNBLOCKABLE;
    let tid = k.current;
    let t = k.current_task_mut();
    // The mask to go back to after the handler (kept when this runs again).
    if t.sig.saved_mask.is_none() {
        t.sig.saved_mask = Some(t.sig.blocked);
    }
    k.set_blocked(tid, m);
    sleep_for_signal(k)
}

fn read_timespec(k: &mut Kernel, addr: u64) -> Result<u128, Errno> {
    let b = k.read_vec(addr, 16)?;
    let (s, ns) = (u64_at(&b, 0) as i64, u64_at(&b, 8) as i64);
    if s < 0 || !(0..1_000_000_000).contains(&ns) {
        return Err(Errno::EINVAL);
    }
    Ok(s as u128 * 1_000_000_000 + ns as u128)
}

pub fn sys_rt_sigtimedwait(k: &mut Kernel, a: &Args) -> SysResult {
    let (these, uinfo, uts, size) = (a[0], a[1], a[2], a[3]);
    // After a sleep, the real mask comes back before anything else.
    let t = k.current_task_mut();
    if let Some(rb) = t.sig.real_blocked.take() {
        t.sig.blocked = rb;
    }
    if size != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let which = k.read_u64(these)? & !UNBLOCKABLE;
    let deadline = match (uts, k.current_task().restart_deadline) {
        (0, _) => None,
        (_, Some(d)) => Some(d),
        (ts, None) => Some(k.mono_ns() + read_timespec(k, ts)?),
    };
    let tid = k.current;
    if let Some(info) = k.dequeue(tid, Some(!which)) {
        k.current_task_mut().restart_deadline = None;
        if uinfo != 0 {
            k.copy_to_user(uinfo, &info.0)?;
        }
        return Ok(info.signo() as u64);
    }
    if deadline.is_some_and(|d| k.mono_ns() >= d) {
        k.current_task_mut().restart_deadline = None;
        return Err(Errno::EAGAIN);
    }
    // Sleep with the awaited signals unblocked, so that they wake this thread.
    let t = k.current_task_mut();
    t.sig.real_blocked = Some(t.sig.blocked);
    t.sig.blocked &= !which;
    t.restart_deadline = deadline;
    t.state = TaskState::Sleeping;
    t.wait = Some(deadline.map_or(Wait::Signal, Wait::Until));
    Err(Errno::ERESTARTSYS)
}

/// A sigqueue siginfo may not pretend to come from the kernel or kill/tkill unless
/// the sender signals itself.
fn check_queued_code(info: &SigInfo, me: bool) -> Result<(), Errno> {
    if (info.code() >= 0 || info.code() == SI_TKILL) && !me {
        return Err(Errno::EPERM);
    }
    Ok(())
}

pub fn sys_rt_sigqueueinfo(k: &mut Kernel, a: &Args) -> SysResult {
    let (pid, sig, uinfo) = (a[0] as i32, a[1] as i32, a[2]);
    let mut info = read_siginfo(k, uinfo)?;
    check_queued_code(&info, Pid(pid) == k.current_tgid())?;
    info.set_signo(sig);
    k.kill_process(Pid(pid), info)?;
    Ok(0)
}

pub fn sys_rt_tgsigqueueinfo(k: &mut Kernel, a: &Args) -> SysResult {
    let (tgid, tid, sig, uinfo) = (a[0] as i32, a[1] as i32, a[2] as i32, a[3]);
    let mut info = read_siginfo(k, uinfo)?;
    if tgid <= 0 || tid <= 0 {
        return Err(Errno::EINVAL);
    }
    check_queued_code(&info, Pid(tid) == k.current)?;
    info.set_signo(sig);
    k.kill_thread(Some(Pid(tgid)), Pid(tid), info)?;
    Ok(0)
}

pub fn sys_rt_sigreturn(k: &mut Kernel, _: &Args) -> SysResult {
    // As Linux's restore_sigcontext: a restart block does not outlive a handler.
    k.current_task_mut().restart_block = None;
    Ok(k.sigreturn())
}

pub fn sys_sigaltstack(k: &mut Kernel, a: &Args) -> SysResult {
    let (uss, uoss) = (a[0], a[1]);
    let new = if uss != 0 {
        let b = k.read_vec(uss, 24)?;
        Some(StackT::decode(&b))
    } else {
        None
    };
    let sp = k.cpu.state.gpr[puffer_cpu::reg::RSP];
    let old = k.set_altstack(new, sp)?;
    if uoss != 0 {
        k.copy_to_user(uoss, &old.encode())?;
    }
    Ok(0)
}

/// kill(pid, sig): pid > 0 one process, 0 the caller's group, -1 everyone else but
/// init, < -1 the group -pid. Signal 0 checks that the target exists.
pub fn sys_kill(k: &mut Kernel, a: &Args) -> SysResult {
    let (pid, sig) = (a[0] as i32, a[1] as i32);
    let me = k.current_tgid();
    let info = SigInfo::user(sig, SI_USER, me);
    match pid {
        p if p > 0 => k.kill_process(Pid(p), info)?,
        0 => {
            let pg = k.procs.get(&me).map_or(me, |p| p.pgid);
            k.kill_pgrp(pg, info)?
        }
        -1 => k.kill_all(info)?,
        // i32::MIN has no positive counterpart: no such group.
        p => k.kill_pgrp(Pid(p.checked_neg().ok_or(Errno::ESRCH)?), info)?,
    }
    Ok(0)
}

pub fn sys_tgkill(k: &mut Kernel, a: &Args) -> SysResult {
    let (tgid, tid, sig) = (a[0] as i32, a[1] as i32, a[2] as i32);
    if tgid <= 0 || tid <= 0 {
        return Err(Errno::EINVAL);
    }
    let me = k.current_tgid();
    k.kill_thread(Some(Pid(tgid)), Pid(tid), SigInfo::user(sig, SI_TKILL, me))?;
    Ok(0)
}

pub fn sys_tkill(k: &mut Kernel, a: &Args) -> SysResult {
    let (tid, sig) = (a[0] as i32, a[1] as i32);
    if tid <= 0 {
        return Err(Errno::EINVAL);
    }
    let me = k.current_tgid();
    k.kill_thread(None, Pid(tid), SigInfo::user(sig, SI_TKILL, me))?;
    Ok(0)
}

const NS_PER_US: u128 = 1000;
const NS_PER_S: u128 = 1_000_000_000;

/// alarm(seconds): ITIMER_REAL one-shot; returns the seconds the previous alarm had
/// left (rounded to nearest, and never 0 for an armed one).
pub fn sys_alarm(k: &mut Kernel, a: &Args) -> SysResult {
    let secs = a[0] as u32 as u128;
    let (_, old) = k.set_itimer(ITIMER_REAL, 0, secs * NS_PER_S);
    let (s, ns) = (old / NS_PER_S, old % NS_PER_S);
    let s = if (s == 0 && ns != 0) || ns >= NS_PER_S / 2 {
        s + 1
    } else {
        s
    };
    Ok(s as u64)
}

fn itimer_which(which: u64) -> Result<usize, Errno> {
    match which as i32 {
        0 => Ok(ITIMER_REAL),
        1 => Ok(ITIMER_VIRTUAL),
        2 => Ok(ITIMER_PROF),
        _ => Err(Errno::EINVAL),
    }
}

/// struct itimerval { timeval it_interval, it_value } from nanoseconds.
fn itimerval_bytes(interval: u128, value: u128) -> [u8; 32] {
    let mut b = [0u8; 32];
    for (o, v) in [(0, interval), (16, value)] {
        let us = v.div_ceil(NS_PER_US);
        b[o..o + 8].copy_from_slice(&((us / 1_000_000) as u64).to_le_bytes());
        b[o + 8..o + 16].copy_from_slice(&((us % 1_000_000) as u64).to_le_bytes());
    }
    b
}

fn read_timeval(b: &[u8]) -> Result<u128, Errno> {
    let (s, us) = (u64_at(b, 0) as i64, u64_at(b, 8) as i64);
    if s < 0 || !(0..1_000_000).contains(&us) {
        return Err(Errno::EINVAL);
    }
    Ok(s as u128 * NS_PER_S + us as u128 * NS_PER_US)
}

pub fn sys_getitimer(k: &mut Kernel, a: &Args) -> SysResult {
    let which = itimer_which(a[0])?;
    let (interval, value) = k.get_itimer(which);
    k.copy_to_user(a[1], &itimerval_bytes(interval, value))?;
    Ok(0)
}

pub fn sys_setitimer(k: &mut Kernel, a: &Args) -> SysResult {
    let (which, new, old) = (a[0], a[1], a[2]);
    // A NULL new value disarms (an old Linux misfeature, still accepted).
    let (interval, value) = if new != 0 {
        let b = k.read_vec(new, 32)?;
        (read_timeval(&b[0..16])?, read_timeval(&b[16..32])?)
    } else {
        (0, 0)
    };
    let which = itimer_which(which)?;
    let (oi, ov) = k.set_itimer(which, interval, value);
    if old != 0 {
        k.copy_to_user(old, &itimerval_bytes(oi, ov))?;
    }
    Ok(0)
}

/// restart_syscall: resume the sleep a signal with no handler interrupted (the
/// task's restart block: nanosleep, clock_nanosleep, poll, a futex wait with a
/// timeout), towards the deadline it kept. With no block (called directly, or
/// after a handler ran) there is nothing to resume: EINTR, Linux's
/// do_no_restart_syscall. While the sleep goes on, the block stays, so the
/// `syscall` that runs again when the task wakes is this one again.
pub fn sys_restart_syscall(k: &mut Kernel, _: &Args) -> SysResult {
    let Some((nr, args)) = k.current_task().restart_block else {
        return Err(Errno::EINTR);
    };
    let r = match super::handler(nr) {
        Some(h) => h(k, &args),
        None => Err(Errno::EINTR),
    };
    if r != Err(Errno::ERESTARTSYS) {
        k.current_task_mut().restart_block = None;
    }
    r
}

const PR_SET_PDEATHSIG: u64 = 1;

/// prctl(PR_SET_PDEATHSIG / PR_GET_PDEATHSIG).
pub fn prctl_pdeathsig(k: &mut Kernel, op: u64, arg: u64) -> SysResult {
    if op == PR_SET_PDEATHSIG {
        let sig = arg as i32;
        if arg > NSIG as u64 {
            return Err(Errno::EINVAL);
        }
        k.current_task_mut().sig.pdeath = sig;
        return Ok(0);
    }
    let s = k.current_task().sig.pdeath;
    k.write_u32(arg, s as u32)?;
    Ok(0)
}

impl Kernel {
    /// do_sigaction: install `new` for `sig` (if given) and return the old action.
    /// Setting a signal to be ignored discards it where it is pending.
    fn sigaction(&mut self, sig: i32, new: Option<SigAction>) -> SigAction {
        let hand = self.current_task().sig.hand.clone();
        let old = hand.borrow().get(sig);
        if let Some(act) = new {
            hand.borrow_mut().set(sig, act);
            let ignored = act.handler == SIG_IGN
                || (act.handler == SIG_DFL
                    && matches!(
                        default_action(sig),
                        DefaultAction::Ignore | DefaultAction::Cont
                    ));
            if ignored {
                let tgid = self.current_tgid();
                self.flush_pending(tgid, bit(sig));
            }
        }
        old
    }
}
