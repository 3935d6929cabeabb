//! Runs the fixture suite: every binary named in `fixtures/suite.txt` is run as
//! `puffer run <fixture> <args...>` and its stdout and exit status must match
//! what the same binary produced natively (recorded by `cargo xtask fixtures`).
//!
//! Per fixture `<bin>` the directory holds `<bin>` (the ELF), `<bin>.stdout`
//! (exact bytes), `<bin>.status` (`exit N` or `signal N`) and optionally
//! `<bin>.args` (one argument per line). A guest killed by signal N must make
//! puffer exit with 128+N. See docs/fixtures.md.
//!
//! Set `PUFFER_FIXTURES="a.glibc b.musl"` (whitespace or comma separated) to
//! run those fixtures instead of the suite, e.g. to try one before adding it.

use std::ffi::OsStr;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

const THREADS: usize = 2;
const TIMEOUT: Duration = Duration::from_secs(120);

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// Names from suite.txt: one per line, `#` starts a comment.
fn suite_names(dir: &Path) -> Vec<String> {
    if let Ok(list) = std::env::var("PUFFER_FIXTURES") {
        return list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
    }
    let path = dir.join("suite.txt");
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

struct Expected {
    stdout: Vec<u8>,
    /// The exit code puffer itself must return.
    code: i32,
    status_text: String,
    args: Vec<String>,
}

fn load_expected(dir: &Path, name: &str) -> Result<Expected, String> {
    let bin = dir.join(name);
    if !bin.is_file() && !dir.join(format!("{name}.cmd")).is_file() {
        return Err(format!("no fixture binary {}", bin.display()));
    }
    let read = |suffix: &str| fs::read(dir.join(format!("{name}.{suffix}")));
    let stdout = read("stdout").map_err(|e| format!("{name}.stdout: {e}"))?;
    let status = read("status").map_err(|e| format!("{name}.status: {e}"))?;
    let status_text = String::from_utf8_lossy(&status).trim().to_string();
    let code = match status_text.split_once(' ') {
        Some(("exit", n)) => n
            .parse::<i32>()
            .map_err(|_| format!("{name}.status: bad `{status_text}`"))?,
        Some(("signal", n)) => {
            128 + n
                .parse::<i32>()
                .map_err(|_| format!("{name}.status: bad `{status_text}`"))?
        }
        _ => return Err(format!("{name}.status: bad `{status_text}`")),
    };
    let args = match fs::read(dir.join(format!("{name}.args"))) {
        Ok(bytes) => String::from_utf8(bytes)
            .map_err(|_| format!("{name}.args is not UTF-8"))?
            .split_terminator('\n')
            .map(String::from)
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(format!("{name}.args: {e}")),
    };
    Ok(Expected {
        stdout,
        code,
        status_text,
        args,
    })
}

static DIR_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty working directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let n = DIR_COUNTER.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "puffer-fixture-{}-{n}-{nanos}-{name}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap_or_else(|e| panic!("creating {}: {e}", path.display()));
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

struct Run {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    secs: f64,
}

/// Close every descriptor but 0, 1 and 2 in the child, as `cargo xtask fixtures`
/// does for the native recording: puffer gives the guest only those three, and
/// puffer itself should not hold the test runner's (cargo's jobserver pipes).
fn only_std_fds(cmd: &mut Command) -> &mut Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec only raw close_range/close syscalls run, which
    // are async-signal-safe and allocate nothing.
    unsafe {
        cmd.pre_exec(|| {
            if libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32) != 0 {
                for fd in 3..65536 {
                    libc::close(fd);
                }
            }
            Ok(())
        })
    }
}

fn run_puffer(
    fixture: &Path,
    args: &[String],
    cwd: &Path,
    env: &[(&str, &OsStr)],
) -> Result<Run, String> {
    let mut child = only_std_fds(&mut Command::new(env!("CARGO_BIN_EXE_puffer")))
        .env_clear()
        .envs(env.iter().copied())
        .arg("run")
        .arg(fixture)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start puffer: {e}"))?;
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
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = out_reader.join();
                let stderr = err_reader.join().unwrap_or_default();
                return Err(format!(
                    "timed out after {} s, killed{}",
                    TIMEOUT.as_secs(),
                    stderr_tail(&stderr)
                ));
            }
            Ok(None) => thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("waiting for puffer: {e}")),
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    Ok(Run {
        status,
        stdout,
        stderr,
        secs: start.elapsed().as_secs_f64(),
    })
}

fn clip(line: &[u8]) -> String {
    let s = String::from_utf8_lossy(line);
    if s.chars().count() > 160 {
        format!("{:?}...", s.chars().take(160).collect::<String>())
    } else {
        format!("{s:?}")
    }
}

/// A short description of the first line where `actual` differs from `expected`.
fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let e: Vec<&[u8]> = expected.split(|&c| c == b'\n').collect();
    let a: Vec<&[u8]> = actual.split(|&c| c == b'\n').collect();
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i), a.get(i));
        if x != y {
            let show = |l: Option<&&[u8]>| {
                l.map(|l| clip(l))
                    .unwrap_or_else(|| "<end of output>".into())
            };
            return format!(
                "stdout differs at line {} (expected {} bytes, got {}):\n      expected: {}\n      actual:   {}",
                i + 1,
                expected.len(),
                actual.len(),
                show(x),
                show(y)
            );
        }
    }
    format!(
        "stdout differs (expected {} bytes, got {})",
        expected.len(),
        actual.len()
    )
}

fn stderr_tail(stderr: &[u8]) -> String {
    if stderr.is_empty() {
        return String::new();
    }
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.lines().collect();
    let tail = &lines[lines.len().saturating_sub(8)..];
    let mut s = String::from("\n      stderr (last lines):");
    for l in tail {
        let l: String = l.chars().take(200).collect();
        s.push_str("\n        ");
        s.push_str(&l);
    }
    s
}

/// Runs one fixture; Ok(seconds) on success, Err(report) on failure.
fn check(dir: &Path, name: &str) -> Result<f64, String> {
    let exp = load_expected(dir, name)?;
    let manifest = dir.join(format!("{name}.cmd"));
    let (run, _tmp) = if manifest.is_file() {
        let tmp = TempDir::new(&name.replace('/', "_"));
        let (program, args, cwd, path) = shell_setup(dir, &manifest, &tmp.0)?;
        let run = run_puffer(&program, &args, &cwd, &[("PATH", path.as_os_str())])?;
        (run, tmp)
    } else {
        let fixture = fs::canonicalize(dir.join(name)).map_err(|e| format!("{name}: {e}"))?;
        let cwd = TempDir::new(name);
        (run_puffer(&fixture, &exp.args, &cwd.0, &[])?, cwd)
    };
    let mut problems = Vec::new();
    match run.status.code() {
        Some(code) if code == exp.code => {}
        Some(code) => problems.push(format!(
            "exit code {code}, expected {} ({})",
            exp.code, exp.status_text
        )),
        None => problems.push(format!("puffer itself died: {}", run.status)),
    }
    if run.stdout != exp.stdout {
        problems.push(first_difference(&exp.stdout, &run.stdout));
    }
    if problems.is_empty() {
        Ok(run.secs)
    } else {
        Err(format!(
            "{}{}",
            problems.join("\n    "),
            stderr_tail(&run.stderr)
        ))
    }
}

/// Busybox, whose applets shell fixtures run (see xtask/src/shell.rs).
const BUSYBOX: &str = "/bin/busybox";

/// Sets up a shell fixture the way `cargo xtask fixtures` ran it natively:
/// `T/bin/APPLET -> /bin/busybox` for every busybox applet, the script copied
/// to `T/NAME.sh` and passed as `../NAME.sh`, cwd `T/w` (empty), environment
/// only `PATH=T/bin`. The manifest `<fixture>.cmd` is one line: the program and
/// its arguments, where a word starting with `guest/sh/` names a script of the
/// repository. Returns (program, args, cwd, PATH).
fn shell_setup(
    fixtures: &Path,
    manifest: &Path,
    t: &Path,
) -> Result<(PathBuf, Vec<String>, PathBuf, PathBuf), String> {
    let text = fs::read_to_string(manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return Err(format!("{}: empty manifest", manifest.display()));
    }
    let out = Command::new(BUSYBOX)
        .arg("--list")
        .output()
        .map_err(|e| format!("cannot run {BUSYBOX} (apt-get install busybox-static): {e}"))?;
    let bin = t.join("bin");
    let cwd = t.join("w");
    fs::create_dir_all(&bin).map_err(|e| e.to_string())?;
    fs::create_dir_all(&cwd).map_err(|e| e.to_string())?;
    for applet in String::from_utf8_lossy(&out.stdout).lines() {
        if !applet.is_empty() && !applet.contains('/') {
            std::os::unix::fs::symlink(BUSYBOX, bin.join(applet))
                .map_err(|e| format!("symlink {applet}: {e}"))?;
        }
    }
    let repo = fixtures.join("..");
    let mut argv = Vec::new();
    for w in words {
        if let Some(rel) = w.strip_prefix("guest/sh/") {
            fs::copy(repo.join(w), t.join(rel)).map_err(|e| format!("copying {w}: {e}"))?;
            argv.push(format!("../{rel}"));
        } else {
            argv.push(w.to_string());
        }
    }
    let program = PathBuf::from(argv.remove(0));
    if !program.exists() {
        return Err(format!(
            "{} is not installed (apt-get install busybox-static bash-static)",
            program.display()
        ));
    }
    Ok((program, argv, cwd, bin))
}

#[test]
fn fixtures() {
    let dir = fixtures_dir();
    let names = suite_names(&dir);
    let next = AtomicUsize::new(0);
    let failures: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
    let passed = AtomicUsize::new(0);
    thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(name) = names.get(i) else { break };
                match check(&dir, name) {
                    Ok(secs) => {
                        passed.fetch_add(1, Ordering::SeqCst);
                        println!("ok      {name} ({secs:.1} s)");
                    }
                    Err(report) => {
                        println!("FAILED  {name}");
                        failures.lock().unwrap().push((name.clone(), report));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    for (name, report) in &failures {
        println!("--- {name}\n    {report}");
    }
    let passed = passed.load(Ordering::SeqCst);
    println!("fixtures: {passed} passed, {} failed", failures.len());
    assert_eq!(failures.len(), 0, "{} fixture(s) failed", failures.len());
}
