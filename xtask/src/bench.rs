//! `cargo xtask bench`: runs each benchmark guest natively, under
//! qemu-x86_64 and under puffer, and prints wall-clock times, ratios and
//! puffer's guest MIPS. See `docs/bench.md`.

use crate::{first_difference, run_tool, workspace_root};
use std::env;
use std::fs;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// One benchmark: `guest/bench/NAME.c`, built into `fixtures/bench/NAME`.
/// Adding a benchmark is one line in [`BENCHES`] plus its source file.
pub struct Bench {
    pub name: &'static str,
    /// Compiler flags on top of [`CFLAGS`] (e.g. `-pthread`, `-lm`).
    pub cflags: &'static [&'static str],
    /// Command-line arguments the benchmark runs with.
    pub args: &'static [&'static str],
}

#[rustfmt::skip]
pub const BENCHES: &[Bench] = &[
    // Integer compute, ~1.06e9 instructions: sieve, hash table, quicksort,
    // bitwise CRC-32, Collatz, substring search, a bytecode VM.
    Bench { name: "intcompute", cflags: &[], args: &[] },
    // 300 cycles of fork + execve + exit + wait of a small static musl program.
    Bench { name: "forkexec", cflags: &[], args: &[] },
    // fork with a 64 MiB dirty heap whose child writes every page (4 rounds).
    Bench { name: "forkdirty", cflags: &[], args: &[] },
];

/// musl-gcc flags for every benchmark: static, non-PIE, stripped, baseline
/// x86-64. No auto-vectorisation and no loop-to-memset/memcpy rewriting, so
/// integer code stays integer code (puffer's SSE support is still partial).
const CFLAGS: &[&str] = &[
    "-static",
    "-no-pie",
    "-O2",
    "-s",
    "-march=x86-64",
    "-mtune=generic",
    "-fno-tree-vectorize",
    "-fno-tree-loop-distribute-patterns",
    "-Wall",
    "-Wextra",
];

/// How long one timed run may take before it is killed.
const RUN_TIMEOUT: Duration = Duration::from_secs(600);
/// valgrind --tool=lackey is ~50x slower than native.
const LACKEY_TIMEOUT: Duration = Duration::from_secs(3600);

struct Opts {
    build: bool,
    recount: bool,
    runs: usize,
    names: Vec<String>,
}

pub fn usage() {
    eprintln!("usage: cargo xtask bench [--build] [--recount] [--runs N] [NAME...]");
    eprintln!();
    eprintln!("  Runs fixtures/bench/NAME natively, under qemu-x86_64 and under puffer");
    eprintln!("  (built first with `cargo build --release -p puffer-cli`), best of N runs");
    eprintln!("  (default 3), checks that all three print the same, and prints a table.");
    eprintln!("  --build    rebuild fixtures/bench/NAME from guest/bench/NAME.c (musl-gcc)");
    eprintln!("  --recount  recount instructions with valgrind --tool=lackey even if the");
    eprintln!("             binary did not change (counts are cached in NAME.instrs)");
    eprintln!("  Benchmarks: {}. See docs/bench.md.", names().join(", "));
}

fn names() -> Vec<&'static str> {
    BENCHES.iter().map(|b| b.name).collect()
}

fn parse_opts(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        build: false,
        recount: false,
        runs: 3,
        names: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--build" => o.build = true,
            "--recount" => o.recount = true,
            "--runs" => {
                let v = it.next().ok_or("--runs needs a number")?;
                o.runs = v
                    .parse()
                    .map_err(|_| format!("--runs: not a number: {v}"))?;
            }
            s if s.starts_with("--runs=") => {
                let v = &s["--runs=".len()..];
                o.runs = v
                    .parse()
                    .map_err(|_| format!("--runs: not a number: {v}"))?;
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            s => {
                if !BENCHES.iter().any(|b| b.name == s) {
                    return Err(format!(
                        "unknown benchmark {s} (known: {})",
                        names().join(", ")
                    ));
                }
                o.names.push(s.to_string());
            }
        }
    }
    if o.runs == 0 {
        return Err("--runs must be at least 1".into());
    }
    Ok(o)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Runner {
    Native,
    Qemu,
    Puffer,
}

impl Runner {
    fn label(self) -> &'static str {
        match self {
            Runner::Native => "native",
            Runner::Qemu => "qemu",
            Runner::Puffer => "puffer",
        }
    }
}

/// What one runner did over all its runs of one benchmark.
#[derive(Default)]
struct Column {
    /// Fastest run that exited 0.
    best: Option<f64>,
    /// A run that did not exit 0 (or could not be started / timed out);
    /// later runs are skipped.
    failure: Option<String>,
    /// A run whose stdout or status differed from the first native run.
    mismatch: Option<String>,
    /// puffer only: its `--stats` retired-instruction count.
    puffer_instrs: Option<u64>,
}

struct Row {
    name: &'static str,
    cols: [Column; 3],
    lackey: Option<u64>,
    lackey_note: Option<String>,
}

pub fn bench(args: &[String]) -> Result<bool, String> {
    let o = parse_opts(args)?;
    let root = workspace_root();
    let out_dir = root.join("fixtures").join("bench");
    let selected: Vec<&Bench> = BENCHES
        .iter()
        .filter(|b| o.names.is_empty() || o.names.iter().any(|n| n == b.name))
        .collect();

    println!("{}", machine_line());

    if o.build {
        fs::create_dir_all(&out_dir).map_err(|e| format!("creating {}: {e}", out_dir.display()))?;
        for b in &selected {
            build(b, &root, &out_dir)?;
        }
    }
    for b in &selected {
        let bin = out_dir.join(b.name);
        if !bin.is_file() {
            return Err(format!(
                "{} is missing: build it with `cargo xtask bench --build {}`",
                bin.display(),
                b.name
            ));
        }
    }

    let puffer = build_puffer(&root);
    let qemu = find_in_path("qemu-x86_64");
    if qemu.is_none() {
        println!(
            "note: qemu-x86_64 is not installed, so the qemu column is empty \
             (install it with `apt-get install qemu-user`)"
        );
    }
    let valgrind = find_in_path("valgrind");

    let mut rows = Vec::new();
    for b in &selected {
        let bin = out_dir.join(b.name);
        let (lackey, lackey_note) = match instruction_count(b, &bin, valgrind.as_deref(), o.recount)
        {
            Ok(n) => (Some(n), None),
            Err(e) => (None, Some(e)),
        };
        let cols = run_bench(b, &bin, qemu.as_deref(), puffer.as_ref().ok(), o.runs)?;
        rows.push(Row {
            name: b.name,
            cols,
            lackey,
            lackey_note,
        });
    }
    if let Err(e) = &puffer {
        for r in &mut rows {
            r.cols[2].failure = Some(e.clone());
        }
    }

    print_table(&rows, o.runs, qemu.is_some());

    let ok = rows.iter().all(|r| {
        r.cols
            .iter()
            .all(|c| c.failure.is_none() && c.mismatch.is_none())
    });
    Ok(ok)
}

/// `machine: 2 CPUs (nproc), AMD EPYC ...; Linux 6.1.0`.
fn machine_line() -> String {
    let nproc = thread::available_parallelism()
        .map(|n| n.get().to_string())
        .unwrap_or_else(|_| "?".into());
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into());
    format!("machine: nproc {nproc}, {cpu}, Linux {kernel}")
}

fn build(b: &Bench, root: &Path, out_dir: &Path) -> Result<(), String> {
    let source = root
        .join("guest")
        .join("bench")
        .join(format!("{}.c", b.name));
    let dest = out_dir.join(b.name);
    let tmp = out_dir.join(format!(".{}.tmp", b.name));
    let mut cmd = Command::new("musl-gcc");
    cmd.args(CFLAGS)
        .args(b.cflags)
        .arg("-o")
        .arg(&tmp)
        .arg(&source);
    let built = run_tool(cmd, "musl-gcc");
    if let Err(e) = built {
        let _ = fs::remove_file(&tmp);
        return Err(format!("building {}: {e}", source.display()));
    }
    fs::rename(&tmp, &dest).map_err(|e| format!("writing {}: {e}", dest.display()))?;
    let bytes = fs::read(&dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    eprintln!(
        "built {} ({} bytes, fnv1a64 {:016x})",
        rel(root, &dest),
        bytes.len(),
        fnv1a64(&bytes)
    );
    Ok(())
}

/// Builds puffer; on failure returns the reason (the puffer column then shows
/// it) instead of aborting the native and qemu runs.
fn build_puffer(root: &Path) -> Result<PathBuf, String> {
    eprintln!("building puffer: cargo build --release -p puffer-cli");
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "-p", "puffer-cli"])
        .current_dir(root)
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        eprintln!("*** puffer did not build ({status}); its column shows the failure");
        return Err("puffer did not build".into());
    }
    let target = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| if t.is_absolute() { t } else { root.join(t) })
        .unwrap_or_else(|| root.join("target"));
    let bin = target.join("release").join("puffer");
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(format!("{} not found after the build", bin.display()))
    }
}

fn find_in_path(prog: &str) -> Option<PathBuf> {
    env::split_paths(&env::var_os("PATH")?)
        .map(|d| d.join(prog))
        .find(|p| p.is_file())
}

// ---- instruction counts ---------------------------------------------------

/// FNV-1a, 64-bit: identifies the binary a cached count belongs to.
pub fn fnv1a64(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The cache file: `fnv1a64 HEX` and `instructions N` lines, `#` comments.
fn parse_instrs_file(text: &str) -> Option<(u64, u64)> {
    let mut hash = None;
    let mut count = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(v) = line.strip_prefix("fnv1a64 ") {
            hash = u64::from_str_radix(v.trim(), 16).ok();
        } else if let Some(v) = line.strip_prefix("instructions ") {
            count = v.trim().parse().ok();
        }
    }
    Some((hash?, count?))
}

/// The native instruction count of `bin`: from `NAME.instrs` when it belongs
/// to this binary, else counted with valgrind --tool=lackey and cached.
fn instruction_count(
    b: &Bench,
    bin: &Path,
    valgrind: Option<&Path>,
    recount: bool,
) -> Result<u64, String> {
    let bytes = fs::read(bin).map_err(|e| format!("{}: {e}", bin.display()))?;
    let hash = fnv1a64(&bytes);
    let cache = bin.with_file_name(format!("{}.instrs", b.name));
    if !recount {
        if let Some((h, n)) = fs::read_to_string(&cache)
            .ok()
            .as_deref()
            .and_then(parse_instrs_file)
        {
            if h == hash {
                return Ok(n);
            }
            eprintln!(
                "{}: binary changed since its instructions were counted",
                b.name
            );
        }
    }
    let Some(valgrind) = valgrind else {
        return Err(
            "valgrind is not installed, so instructions were not counted; MIPS uses \
             puffer's own count (install it with `apt-get install valgrind`)"
                .into(),
        );
    };
    eprintln!(
        "{}: counting instructions with valgrind --tool=lackey (slow, cached afterwards)",
        b.name
    );
    let mut cmd = Command::new(valgrind);
    cmd.arg("--tool=lackey").arg(abs(bin)?).args(b.args);
    let r = timed_run(cmd, LACKEY_TIMEOUT).map_err(|e| format!("valgrind: {e}"))?;
    let stderr = String::from_utf8_lossy(&r.stderr);
    // `==PID==   guest instrs:  1,060,499,085`
    let count = stderr
        .lines()
        .find_map(|l| {
            let (_, v) = l.split_once("guest instrs:")?;
            v.trim().replace(',', "").parse::<u64>().ok()
        })
        .ok_or_else(|| {
            format!(
                "no `guest instrs:` line in valgrind's output ({}):\n{}",
                r.status,
                tail(&r.stderr, 10)
            )
        })?;
    if r.status != "exit 0" {
        return Err(format!(
            "under valgrind the benchmark ended with {}",
            r.status
        ));
    }
    let text = format!(
        "# Instructions {name} executes natively, counted by `valgrind --tool=lackey`\n\
         # (its \"guest instrs\" line). Written by `cargo xtask bench`, which recounts\n\
         # when the binary's FNV-1a 64 hash differs or with --recount.\n\
         fnv1a64 {hash:016x}\n\
         instructions {count}\n",
        name = b.name
    );
    fs::write(&cache, text).map_err(|e| format!("writing {}: {e}", cache.display()))?;
    eprintln!(
        "{}: {} instructions (cached in {})",
        b.name,
        group(count),
        rel(&workspace_root(), &cache)
    );
    Ok(count)
}

// ---- timed runs -------------------------------------------------------------

struct RunResult {
    secs: f64,
    /// `exit N` or `signal N`.
    status: String,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

static RUN_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Runs `cmd` (stdin /dev/null, empty environment, a fresh empty temporary
/// directory as cwd) and measures its wall-clock time from spawn to exit.
/// The parent blocks in wait(); a watchdog thread kills the child after
/// `timeout`, so polling does not disturb the measurement.
fn timed_run(mut cmd: Command, timeout: Duration) -> Result<RunResult, String> {
    let n = RUN_COUNTER.fetch_add(1, Ordering::SeqCst);
    let cwd = env::temp_dir().join(format!("puffer-xtask-bench-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&cwd);
    fs::create_dir_all(&cwd).map_err(|e| format!("creating {}: {e}", cwd.display()))?;
    cmd.current_dir(&cwd)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());

    let start = Instant::now();
    let spawned = cmd.spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            let _ = fs::remove_dir_all(&cwd);
            return Err(e.to_string());
        }
    };
    let pid = child.id();
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let out_reader = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_reader = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let watchdog = thread::spawn(move || {
        if done_rx.recv_timeout(timeout) == Err(mpsc::RecvTimeoutError::Timeout) {
            // The child has not been reaped (wait() has not returned), so
            // the pid still names it.
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
            true
        } else {
            false
        }
    });
    let status: ExitStatus = child.wait().map_err(|e| e.to_string())?;
    let secs = start.elapsed().as_secs_f64();
    let _ = done_tx.send(());
    let timed_out = watchdog.join().unwrap_or(false);
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    let _ = fs::remove_dir_all(&cwd);
    if timed_out {
        return Err(format!("killed after {} s", timeout.as_secs()));
    }
    let status = match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(sig)) => format!("signal {sig}"),
        _ => format!("{status:?}"),
    };
    Ok(RunResult {
        secs,
        status,
        stdout,
        stderr,
    })
}

fn abs(p: &Path) -> Result<PathBuf, String> {
    fs::canonicalize(p).map_err(|e| format!("{}: {e}", p.display()))
}

/// `N runs` of native, qemu and puffer, interleaved so that drift in the
/// machine's load affects all three alike.
fn run_bench(
    b: &Bench,
    bin: &Path,
    qemu: Option<&Path>,
    puffer: Option<&PathBuf>,
    runs: usize,
) -> Result<[Column; 3], String> {
    let bin = abs(bin)?;
    let mut cols: [Column; 3] = Default::default();
    let mut reference: Option<(Vec<u8>, String)> = None;
    for run in 1..=runs {
        for (i, runner) in [Runner::Native, Runner::Qemu, Runner::Puffer]
            .into_iter()
            .enumerate()
        {
            let col = &mut cols[i];
            if col.failure.is_some() {
                continue;
            }
            let cmd = match runner {
                Runner::Native => {
                    let mut c = Command::new(&bin);
                    c.args(b.args);
                    c
                }
                Runner::Qemu => {
                    let Some(q) = qemu else { continue };
                    let mut c = Command::new(q);
                    c.arg(&bin).args(b.args);
                    c
                }
                Runner::Puffer => {
                    let Some(p) = puffer else { continue };
                    let mut c = Command::new(p);
                    c.args(["run", "--stats"]).arg(&bin).args(b.args);
                    c
                }
            };
            eprint!("{} run {run}/{runs}: {:<6} ", b.name, runner.label());
            let r = match timed_run(cmd, RUN_TIMEOUT) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("FAILED: {e}");
                    col.failure = Some(e);
                    continue;
                }
            };
            eprintln!("{:.3} s, {}", r.secs, r.status);
            if runner == Runner::Puffer {
                col.puffer_instrs = parse_puffer_stats(&r.stderr);
            }
            if r.status != "exit 0" {
                let mut msg = format!("{} ({})", r.status, describe_status(runner, &r.status));
                let t = tail(&r.stderr, 6);
                if !t.is_empty() {
                    msg.push_str(":\n");
                    msg.push_str(&t);
                }
                if runner == Runner::Native && reference.is_none() {
                    return Err(format!("{} failed natively: {msg}", b.name));
                }
                col.failure = Some(msg);
                continue;
            }
            match &reference {
                None => reference = Some((r.stdout.clone(), r.status.clone())),
                Some((out, status)) => {
                    if (&r.stdout, &r.status) != (out, status) && col.mismatch.is_none() {
                        let what = first_difference(out, &r.stdout)
                            .unwrap_or_else(|| format!("status {} vs {}", status, r.status));
                        eprintln!(
                            "*** OUTPUT MISMATCH: {} under {} differs from native run 1: {what}",
                            b.name,
                            runner.label()
                        );
                        col.mismatch = Some(what);
                    }
                }
            }
            col.best = Some(col.best.map_or(r.secs, |b| b.min(r.secs)));
        }
    }
    Ok(cols)
}

fn describe_status(runner: Runner, status: &str) -> String {
    // puffer exits with 128+N when signal N killed the guest.
    if let Some(code) = status
        .strip_prefix("exit ")
        .and_then(|c| c.parse::<i32>().ok())
    {
        if runner == Runner::Puffer && code > 128 {
            return format!("guest killed by {}", signal_name(code - 128));
        }
        return "non-zero exit".into();
    }
    if let Some(sig) = status
        .strip_prefix("signal ")
        .and_then(|c| c.parse::<i32>().ok())
    {
        return format!("killed by {}", signal_name(sig));
    }
    "failed".into()
}

fn signal_name(sig: i32) -> String {
    let name = match sig {
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        31 => "SIGSYS",
        _ => return format!("signal {sig}"),
    };
    name.into()
}

/// `puffer: N instructions in S s (M MIPS); ...` -> N.
fn parse_puffer_stats(stderr: &[u8]) -> Option<u64> {
    String::from_utf8_lossy(stderr).lines().rev().find_map(|l| {
        let rest = l.trim().strip_prefix("puffer: ")?;
        let (n, after) = rest.split_once(' ')?;
        after.starts_with("instructions in").then_some(())?;
        n.parse().ok()
    })
}

/// The last `n` non-empty lines of `bytes`, indented, ANSI colour codes removed.
fn tail(bytes: &[u8], n: usize) -> String {
    let text = strip_ansi(&String::from_utf8_lossy(bytes));
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| format!("      {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ ... final byte in @..~
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

// ---- the table --------------------------------------------------------------

/// 1234567 -> "1,234,567".
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn secs_cell(c: &Column, present: bool) -> String {
    if !present {
        "-".into()
    } else if c.failure.is_some() {
        "FAILED".into()
    } else {
        match c.best {
            Some(s) if c.mismatch.is_some() => format!("{s:.3}!"),
            Some(s) => format!("{s:.3}"),
            None => "-".into(),
        }
    }
}

fn ratio_cell(a: &Column, b: &Column) -> String {
    match (a.failure.is_none(), b.failure.is_none(), a.best, b.best) {
        (true, true, Some(x), Some(y)) if y > 0.0 => format!("{:.1}x", x / y),
        _ => "-".into(),
    }
}

fn print_table(rows: &[Row], runs: usize, have_qemu: bool) {
    println!();
    println!("best of {runs} run(s), wall-clock seconds; MIPS = native instructions (lackey) / puffer seconds");
    println!(
        "{:<12} {:>9} {:>9} {:>9} {:>13} {:>11} {:>15} {:>15} {:>8}  output",
        "benchmark",
        "native s",
        "qemu s",
        "puffer s",
        "puffer/native",
        "puffer/qemu",
        "instrs(lackey)",
        "instrs(puffer)",
        "MIPS",
    );
    let mut notes = Vec::new();
    for r in rows {
        let [native, qemu, puffer] = &r.cols;
        let (count, from_puffer) = match (r.lackey, puffer.puffer_instrs) {
            (Some(n), _) => (Some(n), false),
            (None, Some(n)) => (Some(n), true),
            (None, None) => (None, false),
        };
        let mips = match (count, puffer.best, puffer.failure.is_none()) {
            (Some(n), Some(s), true) if s > 0.0 => {
                format!(
                    "{:.1}{}",
                    n as f64 / s / 1e6,
                    if from_puffer { "*" } else { "" }
                )
            }
            _ => "-".into(),
        };
        let failed = r.cols.iter().any(|c| c.failure.is_some());
        let mismatched = r.cols.iter().any(|c| c.mismatch.is_some());
        let output = if mismatched {
            "MISMATCH"
        } else if failed {
            "FAILED"
        } else {
            "same"
        };
        println!(
            "{:<12} {:>9} {:>9} {:>9} {:>13} {:>11} {:>15} {:>15} {:>8}  {}",
            r.name,
            secs_cell(native, true),
            secs_cell(qemu, have_qemu),
            secs_cell(puffer, true),
            ratio_cell(puffer, native),
            ratio_cell(puffer, qemu),
            r.lackey.map(group).unwrap_or_else(|| "-".into()),
            puffer
                .puffer_instrs
                .filter(|_| puffer.failure.is_none())
                .map(group)
                .unwrap_or_else(|| "-".into()),
            mips,
            output
        );
        if let Some(n) = &r.lackey_note {
            notes.push(format!("{}: {n}", r.name));
        }
        if from_puffer {
            notes.push(format!(
                "{}: * MIPS from puffer's own instruction count",
                r.name
            ));
        }
        for (c, runner) in r
            .cols
            .iter()
            .zip([Runner::Native, Runner::Qemu, Runner::Puffer])
        {
            if let Some(f) = &c.failure {
                let mut f = f.clone();
                if runner == Runner::Puffer {
                    if let Some(n) = c.puffer_instrs {
                        f.push_str(&format!("\n      (after {} instructions)", group(n)));
                    }
                }
                notes.push(format!("{}: {} FAILED: {f}", r.name, runner.label()));
            }
            if let Some(m) = &c.mismatch {
                notes.push(format!(
                    "{}: *** OUTPUT MISMATCH under {} (time marked !): {m}",
                    r.name,
                    runner.label()
                ));
            }
        }
    }
    if !notes.is_empty() {
        println!();
        for n in notes {
            println!("{n}");
        }
    }
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv() {
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn instrs_file() {
        assert_eq!(
            parse_instrs_file("# c\nfnv1a64 00000000000000ff\ninstructions 1234\n"),
            Some((255, 1234))
        );
        assert_eq!(parse_instrs_file("fnv1a64 ff\n"), None);
    }

    #[test]
    fn puffer_stats() {
        let e = b"\x1b[33m WARN\x1b[0m x\npuffer: 1060493145 instructions in 10.101 s (105.0 MIPS); tlb hits 1\n";
        assert_eq!(parse_puffer_stats(e), Some(1060493145));
        assert_eq!(parse_puffer_stats(b"puffer: foo.elf: not found\n"), None);
        assert_eq!(strip_ansi("\x1b[33m WARN\x1b[0m x"), " WARN x");
    }

    #[test]
    fn grouping() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1000), "1,000");
        assert_eq!(group(1060499085), "1,060,499,085");
    }
}
