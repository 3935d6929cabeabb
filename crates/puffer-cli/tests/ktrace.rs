//! The kernel-event trace: a fork/exit/wait program's life as the seeds describe it.

use std::path::PathBuf;
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

/// The value of `"key":` in a JSON-lines record (numbers and strings only).
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let pat = format!("\"{key}\":");
    let rest = &line[line.find(&pat)? + pat.len()..];
    let rest = rest.strip_prefix('"').unwrap_or(rest);
    let end = rest.find(['"', ',', '}']).unwrap_or(rest.len());
    Some(&rest[..end])
}

#[test]
fn fork_exit_wait_reads_like_the_seeds() {
    let dir = std::env::temp_dir().join(format!("puffer-ktrace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("k.jsonl");
    let st = Command::new(env!("CARGO_BIN_EXE_puffer"))
        .arg("run")
        .arg(format!("--ktrace={}", out.display()))
        .args(["--ktrace-format", "jsonl"])
        .arg(fixture("fork_basic.musl"))
        .current_dir(&dir)
        .env_clear()
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        assert!(
            l.starts_with(&format!("{{\"seq\":{i},\"event\":\"")) && l.ends_with('}'),
            "{l}"
        );
    }
    let events: Vec<&str> = lines.iter().filter_map(|l| field(l, "event")).collect();
    // exec of PID 1 first, its exit last.
    assert_eq!(events.first(), Some(&"exec"));
    assert_eq!(field(lines[0], "pid"), Some("1"));
    let last = lines.last().unwrap();
    assert_eq!(
        (field(last, "event"), field(last, "pid")),
        (Some("exit"), Some("1"))
    );
    // A fork by 1 that shared pages copy-on-write, then that child's exit, SIGCHLD to
    // the parent, and its reaping by the parent, in that order.
    let fork = lines
        .iter()
        .position(|l| field(l, "event") == Some("fork"))
        .expect("a fork event");
    let child = field(lines[fork], "child").unwrap();
    assert_eq!(field(lines[fork], "parent"), Some("1"));
    assert!(
        field(lines[fork], "cow_pages")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
    let pos = |ev: &str, key: &str, val: &str| {
        lines
            .iter()
            .position(|l| field(l, "event") == Some(ev) && field(l, key) == Some(val))
    };
    let exit = pos("exit", "pid", child).expect("the child's exit");
    let sigchld = lines[exit..]
        .iter()
        .position(|l| field(l, "sig") == Some("SIGCHLD"))
        .map(|p| p + exit);
    let reap = pos("reap", "pid", child).expect("the child's reaping");
    assert!(
        fork < exit && exit < sigchld.expect("SIGCHLD") && exit < reap,
        "{text}"
    );
    assert_eq!(field(lines[reap], "by"), Some("1"));
    // Copy-on-write breaks are visible.
    assert!(events.contains(&"cow"), "{text}");
    std::fs::remove_dir_all(&dir).ok();
}
