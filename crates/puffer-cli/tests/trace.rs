//! `puffer trace`: syscalls, faults and signal deliveries appear inline as their own
//! records (docs/trace-format.md).

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// The non-instruction records of `puffer trace --format jsonl <bin>`.
fn events(bin: &str, tag: &str) -> Vec<String> {
    let out = std::env::temp_dir().join(format!("puffer-trace-{tag}-{}", std::process::id()));
    let st = Command::new(env!("CARGO_BIN_EXE_puffer"))
        .current_dir(fixtures_dir())
        .args(["trace", "--format", "jsonl", "--out"])
        .arg(&out)
        .arg(bin)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run puffer trace");
    assert!(st.code().is_some(), "puffer trace {bin} crashed: {st:?}");
    let text = std::fs::read_to_string(&out).expect("read the trace");
    let _ = std::fs::remove_file(&out);
    text.lines()
        .filter(|l| !l.contains("\"bytes\":"))
        .map(str::to_string)
        .collect()
}

fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let pat = format!("\"{key}\":");
    let at = line.find(&pat)? + pat.len();
    let rest = &line[at..];
    let end = rest.find([',', '}'])?;
    Some(rest[..end].trim_matches('"'))
}

/// A fault the guest handles: the fault record, then the delivery to the handler
/// with the same step, si_code and si_addr = the faulting instruction.
#[test]
fn handled_fault_shows_the_fault_and_the_delivery() {
    let ev = events("sigfpe.musl", "sigfpe");
    let i = ev
        .iter()
        .position(|l| l.contains("\"fault\":"))
        .expect("a fault record");
    let fault = &ev[i];
    let sig = &ev[i + 1];
    assert_eq!(field(fault, "fault"), Some("simd_fp"), "{fault}");
    assert_eq!(field(sig, "signal"), Some("SIGFPE"), "{sig}");
    assert_eq!(field(sig, "signo"), Some("8"), "{sig}");
    assert_eq!(field(sig, "action"), Some("handler"), "{sig}");
    assert_eq!(field(sig, "code"), Some("FPE_FLTDIV"), "{sig}");
    assert_eq!(field(sig, "step"), field(fault, "step"), "{fault}\n{sig}");
    assert_eq!(field(sig, "addr"), field(fault, "rip"), "{fault}\n{sig}");
    let handler = field(sig, "handler").expect("handler address");
    assert!(handler.starts_with("0x4"), "{sig}");
}

/// A fault with no handler: the fault, then its default action.
#[test]
fn fatal_fault_shows_the_default_action() {
    let ev = events("divzero.asm.elf", "divzero");
    let i = ev
        .iter()
        .position(|l| l.contains("\"fault\":"))
        .expect("a fault record");
    assert_eq!(field(&ev[i], "fault"), Some("divide_error"), "{}", ev[i]);
    let sig = ev.get(i + 1).expect("a signal record after the fault");
    assert_eq!(field(sig, "signal"), Some("SIGFPE"), "{sig}");
    assert_eq!(field(sig, "code"), Some("FPE_INTDIV"), "{sig}");
    assert_eq!(field(sig, "action"), Some("core"), "{sig}");
    assert_eq!(field(sig, "handler"), None, "{sig}");
}

/// Signals sent by the program itself (raise, kill) are delivered to their handlers
/// and appear with their si_code.
#[test]
fn sent_signals_appear_at_delivery() {
    let ev = events("signals.musl", "signals");
    let sigs: Vec<&String> = ev.iter().filter(|l| l.contains("\"signal\":")).collect();
    assert!(
        sigs.iter().any(|l| field(l, "signal") == Some("SIGUSR1")
            && field(l, "code") == Some("SI_TKILL")
            && field(l, "action") == Some("handler")),
        "{sigs:?}"
    );
    assert!(
        sigs.iter().any(|l| field(l, "code") == Some("SI_USER")),
        "{sigs:?}"
    );
    assert!(
        sigs.iter().any(|l| field(l, "action") == Some("ignore")),
        "{sigs:?}"
    );
    // Each handled delivery is followed by the handler's rt_sigreturn.
    let first = ev
        .iter()
        .position(|l| field(l, "action") == Some("handler"))
        .unwrap();
    assert!(
        ev[first..]
            .iter()
            .any(|l| field(l, "syscall") == Some("rt_sigreturn")),
        "no rt_sigreturn after {}",
        ev[first]
    );
}
