//! `puffer trace`: one record per retired guest instruction, with syscalls, faults
//! and signals inline. The format is documented in docs/trace-format.md.

use iced_x86::{Formatter, GasFormatter, Instruction, IntelFormatter};
use puffer_cpu::{reg, CpuState};
use puffer_kernel::trace::{signal_code_name, signal_name, syscall_name, Event, Observer};
use puffer_kernel::Kernel;
use std::collections::HashMap;
use std::io::Write;

/// Register order of every record: the 16 GPRs, then rflags.
pub const REG_NAMES: [&str; 17] = [
    "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12", "r13",
    "r14", "r15", "rflags",
];
const GPR_INDEX: [usize; 16] = reg::DISPLAY_ORDER;

/// The registers of `s` in [`REG_NAMES`] order.
pub fn reg_values(s: &CpuState) -> [u64; 17] {
    let mut v = [0u64; 17];
    for (i, &g) in GPR_INDEX.iter().enumerate() {
        v[i] = s.gpr[g];
    }
    v[16] = s.rflags();
    v
}

pub struct Disasm {
    intel: IntelFormatter,
    gas: GasFormatter,
    att: bool,
}

impl Disasm {
    pub fn new(att: bool) -> Disasm {
        let mut intel = IntelFormatter::new();
        let o = intel.options_mut();
        o.set_hex_prefix("0x");
        o.set_hex_suffix("");
        o.set_uppercase_hex(false);
        o.set_space_after_operand_separator(false);
        let mut gas = GasFormatter::new();
        gas.options_mut().set_uppercase_hex(false);
        Disasm { intel, gas, att }
    }
    pub fn format(&mut self, insn: Option<&Instruction>) -> String {
        let mut out = String::new();
        match insn {
            Some(i) if self.att => self.gas.format(i, &mut out),
            Some(i) => self.intel.format(i, &mut out),
            None => out.push_str("(bad)"),
        }
        out
    }
}

pub fn hex_bytes(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub struct Options {
    pub jsonl: bool,
    pub all_regs: bool,
    pub pid: Option<i32>,
    pub from: u64,
    pub count: Option<u64>,
    pub att: bool,
}

pub struct Tracer {
    out: Box<dyn Write>,
    opt: Options,
    dis: Disasm,
    /// Registers at the last emitted record, per thread.
    last: HashMap<i32, [u64; 17]>,
    emitted: u64,
    /// Step and thread of the last instruction record written.
    last_emitted: Option<(u64, i32)>,
    /// The first write error; tracing stops there.
    pub error: Option<std::io::Error>,
}

impl Tracer {
    pub fn new(out: Box<dyn Write>, opt: Options) -> Tracer {
        let dis = Disasm::new(opt.att);
        Tracer {
            out,
            opt,
            dis,
            last: HashMap::new(),
            emitted: 0,
            last_emitted: None,
            error: None,
        }
    }

    pub fn flush(&mut self) {
        if let Err(e) = self.out.flush() {
            self.error.get_or_insert(e);
        }
    }

    fn wanted(&self, step: u64, pid: i32) -> bool {
        step >= self.opt.from
            && self.opt.pid.is_none_or(|p| p == pid)
            && self.opt.count.is_none_or(|c| self.emitted < c)
    }

    fn line(&mut self, s: String) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = writeln!(self.out, "{s}") {
            self.error = Some(e);
        }
    }
}

impl Observer for Tracer {
    fn done(&self) -> bool {
        self.error.is_some() || self.opt.count.is_some_and(|c| self.emitted >= c)
    }

    fn event(&mut self, _k: &Kernel, ev: &Event<'_>) {
        match ev {
            Event::Insn(s) => {
                if !self.wanted(s.step, s.pid.0) {
                    return;
                }
                self.emitted += 1;
                self.last_emitted = Some((s.step, s.tid.0));
                let now = reg_values(&s.before);
                let prev = self.last.insert(s.tid.0, now);
                let shown: Vec<usize> = (0..17)
                    .filter(|&i| self.opt.all_regs || prev.is_none_or(|p| p[i] != now[i]))
                    .collect();
                let asm = self.dis.format(s.insn.as_ref());
                let bytes = hex_bytes(&s.bytes);
                let line = if self.opt.jsonl {
                    let regs: Vec<String> = shown
                        .iter()
                        .map(|&i| format!("\"{}\":\"{:#x}\"", REG_NAMES[i], now[i]))
                        .collect();
                    format!(
                        "{{\"step\":{},\"pid\":{},\"tid\":{},\"rip\":\"{:#x}\",\"bytes\":\"{}\",\"asm\":\"{}\",\"regs\":{{{}}}}}",
                        s.step,
                        s.pid,
                        s.tid,
                        s.before.rip,
                        bytes,
                        json_escape(&asm),
                        regs.join(",")
                    )
                } else {
                    let regs: Vec<String> = shown
                        .iter()
                        .map(|&i| format!("{}={:#x}", REG_NAMES[i], now[i]))
                        .collect();
                    format!(
                        "{:>8} {}:{} {:#014x} {:<30} {:<40} {}",
                        s.step,
                        s.pid,
                        s.tid,
                        s.before.rip,
                        bytes,
                        asm,
                        regs.join(" ")
                    )
                    .trim_end()
                    .to_string()
                };
                self.line(line);
            }
            Event::Syscall {
                step,
                nr,
                args,
                ret,
            } => {
                if self.last_emitted != Some((step.step, step.tid.0)) {
                    return;
                }
                let name = syscall_name(*nr).unwrap_or("unknown");
                let line = if self.opt.jsonl {
                    let a: Vec<String> = args.iter().map(|v| format!("\"{v:#x}\"")).collect();
                    let r = match ret {
                        Some(r) => format!("\"{r:#x}\""),
                        None => "null".into(),
                    };
                    format!(
                        "{{\"step\":{},\"pid\":{},\"tid\":{},\"syscall\":\"{}\",\"nr\":{},\"args\":[{}],\"ret\":{}}}",
                        step.step, step.pid, step.tid, name, nr, a.join(","), r
                    )
                } else {
                    let a: Vec<String> = args.iter().map(|v| format!("{v:#x}")).collect();
                    let r = match ret {
                        Some(r) => format!("{} ({r:#x})", *r as i64),
                        None => "?".into(),
                    };
                    format!(
                        "{:>8} {}:{} syscall {name}({}) = {r}",
                        step.step,
                        step.pid,
                        step.tid,
                        a.join(", ")
                    )
                };
                self.line(line);
            }
            Event::Fault { step, kind, addr } => {
                if self.last_emitted != Some((step.step, step.tid.0)) {
                    return;
                }
                let line = if self.opt.jsonl {
                    let a = match addr {
                        Some(a) => format!(",\"addr\":\"{a:#x}\""),
                        None => String::new(),
                    };
                    format!(
                        "{{\"step\":{},\"pid\":{},\"tid\":{},\"fault\":\"{kind}\",\"rip\":\"{:#x}\"{a}}}",
                        step.step, step.pid, step.tid, step.before.rip
                    )
                } else {
                    let a = match addr {
                        Some(a) => format!(" addr={a:#x}"),
                        None => String::new(),
                    };
                    format!(
                        "{:>8} {}:{} fault {kind} rip={:#x}{a}",
                        step.step, step.pid, step.tid, step.before.rip
                    )
                };
                self.line(line);
            }
            Event::Signal(d) => {
                if !self.wanted(d.step, d.pid.0) {
                    return;
                }
                let name = signal_name(d.sig);
                let code = signal_code_name(d.sig, d.code)
                    .map(str::to_string)
                    .unwrap_or_else(|| d.code.to_string());
                let line = if self.opt.jsonl {
                    let mut extra = String::new();
                    if let Some(a) = d.addr {
                        extra.push_str(&format!(",\"addr\":\"{a:#x}\""));
                    }
                    if let Some(h) = d.handler {
                        extra.push_str(&format!(",\"handler\":\"{h:#x}\""));
                    }
                    format!(
                        "{{\"step\":{},\"pid\":{},\"tid\":{},\"signal\":\"{name}\",\"signo\":{},\"code\":\"{code}\",\"action\":\"{}\"{extra}}}",
                        d.step, d.pid, d.tid, d.sig, d.action
                    )
                } else {
                    let mut extra = String::new();
                    if let Some(a) = d.addr {
                        extra.push_str(&format!(" addr={a:#x}"));
                    }
                    if let Some(h) = d.handler {
                        extra.push_str(&format!(" handler={h:#x}"));
                    }
                    format!(
                        "{:>8} {}:{} signal {name} ({}) {code} {}{extra}",
                        d.step, d.pid, d.tid, d.sig, d.action
                    )
                };
                self.line(line);
            }
        }
    }
}

fn json_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Text,
    Jsonl,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Regs {
    Changed,
    All,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Syntax {
    Intel,
    Att,
}

#[derive(clap::Args)]
pub struct TraceArgs {
    /// Record format: text for people, JSON lines for tools (docs/trace-format.md).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Registers in each record: those the previous instruction changed, or all.
    #[arg(long, value_enum, default_value = "changed")]
    regs: Regs,
    /// Write the trace to FILE (default: stderr).
    #[arg(long, value_name = "FILE")]
    out: Option<std::path::PathBuf>,
    /// Only instructions of this process.
    #[arg(long)]
    pid: Option<i32>,
    /// Only instructions from this step number on.
    #[arg(long, default_value_t = 0)]
    from: u64,
    /// At most this many instruction records; the program then runs on untraced.
    #[arg(long)]
    count: Option<u64>,
    /// Disassembly syntax.
    #[arg(long, value_enum, default_value = "intel")]
    syntax: Syntax,
    /// Guest RAM, e.g. 512M or 2G.
    #[arg(long, default_value = "2G", value_parser = crate::parse_size)]
    mem: u64,
    /// Virtual time and seeded randomness, so that two traces are identical
    /// (docs/determinism.md); SEED defaults to 0.
    #[arg(long, value_name = "SEED", num_args = 0..=1, default_missing_value = "0", require_equals = true)]
    deterministic: Option<u64>,
    /// The program to trace.
    elf: std::path::PathBuf,
    /// Its arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<std::ffi::OsString>,
}

/// A kernel with the first process spawned from `elf`, the host's environment and
/// working directory, and "/" as the guest root.
pub fn spawn(
    mem: u64,
    elf: &std::path::Path,
    args: &[std::ffi::OsString],
) -> Result<Kernel, String> {
    spawn_seeded(mem, elf, args, None)
}

/// [`spawn`], with the deterministic mode's virtual clock and generator seed when
/// `seed` is given.
pub fn spawn_seeded(
    mem: u64,
    elf: &std::path::Path,
    args: &[std::ffi::OsString],
    seed: Option<u64>,
) -> Result<Kernel, String> {
    use std::os::unix::ffi::OsStrExt;
    let cwd = std::env::current_dir()
        .ok()
        .map(|c| c.to_string_lossy().into_owned())
        .unwrap_or_else(|| "/".into());
    let config = puffer_kernel::Config {
        mem,
        cwd,
        ..Default::default()
    };
    let mut k = Kernel::new(config);
    if let Some(seed) = seed {
        k.set_deterministic(seed);
    }
    let mut argv = vec![elf.as_os_str().as_bytes().to_vec()];
    argv.extend(args.iter().map(|s| s.as_bytes().to_vec()));
    let envp: Vec<Vec<u8>> = std::env::vars_os()
        .map(|(k, v)| {
            let mut e = k.as_bytes().to_vec();
            e.push(b'=');
            e.extend_from_slice(v.as_bytes());
            e
        })
        .collect();
    k.spawn_init(elf, argv, envp)
        .map_err(|e| format!("{}: {e}", elf.display()))?;
    Ok(k)
}

pub fn main(a: TraceArgs) -> std::process::ExitCode {
    use std::process::ExitCode;
    let out: Box<dyn Write> = match &a.out {
        None => Box::new(std::io::BufWriter::new(std::io::stderr())),
        Some(p) => match std::fs::File::create(p) {
            Ok(f) => Box::new(std::io::BufWriter::with_capacity(1 << 16, f)),
            Err(e) => {
                eprintln!("puffer: --out {}: {e}", p.display());
                return ExitCode::from(125);
            }
        },
    };
    let mut k = match spawn_seeded(a.mem, &a.elf, &a.args, a.deterministic) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("puffer: {e}");
            return ExitCode::from(126);
        }
    };
    let mut t = Tracer::new(
        out,
        Options {
            jsonl: matches!(a.format, Format::Jsonl),
            all_regs: matches!(a.regs, Regs::All),
            pid: a.pid,
            from: a.from,
            count: a.count,
            att: matches!(a.syntax, Syntax::Att),
        },
    );
    let status = k.run_with(&mut t);
    t.flush();
    if let Some(e) = &t.error {
        eprintln!("puffer: writing the trace: {e}");
    }
    ExitCode::from(status.shell_code() as u8)
}
