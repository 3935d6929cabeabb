//! What the host decides, shared by both sync modes: a syscall's result and the
//! memory it wrote are copied from the native process into puffer (addresses, times,
//! PIDs and random bytes are host-specific), except for the kernel state puffer must
//! hold itself (mappings at the host's addresses, the break, the FS base, signal
//! state); CPUID goes the other way (puffer's CPU model is what the program must see)
//! and RDTSC comes from the host.

use super::native::Native;
use iced_x86::Mnemonic;
use puffer_cpu::reg;
use puffer_kernel::Kernel;

/// How a syscall's result was taken into puffer.
pub enum Applied {
    /// Done.
    Ok,
    /// A process-creating syscall (fork, vfork, clone): the child is not followed.
    Fork,
    /// A successful execve, which puffer has made too (with its own result).
    Exec,
    /// A new thread, which puffer has made too: its task ID in puffer (RAX holds
    /// the host's thread ID, as the program sees it).
    Thread(puffer_kernel::Pid),
    /// A new thread natively that puffer failed to create (its error).
    ThreadFailed(i64),
}

/// Complete in puffer the syscall `nr(args)` that returned `ret` natively. Puffer's
/// registers are at syscall entry (RAX = `nr`).
pub fn apply_syscall(
    native: &Native,
    k: &mut Kernel,
    nr: u64,
    args: &[u64; 6],
    ret: u64,
) -> Applied {
    let ok = (ret as i64) >= 0 || (ret as i64) < -4095;
    tracing::debug!("difftest: native syscall {nr} {args:x?} = {ret:#x}");
    let mut applied = Applied::Ok;
    match nr {
        9 if ok => {
            // mmap: the same mapping at the host's address.
            let flags = (args[3] | MAP_FIXED) & !MAP_FIXED_NOREPLACE;
            if args[3] & MAP_ANONYMOUS != 0 {
                call(k, 9, [ret, args[1], args[2], flags, args[4], args[5]]);
            } else {
                // A file: puffer has none of the program's files open (opens run
                // on the host only), so it gets an anonymous mapping (shared if the
                // file's is) holding the bytes the host mapped.
                let len = args[1].div_ceil(4096) * 4096;
                call(k, 9, [ret, len, 3, flags | MAP_ANONYMOUS, u64::MAX, 0]);
                let mut a = ret;
                while a < ret + len {
                    // Pages past the end of the file cannot be read (SIGBUS
                    // natively): they stay zero.
                    if let Some(b) = native.read(a, 4096) {
                        let _ = k.copy_to_user(a, &b);
                    }
                    a += 4096;
                }
                if args[2] != 3 {
                    call(k, 10, [ret, len, args[2], 0, 0, 0]);
                }
            }
        }
        12 => {
            // brk: move puffer's break to where the host's is.
            k.cpu.state.gpr[reg::RDI] = ret;
            k.dispatch_syscall();
            k.cpu.state.gpr[reg::RDI] = args[0];
        }
        25 if ok && ret != args[0] => {
            // mremap that moved the mapping: to the host's new address.
            let st = &mut k.cpu.state;
            st.gpr[reg::R10] = args[3] | 3; // MREMAP_MAYMOVE | MREMAP_FIXED
            st.gpr[reg::R8] = ret;
            k.dispatch_syscall();
            let st = &mut k.cpu.state;
            st.gpr[reg::R10] = args[3];
            st.gpr[reg::R8] = args[4];
        }
        10 | 11 | 25 | 28 if ok => k.dispatch_syscall(),
        // Kernel state puffer must hold too (FS base, signal state).
        158 | 218 | 273 | 13 | 14 | 131 => {
            k.dispatch_syscall();
            if ok {
                copy_written(native, k, nr, args, ret);
            }
        }
        56 | 435 if ok && clone_flags(native, nr, args).0 & CLONE_THREAD != 0 => {
            // A thread: puffer creates its own task (followed from here), and the
            // thread IDs the host stored for the program replace puffer's.
            let (_, child_tid, parent_tid) = clone_flags(native, nr, args);
            k.dispatch_syscall();
            let ptid = k.cpu.state.gpr[reg::RAX] as i64;
            applied = if ptid > 0 {
                Applied::Thread(puffer_kernel::Pid(ptid as i32))
            } else {
                Applied::ThreadFailed(ptid)
            };
            for a in [child_tid, parent_tid].into_iter().flatten() {
                if let Some(b) = native.read(a, 4) {
                    let _ = k.copy_to_user(a, &b);
                }
            }
        }
        56 | 57 | 58 | 435 => applied = Applied::Fork,
        // execve, execveat: puffer loads the same program itself; the host's new
        // initial stack is copied over it afterwards.
        59 | 322 if ret == 0 => {
            k.dispatch_syscall();
            return Applied::Exec;
        }
        // rt_sigreturn: puffer restores its own frame (RAX included).
        15 => {
            k.dispatch_syscall();
            return applied;
        }
        // waitid stores its siginfo fields whatever the outcome.
        247 if ret != (-14i64) as u64 => copy_written(native, k, nr, args, 0),
        _ => {
            if ok {
                copy_written(native, k, nr, args, ret);
            }
        }
    }
    k.cpu.state.gpr[reg::RAX] = ret;
    applied
}

const CLONE_THREAD: u64 = 0x1_0000;
const CLONE_PARENT_SETTID: u64 = 0x10_0000;
const CLONE_CHILD_SETTID: u64 = 0x100_0000;

/// clone's or clone3's flags, and the addresses it stored the new thread's ID at
/// (CLONE_CHILD_SETTID, CLONE_PARENT_SETTID).
fn clone_flags(native: &Native, nr: u64, args: &[u64; 6]) -> (u64, Option<u64>, Option<u64>) {
    let (flags, child, parent) = if nr == 435 {
        let Some(b) = native.read(args[0], 32) else {
            return (0, None, None);
        };
        (word(&b[0..8]), word(&b[16..24]), word(&b[24..32]))
    } else {
        (args[0], args[3], args[2])
    };
    let at = |bit: u64, a: u64| (flags & bit != 0 && a != 0).then_some(a);
    (
        flags,
        at(CLONE_CHILD_SETTID, child),
        at(CLONE_PARENT_SETTID, parent),
    )
}

const MAP_FIXED: u64 = 0x10;
const MAP_ANONYMOUS: u64 = 0x20;
const MAP_FIXED_NOREPLACE: u64 = 0x10_0000;

/// Make syscall `nr(args)` in puffer on difftest's behalf, leaving the
/// program's registers as they were; returns its result.
pub fn call(k: &mut Kernel, nr: u64, args: [u64; 6]) -> u64 {
    const ARGS: [usize; 6] = [reg::RDI, reg::RSI, reg::RDX, reg::R10, reg::R8, reg::R9];
    let saved = k.cpu.state.gpr;
    let rip = k.cpu.state.rip;
    k.cpu.state.gpr[reg::RAX] = nr;
    for (r, v) in ARGS.iter().zip(args) {
        k.cpu.state.gpr[*r] = v;
    }
    k.dispatch_syscall();
    let ret = k.cpu.state.gpr[reg::RAX];
    k.cpu.state.gpr = saved;
    k.cpu.state.rip = rip;
    ret
}

fn copy_written(native: &Native, k: &mut Kernel, nr: u64, args: &[u64; 6], ret: u64) {
    for (addr, len) in written_ranges(native, nr, args, ret) {
        if let Some(buf) = native.read(addr, len as usize) {
            let _ = k.copy_to_user(addr, &buf);
        }
    }
}

/// After one instruction in step mode: keep what only the host knows, and hide the
/// trace flag from the program.
pub fn fix_after_insn(
    native: &Native,
    k: &mut Kernel,
    nr: &mut libc::user_regs_struct,
    mnemonic: Mnemonic,
) {
    match mnemonic {
        Mnemonic::Pushf | Mnemonic::Pushfq => {
            // Single-stepping sets TF in the native RFLAGS; the program must not
            // see it.
            if let Some(b) = native.read(nr.rsp, 8) {
                let v = u64::from_le_bytes(b.try_into().unwrap_or([0; 8])) & !0x100;
                let _ = native.write(nr.rsp, &v.to_le_bytes());
            }
        }
        Mnemonic::Syscall => {
            // Likewise the RFLAGS copy the syscall instruction leaves in R11
            // (rt_sigreturn instead restores R11 from the frame, and leaves
            // orig_rax -1).
            if nr.r11 & 0x100 != 0 && nr.orig_rax != 15 && nr.orig_rax != u64::MAX {
                nr.r11 &= !0x100;
                native.set_regs(nr);
            }
        }
        Mnemonic::Cpuid => {
            // Puffer's CPU model is what the program sees.
            let g = &k.cpu.state.gpr;
            nr.rax = g[reg::RAX];
            nr.rbx = g[reg::RBX];
            nr.rcx = g[reg::RCX];
            nr.rdx = g[reg::RDX];
            native.set_regs(nr);
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
}

fn word(b: &[u8]) -> u64 {
    u64::from_le_bytes(b.try_into().unwrap_or([0; 8]))
}

/// Buffers of an iovec array at `iov` with `cnt` entries, as (base, len), clipped to
/// `total` bytes in all.
fn iovecs(native: &Native, iov: u64, cnt: u64, mut total: u64) -> Vec<(u64, u64)> {
    let cnt = cnt.min(1024) as usize;
    let mut v = Vec::new();
    if let Some(b) = native.read(iov, cnt * 16) {
        for c in b.chunks_exact(16) {
            let take = word(&c[8..]).min(total);
            v.push((word(&c[..8]), take));
            total -= take;
        }
    }
    v
}

/// Memory a successful syscall wrote, as (address, length) ranges, from its
/// arguments and result.
pub fn written_ranges(n: &Native, nr: u64, a: &[u64; 6], ret: u64) -> Vec<(u64, u64)> {
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
        271 => {
            // ppoll: the revents, and the time left written back.
            opt(a[0], a[1].saturating_mul(8));
            opt(a[2], 16)
        }
        23 | 270 => {
            // select, pselect6: the three fd sets, and the time left.
            let set = a[0].min(1 << 20).div_ceil(64) * 8;
            opt(a[1], set);
            opt(a[2], set);
            opt(a[3], set);
            opt(a[4], 16)
        }
        232 | 281 | 441 => opt(a[1], ret.saturating_mul(12)), // epoll_wait, epoll_pwait(2)
        22 | 293 => opt(a[0], 8),                             // pipe, pipe2
        53 => opt(a[3], 8),                                   // socketpair
        35 => opt(a[1], 16),                                  // nanosleep
        230 => opt(a[3], 16),                                 // clock_nanosleep
        36 => opt(a[1], 32),                                  // getitimer
        38 => opt(a[2], 32),                                  // setitimer (the old value)
        137 | 138 => opt(a[1], 120),                          // statfs, fstatfs
        61 => {
            opt(a[1], 4);
            opt(a[3], 144)
        } // wait4
        247 => {
            opt(a[2], 28); // waitid: si_signo .. si_status
            opt(a[4], 144)
        }
        127 => opt(a[0], a[1].min(128)), // rt_sigpending
        128 => opt(a[1], 128),           // rt_sigtimedwait
        334 => opt(a[0], a[1].min(256)), // rseq
        16 => match a[1] {
            0x5401 => opt(a[2], 36), // TCGETS
            0x5413 => opt(a[2], 8),  // TIOCGWINSZ
            0x541b => opt(a[2], 4),  // FIONREAD
            _ => {}
        },
        19 | 295 => {
            // readv, preadv: scatter `ret` bytes over the iovecs.
            for (b, l) in iovecs(n, a[1], a[2], ret) {
                opt(b, l);
            }
        }
        45 => {
            // recvfrom: the data, and the source address when asked for.
            opt(a[1], ret);
            if a[4] != 0 && a[5] != 0 {
                if let Some(l) = n.read(a[5], 4) {
                    let len = u32::from_le_bytes(l.try_into().unwrap_or([0; 4])) as u64;
                    opt(a[4], len.min(128));
                    opt(a[5], 4);
                }
            }
        }
        157 => match a[0] {
            2 | 37 => opt(a[1], 4), // PR_GET_PDEATHSIG, PR_GET_CHILD_SUBREAPER
            16 => opt(a[1], 16),    // PR_GET_NAME
            _ => {}
        },
        40 => opt(a[2], 8),               // sendfile: the input offset moved on
        72 if a[1] == 5 => opt(a[2], 32), // fcntl(F_GETLK): struct flock
        43 | 288 | 51 | 52 => {
            // accept(4), getsockname, getpeername: the address and its length.
            if let Some(l) = (a[2] != 0).then(|| n.read(a[2], 4)).flatten() {
                opt(a[1], (word4(&l) as u64).min(128));
                opt(a[2], 4);
            }
        }
        55 => {
            // getsockopt: the value and its length.
            if let Some(l) = (a[4] != 0).then(|| n.read(a[4], 4)).flatten() {
                opt(a[3], (word4(&l) as u64).min(256));
                opt(a[4], 4);
            }
        }
        47 => {
            // recvmsg: the msghdr (namelen, controllen, flags), the address, the
            // ancillary data and the bytes scattered over the iovecs.
            if let Some(h) = n.read(a[1], 56) {
                let q = |o: usize| word(&h[o..o + 8]);
                opt(a[1], 56);
                opt(q(0), (q(8) & 0xffff_ffff).min(128));
                opt(q(32), q(40).min(1 << 16));
                for (b, l) in iovecs(n, q(16), q(24), ret) {
                    opt(b, l);
                }
            }
        }
        115 => opt(a[1], ret.saturating_mul(4)), // getgroups
        118 | 120 => {
            // getresuid, getresgid
            opt(a[0], 4);
            opt(a[1], 4);
            opt(a[2], 4)
        }
        309 => {
            opt(a[0], 4); // getcpu
            opt(a[1], 4)
        }
        _ => {}
    }
    v
}

fn word4(b: &[u8]) -> u32 {
    u32::from_le_bytes(b.get(..4).and_then(|s| s.try_into().ok()).unwrap_or([0; 4]))
}

/// Memory a syscall sends out of the process (what it writes to files, pipes and
/// sockets), as (address, length) ranges: compared between the two sides at entry.
pub fn outgoing_ranges(n: &Native, nr: u64, a: &[u64; 6]) -> Vec<(u64, u64)> {
    let cap = |l: u64| l.min(1 << 20);
    match nr {
        1 | 18 | 44 => vec![(a[1], cap(a[2]))], // write, pwrite64, sendto
        20 | 296 => iovecs(n, a[1], a[2], 1 << 20), // writev, pwritev
        46 => {
            // sendmsg: the msghdr's iovecs.
            match n.read(a[1], 56) {
                Some(h) => iovecs(n, word(&h[16..24]), word(&h[24..32]), 1 << 20),
                None => vec![],
            }
        }
        _ => vec![],
    }
    .into_iter()
    .filter(|&(b, l)| b != 0 && l > 0)
    .collect()
}
