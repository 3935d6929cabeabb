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
