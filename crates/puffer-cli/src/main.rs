//! `puffer`: run, trace and inspect static x86-64 Linux programs.

mod difftest;
mod gdb;
mod gdb_arch;
mod trace;

use clap::{Parser, Subcommand};
use puffer_kernel::ktrace::Ktrace;
use puffer_kernel::process::pid::PidAlloc;
use puffer_kernel::{Config, Kernel};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// The program `puffer run` executes when no ELF is named (guest/demo/demo.c).
static DEMO: &[u8] = include_bytes!("../../../fixtures/demo.musl");

#[derive(Parser)]
#[command(
    name = "puffer",
    version,
    about = "A full-system x86-64 emulator with its own kernel"
)]
struct Cli {
    /// More logging (-v: info, -vv: debug, -vvv: trace); RUST_LOG works too.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run a static x86-64 ELF program (an embedded demo when none is given).
    Run(RunArgs),
    /// Run a program one instruction at a time, recording every instruction.
    Trace(trace::TraceArgs),
    /// Run a program natively (ptrace) and in puffer in lockstep; report the first
    /// divergence.
    Difftest(difftest::DiffArgs),
}

#[derive(clap::Args)]
struct RunArgs {
    /// Guest RAM, e.g. 512M or 2G.
    #[arg(long, default_value = "2G", value_parser = parse_size)]
    mem: u64,
    /// Directory that is the guest's "/"; paths cannot leave it.
    #[arg(long, default_value = "/")]
    root: PathBuf,
    /// Print execution statistics to stderr on exit.
    #[arg(long)]
    stats: bool,
    /// Instructions per scheduler time slice.
    #[arg(long, default_value_t = 200_000)]
    timeslice: u64,
    /// Write the kernel-event trace (fork, exec, exit, reap...) to FILE, or stderr.
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "-", require_equals = true)]
    ktrace: Option<String>,
    /// Print every syscall as strace does to FILE, or stderr.
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "-", require_equals = true)]
    strace: Option<String>,
    /// Wait for gdb on HOST:PORT and serve the GDB remote protocol (like qemu-user -g).
    #[arg(long, value_name = "HOST:PORT")]
    gdb: Option<String>,
    /// Format of the kernel-event trace.
    #[arg(long, value_enum, default_value = "text")]
    ktrace_format: TraceFormat,
    /// PID allocation: Linux's sequential allocator or OpenBSD's random one.
    #[arg(long, value_enum, default_value = "sequential")]
    pid_alloc: PidAllocArg,
    /// At most this many guest processes at once (fork then fails with EAGAIN).
    #[arg(long, default_value_t = 4096)]
    max_procs: usize,
    /// Virtual time (10 ns per retired instruction, idle time skipped) and seeded
    /// randomness, so that two runs are identical (docs/determinism.md); SEED
    /// defaults to 0.
    #[arg(long, value_name = "SEED", num_args = 0..=1, default_missing_value = "0", require_equals = true)]
    deterministic: Option<u64>,
    /// The program to run.
    elf: Option<PathBuf>,
    /// Its arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<std::ffi::OsString>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum TraceFormat {
    Text,
    Jsonl,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PidAllocArg {
    Sequential,
    Random,
}

fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.chars().last() {
        Some('K' | 'k') => (&s[..s.len() - 1], 1u64 << 10),
        Some('M' | 'm') => (&s[..s.len() - 1], 1 << 20),
        Some('G' | 'g') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    let n: u64 = num.parse().map_err(|_| format!("not a size: {s}"))?;
    let v = n.checked_mul(mult).ok_or("size too large")?;
    if v < (1 << 20) {
        return Err("guest RAM must be at least 1M".into());
    }
    Ok(v)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = match cli.verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let env = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter));
    tracing_subscriber::fmt()
        .with_env_filter(env)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .init();
    match cli.cmd {
        Cmd::Run(a) => run(a),
        Cmd::Trace(a) => trace::main(a),
        Cmd::Difftest(a) => difftest::main(a),
    }
}

fn run(a: RunArgs) -> ExitCode {
    let cwd = std::env::current_dir().ok();
    let root = match std::fs::canonicalize(&a.root) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("puffer: --root {}: {e}", a.root.display());
            return ExitCode::from(125);
        }
    };
    // The guest starts in the host's working directory when it lies inside the root.
    let guest_cwd = cwd
        .and_then(|c| {
            c.strip_prefix(&root)
                .ok()
                .map(|r| format!("/{}", r.to_string_lossy()))
        })
        .unwrap_or_else(|| "/".into());
    let config = Config {
        mem: a.mem,
        root,
        cwd: guest_cwd,
        timeslice: a.timeslice.max(1),
        pid_alloc: match a.pid_alloc {
            PidAllocArg::Sequential => PidAlloc::Sequential,
            PidAllocArg::Random => PidAlloc::Random,
        },
        max_procs: a.max_procs.max(1),
        ..Config::default()
    };
    let mut kernel = Kernel::new(config);
    if let Some(seed) = a.deterministic {
        kernel.set_deterministic(seed);
    }
    if let Some(dest) = &a.ktrace {
        let out: Box<dyn std::io::Write> = if dest == "-" {
            Box::new(std::io::stderr())
        } else {
            match std::fs::File::create(dest) {
                Ok(f) => Box::new(std::io::BufWriter::new(f)),
                Err(e) => {
                    eprintln!("puffer: --ktrace={dest}: {e}");
                    return ExitCode::from(125);
                }
            }
        };
        kernel.ktrace = Some(Ktrace::new(
            out,
            matches!(a.ktrace_format, TraceFormat::Jsonl),
        ));
    }
    if let Some(dest) = &a.strace {
        let out: Box<dyn std::io::Write> = if dest == "-" {
            Box::new(std::io::stderr())
        } else {
            match std::fs::File::create(dest) {
                Ok(f) => Box::new(std::io::BufWriter::new(f)),
                Err(e) => {
                    eprintln!("puffer: --strace={dest}: {e}");
                    return ExitCode::from(125);
                }
            }
        };
        kernel.strace = Some(puffer_kernel::strace::Strace::new(out));
    }
    let envp: Vec<Vec<u8>> = std::env::vars_os()
        .map(|(k, v)| {
            let mut e = k.as_bytes().to_vec();
            e.push(b'=');
            e.extend_from_slice(v.as_bytes());
            e
        })
        .collect();
    let spawned = match &a.elf {
        Some(path) => {
            let mut argv = vec![path.as_os_str().as_bytes().to_vec()];
            argv.extend(a.args.iter().map(|s| s.as_bytes().to_vec()));
            kernel
                .spawn_init(path, argv, envp)
                .map_err(|e| format!("{}: {e}", path.display()))
        }
        None => {
            let argv = vec![b"demo".to_vec()];
            kernel
                .spawn_init_bytes("demo", DEMO.to_vec(), argv, envp)
                .map_err(|e| format!("demo: {e}"))
        }
    };
    if let Err(e) = spawned {
        eprintln!("puffer: {e}");
        return ExitCode::from(126);
    }
    let exe = match &a.elf {
        Some(p) => p.to_string_lossy().into_owned(),
        None => "demo".into(),
    };
    kernel.strace_initial_exec(&exe);
    let t0 = Instant::now();
    let status = match &a.gdb {
        Some(addr) => match gdb::serve(&mut kernel, addr) {
            Ok(Some(st)) => st,
            Ok(None) => kernel.run(),
            Err(e) => {
                eprintln!("puffer: {e}");
                return ExitCode::from(125);
            }
        },
        None => kernel.run(),
    };
    // Flush the traces before exiting.
    kernel.ktrace = None;
    kernel.strace = None;
    let secs = t0.elapsed().as_secs_f64();
    if a.stats {
        let n = kernel.cpu.stats.retired;
        eprintln!(
            "puffer: {} instructions in {:.3} s ({:.1} MIPS); {}",
            n,
            secs,
            n as f64 / secs.max(1e-9) / 1e6,
            kernel.stats_line()
        );
    }
    ExitCode::from(status.shell_code() as u8)
}
