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
fn waitid_info(k: &mut Kernel, infop: u64, code: i32, pid: Pid, st: i32) -> Result<(), Errno> {
    if infop != 0 {
        let info = crate::signal::SigInfo::child(crate::signal::SIGCHLD, code, pid, st);
        k.copy_to_user(infop, &info.0)?;
    }
    Ok(())
}

pub fn sys_waitid(k: &mut Kernel, a: &Args) -> SysResult {
    let (idtype, id, infop, options, rusage) = (a[0], a[1] as i32, a[2], a[3], a[4]);
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
    match k.do_wait(which, options)? {
        WaitResult::Stopped { pid, sig } => {
            waitid_info(k, infop, CLD_STOPPED, pid, sig)?;
            Ok(0)
        }
        WaitResult::Continued { pid } => {
            waitid_info(k, infop, CLD_CONTINUED, pid, crate::signal::SIGCONT)?;
            Ok(0)
        }
        WaitResult::Nothing => {
            if infop != 0 {
                k.copy_to_user(infop, &[0u8; 128])?;
            }
            Ok(0)
        }
        WaitResult::Reaped {
            pid,
            status,
            utime_us,
        } => {
            if infop != 0 {
                let mut si = [0u8; 128];
                si[0..4].copy_from_slice(&crate::signal::SIGCHLD.to_le_bytes());
                let (code, st) = match status {
                    ExitStatus::Exited(c) => (CLD_EXITED, c),
                    ExitStatus::Signaled { sig, .. } => (CLD_KILLED, sig),
                };
                si[8..12].copy_from_slice(&code.to_le_bytes());
                si[16..20].copy_from_slice(&pid.0.to_le_bytes());
                si[20..24].copy_from_slice(&crate::current_uid().to_le_bytes());
                si[24..28].copy_from_slice(&st.to_le_bytes());
                k.copy_to_user(infop, &si)?;
            }
            if rusage != 0 {
                k.copy_to_user(rusage, &rusage_bytes(utime_us))?;
            }
            Ok(0)
        }
    }
}
