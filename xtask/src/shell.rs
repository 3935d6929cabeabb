//! Shell-script fixtures: `guest/sh/NAME.sh` run by Debian's static busybox
//! (`/bin/busybox sh`) and static bash (`/bin/bash-static`).
//!
//! The shells are not committed. A fixture's "binary" is a manifest
//! `fixtures/sh/NAME.SHELL.cmd`, one line such as
//! `/bin/busybox sh guest/sh/NAME.sh`: the program to run and its arguments,
//! where a word starting with `guest/sh/` names a script of the repository.
//! Every run (natively here, under puffer in `tests/fixtures.rs`) sets up the
//! same layout in a fresh temporary directory `T`:
//!
//! ```text
//! T/bin/APPLET -> /bin/busybox   one symlink per `busybox --list` applet
//! T/NAME.sh                      a copy of the script, passed as `../NAME.sh`
//! T/w/                           the working directory, initially empty
//! ```
//!
//! with stdin from /dev/null and the environment exactly `PATH=T/bin`, so both
//! shells run busybox's applets (never the host's dynamic coreutils). A
//! first-line comment `# SHELLS: bash` limits a script to the listed shells
//! (default: `busybox bash`).

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::{first_difference, run_with_timeout};

pub const BUSYBOX: &str = "/bin/busybox";
pub const BASH: &str = "/bin/bash-static";

const TIMEOUT: Duration = Duration::from_secs(60);

/// (shell name used in the fixture name, the manifest's command words before the script)
const SHELLS: &[(&str, &[&str])] = &[("busybox", &[BUSYBOX, "sh"]), ("bash", &[BASH])];

pub struct ShFixture {
    /// Script stem.
    pub name: String,
    pub shell: &'static str,
    words: Vec<String>,
}

impl ShFixture {
    /// The name used in suite.txt: `sh/NAME.SHELL`.
    pub fn fixture_name(&self) -> String {
        format!("sh/{}.{}", self.name, self.shell)
    }
}

/// All shell fixtures, sorted by script then shell.
pub fn collect(root: &Path) -> Result<Vec<ShFixture>, String> {
    let dir = root.join("guest").join("sh");
    let mut scripts: Vec<PathBuf> = match fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().and_then(OsStr::to_str) == Some("sh") && p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    scripts.sort();
    let mut v = Vec::new();
    for script in scripts {
        let name = script
            .file_stem()
            .and_then(OsStr::to_str)
            .ok_or("bad script name")?
            .to_string();
        let text = fs::read_to_string(&script)
            .map_err(|e| format!("reading {}: {e}", script.display()))?;
        let allowed = shells_line(&text);
        for &(shell, cmd) in SHELLS {
            if !allowed.iter().any(|s| s == shell) {
                continue;
            }
            let mut words: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
            words.push(format!("guest/sh/{name}.sh"));
            v.push(ShFixture {
                name: name.clone(),
                shell,
                words,
            });
        }
    }
    Ok(v)
}

/// `# SHELLS: bash busybox` on one of the first lines; default both.
fn shells_line(text: &str) -> Vec<String> {
    for line in text.lines().take(3) {
        if let Some(rest) = line.trim_start().strip_prefix('#') {
            if let Some(list) = rest.trim_start().strip_prefix("SHELLS:") {
                return list.split_whitespace().map(String::from).collect();
            }
        }
    }
    SHELLS.iter().map(|(s, _)| s.to_string()).collect()
}

/// True if `name` selects shell fixtures: `sh` (all), a script stem, or `sh/NAME.SHELL`.
pub fn selects(all: &[ShFixture], name: &str) -> bool {
    name == "sh"
        || all
            .iter()
            .any(|f| f.name == name || f.fixture_name() == name)
}

pub struct ShOutcome {
    pub name: String,
    pub status: String,
    pub stdout_len: usize,
    pub problems: Vec<String>,
}

/// Records the fixtures selected by `names` (all if empty).
pub fn record(root: &Path, names: &[String]) -> Result<Vec<ShOutcome>, String> {
    let all = collect(root)?;
    let wanted: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    let selected: Vec<&ShFixture> = all
        .iter()
        .filter(|f| {
            wanted.is_empty()
                || wanted.contains("sh")
                || wanted.contains(f.name.as_str())
                || wanted.contains(f.fixture_name().as_str())
        })
        .collect();
    let out_dir = root.join("fixtures").join("sh");
    fs::create_dir_all(&out_dir).map_err(|e| format!("creating {}: {e}", out_dir.display()))?;
    let applets = applet_list()?;

    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(8);
    let mut results: Vec<(usize, ShOutcome)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(f) = selected.get(i) else { break };
                        let o = record_one(f, root, &out_dir, &applets);
                        eprintln!(
                            "  {:<28} {}",
                            o.name,
                            if o.problems.is_empty() {
                                "ok"
                            } else {
                                "FAILED"
                            }
                        );
                        done.push((i, o));
                    }
                    done
                })
            })
            .collect();
        hs.into_iter()
            .flat_map(|h| h.join().expect("worker panicked"))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    Ok(results.into_iter().map(|(_, o)| o).collect())
}

fn record_one(f: &ShFixture, root: &Path, out_dir: &Path, applets: &[String]) -> ShOutcome {
    let mut o = ShOutcome {
        name: f.fixture_name(),
        status: "-".into(),
        stdout_len: 0,
        problems: Vec::new(),
    };
    let base = format!("{}.{}", f.name, f.shell);
    let runs: Vec<Result<NativeRun, String>> = (0..2)
        .map(|_| run_native(&f.words, root, applets))
        .collect();
    let (a, b) = match (&runs[0], &runs[1]) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            o.problems.push(e.clone());
            return o;
        }
    };
    if a.0 != b.0 || a.1 != b.1 {
        o.problems.push(format!(
            "output differs between two native runs ({}): not deterministic",
            first_difference(&a.1, &b.1).unwrap_or_else(|| format!("status {} vs {}", a.0, b.0))
        ));
    }
    if !a.2.is_empty() {
        o.problems.push(format!(
            "left files in its working directory: {}",
            a.2.join(", ")
        ));
    }
    o.status = a.0.clone();
    o.stdout_len = a.1.len();
    let mut write = |suffix: &str, data: &[u8]| {
        let p = out_dir.join(format!("{base}.{suffix}"));
        if let Err(e) = fs::write(&p, data) {
            o.problems.push(format!("writing {}: {e}", p.display()));
        }
    };
    write("cmd", format!("{}\n", f.words.join(" ")).as_bytes());
    write("stdout", &a.1);
    write("status", format!("{}\n", a.0).as_bytes());
    o
}

fn applet_list() -> Result<Vec<String>, String> {
    let out = Command::new(BUSYBOX)
        .arg("--list")
        .output()
        .map_err(|e| format!("cannot run {BUSYBOX} (apt-get install busybox-static): {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .filter(|s| !s.is_empty() && !s.contains('/'))
        .collect())
}

/// (status, stdout, files left in the working directory)
type NativeRun = (String, Vec<u8>, Vec<String>);

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Runs the manifest words natively in the layout described at the top;
/// returns (status, stdout, files left in the working directory).
fn run_native(words: &[String], root: &Path, applets: &[String]) -> Result<NativeRun, String> {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let t = std::env::temp_dir().join(format!("puffer-xtask-sh-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&t);
    let bin = t.join("bin");
    let cwd = t.join("w");
    fs::create_dir_all(&bin).map_err(|e| format!("creating {}: {e}", bin.display()))?;
    fs::create_dir_all(&cwd).map_err(|e| format!("creating {}: {e}", cwd.display()))?;
    for a in applets {
        std::os::unix::fs::symlink(BUSYBOX, bin.join(a)).map_err(|e| format!("symlink: {e}"))?;
    }
    let mut argv = Vec::new();
    for w in words {
        if let Some(rel) = w.strip_prefix("guest/sh/") {
            fs::copy(root.join(w), t.join(rel)).map_err(|e| format!("copying {w}: {e}"))?;
            argv.push(format!("../{rel}"));
        } else {
            argv.push(w.clone());
        }
    }
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .current_dir(&cwd)
        .env_clear()
        .env("PATH", &bin)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    crate::only_std_fds(&mut cmd);
    let result = run_with_timeout(cmd, TIMEOUT);
    let mut leftovers: Vec<String> = fs::read_dir(&cwd)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    leftovers.sort();
    let _ = fs::remove_dir_all(&t);
    let (status, stdout, _stderr) = result.map_err(|e| format!("running {}: {e}", argv[0]))?;
    let status = match (status.code(), status.signal()) {
        (Some(c), _) => format!("exit {c}"),
        (None, Some(s)) => format!("signal {s}"),
        _ => return Err(format!("unexpected wait status {status:?}")),
    };
    Ok((status, stdout, leftovers))
}
