//! Time: clock_gettime, clock_getres, gettimeofday, time, nanosleep,
//! clock_nanosleep, sched_yield. Sleeping puts the task to sleep in the scheduler and
//! restarts the syscall when it wakes; it never blocks the host thread while another
//! guest task could run.

use super::Args;
use crate::errno::{Errno, SysResult};
use crate::Kernel;

fn valid_clock(id: u64) -> Result<i32, Errno> {
    let id = id as i32;
    match id {
        0..=7 | 9..=11 => Ok(id),
        // clock_getcpuclockid(3)'s dynamic CPU clocks (time/mod.rs).
        i if i < 0 && i & 3 != 3 => Ok(id),
        _ => Err(Errno::EINVAL),
    }
}

fn ts_bytes(t: (i64, i64)) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&t.0.to_le_bytes());
    b[8..].copy_from_slice(&t.1.to_le_bytes());
    b
}

pub fn sys_clock_gettime(k: &mut Kernel, a: &Args) -> SysResult {
    let id = valid_clock(a[0])?;
    let t = k.clock_read(id).ok_or(Errno::EINVAL)?;
    k.copy_to_user(a[1], &ts_bytes(t))?;
    Ok(0)
}

pub fn sys_clock_getres(k: &mut Kernel, a: &Args) -> SysResult {
    let id = valid_clock(a[0])?;
    // A CPU clock of a process or thread that does not exist is EINVAL here too:
    // that is how clock_getcpuclockid(3) finds out (and says ESRCH).
    if id < 0 && k.clock_read(id).is_none() {
        return Err(Errno::EINVAL);
    }
    if a[1] != 0 {
        let res = if id == 5 || id == 6 {
            (0, 4_000_000)
        } else {
            (0, 1)
        };
        k.copy_to_user(a[1], &ts_bytes(res))?;
    }
    Ok(0)
}

pub fn sys_gettimeofday(k: &mut Kernel, a: &Args) -> SysResult {
    if a[0] != 0 {
        let (s, ns) = k.realtime();
        k.copy_to_user(a[0], &ts_bytes((s, ns / 1000)))?;
    }
    if a[1] != 0 {
        k.copy_to_user(a[1], &[0u8; 8])?;
    }
    Ok(0)
}

pub fn sys_time(k: &mut Kernel, a: &Args) -> SysResult {
    let s = k.realtime().0;
    if a[0] != 0 {
        k.write_u64(a[0], s as u64)?;
    }
    Ok(s as u64)
}

fn read_ts(k: &mut Kernel, addr: u64) -> Result<(i64, i64), Errno> {
    let b = k.read_vec(addr, 16)?;
    let s = i64::from_le_bytes(b[..8].try_into().unwrap_or_default());
    let ns = i64::from_le_bytes(b[8..].try_into().unwrap_or_default());
    if s < 0 || !(0..1_000_000_000).contains(&ns) {
        return Err(Errno::EINVAL);
    }
    Ok((s, ns))
}

/// Sleep until `deadline` (monotonic nanoseconds) in the scheduler: the task sleeps
/// and the syscall runs again when the deadline passes; the deadline is kept across
/// the restart so that it is computed once.
fn sleep_until(k: &mut Kernel, deadline: u128) -> SysResult {
    let now = k.mono_ns();
    let t = k.current_task_mut();
    let deadline = *t.restart_deadline.get_or_insert(deadline);
    if now >= deadline {
        t.restart_deadline = None;
        return Ok(0);
    }
    t.state = crate::task::TaskState::Sleeping;
    t.wait = Some(crate::process::Wait::Until(deadline));
    Err(Errno::ERESTARTSYS)
}

pub fn sys_nanosleep(k: &mut Kernel, a: &Args) -> SysResult {
    let (s, ns) = read_ts(k, a[0])?;
    let now = k.mono_ns();
    sleep_until(k, now + s as u128 * 1_000_000_000 + ns as u128)
}

const TIMER_ABSTIME: u64 = 1;

pub fn sys_clock_nanosleep(k: &mut Kernel, a: &Args) -> SysResult {
    let id = a[0] as i32;
    if !matches!(id, 0 | 1 | 7 | 9) {
        return Err(if id == 2 || id == 3 {
            Errno::EOPNOTSUPP
        } else {
            Errno::EINVAL
        });
    }
    let (s, ns) = read_ts(k, a[2])?;
    let dur = s as u128 * 1_000_000_000 + ns as u128;
    if a[1] & TIMER_ABSTIME != 0 {
        let now = k
            .clock_read(id)
            .map(|(s, n)| s as u128 * 1_000_000_000 + n as u128)
            .unwrap_or(0);
        let mono = k.mono_ns();
        sleep_until(k, mono + dur.saturating_sub(now))
    } else {
        let mono = k.mono_ns();
        sleep_until(k, mono + dur)
    }
}

pub fn sys_sched_yield(k: &mut Kernel, _: &Args) -> SysResult {
    k.yield_now();
    Ok(0)
}
