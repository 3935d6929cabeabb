//! Process identity and exit: exit, exit_group, getpid, gettid, getppid, get[e]uid,
//! get[e]gid.

use super::Args;
use crate::errno::SysResult;
use crate::task::ExitStatus;
use crate::Kernel;

pub fn sys_exit(k: &mut Kernel, a: &Args) -> SysResult {
    // With one thread per process (for now), exit ends the thread group.
    k.exit_group(ExitStatus::Exited(a[0] as i32 & 0xff));
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
