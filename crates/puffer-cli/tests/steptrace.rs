//! puffer's instruction trace against the host CPU's: for every asm fixture with a
//! `fixtures/<bin>.steps` file (recorded by `cargo xtask fixtures`, see
//! xtask/src/steptrace.rs for the format), `puffer trace --format jsonl --regs all`
//! must produce the same per-1000-step digests of RIP, the GPRs and the defined
//! flags before every instruction.

use puffer_cpu::stepdigest::{fold, undefined_flags, BLOCK, FNV_START};
use std::path::{Path, PathBuf};
use std::process::Command;

const REGS: [&str; 16] = [
    "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13",
    "r14", "r15",
];

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let pat = format!("\"{key}\":\"");
    let at = line.find(&pat)? + pat.len();
    let rest = &line[at..];
    Some(&rest[..rest.find('"')?])
}

fn hex(line: &str, key: &str) -> u64 {
    let v = field(line, key).unwrap_or_else(|| panic!("no {key} in {line}"));
    u64::from_str_radix(v.trim_start_matches("0x"), 16).expect("hex")
}

/// The digest lines puffer's trace gives, in the .steps format.
fn puffer_digests(bin: &str, args: &[String], limit: u64) -> (Vec<String>, u64) {
    let out = std::env::temp_dir().join(format!("puffer-steptrace-{bin}-{}", std::process::id()));
    let st = Command::new(env!("CARGO_BIN_EXE_puffer"))
        .current_dir(fixtures_dir())
        .env_clear()
        .args(["trace", "--format", "jsonl", "--regs", "all", "--count"])
        .arg(limit.to_string())
        .arg("--out")
        .arg(&out)
        .arg(bin)
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run puffer trace");
    assert!(st.code().is_some(), "puffer trace {bin} crashed: {st:?}");
    let text = std::fs::read_to_string(&out).expect("read the trace");
    let _ = std::fs::remove_file(&out);
    let mut lines = Vec::new();
    let mut h = FNV_START;
    let mut n = 0u64;
    let mut undef = 0;
    let mut rsp0 = None;
    for l in text.lines().filter(|l| l.contains("\"bytes\":")) {
        let mut regs = [0u64; 16];
        for (i, r) in REGS.iter().enumerate() {
            regs[i] = hex(l, r);
        }
        let rsp0 = *rsp0.get_or_insert(regs[7]);
        fold(&mut h, hex(l, "rip"), &regs, hex(l, "rflags"), rsp0, undef);
        n += 1;
        if n % BLOCK == 0 {
            lines.push(format!("{} {h:016x}", n - BLOCK));
            h = FNV_START;
        }
        let b = field(l, "bytes").unwrap_or("");
        let bytes: Vec<u8> = (0..b.len() / 2)
            .filter_map(|i| u8::from_str_radix(&b[2 * i..2 * i + 2], 16).ok())
            .collect();
        undef = undefined_flags(undef, &bytes, regs[2]);
    }
    if n % BLOCK != 0 {
        lines.push(format!("{} {h:016x}", n - n % BLOCK));
    }
    (lines, n)
}

#[test]
fn asm_fixtures_step_like_the_host_cpu() {
    let dir = fixtures_dir();
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".asm.elf.steps"))
        .collect();
    entries.sort();
    for steps in entries {
        let bin = steps.trim_end_matches(".steps").to_string();
        let text = std::fs::read_to_string(dir.join(&steps)).expect("read .steps");
        let limit: u64 = text
            .lines()
            .find_map(|l| l.strip_prefix("limit "))
            .and_then(|v| v.parse().ok())
            .expect("limit line");
        let want: Vec<String> = text
            .lines()
            .filter(|l| {
                !l.starts_with('#')
                    && !l.starts_with("rsp0")
                    && !l.starts_with("limit")
                    && !l.starts_with("steps")
            })
            .map(str::to_string)
            .collect();
        let want_n: u64 = text
            .lines()
            .find_map(|l| l.strip_prefix("steps "))
            .and_then(|v| v.parse().ok())
            .expect("steps line");
        let args: Vec<String> = std::fs::read_to_string(dir.join(format!("{bin}.args")))
            .map(|t| t.lines().map(str::to_string).collect())
            .unwrap_or_default();
        let (got, n) = puffer_digests(&bin, &args, limit);
        checked += 1;
        if n != want_n {
            failures.push(format!("{bin}: host {want_n} steps, puffer {n}"));
        }
        if let Some(i) = (0..want.len().max(got.len())).find(|&i| want.get(i) != got.get(i)) {
            failures.push(format!(
                "{bin}: first differing block: host {:?}, puffer {:?} (run `puffer difftest fixtures/{bin}` to find the instruction)",
                want.get(i),
                got.get(i)
            ));
        }
    }
    assert!(
        checked > 0,
        "no fixtures/*.asm.elf.steps: run `cargo xtask fixtures alu.asm.elf ...`"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
