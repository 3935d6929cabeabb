//! futex(2).

use super::Args;
use crate::errno::{Errno, SysResult};
use crate::futex::*;
use crate::Kernel;

pub fn sys_futex(k: &mut Kernel, a: &Args) -> SysResult {
    let (addr, op, val, timeout, addr2, val3) = (a[0], a[1], a[2] as u32, a[3], a[4], a[5] as u32);
    let private = op & FUTEX_PRIVATE_FLAG != 0;
    let cmd = op & !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    match cmd {
        FUTEX_WAIT | FUTEX_WAIT_BITSET => {
            let deadline = if timeout != 0 && k.current_task().restart_deadline.is_none() {
                let b = k.read_vec(timeout, 16)?;
                let s = i64::from_le_bytes(b[..8].try_into().unwrap_or_default());
                let ns = i64::from_le_bytes(b[8..].try_into().unwrap_or_default());
                if s < 0 || !(0..1_000_000_000).contains(&ns) {
                    return Err(Errno::EINVAL);
                }
                let d = s as u128 * 1_000_000_000 + ns as u128;
                Some(if cmd == FUTEX_WAIT {
                    // Relative timeout.
                    k.mono_ns() + d
                } else if op & FUTEX_CLOCK_REALTIME != 0 {
                    // Absolute on CLOCK_REALTIME: convert to the monotonic clock.
                    let (rs, rns) = k.realtime();
                    let now_rt = rs as u128 * 1_000_000_000 + rns as u128;
                    k.mono_ns() + d.saturating_sub(now_rt)
                } else {
                    d
                })
            } else {
                None
            };
            let bits = if cmd == FUTEX_WAIT {
                FUTEX_BITSET_MATCH_ANY
            } else {
                val3
            };
            k.futex_wait(addr, val, bits, private, deadline)
        }
        FUTEX_WAKE | FUTEX_WAKE_BITSET => {
            let bits = if cmd == FUTEX_WAKE {
                FUTEX_BITSET_MATCH_ANY
            } else {
                val3
            };
            let n = k.futex_wake_bits(addr, val, bits, private)?;
            if n > 0 {
                k.yield_now();
            }
            Ok(n)
        }
        FUTEX_REQUEUE => k.futex_requeue(addr, val, timeout as u32, addr2, None, private),
        FUTEX_CMP_REQUEUE => k.futex_requeue(addr, val, timeout as u32, addr2, Some(val3), private),
        _ => Err(Errno::ENOSYS),
    }
}
