//! Process creation and program replacement: fork, vfork, clone, clone3, execve,
//! execveat. Thin adapters over `process::fork` and `process::exec`.

use super::{Args, AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW};
use crate::errno::{Errno, SysResult};
use crate::process::fork::CloneArgs;
use crate::process::CloneFlags;
use crate::Kernel;

pub fn sys_fork(k: &mut Kernel, _: &Args) -> SysResult {
    Ok(k.clone_task(CloneArgs::fork())?.0 as u64)
}

pub fn sys_vfork(k: &mut Kernel, _: &Args) -> SysResult {
    Ok(k.clone_task(CloneArgs::vfork())?.0 as u64)
}

/// clone(flags, stack, parent_tid, child_tid, tls) — the x86-64 argument order.
pub fn sys_clone(k: &mut Kernel, a: &Args) -> SysResult {
    let flags = CloneFlags::from_bits_truncate(a[0] & !0xff);
    let args = CloneArgs {
        flags,
        exit_signal: (a[0] & 0xff) as i32,
        stack: a[1],
        parent_tid: a[2],
        child_tid: a[3],
        tls: a[4],
    };
    Ok(k.clone_task(args)?.0 as u64)
}

/// clone3(struct clone_args *, size).
pub fn sys_clone3(k: &mut Kernel, a: &Args) -> SysResult {
    let size = a[1] as usize;
    // CLONE_ARGS_SIZE_VER0 is 64 bytes; larger structs must have zeros past what we know.
    if !(64..=4096).contains(&size) {
        return Err(Errno::EINVAL);
    }
    let raw = k.read_vec(a[0], size)?;
    let w = |i: usize| u64::from_le_bytes(raw[i * 8..i * 8 + 8].try_into().unwrap_or_default());
    if size > 88 && raw[88..].iter().any(|&b| b != 0) {
        return Err(Errno::E2BIG);
    }
    let (flags, _pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls) =
        (w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7));
    if exit_signal > 64 || (stack == 0) != (stack_size == 0) && stack_size != 0 {
        return Err(Errno::EINVAL);
    }
    let flags = CloneFlags::from_bits(flags).ok_or(Errno::EINVAL)?;
    let args = CloneArgs {
        flags,
        exit_signal: exit_signal as i32,
        stack: if stack != 0 { stack + stack_size } else { 0 },
        parent_tid,
        child_tid,
        tls,
    };
    Ok(k.clone_task(args)?.0 as u64)
}

pub fn sys_execve(k: &mut Kernel, a: &Args) -> SysResult {
    let path = k.read_path(a[0])?;
    let argv = k.read_strings(a[1])?;
    let envp = k.read_strings(a[2])?;
    k.execve(super::AT_FDCWD, &path, argv, envp, true)?;
    Ok(0)
}

pub fn sys_execveat(k: &mut Kernel, a: &Args) -> SysResult {
    let flags = a[4];
    if flags & !(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0 {
        return Err(Errno::EINVAL);
    }
    let mut path = String::from_utf8(k.read_cstr(a[1], crate::vfs::path::PATH_MAX)?)
        .map_err(|_| Errno::EINVAL)?;
    let dirfd = a[0] as i32;
    if path.is_empty() {
        if flags & AT_EMPTY_PATH == 0 {
            return Err(Errno::ENOENT);
        }
        // Execute the file the descriptor refers to.
        path = k.file(dirfd)?.path.clone();
    }
    let argv = k.read_strings(a[2])?;
    let envp = k.read_strings(a[3])?;
    k.execve(dirfd, &path, argv, envp, flags & AT_SYMLINK_NOFOLLOW == 0)?;
    Ok(0)
}
