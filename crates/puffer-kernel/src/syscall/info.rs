//! System information and limits: uname, sysinfo, getrandom, getrlimit, setrlimit,
//! prlimit64.

use super::Args;
use crate::errno::{Errno, SysResult};
use crate::Kernel;

/// The identity uname reports in deterministic mode instead of the host's.
const FIXED_UTSNAME: [&str; 6] = [
    "Linux",
    "puffer",
    "6.1.0-puffer",
    "#1 SMP PREEMPT_DYNAMIC puffer",
    "x86_64",
    "(none)",
];

/// uname: the host's identity (so programs see what they would natively), with the
/// machine always x86_64; a fixed one in deterministic mode.
pub fn sys_uname(k: &mut Kernel, a: &Args) -> SysResult {
    let mut out = [0u8; 65 * 6];
    if k.deterministic() {
        for (i, f) in FIXED_UTSNAME.iter().enumerate() {
            out[i * 65..i * 65 + f.len()].copy_from_slice(f.as_bytes());
        }
        k.copy_to_user(a[0], &out)?;
        return Ok(0);
    }
    // SAFETY: uname(2) fills a struct we own.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    unsafe { libc::uname(&mut u) };
    let fields = [
        &u.sysname,
        &u.nodename,
        &u.release,
        &u.version,
        &u.machine,
        &u.domainname,
    ];
    for (i, f) in fields.iter().enumerate() {
        for (j, c) in f.iter().take(64).enumerate() {
            out[i * 65 + j] = *c as u8;
        }
    }
    let m = b"x86_64\0";
    out[4 * 65..4 * 65 + m.len()].copy_from_slice(m);
    k.copy_to_user(a[0], &out)?;
    Ok(0)
}

/// sysinfo: uptime, guest RAM and its use, the number of processes.
pub fn sys_sysinfo(k: &mut Kernel, a: &Args) -> SysResult {
    let mut b = [0u8; 112];
    let up = k.clock_read(libc::CLOCK_BOOTTIME).map_or(0, |t| t.0);
    let total = k.cpu.mmu.phys.size();
    let used = k.cpu.mmu.phys.frames_in_use() as u64 * 4096;
    b[0..8].copy_from_slice(&up.to_le_bytes());
    b[32..40].copy_from_slice(&total.to_le_bytes());
    b[40..48].copy_from_slice(&(total - used.min(total)).to_le_bytes());
    b[80..82].copy_from_slice(&(k.procs.len() as u16).to_le_bytes());
    b[104..108].copy_from_slice(&1u32.to_le_bytes()); // mem_unit
    k.copy_to_user(a[0], &b)?;
    Ok(0)
}

const GRND_NONBLOCK: u64 = 1;
const GRND_RANDOM: u64 = 2;
const GRND_INSECURE: u64 = 4;

pub fn sys_getrandom(k: &mut Kernel, a: &Args) -> SysResult {
    if a[2] & !(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) != 0
        || a[2] & (GRND_RANDOM | GRND_INSECURE) == (GRND_RANDOM | GRND_INSECURE)
    {
        return Err(Errno::EINVAL);
    }
    let n = (a[1] as usize).min(32 << 20);
    let mut buf = vec![0u8; n];
    crate::random::fill(&mut buf);
    k.copy_to_user(a[0], &buf)?;
    Ok(n as u64)
}

pub const RLIM_INFINITY: u64 = u64::MAX;
pub const RLIMIT_NLIMITS: usize = 16;

/// Linux's defaults for a process started from a login shell.
pub fn default_rlimits() -> [(u64, u64); RLIMIT_NLIMITS] {
    let inf = (RLIM_INFINITY, RLIM_INFINITY);
    [
        inf,                      // CPU
        inf,                      // FSIZE
        inf,                      // DATA
        (8 << 20, RLIM_INFINITY), // STACK
        (0, RLIM_INFINITY),       // CORE
        inf,                      // RSS
        (4096, 4096),             // NPROC
        (1024, 4096),             // NOFILE
        (8 << 20, 8 << 20),       // MEMLOCK
        inf,                      // AS
        inf,                      // LOCKS
        (4096, 4096),             // SIGPENDING
        (819_200, 819_200),       // MSGQUEUE
        (0, 0),                   // NICE
        (0, 0),                   // RTPRIO
        inf,                      // RTTIME
    ]
}

impl Kernel {
    fn rlimit(&mut self, res: u64, new: Option<(u64, u64)>) -> Result<(u64, u64), Errno> {
        let r = res as usize;
        if r >= RLIMIT_NLIMITS {
            return Err(Errno::EINVAL);
        }
        let tgid = self.current_task().tgid;
        let p = self.procs.get_mut(&tgid).ok_or(Errno::ESRCH)?;
        let old = p.rlimits[r];
        if let Some((cur, max)) = new {
            if cur > max {
                return Err(Errno::EINVAL);
            }
            if max > old.1 && crate::current_uid() != 0 {
                return Err(Errno::EPERM);
            }
            p.rlimits[r] = (cur, max);
        }
        Ok(old)
    }

    fn read_rlimit(&mut self, addr: u64) -> Result<(u64, u64), Errno> {
        let b = self.read_vec(addr, 16)?;
        Ok((
            u64::from_le_bytes(b[..8].try_into().unwrap_or_default()),
            u64::from_le_bytes(b[8..].try_into().unwrap_or_default()),
        ))
    }

    fn write_rlimit(&mut self, addr: u64, v: (u64, u64)) -> Result<(), Errno> {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&v.0.to_le_bytes());
        b[8..].copy_from_slice(&v.1.to_le_bytes());
        self.copy_to_user(addr, &b)
    }
}

pub fn sys_getrlimit(k: &mut Kernel, a: &Args) -> SysResult {
    let v = k.rlimit(a[0], None)?;
    k.write_rlimit(a[1], v)?;
    Ok(0)
}

pub fn sys_setrlimit(k: &mut Kernel, a: &Args) -> SysResult {
    let new = k.read_rlimit(a[1])?;
    k.rlimit(a[0], Some(new))?;
    Ok(0)
}

pub fn sys_prlimit64(k: &mut Kernel, a: &Args) -> SysResult {
    let pid = a[0] as i32;
    if pid != 0 && pid != k.current_task().tgid.0 {
        // Other processes' limits: only for processes that exist.
        if !k.procs.contains_key(&crate::task::Pid(pid)) {
            return Err(Errno::ESRCH);
        }
    }
    let new = if a[2] != 0 {
        Some(k.read_rlimit(a[2])?)
    } else {
        None
    };
    let old = k.rlimit(a[1], new)?;
    if a[3] != 0 {
        k.write_rlimit(a[3], old)?;
    }
    Ok(0)
}

/// `struct rusage` with the user time filled (system time is counted as user time:
/// the guest's kernel work runs on the same host thread).
fn rusage(ns: u64) -> [u8; 144] {
    let mut b = [0u8; 144];
    let us = ns / 1000;
    b[0..8].copy_from_slice(&((us / 1_000_000) as i64).to_le_bytes());
    b[8..16].copy_from_slice(&((us % 1_000_000) as i64).to_le_bytes());
    b
}

const RUSAGE_SELF: i32 = 0;
const RUSAGE_CHILDREN: i32 = -1;
const RUSAGE_THREAD: i32 = 1;

pub fn sys_getrusage(k: &mut Kernel, a: &Args) -> SysResult {
    let me = k.current_task().tgid;
    let p = &k.procs[&me];
    let ns = match a[0] as i32 {
        // Threads' own CPU time is counted only on the virtual clock.
        RUSAGE_THREAD if k.deterministic() => k.current_task().cpu_ns,
        RUSAGE_SELF | RUSAGE_THREAD => p.cpu_ns,
        RUSAGE_CHILDREN => p.children_ns,
        _ => return Err(Errno::EINVAL),
    };
    k.copy_to_user(a[1], &rusage(ns))?;
    Ok(0)
}

/// times(2): clock ticks (100 Hz) of user time for the process and its children, and
/// the ticks since an arbitrary point (boot) as the result.
pub fn sys_times(k: &mut Kernel, a: &Args) -> SysResult {
    let me = k.current_task().tgid;
    let p = &k.procs[&me];
    let tick = |ns: u64| (ns / 10_000_000).to_le_bytes();
    if a[0] != 0 {
        let mut b = [0u8; 32];
        b[0..8].copy_from_slice(&tick(p.cpu_ns));
        b[16..24].copy_from_slice(&tick(p.children_ns));
        k.copy_to_user(a[0], &b)?;
    }
    let up = k.clock_read(libc::CLOCK_BOOTTIME).unwrap_or((0, 0));
    Ok((up.0 as u64) * 100 + (up.1 as u64) / 10_000_000)
}
