//! Waiting for readiness: poll, ppoll, select, pselect6.
//!
//! Each descriptor's mask comes from its file: pipes, sockets and eventfds from their
//! state, host streams (a terminal on stdin) from the host's poll(2) with timeout 0,
//! everything else is always readable and writable (Linux's DEFAULT_POLLMASK). When
//! nothing is ready and the timeout allows, the task registers with every object it
//! watches and sleeps (`Wait::Io` with the deadline); any change wakes it and the
//! syscall runs again, keeping its deadline in `restart_deadline`. On return select,
//! pselect6 and ppoll write the time left back, as Linux does.
//!
//! ppoll and pselect6 run with their signal mask argument in place of the caller's
//! (Linux's set_user_sigmask): a signal it unblocks interrupts the sleep (EINTR
//! after its handler ran, with the caller's mask back for the handler's return);
//! a call that completes puts the caller's mask back at once, so a signal that
//! arrived meanwhile but is blocked again stays pending (restore_saved_sigmask_unless).

use super::Args;
use crate::errno::{Errno, SysResult};
use crate::iowait::host_poll;
use crate::vfs::file::File;
use crate::vfs::pipe::{POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDNORM};
use crate::vfs::FileKind;
use crate::Kernel;

const NSEC: u128 = 1_000_000_000;

/// The events of `f` among `events` (POLLERR and POLLHUP always count).
fn file_events(f: &File, events: i16) -> i16 {
    match f.host_stream_fd() {
        Some(h) => host_poll(h, events),
        None => f.poll_mask() & (events | POLLERR | POLLHUP),
    }
}

/// Ask to be woken when `f` changes.
fn watch(k: &mut Kernel, f: &File, events: i16) {
    let tid = k.current;
    match &f.kind {
        FileKind::Pipe(e) => e.pipe.add_waiter(tid),
        FileKind::Socket(s) => {
            s.rx.add_waiter(tid);
            s.tx.add_waiter(tid);
        }
        FileKind::EventFd(e) => e.wq.add(tid),
        _ => {
            if let Some(h) = f.host_stream_fd() {
                k.io_wait_host(h, events);
            }
        }
    }
}

/// The deadline of this call: kept from the first attempt when restarted, else
/// `now + timeout` (None: wait forever).
fn deadline(k: &mut Kernel, timeout_ns: Option<u128>) -> Option<u128> {
    let now = k.mono_ns();
    let t = k.current_task_mut();
    match t.restart_deadline {
        Some(d) => Some(d),
        None => timeout_ns.map(|n| now.saturating_add(n)),
    }
}

/// Done: forget the deadline; the time left for the caller's timeout argument.
fn finish(k: &mut Kernel, dl: Option<u128>) -> u128 {
    k.current_task_mut().restart_deadline = None;
    dl.map_or(0, |d| d.saturating_sub(k.mono_ns()))
}

/// Nothing ready: sleep until a watched file changes or the deadline passes.
fn block(k: &mut Kernel, dl: Option<u128>) -> SysResult {
    k.current_task_mut().restart_deadline = dl;
    k.io_block(dl)
}

fn expired(k: &Kernel, dl: Option<u128>) -> bool {
    dl.is_some_and(|d| k.mono_ns() >= d)
}

/// Nothing is ready: does the call return 0 now? Only once the timeout expired, and
/// not if a signal is pending: Linux's do_poll and do_select check
/// signal_pending() before the timeout, so even a zero timeout gives EINTR (the
/// sleep registered instead is interrupted at once).
fn give_up(k: &Kernel, dl: Option<u128>) -> bool {
    expired(k, dl) && k.deliverable(k.current) == 0
}

/// poll over `(fd, events)`: the revents of each, or ERESTARTSYS after registering
/// to sleep.
fn do_poll(k: &mut Kernel, items: &[(i32, i16)], dl: Option<u128>) -> Result<Vec<i16>, Errno> {
    k.io_forget_host();
    let files = k.current_files();
    let mut rev = Vec::with_capacity(items.len());
    let mut ready = 0;
    for &(fd, ev) in items {
        let r = if fd < 0 {
            0
        } else {
            match files.borrow().get(fd) {
                Ok(f) => file_events(f, ev),
                Err(_) => POLLNVAL,
            }
        };
        if r != 0 {
            ready += 1;
        }
        rev.push(r);
    }
    if ready > 0 || give_up(k, dl) {
        return Ok(rev);
    }
    for &(fd, ev) in items {
        let f = files.borrow().get(fd).ok().cloned();
        if let Some(f) = f {
            watch(k, &f, ev);
        }
    }
    block(k, dl)?;
    Err(Errno::ERESTARTSYS)
}

fn read_pollfds(k: &mut Kernel, addr: u64, n: u64) -> Result<Vec<(i32, i16)>, Errno> {
    let nofile = k.nofile_limit().min(1 << 20);
    if n > nofile {
        return Err(Errno::EINVAL);
    }
    let raw = k.read_vec(addr, (n * 8) as usize)?;
    Ok(raw
        .chunks_exact(8)
        .map(|c| {
            (
                i32::from_le_bytes([c[0], c[1], c[2], c[3]]),
                i16::from_le_bytes([c[4], c[5]]),
            )
        })
        .collect())
}

fn write_revents(k: &mut Kernel, addr: u64, rev: &[i16]) -> SysResult {
    for (i, r) in rev.iter().enumerate() {
        k.copy_to_user(addr + i as u64 * 8 + 6, &r.to_le_bytes())?;
    }
    Ok(rev.iter().filter(|&&r| r != 0).count() as u64)
}

pub fn sys_poll(k: &mut Kernel, a: &Args) -> SysResult {
    let items = read_pollfds(k, a[0], a[1])?;
    let ms = a[2] as i32;
    let timeout = (ms >= 0).then(|| ms as u128 * 1_000_000);
    let dl = deadline(k, timeout);
    let rev = do_poll(k, &items, dl)?;
    finish(k, dl);
    write_revents(k, a[0], &rev)
}

/// A `struct timespec` argument: None for NULL; EINVAL when not normalised.
fn read_timespec(k: &mut Kernel, addr: u64) -> Result<Option<u128>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    let b = k.read_vec(addr, 16)?;
    let s = i64::from_le_bytes(b[..8].try_into().map_err(|_| Errno::EFAULT)?);
    let ns = i64::from_le_bytes(b[8..].try_into().map_err(|_| Errno::EFAULT)?);
    if s < 0 || !(0..1_000_000_000).contains(&ns) {
        return Err(Errno::EINVAL);
    }
    Ok(Some(s as u128 * NSEC + ns as u128))
}

fn write_timespec(k: &mut Kernel, addr: u64, ns: u128) -> Result<(), Errno> {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&((ns / NSEC) as i64).to_le_bytes());
    b[8..].copy_from_slice(&((ns % NSEC) as i64).to_le_bytes());
    k.copy_to_user(addr, &b)
}

/// Apply the signal mask at guest address `mask` (0: none) of `size` bytes for the
/// duration of the call (EINVAL unless the size is the kernel's sigset size).
fn apply_sigmask(k: &mut Kernel, mask: u64, size: u64) -> Result<(), Errno> {
    if mask == 0 {
        return Ok(());
    }
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let m = k.read_u64(mask)? & !crate::signal::UNBLOCKABLE;
    k.set_syscall_sigmask(m);
    Ok(())
}

/// The end of a call that may have applied a signal mask: unless it sleeps (or is
/// interrupted, which the signal code finishes), the caller's mask returns.
fn end_sigmask(k: &mut Kernel, r: SysResult) -> SysResult {
    if r != Err(Errno::ERESTARTSYS) {
        k.restore_syscall_sigmask();
    }
    r
}

pub fn sys_ppoll(k: &mut Kernel, a: &Args) -> SysResult {
    let r = ppoll(k, a);
    end_sigmask(k, r)
}

fn ppoll(k: &mut Kernel, a: &Args) -> SysResult {
    apply_sigmask(k, a[3], a[4])?;
    let items = read_pollfds(k, a[0], a[1])?;
    let timeout = read_timespec(k, a[2])?;
    let dl = deadline(k, timeout);
    let rev = do_poll(k, &items, dl)?;
    let left = finish(k, dl);
    let n = write_revents(k, a[0], &rev)?;
    if a[2] != 0 {
        write_timespec(k, a[2], left)?;
    }
    Ok(n)
}

// select's classes of events (Linux's POLLIN_SET, POLLOUT_SET, POLLEX_SET).
const IN_SET: i16 = POLLRDNORM | 0x80 | POLLIN | POLLHUP | POLLERR;
const OUT_SET: i16 = 0x200 | 0x100 | POLLOUT | POLLERR;
const EX_SET: i16 = POLLPRI;

/// select over the three fd_sets at `sets` (0: absent) for descriptors below `n`.
fn do_select(k: &mut Kernel, n: i32, sets: [u64; 3], dl: Option<u128>) -> SysResult {
    if n < 0 {
        return Err(Errno::EINVAL);
    }
    let n = (n as u64).min(k.nofile_limit().clamp(1024, 1 << 20)) as usize;
    let words = n.div_ceil(64);
    let mut inp = [vec![0u64; words], vec![0u64; words], vec![0u64; words]];
    for (i, &addr) in sets.iter().enumerate() {
        if addr != 0 && words > 0 {
            let raw = k.read_vec(addr, words * 8)?;
            for (w, c) in raw.chunks_exact(8).enumerate() {
                inp[i][w] = u64::from_le_bytes(c.try_into().map_err(|_| Errno::EFAULT)?);
            }
        }
    }
    k.io_forget_host();
    let files = k.current_files();
    let mut out = [vec![0u64; words], vec![0u64; words], vec![0u64; words]];
    let mut ready = 0u64;
    let mut watched = Vec::new();
    for fd in 0..n {
        let (w, bit) = (fd / 64, 1u64 << (fd % 64));
        let want = [
            inp[0][w] & bit != 0,
            inp[1][w] & bit != 0,
            inp[2][w] & bit != 0,
        ];
        if !want.iter().any(|&x| x) {
            continue;
        }
        let f = files.borrow().get(fd as i32).cloned()?;
        let mut ev = 0;
        if want[0] {
            ev |= POLLIN;
        }
        if want[1] {
            ev |= POLLOUT;
        }
        if want[2] {
            ev |= POLLPRI;
        }
        let m = file_events(&f, ev);
        for (i, class) in [IN_SET, OUT_SET, EX_SET].into_iter().enumerate() {
            if want[i] && m & class != 0 {
                out[i][w] |= bit;
                ready += 1;
            }
        }
        watched.push((f, ev));
    }
    if ready == 0 && !give_up(k, dl) {
        for (f, ev) in watched {
            watch(k, &f, ev);
        }
        return block(k, dl);
    }
    for (i, &addr) in sets.iter().enumerate() {
        if addr != 0 && words > 0 {
            let bytes: Vec<u8> = out[i].iter().flat_map(|w| w.to_le_bytes()).collect();
            k.copy_to_user(addr, &bytes)?;
        }
    }
    Ok(ready)
}

pub fn sys_select(k: &mut Kernel, a: &Args) -> SysResult {
    let timeout = if a[4] == 0 {
        None
    } else {
        let b = k.read_vec(a[4], 16)?;
        let s = i64::from_le_bytes(b[..8].try_into().map_err(|_| Errno::EFAULT)?);
        let us = i64::from_le_bytes(b[8..].try_into().map_err(|_| Errno::EFAULT)?);
        if s < 0 || !(0..1_000_000).contains(&us) {
            return Err(Errno::EINVAL);
        }
        Some(s as u128 * NSEC + us as u128 * 1000)
    };
    let dl = deadline(k, timeout);
    let r = do_select(k, a[0] as i32, [a[1], a[2], a[3]], dl);
    if r == Err(Errno::ERESTARTSYS) {
        return r;
    }
    let left = finish(k, dl);
    if a[4] != 0 {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&((left / NSEC) as i64).to_le_bytes());
        b[8..].copy_from_slice(&((left % NSEC / 1000) as i64).to_le_bytes());
        k.copy_to_user(a[4], &b)?;
    }
    r
}

pub fn sys_pselect6(k: &mut Kernel, a: &Args) -> SysResult {
    let r = pselect6(k, a);
    end_sigmask(k, r)
}

fn pselect6(k: &mut Kernel, a: &Args) -> SysResult {
    // The sixth argument points at { const sigset_t *ss; size_t ss_len }.
    if a[5] != 0 {
        let b = k.read_vec(a[5], 16)?;
        let mask = u64::from_le_bytes(b[..8].try_into().map_err(|_| Errno::EFAULT)?);
        let size = u64::from_le_bytes(b[8..].try_into().map_err(|_| Errno::EFAULT)?);
        apply_sigmask(k, mask, size)?;
    }
    let timeout = read_timespec(k, a[4])?;
    let dl = deadline(k, timeout);
    let r = do_select(k, a[0] as i32, [a[1], a[2], a[3]], dl);
    if r == Err(Errno::ERESTARTSYS) {
        return r;
    }
    let left = finish(k, dl);
    if a[4] != 0 {
        write_timespec(k, a[4], left)?;
    }
    r
}
