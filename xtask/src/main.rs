//! Developer tasks for puffer. Dependency-free (std only).
//!
//! `cargo xtask fixtures [NAME...]` builds the guest programs in `guest/` into
//! static x86-64 ELF binaries under `fixtures/`, runs each one natively and
//! records its exact stdout and exit status. See `docs/fixtures.md`.
//!
//! `cargo xtask bench [--build] [--recount] [--runs N] [NAME...]` times the
//! benchmark guests in `fixtures/bench/` natively, under qemu-x86_64 and under
//! puffer. See `docs/bench.md`.

mod bench;
mod shell;
mod steptrace;

use std::collections::BTreeSet;
use std::env;
use std::ffi::OsStr;
use std::fs;
use std::io::{self, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// How long one native run of a fixture may take before it is killed.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// Flags shared by both C toolchains. Baseline x86-64 only, static, non-PIE,
/// stripped.
const CFLAGS: &[&str] = &[
    "-static",
    "-no-pie",
    "-O2",
    "-s",
    "-march=x86-64",
    "-mtune=generic",
    "-pthread",
    "-Wall",
    "-Wno-infinite-recursion",
];

/// A GLIBC_TUNABLES value that hides the CPU features glibc uses to pick
/// AVX/FMA variants of string and libm functions. The second native run of
/// every glibc fixture uses it, so output that depends on which variant was
/// picked (and so on the host CPU) is caught at recording time.
const BASELINE_TUNABLES: &str =
    "glibc.cpu.hwcaps=-AVX,-AVX2,-FMA,-FMA4,-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-ERMS,-FSRM,-BMI1,-BMI2,-LZCNT,-MOVBE,-RTM,-SSSE3,-SSE4_1,-SSE4_2,-POPCNT,-F16C";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("fixtures") => match fixtures(&args[1..]) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("xtask fixtures: {e}");
                ExitCode::FAILURE
            }
        },
        Some("bench") => match bench::bench(&args[1..]) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("xtask bench: {e}");
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!("usage: cargo xtask fixtures [NAME...]");
            eprintln!();
            eprintln!("  Builds guest/c/*.c (glibc and musl) and guest/asm/*.asm into fixtures/,");
            eprintln!(
                "  runs each natively and records <bin>.stdout, <bin>.status and <bin>.args."
            );
            eprintln!("  NAME is a program name (e.g. `hello`, builds every variant) or a binary");
            eprintln!("  name (e.g. `hello.musl`, `alu.asm.elf`). See docs/fixtures.md.");
            eprintln!();
            bench::usage();
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Variant {
    Glibc,
    Musl,
    Asm,
}

impl Variant {
    /// The suffix appended to the program name to form the binary name.
    fn suffix(self) -> &'static str {
        match self {
            Variant::Glibc => "glibc",
            Variant::Musl => "musl",
            Variant::Asm => "asm.elf",
        }
    }
}

struct Fixture {
    /// Program name: the source file stem.
    name: String,
    source: PathBuf,
    variant: Variant,
    args: Vec<String>,
}

impl Fixture {
    fn bin_name(&self) -> String {
        format!("{}.{}", self.name, self.variant.suffix())
    }
}

struct Outcome {
    bin: String,
    size: u64,
    status: String,
    stdout_len: usize,
    problems: Vec<String>,
}

fn fixtures(names: &[String]) -> Result<bool, String> {
    let root = workspace_root();
    // Shell-script fixtures (guest/sh) are recorded by their own module; the
    // rest of this function handles the compiled programs.
    let sh_all = shell::collect(&root)?;
    let (sh_names, names): (Vec<String>, Vec<String>) = names
        .iter()
        .cloned()
        .partition(|n| shell::selects(&sh_all, n));
    let sh_ok = if names.is_empty() || !sh_names.is_empty() {
        let outcomes = shell::record(&root, &sh_names)?;
        println!();
        println!("{:<28} {:>10}  status", "shell fixture", "stdout");
        let mut failed = 0;
        for o in &outcomes {
            println!("{:<28} {:>10}  {}", o.name, o.stdout_len, o.status);
            for p in &o.problems {
                println!("    problem: {p}");
            }
            failed += usize::from(!o.problems.is_empty());
        }
        println!(
            "{} shell fixture(s) recorded, {failed} failed",
            outcomes.len() - failed
        );
        failed == 0
    } else {
        true
    };
    if names.is_empty() && !sh_names.is_empty() {
        return Ok(sh_ok);
    }
    let names = &names[..];
    let guest = root.join("guest");
    let out_dir = root.join("fixtures");
    fs::create_dir_all(&out_dir).map_err(|e| format!("creating {}: {e}", out_dir.display()))?;

    let mut all = Vec::new();
    for (dir, ext, variants) in [
        ("c", "c", &[Variant::Glibc, Variant::Musl][..]),
        ("asm", "asm", &[Variant::Asm][..]),
    ] {
        let mut sources = list_sources(&guest.join(dir), ext)?;
        sources.sort();
        for source in sources {
            let name = source
                .file_stem()
                .and_then(OsStr::to_str)
                .ok_or("bad file name")?
                .to_string();
            let text = fs::read_to_string(&source)
                .map_err(|e| format!("reading {}: {e}", source.display()))?;
            let args = parse_args_line(&text, if ext == "c" { "//" } else { ";" })
                .map_err(|e| format!("{}: {e}", source.display()))?;
            for &variant in variants {
                all.push(Fixture {
                    name: name.clone(),
                    source: source.clone(),
                    variant,
                    args: args.clone(),
                });
            }
        }
    }

    let selected: Vec<Fixture> = if names.is_empty() {
        all
    } else {
        let wanted: BTreeSet<&str> = names.iter().map(String::as_str).collect();
        let mut unknown: BTreeSet<&str> = wanted.clone();
        let chosen: Vec<Fixture> = all
            .into_iter()
            .filter(|f| {
                let bin = f.bin_name();
                let hit = wanted.contains(f.name.as_str()) || wanted.contains(bin.as_str());
                if hit {
                    unknown.remove(f.name.as_str());
                    unknown.remove(bin.as_str());
                }
                hit
            })
            .collect();
        if !unknown.is_empty() {
            return Err(format!(
                "unknown fixture name(s): {}",
                unknown.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        chosen
    };
    if selected.is_empty() {
        return Err("no guest programs found".into());
    }

    let build_dir = env::temp_dir().join(format!("puffer-xtask-build-{}", std::process::id()));
    fs::create_dir_all(&build_dir).map_err(|e| format!("creating {}: {e}", build_dir.display()))?;

    // Build and record in parallel: every fixture is independent.
    let workers = thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(8);
    let next = AtomicUsize::new(0);
    let mut outcomes: Vec<Option<Outcome>> = (0..selected.len()).map(|_| None).collect();
    let results: Vec<(usize, Outcome)> = thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        if i >= selected.len() {
                            break;
                        }
                        let f = &selected[i];
                        let mut outcome = build_and_record(f, &root, &out_dir, &build_dir);
                        if f.variant == Variant::Asm && outcome.problems.is_empty() {
                            let elf = out_dir.join(&outcome.bin);
                            if let Err(e) = steptrace::record(&elf, &f.args) {
                                outcome.problems.push(format!("step trace: {e}"));
                            }
                        }
                        let mark = if outcome.problems.is_empty() {
                            "ok"
                        } else {
                            "FAILED"
                        };
                        eprintln!("  {:<28} {mark}", outcome.bin);
                        done.push((i, outcome));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker thread panicked"))
            .collect()
    });
    for (i, o) in results {
        outcomes[i] = Some(o);
    }
    let _ = fs::remove_dir_all(&build_dir);

    // Summary.
    println!();
    println!("{:<28} {:>9} {:>10}  status", "fixture", "bytes", "stdout");
    let mut failed = 0;
    for o in outcomes.iter().flatten() {
        println!(
            "{:<28} {:>9} {:>10}  {}",
            o.bin, o.size, o.stdout_len, o.status
        );
        for p in &o.problems {
            println!("    problem: {p}");
        }
        if !o.problems.is_empty() {
            failed += 1;
        }
    }
    let total: u64 = dir_size(&out_dir);
    println!();
    println!(
        "{} fixture(s) built and recorded, {} failed; fixtures/ is now {} bytes ({:.1} MiB)",
        outcomes.len() - failed,
        failed,
        total,
        total as f64 / (1024.0 * 1024.0)
    );
    Ok(failed == 0 && sh_ok)
}

fn list_sources(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, String> {
    let mut v = Vec::new();
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(v),
        Err(e) => return Err(format!("reading {}: {e}", dir.display())),
    };
    for entry in rd {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().and_then(OsStr::to_str) == Some(ext) && path.is_file() {
            v.push(path);
        }
    }
    Ok(v)
}

/// Parses an optional `ARGS:` comment on the first line of a source file:
/// `// ARGS: a b "c d" ""` (C) or `; ARGS: ...` (asm). Arguments are split on
/// whitespace; double quotes group (no escapes), `""` is an empty argument.
fn parse_args_line(text: &str, comment: &str) -> Result<Vec<String>, String> {
    let first = text.lines().next().unwrap_or("");
    let rest = match first.trim_start().strip_prefix(comment) {
        Some(r) => r.trim_start(),
        None => return Ok(Vec::new()),
    };
    let Some(spec) = rest.strip_prefix("ARGS:") else {
        return Ok(Vec::new());
    };
    let mut args = Vec::new();
    let mut chars = spec.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut arg = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            if c == '"' {
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some(c) => arg.push(c),
                        None => return Err("unterminated quote in ARGS line".into()),
                    }
                }
            } else {
                arg.push(c);
            }
        }
        if arg.contains('\n') {
            return Err("arguments cannot contain newlines".into());
        }
        args.push(arg);
    }
    Ok(args)
}

fn build_and_record(f: &Fixture, root: &Path, out_dir: &Path, build_dir: &Path) -> Outcome {
    let bin = f.bin_name();
    let mut outcome = Outcome {
        bin: bin.clone(),
        size: 0,
        status: "-".into(),
        stdout_len: 0,
        problems: Vec::new(),
    };
    let dest = out_dir.join(&bin);
    if let Err(e) = build(f, root, &dest, build_dir) {
        outcome.problems.push(e);
        return outcome;
    }
    outcome.size = fs::metadata(&dest).map(|m| m.len()).unwrap_or(0);

    // Two native runs; for glibc the second hides AVX/FMA from glibc's
    // function selection. Both must agree exactly.
    let first = run_native(&dest, &bin, &f.args, &[]);
    let second = if f.variant == Variant::Glibc {
        run_native(
            &dest,
            &bin,
            &f.args,
            &[("GLIBC_TUNABLES", BASELINE_TUNABLES)],
        )
    } else {
        run_native(&dest, &bin, &f.args, &[])
    };
    let (a, b) = match (first, second) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            outcome.problems.push(e);
            return outcome;
        }
    };
    if a.stdout != b.stdout || a.status != b.status {
        outcome.problems.push(format!(
            "output differs between two native runs{} ({}): not deterministic",
            if f.variant == Variant::Glibc {
                " (second with baseline GLIBC_TUNABLES)"
            } else {
                ""
            },
            first_difference(&a.stdout, &b.stdout)
                .unwrap_or_else(|| format!("status {} vs {}", a.status, b.status))
        ));
    }
    if !a.leftovers.is_empty() {
        outcome.problems.push(format!(
            "left files in its working directory: {}",
            a.leftovers.join(", ")
        ));
    }
    outcome.status = a.status.clone();
    outcome.stdout_len = a.stdout.len();

    let mut write = |suffix: &str, data: &[u8]| {
        let p = out_dir.join(format!("{bin}.{suffix}"));
        if let Err(e) = fs::write(&p, data) {
            outcome
                .problems
                .push(format!("writing {}: {e}", p.display()));
        }
    };
    write("stdout", &a.stdout);
    write("status", format!("{}\n", a.status).as_bytes());
    let args_path = out_dir.join(format!("{bin}.args"));
    if f.args.is_empty() {
        let _ = fs::remove_file(&args_path);
    } else {
        let mut text = String::new();
        for a in &f.args {
            text.push_str(a);
            text.push('\n');
        }
        if let Err(e) = fs::write(&args_path, text) {
            outcome
                .problems
                .push(format!("writing {}: {e}", args_path.display()));
        }
    }
    outcome
}

fn build(f: &Fixture, root: &Path, dest: &Path, build_dir: &Path) -> Result<(), String> {
    let tmp = build_dir.join(f.bin_name());
    match f.variant {
        Variant::Glibc | Variant::Musl => {
            let cc = if f.variant == Variant::Glibc {
                "gcc"
            } else {
                "musl-gcc"
            };
            let mut cmd = Command::new(cc);
            cmd.args(CFLAGS)
                .arg("-o")
                .arg(&tmp)
                .arg(&f.source)
                .arg("-lm");
            run_tool(cmd, cc)?;
        }
        Variant::Asm => {
            let obj = build_dir.join(format!("{}.o", f.name));
            let mut include = root.join("guest").join("asm").into_os_string();
            include.push("/");
            let mut nasm = Command::new("nasm");
            nasm.arg("-f")
                .arg("elf64")
                .arg("-I")
                .arg(include)
                .arg("-o")
                .arg(&obj)
                .arg(&f.source);
            run_tool(nasm, "nasm")?;
            let mut ld = Command::new("ld");
            ld.arg("-static").arg("-s").arg("-o").arg(&tmp).arg(&obj);
            run_tool(ld, "ld")?;
        }
    }
    fs::copy(&tmp, dest).map_err(|e| format!("copying to {}: {e}", dest.display()))?;
    Ok(())
}

fn run_tool(mut cmd: Command, what: &str) -> Result<(), String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

struct NativeRun {
    stdout: Vec<u8>,
    status: String,
    leftovers: Vec<String>,
}

static RUN_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Runs `bin` natively the way the fixture test runs it under puffer: in a
/// fresh empty directory, stdin from /dev/null, argv[0] = the file name. The
/// environment is cleared (plus `extra_env`) so the recording does not depend
/// on the developer's shell.
fn run_native(
    path: &Path,
    bin: &str,
    args: &[String],
    extra_env: &[(&str, &str)],
) -> Result<NativeRun, String> {
    let n = RUN_COUNTER.fetch_add(1, Ordering::SeqCst);
    let cwd = env::temp_dir().join(format!("puffer-xtask-run-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&cwd);
    fs::create_dir_all(&cwd).map_err(|e| format!("creating {}: {e}", cwd.display()))?;
    let abs = fs::canonicalize(path).map_err(|e| format!("{}: {e}", path.display()))?;

    let mut cmd = Command::new(&abs);
    cmd.arg0(bin)
        .args(args)
        .current_dir(&cwd)
        .env_clear()
        .envs(extra_env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    only_std_fds(&mut cmd);
    let result = run_with_timeout(cmd, RUN_TIMEOUT);

    let mut leftovers: Vec<String> = fs::read_dir(&cwd)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    leftovers.sort();
    let _ = fs::remove_dir_all(&cwd);

    let (status, stdout, _stderr) = result.map_err(|e| format!("running {bin}: {e}"))?;
    let status = match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(sig)) => format!("signal {sig}"),
        _ => return Err(format!("{bin}: unexpected wait status {status:?}")),
    };
    Ok(NativeRun {
        stdout,
        status,
        leftovers,
    })
}

extern "C" {
    fn syscall(nr: i64, ...) -> i64;
    fn close(fd: i32) -> i32;
}

/// The recorded program starts with only descriptors 0, 1 and 2 open, as the
/// guest does under puffer (which gives it the host's 0-2 and nothing else): the
/// descriptors xtask itself inherited (cargo's jobserver pipes, a terminal's
/// extras) would otherwise show in /proc/self/fd and shift the numbers open(2)
/// returns. xtask has no dependencies, so libc's functions are declared here.
pub(crate) fn only_std_fds(cmd: &mut Command) {
    // SAFETY: between fork and exec the closure only makes raw syscalls
    // (close_range, or close as a fallback before Linux 5.9), which are
    // async-signal-safe and allocate nothing.
    unsafe {
        cmd.pre_exec(|| {
            const SYS_CLOSE_RANGE: i64 = 436;
            if syscall(SYS_CLOSE_RANGE, 3u32, u32::MAX, 0u32) != 0 {
                for fd in 3..65536 {
                    close(fd);
                }
            }
            Ok(())
        });
    }
}

/// Spawns `cmd` with piped stdout/stderr, drains both on helper threads and
/// kills the child after `timeout`.
fn run_with_timeout(
    mut cmd: Command,
    timeout: Duration,
) -> Result<(ExitStatus, Vec<u8>, Vec<u8>), String> {
    let mut child: Child = cmd.spawn().map_err(|e| e.to_string())?;
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
    let start = Instant::now();
    let status = loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(st) => break st,
            None if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("timed out after {} s", timeout.as_secs()));
            }
            None => thread::sleep(Duration::from_millis(5)),
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    Ok((status, stdout, stderr))
}

fn first_difference(a: &[u8], b: &[u8]) -> Option<String> {
    if a == b {
        return None;
    }
    let la: Vec<&[u8]> = a.split(|&c| c == b'\n').collect();
    let lb: Vec<&[u8]> = b.split(|&c| c == b'\n').collect();
    for i in 0..la.len().max(lb.len()) {
        let x = la.get(i).copied();
        let y = lb.get(i).copied();
        if x != y {
            let show = |l: Option<&[u8]>| match l {
                Some(l) => format!("{:?}", String::from_utf8_lossy(l)),
                None => "<end of output>".to_string(),
            };
            return Some(format!("line {}: {} vs {}", i + 1, show(x), show(y)));
        }
    }
    Some("outputs differ".into())
}

fn dir_size(dir: &Path) -> u64 {
    fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::parse_args_line;

    #[test]
    fn args_line() {
        assert_eq!(
            parse_args_line("int x;\n", "//").unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(
            parse_args_line("// ARGS:\n", "//").unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(
            parse_args_line("// ARGS: a b-c  d\n", "//").unwrap(),
            vec!["a", "b-c", "d"]
        );
        assert_eq!(
            parse_args_line("; ARGS: \"x y\" \"\" z\n", ";").unwrap(),
            vec!["x y", "", "z"]
        );
        assert_eq!(
            parse_args_line("; ARGS: a\"b c\"d\n", ";").unwrap(),
            vec!["ab cd"]
        );
        assert!(parse_args_line("// ARGS: \"open\n", "//").is_err());
        assert_eq!(
            parse_args_line("/* ARGS: a */\n", "//").unwrap(),
            Vec::<String>::new()
        );
    }
}
