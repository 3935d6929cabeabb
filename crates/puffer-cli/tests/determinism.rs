//! `--deterministic`: two runs of the same program are byte-identical — output,
//! `--strace`, `--ktrace` and `puffer trace` — and guest time is virtual (sleeps
//! take no host time). Expectations come from the mode's definition (the fixed
//! epoch of docs/determinism.md, the durations the programs ask for) and from
//! comparing one run with another, never from a recorded puffer output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

/// A fresh empty directory for one run.
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("puffer-det-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `puffer ARGS` in `dir` with an empty environment and stdin from /dev/null.
fn puffer(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_puffer"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "puffer {args:?}: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// What one run produced: stdout, the strace and the ktrace.
struct Run {
    stdout: Vec<u8>,
    strace: Vec<u8>,
    ktrace: Vec<u8>,
}

/// `puffer run --deterministic=SEED --strace --ktrace PROGRAM ARGS` (SEED None: host
/// time and randomness) in a fresh directory named after `tag`: runs to compare use
/// the same tag, since the working directory is part of what the guest sees.
fn run(tag: &str, seed: Option<u64>, prog: &[&str]) -> Run {
    run_with(tag, seed, &[], prog)
}

/// [`run`] with more `puffer run` options.
fn run_with(tag: &str, seed: Option<u64>, opts: &[&str], prog: &[&str]) -> Run {
    let dir = scratch(tag);
    let st = dir.join("strace.txt");
    let kt = dir.join("ktrace.jsonl");
    let st_arg = format!("--strace={}", st.display());
    let kt_arg = format!("--ktrace={}", kt.display());
    let det = seed.map(|s| format!("--deterministic={s}"));
    let mut args = vec!["run", &st_arg, &kt_arg, "--ktrace-format", "jsonl"];
    if let Some(d) = &det {
        args.push(d);
    }
    args.extend_from_slice(opts);
    args.extend_from_slice(prog);
    let out = puffer(&dir, &args);
    let r = Run {
        stdout: out.stdout,
        strace: std::fs::read(&st).unwrap(),
        ktrace: std::fs::read(&kt).unwrap(),
    };
    let _ = std::fs::remove_dir_all(&dir);
    r
}

fn assert_same(what: &str, a: &[u8], b: &[u8]) {
    if a == b {
        return;
    }
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    let line = a
        .lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or(a.lines().count().min(b.lines().count()));
    panic!(
        "{what} differs between two runs at line {}:\n  {:?}\n  {:?}",
        line + 1,
        a.lines().nth(line),
        b.lines().nth(line)
    );
}

fn assert_identical(a: &Run, b: &Run) {
    assert_same("stdout", &a.stdout, &b.stdout);
    assert_same("strace", &a.strace, &b.strace);
    assert_same("ktrace", &a.ktrace, &b.ktrace);
}

/// The value after `key ` on the line starting with `key`.
fn value<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(key).map(str::trim))
        .unwrap_or_else(|| panic!("no {key:?} in:\n{text}"))
}

/// Seconds of a nanosecond figure.
fn secs(ns: &str) -> u64 {
    ns.parse::<u64>().unwrap() / 1_000_000_000
}

#[test]
fn clocks_and_randomness_repeat_with_the_seed() {
    let bin = fixture("clocks.musl");
    let bin = bin.to_str().unwrap();
    let a = run("seed7", Some(7), &[bin, "dump"]);
    let b = run("seed7", Some(7), &[bin, "dump"]);
    assert_identical(&a, &b);
    let text = String::from_utf8(a.stdout.clone()).unwrap();

    // The virtual clock: CLOCK_REALTIME starts at 2024-01-01 00:00:00 UTC and the
    // monotonic clocks at 0; the program runs far less than a guest second before
    // it reads them.
    const EPOCH: u64 = 1_704_067_200;
    for c in ["REALTIME", "REALTIME_COARSE", "TAI"] {
        assert_eq!(secs(value(&text, &format!("clock {c} "))), EPOCH, "{c}");
    }
    for c in [
        "MONOTONIC",
        "MONOTONIC_RAW",
        "BOOTTIME",
        "PROCESS_CPUTIME_ID",
    ] {
        let ns: u64 = value(&text, &format!("clock {c} ")).parse().unwrap();
        assert!(ns > 0 && ns < 1_000_000_000, "{c} {ns}");
    }
    assert!(value(&text, "gettimeofday ").starts_with(&format!("{EPOCH}.")));
    assert_eq!(value(&text, "time "), EPOCH.to_string());
    // RDTSC is the monotonic clock in nanoseconds (a 1 GHz TSC).
    let tsc: u64 = value(&text, "rdtsc ")
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let mono: u64 = value(&text, "clock BOOTTIME ").parse().unwrap();
    assert!(
        tsc > mono && tsc - mono < 10_000_000,
        "tsc {tsc} mono {mono}"
    );
    // A fixed identity instead of the host's.
    assert_eq!(value(&text, "hostname "), "puffer");

    // Another seed: other random bytes, the same clocks (reading them comes first).
    let c = run("seed8", Some(8), &[bin, "dump"]);
    let other = String::from_utf8(c.stdout).unwrap();
    for key in ["getrandom ", "AT_RANDOM ", "urandom "] {
        assert_ne!(value(&text, key), value(&other, key), "{key}");
        assert_eq!(value(&text, key).len(), 32, "{key}");
    }
    for c in ["REALTIME", "MONOTONIC", "THREAD_CPUTIME_ID"] {
        let key = format!("clock {c} ");
        assert_eq!(value(&text, &key), value(&other, &key), "{c}");
    }

    // Without the flag the same program sees the host: its clock and randomness
    // differ from run to run.
    let h1 = run("host1", None, &[bin, "dump"]);
    let h2 = run("host2", None, &[bin, "dump"]);
    let (h1, h2) = (
        String::from_utf8(h1.stdout).unwrap(),
        String::from_utf8(h2.stdout).unwrap(),
    );
    assert_ne!(value(&h1, "getrandom "), value(&h2, "getrandom "));
    assert_ne!(value(&h1, "clock REALTIME "), value(&h2, "clock REALTIME "));
}

#[test]
fn sleeping_advances_guest_time_only() {
    let bin = fixture("clocks.musl");
    let a = run("sleep", Some(0), &[bin.to_str().unwrap(), "sleep"]);
    let text = String::from_utf8(a.stdout.clone()).unwrap();
    // nanosleep(10 s), clock_nanosleep to now + 1 s, alarm(2), four 0.5 s periods
    // of ITIMER_REAL (the first two from one setitimer), select and poll for 1 s
    // each: at least 10 + 1 + 2 + 1.5 + 1 + 1 = 16.5 s of guest time.
    let slept: u64 = value(&text, "nanosleep 10 s: ")
        .trim_end_matches(" ms")
        .parse()
        .unwrap();
    assert!((10_000..10_100).contains(&slept), "{text}");
    assert_eq!(value(&text, "alarms "), "4");
    let total = value(&text, "total: monotonic ");
    let mut it = total.split(' ');
    let mono: u64 = it.next().unwrap().parse().unwrap();
    let real: u64 = total.rsplit(' ').nth(1).unwrap().parse().unwrap();
    assert!((16_500..16_600).contains(&mono), "{text}");
    assert_eq!(mono, real, "{text}");
    // And it all happens again, to the nanosecond.
    let b = run("sleep", Some(0), &[bin.to_str().unwrap(), "sleep"]);
    assert_identical(&a, &b);
}

#[test]
fn processes_threads_and_pipes_repeat() {
    for name in [
        "fork_basic.musl",
        "threads.musl",
        "process.glibc",
        "pipes.musl",
    ] {
        let bin = fixture(name);
        let a = run(name, Some(1), &[bin.to_str().unwrap()]);
        let b = run(name, Some(1), &[bin.to_str().unwrap()]);
        assert_identical(&a, &b);
        let ktrace = String::from_utf8_lossy(&a.ktrace);
        assert!(
            ktrace.contains("\"event\":\"fork\"") || ktrace.contains("\"event\":\"thread\""),
            "{name}: neither fork nor thread in the ktrace"
        );
    }
}

#[test]
fn random_pids_follow_the_seed() {
    let bin = fixture("fork_basic.musl");
    let bin = bin.to_str().unwrap();
    let random = ["--pid-alloc", "random"];
    let a = run_with("pids", Some(5), &random, &[bin]);
    let b = run_with("pids", Some(5), &random, &[bin]);
    assert_identical(&a, &b);
    let c = run_with("pids", Some(6), &random, &[bin]);
    assert_eq!(a.stdout, c.stdout, "the program does not print PIDs");
    // The children's PIDs are drawn from the seeded generator: another seed, others.
    let children = |r: &Run| -> Vec<String> {
        String::from_utf8_lossy(&r.ktrace)
            .lines()
            .filter(|l| l.contains("\"event\":\"fork\""))
            .map(|l| l.split("\"child\":").nth(1).unwrap_or("").to_string())
            .collect()
    };
    assert!(!children(&a).is_empty());
    assert_ne!(children(&a), children(&c));
}

#[test]
fn a_shell_with_jobs_and_sleeps_repeats() {
    const BUSYBOX: &str = "/bin/busybox";
    if !Path::new(BUSYBOX).is_file() {
        panic!("{BUSYBOX} is not installed (apt-get install busybox-static)");
    }
    let script = "B=/bin/busybox; $B date -u; $B sleep 3 & \
                  (echo one; $B sleep 1; echo two) | $B cat -n; wait; \
                  $B date -u +%s; echo x > f; $B mkdir d; $B stat -c 'mtime %Y' f; $B ls -id f d; $B rm -r f d; \
                  $B cat /proc/uptime; echo $RANDOM; \
                  $B head -c 8 /dev/urandom | $B od -An -tx1";
    let a = run("sh", Some(3), &[BUSYBOX, "sh", "-c", script]);
    let b = run("sh", Some(3), &[BUSYBOX, "sh", "-c", script]);
    assert_identical(&a, &b);
    let text = String::from_utf8(a.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("Mon Jan  1 00:00:00 UTC 2024"), "{text}");
    // The background sleep 3 runs alongside the pipeline; wait ends after it.
    let after: u64 = text
        .lines()
        .find(|l| l.len() == 10 && l.starts_with("17"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(after - 1_704_067_200, 3, "{text}");
    // A file the guest writes carries the guest's clock, and what it creates has
    // inode numbers of puffer's, in the order of creation.
    assert_eq!(value(&text, "mtime "), after.to_string(), "{text}");
    let first = 1u64 << 48;
    assert!(text.contains(&format!("{first} f\n")), "{text}");
    assert!(text.contains(&format!("{} d\n", first + 1)), "{text}");
    // /proc/uptime: seconds since boot, and idle seconds (the sleeps).
    let up = text
        .lines()
        .find(|l| l.starts_with("3."))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(up.split(' ').count() == 2, "{text}");
}

#[test]
fn instruction_traces_repeat() {
    let bin = fixture("clocks.musl");
    let trace = |tag: &str| {
        let dir = scratch(tag);
        let out = dir.join("trace.txt");
        let out_arg = out.to_str().unwrap().to_string();
        puffer(
            &dir,
            &[
                "trace",
                "--deterministic=11",
                "--out",
                &out_arg,
                bin.to_str().unwrap(),
            ],
        );
        let t = std::fs::read(&out).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        t
    };
    let a = trace("trace");
    let b = trace("trace");
    assert!(a.len() > 1_000_000, "a trace of {} bytes", a.len());
    assert_same("puffer trace", &a, &b);
}
