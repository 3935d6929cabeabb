//! Waiting for children: wait4, waitid.

use super::Args;
use crate::errno::{Errno, SysResult};
use crate::process::wait::{
    WaitResult, Which, WALL, WCLONE, WCONTINUED, WEXITED, WNOHANG, WNOTHREAD, WNOWAIT, WUNTRACED,
};
use crate::task::{ExitStatus, Pid};
use crate::Kernel;

fn rusage_bytes(utime_us: u64) -> [u8; 144] {
    let mut b = [0u8; 144];
    b[0..8].copy_from_slice(&((utime_us / 1_000_000) as i64).to_le_bytes());
    b[8..16].copy_from_slice(&((utime_us % 1_000_000) as i64).to_le_bytes());
    b
}

pub fn sys_wait4(k: &mut Kernel, a: &Args) -> SysResult {
    let (pid, status, options, rusage) = (a[0] as i32, a[1], a[2], a[3]);
    if options & !(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE) != 0 {
        return Err(Errno::EINVAL);
    }
    let which = match pid {
        -1 => Which::Any,
        0 => Which::Pgid(Pid(0)),
        p if p < -1 => Which::Pgid(Pid(-p)),
        p => Which::Pid(Pid(p)),
    };
    match k.do_wait(which, options | WEXITED)? {
        WaitResult::Nothing => Ok(0),
        WaitResult::Stopped { pid, sig } => {
            if status != 0 {
                k.write_u32(status, 0x7f | ((sig as u32 & 0xff) << 8))?;
            }
            Ok(pid.0 as u64)
        }
        WaitResult::Continued { pid } => {
            if status != 0 {
                k.write_u32(status, 0xffff)?;
            }
            Ok(pid.0 as u64)
        }
        WaitResult::Reaped {
            pid,
            status: st,
            utime_us,
        } => {
            if status != 0 {
                k.write_u32(status, st.wait_status() as u32)?;
            }
            if rusage != 0 {
                k.copy_to_user(rusage, &rusage_bytes(utime_us))?;
            }
            Ok(pid.0 as u64)
        }
    }
}

const P_ALL: u64 = 0;
const P_PID: u64 = 1;
const P_PGID: u64 = 2;
const CLD_EXITED: i32 = 1;
const CLD_KILLED: i32 = 2;
const CLD_STOPPED: i32 = 5;
const CLD_CONTINUED: i32 = 6;

/// waitid's siginfo for a stop or continue (SIGCHLD, the code, pid, uid, status).
/// What waitid reports in its siginfo: Linux stores exactly these fields
/// (si_signo, si_errno, si_code, si_pid, si_uid, si_status), whatever the outcome,
/// errors included; the rest of the caller's buffer keeps its bytes.
#[derive(Default)]
struct WaitidInfo {
    signo: i32,
    code: i32,
    pid: i32,
    uid: u32,
    status: i32,
}

fn put_waitid_info(k: &mut Kernel, infop: u64, w: &WaitidInfo) -> Result<(), Errno> {
    let mut a = [0u8; 12];
    a[0..4].copy_from_slice(&w.signo.to_le_bytes());
    a[8..12].copy_from_slice(&w.code.to_le_bytes());
    let mut b = [0u8; 12];
    b[0..4].copy_from_slice(&w.pid.to_le_bytes());
    b[4..8].copy_from_slice(&w.uid.to_le_bytes());
    b[8..12].copy_from_slice(&w.status.to_le_bytes());
    k.copy_to_user(infop, &a)?;
    k.copy_to_user(infop + 16, &b)?;
    Ok(())
}

pub fn sys_waitid(k: &mut Kernel, a: &Args) -> SysResult {
    let (infop, rusage) = (a[2], a[4]);
    let mut info = WaitidInfo::default();
    let r = waitid(k, a, &mut info);
    if r == Err(Errno::ERESTARTSYS) || infop == 0 {
        return r.map(|_| 0);
    }
    put_waitid_info(k, infop, &info)?;
    if let Ok(Some(utime_us)) = r {
        if rusage != 0 {
            k.copy_to_user(rusage, &rusage_bytes(utime_us))?;
        }
    }
    r.map(|_| 0)
}

/// waitid's work; Ok(Some(user time)) when a child was reaped.
fn waitid(k: &mut Kernel, a: &Args, info: &mut WaitidInfo) -> Result<Option<u64>, Errno> {
    let (idtype, id, options) = (a[0], a[1] as i32, a[3]);
    if options & !(WNOHANG | WEXITED | WUNTRACED | WCONTINUED | WNOWAIT | WNOTHREAD | WALL | WCLONE)
        != 0
        || options & (WEXITED | WUNTRACED | WCONTINUED) == 0
    {
        return Err(Errno::EINVAL);
    }
    let which = match idtype {
        P_ALL => Which::Any,
        P_PID if id > 0 => Which::Pid(Pid(id)),
        P_PGID if id >= 0 => Which::Pgid(Pid(id)),
        _ => return Err(Errno::EINVAL),
    };
    let uid = crate::current_uid();
    let child = |code: i32, pid: Pid, status: i32| WaitidInfo {
        signo: crate::signal::SIGCHLD,
        code,
        pid: pid.0,
        uid,
        status,
    };
    match k.do_wait(which, options)? {
        WaitResult::Stopped { pid, sig } => {
            *info = child(CLD_STOPPED, pid, sig);
            Ok(None)
        }
        WaitResult::Continued { pid } => {
            *info = child(CLD_CONTINUED, pid, crate::signal::SIGCONT);
            Ok(None)
        }
        WaitResult::Nothing => Ok(None),
        WaitResult::Reaped {
            pid,
            status,
            utime_us,
        } => {
            let (code, st) = match status {
                ExitStatus::Exited(c) => (CLD_EXITED, c),
                ExitStatus::Signaled { sig, .. } => (CLD_KILLED, sig),
            };
            *info = child(code, pid, st);
            Ok(Some(utime_us))
        }
    }
}
