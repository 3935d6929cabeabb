//! The host CPU's step trace of an asm fixture: `fixtures/<bin>.steps`, recorded by
//! ptrace single-stepping the binary natively (ASLR off, empty environment, argv[0]
//! = the file name) and checked against `puffer trace` by
//! crates/puffer-cli/tests/steptrace.rs.
//!
//! Format (text): a `#` comment line, then `rsp0 <hex>` (the initial RSP), `limit
//! <n>` (at most this many steps are recorded), then one line `<first step> <fnv1a64
//! hex>` per block of 1000 steps and a last line `steps <n>`. A step's state is the
//! registers *before* the instruction: RIP, rax rbx rcx rdx rsi rdi rbp rsp r8..r15
//! (values within 16 MiB below the stack top made relative to rsp0), and RFLAGS
//! masked to CF PF AF ZF SF OF DF minus the flags left undefined by an earlier
//! instruction and not written since. A REP string instruction counts as one step, and the trap flag that
//! single-stepping sets is hidden (from PUSHF's stored value and syscall's R11), as
//! puffer's interpreter retires it.

use iced_x86::{Decoder, DecoderOptions, Mnemonic};
use puffer_cpu::stepdigest::{fold, undefined_flags, BLOCK, FNV_START};
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;
use std::path::Path;

pub const LIMIT: u64 = 100_000;

fn gprs(r: &libc::user_regs_struct) -> [u64; 16] {
    [
        r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp, r.rsp, r.r8, r.r9, r.r10, r.r11, r.r12,
        r.r13, r.r14, r.r15,
    ]
}

/// Record `<elf>.steps` next to the binary.
pub fn record(elf: &Path, args: &[String]) -> Result<(), String> {
    let name = elf.file_name().ok_or("no file name")?.as_bytes().to_vec();
    // Executed by file name from its directory, as the test runs `puffer trace`,
    // so that argv[0] and AT_EXECFN are the same strings.
    let dir = CString::new(elf.parent().ok_or("no directory")?.as_os_str().as_bytes())
        .map_err(|_| "NUL in path")?;
    let path = CString::new(name.clone()).map_err(|_| "NUL in path")?;
    let mut argv = vec![CString::new(name).map_err(|_| "NUL")?];
    for a in args {
        argv.push(CString::new(a.as_bytes()).map_err(|_| "NUL in an argument")?);
    }
    let mut argp: Vec<*const libc::c_char> = argv.iter().map(|c| c.as_ptr()).collect();
    argp.push(std::ptr::null());
    let envp: [*const libc::c_char; 1] = [std::ptr::null()];
    let devnull = CString::new("/dev/null").map_err(|_| "NUL")?;
    // SAFETY: the child calls only async-signal-safe functions before exec.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err("fork failed".into());
    }
    if pid == 0 {
        // SAFETY: see above.
        unsafe {
            let fd = libc::open(devnull.as_ptr(), libc::O_WRONLY);
            if fd >= 0 {
                libc::dup2(fd, 1);
            }
            if libc::chdir(dir.as_ptr()) != 0 {
                libc::_exit(122);
            }
            if libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) != 0 {
                libc::_exit(120);
            }
            libc::personality(libc::ADDR_NO_RANDOMIZE as libc::c_ulong);
            libc::execve(path.as_ptr(), argp.as_ptr(), envp.as_ptr());
            libc::_exit(121);
        }
    }
    let r = trace_child(pid);
    // SAFETY: kill and reap our child (harmless if it already ended).
    unsafe {
        libc::kill(pid, libc::SIGKILL);
        libc::waitpid(pid, std::ptr::null_mut(), 0);
    }
    let text = r?;
    let mut out = elf.as_os_str().to_owned();
    out.push(".steps");
    std::fs::write(&out, text).map_err(|e| format!("writing {}: {e}", Path::new(&out).display()))
}

fn trace_child(pid: libc::pid_t) -> Result<String, String> {
    let mut st = 0;
    // SAFETY: waiting for / tracing our own child throughout.
    unsafe { libc::waitpid(pid, &mut st, 0) };
    if !libc::WIFSTOPPED(st) {
        return Err("the child did not stop at exec: is ptrace allowed?".into());
    }
    let mem = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(format!("/proc/{pid}/mem"))
        .map_err(|e| format!("/proc/{pid}/mem: {e}"))?;
    let regs = || {
        // SAFETY: plain data filled by GETREGS.
        unsafe {
            let mut r: libc::user_regs_struct = std::mem::zeroed();
            libc::ptrace(libc::PTRACE_GETREGS, pid, 0, &mut r as *mut _);
            r
        }
    };
    let step = || {
        let mut st = 0;
        // SAFETY: our stopped tracee.
        unsafe {
            libc::ptrace(libc::PTRACE_SINGLESTEP, pid, 0, 0);
            libc::waitpid(pid, &mut st, 0);
        }
        st
    };
    let mut r = regs();
    let rsp0 = r.rsp;
    let mut text = format!(
        "# host CPU step trace (cargo xtask fixtures; see xtask/src/steptrace.rs)\nrsp0 {rsp0:#x}\nlimit {LIMIT}\n"
    );
    let mut h = FNV_START;
    let mut n = 0u64;
    let mut undef = 0u64;
    loop {
        let mut bytes = [0u8; 15];
        let got = mem.read_at(&mut bytes, r.rip).unwrap_or(0);
        let bytes = &bytes[..got];
        fold(&mut h, r.rip, &gprs(&r), r.eflags, rsp0, undef);
        n += 1;
        if n.is_multiple_of(BLOCK) {
            text.push_str(&format!("{} {h:016x}\n", n - BLOCK));
            h = FNV_START;
        }
        if n >= LIMIT {
            break;
        }
        let mut d = Decoder::with_ip(64, bytes, r.rip, DecoderOptions::NONE);
        let insn = d.decode();
        let rip = r.rip;
        let rcx = r.rcx;
        let mut st = step();
        let rep = insn.has_rep_prefix() || insn.has_repne_prefix();
        while rep && libc::WIFSTOPPED(st) && libc::WSTOPSIG(st) == libc::SIGTRAP {
            if regs().rip != rip {
                break;
            }
            st = step();
        }
        if !libc::WIFSTOPPED(st) || libc::WSTOPSIG(st) != libc::SIGTRAP {
            break;
        }
        r = regs();
        match insn.mnemonic() {
            Mnemonic::Pushf | Mnemonic::Pushfq => {
                let mut b = [0u8; 8];
                if mem.read_exact_at(&mut b, r.rsp).is_ok() {
                    let v = u64::from_le_bytes(b) & !0x100;
                    let _ = mem.write_all_at(&v.to_le_bytes(), r.rsp);
                }
            }
            Mnemonic::Syscall if r.r11 & 0x100 != 0 => {
                r.r11 &= !0x100;
                // SAFETY: as above.
                unsafe { libc::ptrace(libc::PTRACE_SETREGS, pid, 0, &r as *const _) };
            }
            _ => {}
        }
        if !insn.is_invalid() {
            undef = undefined_flags(undef, &bytes[..insn.len().min(bytes.len())], rcx);
        }
    }
    if !n.is_multiple_of(BLOCK) {
        text.push_str(&format!("{} {h:016x}\n", n - n % BLOCK));
    }
    text.push_str(&format!("steps {n}\n"));
    Ok(text)
}
