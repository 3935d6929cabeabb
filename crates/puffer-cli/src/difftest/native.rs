//! The native side of difftest: the program run by the host kernel as a ptrace'd
//! child with ASLR off, and the few ptrace requests difftest makes of it.

use std::ffi::CString;
use std::fs::File;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;

/// A ptrace'd child, stopped whenever difftest looks at it.
pub struct Native {
    pub pid: libc::pid_t,
    /// /proc/PID/mem, which stays bound to the address space it was opened on:
    /// reopened after an execve.
    mem: File,
    /// Set when the process has completed an execve (cleared by `take_exec`).
    execed: bool,
    /// The CPU both difftest and the child are pinned to, if pinning worked.
    pub cpu: Option<i32>,
}

/// Why the native process stopped after being resumed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// A single-step completed (plain SIGTRAP).
    Trap,
    /// A syscall-entry or syscall-exit stop (PTRACE_O_TRACESYSGOOD).
    Syscall,
    /// The process is about to receive this signal (signal-delivery-stop).
    Signal(i32),
    /// It ended: the raw wait status.
    Ended(i32),
}

pub fn errno_str() -> String {
    std::io::Error::last_os_error().to_string()
}

/// Pin this thread (and so the child forked next) to the CPU it runs on now: a
/// ptrace stop between two CPUs costs ~65 µs on a VM, on one CPU ~24 µs. Picking the
/// current CPU spreads parallel difftests over the machine.
fn pin_to_current_cpu() -> Option<i32> {
    // SAFETY: sched_getcpu has no preconditions; the cpu_set_t is ours.
    unsafe {
        let cpu = libc::sched_getcpu();
        if cpu < 0 {
            return None;
        }
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu as usize, &mut set);
        (libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0)
            .then_some(cpu)
    }
}

impl Native {
    /// Start `elf` with `args` stopped at its first instruction (after exec).
    pub fn spawn(elf: &std::path::Path, args: &[std::ffi::OsString]) -> Result<Native, String> {
        let path = CString::new(elf.as_os_str().as_bytes()).map_err(|_| "NUL in path")?;
        let mut argv: Vec<CString> = vec![path.clone()];
        for a in args {
            argv.push(CString::new(a.as_bytes()).map_err(|_| "NUL in an argument")?);
        }
        let mut argp: Vec<*const libc::c_char> = argv.iter().map(|c| c.as_ptr()).collect();
        argp.push(std::ptr::null());
        let cpu = pin_to_current_cpu();
        // Become the reaper of the native process's orphans, so that whatever it
        // leaves running (a child parked in pause(), say) is ours to end: left to
        // init, it would outlive difftest and hold its stdout open.
        // SAFETY: prctl on this process with integer arguments.
        unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
        // SAFETY: fork in a single-threaded moment of this process's life; the child
        // only calls async-signal-safe functions before exec.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(format!("fork: {}", errno_str()));
        }
        if pid == 0 {
            // SAFETY: the child: ptrace(TRACEME), personality, execv, _exit.
            unsafe {
                if libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) != 0 {
                    libc::_exit(120);
                }
                libc::personality(libc::ADDR_NO_RANDOMIZE as libc::c_ulong);
                libc::execv(path.as_ptr(), argp.as_ptr());
                libc::_exit(121);
            }
        }
        let mut st = 0;
        // SAFETY: waiting for our own child.
        unsafe { libc::waitpid(pid, &mut st, 0) };
        if !libc::WIFSTOPPED(st) {
            return Err(format!(
                "the native process did not stop at exec (status {st:#x}): is ptrace allowed here?"
            ));
        }
        // SAFETY: the child is stopped under our ptrace.
        unsafe {
            libc::ptrace(
                libc::PTRACE_SETOPTIONS,
                pid,
                0,
                (libc::PTRACE_O_EXITKILL | libc::PTRACE_O_TRACESYSGOOD | libc::PTRACE_O_TRACEEXEC)
                    as libc::c_long,
            )
        };
        let mem = open_mem(pid)?;
        Ok(Native {
            pid,
            mem,
            execed: false,
            cpu,
        })
    }

    /// Has the process completed an execve since the last call?
    pub fn take_exec(&mut self) -> bool {
        std::mem::take(&mut self.execed)
    }

    pub fn regs(&self) -> libc::user_regs_struct {
        // SAFETY: user_regs_struct is plain data; GETREGS fills it.
        unsafe {
            let mut r: libc::user_regs_struct = std::mem::zeroed();
            libc::ptrace(libc::PTRACE_GETREGS, self.pid, 0, &mut r as *mut _);
            r
        }
    }

    pub fn set_regs(&self, r: &libc::user_regs_struct) {
        // SAFETY: as above.
        unsafe { libc::ptrace(libc::PTRACE_SETREGS, self.pid, 0, r as *const _) };
    }

    pub fn xmm(&self) -> [u128; 16] {
        let mut buf = [0u8; 512];
        // SAFETY: GETFPREGS writes a 512-byte FXSAVE image.
        unsafe { libc::ptrace(libc::PTRACE_GETFPREGS, self.pid, 0, buf.as_mut_ptr()) };
        let mut x = [0u128; 16];
        for (i, v) in x.iter_mut().enumerate() {
            let o = 160 + 16 * i;
            *v = u128::from_le_bytes(buf[o..o + 16].try_into().unwrap_or([0; 16]));
        }
        x
    }

    /// The siginfo of the signal at a signal-delivery-stop.
    pub fn siginfo(&self) -> [u8; 128] {
        let mut b = [0u8; 128];
        // SAFETY: GETSIGINFO writes a 128-byte siginfo_t.
        unsafe { libc::ptrace(libc::PTRACE_GETSIGINFO, self.pid, 0, b.as_mut_ptr()) };
        b
    }

    /// Replace the siginfo of the signal at this signal-delivery-stop (a single-step
    /// stop is one, for SIGTRAP): resuming with another signal delivers that one
    /// with this siginfo.
    pub fn set_siginfo(&self, info: &[u8; 128]) {
        // SAFETY: SETSIGINFO reads a 128-byte siginfo_t.
        unsafe { libc::ptrace(libc::PTRACE_SETSIGINFO, self.pid, 0, info.as_ptr()) };
    }

    pub fn read(&self, addr: u64, len: usize) -> Option<Vec<u8>> {
        let mut v = vec![0u8; len];
        self.mem.read_exact_at(&mut v, addr).ok()?;
        Some(v)
    }

    pub fn write(&self, addr: u64, bytes: &[u8]) -> Result<(), String> {
        self.mem
            .write_all_at(bytes, addr)
            .map_err(|e| format!("writing native memory at {addr:#x}: {e}"))
    }

    /// The text of /proc/PID/maps.
    pub fn maps(&self) -> String {
        std::fs::read_to_string(format!("/proc/{}/maps", self.pid)).unwrap_or_default()
    }

    /// Resume with `req` (PTRACE_SINGLESTEP, PTRACE_SYSCALL, PTRACE_CONT), delivering
    /// `sig`, and wait for the next stop.
    ///
    /// An execve stops it in the middle of the syscall (PTRACE_EVENT_EXEC): the new
    /// address space is taken up and the process run on to the syscall's exit,
    /// which for a single-step is where the step ends.
    fn resume(&mut self, req: libc::c_uint, sig: i32) -> Stop {
        let mut st = 0;
        // SAFETY: our stopped tracee.
        unsafe {
            libc::ptrace(req, self.pid, 0, sig as libc::c_long);
            if libc::waitpid(self.pid, &mut st, libc::__WALL) < 0 {
                return Stop::Ended(st);
            }
        }
        if libc::WIFSTOPPED(st) && st >> 8 == libc::SIGTRAP | (libc::PTRACE_EVENT_EXEC << 8) {
            self.execed = true;
            if let Ok(m) = open_mem(self.pid) {
                self.mem = m;
            }
            return match self.resume(libc::PTRACE_SYSCALL, 0) {
                Stop::Syscall if req == libc::PTRACE_SINGLESTEP => Stop::Trap,
                other => other,
            };
        }
        classify(st)
    }

    /// Single-step one instruction, delivering `sig` first (0: none).
    pub fn step(&mut self, sig: i32) -> Stop {
        self.resume(libc::PTRACE_SINGLESTEP, sig)
    }

    /// Run to the next syscall entry or exit, delivering `sig` first.
    pub fn to_syscall(&mut self, sig: i32) -> Stop {
        self.resume(libc::PTRACE_SYSCALL, sig)
    }

    /// Let it run to its end, delivering `sig`; returns the wait status.
    pub fn finish(&mut self, mut sig: i32) -> i32 {
        loop {
            match self.resume(libc::PTRACE_CONT, sig) {
                Stop::Ended(st) => return st,
                Stop::Signal(s) => sig = s,
                _ => sig = 0,
            }
        }
    }
}

fn open_mem(pid: libc::pid_t) -> Result<File, String> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(format!("/proc/{pid}/mem"))
        .map_err(|e| format!("/proc/{pid}/mem: {e}"))
}

fn classify(st: i32) -> Stop {
    if libc::WIFEXITED(st) || libc::WIFSIGNALED(st) {
        return Stop::Ended(st);
    }
    match libc::WSTOPSIG(st) {
        s if s == libc::SIGTRAP | 0x80 => Stop::Syscall,
        libc::SIGTRAP if (st >> 16) == 0 => Stop::Trap,
        libc::SIGTRAP => Stop::Trap,
        s => Stop::Signal(s),
    }
}

/// This process's children, from /proc (every thread's list: a child belongs to
/// the thread that forked it).
fn children() -> Vec<libc::pid_t> {
    let mut out = Vec::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return out;
    };
    for t in tasks.flatten() {
        if let Ok(s) = std::fs::read_to_string(t.path().join("children")) {
            out.extend(s.split_whitespace().filter_map(|p| p.parse::<libc::pid_t>().ok()));
        }
    }
    out
}

impl Drop for Native {
    fn drop(&mut self) {
        // SAFETY: kill and reap our own child (harmless when it already ended).
        unsafe {
            libc::kill(self.pid, libc::SIGKILL);
            libc::waitpid(self.pid, std::ptr::null_mut(), libc::__WALL);
        }
        // Then every descendant it left: killing one orphans its children, which
        // come to us as the subreaper, so go round until none is left.
        for _ in 0..1000 {
            let kids = children();
            if kids.is_empty() {
                break;
            }
            for pid in kids {
                // SAFETY: as above, for a child of ours.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                    libc::waitpid(pid, std::ptr::null_mut(), libc::__WALL);
                }
            }
        }
    }
}
