//! Sockets: socketpair(AF_UNIX) and the calls that work on a connected pair —
//! sendto/recvfrom (no addresses), sendmsg/recvmsg (data only, no ancillary data),
//! shutdown, getsockopt/setsockopt for the common options, getsockname/getpeername.
//! puffer has no network and no unix-domain name space, so socket(2) answers
//! EAFNOSUPPORT for every family, honestly, and bind/connect/listen/accept are not
//! implemented (ENOSYS).

use super::pipe::{stream_read, stream_write, RwOpts, UBuf};
use super::Args;
use crate::errno::{Errno, SysResult};
use crate::vfs::file::{O_NONBLOCK, O_RDWR};
use crate::vfs::pipe::PipeBuf;
use crate::vfs::socket::{SockEnd, AF_UNIX, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_SLOTS, SOCK_STREAM};
use crate::vfs::{File, FileKind, FileRef};
use crate::Kernel;

const SOCK_NONBLOCK: u32 = O_NONBLOCK;
const SOCK_CLOEXEC: u32 = 0o2000000;

const MSG_OOB: u64 = 1;
const MSG_PEEK: u64 = 2;
const MSG_TRUNC: u64 = 0x20;
const MSG_DONTWAIT: u64 = 0x40;
const MSG_WAITALL: u64 = 0x100;
const MSG_NOSIGNAL: u64 = 0x4000;
const MSG_CMSG_CLOEXEC: u64 = 0x4000_0000;

pub fn sys_socket(_k: &mut Kernel, a: &Args) -> SysResult {
    let ty = a[1] as u32 & !(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if a[0] >= 46 || ty == 0 || ty > 10 {
        return Err(Errno::EINVAL);
    }
    Err(Errno::EAFNOSUPPORT)
}

pub fn sys_socketpair(k: &mut Kernel, a: &Args) -> SysResult {
    let (domain, ty, proto, out) = (a[0], a[1] as u32, a[2], a[3]);
    let flags = ty & (SOCK_NONBLOCK | SOCK_CLOEXEC);
    let ty = ty & !(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if domain != AF_UNIX {
        return Err(if domain >= 46 {
            Errno::EAFNOSUPPORT
        } else {
            Errno::EOPNOTSUPP
        });
    }
    if !matches!(ty, SOCK_STREAM | SOCK_DGRAM | SOCK_SEQPACKET) {
        return Err(Errno::ESOCKTNOSUPPORT);
    }
    if proto != 0 {
        return Err(Errno::EPROTONOSUPPORT);
    }
    let now = k.realtime();
    let ab = PipeBuf::new_at(&k.io.waker, SOCK_SLOTS, now);
    let ba = PipeBuf::new_at(&k.io.waker, SOCK_SLOTS, now);
    let (x, y) = SockEnd::pair(ab, ba, ty);
    let st = O_RDWR | (flags & SOCK_NONBLOCK);
    let fx = File::new(FileKind::Socket(x), st, "");
    let fy = File::new(FileKind::Socket(y), st, "");
    k.install_pair(fx, fy, flags & SOCK_CLOEXEC != 0, out)
}

fn socket(k: &Kernel, fd: i32) -> Result<FileRef, Errno> {
    let f = k.file(fd)?;
    if !matches!(f.kind, FileKind::Socket(_)) {
        return Err(Errno::ENOTSOCK);
    }
    Ok(f)
}

fn opts(f: &File, flags: u64) -> RwOpts {
    RwOpts {
        nonblock: f.nonblocking() || flags & MSG_DONTWAIT != 0,
        peek: flags & MSG_PEEK != 0,
        waitall: flags & MSG_WAITALL != 0,
        nosignal: flags & MSG_NOSIGNAL != 0,
    }
}

fn check_send_flags(flags: u64) -> Result<(), Errno> {
    if flags & MSG_OOB != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    Ok(())
}

pub fn sys_sendto(k: &mut Kernel, a: &Args) -> SysResult {
    let (fd, buf, len, flags, addrlen) = (a[0] as i32, a[1], a[2], a[3], a[5]);
    let f = socket(k, fd)?;
    check_send_flags(flags)?;
    if a[4] != 0 && addrlen != 0 {
        // Every socket here is connected: an address is EISCONN.
        return Err(Errno::EISCONN);
    }
    stream_write(k, fd, &f, &UBuf::One(buf, len), opts(&f, flags))
}

pub fn sys_recvfrom(k: &mut Kernel, a: &Args) -> SysResult {
    let (fd, buf, len, flags, addr, addrlen) = (a[0] as i32, a[1], a[2], a[3], a[4], a[5]);
    let f = socket(k, fd)?;
    if flags & MSG_OOB != 0 {
        return Err(Errno::EINVAL);
    }
    let n = recv(k, fd, &f, &UBuf::One(buf, len), flags)?;
    if addr != 0 && addrlen != 0 {
        // The peer of a socketpair has no name: Linux leaves the address alone and
        // sets its length to 0.
        k.write_u32(addrlen, 0)?;
    }
    Ok(n)
}

/// Receive, honouring MSG_TRUNC on datagram sockets (the real length).
fn recv(k: &mut Kernel, fd: i32, f: &FileRef, ub: &UBuf, flags: u64) -> SysResult {
    let FileKind::Socket(s) = &f.kind else {
        return Err(Errno::ENOTSOCK);
    };
    let whole = if s.packet() && flags & MSG_TRUNC != 0 {
        match s.rx.peek(usize::MAX) {
            crate::vfs::pipe::ReadOutcome::Data(d) => Some(d.len() as u64),
            _ => None,
        }
    } else {
        None
    };
    let n = stream_read(k, fd, f, ub, opts(f, flags))?;
    Ok(whole.unwrap_or(n))
}

/// An unnamed AF_UNIX address: `sa_family` only, length 2.
fn write_unnamed(k: &mut Kernel, addr: u64, addrlen: u64) -> Result<(), Errno> {
    let cap = k.read_u32(addrlen)? as usize;
    let fam = (AF_UNIX as u16).to_le_bytes();
    k.copy_to_user(addr, &fam[..cap.min(2)])?;
    k.write_u32(addrlen, 2)
}

/// The iovecs and flags of a `struct msghdr`.
struct MsgHdr {
    iov: Vec<(u64, u64)>,
}

fn read_msghdr(k: &mut Kernel, addr: u64) -> Result<MsgHdr, Errno> {
    let b = k.read_vec(addr, 56)?;
    let u = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap_or_default());
    let (iov, iovlen) = (u(16), u(24));
    let iov = super::io::iovecs(k, iov, iovlen)?;
    Ok(MsgHdr { iov })
}

pub fn sys_sendmsg(k: &mut Kernel, a: &Args) -> SysResult {
    let (fd, msg, flags) = (a[0] as i32, a[1], a[2]);
    let f = socket(k, fd)?;
    check_send_flags(flags)?;
    let b = k.read_vec(msg, 56)?;
    let name = u64::from_le_bytes(b[0..8].try_into().unwrap_or_default());
    let namelen = u32::from_le_bytes(b[8..12].try_into().unwrap_or_default());
    let controllen = u64::from_le_bytes(b[40..48].try_into().unwrap_or_default());
    if name != 0 && namelen != 0 {
        return Err(Errno::EISCONN);
    }
    if controllen != 0 {
        // SCM_RIGHTS and SCM_CREDENTIALS are not implemented.
        return Err(Errno::EOPNOTSUPP);
    }
    let h = read_msghdr(k, msg)?;
    stream_write(k, fd, &f, &UBuf::Iov(h.iov), opts(&f, flags))
}

pub fn sys_recvmsg(k: &mut Kernel, a: &Args) -> SysResult {
    let (fd, msg, flags) = (a[0] as i32, a[1], a[2] & !MSG_CMSG_CLOEXEC);
    let f = socket(k, fd)?;
    if flags & MSG_OOB != 0 {
        return Err(Errno::EINVAL);
    }
    let h = read_msghdr(k, msg)?;
    let want = UBuf::Iov(h.iov.clone()).total();
    let FileKind::Socket(s) = &f.kind else {
        return Err(Errno::ENOTSOCK);
    };
    let whole = match s.rx.peek(usize::MAX) {
        crate::vfs::pipe::ReadOutcome::Data(d) if s.packet() => Some(d.len() as u64),
        _ => None,
    };
    let n = recv(k, fd, &f, &UBuf::Iov(h.iov), flags)?;
    // msg_namelen = 0 (unnamed peer), msg_controllen = 0, msg_flags.
    let b = k.read_vec(msg, 56)?;
    let name = u64::from_le_bytes(b[0..8].try_into().unwrap_or_default());
    if name != 0 {
        k.write_u32(msg + 8, 0)?;
    }
    k.write_u64(msg + 40, 0)?;
    let truncated = whole.is_some_and(|w| w > want);
    k.write_u32(msg + 48, if truncated { MSG_TRUNC as u32 } else { 0 })?;
    Ok(n)
}

pub fn sys_shutdown(k: &mut Kernel, a: &Args) -> SysResult {
    let f = socket(k, a[0] as i32)?;
    if a[1] > 2 {
        return Err(Errno::EINVAL);
    }
    if let FileKind::Socket(s) = &f.kind {
        s.shutdown(a[1]);
    }
    Ok(0)
}

const SOL_SOCKET: u64 = 1;
const SO_TYPE: u64 = 3;
const SO_ERROR: u64 = 4;
const SO_SNDBUF: u64 = 7;
const SO_RCVBUF: u64 = 8;
const SO_DOMAIN: u64 = 39;
const SO_ACCEPTCONN: u64 = 30;
const SO_PROTOCOL: u64 = 38;

pub fn sys_getsockopt(k: &mut Kernel, a: &Args) -> SysResult {
    let (fd, level, name, val, lenp) = (a[0] as i32, a[1], a[2], a[3], a[4]);
    let f = socket(k, fd)?;
    let FileKind::Socket(s) = &f.kind else {
        return Err(Errno::ENOTSOCK);
    };
    if level != SOL_SOCKET {
        return Err(Errno::ENOPROTOOPT);
    }
    let v: u32 = match name {
        SO_TYPE => s.ty,
        SO_ERROR | SO_ACCEPTCONN | SO_PROTOCOL => 0,
        SO_DOMAIN => AF_UNIX as u32,
        SO_SNDBUF | SO_RCVBUF => 212_992,
        _ => return Err(Errno::ENOPROTOOPT),
    };
    let len = k.read_u32(lenp)? as i32;
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    let n = (len as usize).min(4);
    k.copy_to_user(val, &v.to_le_bytes()[..n])?;
    k.write_u32(lenp, n as u32)?;
    Ok(0)
}

pub fn sys_setsockopt(k: &mut Kernel, a: &Args) -> SysResult {
    socket(k, a[0] as i32)?;
    if a[1] != SOL_SOCKET {
        return Err(Errno::ENOPROTOOPT);
    }
    // Buffer sizes and the like are accepted and have no effect.
    Ok(0)
}

pub fn sys_getsockname(k: &mut Kernel, a: &Args) -> SysResult {
    socket(k, a[0] as i32)?;
    write_unnamed(k, a[1], a[2])?;
    Ok(0)
}

pub fn sys_getpeername(k: &mut Kernel, a: &Args) -> SysResult {
    let f = socket(k, a[0] as i32)?;
    if let FileKind::Socket(s) = &f.kind {
        if s.send_shut() && s.rcv_shut() {
            return Err(Errno::ENOTCONN);
        }
    }
    write_unnamed(k, a[1], a[2])?;
    Ok(0)
}
