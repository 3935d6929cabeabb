//! Process identity and exit: exit, exit_group, getpid, gettid, getppid, get[e]uid,
//! get[e]gid, process groups and sessions, prctl. (kill/tkill/tgkill: signal.rs.)

use super::Args;
use crate::errno::{Errno, SysResult};
use crate::task::ExitStatus;
use crate::task::Pid;
use crate::Kernel;

pub fn sys_exit(k: &mut Kernel, a: &Args) -> SysResult {
    k.exit_thread(a[0] as i32 & 0xff);
    Ok(0)
}

pub fn sys_exit_group(k: &mut Kernel, a: &Args) -> SysResult {
    k.exit_group(ExitStatus::Exited(a[0] as i32 & 0xff));
    Ok(0)
}

pub fn sys_getpid(k: &mut Kernel, _: &Args) -> SysResult {
    Ok(k.current_task().tgid.0 as u64)
}

pub fn sys_gettid(k: &mut Kernel, _: &Args) -> SysResult {
    Ok(k.current_task().tid.0 as u64)
}

pub fn sys_getppid(k: &mut Kernel, _: &Args) -> SysResult {
    let tgid = k.current_task().tgid;
    Ok(k.procs.get(&tgid).map_or(0, |p| p.ppid.0) as u64)
}

pub fn sys_getuid(_: &mut Kernel, _: &Args) -> SysResult {
    Ok(crate::current_uid() as u64)
}

pub fn sys_geteuid(_: &mut Kernel, _: &Args) -> SysResult {
    Ok(crate::current_uid() as u64)
}

pub fn sys_getgid(_: &mut Kernel, _: &Args) -> SysResult {
    Ok(crate::current_gid() as u64)
}

pub fn sys_getegid(_: &mut Kernel, _: &Args) -> SysResult {
    Ok(crate::current_gid() as u64)
}

pub fn sys_getpgid(k: &mut Kernel, a: &Args) -> SysResult {
    let pid = if a[0] == 0 {
        k.current_task().tgid
    } else {
        Pid(a[0] as i32)
    };
    k.procs
        .get(&pid)
        .map(|p| p.pgid.0 as u64)
        .ok_or(Errno::ESRCH)
}

pub fn sys_getpgrp(k: &mut Kernel, _: &Args) -> SysResult {
    let me = k.current_task().tgid;
    Ok(k.procs[&me].pgid.0 as u64)
}

pub fn sys_getsid(k: &mut Kernel, a: &Args) -> SysResult {
    let pid = if a[0] == 0 {
        k.current_task().tgid
    } else {
        Pid(a[0] as i32)
    };
    k.procs
        .get(&pid)
        .map(|p| p.sid.0 as u64)
        .ok_or(Errno::ESRCH)
}

/// setpgid (POSIX rules): a process may move itself or a child that has not exec'd
/// into a group of the same session; a session leader cannot move.
pub fn sys_setpgid(k: &mut Kernel, a: &Args) -> SysResult {
    let me = k.current_task().tgid;
    let pid = if a[0] == 0 { me } else { Pid(a[0] as i32) };
    if (a[0] as i32) < 0 || (a[1] as i32) < 0 {
        return Err(Errno::EINVAL);
    }
    let pgid = if a[1] == 0 { pid } else { Pid(a[1] as i32) };
    let target = k.procs.get(&pid).ok_or(Errno::ESRCH)?;
    if pid != me && target.ppid != me {
        return Err(Errno::ESRCH);
    }
    let my_sid = k.procs[&me].sid;
    if target.sid != my_sid {
        return Err(Errno::EPERM);
    }
    if target.sid == pid {
        return Err(Errno::EPERM);
    }
    if pgid != pid && !k.procs.values().any(|p| p.pgid == pgid && p.sid == my_sid) {
        return Err(Errno::EPERM);
    }
    if let Some(p) = k.procs.get_mut(&pid) {
        p.pgid = pgid;
    }
    Ok(0)
}

pub fn sys_setsid(k: &mut Kernel, _: &Args) -> SysResult {
    let me = k.current_task().tgid;
    if k.procs.values().any(|p| p.pgid == me) {
        return Err(Errno::EPERM);
    }
    if let Some(p) = k.procs.get_mut(&me) {
        p.sid = me;
        p.pgid = me;
    }
    Ok(me.0 as u64)
}

const PR_SET_PDEATHSIG: u64 = 1;
const PR_GET_PDEATHSIG: u64 = 2;
const PR_SET_NAME: u64 = 15;
const PR_GET_NAME: u64 = 16;
const PR_SET_CHILD_SUBREAPER: u64 = 36;
const PR_GET_CHILD_SUBREAPER: u64 = 37;

pub fn sys_prctl(k: &mut Kernel, a: &Args) -> SysResult {
    match a[0] {
        PR_SET_NAME => {
            let mut name = k.read_vec(a[1], 16).or_else(|_| k.read_cstr(a[1], 4096))?;
            if let Some(n) = name.iter().position(|&b| b == 0) {
                name.truncate(n);
            }
            name.truncate(15);
            k.current_task_mut().comm = String::from_utf8_lossy(&name).into_owned();
            Ok(0)
        }
        PR_GET_NAME => {
            let mut b = [0u8; 16];
            let c = k.current_task().comm.clone();
            let n = c.len().min(15);
            b[..n].copy_from_slice(&c.as_bytes()[..n]);
            k.copy_to_user(a[1], &b)?;
            Ok(0)
        }
        PR_SET_CHILD_SUBREAPER => {
            let me = k.current_task().tgid;
            if let Some(p) = k.procs.get_mut(&me) {
                p.subreaper = a[1] != 0;
            }
            Ok(0)
        }
        PR_GET_CHILD_SUBREAPER => {
            let me = k.current_task().tgid;
            let v = k.procs[&me].subreaper as u32;
            k.write_u32(a[1], v)?;
            Ok(0)
        }
        PR_SET_PDEATHSIG | PR_GET_PDEATHSIG => super::signal::prctl_pdeathsig(k, a[0], a[1]),
        _ => Err(Errno::EINVAL),
    }
}

/// getgroups: the supplementary groups of the user puffer runs as (the guest runs with
/// the host user's credentials).
pub fn sys_getgroups(k: &mut Kernel, a: &Args) -> SysResult {
    let size = a[0] as i32;
    if size < 0 {
        return Err(Errno::EINVAL);
    }
    // SAFETY: getgroups(0, NULL) only counts; then fills a buffer we own.
    let n = unsafe { libc::getgroups(0, std::ptr::null_mut()) };
    if n < 0 {
        return Err(std::io::Error::last_os_error().into());
    }
    let mut groups = vec![0 as libc::gid_t; n as usize];
    let n = unsafe { libc::getgroups(n, groups.as_mut_ptr()) };
    if n < 0 {
        return Err(std::io::Error::last_os_error().into());
    }
    groups.truncate(n as usize);
    if size == 0 {
        return Ok(groups.len() as u64);
    }
    if (size as usize) < groups.len() {
        return Err(Errno::EINVAL);
    }
    let bytes: Vec<u8> = groups.iter().flat_map(|g| g.to_le_bytes()).collect();
    k.copy_to_user(a[1], &bytes)?;
    Ok(groups.len() as u64)
}

/// sched_getaffinity: puffer's guests run on one (virtual) CPU, CPU 0.
pub fn sys_sched_getaffinity(k: &mut Kernel, a: &Args) -> SysResult {
    let (pid, len) = (a[0] as i32, a[1] as usize);
    if pid != 0 && !k.tasks.contains_key(&Pid(pid)) {
        return Err(Errno::ESRCH);
    }
    if len < 8 || len % 8 != 0 {
        return Err(Errno::EINVAL);
    }
    k.copy_to_user(a[2], &1u64.to_le_bytes())?;
    Ok(8)
}

/// sched_setaffinity: any mask that includes CPU 0 is accepted (it is the only one).
pub fn sys_sched_setaffinity(k: &mut Kernel, a: &Args) -> SysResult {
    let (pid, len) = (a[0] as i32, a[1] as usize);
    if pid != 0 && !k.tasks.contains_key(&Pid(pid)) {
        return Err(Errno::ESRCH);
    }
    if len == 0 {
        return Err(Errno::EINVAL);
    }
    let first = k.read_vec(a[2], 1)?;
    if first[0] & 1 == 0 {
        return Err(Errno::EINVAL);
    }
    Ok(0)
}
