//! Pure formatting helpers for `--strace`: quoted strings with C escapes, flag sets by
//! name, symbolic constants, results with errno names. Nothing here touches guest
//! memory, so everything is unit-testable.

use crate::errno::Errno;

/// strace's default `-s 32`: at most this many bytes of a string are shown.
pub const MAX_STR: usize = 32;
/// At most this many elements of an array (argv, iovec) are shown.
pub const MAX_ELEMS: usize = 32;
/// The column the ` = result` part is aligned to (strace's `-a 40`).
pub const RESULT_COLUMN: usize = 40;

/// Quote `bytes` as strace does: printable ASCII as is, the usual C escapes, other
/// bytes in octal (three digits when an octal digit follows, so the escape stays
/// unambiguous), or all in `\xNN` when `hex`. `truncated` appends `...` after the
/// closing quote.
pub fn quote(bytes: &[u8], truncated: bool, hex: bool) -> String {
    let mut s = String::with_capacity(bytes.len() + 4);
    s.push('"');
    for (i, &b) in bytes.iter().enumerate() {
        if hex {
            s.push_str(&format!("\\x{b:02x}"));
            continue;
        }
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\r' => s.push_str("\\r"),
            0x0b => s.push_str("\\v"),
            0x0c => s.push_str("\\f"),
            0x20..=0x7e => s.push(b as char),
            _ => {
                let next_is_digit = bytes.get(i + 1).is_some_and(|c| (b'0'..=b'7').contains(c));
                if next_is_digit {
                    s.push_str(&format!("\\{b:03o}"));
                } else {
                    s.push_str(&format!("\\{b:o}"));
                }
            }
        }
    }
    s.push('"');
    if truncated {
        s.push_str("...");
    }
    s
}

/// A buffer of known length, shown up to [`MAX_STR`] bytes.
pub fn quote_buf(bytes: &[u8], hex: bool) -> String {
    let n = bytes.len().min(MAX_STR);
    quote(&bytes[..n], bytes.len() > MAX_STR, hex)
}

/// A pointer: `NULL` or hex.
/// Hex, with 0 as `0`.
pub fn hex(v: u64) -> String {
    if v == 0 {
        "0".into()
    } else {
        format!("{v:#x}")
    }
}

pub fn ptr(v: u64) -> String {
    if v == 0 {
        "NULL".into()
    } else {
        format!("{v:#x}")
    }
}

/// A set of flags: `A|B|0x40` (the rest in hex), or `zero` when none is set.
pub fn flags(v: u64, table: &[(u64, &str)], zero: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut rest = v;
    for &(bit, name) in table {
        if bit != 0 && rest & bit == bit {
            parts.push(name.into());
            rest &= !bit;
        }
    }
    if rest != 0 || parts.is_empty() && v != 0 {
        parts.push(format!("{rest:#x}"));
    }
    if parts.is_empty() {
        zero.into()
    } else {
        parts.join("|")
    }
}

/// One of a set of values by name, else the number (decimal, or hex if `hex`).
pub fn xlat(v: u64, table: &[(u64, &str)], hex: bool) -> String {
    match table.iter().find(|&&(n, _)| n == v) {
        Some(&(_, name)) => name.into(),
        None if hex => format!("{v:#x}"),
        None => format!("{}", v as i64),
    }
}

/// A syscall result as strace shows it.
pub fn result(r: Result<u64, Errno>, hex: bool) -> String {
    match r {
        Ok(v) if hex => format!("{v:#x}"),
        Ok(v) => format!("{}", v as i64),
        Err(e) => format!("-1 {} ({})", e.name(), e.text()),
    }
}

/// `name(args) = result`, with the result aligned like strace's.
pub fn line(name: &str, args: &[String], result: &str) -> String {
    pad_result(format!("{name}({})", args.join(", ")), result)
}

/// `s`, padded to strace's result column, then `= result`.
pub fn pad_result(mut s: String, result: &str) -> String {
    if s.len() < RESULT_COLUMN {
        s.push_str(&" ".repeat(RESULT_COLUMN - s.len()));
    } else {
        s.push(' ');
    }
    s.push_str("= ");
    s.push_str(result);
    s
}

/// An octal mode: `0644`, `0`.
pub fn mode(v: u64) -> String {
    if v == 0 {
        "000".into()
    } else {
        format!("0{:o}", v)
    }
}

/// A file type and permission bits: `S_IFREG|0644`.
pub fn file_mode(m: u32) -> String {
    let ty = match m & 0o170000 {
        0o140000 => "S_IFSOCK",
        0o120000 => "S_IFLNK",
        0o100000 => "S_IFREG",
        0o060000 => "S_IFBLK",
        0o040000 => "S_IFDIR",
        0o020000 => "S_IFCHR",
        0o010000 => "S_IFIFO",
        _ => "",
    };
    let perm = m & 0o7777;
    let ps = if perm == 0 {
        "000".to_string()
    } else {
        format!("0{perm:o}")
    };
    if ty.is_empty() {
        ps
    } else {
        format!("{ty}|{ps}")
    }
}

/// A signal number by name.
pub fn signal(sig: u64) -> String {
    match sig {
        1..=31 => crate::signal::name(sig as i32),
        32 => "SIGRTMIN".into(),
        33..=64 => format!("SIGRT_{}", sig - 32),
        _ => format!("{}", sig as i64),
    }
}

/// A signal set as strace prints it: `[USR1 CHLD]`, or `~[KILL STOP]` (the signals
/// *not* in it) when more than half of the `bits` signals are in it.
pub fn sigset(set: u64, bits: u32) -> String {
    let all = if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let set = set & all;
    let (neg, shown) = if set.count_ones() * 2 > bits {
        ("~", !set & all)
    } else {
        ("", set)
    };
    let names: Vec<String> = (0..bits)
        .filter(|i| shown & (1u64 << i) != 0)
        .map(|i| {
            let n = signal(i as u64 + 1);
            n.strip_prefix("SIG").map(str::to_string).unwrap_or(n)
        })
        .collect();
    format!("{neg}[{}]", names.join(" "))
}

/// A siginfo_t (128 bytes) as strace prints it: `{si_signo=SIGSEGV,
/// si_code=SEGV_MAPERR, si_addr=0x10}`; the fields after si_code depend on the code.
pub fn siginfo(b: &[u8]) -> String {
    let i32_at = |o: usize| {
        b.get(o..o + 4)
            .and_then(|s| s.try_into().ok())
            .map_or(0, i32::from_le_bytes)
    };
    let u64_at = |o: usize| {
        b.get(o..o + 8)
            .and_then(|s| s.try_into().ok())
            .map_or(0, u64::from_le_bytes)
    };
    let sig = i32_at(0);
    let code = i32_at(8);
    let name = signal(sig as u64);
    let code_s = crate::signal::code_name(sig, code)
        .map(str::to_string)
        .unwrap_or_else(|| code.to_string());
    let mut s = format!("{{si_signo={name}, si_code={code_s}");
    let fault = matches!(
        sig,
        crate::signal::SIGSEGV
            | crate::signal::SIGBUS
            | crate::signal::SIGILL
            | crate::signal::SIGFPE
    );
    match code {
        // Sent by a process: kill, tkill, sigqueue (with its value).
        c if c <= 0 && c != crate::signal::SI_KERNEL && c != -2 => {
            s.push_str(&format!(", si_pid={}, si_uid={}", i32_at(16), i32_at(20)));
            if c == crate::signal::SI_QUEUE {
                s.push_str(&format!(
                    ", si_int={}, si_ptr={}",
                    i32_at(24),
                    ptr(u64_at(24))
                ));
            }
        }
        // POSIX timers.
        -2 => s.push_str(&format!(
            ", si_timerid={:#x}, si_overrun={}, si_int={}, si_ptr={}",
            i32_at(16),
            i32_at(20),
            i32_at(24),
            ptr(u64_at(24))
        )),
        _ if sig == crate::signal::SIGCHLD => {
            let st = i32_at(24);
            let status = if code == crate::signal::CLD_EXITED {
                st.to_string()
            } else {
                signal(st as u64)
            };
            s.push_str(&format!(
                ", si_pid={}, si_uid={}, si_status={status}, si_utime={}, si_stime={}",
                i32_at(16),
                i32_at(20),
                u64_at(32),
                u64_at(40)
            ));
        }
        _ if fault => s.push_str(&format!(", si_addr={}", ptr(u64_at(16)))),
        _ => {}
    }
    s.push('}');
    s
}

/// statfs f_type magic numbers.
pub const FS_MAGIC: &[(u64, &str)] = &[
    (0xef53, "EXT2_SUPER_MAGIC"),
    (0x0102_1994, "TMPFS_MAGIC"),
    (0x5049_5045, "PIPEFS_MAGIC"),
    (0x534f_434b, "SOCKFS_MAGIC"),
    (0x9fa0, "PROC_SUPER_MAGIC"),
    (0x6265_6572, "SYSFS_MAGIC"),
    (0x1cd1, "DEVPTS_SUPER_MAGIC"),
    (0x794c_7630, "OVERLAYFS_SUPER_MAGIC"),
    (0x9123_683e, "BTRFS_SUPER_MAGIC"),
    (0x5846_5342, "XFS_SUPER_MAGIC"),
    (0x0102_7182, "ANON_INODE_FS_MAGIC"),
];

/// statfs f_flags.
pub const ST_FLAGS: &[(u64, &str)] = &[
    (0x1, "ST_RDONLY"),
    (0x2, "ST_NOSUID"),
    (0x4, "ST_NODEV"),
    (0x8, "ST_NOEXEC"),
    (0x10, "ST_SYNCHRONOUS"),
    (0x20, "ST_VALID"),
    (0x40, "ST_MANDLOCK"),
    (0x400, "ST_NOATIME"),
    (0x800, "ST_NODIRATIME"),
    (0x1000, "ST_RELATIME"),
];

/// Socket address families.
pub const SOCK_DOMAINS: &[(u64, &str)] = &[
    (1, "AF_UNIX"),
    (2, "AF_INET"),
    (10, "AF_INET6"),
    (16, "AF_NETLINK"),
    (17, "AF_PACKET"),
];

/// A socket address of `b.len()` bytes (its addrlen), as strace shows it:
/// `{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}`,
/// `{sa_family=AF_UNIX, sun_path="/tmp/s"}` (`@"name"` for an abstract one).
pub fn sockaddr(b: &[u8]) -> String {
    if b.len() < 2 {
        return "{}".into();
    }
    let fam = u16::from_le_bytes([b[0], b[1]]) as u64;
    let be16 = |o: usize| {
        b.get(o..o + 2)
            .map_or(0, |s| u16::from_be_bytes([s[0], s[1]]))
    };
    let name = match fam {
        0 => "AF_UNSPEC".to_string(),
        _ => xlat(fam, SOCK_DOMAINS, false),
    };
    let body = match fam {
        1 if b.len() == 2 => String::new(),
        1 => {
            let path = &b[2..];
            if path[0] == 0 {
                format!(", sun_path=@{}", quote(&path[1..], false, false))
            } else {
                let end = path.iter().position(|&c| c == 0).unwrap_or(path.len());
                format!(", sun_path={}", quote(&path[..end], false, false))
            }
        }
        2 if b.len() >= 8 => format!(
            ", sin_port=htons({}), sin_addr=inet_addr(\"{}\")",
            be16(2),
            std::net::Ipv4Addr::new(b[4], b[5], b[6], b[7])
        ),
        10 if b.len() >= 24 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(&b[8..24]);
            let flow = u32::from_be_bytes([b[4], b[5], b[6], b[7]]);
            let scope = b
                .get(24..28)
                .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]));
            format!(
                ", sin6_port=htons({}), sin6_flowinfo=htonl({flow}), inet_pton(AF_INET6, \"{}\", &sin6_addr), sin6_scope_id={scope}",
                be16(2),
                std::net::Ipv6Addr::from(a)
            )
        }
        16 if b.len() >= 12 => format!(
            ", nl_pid={}, nl_groups={:08x}",
            u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
            u32::from_le_bytes([b[8], b[9], b[10], b[11]])
        ),
        _ => format!(", sa_data={}", quote(&b[2..], false, false)),
    };
    format!("{{sa_family={name}{body}}}")
}

/// socket(2)'s protocol for `domain`: IPPROTO_* for the internet families.
pub fn sock_proto(domain: u64, v: u64) -> String {
    if matches!(domain, 2 | 10) {
        let t: &[(u64, &str)] = &[
            (0, "IPPROTO_IP"),
            (1, "IPPROTO_ICMP"),
            (6, "IPPROTO_TCP"),
            (17, "IPPROTO_UDP"),
            (58, "IPPROTO_ICMPV6"),
            (132, "IPPROTO_SCTP"),
            (255, "IPPROTO_RAW"),
        ];
        return xlat(v, t, false);
    }
    format!("{}", v as i64)
}

/// send/recv flags.
pub const MSG_FLAGS: &[(u64, &str)] = &[
    (0x1, "MSG_OOB"),
    (0x2, "MSG_PEEK"),
    (0x4, "MSG_DONTROUTE"),
    (0x8, "MSG_CTRUNC"),
    (0x20, "MSG_TRUNC"),
    (0x40, "MSG_DONTWAIT"),
    (0x80, "MSG_EOR"),
    (0x100, "MSG_WAITALL"),
    (0x4000, "MSG_NOSIGNAL"),
    (0x4000_0000, "MSG_CMSG_CLOEXEC"),
];

/// A socket type with its creation flags: `SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK`.
pub fn sock_type(v: u64) -> String {
    let base = xlat(
        v & 0xf,
        &[
            (1, "SOCK_STREAM"),
            (2, "SOCK_DGRAM"),
            (3, "SOCK_RAW"),
            (4, "SOCK_RDM"),
            (5, "SOCK_SEQPACKET"),
            (10, "SOCK_PACKET"),
        ],
        false,
    );
    let rest = v & !0xf;
    if rest == 0 {
        return base;
    }
    format!(
        "{base}|{}",
        flags(
            rest,
            &[(0o2000000, "SOCK_CLOEXEC"), (0o4000, "SOCK_NONBLOCK")],
            "0"
        )
    )
}

/// poll(2) event bits.
pub const POLL_EVENTS: &[(u64, &str)] = &[
    (0x1, "POLLIN"),
    (0x2, "POLLPRI"),
    (0x4, "POLLOUT"),
    (0x8, "POLLERR"),
    (0x10, "POLLHUP"),
    (0x20, "POLLNVAL"),
    (0x40, "POLLRDNORM"),
    (0x80, "POLLRDBAND"),
    (0x100, "POLLWRNORM"),
    (0x200, "POLLWRBAND"),
    (0x400, "POLLMSG"),
    (0x1000, "POLLREMOVE"),
    (0x2000, "POLLRDHUP"),
];

/// `struct pollfd` array entries `(fd, events, revents)`: the request
/// `[{fd=3, events=POLLIN}, {fd=-1}]`, or with `revents` the answer, listing only
/// the entries with something to report (`[{fd=3, revents=POLLIN|POLLHUP}]`).
pub fn pollfds(fds: &[(i32, u16, u16)], revents: bool) -> String {
    let parts: Vec<String> = fds
        .iter()
        .filter(|e| !revents || e.2 != 0)
        .map(|&(fd, ev, rev)| {
            if revents {
                format!(
                    "{{fd={fd}, revents={}}}",
                    flags(rev as u64, POLL_EVENTS, "0")
                )
            } else if fd < 0 {
                format!("{{fd={fd}}}")
            } else {
                format!("{{fd={fd}, events={}}}", flags(ev as u64, POLL_EVENTS, "0"))
            }
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// The descriptors below `n` in an fd_set (bytes of 64-bit words): `[3 4]`.
pub fn fd_set(words: &[u8], n: u32) -> String {
    let fds: Vec<String> = (0..n)
        .filter(|&i| {
            words
                .get((i / 8) as usize)
                .is_some_and(|b| b & (1 << (i % 8)) != 0)
        })
        .map(|i| i.to_string())
        .collect();
    format!("[{}]", fds.join(" "))
}

/// `sa_flags` in strace's order.
pub const SA_FLAGS: &[(u64, &str)] = &[
    (0x0400_0000, "SA_RESTORER"),
    (0x0800_0000, "SA_ONSTACK"),
    (0x1000_0000, "SA_RESTART"),
    (0x4000_0000, "SA_NODEFER"),
    (0x8000_0000, "SA_RESETHAND"),
    (4, "SA_SIGINFO"),
    (1, "SA_NOCLDSTOP"),
    (2, "SA_NOCLDWAIT"),
];

/// The kernel's `struct sigaction` (handler, flags, restorer, mask): `{sa_handler=...,
/// sa_mask=[...], sa_flags=..., sa_restorer=...}` (the restorer only with
/// SA_RESTORER, as strace).
pub fn sigaction(handler: u64, fl: u64, restorer: u64, mask: u64) -> String {
    let h = match handler {
        0 => "SIG_DFL".to_string(),
        1 => "SIG_IGN".to_string(),
        h => format!("{h:#x}"),
    };
    let mut s = format!(
        "{{sa_handler={h}, sa_mask={}, sa_flags={}",
        sigset(mask, 64),
        flags(fl & 0xffff_ffff, SA_FLAGS, "0")
    );
    if fl & 0x0400_0000 != 0 {
        s.push_str(&format!(", sa_restorer={}", ptr(restorer)));
    }
    s.push('}');
    s
}

/// `stack_t`: `{ss_sp=0x..., ss_flags=SS_ONSTACK, ss_size=8192}`.
pub fn stack_t(sp: u64, fl: u32, size: u64) -> String {
    format!(
        "{{ss_sp={}, ss_flags={}, ss_size={size}}}",
        ptr(sp),
        flags(
            fl as u64,
            &[
                (1, "SS_ONSTACK"),
                (2, "SS_DISABLE"),
                (1 << 31, "SS_AUTODISARM")
            ],
            "0"
        )
    )
}

/// A file descriptor, where `AT_FDCWD` is meaningful.
pub fn dirfd(v: u64) -> String {
    if v as i32 == -100 {
        "AT_FDCWD".into()
    } else {
        format!("{}", v as i32)
    }
}

pub const OPEN_FLAGS: &[(u64, &str)] = &[
    (0o100, "O_CREAT"),
    (0o200, "O_EXCL"),
    (0o400, "O_NOCTTY"),
    (0o1000, "O_TRUNC"),
    (0o2000, "O_APPEND"),
    (0o4000, "O_NONBLOCK"),
    (0o4010000, "O_SYNC"),
    (0o10000, "O_DSYNC"),
    (0o20000, "O_ASYNC"),
    (0o40000, "O_DIRECT"),
    (0o200000, "O_DIRECTORY"),
    (0o400000, "O_NOFOLLOW"),
    (0o1000000, "O_NOATIME"),
    (0o2000000, "O_CLOEXEC"),
    (0o20200000, "O_TMPFILE"),
    (0o10000000, "O_PATH"),
    (0o100000, "O_LARGEFILE"),
];

/// open(2) flags: the access mode, then the rest.
pub fn open_flags(v: u64) -> String {
    let acc = match v & 3 {
        0 => "O_RDONLY",
        1 => "O_WRONLY",
        2 => "O_RDWR",
        _ => "O_ACCMODE",
    };
    let rest = v & !3;
    if rest == 0 {
        acc.into()
    } else {
        format!("{acc}|{}", flags(rest, OPEN_FLAGS, "0"))
    }
}

pub const PROT: &[(u64, &str)] = &[
    (1, "PROT_READ"),
    (2, "PROT_WRITE"),
    (4, "PROT_EXEC"),
    (0x0100_0000, "PROT_GROWSDOWN"),
    (0x0200_0000, "PROT_GROWSUP"),
];

pub const MAP_FLAGS: &[(u64, &str)] = &[
    (0x10, "MAP_FIXED"),
    (0x20, "MAP_ANONYMOUS"),
    (0x40, "MAP_32BIT"),
    (0x100, "MAP_GROWSDOWN"),
    (0x800, "MAP_DENYWRITE"),
    (0x1000, "MAP_EXECUTABLE"),
    (0x2000, "MAP_LOCKED"),
    (0x4000, "MAP_NORESERVE"),
    (0x8000, "MAP_POPULATE"),
    (0x10000, "MAP_NONBLOCK"),
    (0x20000, "MAP_STACK"),
    (0x40000, "MAP_HUGETLB"),
    (0x100000, "MAP_FIXED_NOREPLACE"),
];

/// mmap(2) flags: the mapping type, then the rest.
pub fn map_flags(v: u64) -> String {
    let ty = match v & 0xf {
        1 => "MAP_SHARED",
        2 => "MAP_PRIVATE",
        3 => "MAP_SHARED_VALIDATE",
        _ => "",
    };
    let rest = v & !0xf;
    let other = v & 0xf & if ty.is_empty() { 0xf } else { 0 };
    let mut parts = Vec::new();
    if !ty.is_empty() {
        parts.push(ty.to_string());
    }
    if rest != 0 {
        parts.push(flags(rest, MAP_FLAGS, "0"));
    }
    if other != 0 {
        parts.push(format!("{other:#x}"));
    }
    if parts.is_empty() {
        "0".into()
    } else {
        parts.join("|")
    }
}

pub const MREMAP_FLAGS: &[(u64, &str)] = &[
    (1, "MREMAP_MAYMOVE"),
    (2, "MREMAP_FIXED"),
    (4, "MREMAP_DONTUNMAP"),
];

pub const AT_FLAGS: &[(u64, &str)] = &[
    (0x100, "AT_SYMLINK_NOFOLLOW"),
    (0x200, "AT_REMOVEDIR"),
    (0x400, "AT_SYMLINK_FOLLOW"),
    (0x800, "AT_NO_AUTOMOUNT"),
    (0x1000, "AT_EMPTY_PATH"),
    (0x2000, "AT_STATX_FORCE_SYNC"),
    (0x4000, "AT_STATX_DONT_SYNC"),
];

/// AT_* flags; zero is AT_STATX_SYNC_AS_STAT for statx, else 0.
pub fn at_flags(v: u64, zero: &str) -> String {
    flags(v, AT_FLAGS, zero)
}

pub const CLONE_FLAGS: &[(u64, &str)] = &[
    (0x100, "CLONE_VM"),
    (0x200, "CLONE_FS"),
    (0x400, "CLONE_FILES"),
    (0x800, "CLONE_SIGHAND"),
    (0x1000, "CLONE_PIDFD"),
    (0x2000, "CLONE_PTRACE"),
    (0x4000, "CLONE_VFORK"),
    (0x8000, "CLONE_PARENT"),
    (0x10000, "CLONE_THREAD"),
    (0x20000, "CLONE_NEWNS"),
    (0x40000, "CLONE_SYSVSEM"),
    (0x80000, "CLONE_SETTLS"),
    (0x100000, "CLONE_PARENT_SETTID"),
    (0x200000, "CLONE_CHILD_CLEARTID"),
    (0x400000, "CLONE_DETACHED"),
    (0x800000, "CLONE_UNTRACED"),
    (0x1000000, "CLONE_CHILD_SETTID"),
    (0x2000000, "CLONE_NEWCGROUP"),
    (0x4000000, "CLONE_NEWUTS"),
    (0x8000000, "CLONE_NEWIPC"),
    (0x10000000, "CLONE_NEWUSER"),
    (0x20000000, "CLONE_NEWPID"),
    (0x40000000, "CLONE_NEWNET"),
    (0x80000000, "CLONE_IO"),
];

/// clone(2) flags: the flags, then the exit signal in the low byte.
pub fn clone_flags(v: u64) -> String {
    let sig = v & 0xff;
    let f = flags(v & !0xff, CLONE_FLAGS, "");
    match (f.is_empty(), sig) {
        (true, 0) => "0".into(),
        (true, s) => signal(s),
        (false, 0) => f,
        (false, s) => format!("{f}|{}", signal(s)),
    }
}

pub const WAIT_OPTIONS: &[(u64, &str)] = &[
    (1, "WNOHANG"),
    (2, "WUNTRACED"),
    (4, "WEXITED"),
    (8, "WCONTINUED"),
    (0x0100_0000, "WNOWAIT"),
    (0x2000_0000, "__WNOTHREAD"),
    (0x4000_0000, "__WALL"),
    (0x8000_0000, "__WCLONE"),
];

pub const FCNTL_CMDS: &[(u64, &str)] = &[
    (0, "F_DUPFD"),
    (1, "F_GETFD"),
    (2, "F_SETFD"),
    (3, "F_GETFL"),
    (4, "F_SETFL"),
    (5, "F_GETLK"),
    (6, "F_SETLK"),
    (7, "F_SETLKW"),
    (8, "F_SETOWN"),
    (9, "F_GETOWN"),
    (1030, "F_DUPFD_CLOEXEC"),
    (1031, "F_SETPIPE_SZ"),
    (1032, "F_GETPIPE_SZ"),
    (1033, "F_ADD_SEALS"),
    (1034, "F_GET_SEALS"),
];

/// (strace names the TCSETS* numbers with the OSS sequencer requests that share
/// them.)
pub const IOCTLS: &[(u64, &str)] = &[
    (0x5401, "TCGETS"),
    (0x5402, "SNDCTL_TMR_START or TCSETS"),
    (0x5403, "SNDCTL_TMR_STOP or TCSETSW"),
    (0x5404, "SNDCTL_TMR_CONTINUE or TCSETSF"),
    (0x540f, "TIOCGPGRP"),
    (0x5410, "TIOCSPGRP"),
    (0x5413, "TIOCGWINSZ"),
    (0x5414, "TIOCSWINSZ"),
    (0x541b, "FIONREAD"),
    (0x5421, "FIONBIO"),
    (0x5451, "FIOCLEX"),
    (0x5450, "FIONCLEX"),
];

/// An ioctl request puffer has no name for, as strace spells out its fields:
/// `_IOC(_IOC_READ, 0x54, 0x99, 0x4)`.
pub fn ioctl_request(v: u64) -> String {
    if let Some(&(_, name)) = IOCTLS.iter().find(|&&(n, _)| n == v) {
        return name.into();
    }
    let dir = match (v >> 30) & 3 {
        0 => "_IOC_NONE",
        1 => "_IOC_WRITE",
        2 => "_IOC_READ",
        _ => "_IOC_READ|_IOC_WRITE",
    };
    format!(
        "_IOC({dir}, {}, {}, {})",
        hex((v >> 8) & 0xff),
        hex(v & 0xff),
        hex((v >> 16) & 0x3fff)
    )
}

const TERM_IFLAGS: &[(u64, &str)] = &[
    (0o1, "IGNBRK"),
    (0o2, "BRKINT"),
    (0o4, "IGNPAR"),
    (0o10, "PARMRK"),
    (0o20, "INPCK"),
    (0o40, "ISTRIP"),
    (0o100, "INLCR"),
    (0o200, "IGNCR"),
    (0o400, "ICRNL"),
    (0o1000, "IUCLC"),
    (0o2000, "IXON"),
    (0o4000, "IXANY"),
    (0o10000, "IXOFF"),
    (0o20000, "IMAXBEL"),
    (0o40000, "IUTF8"),
];

const TERM_OFLAGS: &[(u64, &str)] = &[
    (0o1, "OPOST"),
    (0o2, "OLCUC"),
    (0o4, "ONLCR"),
    (0o10, "OCRNL"),
    (0o20, "ONOCR"),
    (0o40, "ONLRET"),
    (0o100, "OFILL"),
    (0o200, "OFDEL"),
];

/// c_oflag's delay fields: mask and the names of their values.
const TERM_ODELAYS: &[(u64, &[&str])] = &[
    (0o400, &["NL0", "NL1"]),
    (0o3000, &["CR0", "CR1", "CR2", "CR3"]),
    (0o14000, &["TAB0", "TAB1", "TAB2", "XTABS"]),
    (0o20000, &["BS0", "BS1"]),
    (0o40000, &["VT0", "VT1"]),
    (0o100000, &["FF0", "FF1"]),
];

const TERM_CFLAGS: &[(u64, &str)] = &[
    (0o100, "CSTOPB"),
    (0o200, "CREAD"),
    (0o400, "PARENB"),
    (0o1000, "PARODD"),
    (0o2000, "HUPCL"),
    (0o4000, "CLOCAL"),
    (0o10000000000, "CMSPAR"),
    (0o20000000000, "CRTSCTS"),
];

/// In strace's order, which is not the bits' (IEXTEN and TOSTOP move).
const TERM_LFLAGS: &[(u64, &str)] = &[
    (0o1, "ISIG"),
    (0o2, "ICANON"),
    (0o4, "XCASE"),
    (0o10, "ECHO"),
    (0o20, "ECHOE"),
    (0o40, "ECHOK"),
    (0o100, "ECHONL"),
    (0o200, "NOFLSH"),
    (0o100000, "IEXTEN"),
    (0o1000, "ECHOCTL"),
    (0o2000, "ECHOPRT"),
    (0o4000, "ECHOKE"),
    (0o10000, "FLUSHO"),
    (0o40000, "PENDIN"),
    (0o400, "TOSTOP"),
    (0o200000, "EXTPROC"),
];

const BAUDS: &[&str] = &[
    "B0", "B50", "B75", "B110", "B134", "B150", "B200", "B300", "B600", "B1200", "B1800", "B2400",
    "B4800", "B9600", "B19200", "B38400",
];
const BAUDS_HIGH: &[&str] = &[
    "BOTHER", "B57600", "B115200", "B230400", "B460800", "B500000", "B576000", "B921600",
    "B1000000", "B1152000", "B1500000", "B2000000", "B2500000", "B3000000", "B3500000", "B4000000",
];

/// A CBAUD value (0o10017 bits): `B38400`.
fn baud(v: u64) -> String {
    let low = (v & 0o17) as usize;
    if v & 0o10000 != 0 {
        BAUDS_HIGH[low].into()
    } else {
        BAUDS[low].into()
    }
}

/// The kernel's struct termios (TCGETS, TCSETS*), as strace prints it without
/// -v: the four flag words, then `...` for c_line and c_cc.
pub fn termios(b: &[u8]) -> String {
    let w = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as u64;
    let (iflag, oflag, cflag, lflag) = (w(0), w(4), w(8), w(12));
    let mut o = String::new();
    let mut rest = oflag;
    for &(mask, names) in TERM_ODELAYS {
        let shift = mask.trailing_zeros();
        o.push_str(names[((oflag & mask) >> shift) as usize]);
        o.push('|');
        rest &= !mask;
    }
    o.push_str(&flags(rest, TERM_OFLAGS, ""));
    let mut c = baud(cflag & 0o10017);
    c.push('|');
    let ibaud = (cflag & 0o2003600000) >> 16;
    if ibaud != 0 {
        c.push_str(&baud(ibaud));
        c.push_str("<<IBSHIFT|");
    }
    c.push_str(["CS5", "CS6", "CS7", "CS8"][((cflag >> 4) & 3) as usize]);
    c.push('|');
    c.push_str(&flags(
        cflag & !(0o10017 | 0o2003600000 | 0o60),
        TERM_CFLAGS,
        "",
    ));
    format!(
        "{{c_iflag={}, c_oflag={o}, c_cflag={c}, c_lflag={}, ...}}",
        flags(iflag, TERM_IFLAGS, ""),
        flags(lflag, TERM_LFLAGS, "")
    )
}

/// struct winsize (TIOCGWINSZ, TIOCSWINSZ).
pub fn winsize(b: &[u8]) -> String {
    let h = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
    format!(
        "{{ws_row={}, ws_col={}, ws_xpixel={}, ws_ypixel={}}}",
        h(0),
        h(2),
        h(4),
        h(6)
    )
}

pub const CLOCKS: &[(u64, &str)] = &[
    (0, "CLOCK_REALTIME"),
    (1, "CLOCK_MONOTONIC"),
    (2, "CLOCK_PROCESS_CPUTIME_ID"),
    (3, "CLOCK_THREAD_CPUTIME_ID"),
    (4, "CLOCK_MONOTONIC_RAW"),
    (5, "CLOCK_REALTIME_COARSE"),
    (6, "CLOCK_MONOTONIC_COARSE"),
    (7, "CLOCK_BOOTTIME"),
    (8, "CLOCK_REALTIME_ALARM"),
    (9, "CLOCK_BOOTTIME_ALARM"),
    (11, "CLOCK_TAI"),
];

pub const ARCH_PRCTL: &[(u64, &str)] = &[
    (0x1001, "ARCH_SET_GS"),
    (0x1002, "ARCH_SET_FS"),
    (0x1003, "ARCH_GET_FS"),
    (0x1004, "ARCH_GET_GS"),
    (0x1011, "ARCH_GET_CPUID"),
    (0x1012, "ARCH_SET_CPUID"),
    (0x3001, "ARCH_CET_STATUS"),
];

pub const MADVISE: &[(u64, &str)] = &[
    (0, "MADV_NORMAL"),
    (1, "MADV_RANDOM"),
    (2, "MADV_SEQUENTIAL"),
    (3, "MADV_WILLNEED"),
    (4, "MADV_DONTNEED"),
    (8, "MADV_FREE"),
    (9, "MADV_REMOVE"),
    (10, "MADV_DONTFORK"),
    (11, "MADV_DOFORK"),
    (12, "MADV_MERGEABLE"),
    (13, "MADV_UNMERGEABLE"),
    (14, "MADV_HUGEPAGE"),
    (15, "MADV_NOHUGEPAGE"),
    (16, "MADV_DONTDUMP"),
    (17, "MADV_DODUMP"),
    (18, "MADV_WIPEONFORK"),
    (19, "MADV_KEEPONFORK"),
    (20, "MADV_COLD"),
    (21, "MADV_PAGEOUT"),
];

pub const WHENCE: &[(u64, &str)] = &[
    (0, "SEEK_SET"),
    (1, "SEEK_CUR"),
    (2, "SEEK_END"),
    (3, "SEEK_DATA"),
    (4, "SEEK_HOLE"),
];

/// access(2) modes.
pub fn access_mode(v: u64) -> String {
    flags(v, &[(4, "R_OK"), (2, "W_OK"), (1, "X_OK")], "F_OK")
}

pub const RLIMITS: &[(u64, &str)] = &[
    (0, "RLIMIT_CPU"),
    (1, "RLIMIT_FSIZE"),
    (2, "RLIMIT_DATA"),
    (3, "RLIMIT_STACK"),
    (4, "RLIMIT_CORE"),
    (5, "RLIMIT_RSS"),
    (6, "RLIMIT_NPROC"),
    (7, "RLIMIT_NOFILE"),
    (8, "RLIMIT_MEMLOCK"),
    (9, "RLIMIT_AS"),
    (10, "RLIMIT_LOCKS"),
    (11, "RLIMIT_SIGPENDING"),
    (12, "RLIMIT_MSGQUEUE"),
    (13, "RLIMIT_NICE"),
    (14, "RLIMIT_RTPRIO"),
    (15, "RLIMIT_RTTIME"),
];

/// One rlimit value: `RLIM64_INFINITY`, `8192*1024`, or the number.
pub fn rlim(v: u64) -> String {
    if v == u64::MAX {
        "RLIM64_INFINITY".into()
    } else if v > 0 && v.is_multiple_of(1024) {
        format!("{}*1024", v / 1024)
    } else {
        format!("{v}")
    }
}

pub const FUTEX_OPS: &[(u64, &str)] = &[
    (0, "FUTEX_WAIT"),
    (1, "FUTEX_WAKE"),
    (2, "FUTEX_FD"),
    (3, "FUTEX_REQUEUE"),
    (4, "FUTEX_CMP_REQUEUE"),
    (5, "FUTEX_WAKE_OP"),
    (6, "FUTEX_LOCK_PI"),
    (7, "FUTEX_UNLOCK_PI"),
    (8, "FUTEX_TRYLOCK_PI"),
    (9, "FUTEX_WAIT_BITSET"),
    (10, "FUTEX_WAKE_BITSET"),
];

/// futex(2) op: the command with `_PRIVATE` and `FUTEX_CLOCK_REALTIME|`.
pub fn futex_op(v: u64) -> String {
    let cmd = xlat(v & 0x7f, FUTEX_OPS, false);
    let mut s = String::new();
    if v & 256 != 0 {
        s.push_str("FUTEX_CLOCK_REALTIME|");
    }
    s.push_str(&cmd);
    if v & 128 != 0 {
        s.push_str("_PRIVATE");
    }
    s
}

pub const PRCTL: &[(u64, &str)] = &[
    (1, "PR_SET_PDEATHSIG"),
    (2, "PR_GET_PDEATHSIG"),
    (3, "PR_GET_DUMPABLE"),
    (4, "PR_SET_DUMPABLE"),
    (15, "PR_SET_NAME"),
    (16, "PR_GET_NAME"),
    (36, "PR_SET_CHILD_SUBREAPER"),
    (37, "PR_GET_CHILD_SUBREAPER"),
    (38, "PR_SET_NO_NEW_PRIVS"),
    (39, "PR_GET_NO_NEW_PRIVS"),
    (0x53564d41, "PR_SET_VMA"),
];

pub const GRND: &[(u64, &str)] = &[
    (1, "GRND_NONBLOCK"),
    (2, "GRND_RANDOM"),
    (4, "GRND_INSECURE"),
];

pub const RENAME_FLAGS: &[(u64, &str)] = &[
    (1, "RENAME_NOREPLACE"),
    (2, "RENAME_EXCHANGE"),
    (4, "RENAME_WHITEOUT"),
];

pub const STATX_MASK: &[(u64, &str)] = &[
    (0x7ff, "STATX_BASIC_STATS"),
    (0x800, "STATX_BTIME"),
    (0x1000, "STATX_MNT_ID"),
    (0x2000, "STATX_DIOALIGN"),
    (0x1, "STATX_TYPE"),
    (0x2, "STATX_MODE"),
    (0x4, "STATX_NLINK"),
    (0x8, "STATX_UID"),
    (0x10, "STATX_GID"),
    (0x20, "STATX_ATIME"),
    (0x40, "STATX_MTIME"),
    (0x80, "STATX_CTIME"),
    (0x100, "STATX_INO"),
    (0x200, "STATX_SIZE"),
    (0x400, "STATX_BLOCKS"),
];

pub const FD_FLAGS: &[(u64, &str)] = &[(1, "FD_CLOEXEC")];

pub const WAITID_TYPES: &[(u64, &str)] =
    &[(0, "P_ALL"), (1, "P_PID"), (2, "P_PGID"), (3, "P_PIDFD")];

/// A wait status word as strace shows it: `[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]`.
pub fn wait_status(s: i32) -> String {
    let sig = s & 0x7f;
    if sig == 0 {
        format!(
            "[{{WIFEXITED(s) && WEXITSTATUS(s) == {}}}]",
            (s >> 8) & 0xff
        )
    } else if sig == 0x7f {
        format!(
            "[{{WIFSTOPPED(s) && WSTOPSIG(s) == {}}}]",
            signal(((s >> 8) & 0xff) as u64)
        )
    } else {
        let core = if s & 0x80 != 0 {
            " && WCOREDUMP(s)"
        } else {
            ""
        };
        format!(
            "[{{WIFSIGNALED(s) && WTERMSIG(s) == {}{core}}}]",
            signal(sig as u64)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_and_truncate() {
        assert_eq!(quote(b"hello\n", false, false), "\"hello\\n\"");
        assert_eq!(quote(b"a\"b\\c\t", false, false), "\"a\\\"b\\\\c\\t\"");
        assert_eq!(quote(b"\x00\x01x", false, false), "\"\\0\\1x\"");
        assert_eq!(quote(b"\x001", false, false), "\"\\0001\"");
        assert_eq!(quote(b"\xff", false, false), "\"\\377\"");
        assert_eq!(quote(b"\x5c\xed", false, true), "\"\\x5c\\xed\"");
        let long = b"root:x:0:0:root:/root:/bin/bash\nmore";
        assert_eq!(
            quote_buf(long, false),
            "\"root:x:0:0:root:/root:/bin/bash\\n\"..."
        );
        assert_eq!(
            quote_buf(b"0123456789abcdef0123456789abcdef", false).len(),
            34
        );
    }

    #[test]
    fn flag_sets() {
        assert_eq!(open_flags(0o2000000), "O_RDONLY|O_CLOEXEC");
        assert_eq!(open_flags(0o302), "O_RDWR|O_CREAT|O_EXCL");
        assert_eq!(flags(3, PROT, "PROT_NONE"), "PROT_READ|PROT_WRITE");
        assert_eq!(flags(0, PROT, "PROT_NONE"), "PROT_NONE");
        assert_eq!(flags(0x11, PROT, "PROT_NONE"), "PROT_READ|0x10");
        assert_eq!(map_flags(0x22), "MAP_PRIVATE|MAP_ANONYMOUS");
        assert_eq!(
            clone_flags(0x01200011),
            "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD"
        );
        assert_eq!(access_mode(0), "F_OK");
        assert_eq!(access_mode(6), "R_OK|W_OK");
        assert_eq!(xlat(0x1002, ARCH_PRCTL, true), "ARCH_SET_FS");
        assert_eq!(xlat(0x5413, IOCTLS, true), "TIOCGWINSZ");
        assert_eq!(xlat(0x9999, IOCTLS, true), "0x9999");
        // As native strace 6 prints them (its decoding of TCSETS on /dev/null).
        assert_eq!(ioctl_request(0x1234), "_IOC(_IOC_NONE, 0x12, 0x34, 0)");
        assert_eq!(ioctl_request(0x5402), "SNDCTL_TMR_START or TCSETS");
        let t = |i: u32, o: u32, c: u32, l: u32| {
            let mut b = Vec::new();
            for v in [i, o, c, l] {
                b.extend_from_slice(&v.to_le_bytes());
            }
            termios(&b)
        };
        assert_eq!(
            t(0o2400, 0o5, 0o277, 0o105073),
            "{c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, ...}"
        );
        assert_eq!(
            t(0, 0, 0, 0),
            "{c_iflag=, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|, c_cflag=B0|CS5|, c_lflag=, ...}"
        );
        assert_eq!(
            t(u32::MAX, u32::MAX, u32::MAX, u32::MAX),
            "{c_iflag=IGNBRK|BRKINT|IGNPAR|PARMRK|INPCK|ISTRIP|INLCR|IGNCR|ICRNL|IUCLC|IXON|IXANY|IXOFF|IMAXBEL|IUTF8|0xffff8000, c_oflag=NL1|CR3|XTABS|BS1|VT1|FF1|OPOST|OLCUC|ONLCR|OCRNL|ONOCR|ONLRET|OFILL|OFDEL|0xffff0000, c_cflag=B4000000|B4000000<<IBSHIFT|CS8|CSTOPB|CREAD|PARENB|PARODD|HUPCL|CLOCAL|CMSPAR|CRTSCTS|0x2ff0e000, c_lflag=ISIG|ICANON|XCASE|ECHO|ECHOE|ECHOK|ECHONL|NOFLSH|IEXTEN|ECHOCTL|ECHOPRT|ECHOKE|FLUSHO|PENDIN|TOSTOP|EXTPROC|0xfffe2000, ...}"
        );
        assert_eq!(
            t(0, 0, 0x1ffff, 0),
            "{c_iflag=, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|, c_cflag=B4000000|B50<<IBSHIFT|CS8|CSTOPB|CREAD|PARENB|PARODD|HUPCL|CLOCAL|0xe000, c_lflag=, ...}"
        );
        assert_eq!(
            t(0, 0, 0x10000000, 0),
            "{c_iflag=, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|, c_cflag=B0|BOTHER<<IBSHIFT|CS5|, c_lflag=, ...}"
        );
        assert_eq!(
            t(0, 0o14005, 0, 0),
            "{c_iflag=, c_oflag=NL0|CR0|XTABS|BS0|VT0|FF0|OPOST|ONLCR, c_cflag=B0|CS5|, c_lflag=, ...}"
        );
        assert_eq!(futex_op(0x80 | 9), "FUTEX_WAIT_BITSET_PRIVATE");
        assert_eq!(file_mode(0o100644), "S_IFREG|0644");
        assert_eq!(rlim(8 << 20), "8192*1024");
        assert_eq!(rlim(u64::MAX), "RLIM64_INFINITY");
        assert_eq!(dirfd((-100i64) as u64), "AT_FDCWD");
        assert_eq!(signal(11), "SIGSEGV");
        assert_eq!(
            wait_status(0x300),
            "[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]"
        );
        assert_eq!(
            wait_status(9),
            "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]"
        );
    }

    #[test]
    fn results_and_alignment() {
        assert_eq!(result(Ok(3), false), "3");
        assert_eq!(result(Ok(0x7ffff7ff8000), true), "0x7ffff7ff8000");
        assert_eq!(
            result(Err(Errno::ENOENT), false),
            "-1 ENOENT (No such file or directory)"
        );
        let l = line(
            "write",
            &["1".into(), "\"hello\\n\"".into(), "6".into()],
            "6",
        );
        assert_eq!(l, "write(1, \"hello\\n\", 6)                  = 6");
        assert_eq!(l.find(" = ").unwrap(), 39);
        let long = line("x", &["a".repeat(50)], "0");
        assert!(long.ends_with(") = 0"));
    }

    /// Expected strings from Debian's strace 6 on the same addresses.
    #[test]
    fn socket_addresses() {
        let mut inet = vec![2, 0, 0, 9, 127, 0, 0, 1];
        inet.extend([0; 8]);
        assert_eq!(
            sockaddr(&inet),
            "{sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr(\"127.0.0.1\")}"
        );
        let mut in6 = vec![10, 0, 0x1f, 0x90, 0, 0, 0, 0];
        in6.extend([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2]);
        in6.extend([0; 4]);
        assert_eq!(
            sockaddr(&in6),
            "{sa_family=AF_INET6, sin6_port=htons(8080), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, \"fe80::1:2\", &sin6_addr), sin6_scope_id=0}"
        );
        let mut un = vec![1, 0];
        un.extend(b"/tmp/nosuch.sock");
        un.resize(110, 0);
        assert_eq!(
            sockaddr(&un),
            "{sa_family=AF_UNIX, sun_path=\"/tmp/nosuch.sock\"}"
        );
        assert_eq!(
            sockaddr(&un[..19]),
            "{sa_family=AF_UNIX, sun_path=\"/tmp/nosuch.sock\"}"
        );
        assert_eq!(
            sockaddr(&[1, 0, 0, b't', b'm', b'p', b'/']),
            "{sa_family=AF_UNIX, sun_path=@\"tmp/\"}"
        );
        assert_eq!(sockaddr(&[1, 0]), "{sa_family=AF_UNIX}");
        assert_eq!(sock_proto(2, 0), "IPPROTO_IP");
        assert_eq!(sock_proto(1, 0), "0");
    }

    #[test]
    fn signal_sets() {
        assert_eq!(sigset(0, 64), "[]");
        assert_eq!(sigset((1 << 9) | (1 << 11), 64), "[USR1 USR2]");
        assert_eq!(sigset(u64::MAX, 64), "~[]");
        assert_eq!(sigset(!((1 << 8) | (1 << 18)), 64), "~[KILL STOP]");
        assert_eq!(sigset(1 << 31 | 1 << 32, 64), "[RTMIN RT_1]");
        assert_eq!(
            sigaction(0x401c80, 0x0400_0004, 0x408ef0, 0),
            "{sa_handler=0x401c80, sa_mask=[], sa_flags=SA_RESTORER|SA_SIGINFO, sa_restorer=0x408ef0}"
        );
        assert_eq!(
            sigaction(0, 0, 0, 0),
            "{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}"
        );
    }

    #[test]
    fn polls_and_fd_sets() {
        assert_eq!(
            pollfds(&[(3, 1, 0), (-1, 0, 0), (4, 5, 4)], false),
            "[{fd=3, events=POLLIN}, {fd=-1}, {fd=4, events=POLLIN|POLLOUT}]"
        );
        assert_eq!(
            pollfds(&[(3, 1, 0), (4, 5, 0x14)], true),
            "[{fd=4, revents=POLLOUT|POLLHUP}]"
        );
        assert_eq!(fd_set(&[0x30, 0, 0, 0, 0, 0, 0, 0], 6), "[4 5]");
        assert_eq!(fd_set(&[0x30, 0, 0, 0, 0, 0, 0, 0], 5), "[4]");
    }

    #[test]
    fn sockets() {
        assert_eq!(sock_type(1), "SOCK_STREAM");
        assert_eq!(
            sock_type(1 | 0o2000000 | 0o4000),
            "SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK"
        );
        assert_eq!(flags(0x4000, MSG_FLAGS, "0"), "MSG_NOSIGNAL");
    }
}
