//! The `puffer` command's contract: one clear line and a non-zero status for files it
//! cannot run; the guest's status as its own; the embedded demo with no ELF.

use std::path::PathBuf;
use std::process::{Command, Output};

fn puffer(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_puffer"))
        .args(args)
        .env_clear()
        .output()
        .expect("run puffer")
}

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("puffer-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

/// The error is one line on stderr, with no Rust backtrace or panic text.
fn assert_one_line_error(o: &Output, needle: &str) {
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "stderr: {err}");
    assert!(err.contains(needle), "expected {needle:?} in {err:?}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn missing_file() {
    let o = puffer(&["run", "/nonexistent/prog"]);
    assert_one_line_error(&o, "no such file");
}

#[test]
fn not_an_elf() {
    let p = scratch("script.txt", b"#!/bin/sh\necho hi\n");
    assert_one_line_error(&puffer(&["run", p.to_str().unwrap()]), "not an ELF file");
}

#[test]
fn truncated_elf() {
    let full = std::fs::read(fixture("exit7.asm.elf")).unwrap();
    let p = scratch("trunc.elf", &full[..100]);
    assert_one_line_error(
        &puffer(&["run", p.to_str().unwrap()]),
        "truncated or corrupt",
    );
    // Segments pointing past the end of the file.
    let p = scratch("short.elf", &full[..full.len().min(400)]);
    assert_one_line_error(
        &puffer(&["run", p.to_str().unwrap()]),
        "truncated or corrupt",
    );
}

#[test]
fn not_x86_64() {
    let mut b = std::fs::read(fixture("exit7.asm.elf")).unwrap();
    b[18] = 183; // EM_AARCH64
    b[19] = 0;
    let p = scratch("arm.elf", &b);
    assert_one_line_error(&puffer(&["run", p.to_str().unwrap()]), "not an x86-64");
    let mut b = std::fs::read(fixture("exit7.asm.elf")).unwrap();
    b[4] = 1; // ELFCLASS32
    let p = scratch("elf32.elf", &b);
    assert_one_line_error(&puffer(&["run", p.to_str().unwrap()]), "not an x86-64");
}

#[test]
fn dynamically_linked() {
    // Any dynamically linked host binary will do.
    let o = puffer(&["run", "/bin/sh"]);
    assert_one_line_error(&o, "link with -static");
}

#[test]
fn guest_status_is_puffers() {
    let o = puffer(&["run", fixture("exit7.asm.elf").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(7));
    // SIGFPE (8) from a divide by zero: 128 + 8.
    let o = puffer(&["run", fixture("divzero.asm.elf").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(136));
}

#[test]
fn demo_runs_without_an_elf() {
    let o = puffer(&["run"]);
    let out = String::from_utf8_lossy(&o.stdout);
    // The demo's own output, recorded natively, is the expectation.
    let expected = std::fs::read_to_string(fixture("demo.musl.stdout")).unwrap();
    // Every line but the one naming argv[0] (the embedded demo is called "demo").
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with("argv[0]"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&out), strip(&expected));
    assert!(out.contains("argv[0] = demo, argc = 1"), "{out}");
    assert_eq!(o.status.code(), Some(0));
}

/// A guest task blocked reading a host pipe on stdin must not stop the others: the
/// fixture's child keeps ticking (5 ms sleeps) while its parent waits for input that
/// arrives 300 ms later, and the parent wakes when it does.
#[test]
fn stdin_read_does_not_block_other_tasks() {
    use std::io::Write;
    use std::process::Stdio;
    for bin in ["stdin_wait.musl", "stdin_wait.glibc"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_puffer"))
            .args(["run", fixture(bin).to_str().unwrap()])
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run puffer");
        let mut stdin = child.stdin.take().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(300));
        stdin.write_all(b"hello\n").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(50));
        stdin.write_all(b"world\n").unwrap();
        drop(stdin);
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{bin}: {o:?}");
        assert_eq!(String::from_utf8_lossy(&o.stdout), "read 12 bytes\n");
        let err = String::from_utf8_lossy(&o.stderr);
        let ticks: i32 = err
            .lines()
            .find_map(|l| l.strip_prefix("ticks while reading: "))
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or_else(|| panic!("{bin}: no tick count in {err:?}"));
        assert!(ticks >= 20, "{bin}: only {ticks} ticks while stdin blocked");
    }
}

#[test]
fn guest_ram_exhaustion_kills_the_largest_process_not_the_host() {
    // bigalloc touches 64 MiB; with 16 MiB of guest RAM the OOM killer must act.
    let o = puffer(&[
        "run",
        "--mem",
        "16M",
        fixture("bigalloc.musl").to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(128 + 9),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("guest RAM exhausted"));
}

#[test]
fn the_process_cap_contains_a_fork_bomb() {
    // forklimit forks waiting children until fork fails (natively: all 1000 succeed,
    // see its fixture). With a cap of 100 processes the 100th fork must fail with
    // EAGAIN, and everything must still be killed, reaped and exit cleanly.
    let o = puffer(&[
        "run",
        "--max-procs",
        "100",
        fixture("forklimit.musl").to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_eq!(
        out,
        "forked 99 children, then fork failed: EAGAIN\nreaped 99 (99 by SIGKILL), wait then: ECHILD\n"
    );
}

/// Decode-cache misses of `puffer run --stats` for a busybox loop exec'ing
/// /bin/busybox `n` times.
fn decode_misses_for_execs(n: usize) -> u64 {
    let script = format!("for i in $(seq {n}); do /bin/busybox true; done");
    let o = puffer(&["run", "--stats", "/bin/busybox", "sh", "-c", &script]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "{err}");
    err.split("decode hits ")
        .nth(1)
        .and_then(|t| t.split_whitespace().nth(2))
        .and_then(|m| m.parse().ok())
        .unwrap_or_else(|| panic!("no decode statistics in {err:?}"))
}

#[test]
fn exec_shares_text_and_decoded_blocks_through_the_page_cache() {
    // Program text comes through the page cache and decoded blocks are keyed by
    // physical address, so exec'ing the same binary again decodes (almost)
    // nothing new: 16 execs may not cost much more than one.
    let one = decode_misses_for_execs(1);
    let many = decode_misses_for_execs(16);
    assert!(
        many < one + one / 4,
        "16 execs decoded {many} blocks, one exec {one}"
    );
}

#[test]
fn chown_is_recorded_when_the_host_refuses() {
    // Run as an unprivileged host user (dropping root with setpriv when the tests
    // run as root, as in CI) so that the host refuses chown to root; the guest's
    // chown must still succeed and stat must show the new owner.
    let dir = std::env::temp_dir().join(format!("puffer-chown-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    let script = "touch f && chown 0:0 f; echo chown=$?; stat -c '%u:%g' f; \
                  chown :7 f; echo chgrp=$?; stat -c '%u:%g' f; rm f";
    let puffer = env!("CARGO_BIN_EXE_puffer");
    let args = ["run", "/bin/busybox", "sh", "-c", script];
    // SAFETY: getuid(2) has no preconditions.
    let root = unsafe { libc::getuid() } == 0;
    let o = if root {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", puffer])
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("setpriv")
    } else {
        Command::new(puffer)
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let _ = std::fs::remove_dir_all(&dir);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        out,
        "chown=0\n0:0\nchgrp=0\n0:7\n",
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}
