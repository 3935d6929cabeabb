//! puffer's system-wide /proc files as busybox's `free`, `df` and `mount` use them.
//! Their numbers are puffer's own (guest RAM, the host directory's file system), so
//! they cannot be recorded natively as fixtures; these tests check that they are
//! consistent with each other and with `--mem`.

use std::process::Command;

const BUSYBOX: &str = "/bin/busybox";

/// stdout of `puffer run --mem 512M /bin/busybox ARGS...`, which must succeed.
fn busybox(args: &[&str]) -> String {
    assert!(
        std::path::Path::new(BUSYBOX).exists(),
        "{BUSYBOX} is needed (apt-get install busybox-static)"
    );
    let o = Command::new(env!("CARGO_BIN_EXE_puffer"))
        .args(["run", "--mem", "512M", BUSYBOX])
        .args(args)
        .env_clear()
        .output()
        .expect("run puffer");
    assert!(
        o.status.success(),
        "busybox {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8 output")
}

/// The kB value of `name` in /proc/meminfo text.
fn meminfo_kb(text: &str, name: &str) -> u64 {
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{name}:")))
        .unwrap_or_else(|| panic!("no {name} in {text}"));
    let v: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(v.len(), 3, "{line}");
    assert_eq!(v[2], "kB", "{line}");
    v[1].parse().expect("a number")
}

#[test]
fn meminfo_is_guest_ram() {
    let m = busybox(&["cat", "/proc/meminfo"]);
    let total = meminfo_kb(&m, "MemTotal");
    let free = meminfo_kb(&m, "MemFree");
    assert_eq!(total, 512 * 1024, "{m}");
    assert!(free > 0 && free < total, "{m}");
    assert!(meminfo_kb(&m, "MemAvailable") >= free, "{m}");
    assert_eq!(meminfo_kb(&m, "SwapTotal"), 0, "{m}");
    // `free` reads the same numbers.
    let f = busybox(&["free"]);
    let mem = f
        .lines()
        .find(|l| l.starts_with("Mem:"))
        .unwrap_or_else(|| panic!("{f}"));
    let cols: Vec<u64> = mem
        .split_whitespace()
        .skip(1)
        .map(|c| c.parse().expect("a number"))
        .collect();
    assert_eq!(cols[0], total, "{f}");
    assert!(
        cols[1] > 0 && cols[2] > 0 && cols[1] + cols[2] <= total,
        "{f}"
    );
}

#[test]
fn mounts_show_root_and_proc() {
    let m = busybox(&["cat", "/proc/mounts"]);
    let lines: Vec<&str> = m.lines().collect();
    assert_eq!(lines.len(), 2, "{m}");
    assert!(lines[0].starts_with("puffer / "), "{m}");
    assert!(lines[0].ends_with(" 0 0"), "{m}");
    assert_eq!(
        lines[1],
        "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0"
    );
    assert_eq!(m, busybox(&["cat", "/proc/self/mounts"]));
    assert_eq!(busybox(&["readlink", "/proc/mounts"]), "self/mounts\n");
    let mount = busybox(&["mount"]);
    assert!(mount.starts_with("puffer on / type "), "{mount}");
    assert!(mount.contains("proc on /proc type proc ("), "{mount}");
    // df lists the root with its size (statfs of the host directory).
    let df = busybox(&["df", "-k", "/"]);
    let row = df.lines().nth(1).unwrap_or_else(|| panic!("{df}"));
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cols.first(), Some(&"puffer"), "{df}");
    assert_eq!(cols.last(), Some(&"/"), "{df}");
    assert!(cols[1].parse::<u64>().expect("blocks") > 0, "{df}");
}
