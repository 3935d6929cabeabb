//! Per-syscall argument decoders for `--strace`: which argument is what (a path, a
//! flag set, an output struct...), and how to print each kind, reading guest memory
//! through `copy_from_user` (an unreadable pointer prints as hex).

use super::format as f;
use crate::errno::SysResult;
use crate::Kernel;

/// What one argument is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum A {
    /// Signed decimal (int).
    D,
    /// Unsigned decimal (size_t).
    U,
    /// Hex (0 as `0`).
    X,
    /// A pointer: NULL or hex.
    P,
    DirFd,
    /// A path: a NUL-terminated string, shown in full.
    Path,
    /// A NUL-terminated string, shown up to 32 bytes.
    Str,
    /// An input buffer whose length is argument `n`.
    InBuf(usize),
    /// An output buffer filled with the result's byte count (`hex`: force \x escapes).
    OutBuf(bool),
    Mode,
    /// mknod's mode: a file type and permission bits (`S_IFIFO|0644`).
    NodMode,
    /// A device number (mknod's `dev`, Linux's new_encode_dev): `makedev(0x1, 0x3)`.
    Dev,
    OFlags,
    /// O_* flags without an access mode (pipe2, dup3): `O_CLOEXEC`, `0`.
    FdOFlags,
    Prot,
    MapFlags,
    MremapFlags,
    MsyncFlags,
    AtFlags,
    StatxFlags,
    StatxMask,
    CloneFlags,
    WaitOpts,
    FcntlCmd,
    Ioctl,
    Sig,
    Clock,
    ArchPrctl,
    Madvise,
    Whence,
    Access,
    Rlimit,
    RlimitIn,
    RlimitOut,
    StatOut,
    StatxOut,
    TimespecIn,
    TimespecOut,
    TimevalOut,
    IovIn(usize),
    IovOut(usize),
    Argv,
    Envp,
    UtsOut,
    WStatusOut,
    FutexOp,
    Prctl,
    Grnd,
    RenameFlags,
    FdFlags,
    TimerFlags,
    IdType,
    Clone3In,
    SigHow,
    /// A sigset_t of the size in argument `n` (printed only for the kernel's 8).
    SigSetIn(usize),
    SigSetOut(usize),
    /// The kernel's struct sigaction.
    SigactIn,
    SigactOut,
    /// stack_t (sigaltstack).
    StackIn,
    StackOut,
    /// A struct pollfd array of argument `n` entries (the answer follows the result).
    PollIn(usize),
    /// An fd_set of the descriptors below argument 0 (select, pselect6).
    FdSetIn,
    /// A timeval input (select's timeout).
    TimevalIn,
    /// pselect6's `{sigmask=..., sigsetsize=...}`.
    Pselect6Sig,
    SockDomain,
    SockType,
    /// socket(2)'s protocol (by name for the internet families).
    SockProto,
    /// A socket address whose length is argument `n`.
    SockAddrIn(usize),
    /// A socket address the call fills, its length at the pointer in argument `n`.
    SockAddrOut(usize),
    /// A value-result socklen_t: `[128 => 2]` (as it was `=>` as the call left it).
    SockLenOut,
    /// accept4's SOCK_CLOEXEC|SOCK_NONBLOCK.
    SockFlags,
    /// socketpair's and pipe's `[3, 4]`.
    FdPairOut,
    /// nanosleep's `rem`: written only when the sleep is interrupted.
    RemOut,
    MsgFlags,
    Shut,
    /// struct msghdr: sendmsg's input; recvmsg's, filled, output.
    MsgIn,
    MsgOut,
    Itimer,
    ItimervalIn,
    ItimervalOut,
    /// struct statfs.
    StatfsOut,
    /// siginfo_t filled by the call.
    SiginfoOut,
    /// struct rusage filled by the call.
    RusageOut,
    /// getrusage's RUSAGE_*.
    RusageWho,
    /// struct termios (TCGETS's answer, TCSETS*'s input).
    TermiosIn,
    TermiosOut,
    /// struct winsize.
    WinsizeIn,
    WinsizeOut,
    /// An int behind a pointer: `[5]`.
    IntIn,
    IntOut,
}

impl A {
    fn is_output(self) -> bool {
        matches!(
            self,
            A::OutBuf(_)
                | A::RlimitOut
                | A::StatOut
                | A::StatxOut
                | A::TimespecOut
                | A::TimevalOut
                | A::IovOut(_)
                | A::UtsOut
                | A::WStatusOut
                | A::SigSetOut(_)
                | A::SigactOut
                | A::StackOut
                | A::FdPairOut
                | A::RemOut
                | A::SockAddrOut(_)
                | A::SockLenOut
                | A::MsgOut
                | A::ItimervalOut
                | A::StatfsOut
                | A::SiginfoOut
                | A::RusageOut
                | A::TermiosOut
                | A::WinsizeOut
                | A::IntOut
        )
    }
}

/// The arguments of syscall `nr` (some depend on other arguments), or `None` for a
/// syscall puffer has no decoder for (its six arguments print in hex).
pub fn spec(nr: u64, a: &[u64; 6]) -> Option<Vec<A>> {
    use A::*;
    let open_mode = |fl: u64| fl & 0o100 != 0 || fl & 0o20200000 == 0o20200000;
    Some(match nr {
        0 => vec![D, OutBuf(false), U],
        1 => vec![D, InBuf(2), U],
        2 => {
            if open_mode(a[1]) {
                vec![Path, OFlags, Mode]
            } else {
                vec![Path, OFlags]
            }
        }
        3 => vec![D],
        // Signals.
        15 | 219 => vec![],
        127 => vec![SigSetOut(1), U],
        128 => vec![SigSetIn(3), SiginfoOut, TimespecIn, U],
        129 => vec![D, Sig, P],
        297 => vec![D, D, Sig, P],
        130 => vec![SigSetIn(1), U],
        131 => vec![StackIn, StackOut],
        36 => vec![Itimer, ItimervalOut],
        37 => vec![U],
        38 => vec![Itimer, ItimervalIn, ItimervalOut],
        // Pipes, polling, sockets, eventfds.
        7 => vec![PollIn(1), U, D],
        23 => vec![D, FdSetIn, FdSetIn, FdSetIn, TimevalIn],
        270 => vec![D, FdSetIn, FdSetIn, FdSetIn, TimespecIn, Pselect6Sig],
        271 => vec![PollIn(1), U, TimespecIn, SigSetIn(4), U],
        41 => vec![SockDomain, SockType, SockProto],
        53 => vec![SockDomain, SockType, SockProto, FdPairOut],
        42 | 49 => vec![D, SockAddrIn(2), U],
        43 => vec![D, SockAddrOut(2), SockLenOut],
        288 => vec![D, SockAddrOut(2), SockLenOut, SockFlags],
        50 => vec![D, D],
        44 => vec![D, InBuf(2), U, MsgFlags, SockAddrIn(5), U],
        45 => vec![D, OutBuf(false), U, MsgFlags, SockAddrOut(5), SockLenOut],
        46 => vec![D, MsgIn, MsgFlags],
        47 => vec![D, MsgOut, MsgFlags],
        48 => vec![D, Shut],
        51 | 52 => vec![D, SockAddrOut(2), SockLenOut],
        54 | 55 => vec![D, D, D, P, P],
        284 => vec![U],
        290 => vec![U, X],
        // File metadata.
        74 | 75 | 306 => vec![D],
        162 => vec![],
        76 => vec![Path, D],
        77 => vec![D, D],
        90 => vec![Path, Mode],
        91 => vec![D, Mode],
        92 | 94 => vec![Path, D, D],
        93 => vec![D, D, D],
        260 => vec![DirFd, Path, D, D, AtFlags],
        268 => vec![DirFd, Path, Mode],
        452 => vec![DirFd, Path, Mode, AtFlags],
        132 | 235 => vec![Path, P],
        261 => vec![DirFd, Path, P],
        280 => vec![DirFd, Path, P, AtFlags],
        137 => vec![Path, StatfsOut],
        138 => vec![D, StatfsOut],
        // Accounting and identity.
        98 => vec![RusageWho, RusageOut],
        100 => vec![P],
        115 => vec![D, P],
        203 | 204 => vec![D, U, P],
        4 | 6 => vec![Path, StatOut],
        5 => vec![D, StatOut],
        8 => vec![D, D, Whence],
        9 => vec![P, U, Prot, MapFlags, D, X],
        10 => vec![P, U, Prot],
        11 => vec![P, U],
        12 => vec![P],
        13 => vec![Sig, SigactIn, SigactOut, U],
        14 => vec![SigHow, SigSetIn(3), SigSetOut(3), U],
        16 => match a[1] & 0xffff_ffff {
            0x5401 => vec![D, Ioctl, TermiosOut],
            0x5402..=0x5404 => vec![D, Ioctl, TermiosIn],
            0x5413 => vec![D, Ioctl, WinsizeOut],
            0x5414 => vec![D, Ioctl, WinsizeIn],
            // TIOCGPGRP, FIONREAD; TIOCSPGRP, FIONBIO.
            0x540f | 0x541b => vec![D, Ioctl, IntOut],
            0x5410 | 0x5421 => vec![D, Ioctl, IntIn],
            // FIONCLEX, FIOCLEX take no argument.
            0x5450 | 0x5451 => vec![D, Ioctl],
            _ => vec![D, Ioctl, P],
        },
        17 => vec![D, OutBuf(false), U, D],
        18 => vec![D, InBuf(2), U, D],
        19 => vec![D, IovOut(2), D],
        20 => vec![D, IovIn(2), D],
        21 => vec![Path, Access],
        22 => vec![FdPairOut],
        24 | 34 | 39 | 57 | 58 | 102 | 104 | 107 | 108 | 110 | 111 | 112 | 186 => vec![],
        25 => {
            if a[3] & 2 != 0 {
                vec![P, U, U, MremapFlags, P]
            } else {
                vec![P, U, U, MremapFlags]
            }
        }
        26 => vec![P, U, MsyncFlags],
        28 => vec![P, U, Madvise],
        32 => vec![D],
        33 => vec![D, D],
        35 => vec![TimespecIn, RemOut],
        56 => vec![CloneFlags],
        59 => vec![Path, Argv, Envp],
        60 | 231 => vec![D],
        61 => vec![D, WStatusOut, WaitOpts, RusageOut],
        62 | 200 => vec![D, Sig],
        63 => vec![UtsOut],
        72 => match a[1] {
            1 | 3 | 9 | 1032 | 1034 => vec![D, FcntlCmd],
            2 => vec![D, FcntlCmd, FdFlags],
            4 => vec![D, FcntlCmd, OFlags],
            5..=7 => vec![D, FcntlCmd, P],
            _ => vec![D, FcntlCmd, D],
        },
        79 => vec![OutBuf(false), U],
        80 | 84 | 87 => vec![Path],
        81 => vec![D],
        82 | 86 | 88 => vec![Path, Path],
        83 | 85 => vec![Path, Mode],
        89 => vec![Path, OutBuf(false), U],
        95 => vec![Mode],
        96 => vec![TimevalOut, P],
        97 => vec![Rlimit, RlimitOut],
        99 => vec![P],
        109 => vec![D, D],
        121 | 124 => vec![D],
        157 => vec![Prctl, X, X, X, X],
        158 => vec![ArchPrctl, P],
        160 => vec![Rlimit, RlimitIn],
        201 => vec![P],
        202 => match a[1] & 0x7f {
            0 => vec![P, FutexOp, D, TimespecIn],
            9 => vec![P, FutexOp, D, TimespecIn, P, X],
            1 => vec![P, FutexOp, D],
            10 => vec![P, FutexOp, D, P, P, X],
            _ => vec![P, FutexOp, D, P, P, D],
        },
        217 => vec![D, P, U],
        218 => vec![P],
        228 | 229 => vec![Clock, TimespecOut],
        230 => vec![Clock, TimerFlags, TimespecIn, RemOut],
        234 => vec![D, D, Sig],
        247 => vec![IdType, D, P, WaitOpts, P],
        257 => {
            if open_mode(a[2]) {
                vec![DirFd, Path, OFlags, Mode]
            } else {
                vec![DirFd, Path, OFlags]
            }
        }
        258 => vec![DirFd, Path, Mode],
        // mknod, mknodat: the device number only for devices.
        133 | 259 => {
            let off = usize::from(nr == 259);
            let dev = matches!(a[off + 1] & 0o170000, 0o020000 | 0o060000);
            let mut v = if nr == 259 { vec![DirFd] } else { vec![] };
            v.extend([Path, NodMode]);
            if dev {
                v.push(Dev);
            }
            v
        }
        // sendfile(out_fd, in_fd, offset, count)
        40 => vec![D, D, P, U],
        262 => vec![DirFd, Path, StatOut, AtFlags],
        263 => vec![DirFd, Path, AtFlags],
        264 => vec![DirFd, Path, DirFd, Path],
        265 => vec![DirFd, Path, DirFd, Path, AtFlags],
        266 => vec![Path, DirFd, Path],
        267 => vec![DirFd, Path, OutBuf(false), U],
        269 => vec![DirFd, Path, Access],
        273 => vec![P, U],
        292 => vec![D, D, FdOFlags],
        293 => vec![FdPairOut, FdOFlags],
        302 => vec![D, Rlimit, RlimitIn, RlimitOut],
        316 => vec![DirFd, Path, DirFd, Path, RenameFlags],
        318 => vec![OutBuf(true), U, Grnd],
        322 => vec![DirFd, Path, Argv, Envp, AtFlags],
        332 => vec![DirFd, Path, StatxFlags, StatxMask, StatxOut],
        334 => vec![P, X, D, X],
        435 => vec![Clone3In, U],
        439 => vec![DirFd, Path, Access, AtFlags],
        _ => return None,
    })
}

/// Format the input arguments; outputs are `None`, filled in by [`output`].
pub fn enter(k: &mut Kernel, nr: u64, a: &[u64; 6]) -> Vec<Option<String>> {
    let Some(spec) = spec(nr, a) else {
        return a
            .iter()
            .map(|&v| Some(f::ptr(v).replace("NULL", "0")))
            .collect();
    };
    if nr == 56 {
        return vec![Some(clone_args(a))];
    }
    if nr == 15 {
        // rt_sigreturn: the mask it restores, from the frame's ucontext (at RSP once
        // the handler's `ret` popped the restorer address), as strace shows it.
        let uc = k.cpu.state.gpr[puffer_cpu::reg::RSP];
        let at = uc.wrapping_add(crate::signal::frame::SIGMASK as u64);
        return match k.read_u64(at) {
            Ok(m) => vec![Some(format!("{{mask={}}}", f::sigset(m, 64)))],
            Err(_) => vec![],
        };
    }
    spec.iter()
        .enumerate()
        .map(|(i, &kind)| (!kind.is_output()).then(|| input(k, kind, a, i)))
        .collect()
}

/// x86-64 clone(flags, stack, parent_tid, child_tid, tls), as strace shows it.
fn clone_args(a: &[u64; 6]) -> String {
    let fl = a[0];
    let mut s = format!("child_stack={}, flags={}", f::ptr(a[1]), f::clone_flags(fl));
    if fl & 0x100000 != 0 {
        s.push_str(&format!(", parent_tid={}", f::ptr(a[2])));
    }
    if fl & 0x1200000 != 0 {
        s.push_str(&format!(", child_tidptr={}", f::ptr(a[3])));
    }
    if fl & 0x80000 != 0 {
        s.push_str(&format!(", tls={}", f::ptr(a[4])));
    }
    s
}

fn read(k: &mut Kernel, addr: u64, len: usize) -> Option<Vec<u8>> {
    if addr == 0 {
        return None;
    }
    k.read_vec(addr, len).ok()
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    b.get(off..off + 8)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    b.get(off..off + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

/// A NUL-terminated string, at most `max` bytes shown.
fn cstr(k: &mut Kernel, addr: u64, max: usize) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    // Read page by page so a string ending just before an unmapped page prints.
    let mut out = Vec::new();
    let mut p = addr;
    while out.len() <= max {
        let n = (4096 - (p & 0xfff)) as usize;
        let Some(chunk) = read(k, p, n) else {
            if out.is_empty() {
                return f::hex(addr);
            }
            break;
        };
        if let Some(z) = chunk.iter().position(|&b| b == 0) {
            out.extend_from_slice(&chunk[..z]);
            let t = out.len() > max;
            out.truncate(max);
            return f::quote(&out, t, false);
        }
        out.extend_from_slice(&chunk);
        p += n as u64;
    }
    out.truncate(max);
    f::quote(&out, true, false)
}

fn timespec(k: &mut Kernel, addr: u64) -> String {
    match read(k, addr, 16) {
        Some(b) => format!(
            "{{tv_sec={}, tv_nsec={}}}",
            u64_at(&b, 0) as i64,
            u64_at(&b, 8) as i64
        ),
        None => f::ptr(addr),
    }
}

fn sigset(k: &mut Kernel, addr: u64, size: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    match read(k, addr, 8) {
        Some(b) if size == 8 => f::sigset(u64_at(&b, 0), 64),
        _ => f::ptr(addr),
    }
}

fn sigaction(k: &mut Kernel, addr: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    match read(k, addr, 32) {
        Some(b) => f::sigaction(u64_at(&b, 0), u64_at(&b, 8), u64_at(&b, 16), u64_at(&b, 24)),
        None => f::ptr(addr),
    }
}

fn stack(k: &mut Kernel, addr: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    match read(k, addr, 24) {
        Some(b) => f::stack_t(u64_at(&b, 0), u32_at(&b, 8), u64_at(&b, 16)),
        None => f::ptr(addr),
    }
}

/// The `(fd, events, revents)` of `n` pollfds at `addr`.
fn read_pollfds(k: &mut Kernel, addr: u64, n: u64) -> Option<Vec<(i32, u16, u16)>> {
    let n = n.min(f::MAX_ELEMS as u64) as usize;
    let b = read(k, addr, n * 8)?;
    Some(
        (0..n)
            .map(|i| {
                let e = &b[i * 8..i * 8 + 8];
                (
                    i32::from_le_bytes([e[0], e[1], e[2], e[3]]),
                    u16::from_le_bytes([e[4], e[5]]),
                    u16::from_le_bytes([e[6], e[7]]),
                )
            })
            .collect(),
    )
}

fn fd_set(k: &mut Kernel, addr: u64, n: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    let n = (n as i32).clamp(0, 1024) as u32;
    match read(k, addr, n.div_ceil(64) as usize * 8) {
        Some(b) => f::fd_set(&b, n),
        None if n == 0 => "[]".into(),
        None => f::ptr(addr),
    }
}

/// What strace adds after some results: `(Timeout)`, poll's answered entries,
/// select's ready sets.
pub fn result_detail(k: &mut Kernel, nr: u64, a: &[u64; 6], r: SysResult) -> Option<String> {
    let n = r.ok()?;
    if matches!(nr, 7 | 23 | 270 | 271) && n == 0 {
        return Some("(Timeout)".into());
    }
    match nr {
        // rt_sigtimedwait: the signal taken, by name.
        128 => Some(format!("({})", f::signal(n))),
        7 | 271 => {
            let fds = read_pollfds(k, a[0], a[1])?;
            Some(format!("({})", f::pollfds(&fds, true)))
        }
        23 | 270 => {
            let mut parts = Vec::new();
            for (i, what) in [(1, "in"), (2, "out"), (3, "except")] {
                if a[i] == 0 {
                    continue;
                }
                let s = fd_set(k, a[i], a[0]);
                if s != "[]" {
                    parts.push(format!("{what} {s}"));
                }
            }
            Some(format!("({})", parts.join(", ")))
        }
        _ => None,
    }
}

fn itimerval(k: &mut Kernel, addr: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    match read(k, addr, 32) {
        Some(b) => {
            let w = |i: usize| u64_at(&b, i * 8) as i64;
            format!(
                "{{it_interval={{tv_sec={}, tv_usec={}}}, it_value={{tv_sec={}, tv_usec={}}}}}",
                w(0),
                w(1),
                w(2),
                w(3)
            )
        }
        None => f::ptr(addr),
    }
}

/// A socket address of `len` bytes at `addr` (strace shows at most 128).
fn sockaddr(k: &mut Kernel, addr: u64, len: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    if len == 0 {
        return f::ptr(addr);
    }
    match read(k, addr, len.min(128) as usize) {
        Some(b) => f::sockaddr(&b),
        None => f::ptr(addr),
    }
}

/// struct msghdr; `total` limits the iovec bytes shown (recvmsg's result).
fn msghdr(k: &mut Kernel, addr: u64, total: Option<u64>) -> String {
    let Some(b) = read(k, addr, 56) else {
        return f::ptr(addr);
    };
    let name = u64_at(&b, 0);
    let namelen = u32_at(&b, 8);
    let iov = u64_at(&b, 16);
    let iovlen = u64_at(&b, 24);
    let control = u64_at(&b, 32);
    let controllen = u64_at(&b, 40);
    let flags = u32_at(&b, 48) as u64;
    let mut s = format!(
        "{{msg_name={}, msg_namelen={namelen}, msg_iov={}, msg_iovlen={iovlen}",
        sockaddr(k, name, namelen as u64),
        iovec(k, iov, iovlen, total)
    );
    if controllen != 0 {
        s.push_str(&format!(", msg_control={}", f::ptr(control)));
    }
    s.push_str(&format!(
        ", msg_controllen={controllen}, msg_flags={}}}",
        f::flags(flags, f::MSG_FLAGS, "0")
    ));
    s
}

fn rlimit(k: &mut Kernel, addr: u64) -> String {
    match read(k, addr, 16) {
        Some(b) => format!(
            "{{rlim_cur={}, rlim_max={}}}",
            f::rlim(u64_at(&b, 0)),
            f::rlim(u64_at(&b, 8))
        ),
        None => f::ptr(addr),
    }
}

/// An iovec array; `total` limits the bytes shown (the result of readv).
fn iovec(k: &mut Kernel, addr: u64, count: u64, total: Option<u64>) -> String {
    let n = count.min(f::MAX_ELEMS as u64 + 1) as usize;
    let Some(raw) = read(k, addr, n * 16) else {
        return f::ptr(addr);
    };
    let mut left = total;
    let mut parts = Vec::new();
    for i in 0..n {
        if i == f::MAX_ELEMS {
            parts.push("...".to_string());
            break;
        }
        let base = u64_at(&raw, i * 16);
        let len = u64_at(&raw, i * 16 + 8);
        let shown = match left {
            Some(l) => {
                let s = len.min(l);
                left = Some(l - s);
                s
            }
            None => len,
        };
        let take = (shown as usize).min(f::MAX_STR);
        let b = match read(k, base, take) {
            Some(b) => f::quote(&b, shown as usize > f::MAX_STR, false),
            None if shown == 0 && base == 0 => "NULL".into(),
            None if shown == 0 => "\"\"".into(),
            None => f::ptr(base),
        };
        parts.push(format!("{{iov_base={b}, iov_len={len}}}"));
    }
    format!("[{}]", parts.join(", "))
}

/// An argv array: `["ls", "-l"]`.
pub fn argv(k: &mut Kernel, addr: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    let mut parts = Vec::new();
    for i in 0..=f::MAX_ELEMS as u64 {
        let Ok(p) = k.read_u64(addr + 8 * i) else {
            return f::ptr(addr);
        };
        if p == 0 {
            break;
        }
        if i as usize == f::MAX_ELEMS {
            parts.push("...".to_string());
            break;
        }
        parts.push(cstr(k, p, f::MAX_STR));
    }
    format!("[{}]", parts.join(", "))
}

/// An envp array: `0x7ffe... /* 23 vars */`.
pub fn envp(k: &mut Kernel, addr: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    let mut n = 0u64;
    while n < 1 << 16 {
        match k.read_u64(addr + 8 * n) {
            Ok(0) => break,
            Ok(_) => n += 1,
            Err(_) => return f::ptr(addr),
        }
    }
    format!("{addr:#x} /* {n} vars */")
}

fn input(k: &mut Kernel, kind: A, a: &[u64; 6], i: usize) -> String {
    let v = a[i];
    match kind {
        A::D => format!("{}", v as i32),
        A::U => format!("{v}"),
        A::X => f::hex(v),
        A::P => f::ptr(v),
        A::DirFd => f::dirfd(v),
        A::Path => cstr(k, v, 4096),
        A::Str => cstr(k, v, f::MAX_STR),
        A::InBuf(n) => {
            let len = a[n] as usize;
            match read(k, v, len.min(f::MAX_STR)) {
                Some(b) => f::quote(&b, len > f::MAX_STR, false),
                None if len == 0 && v != 0 => "\"\"".into(),
                None => f::ptr(v),
            }
        }
        A::Mode => f::mode(v & 0o7777),
        A::NodMode => f::file_mode(v as u32),
        A::Dev => {
            let (major, minor) = ((v & 0xfff00) >> 8, (v & 0xff) | ((v >> 12) & 0xfff00));
            format!("makedev({major:#x}, {minor:#x})")
        }
        A::OFlags => f::open_flags(v),
        A::FdOFlags => f::flags(v, f::OPEN_FLAGS, "0"),
        A::Prot => f::flags(v, f::PROT, "PROT_NONE"),
        A::MapFlags => f::map_flags(v),
        A::MremapFlags => f::flags(v, f::MREMAP_FLAGS, "0"),
        A::MsyncFlags => f::flags(
            v,
            &[(1, "MS_ASYNC"), (2, "MS_INVALIDATE"), (4, "MS_SYNC")],
            "0",
        ),
        A::AtFlags => f::at_flags(v, "0"),
        A::StatxFlags => f::at_flags(v, "AT_STATX_SYNC_AS_STAT"),
        A::StatxMask => f::flags(v, f::STATX_MASK, "0"),
        A::CloneFlags => f::clone_flags(v),
        A::WaitOpts => f::flags(v, f::WAIT_OPTIONS, "0"),
        A::FcntlCmd => f::xlat(v, f::FCNTL_CMDS, false),
        A::Ioctl => f::ioctl_request(v & 0xffff_ffff),
        A::TermiosIn => match read(k, v, 36) {
            Some(b) if v != 0 => f::termios(&b),
            _ => f::ptr(v),
        },
        A::WinsizeIn => match read(k, v, 8) {
            Some(b) if v != 0 => f::winsize(&b),
            _ => f::ptr(v),
        },
        A::IntIn => match k.read_u32(v) {
            Ok(n) if v != 0 => format!("[{}]", n as i32),
            _ => f::ptr(v),
        },
        A::Sig => f::signal(v & 0xffff_ffff),
        A::Clock => f::xlat(v, f::CLOCKS, false),
        A::ArchPrctl => f::xlat(v, f::ARCH_PRCTL, true),
        A::Madvise => f::xlat(v, f::MADVISE, false),
        A::Whence => f::xlat(v, f::WHENCE, false),
        A::Access => f::access_mode(v),
        A::Rlimit => f::xlat(v, f::RLIMITS, false),
        A::RlimitIn => {
            if v == 0 {
                "NULL".into()
            } else {
                rlimit(k, v)
            }
        }
        A::TimespecIn => {
            if v == 0 {
                "NULL".into()
            } else {
                timespec(k, v)
            }
        }
        A::IovIn(n) => iovec(k, v, a[n], None),
        A::SigSetIn(n) => sigset(k, v, a[n]),
        A::PollIn(n) => match read_pollfds(k, v, a[n]) {
            Some(fds) if v != 0 => {
                let mut s = f::pollfds(&fds, false);
                if a[n] > f::MAX_ELEMS as u64 {
                    s.insert_str(s.len() - 1, ", ...");
                }
                s
            }
            _ => f::ptr(v),
        },
        A::FdSetIn => fd_set(k, v, a[0]),
        A::SockDomain => f::xlat(v, f::SOCK_DOMAINS, false),
        A::SockProto => f::sock_proto(a[0], v),
        A::SockAddrIn(n) => sockaddr(k, v, a[n]),
        A::SockFlags => f::flags(
            v,
            &[(0o2000000, "SOCK_CLOEXEC"), (0o4000, "SOCK_NONBLOCK")],
            "0",
        ),
        A::SockType => f::sock_type(v),
        A::MsgFlags => f::flags(v, f::MSG_FLAGS, "0"),
        A::Shut => f::xlat(
            v,
            &[(0, "SHUT_RD"), (1, "SHUT_WR"), (2, "SHUT_RDWR")],
            false,
        ),
        A::MsgIn => msghdr(k, v, None),
        A::Itimer => f::xlat(
            v,
            &[
                (0, "ITIMER_REAL"),
                (1, "ITIMER_VIRTUAL"),
                (2, "ITIMER_PROF"),
            ],
            false,
        ),
        A::ItimervalIn => itimerval(k, v),
        A::RusageWho => f::xlat(
            v as i32 as i64 as u64,
            &[
                (0, "RUSAGE_SELF"),
                (u64::MAX, "RUSAGE_CHILDREN"),
                (1, "RUSAGE_THREAD"),
            ],
            false,
        ),
        A::TimevalIn => match read(k, v, 16) {
            Some(b) => format!(
                "{{tv_sec={}, tv_usec={}}}",
                u64_at(&b, 0) as i64,
                u64_at(&b, 8) as i64
            ),
            None => f::ptr(v),
        },
        A::Pselect6Sig => match read(k, v, 16) {
            Some(b) => format!(
                "{{sigmask={}, sigsetsize={}}}",
                sigset(k, u64_at(&b, 0), u64_at(&b, 8)),
                u64_at(&b, 8)
            ),
            None => f::ptr(v),
        },
        A::SigactIn => sigaction(k, v),
        A::StackIn => stack(k, v),
        A::Argv => argv(k, v),
        A::Envp => envp(k, v),
        A::FutexOp => f::futex_op(v),
        A::Prctl => f::xlat(v, f::PRCTL, false),
        A::Grnd => f::flags(v, f::GRND, "0"),
        A::RenameFlags => f::flags(v, f::RENAME_FLAGS, "0"),
        A::FdFlags => f::flags(v, f::FD_FLAGS, "0"),
        A::TimerFlags => f::flags(v, &[(1, "TIMER_ABSTIME")], "0"),
        A::IdType => f::xlat(v, f::WAITID_TYPES, false),
        A::SigHow => f::xlat(
            v,
            &[(0, "SIG_BLOCK"), (1, "SIG_UNBLOCK"), (2, "SIG_SETMASK")],
            false,
        ),
        A::Clone3In => match read(k, v, 64) {
            Some(b) => {
                let w = |i: usize| u64_at(&b, i * 8);
                let mut s = format!("{{flags={}", f::flags(w(0), f::CLONE_FLAGS, "0"));
                if w(2) != 0 {
                    s.push_str(&format!(", child_tid={:#x}", w(2)));
                }
                if w(3) != 0 {
                    s.push_str(&format!(", parent_tid={:#x}", w(3)));
                }
                s.push_str(&format!(", exit_signal={}", f::signal(w(4))));
                s.push_str(&format!(", stack={}, stack_size={:#x}", f::ptr(w(5)), w(6)));
                if w(7) != 0 {
                    s.push_str(&format!(", tls={:#x}", w(7)));
                }
                s.push('}');
                s
            }
            None => f::ptr(v),
        },
        // Outputs are formatted by `output`.
        _ => f::ptr(v),
    }
}

/// Format output argument `i` after the call (its pointer in hex if the call failed).
/// The values value-result arguments held on entry (a socklen_t's buffer size),
/// which the call overwrites.
pub fn pre_values(k: &mut Kernel, nr: u64, a: &[u64; 6]) -> [Option<u32>; 6] {
    let mut pre = [None; 6];
    if let Some(spec) = spec(nr, a) {
        for (i, kind) in spec.iter().enumerate() {
            if *kind == A::SockLenOut && a[i] != 0 {
                pre[i] = k.read_u32(a[i]).ok();
            }
        }
    }
    pre
}

/// Format output argument `i` after the call returned `r` (None: it did not
/// return); `pre` as [`pre_values`] read them.
pub fn output(
    k: &mut Kernel,
    nr: u64,
    a: &[u64; 6],
    i: usize,
    r: Option<SysResult>,
    pre: &[Option<u32>; 6],
) -> String {
    let v = a[i];
    let kind = spec(nr, a).and_then(|s| s.get(i).copied());
    if kind == Some(A::SockLenOut) {
        let now = match r {
            Some(Ok(_)) if v != 0 => k.read_u32(v).ok(),
            _ => None,
        };
        return match (pre[i], now) {
            _ if v == 0 => "NULL".into(),
            (Some(p), Some(n)) if p != n => format!("[{p} => {n}]"),
            (_, Some(n)) => format!("[{n}]"),
            (Some(p), None) => format!("[{p}]"),
            (None, None) => f::ptr(v),
        };
    }
    if let (Some(A::SockAddrOut(n)), Some(Ok(_))) = (kind, r) {
        // As long as the call says, within the buffer it was given.
        let len = match (pre[n], k.read_u32(a[n]).ok()) {
            (Some(p), Some(l)) => l.min(p),
            (None, Some(l)) => l,
            _ => 0,
        };
        return sockaddr(k, v, len as u64);
    }
    if kind == Some(A::RemOut) {
        return match r {
            _ if v == 0 => "NULL".into(),
            Some(Err(crate::errno::Errno::EINTR | crate::errno::Errno::ERESTARTSYS)) => {
                timespec(k, v)
            }
            _ => f::ptr(v),
        };
    }
    let Some(Ok(ret)) = r else {
        return f::ptr(v);
    };
    if v == 0 {
        return "NULL".into();
    }
    match kind {
        Some(A::OutBuf(hexq)) => {
            let n = ret as usize;
            match read(k, v, n.min(f::MAX_STR)) {
                Some(b) => f::quote(&b, n > f::MAX_STR, hexq),
                None if n == 0 => "\"\"".into(),
                None => f::ptr(v),
            }
        }
        Some(A::RlimitOut) => rlimit(k, v),
        Some(A::TermiosOut) => match read(k, v, 36) {
            Some(b) => f::termios(&b),
            None => f::ptr(v),
        },
        Some(A::WinsizeOut) => match read(k, v, 8) {
            Some(b) => f::winsize(&b),
            None => f::ptr(v),
        },
        Some(A::IntOut) => match k.read_u32(v) {
            Ok(n) => format!("[{}]", n as i32),
            Err(_) => f::ptr(v),
        },
        Some(A::SigSetOut(n)) => sigset(k, v, a[n]),
        Some(A::SigactOut) => sigaction(k, v),
        Some(A::StackOut) => stack(k, v),
        Some(A::ItimervalOut) => itimerval(k, v),
        Some(A::SiginfoOut) => match read(k, v, 128) {
            Some(b) => f::siginfo(&b),
            None => f::ptr(v),
        },
        // strace's abbreviated form: the two times, then `...`.
        Some(A::RusageOut) => match read(k, v, 32) {
            Some(b) => format!(
                "{{ru_utime={{tv_sec={}, tv_usec={}}}, ru_stime={{tv_sec={}, tv_usec={}}}, ...}}",
                u64_at(&b, 0) as i64,
                u64_at(&b, 8) as i64,
                u64_at(&b, 16) as i64,
                u64_at(&b, 24) as i64
            ),
            None => f::ptr(v),
        },
        Some(A::StatfsOut) => match read(k, v, 120) {
            Some(b) => {
                let w = |i: usize| u64_at(&b, i * 8);
                let fsid = |v: u32| f::hex(v.into());
                format!(
                    "{{f_type={}, f_bsize={}, f_blocks={}, f_bfree={}, f_bavail={}, f_files={}, f_ffree={}, f_fsid={{val=[{}, {}]}}, f_namelen={}, f_frsize={}, f_flags={}}}",
                    f::xlat(w(0), f::FS_MAGIC, true),
                    w(1),
                    w(2),
                    w(3),
                    w(4),
                    w(5),
                    w(6),
                    fsid(u32_at(&b, 56)),
                    fsid(u32_at(&b, 60)),
                    w(8),
                    w(9),
                    f::flags(w(10), f::ST_FLAGS, "0")
                )
            }
            None => f::ptr(v),
        },
        Some(A::MsgOut) => msghdr(k, v, Some(ret)),
        Some(A::FdPairOut) => match read(k, v, 8) {
            Some(b) => format!("[{}, {}]", u32_at(&b, 0) as i32, u32_at(&b, 4) as i32),
            None => f::ptr(v),
        },
        Some(A::TimespecOut) => timespec(k, v),
        Some(A::TimevalOut) => match read(k, v, 16) {
            Some(b) => format!(
                "{{tv_sec={}, tv_usec={}}}",
                u64_at(&b, 0) as i64,
                u64_at(&b, 8) as i64
            ),
            None => f::ptr(v),
        },
        Some(A::IovOut(n)) => iovec(k, v, a[n], Some(ret)),
        Some(A::StatOut) => match read(k, v, 144) {
            Some(b) => {
                let m = u32_at(&b, 24);
                let ty = m & 0o170000;
                if ty == 0o020000 || ty == 0o060000 {
                    let rdev = u64_at(&b, 40);
                    let major = ((rdev >> 8) & 0xfff) | ((rdev >> 32) & !0xfff);
                    let minor = (rdev & 0xff) | ((rdev >> 12) & !0xff);
                    format!(
                        "{{st_mode={}, st_rdev=makedev({major:#x}, {minor:#x}), ...}}",
                        f::file_mode(m)
                    )
                } else {
                    format!(
                        "{{st_mode={}, st_size={}, ...}}",
                        f::file_mode(m),
                        u64_at(&b, 48) as i64
                    )
                }
            }
            None => f::ptr(v),
        },
        Some(A::StatxOut) => match read(k, v, 256) {
            Some(b) => format!(
                "{{stx_mask={}, stx_attributes=0, stx_mode={}, stx_size={}, ...}}",
                f::flags(u32_at(&b, 0) as u64, f::STATX_MASK, "0"),
                f::file_mode(u32_at(&b, 28) & 0xffff),
                u64_at(&b, 40)
            ),
            None => f::ptr(v),
        },
        Some(A::UtsOut) => match read(k, v, 65 * 6) {
            Some(b) => {
                let field = |i: usize| {
                    let s = &b[i * 65..i * 65 + 65];
                    let end = s.iter().position(|&c| c == 0).unwrap_or(65);
                    f::quote(&s[..end], false, false)
                };
                format!("{{sysname={}, nodename={}, ...}}", field(0), field(1))
            }
            None => f::ptr(v),
        },
        Some(A::WStatusOut) => match read(k, v, 4) {
            Some(b) if ret != 0 => f::wait_status(u32_at(&b, 0) as i32),
            _ => f::ptr(v),
        },
        _ => f::ptr(v),
    }
}

/// The result of syscall `nr` as strace shows it (addresses in hex, umask in octal).
pub fn result(nr: u64, r: SysResult) -> String {
    match (nr, r) {
        (95, Ok(0)) => "0".into(),
        (95, Ok(v)) => format!("0{v:o}"),
        // rt_sigreturn "returns" the interrupted RAX: an interrupted syscall's -errno
        // reads as that error, as in strace.
        (15, Ok(v)) if (v as i64) < 0 && (v as i64) > -4096 => {
            match crate::errno::Errno::from_raw(-(v as i64) as i32) {
                Some(e) => f::result(Err(e), false),
                None => f::result(Ok(v), false),
            }
        }
        (9 | 12 | 25, r) => f::result(r, true),
        (_, r) => f::result(r, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results() {
        assert_eq!(result(95, Ok(0o22)), "022");
        assert_eq!(result(95, Ok(0)), "0");
        assert_eq!(result(12, Ok(0x4000)), "0x4000");
        assert_eq!(result(0, Ok(5)), "5");
        assert_eq!(
            result(2, Err(crate::Errno::EACCES)),
            "-1 EACCES (Permission denied)"
        );
    }

    #[test]
    fn every_table_syscall_has_a_decoder() {
        let missing: Vec<u64> = (0..460)
            .filter(|&nr| crate::syscall::implemented(nr) && spec(nr, &[0; 6]).is_none())
            .collect();
        assert!(missing.is_empty(), "no strace decoder for {missing:?}");
    }

    #[test]
    fn clone_flags_shown() {
        let s = clone_args(&[0x01200011, 0, 0, 0x1234, 0, 0]);
        assert_eq!(
            s,
            "child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x1234"
        );
    }
}
