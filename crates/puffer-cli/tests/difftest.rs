//! `puffer difftest`: puffer against the host CPU under ptrace, in lockstep.
//!
//! These tests need ptrace (they run as root without seccomp here). If ptrace is
//! unavailable they fail with difftest's own message: nothing is skipped silently.
//!
//! Single-stepping under ptrace costs ~70 µs per instruction on this machine, so
//! alu.asm.elf (7.8 million instructions) is compared over its first 300,000; the
//! hello programs are compared to their end.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

fn difftest(args: &[&str], name: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_puffer"))
        .arg("difftest")
        .args(args)
        .arg(fixture(name))
        .output()
        .expect("run puffer difftest");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().unwrap_or(-1);
    if code == 2 {
        panic!("puffer difftest could not run (is ptrace available?): {stderr}");
    }
    (code, format!("{stdout}\n{stderr}"))
}

fn no_divergence(args: &[&str], name: &str) {
    let (code, out) = difftest(args, name);
    assert_eq!(code, 0, "{name}: divergence:\n{out}");
    assert!(out.contains("no divergence"), "{name}:\n{out}");
    assert!(!out.contains("DIVERGENCE"), "{name}:\n{out}");
}

#[test]
fn alu_matches_the_host_cpu() {
    no_divergence(&["--max-steps", "300000"], "alu.asm.elf");
}

#[test]
fn hello_musl_matches_the_host_cpu() {
    no_divergence(&[], "hello.musl");
}

#[test]
fn hello_glibc_matches_the_host_cpu() {
    no_divergence(&[], "hello.glibc");
}

#[test]
fn a_broken_add_is_caught() {
    let (code, out) = difftest(&["--break-insn", "add"], "alu.asm.elf");
    assert_eq!(code, 1, "expected a divergence:\n{out}");
    let line = out
        .lines()
        .find(|l| l.contains("DIVERGENCE"))
        .unwrap_or_else(|| panic!("no DIVERGENCE line:\n{out}"));
    assert!(
        line.contains(" add "),
        "the divergence should name add: {line}"
    );
    assert!(out.contains("rflags") && out.contains("<<"), "{out}");
}

/// difftest in checkpoint mode (memory compared every 20 syscalls) over `name`,
/// with `insn` broken in puffer in the program's `thread`th thread, plus `more`.
fn broken_in_thread(insn: &str, thread: &str, name: &str, more: &[&str]) -> (i32, String) {
    let mut args = vec![
        "--sync",
        "syscall",
        "--digest-every",
        "20",
        "--break-insn",
        insn,
        "--break-thread",
        thread,
    ];
    args.extend_from_slice(more);
    difftest(&args, name)
}

/// The last DIVERGENCE line (a localized one comes after the checkpoint's).
fn last_divergence(out: &str) -> &str {
    out.lines()
        .filter(|l| l.contains("DIVERGENCE"))
        .last()
        .unwrap_or_else(|| panic!("no DIVERGENCE line:\n{out}"))
}

/// A wrong result in one thread of a multi-threaded program: the checkpoint sees
/// the memory it spoiled later, and the localizing re-run, replaying the same
/// thread order, pins it on the instruction in that thread.
#[test]
fn a_broken_mul_in_a_thread_is_localized() {
    let (code, out) = broken_in_thread("mul", "1", "threads.musl", &[]);
    assert_eq!(code, 1, "expected a divergence:\n{out}");
    assert!(out.contains("a second thread"), "{out}");
    assert!(out.contains("localizing"), "{out}");
    let line = last_divergence(&out);
    assert!(
        line.contains(" mul "),
        "the divergence should name mul: {line}"
    );
    assert!(out.contains("<<"), "{out}");
}

/// Threads that wait for each other without syscalls (spin loops, a spinlock)
/// are followed through time slices: a wrong result in one of them is still
/// pinned on its instruction by the re-run, which replays the same segments.
#[test]
fn a_broken_cmp_among_spinning_threads_is_localized() {
    let (code, out) = broken_in_thread("cmp", "3", "spin_threads.musl", &[]);
    assert_eq!(code, 1, "expected a divergence:\n{out}");
    assert!(out.contains("localizing"), "{out}");
    assert!(!out.contains("went differently"), "{out}");
    let line = last_divergence(&out);
    assert!(
        line.contains(" cmp "),
        "the divergence should name cmp: {line}"
    );
}

/// A localizing re-run that does not finish in `--localize-timeout` seconds (here
/// 0: at once) gives up with the checkpoint's report standing, exit status 1,
/// rather than hanging.
#[test]
fn localizing_gives_up_after_its_timeout() {
    let (code, out) = broken_in_thread("mul", "1", "threads.musl", &["--localize-timeout", "0"]);
    assert_eq!(code, 1, "expected a divergence:\n{out}");
    assert!(out.contains("difftest: checkpoint: DIVERGENCE"), "{out}");
    assert!(out.contains("localizing it did not finish in 0 s"), "{out}");
}

/// One C fixture in checkpoint mode, as the fixture suite runs it: a fresh
/// working directory, an empty environment, stdin from /dev/null, only the three
/// standard descriptors, and the arguments from `<name>.args`.
fn difftest_fixture(name: &str) -> Result<String, String> {
    use std::os::unix::process::CommandExt;
    let args: Vec<String> = match std::fs::read_to_string(fixture(&format!("{name}.args"))) {
        Ok(t) => t.lines().map(String::from).collect(),
        Err(_) => Vec::new(),
    };
    let cwd = std::env::temp_dir().join(format!("puffer-difftest-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cwd);
    std::fs::create_dir_all(&cwd).map_err(|e| format!("{}: {e}", cwd.display()))?;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_puffer"));
    cmd.env_clear()
        .args([
            "difftest",
            "--sync",
            "syscall",
            "--step-first",
            &STEP_FIRST.to_string(),
            "--localize-timeout",
            &LOCALIZE_LIMIT.as_secs().to_string(),
        ])
        .arg(fixture(name))
        .args(&args)
        .current_dir(&cwd)
        .stdin(std::process::Stdio::null());
    // SAFETY: only the async-signal-safe close_range syscall runs before exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32);
            Ok(())
        })
    };
    let out = run_with_limit(&mut cmd, FIXTURE_LIMIT);
    let _ = std::fs::remove_dir_all(&cwd);
    let (status, text) = out?;
    let verdict = text
        .lines()
        .filter(|l| l.starts_with("difftest:") || l.starts_with("puffer difftest:"))
        .last()
        .unwrap_or("")
        .to_string();
    if status == Some(0) && text.contains("no divergence") && !text.contains("DIVERGENCE") {
        Ok(verdict)
    } else {
        Err(text)
    }
}

/// The longest one fixture's difftest may take (the slowest takes some 20 s
/// here): a run that hangs fails with what it printed instead of holding up the
/// suite.
const FIXTURE_LIMIT: std::time::Duration = std::time::Duration::from_secs(400);

/// How long a fixture's localizing re-run may take: well inside `FIXTURE_LIMIT`,
/// so that a divergence is reported with the checkpoint's findings rather than
/// killed with nothing said.
const LOCALIZE_LIMIT: std::time::Duration = std::time::Duration::from_secs(200);

/// Run `cmd` with its output collected; killed after `limit`. Its exit code (None:
/// killed by a signal) and its stdout and stderr, one after the other.
fn run_with_limit(
    cmd: &mut Command,
    limit: std::time::Duration,
) -> Result<(Option<i32>, String), String> {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start puffer: {e}"))?;
    fn drain<R: Read + Send + 'static>(p: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            if let Some(mut p) = p {
                let _ = p.read_to_end(&mut v);
            }
            v
        })
    }
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let start = std::time::Instant::now();
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) if start.elapsed() > limit => {
                timed_out = true;
                let _ = child.kill();
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(50)),
            Err(e) => return Err(format!("waiting for puffer: {e}")),
        }
    };
    let mut text = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
    text.push_str(&String::from_utf8_lossy(&err.join().unwrap_or_default()));
    if timed_out {
        text.push_str(&format!(
            "\n(killed: still running after {} s)\n",
            limit.as_secs()
        ));
    }
    Ok((status.code(), text))
}

/// Lockstep over this many instructions first, then checkpoints to the end.
const STEP_FIRST: u64 = 20_000;

/// Every C fixture listed in fixtures/difftest.txt, compared with the host CPU over
/// its whole run: in lockstep over its first instructions, then at every syscall
/// and CPUID/RDTSC with memory digests (`--sync syscall`). Two at a time.
#[test]
fn c_fixtures_match_the_host_cpu() {
    let list = fixture("difftest.txt");
    let text = std::fs::read_to_string(&list).expect("fixtures/difftest.txt");
    let names: Vec<&str> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .collect();
    assert!(
        names.len() > 50,
        "fixtures/difftest.txt lists {} fixtures",
        names.len()
    );
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(&name) = names.get(i) else { break };
                let t = std::time::Instant::now();
                match difftest_fixture(name) {
                    Ok(v) => println!("ok      {name} ({:.1} s) {v}", t.elapsed().as_secs_f64()),
                    Err(report) => {
                        println!("FAILED  {name}");
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("--- {name}\n{report}"));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    for f in &failures {
        println!("{f}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures diverged",
        failures.len(),
        names.len()
    );
}
