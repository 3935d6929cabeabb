//! ioctl: the descriptor-level requests (FIOCLEX, FIONCLEX, FIONBIO, FIONREAD), the
//! socket queue sizes, and the terminal requests on the host's terminals, passed
//! through with their argument copied in or out by size (never a guest pointer given
//! to the host). Anything that is not a terminal answers ENOTTY, as on Linux.
//!
//! The foreground process group is the guest's own (TIOCGPGRP/TIOCSPGRP): guest
//! process groups mean nothing to the host's terminal. The guest's first session has
//! puffer's controlling terminal as its own; any other terminal, or a process that
//! left that session (setsid), gets ENOTTY for them, as from a terminal that is not
//! the caller's controlling one on Linux.

use super::Args;
use crate::errno::{Errno, SysResult};
use crate::task::Pid;
use crate::vfs::file::O_NONBLOCK;
use crate::vfs::FileKind;
use crate::Kernel;

const TCGETS: u64 = 0x5401;
const TCSETS: u64 = 0x5402;
const TCSETSW: u64 = 0x5403;
const TCSETSF: u64 = 0x5404;
const TCSBRK: u64 = 0x5409;
const TCXONC: u64 = 0x540a;
const TCFLSH: u64 = 0x540b;
const TIOCGPGRP: u64 = 0x540f;
const TIOCSPGRP: u64 = 0x5410;
const TIOCOUTQ: u64 = 0x5411;
const TIOCGWINSZ: u64 = 0x5413;
const TIOCSWINSZ: u64 = 0x5414;
const FIONREAD: u64 = 0x541b;
const FIONBIO: u64 = 0x5421;
const TIOCGSID: u64 = 0x5429;
const FIONCLEX: u64 = 0x5450;
const FIOCLEX: u64 = 0x5451;

/// The size of the kernel's `struct termios` (c_iflag .. c_cc[19]).
const TERMIOS: usize = 36;

fn isatty(h: i32) -> bool {
    // SAFETY: isatty(3) on a descriptor puffer owns.
    unsafe { libc::isatty(h) == 1 }
}

/// Is host terminal `h` the current process's controlling terminal: puffer's own
/// (the host says the terminal belongs to puffer's session), with the process
/// still in the first process's session?
fn controlling(k: &Kernel, h: i32) -> bool {
    let mut sid: libc::pid_t = 0;
    // SAFETY: TIOCGSID writes one pid_t; getsid(0) has no arguments to check.
    let host = unsafe { libc::ioctl(h, libc::TIOCGSID, &mut sid) == 0 && sid == libc::getsid(0) };
    let me = k.current_task().tgid;
    let first = k.procs.get(&Pid(1)).map(|p| p.sid);
    host && k.procs.get(&me).map(|p| p.sid) == first
}

fn host_ioctl(h: i32, req: u64, buf: &mut [u8]) -> SysResult {
    // SAFETY: the request reads or writes at most `buf.len()` bytes, a buffer we own.
    let r = unsafe { libc::ioctl(h, req as _, buf.as_mut_ptr()) };
    if r < 0 {
        return Err(std::io::Error::last_os_error().into());
    }
    Ok(r as u64)
}

fn host_ioctl_int(h: i32, req: u64, arg: u64) -> SysResult {
    // SAFETY: these requests take an integer argument by value.
    let r = unsafe { libc::ioctl(h, req as _, arg as libc::c_ulong) };
    if r < 0 {
        return Err(std::io::Error::last_os_error().into());
    }
    Ok(r as u64)
}

pub fn sys_ioctl(k: &mut Kernel, a: &Args) -> SysResult {
    let (fd, req, arg) = (a[0] as i32, a[1], a[2]);
    let f = k.file(fd)?;
    match req {
        FIOCLEX | FIONCLEX => {
            k.current_files().borrow_mut().entry_mut(fd)?.cloexec = req == FIOCLEX;
            return Ok(0);
        }
        FIONBIO => {
            let on = k.read_u32(arg)? != 0;
            let fl = f.flags.get();
            f.flags.set(if on {
                fl | O_NONBLOCK
            } else {
                fl & !O_NONBLOCK
            });
            return Ok(0);
        }
        _ => {}
    }
    let queued = match &f.kind {
        FileKind::Pipe(p) if req == FIONREAD => Some(p.pipe.available()),
        FileKind::Socket(s) if req == FIONREAD => Some(s.rx.available()),
        FileKind::Socket(s) if req == TIOCOUTQ => Some(s.tx.available()),
        FileKind::Host(_) | FileKind::Synthetic(_) if req == FIONREAD => {
            Some(f.size()?.saturating_sub(f.offset.get()) as usize)
        }
        _ => None,
    };
    if let Some(n) = queued {
        k.write_u32(arg, n.min(i32::MAX as usize) as u32)?;
        return Ok(0);
    }
    let Some(h) = f.host_stream_fd() else {
        return Err(Errno::ENOTTY);
    };
    match req {
        TCGETS | TIOCGWINSZ | FIONREAD | TIOCOUTQ => {
            let size = match req {
                TCGETS => TERMIOS,
                TIOCGWINSZ => 8,
                _ => 4,
            };
            let mut buf = [0u8; 64];
            let r = host_ioctl(h, req, &mut buf)?;
            k.copy_to_user(arg, &buf[..size])?;
            Ok(r)
        }
        TCSETS | TCSETSW | TCSETSF | TIOCSWINSZ => {
            let size = if req == TIOCSWINSZ { 8 } else { TERMIOS };
            let mut buf = [0u8; 64];
            k.copy_from_user(arg, &mut buf[..size])?;
            host_ioctl(h, req, &mut buf)
        }
        TCSBRK | TCXONC | TCFLSH => host_ioctl_int(h, req, arg),
        TIOCGPGRP | TIOCSPGRP | TIOCGSID => {
            if !isatty(h) || !controlling(k, h) {
                return Err(Errno::ENOTTY);
            }
            match req {
                TIOCGPGRP => {
                    let pg = k.tty_pgrp();
                    k.write_u32(arg, pg.0 as u32)?;
                }
                TIOCGSID => {
                    let sid = k.procs.get(&Pid(1)).map_or(1, |p| p.sid.0);
                    k.write_u32(arg, sid as u32)?;
                }
                _ => {
                    let pg = k.read_u32(arg)? as i32;
                    if pg < 0 {
                        return Err(Errno::EINVAL);
                    }
                    let me = k.current_task().tgid;
                    let sid = k.procs.get(&me).map(|p| p.sid);
                    let exists = k
                        .procs
                        .values()
                        .any(|p| p.pgid == Pid(pg) && p.exit.is_none());
                    if !exists {
                        return Err(Errno::ESRCH);
                    }
                    if !k
                        .procs
                        .values()
                        .any(|p| p.pgid == Pid(pg) && Some(p.sid) == sid)
                    {
                        return Err(Errno::EPERM);
                    }
                    k.io.tty_pgrp = Some(Pid(pg));
                }
            }
            Ok(0)
        }
        _ => Err(Errno::ENOTTY),
    }
}

impl Kernel {
    /// The terminal's foreground process group: what TIOCSPGRP set, else the first
    /// process's group.
    fn tty_pgrp(&self) -> Pid {
        self.io
            .tty_pgrp
            .or_else(|| self.procs.get(&Pid(1)).map(|p| p.pgid))
            .unwrap_or(Pid(1))
    }
}
