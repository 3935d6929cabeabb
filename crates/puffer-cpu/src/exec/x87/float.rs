//! Exact 80-bit extended-precision arithmetic on raw bit patterns, with the x87's
//! rules: precision control (24/53/64-bit significands with the 15-bit exponent
//! range kept), the four rounding modes, tininess detected after rounding, masked
//! and unmasked (bias-adjusted) overflow/underflow responses, the "rounded up" flag
//! that becomes C1, NaN propagation (Intel SDM Vol. 1, table 4-7), denormal and
//! unsupported (unnormal, pseudo-NaN, pseudo-infinity) operands.
//!
//! Every basic operation computes the exact result (or the exact result truncated
//! with a sticky bit) in 128-bit integers and rounds once, so results are correctly
//! rounded in every precision and rounding mode, as the hardware's are. The module
//! depends on nothing but `core`, which keeps it easy to test in isolation.

/// Exception flags, in status-word bit positions.
pub const IE: u8 = 0x01;
pub const DE: u8 = 0x02;
pub const ZE: u8 = 0x04;
pub const OE: u8 = 0x08;
pub const UE: u8 = 0x10;
pub const PE: u8 = 0x20;

/// The default QNaN ("real indefinite"): negative, quiet, zero payload.
pub const INDEFINITE: u128 = (0xffff << 64) | 0xc000_0000_0000_0000;
pub const SIGN: u128 = 1 << 79;
pub const EXT_EMIN: i32 = -16382;
pub const EXT_EMAX: i32 = 16383;
const BIAS: i32 = 16383;
/// Exponent adjustment of the unmasked overflow/underflow responses.
const BIAS_ADJUST: i32 = 24576;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rc {
    Nearest,
    Down,
    Up,
    Zero,
}

impl Rc {
    pub fn from_fcw(fcw: u16) -> Rc {
        match (fcw >> 10) & 3 {
            0 => Rc::Nearest,
            1 => Rc::Down,
            2 => Rc::Up,
            _ => Rc::Zero,
        }
    }
}

/// Whose choices to follow where the SDM leaves one open. puffer presents itself
/// as `GenuineIntel` (CPUID), so the CPU runs with [`Flavor::Intel`]; the AMD
/// choices are kept so the host differential test can check them on an AMD host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// An operation that hands back a denormal operand unchanged (FPREM by an
    /// infinity, FSCALE by zero) reports only DE, never an unmasked underflow.
    Intel,
    /// Such a pass-through is re-rounded like any result, so with UM unmasked it
    /// underflows and delivers the bias-adjusted value.
    #[cfg_attr(not(test), allow(dead_code))]
    Amd,
}

/// The rounding environment an operation runs in: rounding mode, result precision
/// (significand bits), the exception masks (FCW bits 0..5, 1 = masked) and the
/// vendor whose implementation-specific choices apply.
#[derive(Clone, Copy, Debug)]
pub struct Env {
    pub rc: Rc,
    pub prec: u32,
    pub masks: u8,
    pub flavor: Flavor,
}

impl Env {
    /// The environment of the operations precision control applies to.
    pub fn pc(fcw: u16) -> Env {
        let prec = match (fcw >> 8) & 3 {
            0 => 24,
            2 => 53,
            // 01 is reserved; it behaves as 64-bit precision.
            _ => 64,
        };
        Env {
            rc: Rc::from_fcw(fcw),
            prec,
            masks: fcw as u8 & 0x3f,
            flavor: Flavor::Intel,
        }
    }

    /// The environment of everything else: full 64-bit precision.
    pub fn full(fcw: u16) -> Env {
        Env {
            prec: 64,
            ..Env::pc(fcw)
        }
    }
}

/// A result: the 80-bit value, the exceptions raised, and whether rounding
/// increased the magnitude (the C1 "rounded up" indication).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Out {
    pub val: u128,
    pub flags: u8,
    pub up: bool,
}

impl Out {
    fn exact(val: u128) -> Out {
        Out {
            val,
            flags: 0,
            up: false,
        }
    }
    fn with(val: u128, flags: u8) -> Out {
        Out {
            val,
            flags,
            up: false,
        }
    }
    fn invalid() -> Out {
        Out::with(INDEFINITE, IE)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Zero,
    /// Exponent field 0 and a nonzero significand (pseudo-denormals included).
    Denormal,
    Normal,
    Infinity,
    QNaN,
    SNaN,
    /// Unnormals, pseudo-NaNs and pseudo-infinities: invalid operands since the 387.
    Unsupported,
}

#[inline]
pub fn exp_field(x: u128) -> u32 {
    ((x >> 64) & 0x7fff) as u32
}

#[inline]
pub fn is_neg(x: u128) -> bool {
    x & SIGN != 0
}

pub fn classify(x: u128) -> Class {
    let e = exp_field(x);
    let s = x as u64;
    if e == 0 {
        if s == 0 {
            Class::Zero
        } else {
            Class::Denormal
        }
    } else if s >> 63 == 0 {
        Class::Unsupported
    } else if e == 0x7fff {
        if s << 1 == 0 {
            Class::Infinity
        } else if s & (1 << 62) != 0 {
            Class::QNaN
        } else {
            Class::SNaN
        }
    } else {
        Class::Normal
    }
}

#[inline]
fn is_nan(c: Class) -> bool {
    matches!(c, Class::QNaN | Class::SNaN)
}

pub fn zero(neg: bool) -> u128 {
    if neg {
        SIGN
    } else {
        0
    }
}

pub fn inf(neg: bool) -> u128 {
    zero(neg) | (0x7fff << 64) | (1 << 63)
}

/// Make a NaN quiet.
pub fn quiet(x: u128) -> u128 {
    x | (1 << 62)
}

/// A finite nonzero value, normalized: `sig * 2^(exp - 63)` with bit 63 of `sig` set.
#[derive(Clone, Copy, Debug)]
pub struct Fin {
    pub neg: bool,
    pub exp: i32,
    pub sig: u64,
}

/// Unpack a Normal or Denormal value (normalizing denormals).
pub fn fin(x: u128) -> Fin {
    let e = exp_field(x) as i32;
    let s = x as u64;
    let exp = if e == 0 { EXT_EMIN } else { e - BIAS };
    // (A zero significand is never passed in; min() keeps the shift in range.)
    let lz = s.leading_zeros().min(63) as i32;
    Fin {
        neg: is_neg(x),
        exp: exp - lz,
        sig: s << lz,
    }
}

/// Discard the low `shift` bits of `m` (plus a sticky bit below them) and round.
/// Returns the rounded kept bits, whether anything nonzero was discarded, and
/// whether the kept bits were incremented.
fn rnd(m: u128, sticky: bool, shift: u32, neg: bool, rc: Rc) -> (u128, bool, bool) {
    let (keep, half, rest) = if shift == 0 {
        (m, false, sticky)
    } else if shift < 128 {
        (
            m >> shift,
            (m >> (shift - 1)) & 1 != 0,
            m & ((1u128 << (shift - 1)) - 1) != 0 || sticky,
        )
    } else if shift == 128 {
        (0, m >> 127 != 0, m << 1 != 0 || sticky)
    } else {
        (0, false, m != 0 || sticky)
    };
    let inexact = half || rest;
    let inc = match rc {
        Rc::Nearest => half && (rest || keep & 1 == 1),
        Rc::Up => inexact && !neg,
        Rc::Down => inexact && neg,
        Rc::Zero => false,
    };
    (keep + inc as u128, inexact, inc)
}

/// A destination format: significand bits and normal exponent range.
#[derive(Clone, Copy, Debug)]
pub struct Fmt {
    pub prec: u32,
    pub emin: i32,
    pub emax: i32,
}

pub const F32: Fmt = Fmt {
    prec: 24,
    emin: -126,
    emax: 127,
};
pub const F64: Fmt = Fmt {
    prec: 53,
    emin: -1022,
    emax: 1023,
};

pub fn ext(prec: u32) -> Fmt {
    Fmt {
        prec,
        emin: EXT_EMIN,
        emax: EXT_EMAX,
    }
}

/// A rounded value in a format-neutral form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Num {
    /// `sig * 2^(exp - 63)`: bit 63 of `sig` set for a normal number; a denormal has
    /// `exp == emin` and bit 63 clear; zero has `sig == 0`.
    Fin {
        exp: i32,
        sig: u64,
    },
    Inf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rounded {
    pub neg: bool,
    pub num: Num,
    pub flags: u8,
    pub up: bool,
}

/// Round `(-1)^neg * m * 2^(e - 127)` (bit 127 of `m` set; `sticky`: more nonzero
/// bits below `m`) to `f`, with the x87's exception rules.
pub fn round(neg: bool, e: i32, m: u128, sticky: bool, f: Fmt, env: &Env) -> Rounded {
    debug_assert!(m >> 127 == 1);
    let p = f.prec;
    // Round with an unbounded exponent first: this decides tininess (after
    // rounding) and is the unmasked-underflow result.
    let (mut r, inexact, inc) = rnd(m, sticky, 128 - p, neg, env.rc);
    let mut eu = e;
    if r >> p != 0 {
        r >>= 1;
        eu += 1;
    }
    let pe = if inexact { PE } else { 0 };
    let tiny = eu < f.emin;
    if eu > f.emax {
        if env.masks & OE == 0 {
            if eu - BIAS_ADJUST > f.emax {
                // Beyond even the bias-adjusted range (FSCALE): infinity.
                return Rounded {
                    neg,
                    num: Num::Inf,
                    flags: OE | PE,
                    up: true,
                };
            }
            return Rounded {
                neg,
                num: Num::Fin {
                    exp: eu - BIAS_ADJUST,
                    sig: (r << (64 - p)) as u64,
                },
                flags: OE | pe,
                up: inc,
            };
        }
        let to_inf = match env.rc {
            Rc::Nearest => true,
            Rc::Zero => false,
            Rc::Up => !neg,
            Rc::Down => neg,
        };
        let num = if to_inf {
            Num::Inf
        } else {
            Num::Fin {
                exp: f.emax,
                sig: (((1u128 << p) - 1) << (64 - p)) as u64,
            }
        };
        return Rounded {
            neg,
            num,
            flags: OE | PE,
            up: to_inf,
        };
    }
    if tiny && env.masks & UE == 0 {
        if eu + BIAS_ADJUST < f.emin {
            return Rounded {
                neg,
                num: Num::Fin { exp: 0, sig: 0 },
                flags: UE | PE,
                up: false,
            };
        }
        return Rounded {
            neg,
            num: Num::Fin {
                exp: eu + BIAS_ADJUST,
                sig: (r << (64 - p)) as u64,
            },
            flags: UE | pe,
            up: inc,
        };
    }
    if e >= f.emin {
        return Rounded {
            neg,
            num: Num::Fin {
                exp: eu,
                sig: (r << (64 - p)) as u64,
            },
            flags: pe,
            up: inc,
        };
    }
    // Denormal result: fewer significand bits are left.
    let shift = (128 - p) as i64 + (f.emin - e) as i64;
    let (r, inexact, inc) = rnd(m, sticky, shift.min(200) as u32, neg, env.rc);
    let flags = if inexact {
        PE | if tiny { UE } else { 0 }
    } else {
        0
    };
    Rounded {
        neg,
        num: Num::Fin {
            exp: f.emin,
            sig: (r << (64 - p)) as u64,
        },
        flags,
        up: inc,
    }
}

/// Pack a rounded value into the 80-bit format.
pub fn pack80(r: &Rounded) -> u128 {
    let s = zero(r.neg);
    match r.num {
        Num::Inf => inf(r.neg),
        Num::Fin { sig: 0, .. } => s,
        Num::Fin { exp, sig } => {
            if sig >> 63 == 0 {
                s | sig as u128
            } else {
                let be = exp + BIAS;
                if be <= 0 {
                    s
                } else if be >= 0x7fff {
                    inf(r.neg)
                } else {
                    s | (be as u128) << 64 | sig as u128
                }
            }
        }
    }
}

/// Pack a rounded value into binary64 (`F64`) or binary32 (`F32`) bits.
pub fn pack_ieee(r: &Rounded, f: Fmt) -> u64 {
    let (ebits, fbits) = if f.prec == 24 { (8, 23) } else { (11, 52) };
    let s = (r.neg as u64) << (ebits + fbits);
    let emask = (1u64 << ebits) - 1;
    match r.num {
        Num::Inf => s | emask << fbits,
        Num::Fin { exp, sig } => {
            let frac = sig >> (63 - fbits);
            if sig >> 63 == 0 {
                s | frac
            } else {
                let be = exp + f.emax;
                if be <= 0 {
                    s
                } else if be as u64 >= emask {
                    s | emask << fbits
                } else {
                    s | (be as u64) << fbits | (frac & ((1 << fbits) - 1))
                }
            }
        }
    }
}

fn out80(r: Rounded, extra: u8) -> Out {
    Out {
        val: pack80(&r),
        flags: r.flags | extra,
        up: r.up,
    }
}

/// Round a finite nonzero `sig * 2^(exp - 63)` to the 80-bit format in `env`.
fn round_fin(neg: bool, exp: i32, sig: u64, env: &Env, extra: u8) -> Out {
    out80(
        round(neg, exp, (sig as u128) << 64, false, ext(env.prec), env),
        extra,
    )
}

/// Normalize and round a nonzero 128-bit `m * 2^(e - 127)` (any leading bit),
/// with more nonzero bits below `m` when `sticky`.
pub fn round_wide(neg: bool, e: i32, m: u128, sticky: bool, env: &Env, extra: u8) -> Out {
    let lz = m.leading_zeros() as i32;
    out80(
        round(neg, e - lz, m << lz, sticky, ext(env.prec), env),
        extra,
    )
}

/// The NaN that an operation on `a` and `b` returns when either is a NaN or an
/// unsupported value, with the exceptions raised (SDM Vol. 1, table 4-7).
pub fn nan2(a: u128, b: u128) -> Option<Out> {
    let (ca, cb) = (classify(a), classify(b));
    if ca == Class::Unsupported || cb == Class::Unsupported {
        return Some(Out::invalid());
    }
    let (an, bn) = (is_nan(ca), is_nan(cb));
    if !an && !bn {
        return None;
    }
    let flags = if ca == Class::SNaN || cb == Class::SNaN {
        IE
    } else {
        0
    };
    let v = if an && bn && ca != cb {
        // An SNaN and a QNaN: the QNaN.
        if ca == Class::QNaN {
            a
        } else {
            b
        }
    } else if an && bn {
        // Two of a kind: the larger significand.
        let (sa, sb) = (a as u64, b as u64);
        if sa > sb || (sa == sb && !is_neg(a)) {
            a
        } else {
            b
        }
    } else if an {
        a
    } else {
        b
    };
    Some(Out::with(quiet(v), flags))
}

/// The result of a one-operand operation on a NaN or unsupported value.
pub fn nan1(a: u128) -> Option<Out> {
    match classify(a) {
        Class::Unsupported => Some(Out::invalid()),
        Class::SNaN => Some(Out::with(quiet(a), IE)),
        Class::QNaN => Some(Out::exact(a)),
        _ => None,
    }
}

fn denormal_flag(a: u128, b: u128) -> u8 {
    if classify(a) == Class::Denormal || classify(b) == Class::Denormal {
        DE
    } else {
        0
    }
}

/// `a + b`, or `a - b` when `sub`.
pub fn add(a: u128, b: u128, sub: bool, env: &Env) -> Out {
    if let Some(o) = nan2(a, b) {
        return o;
    }
    let (ca, cb) = (classify(a), classify(b));
    let na = is_neg(a);
    let nb = is_neg(b) ^ sub;
    let de = denormal_flag(a, b);
    match (ca, cb) {
        (Class::Infinity, Class::Infinity) => {
            return if na == nb {
                Out::exact(inf(na))
            } else {
                Out::invalid()
            }
        }
        (Class::Infinity, _) => return Out::with(inf(na), de),
        (_, Class::Infinity) => return Out::with(inf(nb), de),
        _ => {}
    }
    match (ca, cb) {
        (Class::Zero, Class::Zero) => {
            let neg = if na == nb { na } else { env.rc == Rc::Down };
            return Out::with(zero(neg), de);
        }
        (Class::Zero, _) => {
            let y = fin(b);
            return round_fin(nb, y.exp, y.sig, env, de);
        }
        (_, Class::Zero) => {
            let x = fin(a);
            return round_fin(na, x.exp, x.sig, env, de);
        }
        _ => {}
    }
    let (mut x, mut y) = (fin(a), fin(b));
    x.neg = na;
    y.neg = nb;
    if (y.exp, y.sig) > (x.exp, x.sig) {
        core::mem::swap(&mut x, &mut y);
    }
    let d = (x.exp - y.exp) as u32;
    let mx = (x.sig as u128) << 63;
    let my = (y.sig as u128) << 63;
    let my = if d == 0 {
        my
    } else if d < 127 {
        (my >> d) | (my & ((1u128 << d) - 1) != 0) as u128
    } else {
        1
    };
    let m = if x.neg == y.neg { mx + my } else { mx - my };
    if m == 0 {
        return Out::with(zero(env.rc == Rc::Down), de);
    }
    round_wide(x.neg, x.exp + 1, m, false, env, de)
}

pub fn mul(a: u128, b: u128, env: &Env) -> Out {
    if let Some(o) = nan2(a, b) {
        return o;
    }
    let (ca, cb) = (classify(a), classify(b));
    let neg = is_neg(a) ^ is_neg(b);
    let de = denormal_flag(a, b);
    match (ca, cb) {
        (Class::Infinity, Class::Zero) | (Class::Zero, Class::Infinity) => return Out::invalid(),
        (Class::Infinity, _) | (_, Class::Infinity) => return Out::with(inf(neg), de),
        _ => {}
    }
    if ca == Class::Zero || cb == Class::Zero {
        return Out::with(zero(neg), de);
    }
    let (x, y) = (fin(a), fin(b));
    let m = x.sig as u128 * y.sig as u128;
    round_wide(neg, x.exp + y.exp + 1, m, false, env, de)
}

pub fn div(a: u128, b: u128, env: &Env) -> Out {
    if let Some(o) = nan2(a, b) {
        return o;
    }
    let (ca, cb) = (classify(a), classify(b));
    let neg = is_neg(a) ^ is_neg(b);
    let de = denormal_flag(a, b);
    match (ca, cb) {
        (Class::Infinity, Class::Infinity) | (Class::Zero, Class::Zero) => return Out::invalid(),
        (Class::Infinity, _) => return Out::with(inf(neg), de),
        (_, Class::Infinity) => return Out::with(zero(neg), de),
        (_, Class::Zero) => return Out::with(inf(neg), ZE),
        _ => {}
    }
    if ca == Class::Zero {
        return Out::with(zero(neg), de);
    }
    let (x, y) = (fin(a), fin(b));
    let (sa, sb) = (x.sig as u128, y.sig as u128);
    let k1 = if sa >= sb { 63 } else { 64 };
    let n = sa << k1;
    let (q1, r1) = (n / sb, n % sb);
    let n2 = r1 << 64;
    let (q2, r2) = (n2 / sb, n2 % sb);
    let q = (q1 << 64) | q2;
    round_wide(neg, x.exp - y.exp - k1 + 63, q, r2 != 0, env, de)
}

/// Integer square root of a nonzero `n`: `(r, n - r*r)` with r = floor(sqrt(n)).
/// A binary64 estimate (52 good bits) and one Newton step are within one of the
/// root; the loops fix the last unit.
fn isqrt(n: u128) -> (u128, u128) {
    let mut r = ((n as f64).sqrt() as u128).max(1);
    r = (r + n / r) >> 1;
    while r.checked_mul(r).is_none_or(|s| s > n) {
        r -= 1;
    }
    while (r + 1).checked_mul(r + 1).is_some_and(|s| s <= n) {
        r += 1;
    }
    (r, n - r * r)
}

pub fn sqrt(a: u128, env: &Env) -> Out {
    if let Some(o) = nan1(a) {
        return o;
    }
    match classify(a) {
        Class::Zero => return Out::exact(a),
        Class::Infinity if !is_neg(a) => return Out::exact(a),
        _ if is_neg(a) => return Out::invalid(),
        _ => {}
    }
    let de = denormal_flag(a, 0);
    let x = fin(a);
    let t = if (x.exp - 63) & 1 == 0 { 64 } else { 63 };
    let n = (x.sig as u128) << t;
    let half = (x.exp - 63 - t) / 2;
    let (r, rem) = isqrt(n);
    let low = if rem > r {
        0xc000_0000_0000_0000
    } else {
        (rem != 0) as u128
    };
    let m = (r << 64) | low;
    round_wide(false, half + 63, m, false, env, de)
}

/// Round to an integral value in the rounding mode (FRNDINT).
pub fn round_int(a: u128, env: &Env) -> Out {
    if let Some(o) = nan1(a) {
        return o;
    }
    match classify(a) {
        Class::Zero | Class::Infinity => return Out::exact(a),
        _ => {}
    }
    let de = denormal_flag(a, 0);
    let x = fin(a);
    if x.exp >= 63 {
        return Out::with(a, de);
    }
    let shift = (63 - x.exp).min(200) as u32;
    let (k, inexact, inc) = rnd(x.sig as u128, false, shift, x.neg, env.rc);
    let pe = if inexact { PE } else { 0 };
    let val = if k == 0 {
        zero(x.neg)
    } else {
        from_u64(x.neg, k as u64)
    };
    Out {
        val,
        flags: de | pe,
        up: inc,
    }
}

/// The exact 80-bit value of a signed magnitude.
pub fn from_u64(neg: bool, mag: u64) -> u128 {
    if mag == 0 {
        return zero(neg);
    }
    let lz = mag.leading_zeros();
    zero(neg) | ((BIAS + 63 - lz as i32) as u128) << 64 | (mag << lz) as u128
}

pub fn from_i64(v: i64) -> u128 {
    if v == 0 {
        0
    } else {
        from_u64(v < 0, v.unsigned_abs())
    }
}

/// Convert to a signed integer of `bits` (16, 32, 64) in the rounding mode (FIST),
/// or with truncation when `env.rc == Rc::Zero` (FISTTP). Invalid values give the
/// integer indefinite (the most negative value) with IE.
pub fn to_int(a: u128, bits: u32, env: &Env) -> (i64, u8, bool) {
    let indefinite = i64::MIN >> (64 - bits);
    match classify(a) {
        Class::Zero => return (0, 0, false),
        Class::Denormal | Class::Normal => {}
        _ => return (indefinite, IE, false),
    }
    // A denormal source raises no DE here (as the host's x87 does).
    let x = fin(a);
    let (mag, inexact, inc) = if x.exp >= 63 {
        if x.exp > 64 {
            return (indefinite, IE, false);
        }
        ((x.sig as u128) << (x.exp - 63), false, false)
    } else {
        rnd(
            x.sig as u128,
            false,
            (63 - x.exp).min(200) as u32,
            x.neg,
            env.rc,
        )
    };
    let limit = 1u128 << (bits - 1);
    let ok = if x.neg { mag <= limit } else { mag < limit };
    if !ok {
        return (indefinite, IE, false);
    }
    let v = if x.neg {
        (mag as u64).wrapping_neg() as i64
    } else {
        mag as i64
    };
    (v, if inexact { PE } else { 0 }, inc)
}

/// Widen binary32/binary64 bits to 80 bits exactly, keeping SNaNs signalling (an
/// operation on the value then raises IE); also tells whether it was a denormal.
pub fn widen(v: u64, f: Fmt) -> (u128, bool) {
    let (ebits, fbits) = if f.prec == 24 {
        (8u32, 23u32)
    } else {
        (11, 52)
    };
    let neg = (v >> (ebits + fbits)) & 1 != 0;
    let emask = (1u64 << ebits) - 1;
    let e = (v >> fbits) & emask;
    let frac = v & ((1u64 << fbits) - 1);
    let s = zero(neg);
    if e == emask {
        if frac == 0 {
            return (inf(neg), false);
        }
        return (
            s | (0x7fff << 64) | 1 << 63 | ((frac as u128) << (63 - fbits)),
            false,
        );
    }
    if e == 0 {
        if frac == 0 {
            return (s, false);
        }
        let lz = frac.leading_zeros() as i32;
        let exp = f.emin - (lz - (63 - fbits as i32));
        return (
            s | ((exp + BIAS) as u128) << 64 | (frac << lz) as u128,
            true,
        );
    }
    let exp = e as i32 - f.emax;
    (
        s | ((exp + BIAS) as u128) << 64 | (1u128 << 63) | ((frac as u128) << (63 - fbits)),
        false,
    )
}

/// FLD m32fp/m64fp: widen, quieting SNaNs with IE; denormals raise DE.
pub fn from_ieee(v: u64, f: Fmt) -> Out {
    let (w, den) = widen(v, f);
    if classify(w) == Class::SNaN {
        Out::with(quiet(w), IE)
    } else {
        Out::with(w, if den { DE } else { 0 })
    }
}

/// Narrow 80 bits to binary32/binary64 bits in the rounding mode.
pub fn to_ieee(a: u128, f: Fmt, env: &Env) -> (u64, u8, bool) {
    let (ebits, fbits) = if f.prec == 24 {
        (8u32, 23u32)
    } else {
        (11, 52)
    };
    let neg = is_neg(a);
    let s = (neg as u64) << (ebits + fbits);
    let emask = (1u64 << ebits) - 1;
    match classify(a) {
        Class::Zero => (s, 0, false),
        Class::Infinity => (s | emask << fbits, 0, false),
        Class::QNaN | Class::SNaN => {
            let sig = a as u64 | 1 << 62;
            let flags = if classify(a) == Class::SNaN { IE } else { 0 };
            (
                s | emask << fbits | ((sig >> (63 - fbits)) & ((1 << fbits) - 1)),
                flags,
                false,
            )
        }
        Class::Unsupported => (
            1 << (ebits + fbits) | emask << fbits | 1 << (fbits - 1),
            IE,
            false,
        ),
        Class::Denormal | Class::Normal => {
            // A denormal source raises no DE here (as the host's x87 does).
            let x = fin(a);
            let r = round(neg, x.exp, (x.sig as u128) << 64, false, f, env);
            (pack_ieee(&r, f), r.flags, r.up)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Greater,
    Less,
    Equal,
    Unordered,
}

/// A key that orders finite values and infinities.
fn order_key(a: u128) -> i128 {
    let mag: i128 = match classify(a) {
        Class::Zero => 0,
        Class::Infinity => 1 << 100,
        _ => {
            let x = fin(a);
            ((x.exp + 40000) as i128) << 64 | x.sig as i128
        }
    };
    if is_neg(a) {
        -mag
    } else {
        mag
    }
}

/// Compare `a` with `b`. Returns the relation and the exceptions: IE for SNaN and
/// unsupported operands, and for QNaNs too unless `quiet_nan_ok` (FUCOM).
pub fn compare(a: u128, b: u128, quiet_nan_ok: bool) -> (Cmp, u8) {
    let (ca, cb) = (classify(a), classify(b));
    let bad = |c| c == Class::SNaN || c == Class::Unsupported;
    if bad(ca) || bad(cb) {
        return (Cmp::Unordered, IE);
    }
    if is_nan(ca) || is_nan(cb) {
        return (Cmp::Unordered, if quiet_nan_ok { 0 } else { IE });
    }
    let de = denormal_flag(a, b);
    let (ka, kb) = (order_key(a), order_key(b));
    let c = match ka.cmp(&kb) {
        core::cmp::Ordering::Less => Cmp::Less,
        core::cmp::Ordering::Equal => Cmp::Equal,
        core::cmp::Ordering::Greater => Cmp::Greater,
    };
    (c, de)
}

/// Whether an operation that returns its operand `a` unchanged does so without
/// rounding it (Intel, and only for a true denormal: a pseudo-denormal, J bit set
/// with a zero exponent, is still renormalised).
fn passes_through(a: u128, env: &Env) -> bool {
    env.flavor == Flavor::Intel && (exp_field(a) != 0 || a >> 63 & 1 == 0)
}

/// `a * 2^trunc(b)` (FSCALE).
pub fn scale(a: u128, b: u128, env: &Env) -> Out {
    if let Some(o) = nan2(a, b) {
        return o;
    }
    let (ca, cb) = (classify(a), classify(b));
    if cb == Class::Infinity {
        return match (ca, is_neg(b)) {
            (Class::Zero, false) | (Class::Infinity, true) => Out::invalid(),
            (Class::Infinity, false) | (Class::Zero, true) => Out::exact(a),
            (_, false) => Out::with(inf(is_neg(a)), denormal_flag(a, 0)),
            (_, true) => Out::with(zero(is_neg(a)), denormal_flag(a, 0)),
        };
    }
    let de = denormal_flag(a, b);
    if ca == Class::Zero || ca == Class::Infinity {
        return Out::with(a, de);
    }
    let n: i32 = if cb == Class::Zero {
        0
    } else {
        let y = fin(b);
        let mag = if y.exp < 0 {
            0
        } else if y.exp > 20 {
            1 << 21
        } else {
            (y.sig >> (63 - y.exp)) as i32
        };
        if y.neg {
            -mag
        } else {
            mag
        }
    };
    if cb == Class::Zero && passes_through(a, env) {
        return Out::with(a, de);
    }
    let x = fin(a);
    round_fin(x.neg, x.exp + n, x.sig, env, de)
}

/// FXTRACT: `(exponent, significand)`, with the exceptions.
pub fn xtract(a: u128) -> (u128, u128, u8) {
    if let Some(o) = nan1(a) {
        return (o.val, o.val, o.flags);
    }
    match classify(a) {
        Class::Zero => (inf(true), a, ZE),
        Class::Infinity => (inf(false), a, 0),
        c => {
            let x = fin(a);
            let de = if c == Class::Denormal { DE } else { 0 };
            (
                from_i64(x.exp as i64),
                zero(x.neg) | (BIAS as u128) << 64 | x.sig as u128,
                de,
            )
        }
    }
}

/// The outcome of FPREM/FPREM1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prem {
    pub val: u128,
    pub flags: u8,
    /// The low three bits of the quotient (complete reduction only); `None` for
    /// NaN and invalid operands, where the host leaves C0 and C3 as they were.
    pub q: Option<u8>,
    /// C2: the reduction is incomplete; run the instruction again.
    pub incomplete: bool,
}

/// Partial remainder of `a` by `b`: truncating quotient (FPREM) or the IEEE
/// round-to-nearest-even quotient (FPREM1 when `ieee`).
pub fn prem(a: u128, b: u128, ieee: bool, env: &Env) -> Prem {
    let done = |o: Out, q| Prem {
        val: o.val,
        flags: o.flags,
        q,
        incomplete: false,
    };
    if let Some(o) = nan2(a, b) {
        return done(o, None);
    }
    let (ca, cb) = (classify(a), classify(b));
    if ca == Class::Infinity || cb == Class::Zero {
        return done(Out::invalid(), None);
    }
    let de = denormal_flag(a, b);
    if ca == Class::Zero {
        return done(Out::with(a, de), Some(0));
    }
    let x = fin(a);
    if cb == Class::Infinity {
        // The dividend is the remainder (AMD re-rounds it: a denormal can underflow).
        if passes_through(a, env) {
            return done(Out::with(a, de), Some(0));
        }
        let o = round_fin(x.neg, x.exp, x.sig, env, de);
        return done(o, Some(0));
    }
    let y = fin(b);
    let (sa, sb) = (x.sig as u128, y.sig as u128);
    let d = x.exp - y.exp;
    // The remainder is exact; rounding only reports tiny results (UE).
    let result = |neg: bool, m: u128, e: i32, q: u128, incomplete: bool| -> Prem {
        let o = if m == 0 {
            Out::exact(zero(neg))
        } else {
            round_wide(neg, e, m, false, env, 0)
        };
        Prem {
            val: o.val,
            flags: o.flags | de,
            q: Some((q & 7) as u8),
            incomplete,
        }
    };
    if d >= 64 {
        // Reduce by a multiple of b * 2^k: N = d - k is between 32 and 63, as the
        // host's (AMD) implementation chooses it.
        let k = 32 * (d / 32 - 1);
        let n = (d - k) as u32;
        let r = (sa << n) % sb;
        return result(x.neg, r, y.exp + k + 64, 0, true);
    }
    if d >= 0 {
        let n = sa << d;
        let (mut q, mut r) = (n / sb, n % sb);
        let mut neg = x.neg;
        if ieee && (2 * r > sb || (2 * r == sb && q & 1 == 1)) {
            q += 1;
            r = sb - r;
            neg = !neg;
        }
        result(neg, r, y.exp + 64, q, false)
    } else if ieee && d == -1 && sa > sb {
        // |a| > |b|/2: the quotient rounds to 1; the result is |b| - |a| with a's
        // sign flipped, at a's exponent.
        result(!x.neg, 2 * sb - sa, x.exp + 64, 1, false)
    } else {
        result(x.neg, sa, x.exp + 64, 0, false)
    }
}
