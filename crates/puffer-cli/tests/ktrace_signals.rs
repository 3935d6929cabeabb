//! The kernel-event trace records signals: generation ("pending", "coalesced",
//! "ignored"), delivery ("handler", "terminate", "core", "stop", "ignore"), a
//! stopped process continuing, and children reaped automatically.

use std::path::PathBuf;
use std::process::Command;

fn trace_of(fixture: &str) -> String {
    let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(fixture);
    let dir = std::env::temp_dir().join(format!("puffer-ktrace-sig-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join(format!("{fixture}.jsonl"));
    let o = Command::new(env!("CARGO_BIN_EXE_puffer"))
        .arg("run")
        .arg(format!("--ktrace={}", out.display()))
        .args(["--ktrace-format", "jsonl"])
        .arg(&bin)
        .current_dir(&dir)
        .env_clear()
        .output()
        .expect("run puffer");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t = std::fs::read_to_string(&out).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    t
}

fn has(trace: &str, needles: &[&str]) -> bool {
    trace.lines().any(|l| needles.iter().all(|n| l.contains(n)))
}

#[test]
fn sigchld_events() {
    let t = trace_of("sigchld.musl");
    let sig = r#""event":"signal""#;
    assert!(
        has(&t, &[sig, r#""sig":"SIGCHLD""#, r#""action":"pending""#]),
        "{t}"
    );
    assert!(
        has(&t, &[sig, r#""sig":"SIGCHLD""#, r#""action":"handler""#]),
        "{t}"
    );
    assert!(
        has(&t, &[sig, r#""sig":"SIGTERM""#, r#""action":"terminate""#]),
        "{t}"
    );
    assert!(
        has(&t, &[sig, r#""sig":"SIGABRT""#, r#""action":"core""#]),
        "{t}"
    );
    assert!(
        has(&t, &[sig, r#""sig":"SIGSTOP""#, r#""action":"stop""#]),
        "{t}"
    );
    assert!(
        has(&t, &[sig, r#""sig":"SIGCONT""#, r#""action":"continue""#]),
        "{t}"
    );
    assert!(
        has(&t, &[sig, r#""sig":"SIGCHLD""#, r#""action":"ignored""#]),
        "{t}"
    );
    assert!(
        has(&t, &[r#""event":"reap""#, r#""status":"autoreaped""#]),
        "{t}"
    );
}
