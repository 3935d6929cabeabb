//! Random bytes for getrandom(2), /dev/urandom and AT_RANDOM: the host's, or a seeded
//! generator when the run must be reproducible.

use std::cell::Cell;

thread_local! {
    /// `Some(state)` when runs are deterministic (xorshift64* seeded by the user).
    static SEED: Cell<Option<u64>> = const { Cell::new(None) };
}

pub fn set_deterministic(seed: u64) {
    SEED.with(|s| s.set(Some(seed | 1)));
}

pub fn fill(buf: &mut [u8]) {
    if let Some(mut x) = SEED.with(|s| s.get()) {
        for b in buf.iter_mut() {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            *b = (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8;
        }
        SEED.with(|s| s.set(Some(x)));
        return;
    }
    let mut done = 0;
    while done < buf.len() {
        // SAFETY: getrandom(2) into a buffer we own.
        let n = unsafe { libc::getrandom(buf[done..].as_mut_ptr().cast(), buf.len() - done, 0) };
        if n <= 0 {
            break;
        }
        done += n as usize;
    }
}
