//! The native side of difftest: the program run by the host kernel as a ptrace'd
//! child with ASLR off, and the few ptrace requests difftest makes of it.

use std::ffi::CString;
use std::fs::File;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;

mod held;
mod slice;
use slice::Ours;

/// A ptrace'd child, stopped whenever difftest looks at it.
///
/// Its threads are traced too (PTRACE_O_TRACECLONE). Requests about registers
/// and stops go to one of them, `cur`; memory is the process's.
pub struct Native {
    /// The process (its thread group leader).
    pub pid: libc::pid_t,
    /// The thread difftest operates on now.
    pub cur: libc::pid_t,
    /// Its live threads, the leader first.
    tids: Vec<libc::pid_t>,
    /// Wait statuses collected for a thread while waiting for any (`wait_any`).
    stash: Vec<(libc::pid_t, i32)>,
    /// /proc/PID/mem, which stays bound to the address space it was opened on:
    /// reopened after an execve.
    mem: File,
    /// Set when the process has completed an execve (cleared by `take_exec`).
    execed: bool,
    /// `settle` handled an event stop and resumed the thread to its syscall exit.
    settled_event: bool,
    /// The CPU both difftest and the child are pinned to, if pinning worked.
    pub cpu: Option<i32>,
    /// Children of the process difftest holds still while it runs its own code
    /// (see `held`).
    kids: Vec<(libc::pid_t, held::Kid)>,
    /// Are they held now?
    holding: bool,
    /// The time-slice helper, once a thread has been preempted (see slice.rs).
    slicer: Option<std::sync::Arc<slice::Slicer>>,
    /// The thread the helper may preempt now.
    slicing: Option<libc::pid_t>,
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
    /// Its time slice ended (only after [`Native::arm_slice`]): it stands at the
    /// delivery of a SIGSTOP difftest sent, which resuming it drops.
    Preempted,
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
        // SAFETY: getpid has no preconditions.
        let me = unsafe { libc::getpid() };
        // SAFETY: fork; the child only calls async-signal-safe functions before exec.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(format!("fork: {}", errno_str()));
        }
        if pid == 0 {
            // SAFETY: the child: prctl, getppid, ptrace(TRACEME), personality,
            // execv, _exit.
            unsafe {
                // Killed if difftest ends before it has set PTRACE_O_EXITKILL (a
                // localizing re-run's time limit can end it at any moment); a
                // tracee left behind in its stop would hold difftest's stdout.
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
                if libc::getppid() != me {
                    libc::_exit(122);
                }
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
                (libc::PTRACE_O_EXITKILL
                    | libc::PTRACE_O_TRACESYSGOOD
                    | libc::PTRACE_O_TRACEEXEC
                    | libc::PTRACE_O_TRACECLONE) as libc::c_long,
            )
        };
        let mem = open_mem(pid)?;
        Ok(Native {
            pid,
            cur: pid,
            tids: vec![pid],
            stash: Vec::new(),
            mem,
            execed: false,
            settled_event: false,
            cpu,
            kids: Vec::new(),
            holding: false,
            slicer: None,
            slicing: None,
        })
    }

    /// Has the process completed an execve since the last call?
    pub fn take_exec(&mut self) -> bool {
        std::mem::take(&mut self.execed)
    }

    pub fn regs(&self) -> libc::user_regs_struct {
        self.regs_of(self.cur)
    }

    /// The registers of thread `tid`, stopped.
    pub fn regs_of(&self, tid: libc::pid_t) -> libc::user_regs_struct {
        // SAFETY: user_regs_struct is plain data; GETREGS fills it.
        unsafe {
            let mut r: libc::user_regs_struct = std::mem::zeroed();
            libc::ptrace(libc::PTRACE_GETREGS, tid, 0, &mut r as *mut _);
            r
        }
    }

    pub fn set_regs(&self, r: &libc::user_regs_struct) {
        // SAFETY: as above.
        unsafe { libc::ptrace(libc::PTRACE_SETREGS, self.cur, 0, r as *const _) };
    }

    pub fn xmm(&self) -> [u128; 16] {
        let mut buf = [0u8; 512];
        // SAFETY: GETFPREGS writes a 512-byte FXSAVE image.
        unsafe { libc::ptrace(libc::PTRACE_GETFPREGS, self.cur, 0, buf.as_mut_ptr()) };
        let mut x = [0u128; 16];
        for (i, v) in x.iter_mut().enumerate() {
            let o = 160 + 16 * i;
            *v = u128::from_le_bytes(buf[o..o + 16].try_into().unwrap_or([0; 16]));
        }
        x
    }

    /// The siginfo of the signal at a signal-delivery-stop.
    pub fn siginfo(&self) -> [u8; 128] {
        self.siginfo_of(self.cur)
    }

    /// The siginfo of stopped thread `tid` (zeros when it has none).
    pub fn siginfo_of(&self, tid: libc::pid_t) -> [u8; 128] {
        let mut b = [0u8; 128];
        // SAFETY: GETSIGINFO writes a 128-byte siginfo_t.
        unsafe { libc::ptrace(libc::PTRACE_GETSIGINFO, tid, 0, b.as_mut_ptr()) };
        b
    }

    /// Replace the siginfo of the signal at this signal-delivery-stop (a single-step
    /// stop is one, for SIGTRAP): resuming with another signal delivers that one
    /// with this siginfo.
    pub fn set_siginfo(&self, info: &[u8; 128]) {
        // SAFETY: SETSIGINFO reads a 128-byte siginfo_t.
        unsafe { libc::ptrace(libc::PTRACE_SETSIGINFO, self.cur, 0, info.as_ptr()) };
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
        // The current thread's view: the leader's maps read empty once it has
        // exited while other threads run on.
        std::fs::read_to_string(format!("/proc/{}/maps", self.cur)).unwrap_or_default()
    }

    /// Resume the current thread with `req` (PTRACE_SINGLESTEP, PTRACE_SYSCALL,
    /// PTRACE_CONT), delivering `sig`, and wait for its next stop.
    ///
    /// An execve stops it in the middle of the syscall (PTRACE_EVENT_EXEC): the new
    /// address space is taken up and the process run on to the syscall's exit,
    /// which for a single-step is where the step ends. A new thread
    /// (PTRACE_EVENT_CLONE) is added to the threads and the syscall run on to its
    /// exit likewise. When a thread other than the leader ends (the process is
    /// ending), the leader's end is waited for and reported.
    fn resume(&mut self, req: libc::c_uint, sig: i32) -> Stop {
        let tid = self.cur;
        let held = self.holds_children();
        if held {
            if self.resumes_into_kernel(tid, req, sig) {
                self.release_kids();
            } else {
                self.hold_kids();
            }
        }
        let stop = self.resume_and_wait(tid, req, sig);
        // Back in user code next (unless at a syscall's entry): hold the children
        // before difftest copies the memory they share.
        if held && !(stop == Stop::Syscall && self.at_syscall_entry(tid)) {
            self.hold_kids();
        }
        stop
    }

    fn resume_and_wait(&mut self, tid: libc::pid_t, req: libc::c_uint, sig: i32) -> Stop {
        // SAFETY: our stopped tracee.
        unsafe { libc::ptrace(req, tid, 0, sig as libc::c_long) };
        loop {
            let st = self.wait_blocking(self.cur);
            // (An execve by another thread than the leader moves it to the leader's ID.)
            let tid = self.cur;
            if st == -1 {
                return Stop::Ended(0);
            }
            match self.slice_stop(tid, st, req) {
                Ours::Preempted => return Stop::Preempted,
                Ours::Dropped => continue,
                Ours::No => {}
            }
            match self.settle(tid, st) {
                Some(Stop::Syscall) if self.settled_event && req == libc::PTRACE_SINGLESTEP => {
                    self.settled_event = false;
                    return Stop::Trap;
                }
                Some(Stop::Ended(_)) if tid != self.pid => {
                    self.settled_event = false;
                    return Stop::Ended(self.wait_leader_end());
                }
                Some(s) => {
                    self.settled_event = false;
                    return s;
                }
                None => {}
            }
        }
    }

    /// Classify thread `tid`'s wait status; None for a ptrace event stop handled
    /// here (exec, a new thread), after which the thread was resumed to its
    /// syscall's exit (`settled_event`).
    fn settle(&mut self, tid: libc::pid_t, st: i32) -> Option<Stop> {
        if libc::WIFSTOPPED(st) && st >> 8 == libc::SIGTRAP | (libc::PTRACE_EVENT_EXEC << 8) {
            self.execed = true;
            if let Ok(m) = open_mem(self.pid) {
                self.mem = m;
            }
            self.settled_event = true;
            // SAFETY: our tracee, stopped at the event.
            unsafe { libc::ptrace(libc::PTRACE_SYSCALL, tid, 0, 0) };
            return None;
        }
        if libc::WIFSTOPPED(st) && st >> 8 == libc::SIGTRAP | (libc::PTRACE_EVENT_CLONE << 8) {
            let mut new: libc::c_ulong = 0;
            // SAFETY: GETEVENTMSG writes the new thread's ID.
            unsafe {
                libc::ptrace(libc::PTRACE_GETEVENTMSG, tid, 0, &mut new as *mut _);
                libc::ptrace(libc::PTRACE_SYSCALL, tid, 0, 0);
            }
            self.tids.push(new as libc::pid_t);
            self.settled_event = true;
            return None;
        }
        if libc::WIFEXITED(st) || libc::WIFSIGNALED(st) {
            if tid == self.pid {
                self.tids.clear();
            } else {
                self.tids.retain(|&t| t != tid);
            }
        }
        Some(classify(st))
    }

    /// A wait status of thread `tid`: one collected earlier, or waitpid's (None:
    /// `nohang` and it has not stopped; Some(-1): no such thread any more).
    fn wait_tid(&mut self, tid: libc::pid_t, nohang: bool) -> Option<i32> {
        if let Some(i) = self.stash.iter().position(|&(t, _)| t == tid) {
            return Some(self.stash.remove(i).1);
        }
        let mut st = 0;
        let flags = libc::__WALL | if nohang { libc::WNOHANG } else { 0 };
        // SAFETY: waiting for our own tracee.
        let r = unsafe { libc::waitpid(tid, &mut st, flags) };
        match r {
            0 => None,
            r if r == tid => Some(st),
            _ => Some(-1),
        }
    }

    /// Wait for thread `tid`'s next status. With other threads traced, through
    /// waitpid(-1): the leader's end is reported only once they are reaped.
    ///
    /// A thread other than the leader that completes an execve takes over the
    /// leader's ID (ptrace(2), "execve(2) under ptrace"): its own ID is gone and its
    /// exec event stop comes under the process ID, which becomes `cur`.
    fn wait_blocking(&mut self, tid: libc::pid_t) -> i32 {
        loop {
            if self.tids.len() <= 1 && self.kids.is_empty() {
                return self.wait_tid(tid, false).unwrap_or(-1);
            }
            match self.wait_tid(tid, true) {
                Some(-1) if tid != self.pid => {
                    let pid = self.pid;
                    let exec = (libc::SIGTRAP | (libc::PTRACE_EVENT_EXEC << 8)) << 8 | 0x7f;
                    if let Some(i) = self
                        .stash
                        .iter()
                        .position(|&(t, st)| t == pid && st == exec)
                    {
                        let st = self.stash.remove(i).1;
                        self.tids.retain(|&t| t != tid);
                        self.cur = pid;
                        return st;
                    }
                    let ended = |st: i32| libc::WIFEXITED(st) || libc::WIFSIGNALED(st);
                    if self.tids.is_empty()
                        || self.stash.iter().any(|&(t, st)| t == pid && ended(st))
                    {
                        return -1;
                    }
                }
                Some(st) => return st,
                None => {}
            }
            self.wait_any();
        }
    }

    /// Has thread `tid`, resumed into a syscall, stopped again? Its stop (a
    /// syscall exit, or its end), without waiting.
    pub fn poll(&mut self, tid: libc::pid_t) -> Option<Stop> {
        loop {
            let st = self.wait_tid(tid, true)?;
            if st == -1 {
                return Some(Stop::Ended(0));
            }
            if self.our_sigstop(tid, st) {
                // A late one (a thread in a syscall is not the one running).
                self.resume_in_syscall(tid, 0);
                continue;
            }
            if let Some(s) = self.settle(tid, st) {
                self.settled_event = false;
                return Some(s);
            }
        }
    }

    /// Block until any of the process's threads stops (or a held child does,
    /// or some other child of difftest's ends); a thread's status is kept for
    /// `poll`, a held child's acted on.
    pub fn wait_any(&mut self) {
        let mut st = 0;
        // SAFETY: waiting for our tracees and children.
        let r = unsafe { libc::waitpid(-1, &mut st, libc::__WALL) };
        if r > 0 && self.tids.contains(&r) {
            self.stash.push((r, st));
        } else if r > 0 {
            self.kid_status(r, st);
        }
    }

    /// Resume the current thread at a syscall's entry into the syscall, without
    /// waiting for its exit (it may block until another thread acts).
    pub fn enter_syscall(&mut self) {
        self.release_kids();
        // SAFETY: our stopped tracee.
        unsafe { libc::ptrace(libc::PTRACE_SYSCALL, self.cur, 0, 0) };
    }

    /// Resume thread `tid`, stopped inside a syscall it is left to run (at the exit
    /// of an interrupted one, at the entry of its restart, at the delivery of a
    /// signal the program ignores), to the syscall's next stop, without waiting.
    pub fn resume_in_syscall(&mut self, tid: libc::pid_t, sig: i32) {
        // SAFETY: our stopped tracee.
        unsafe { libc::ptrace(libc::PTRACE_SYSCALL, tid, 0, sig as libc::c_long) };
    }

    /// Take up thread `tid`, which the current thread has just created: wait for
    /// its first stop (the SIGSTOP every new tracee starts with), at its first
    /// instruction. The SIGSTOP is dropped when it is resumed.
    pub fn adopt(&mut self, tid: libc::pid_t) -> Result<(), String> {
        if !self.tids.contains(&tid) {
            return Err(format!("no PTRACE_EVENT_CLONE announced thread {tid}"));
        }
        match self.wait_tid(tid, false) {
            Some(st) if libc::WIFSTOPPED(st) => Ok(()),
            other => Err(format!(
                "new thread {tid} did not stop at its start ({other:?})"
            )),
        }
    }

    /// The current thread, at the entry of exit(2) while other threads live on,
    /// leaves: resume it and wait until it has gone (its clear-child-tid store and
    /// futex wake done: a joiner may look at once). A leader that exits first
    /// stays a zombie without a wait status until the last thread goes, so its
    /// state is read from /proc.
    pub fn exit_thread(&mut self) -> Result<(), String> {
        let tid = self.cur;
        self.enter_syscall();
        let stat = format!("/proc/{}/task/{tid}/stat", self.pid);
        for _ in 0..200_000 {
            if tid != self.pid {
                match self.wait_tid(tid, true) {
                    Some(st) if st == -1 || libc::WIFEXITED(st) || libc::WIFSIGNALED(st) => {
                        self.tids.retain(|&t| t != tid);
                        return Ok(());
                    }
                    Some(st) => {
                        return Err(format!(
                            "thread {tid} stopped on its way out (status {st:#x})"
                        ))
                    }
                    None => {}
                }
            } else if task_ended(&stat) {
                return Ok(());
            }
            std::thread::sleep(std::time::Duration::from_micros(25));
        }
        Err(format!("thread {tid} did not finish exiting"))
    }

    /// After an execve by the leader: the other threads are gone.
    pub fn only_leader(&mut self) {
        self.tids.retain(|&t| t == self.pid);
        let pid = self.pid;
        self.stash.retain(|&(t, _)| t == pid);
    }

    /// The process is ending: its wait status, once its leader has ended.
    pub fn finish_process(&mut self) -> i32 {
        self.wait_leader_end()
    }

    /// Wait until the leader ends (the process has ended: its other threads are
    /// reaped on the way); its wait status.
    fn wait_leader_end(&mut self) -> i32 {
        if self.tids.is_empty() {
            // Reaped already.
            return 0;
        }
        if let Some(i) = self
            .stash
            .iter()
            .position(|&(t, st)| t == self.pid && (libc::WIFEXITED(st) || libc::WIFSIGNALED(st)))
        {
            return self.stash.remove(i).1;
        }
        loop {
            let mut st = 0;
            // SAFETY: waiting for our tracees and children.
            let r = unsafe { libc::waitpid(-1, &mut st, libc::__WALL) };
            if r < 0 {
                return 0;
            }
            if libc::WIFSTOPPED(st) {
                // SAFETY: a tracee in a stop: let it go on to its end.
                unsafe { libc::ptrace(libc::PTRACE_CONT, r, 0, 0) };
                continue;
            }
            if r == self.pid {
                self.tids.clear();
                return st;
            }
            self.tids.retain(|&t| t != r);
        }
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

/// One line of /proc/PID/maps.
pub struct Mapping<'a> {
    pub lo: u64,
    pub hi: u64,
    /// `rwxp`-style permission letters.
    pub perms: &'a [u8],
    /// The file, `[stack]` and the like, or empty for anonymous memory.
    pub path: &'a str,
}

impl Mapping<'_> {
    pub fn writable(&self) -> bool {
        self.perms.get(1) == Some(&b'w')
    }
}

/// The mappings in /proc/PID/maps text (lines that do not parse are skipped).
pub fn mappings(maps: &str) -> impl Iterator<Item = Mapping<'_>> {
    maps.lines().filter_map(|line| {
        let mut f = line.split_whitespace();
        let (range, perms) = (f.next()?, f.next()?);
        let path = f.nth(3).unwrap_or("");
        let (lo, hi) = range.split_once('-')?;
        Some(Mapping {
            lo: u64::from_str_radix(lo, 16).ok()?,
            hi: u64::from_str_radix(hi, 16).ok()?,
            perms: perms.as_bytes(),
            path,
        })
    })
}

/// Has the task whose /proc `stat` file this is ended (a zombie, dead, gone)?
fn task_ended(stat: &str) -> bool {
    let s = std::fs::read_to_string(stat).unwrap_or_default();
    let state = s
        .rsplit(')')
        .next()
        .and_then(|r| r.split_whitespace().next());
    matches!(state, None | Some("Z") | Some("X"))
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
            out.extend(
                s.split_whitespace()
                    .filter_map(|p| p.parse::<libc::pid_t>().ok()),
            );
        }
    }
    out
}

impl Drop for Native {
    fn drop(&mut self) {
        // SAFETY: kill our own child (harmless when it already ended).
        unsafe { libc::kill(self.pid, libc::SIGKILL) };
        // Reap it, and its traced threads first: a traced thread stays a zombie
        // until its tracer waits for it, and the leader's end waits for them.
        if !self.tids.is_empty() {
            self.wait_leader_end();
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
