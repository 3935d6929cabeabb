//! `puffer run --gdb`: Debian's gdb in batch mode against puffer's remote stub on
//! fixtures/gdbtarget.musl (an unstripped static musl build of guest/c/gdbtarget.c).
//! gdb must be installed (`apt-get install gdb`): this test fails, it does not skip,
//! without it. Only loopback is used.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
        .canonicalize()
        .expect("fixture exists")
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    l.local_addr().unwrap().port()
}

/// The address of `sym` per gdb's symbol table.
fn symbol_addr(bin: &Path, sym: &str) -> u64 {
    let out = Command::new("gdb")
        .args(["-nx", "-batch", "-ex"])
        .arg(format!("info address {sym}"))
        .arg(bin)
        .output()
        .expect("gdb is not installed: apt-get install gdb");
    let s = String::from_utf8_lossy(&out.stdout);
    let hex = s
        .split_whitespace()
        .find_map(|w| w.trim_end_matches('.').strip_prefix("0x"))
        .unwrap_or_else(|| panic!("no address for {sym} in {s}"));
    u64::from_str_radix(hex, 16).unwrap()
}

#[test]
fn gdb_break_step_read_continue() {
    let bin = fixture("gdbtarget.musl");
    let main_addr = symbol_addr(&bin, "main");
    let port = free_port();
    let mut puffer = Command::new(env!("CARGO_BIN_EXE_puffer"))
        .arg("run")
        .arg("--gdb")
        .arg(format!("127.0.0.1:{port}"))
        .arg(&bin)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run puffer");
    // gdb retries the connection itself for a while (tcp connect-timeout).
    std::thread::sleep(Duration::from_millis(300));
    let out = Command::new("timeout")
        .arg("120")
        .arg("gdb")
        .args(["-nx", "-batch"])
        .args(["-ex", "set tcp connect-timeout 30"])
        .args(["-ex", &format!("target remote 127.0.0.1:{port}")])
        .args(["-ex", "break main"])
        .args(["-ex", "continue"])
        .args(["-ex", "info registers rip"])
        .args(["-ex", "stepi"])
        .args(["-ex", "x/4xb $pc"])
        .args(["-ex", "p/x $rsp"])
        .args(["-ex", "continue"])
        .arg(&bin)
        .output()
        .expect("gdb is not installed: apt-get install gdb");
    let g =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let status = puffer.wait().expect("puffer ends");

    assert!(g.contains("Breakpoint 1, main ()"), "{g}");
    let rip_line = g
        .lines()
        .find(|l| l.starts_with("rip"))
        .unwrap_or_else(|| panic!("no rip line in {g}"));
    assert!(
        rip_line.contains("<main+"),
        "rip should be in main (at {main_addr:#x}): {rip_line}"
    );
    // `break main` stops after the prologue: rip is main's address plus a few bytes.
    let rip = u64::from_str_radix(
        rip_line
            .split_whitespace()
            .nth(1)
            .unwrap()
            .trim_start_matches("0x"),
        16,
    )
    .unwrap();
    assert!(
        rip >= main_addr && rip < main_addr + 32,
        "{rip:#x} vs main {main_addr:#x}"
    );
    // stepi moved on, and memory at the new pc is readable.
    let x = g
        .lines()
        .find(|l| l.contains(">:\t0x"))
        .unwrap_or_else(|| panic!("no x/4xb output in {g}"));
    assert_eq!(x.matches("0x").count(), 5, "{x}");
    assert!(g.contains("$1 = 0x7fff"), "{g}");
    assert!(g.contains("exited with code 07"), "{g}");
    assert_eq!(status.code(), Some(7), "{g}");
}

/// The hex value after `key` in `puffer run --strace gdbtarget.musl`'s output.
fn strace_value(key: &str) -> u64 {
    let bin = fixture("gdbtarget.musl");
    let out = Command::new(env!("CARGO_BIN_EXE_puffer"))
        .args(["run", "--strace"])
        .arg(&bin)
        .output()
        .expect("run puffer");
    let s = String::from_utf8_lossy(&out.stderr);
    let at = s
        .find(key)
        .unwrap_or_else(|| panic!("no {key} in the strace output:\n{s}"))
        + key.len();
    let hex: String = s[at..]
        .trim_start_matches("0x")
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    u64::from_str_radix(&hex, 16).unwrap()
}

/// The value gdb prints for register `name` in `info registers` output after `from`.
fn reg_after(g: &str, from: &str, name: &str) -> u64 {
    let rest = &g[g.find(from).unwrap_or_else(|| panic!("no {from:?} in {g}"))..];
    let line = rest
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no {name} line after {from:?} in {g}"));
    let v = line.split_whitespace().nth(1).unwrap();
    u64::from_str_radix(v.trim_start_matches("0x"), 16).unwrap()
}

/// fs_base is the TLS base the C library set (arch_prctl for the first thread, the
/// clone's tls for the second), and both threads appear in `info threads` with their
/// own registers.
#[test]
fn gdb_threads_and_fs_base() {
    let bin = fixture("gdbtarget.musl");
    let main_tls = strace_value("arch_prctl(ARCH_SET_FS, ");
    let thread_tls = strace_value("tls=");
    assert_ne!(main_tls, 0);
    let port = free_port();
    let mut puffer = Command::new(env!("CARGO_BIN_EXE_puffer"))
        .arg("run")
        .arg("--gdb")
        .arg(format!("127.0.0.1:{port}"))
        .arg(&bin)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run puffer");
    std::thread::sleep(Duration::from_millis(300));
    let out = Command::new("timeout")
        .arg("120")
        .arg("gdb")
        .args(["-nx", "-batch"])
        .args(["-ex", "set tcp connect-timeout 30"])
        .args(["-ex", &format!("target remote 127.0.0.1:{port}")])
        .args(["-ex", "break main"])
        .args(["-ex", "break thread_fn"])
        .args(["-ex", "continue"])
        .args(["-ex", "echo AT-MAIN\\n"])
        .args(["-ex", "info registers fs_base"])
        .args(["-ex", "continue"])
        .args(["-ex", "info threads"])
        .args(["-ex", "echo IN-THREAD\\n"])
        .args(["-ex", "info registers rip fs_base"])
        .args(["-ex", "thread 1"])
        .args(["-ex", "echo THREAD-1\\n"])
        .args(["-ex", "info registers rip fs_base"])
        .args(["-ex", "thread 2"])
        .args(["-ex", "stepi"])
        .args(["-ex", "continue"])
        .arg(&bin)
        .output()
        .expect("gdb is not installed: apt-get install gdb");
    let g =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let status = puffer.wait().expect("puffer ends");

    assert_eq!(reg_after(&g, "AT-MAIN", "fs_base"), main_tls, "{g}");
    assert!(g.contains("hit Breakpoint 2, thread_fn"), "{g}");
    let threads: Vec<&str> = g
        .lines()
        .filter(|l| l.contains("Thread 1."))
        .filter(|l| {
            l.trim_start()
                .starts_with(|c: char| c.is_ascii_digit() || c == '*')
        })
        .collect();
    assert!(threads.len() >= 2, "info threads lists one thread:\n{g}");
    assert!(
        g.lines()
            .any(|l| l.starts_with('*') && l.contains("thread_fn")),
        "{g}"
    );
    assert_eq!(reg_after(&g, "IN-THREAD", "fs_base"), thread_tls, "{g}");
    assert_eq!(reg_after(&g, "THREAD-1", "fs_base"), main_tls, "{g}");
    assert_ne!(
        reg_after(&g, "IN-THREAD", "rip"),
        reg_after(&g, "THREAD-1", "rip"),
        "{g}"
    );
    assert!(g.contains("exited with code 07"), "{g}");
    assert_eq!(status.code(), Some(7), "{g}");
}
