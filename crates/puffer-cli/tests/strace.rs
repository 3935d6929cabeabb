//! `puffer run --strace=FILE`: key lines, and the sequence of syscall names compared
//! with the real `strace -f` of the same binary run natively. strace must be
//! installed (`apt-get install strace`): this test fails, it does not skip, without it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
        .canonicalize()
        .expect("fixture exists")
}

/// A fresh empty directory to run a fixture in (files.* creates and removes files).
fn scratch(tag: &str) -> PathBuf {
    // Tests run in parallel, some on the same fixture: a counter keeps them apart.
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d = std::env::temp_dir().join(format!("puffer-strace-{tag}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Only the three standard descriptors open in the program, on both sides: a
/// descriptor the test runner inherited would shift every number the program
/// gets (socketpair's [3, 4]).
fn std_fds_only(c: &mut Command) -> &mut Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: only the async-signal-safe close_range syscall runs before exec.
    unsafe {
        c.pre_exec(|| {
            libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32);
            Ok(())
        })
    }
}

/// Run `bin` under puffer with --strace; returns the trace.
fn puffer_trace(bin: &str) -> String {
    let dir = scratch(&format!("puffer-{bin}"));
    let out = dir.join("trace.txt");
    let st = std_fds_only(&mut Command::new(env!("CARGO_BIN_EXE_puffer")))
        .current_dir(&dir)
        .arg("run")
        .arg(format!("--strace={}", out.display()))
        .arg(fixture(bin))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run puffer");
    assert!(st.success(), "puffer run {bin}: {st}");
    let t = std::fs::read_to_string(&out).expect("trace written");
    let _ = std::fs::remove_dir_all(&dir);
    t
}

/// Run `bin` natively under the real strace; returns its trace.
fn native_trace(bin: &str) -> String {
    let dir = scratch(&format!("native-{bin}"));
    let out = dir.join("trace.txt");
    let st = std_fds_only(&mut Command::new("strace"))
        .current_dir(&dir)
        .args(["-f", "-qq", "-e", "trace=all", "-o"])
        .arg(&out)
        .arg(fixture(bin))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("strace is not installed: apt-get install strace");
    assert!(st.success(), "strace {bin}: {st}");
    let t = std::fs::read_to_string(&out).expect("strace output");
    let _ = std::fs::remove_dir_all(&dir);
    t
}

/// The syscall names of a trace, in order (exit and signal lines left out).
fn names(trace: &str) -> Vec<String> {
    trace
        .lines()
        .map(|l| {
            let l = l.trim_start();
            match l.strip_prefix("[pid") {
                Some(rest) => rest.split_once(']').map_or("", |x| x.1).trim_start(),
                None => l
                    .split_once(' ')
                    .filter(|(p, _)| p.chars().all(|c| c.is_ascii_digit()))
                    .map_or(l, |x| x.1.trim_start()),
            }
        })
        .filter(|l| !l.starts_with("+++") && !l.starts_with("---"))
        .filter_map(|l| l.split_once('(').map(|x| x.0.to_string()))
        .collect()
}

#[test]
fn hello_musl_key_lines() {
    let t = puffer_trace("hello.musl");
    let first = t.lines().next().unwrap_or("");
    assert!(first.starts_with("execve(\""), "{t}");
    assert!(first.contains("/* ") && first.ends_with(" = 0"), "{t}");
    assert!(t.contains("arch_prctl(ARCH_SET_FS, 0x"), "{t}");
    assert!(
        t.contains("ioctl(1, TIOCGWINSZ, 0x")
            && t.contains("= -1 ENOTTY (Inappropriate ioctl for device)"),
        "{t}"
    );
    assert!(t.contains("writev(1, [{iov_base=\"Hello, world!\", iov_len=13}, {iov_base=\"\\n\", iov_len=1}], 2) = 14"), "{t}");
    assert!(
        t.contains("exit_group(0)                           = ?\n"),
        "{t}"
    );
    assert!(t.ends_with("+++ exited with 0 +++\n"), "{t}");
}

#[test]
fn files_glibc_key_lines() {
    let t = puffer_trace("files.glibc");
    for want in [
        "openat(AT_FDCWD, \"data.bin\", O_RDWR|O_CREAT|O_EXCL, 0644) = 3",
        "write(3, \"line 000: the quick brown fox\\n\", 30) = 30",
        "umask(022)                              = 022",
        "prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0",
        "newfstatat(AT_FDCWD, \"data.bin\", {st_mode=S_IFREG|0644, st_size=",
        "openat(AT_FDCWD, \"missing.txt\", O_RDONLY) = -1 ENOENT (No such file or directory)",
        "read(20, \"abcdef\", 10)  ",
        "\"...",
        "exit_group(0)",
        "+++ exited with 0 +++",
    ] {
        assert!(t.contains(want), "missing {want:?} in\n{t}");
    }
}

#[test]
fn syscall_sequence_matches_native_strace() {
    for bin in ["hello.musl", "files.glibc", "hello.glibc"] {
        let ours = names(&puffer_trace(bin));
        let theirs = names(&native_trace(bin));
        assert!(ours.len() > 3, "{bin}: {ours:?}");
        assert_eq!(
            ours, theirs,
            "{bin}: syscall names differ from native strace"
        );
    }
}

#[test]
fn fork_prefixes_and_wait_status() {
    let t = puffer_trace("fork_basic.musl");
    assert!(t.contains("] fork()") && t.contains("= 2\n"), "{t}");
    // The parent waits while the child runs: its wait4 shows as strace -f shows
    // overlapping syscalls.
    assert!(
        t.contains("[pid     1] wait4(2,  <unfinished ...>\n"),
        "{t}"
    );
    assert!(t.contains("[pid     2] exit_group(42)"), "{t}");
    assert!(t.contains("[pid     2] +++ exited with 42 +++"), "{t}");
    assert!(
        t.contains("<... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 42}], 0, NULL) = 2"),
        "{t}"
    );
    assert!(t.contains("rt_sigprocmask(SIG_BLOCK, "), "{t}");
}

/// strace -f pads a short pid with spaces ("303   execve(..."); a long one
/// leaves a single space. Both must parse to the bare name.
#[test]
fn names_strip_padded_pids() {
    let t = "303   execve(\"x\", [], []) = 0\n123456 brk(NULL) = 0x1\n[pid     2] exit(0) = ?\n+++ exited with 0 +++\n";
    assert_eq!(names(t), ["execve", "brk", "exit"]);
}

/// A trace's lines without pid prefixes and with strace's result-column padding
/// collapsed, so puffer's and native strace's lines compare as text.
fn normalized(trace: &str) -> String {
    let mut out = String::new();
    for l in trace.lines() {
        let l = l.trim_start();
        let l = match l.strip_prefix("[pid") {
            Some(rest) => rest.split_once(']').map_or("", |x| x.1).trim_start(),
            None => l
                .split_once(' ')
                .filter(|(p, _)| p.chars().all(|c| c.is_ascii_digit()))
                .map_or(l, |x| x.1.trim_start()),
        };
        let mut prev_space = false;
        for c in l.chars() {
            if c == ' ' && prev_space {
                continue;
            }
            prev_space = c == ' ';
            out.push(c);
        }
        out.push('\n');
    }
    out
}

/// Structs (sigaction, sigset_t, stack_t, siginfo at delivery, rt_sigreturn's mask,
/// wait status, pollfd arrays and their answers, fd_sets, msghdr, socket types,
/// itimerval, statfs, siginfo out, rusage):
/// lines taken from native `strace -f` of the same static binaries (code addresses are
/// the same natively and in puffer), checked against both.
#[test]
fn structs_like_native_strace() {
    let cases: &[(&str, &[&str])] = &[
        (
            "sigaltstack.glibc",
            &[
                "rt_sigprocmask(SIG_SETMASK, [], NULL, 8) = 0\n",
                "sigaltstack(NULL, {ss_sp=NULL, ss_flags=SS_DISABLE, ss_size=0}) = 0\n",
                "rt_sigaction(SIGSEGV, {sa_handler=0x401cc0, sa_mask=[], sa_flags=SA_RESTORER|SA_ONSTACK|SA_SIGINFO, sa_restorer=0x409180}, NULL, 8) = 0\n",
                "rt_sigprocmask(SIG_BLOCK, NULL, [], 8) = 0\n",
                ", ss_flags=SS_ONSTACK, ss_size=65536}) = 0\n",
                "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x",
                "--- SIGSEGV {si_signo=SIGSEGV, si_code=SI_KERNEL, si_addr=NULL} ---\n",
            ],
        ),
        (
            "sigchld.glibc",
            &[
                "rt_sigprocmask(SIG_BLOCK, [CHLD], [], 8) = 0\n",
                "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=",
                ", si_uid=0, si_status=SIGTERM, si_utime=0, si_stime=0} ---\n",
                "wait4(-1, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGTERM}], WNOHANG, NULL) = ",
                "--- SIGABRT {si_signo=SIGABRT, si_code=SI_TKILL, si_pid=",
                "rt_sigreturn({mask=[CHLD]}) = -1 EINTR (Interrupted system call)\n",
                // A sigsuspend a SIGCHLD interrupts (shown whole or as the end of
                // an unfinished call, as the children's lines fall).
                "rt_sigsuspend([], 8",
                ") = ? ERESTARTNOHAND (To be restarted if no handler)\n",
            ],
        ),
        (
            "sockets.glibc",
            &[
                "socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0, [3, 4]) = 0\n",
                "sendmsg(4, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"one \", iov_len=4}, {iov_base=\"two \", iov_len=4}, {iov_base=\"three\", iov_len=5}], msg_iovlen=3, msg_controllen=0, msg_flags=0}, 0) = 13\n",
                "recvmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"one \", iov_len=4}, {iov_base=\"two three\", iov_len=19}], msg_iovlen=2, msg_controllen=0, msg_flags=0}, 0) = 13\n",
                "sendto(3, \"x\", 1, MSG_NOSIGNAL, NULL, 0) = -1 EPIPE (Broken pipe)\n",
                "shutdown(3, SHUT_WR) = 0\n",
                "getsockname(3, {sa_family=AF_UNIX}, [110 => 2]) = 0\n",
                "getpeername(4, {sa_family=AF_UNIX}, [110 => 2]) = 0\n",
                "sendto(3, \"x\", 1, 0, {sa_family=AF_UNIX, sun_path=\"/nonexistent/echo.sock\"}, 110) = -1 EISCONN (Transport endpoint is already connected)\n",
            ],
        ),
        (
            "fileops.glibc",
            &["fstatfs(5, {f_type=PIPEFS_MAGIC, f_bsize=4096, f_blocks=0, f_bfree=0, f_bavail=0, f_files=0, f_ffree=0, f_fsid={val=["],
        ),
        (
            "sigmask.glibc",
            &[
                "rt_sigtimedwait([RT_5], NULL, {tv_sec=0, tv_nsec=0}, 8) = -1 EAGAIN (Resource temporarily unavailable)\n",
                ", si_code=SI_QUEUE, si_pid=",
                ", si_uid=0, si_int=77, si_ptr=0x4d}, NULL, 8) = 37 (SIGRT_5)\n",
            ],
        ),
        (
            "wait_forms.glibc",
            &["[{WIFEXITED(s) && WEXITSTATUS(s) == 31}], 0, {ru_utime={tv_sec=0, tv_usec="],
        ),
        (
            "sigtimer.glibc",
            &[
                "getitimer(ITIMER_REAL, {it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=0, tv_usec=0}}) = 0\n",
                // Syscalls a signal interrupts: the code they exit with, and the
                // time left a nanosleep writes.
                "pause() = ? ERESTARTNOHAND (To be restarted if no handler)\n",
                "clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=2, tv_nsec=0}, {tv_sec=1, tv_nsec=",
                "}) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)\n",
                "rt_sigreturn({mask=[]}) = -1 EINTR (Interrupted system call)\n",
            ],
        ),
        (
            "polling.glibc",
            &[
                "poll([{fd=3, events=POLLIN}, {fd=4, events=POLLOUT}], 2, 0) = 2 ([{fd=3, revents=POLLIN}, {fd=4, revents=POLLOUT}])\n",
                "poll([{fd=3, events=0}, {fd=-1}, {fd=104, events=POLLIN}], 3, 0) = 1 ([{fd=104, revents=POLLNVAL}])\n",
                "poll(NULL, 0, 10) = 0 (Timeout)\n",
                "ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=0, tv_nsec=30000000}, NULL, 8) = 0 (Timeout)\n",
                "pselect6(6, [4], [4 5], NULL, NULL, NULL) = 3 (in [4], out [4 5])\n",
                "pselect6(4, [3], NULL, NULL, {tv_sec=0, tv_nsec=20000000}, {sigmask=NULL, sigsetsize=8}) = 0 (Timeout)\n",
            ],
        ),
        (
            "sigfpe.glibc",
            &["--- SIGFPE {si_signo=SIGFPE, si_code=FPE_FLTDIV, si_addr=0x401590} ---\n"],
        ),
    ];
    for (bin, wants) in cases {
        let ours = normalized(&puffer_trace(bin));
        let theirs = normalized(&native_trace(bin));
        for want in *wants {
            assert!(
                theirs.contains(want),
                "{bin}: native strace has no {want:?} (update the test from it):\n{theirs}"
            );
            assert!(ours.contains(want), "{bin}: missing {want:?} in\n{ours}");
        }
    }
}

/// Run `cmd` with stdin, stdout and stderr on a new pseudo-terminal's slave; what
/// it writes there is read off the master and dropped.
fn on_a_pty(mut cmd: Command) -> std::process::ExitStatus {
    use std::os::fd::{FromRawFd, OwnedFd};
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty writes the two descriptors; no name, termios or winsize.
    let r = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(r, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both are ours from here on.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let drain = std::thread::spawn(move || {
        use std::io::Read;
        let mut m = std::fs::File::from(master);
        let mut buf = [0u8; 4096];
        // EIO once the last slave descriptor is closed.
        while matches!(m.read(&mut buf), Ok(n) if n > 0) {}
    });
    let io = |fd: &OwnedFd| Stdio::from(fd.try_clone().expect("dup the pty slave"));
    let st = cmd
        .stdin(io(&slave))
        .stdout(io(&slave))
        .stderr(io(&slave))
        .status()
        .expect("run on the pty");
    // (The command holds copies of the slave until it goes.)
    drop(cmd);
    drop(slave);
    drain.join().unwrap();
    st
}

/// The ioctl lines of a run on a terminal (TCGETS's termios, TCSETS*'s, the
/// window size, FIONREAD's count) are native strace's.
#[test]
fn terminal_ioctls_like_native_strace() {
    for bin in ["ttyprobe.glibc", "ttyprobe.musl"] {
        let dir = scratch(&format!("tty-{bin}"));
        let (p, n) = (dir.join("puffer.txt"), dir.join("native.txt"));
        let mut c = Command::new(env!("CARGO_BIN_EXE_puffer"));
        std_fds_only(&mut c)
            .current_dir(&dir)
            .arg("run")
            .arg(format!("--strace={}", p.display()))
            .arg(fixture(bin));
        let st = on_a_pty(c);
        assert!(st.success(), "puffer run {bin}: {st}");
        let mut c = Command::new("strace");
        std_fds_only(&mut c)
            .current_dir(&dir)
            .args(["-qq", "-o"])
            .arg(&n)
            .arg(fixture(bin));
        let st = on_a_pty(c);
        assert!(st.success(), "strace {bin}: {st}");
        let ioctls = |path: &Path| -> Vec<String> {
            std::fs::read_to_string(path)
                .expect("trace written")
                .lines()
                .filter(|l| l.starts_with("ioctl("))
                .map(|l| {
                    // A stack address (an argument a failed call did not fill)
                    // differs between the two; so does the padding after it.
                    let l = match l.find(", 0x7ff") {
                        Some(i) => {
                            let end = l[i + 2..]
                                .find(|c: char| !c.is_ascii_hexdigit() && c != 'x')
                                .map_or(l.len(), |j| i + 2 + j);
                            format!("{}, STACK{}", &l[..i], &l[end..])
                        }
                        None => l.to_string(),
                    };
                    let (call, result) = l.rsplit_once(" = ").unwrap_or((&l, ""));
                    format!("{} = {result}", call.trim_end())
                })
                .collect()
        };
        let (pl, nl) = (ioctls(&p), ioctls(&n));
        assert!(
            nl.iter().any(|l| l.contains("TCGETS, {c_iflag=")),
            "{bin}: native strace shows no termios:\n{}",
            nl.join("\n")
        );
        assert_eq!(
            pl, nl,
            "{bin}: puffer's ioctl lines (left) against native strace's"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
