//! The syscall layer: one table from x86-64 syscall numbers to handlers, and thin
//! handlers, one file per family, that decode arguments, call into the kernel's own
//! modules (`mm`, `vfs`, `task`) and encode results. Errors are `Errno` values,
//! turned into `-errno` in exactly one place, [`dispatch`].

mod clone;
mod dir;
mod fifo;
mod fsmeta;
mod futex;
mod info;
mod io;
mod ioctl;
mod mem;
pub mod names;
mod open;
mod pipe;
mod poll;
mod process;
mod sendfile;
mod signal;
mod socket;
mod stat;
mod thread;
mod time;
mod vopen;
mod wait;

use crate::errno::{Errno, SysResult};
use crate::Kernel;
use puffer_cpu::reg;

pub use info::default_rlimits;

pub type Args = [u64; 6];
type Handler = fn(&mut Kernel, &Args) -> SysResult;

/// The x86-64 syscall table (arch/x86/entry/syscalls/syscall_64.tbl).
fn handler(nr: u64) -> Option<Handler> {
    Some(match nr {
        0 => io::sys_read,
        1 => io::sys_write,
        2 => open::sys_open,
        3 => open::sys_close,
        4 => stat::sys_stat,
        5 => stat::sys_fstat,
        6 => stat::sys_lstat,
        7 => poll::sys_poll,
        8 => io::sys_lseek,
        9 => mem::sys_mmap,
        10 => mem::sys_mprotect,
        11 => mem::sys_munmap,
        12 => mem::sys_brk,
        13 => signal::sys_rt_sigaction,
        14 => signal::sys_rt_sigprocmask,
        15 => signal::sys_rt_sigreturn,
        16 => ioctl::sys_ioctl,
        17 => io::sys_pread64,
        18 => io::sys_pwrite64,
        19 => io::sys_readv,
        20 => io::sys_writev,
        21 => stat::sys_access,
        22 => pipe::sys_pipe,
        23 => poll::sys_select,
        24 => time::sys_sched_yield,
        25 => mem::sys_mremap,
        26 => mem::sys_msync,
        28 => mem::sys_madvise,
        32 => open::sys_dup,
        33 => open::sys_dup2,
        34 => signal::sys_pause,
        35 => time::sys_nanosleep,
        36 => signal::sys_getitimer,
        37 => signal::sys_alarm,
        38 => signal::sys_setitimer,
        39 => process::sys_getpid,
        40 => sendfile::sys_sendfile,
        41 => socket::sys_socket,
        44 => socket::sys_sendto,
        45 => socket::sys_recvfrom,
        46 => socket::sys_sendmsg,
        47 => socket::sys_recvmsg,
        48 => socket::sys_shutdown,
        51 => socket::sys_getsockname,
        52 => socket::sys_getpeername,
        53 => socket::sys_socketpair,
        54 => socket::sys_setsockopt,
        55 => socket::sys_getsockopt,
        56 => clone::sys_clone,
        57 => clone::sys_fork,
        58 => clone::sys_vfork,
        59 => clone::sys_execve,
        60 => process::sys_exit,
        61 => wait::sys_wait4,
        62 => signal::sys_kill,
        63 => info::sys_uname,
        72 => open::sys_fcntl,
        74 => fsmeta::sys_fsync,
        75 => fsmeta::sys_fdatasync,
        76 => fsmeta::sys_truncate,
        77 => fsmeta::sys_ftruncate,
        79 => dir::sys_getcwd,
        80 => dir::sys_chdir,
        81 => dir::sys_fchdir,
        82 => dir::sys_rename,
        83 => dir::sys_mkdir,
        84 => dir::sys_rmdir,
        85 => open::sys_creat,
        86 => dir::sys_link,
        87 => dir::sys_unlink,
        88 => dir::sys_symlink,
        89 => stat::sys_readlink,
        90 => fsmeta::sys_chmod,
        91 => fsmeta::sys_fchmod,
        92 => fsmeta::sys_chown,
        93 => fsmeta::sys_fchown,
        94 => fsmeta::sys_lchown,
        95 => dir::sys_umask,
        96 => time::sys_gettimeofday,
        97 => info::sys_getrlimit,
        98 => info::sys_getrusage,
        99 => info::sys_sysinfo,
        100 => info::sys_times,
        102 => process::sys_getuid,
        104 => process::sys_getgid,
        107 => process::sys_geteuid,
        108 => process::sys_getegid,
        109 => process::sys_setpgid,
        110 => process::sys_getppid,
        111 => process::sys_getpgrp,
        112 => process::sys_setsid,
        121 => process::sys_getpgid,
        124 => process::sys_getsid,
        127 => signal::sys_rt_sigpending,
        128 => signal::sys_rt_sigtimedwait,
        129 => signal::sys_rt_sigqueueinfo,
        130 => signal::sys_rt_sigsuspend,
        131 => signal::sys_sigaltstack,
        132 => fsmeta::sys_utime,
        133 => fifo::sys_mknod,
        137 => fsmeta::sys_statfs,
        138 => fsmeta::sys_fstatfs,
        157 => process::sys_prctl,
        158 => thread::sys_arch_prctl,
        160 => info::sys_setrlimit,
        162 => fsmeta::sys_sync,
        115 => process::sys_getgroups,
        186 => process::sys_gettid,
        200 => signal::sys_tkill,
        201 => time::sys_time,
        203 => process::sys_sched_setaffinity,
        204 => process::sys_sched_getaffinity,
        202 => futex::sys_futex,
        217 => dir::sys_getdents64,
        218 => thread::sys_set_tid_address,
        219 => signal::sys_restart_syscall,
        228 => time::sys_clock_gettime,
        229 => time::sys_clock_getres,
        230 => time::sys_clock_nanosleep,
        231 => process::sys_exit_group,
        234 => signal::sys_tgkill,
        235 => fsmeta::sys_utimes,
        247 => wait::sys_waitid,
        257 => open::sys_openat,
        258 => dir::sys_mkdirat,
        259 => fifo::sys_mknodat,
        260 => fsmeta::sys_fchownat,
        261 => fsmeta::sys_futimesat,
        262 => stat::sys_newfstatat,
        263 => dir::sys_unlinkat,
        264 => dir::sys_renameat,
        265 => dir::sys_linkat,
        266 => dir::sys_symlinkat,
        267 => stat::sys_readlinkat,
        268 => fsmeta::sys_fchmodat,
        269 => stat::sys_faccessat,
        270 => poll::sys_pselect6,
        271 => poll::sys_ppoll,
        273 => thread::sys_set_robust_list,
        280 => fsmeta::sys_utimensat,
        284 => pipe::sys_eventfd,
        290 => pipe::sys_eventfd2,
        292 => open::sys_dup3,
        293 => pipe::sys_pipe2,
        297 => signal::sys_rt_tgsigqueueinfo,
        302 => info::sys_prlimit64,
        306 => fsmeta::sys_syncfs,
        316 => dir::sys_renameat2,
        318 => info::sys_getrandom,
        322 => clone::sys_execveat,
        332 => stat::sys_statx,
        334 => thread::sys_rseq,
        435 => clone::sys_clone3,
        439 => stat::sys_faccessat2,
        452 => fsmeta::sys_fchmodat2,
        _ => return None,
    })
}

/// Whether puffer implements syscall `nr` (for `--strace`'s coverage test).
#[cfg(test)]
pub fn implemented(nr: u64) -> bool {
    handler(nr).is_some()
}

/// Handle the `syscall` the current task just executed.
pub fn dispatch(k: &mut Kernel) {
    k.stats.syscalls += 1;
    k.charge_retired();
    let g = k.cpu.state.gpr;
    let nr = g[reg::RAX];
    let args: Args = [
        g[reg::RDI],
        g[reg::RSI],
        g[reg::RDX],
        g[reg::R10],
        g[reg::R8],
        g[reg::R9],
    ];
    // Signals: whatever syscall was parked (asleep) is being executed again.
    k.signal_syscall_entry();
    let traced = crate::strace::enter(k, nr, &args);
    let result = match handler(nr) {
        Some(h) => h(k, &args),
        None => {
            if k.enosys_logged.insert(nr) {
                match names::name(nr) {
                    Some(n) => tracing::warn!("unimplemented syscall {n} ({nr}): returning ENOSYS"),
                    None => tracing::warn!("unknown syscall {nr}: returning ENOSYS"),
                }
            }
            Err(Errno::ENOSYS)
        }
    };
    if result == Err(Errno::ERESTARTSYS) {
        // The task sleeps, then executes the same syscall again: RIP back onto
        // `syscall` (two bytes, 0f 05); RAX still holds the number.
        k.cpu.state.rip -= 2;
        // Signals: a pending signal interrupts the sleep (signal/deliver.rs).
        k.signal_syscall_parked();
        if let Some(e) = traced {
            crate::strace::parked(k, nr, &args, e);
        }
        return;
    }
    if let Some(e) = traced {
        crate::strace::exit(k, nr, &args, e, result);
    }
    k.cpu.state.gpr[reg::RAX] = match result {
        Ok(v) => v,
        Err(e) => e.to_ret(),
    };
}

/// The directory fd value that means "the current working directory".
pub const AT_FDCWD: i32 = -100;
pub const AT_SYMLINK_NOFOLLOW: u64 = 0x100;
pub const AT_REMOVEDIR: u64 = 0x200;
pub const AT_SYMLINK_FOLLOW: u64 = 0x400;
pub const AT_EMPTY_PATH: u64 = 0x1000;
