//! `puffer difftest`: run a program natively under ptrace single-stepping and in
//! puffer in lockstep, comparing RIP, the general registers, the defined arithmetic
//! flags and the XMM registers after every instruction. The host is authoritative for
//! what is host-specific: syscall results and the memory syscalls write are copied
//! from the native process into puffer; CPUID results go the other way (puffer's CPU
//! model is what the program must see, or it would choose code paths — AVX — that
//! puffer does not implement). Only the first process is followed.

use crate::trace::{hex_bytes, reg_values, Disasm, REG_NAMES};
use iced_x86::{Instruction, Mnemonic, RflagsBits};
use puffer_cpu::{reg, Trap};
use puffer_kernel::trace::syscall_name;
use puffer_kernel::ExitStatus;
use std::collections::VecDeque;
use std::ffi::CString;
use std::fs::File;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct DiffArgs {
    /// Test switch: make one instruction compute a wrong result in puffer (`add`:
    /// a flipped carry flag), to check that difftest catches it.
    #[arg(long, hide = true)]
    break_insn: Option<String>,
    /// Stop (successfully) after comparing this many instructions.
    #[arg(long)]
    max_steps: Option<u64>,
    /// Guest RAM for puffer.
    #[arg(long, default_value = "2G", value_parser = crate::parse_size)]
    mem: u64,
    /// The program.
    elf: std::path::PathBuf,
    /// Its arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<std::ffi::OsString>,
}

const STACK_TOP: u64 = 0x7fff_ffff_f000;
const AT_IGNORE: u64 = 1;
const AT_SYSINFO_EHDR: u64 = 33;
const CF: u64 = 1;
const PF: u64 = 4;
const AF: u64 = 0x10;
const ZF: u64 = 0x40;
const SF: u64 = 0x80;
const DF: u64 = 0x400;
const OF: u64 = 0x800;
const COMPARED_FLAGS: u64 = CF | PF | AF | ZF | SF | DF | OF;

pub fn main(a: DiffArgs) -> ExitCode {
    match run(&a) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("puffer difftest: {e}");
            ExitCode::from(2)
        }
    }
}

/// The native side: a stopped, ptrace'd child.
struct Native {
    pid: libc::pid_t,
    mem: File,
}

fn errno_str() -> String {
    std::io::Error::last_os_error().to_string()
}

impl Native {
    fn spawn(elf: &std::path::Path, args: &[std::ffi::OsString]) -> Result<Native, String> {
        let path = CString::new(elf.as_os_str().as_bytes()).map_err(|_| "NUL in path")?;
        let mut argv: Vec<CString> = vec![path.clone()];
        for a in args {
            argv.push(CString::new(a.as_bytes()).map_err(|_| "NUL in an argument")?);
        }
        let mut argp: Vec<*const libc::c_char> = argv.iter().map(|c| c.as_ptr()).collect();
        argp.push(std::ptr::null());
        // SAFETY: fork in a single-threaded moment of this process's life; the child
        // only calls async-signal-safe functions before exec.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(format!("fork: {}", errno_str()));
        }
        if pid == 0 {
            // SAFETY: the child: ptrace(TRACEME), personality, execv, _exit.
            unsafe {
                if libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) != 0 {
                    libc::_exit(120);
                }
                libc::personality(libc::ADDR_NO_RANDOMIZE as libc::c_ulong);
                libc::execv(path.as_ptr(), argp.as_ptr());
                libc::_exit(121);
            }
        }
        let mut st = 0;
        // SAFETY: waiting for our own child.
        unsafe { libc::waitpid(pid, &mut st, 0) };
        if !libc::WIFSTOPPED(st) {
            return Err(format!(
                "the native process did not stop at exec (status {st:#x}): is ptrace allowed here?"
            ));
        }
        // SAFETY: the child is stopped under our ptrace.
        unsafe {
            libc::ptrace(
                libc::PTRACE_SETOPTIONS,
                pid,
                0,
                libc::PTRACE_O_EXITKILL as libc::c_long,
            )
        };
        let mem = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(format!("/proc/{pid}/mem"))
            .map_err(|e| format!("/proc/{pid}/mem: {e}"))?;
        Ok(Native { pid, mem })
    }

    fn regs(&self) -> libc::user_regs_struct {
        // SAFETY: user_regs_struct is plain data; GETREGS fills it.
        unsafe {
            let mut r: libc::user_regs_struct = std::mem::zeroed();
            libc::ptrace(libc::PTRACE_GETREGS, self.pid, 0, &mut r as *mut _);
            r
        }
    }

    fn set_regs(&self, r: &libc::user_regs_struct) {
        // SAFETY: as above.
        unsafe { libc::ptrace(libc::PTRACE_SETREGS, self.pid, 0, r as *const _) };
    }

    fn xmm(&self) -> [u128; 16] {
        let mut buf = [0u8; 512];
        // SAFETY: GETFPREGS writes a 512-byte FXSAVE image.
        unsafe { libc::ptrace(libc::PTRACE_GETFPREGS, self.pid, 0, buf.as_mut_ptr()) };
        let mut x = [0u128; 16];
        for (i, v) in x.iter_mut().enumerate() {
            let o = 160 + 16 * i;
            *v = u128::from_le_bytes(buf[o..o + 16].try_into().unwrap_or([0; 16]));
        }
        x
    }

    fn read(&self, addr: u64, len: usize) -> Option<Vec<u8>> {
        let mut v = vec![0u8; len];
        self.mem.read_exact_at(&mut v, addr).ok()?;
        Some(v)
    }

    /// Single-step; returns the wait status.
    fn step(&self) -> i32 {
        let mut st = 0;
        // SAFETY: our stopped tracee.
        unsafe {
            libc::ptrace(libc::PTRACE_SINGLESTEP, self.pid, 0, 0);
            libc::waitpid(self.pid, &mut st, 0);
        }
        st
    }

    /// Let it run to its end, delivering `sig`; returns the wait status.
    fn finish(&self, sig: i32) -> i32 {
        let mut st = 0;
        loop {
            // SAFETY: our tracee.
            unsafe {
                libc::ptrace(libc::PTRACE_CONT, self.pid, 0, sig);
                if libc::waitpid(self.pid, &mut st, 0) < 0 {
                    return st;
                }
            }
            if libc::WIFEXITED(st) || libc::WIFSIGNALED(st) {
                return st;
            }
        }
    }
}

impl Drop for Native {
    fn drop(&mut self) {
        // SAFETY: kill and reap our own child (harmless when it already ended).
        unsafe {
            libc::kill(self.pid, libc::SIGKILL);
            libc::waitpid(self.pid, std::ptr::null_mut(), 0);
        }
    }
}

fn native_values(r: &libc::user_regs_struct) -> [u64; 17] {
    [
        r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp, r.rsp, r.r8, r.r9, r.r10, r.r11, r.r12,
        r.r13, r.r14, r.r15, r.eflags,
    ]
}

fn status_of(st: i32) -> ExitStatus {
    if libc::WIFEXITED(st) {
        ExitStatus::Exited(libc::WEXITSTATUS(st))
    } else {
        ExitStatus::Signaled {
            sig: libc::WTERMSIG(st),
            core: false,
        }
    }
}

/// The flag bits an instruction leaves undefined, in RFLAGS positions.
fn undefined_flags(insn: Option<&Instruction>) -> u64 {
    let Some(i) = insn else { return 0 };
    let u = i.rflags_undefined();
    let mut m = 0;
    for (bit, f) in [
        (RflagsBits::CF, CF),
        (RflagsBits::PF, PF),
        (RflagsBits::AF, AF),
        (RflagsBits::ZF, ZF),
        (RflagsBits::SF, SF),
        (RflagsBits::OF, OF),
    ] {
        if u & bit != 0 {
            m |= f;
        }
    }
    m
}

/// Memory a successful syscall wrote, as (address, length) ranges, from its
/// arguments and result.
fn written_ranges(n: &Native, nr: u64, a: &[u64; 6], ret: u64) -> Vec<(u64, u64)> {
    let mut v = Vec::new();
    let mut opt = |addr: u64, len: u64| {
        if addr != 0 && len > 0 && len < (1 << 30) {
            v.push((addr, len));
        }
    };
    match nr {
        0 | 17 => opt(a[1], ret),   // read, pread64
        89 => opt(a[1], ret),       // readlink
        267 => opt(a[2], ret),      // readlinkat
        79 => opt(a[0], ret),       // getcwd
        318 => opt(a[0], ret),      // getrandom
        78 | 217 => opt(a[1], ret), // getdents(64)
        204 => opt(a[2], ret),      // sched_getaffinity
        228 | 229 => opt(a[1], 16), // clock_gettime, clock_getres
        96 => {
            opt(a[0], 16);
            opt(a[1], 8)
        } // gettimeofday
        201 => opt(a[0], 8),        // time
        63 => opt(a[0], 390),       // uname
        4..=6 => opt(a[1], 144),    // stat, fstat, lstat
        262 => opt(a[2], 144),      // newfstatat
        332 => opt(a[4], 256),      // statx
        99 => opt(a[0], 112),       // sysinfo
        97 => opt(a[1], 16),        // getrlimit
        302 => opt(a[3], 16),       // prlimit64
        13 => opt(a[2], 32),        // rt_sigaction
        14 => opt(a[2], a[3].min(128)), // rt_sigprocmask
        131 => opt(a[1], 24),       // sigaltstack
        98 => opt(a[1], 144),       // getrusage
        100 => opt(a[0], 32),       // times
        7 => opt(a[0], a[1].saturating_mul(8)), // poll
        22 | 293 => opt(a[0], 8),   // pipe, pipe2
        35 => opt(a[1], 16),        // nanosleep
        230 => opt(a[3], 16),       // clock_nanosleep
        137 | 138 => opt(a[1], 120), // statfs, fstatfs
        61 => {
            opt(a[1], 4);
            opt(a[3], 144)
        } // wait4
        334 => opt(a[0], a[1].min(256)), // rseq
        16 => match a[1] {
            0x5401 => opt(a[2], 36), // TCGETS
            0x5413 => opt(a[2], 8),  // TIOCGWINSZ
            _ => {}
        },
        19 | 295 => {
            // readv, preadv: scatter `ret` bytes over the iovecs.
            let cnt = a[2].min(1024) as usize;
            if let Some(iov) = n.read(a[1], cnt * 16) {
                let mut left = ret;
                for c in iov.chunks_exact(16) {
                    let base = u64::from_le_bytes(c[..8].try_into().unwrap_or([0; 8]));
                    let len = u64::from_le_bytes(c[8..].try_into().unwrap_or([0; 8]));
                    let take = len.min(left);
                    opt(base, take);
                    left -= take;
                }
            }
        }
        _ => {}
    }
    v
}

struct Hist {
    step: u64,
    rip: u64,
    bytes: Vec<u8>,
    asm: String,
}

fn run(a: &DiffArgs) -> Result<ExitCode, String> {
    let native = Native::spawn(&a.elf, &a.args)?;
    let mut k = crate::trace::spawn(a.mem, &a.elf, &a.args)?;
    if !k.load_next() {
        return Err("puffer has no task to run".into());
    }
    let break_add = a
        .break_insn
        .as_deref()
        .is_some_and(|m| m.eq_ignore_ascii_case("add"));

    // Same initial state: hide the host's vDSO (puffer has none), then copy the
    // host's registers and whole initial stack into puffer.
    let r0 = native.regs();
    let stack = native
        .read(r0.rsp, (STACK_TOP - r0.rsp) as usize)
        .ok_or("cannot read the native initial stack")?;
    let mut stack = stack;
    {
        let word = |s: &[u8], i: usize| -> u64 {
            s.get(i * 8..i * 8 + 8)
                .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
                .unwrap_or(0)
        };
        let argc = word(&stack, 0) as usize;
        let mut i = 1 + argc + 1;
        while i < stack.len() / 8 && word(&stack, i) != 0 {
            i += 1;
        }
        i += 1;
        while i + 1 < stack.len() / 8 {
            let t = word(&stack, i);
            if t == 0 {
                break;
            }
            if t == AT_SYSINFO_EHDR {
                stack[i * 8..i * 8 + 8].copy_from_slice(&AT_IGNORE.to_le_bytes());
                native
                    .mem
                    .write_all_at(&AT_IGNORE.to_le_bytes(), r0.rsp + i as u64 * 8)
                    .map_err(|e| format!("patching the native auxv: {e}"))?;
            }
            i += 2;
        }
    }
    k.copy_to_user(r0.rsp, &stack)
        .map_err(|e| format!("copying the initial stack into puffer: {e:?}"))?;
    {
        let s = &mut k.cpu.state;
        let v = native_values(&r0);
        set_gprs(s, &v);
        s.rip = r0.rip;
        s.set_rflags(r0.eflags & !0x100);
        s.fs_base = r0.fs_base;
        s.gs_base = r0.gs_base;
    }
    println!(
        "difftest: {} natively (pid {}) and in puffer, in lockstep; following only the first process",
        a.elf.display(),
        native.pid
    );

    let mut dis = Disasm::new(false);
    let mut hist: VecDeque<Hist> = VecDeque::new();
    let mut compared = 0u64;
    let mut noted_fork = false;
    loop {
        if a.max_steps.is_some_and(|m| compared >= m) {
            println!("difftest: stopped after {compared} instructions, no divergence");
            return Ok(ExitCode::SUCCESS);
        }
        let s = match k.step(false) {
            Ok(s) => s,
            Err(st) => {
                let nst = native.finish(0);
                return Ok(end(compared, st, status_of(nst)));
            }
        };
        let asm = dis.format(s.insn.as_ref());
        hist.push_back(Hist {
            step: s.step,
            rip: s.before.rip,
            bytes: s.bytes.clone(),
            asm: asm.clone(),
        });
        if hist.len() > 9 {
            hist.pop_front();
        }
        let mnemonic = s.insn.map(|i| i.mnemonic()).unwrap_or(Mnemonic::INVALID);
        let mut st = native.step();
        // A REP string instruction single-steps one iteration at a time natively;
        // puffer retires it whole.
        let rep = s
            .insn
            .is_some_and(|i| i.has_rep_prefix() || i.has_repne_prefix());
        while rep && libc::WIFSTOPPED(st) && libc::WSTOPSIG(st) == libc::SIGTRAP {
            if native.regs().rip != s.before.rip {
                break;
            }
            st = native.step();
        }
        if libc::WIFEXITED(st) || libc::WIFSIGNALED(st) {
            // The native process ended on this instruction (exit_group).
            if s.trap == Trap::Syscall {
                k.dispatch_syscall();
            }
            let pst = match k.init_exit() {
                Some(p) => p,
                None => k.run(),
            };
            return Ok(end(compared, pst, status_of(st)));
        }
        let sig = libc::WSTOPSIG(st);
        if sig != libc::SIGTRAP {
            // A native exception: puffer must have raised one too.
            if matches!(s.trap, Trap::Budget | Trap::Syscall) {
                println!(
                    "difftest: DIVERGENCE at step {}: natively {} raised signal {sig}, puffer did not",
                    s.step, asm
                );
                print_hist(&hist);
                return Ok(ExitCode::from(1));
            }
            println!(
                "difftest: step {}: both raised an exception at {:#x} ({asm}): native signal {sig}, puffer {:?}",
                s.step, s.before.rip, s.trap
            );
            let nst = native.finish(sig);
            let pst = match k.init_exit() {
                Some(p) => p,
                None => k.run(),
            };
            return Ok(end(compared, pst, status_of(nst)));
        }
        let mut nr = native.regs();
        match s.trap {
            Trap::Syscall => {
                let no = s.before.gpr[reg::RAX];
                let args = puffer_kernel::trace::syscall_args(&s.before);
                let ret = nr.rax;
                let ok = (ret as i64) >= 0 || (ret as i64) < -4095;
                match no {
                    59 | 322 => {
                        println!("difftest: step {}: execve is not followed; stopping after {compared} instructions, no divergence", s.step);
                        return Ok(ExitCode::SUCCESS);
                    }
                    9 if ok => {
                        // mmap: the same mapping at the host's address.
                        let st = &mut k.cpu.state;
                        st.gpr[reg::RDI] = ret;
                        st.gpr[reg::R10] = (args[3] | 0x10) & !0x10_0000;
                        k.dispatch_syscall();
                        let st = &mut k.cpu.state;
                        st.gpr[reg::RDI] = args[0];
                        st.gpr[reg::R10] = args[3];
                    }
                    12 => {
                        // brk: move puffer's break to where the host's is.
                        k.cpu.state.gpr[reg::RDI] = ret;
                        k.dispatch_syscall();
                        k.cpu.state.gpr[reg::RDI] = args[0];
                    }
                    10 | 11 | 25 | 28 if ok => k.dispatch_syscall(),
                    // Kernel state puffer must hold too (FS base, signal state).
                    158 | 218 | 273 | 13 | 14 | 131 => {
                        k.dispatch_syscall();
                        if ok {
                            for (addr, len) in written_ranges(&native, no, &args, ret) {
                                if let Some(buf) = native.read(addr, len as usize) {
                                    let _ = k.copy_to_user(addr, &buf);
                                }
                            }
                        }
                    }
                    56 | 57 | 58 | 435 => {
                        if !noted_fork {
                            println!("difftest: step {}: {} — following only the first process; the child runs natively untraced and not in puffer", s.step, syscall_name(no).unwrap_or("clone"));
                            noted_fork = true;
                        }
                    }
                    _ => {
                        if ok {
                            for (addr, len) in written_ranges(&native, no, &args, ret) {
                                if let Some(buf) = native.read(addr, len as usize) {
                                    let _ = k.copy_to_user(addr, &buf);
                                }
                            }
                        }
                    }
                }
                k.cpu.state.gpr[reg::RAX] = ret;
            }
            Trap::Budget => {}
            _ => {
                println!(
                    "difftest: DIVERGENCE at step {}: puffer raised {:?} at {:#x} ({asm}), the native CPU did not",
                    s.step, s.trap, s.before.rip
                );
                print_hist(&hist);
                return Ok(ExitCode::from(1));
            }
        }
        match mnemonic {
            Mnemonic::Pushf | Mnemonic::Pushfq => {
                // Single-stepping sets TF in the native RFLAGS; the program must not
                // see it.
                if let Some(b) = native.read(nr.rsp, 8) {
                    let v = u64::from_le_bytes(b.try_into().unwrap_or([0; 8])) & !0x100;
                    let _ = native.mem.write_all_at(&v.to_le_bytes(), nr.rsp);
                }
            }
            Mnemonic::Syscall => {
                // Likewise the RFLAGS copy the syscall instruction leaves in R11.
                if nr.r11 & 0x100 != 0 {
                    nr.r11 &= !0x100;
                    native.set_regs(&nr);
                }
            }
            Mnemonic::Cpuid => {
                // Puffer's CPU model is what the program sees.
                let g = &k.cpu.state.gpr;
                nr.rax = g[reg::RAX];
                nr.rbx = g[reg::RBX];
                nr.rcx = g[reg::RCX];
                nr.rdx = g[reg::RDX];
                native.set_regs(&nr);
            }
            Mnemonic::Rdtsc | Mnemonic::Rdtscp => {
                let g = &mut k.cpu.state.gpr;
                g[reg::RAX] = nr.rax;
                g[reg::RDX] = nr.rdx;
                if mnemonic == Mnemonic::Rdtscp {
                    g[reg::RCX] = nr.rcx;
                }
            }
            _ => {}
        }
        if break_add && mnemonic == Mnemonic::Add {
            let f = k.cpu.state.rflags();
            k.cpu.state.set_rflags(f ^ CF);
        }
        // Compare.
        let undef = undefined_flags(s.insn.as_ref());
        let mask = COMPARED_FLAGS & !undef;
        let nv = native_values(&nr);
        let pv = reg_values(&k.cpu.state);
        let mut diff = [false; 17];
        for i in 0..16 {
            diff[i] = nv[i] != pv[i];
        }
        diff[16] = (nv[16] & mask) != (pv[16] & mask);
        let rip_diff = nr.rip != k.cpu.state.rip;
        let nx = native.xmm();
        let px = k.cpu.state.xmm;
        let xdiff: Vec<usize> = (0..16).filter(|&i| nx[i] != px[i]).collect();
        if rip_diff || diff.iter().any(|&d| d) || !xdiff.is_empty() {
            println!(
                "difftest: DIVERGENCE at step {} after {:#x}: {} {}",
                s.step,
                s.before.rip,
                hex_bytes(&s.bytes),
                asm
            );
            print_hist(&hist);
            println!("  {:<8} {:>18} {:>18}", "reg", "native", "puffer");
            let mark = |d: bool| if d { "  <<" } else { "" };
            println!(
                "  {:<8} {:>#18x} {:>#18x}{}",
                "rip",
                nr.rip,
                k.cpu.state.rip,
                mark(rip_diff)
            );
            for i in 0..17 {
                println!(
                    "  {:<8} {:>#18x} {:>#18x}{}",
                    REG_NAMES[i],
                    nv[i],
                    pv[i],
                    mark(diff[i])
                );
            }
            if diff[16] {
                println!("  (rflags compared under mask {mask:#x})");
            }
            for i in xdiff {
                println!("  xmm{i:<5} {:#034x} {:#034x}  <<", nx[i], px[i]);
            }
            return Ok(ExitCode::from(1));
        }
        // Flags the instruction left undefined: take the host's, so that a later
        // PUSHF or ADC sees the same value.
        if undef != 0 {
            let f = k.cpu.state.rflags();
            k.cpu.state.set_rflags((f & !undef) | (nr.eflags & undef));
        }
        compared += 1;
    }
}

fn set_gprs(s: &mut puffer_cpu::CpuState, v: &[u64; 17]) {
    let idx = reg::DISPLAY_ORDER;
    for (i, &g) in idx.iter().enumerate() {
        s.gpr[g] = v[i];
    }
}

fn print_hist(h: &VecDeque<Hist>) {
    println!("  the instructions up to it:");
    for e in h {
        println!(
            "  {:>10} {:#014x} {:<30} {}",
            e.step,
            e.rip,
            hex_bytes(&e.bytes),
            e.asm
        );
    }
}

fn end(compared: u64, puffer: ExitStatus, native: ExitStatus) -> ExitCode {
    if puffer != native {
        println!(
            "difftest: DIVERGENCE at the end: native {native:?}, puffer {puffer:?} (after {compared} instructions)"
        );
        return ExitCode::from(1);
    }
    println!("difftest: {compared} instructions compared, no divergence; both ended {native:?}");
    ExitCode::SUCCESS
}
