//! IEEE-754 arithmetic as SSE defines it: MXCSR rounding control, DAZ and FTZ, the
//! six sticky exception flags, and x86's own NaN rules (Intel SDM Vol. 1, 4.8.3 and
//! 11.5). Values travel as raw bit patterns in a `u64` (an `f32` in the low 32 bits).
//!
//! Two paths compute every operation:
//!
//! * The fast path uses the host's native `f32`/`f64` arithmetic. It runs only when
//!   MXCSR.RC is round-to-nearest and the operands and result are ordinary numbers
//!   (no NaN, infinity or denormal, and far enough from the denormal range that the
//!   exactness tests below cannot underflow); then the only exception that can occur
//!   is "inexact" (PE). PE is computed only when it is observable, that is when the
//!   sticky PE flag is still clear or PE is unmasked: an error-free transformation
//!   (TwoSum for ADD/SUB; an FMA residual for MUL/DIV/SQRT of `f64`; the exact `f64`
//!   product for `f32`) decides it exactly.
//! * The slow path handles everything else exactly: NaN operands (SSE returns the
//!   first source if it is a NaN, else the second, quietened), invalid operations (the
//!   negative "QNaN floating-point indefinite"), divide-by-zero, DAZ, the denormal
//!   operand flag, and the directed rounding modes, with `rustc_apfloat` doing the
//!   rounding. Results near the ends of the range are recomputed in a wider format
//!   (`Fp::Wide`) to apply x86's definitions of overflow and tininess, which look at
//!   the result rounded with an unbounded exponent (see `finish`), and FTZ.
//!
//! Exception priorities follow the hardware (checked against an AMD EPYC host over
//! about a million random operands and MXCSR settings): NaN operands suppress the
//! denormal flag, divide-by-zero and invalid suppress it too, and with OE or UE
//! unmasked, PE reports whether the unbounded-exponent result was inexact.
//!
//! Square roots use the host's correctly rounded `sqrt` and fix the last bit for
//! directed rounding from the sign of the exact residual r*r - x. RCPPS/RSQRTPS
//! return (nearly) correctly rounded values instead of a CPU model's approximation.

use core::cmp::Ordering;
use core::ops::{Add, Div, Mul, Sub};
use rustc_apfloat::ieee::{Double, Quad, Single};
use rustc_apfloat::{Float, FloatConvert, Round, Status, StatusAnd};

// MXCSR bits (Intel SDM Vol. 1, 10.2.3).
pub const IE: u32 = 1 << 0;
pub const DE: u32 = 1 << 1;
pub const ZE: u32 = 1 << 2;
pub const OE: u32 = 1 << 3;
pub const UE: u32 = 1 << 4;
pub const PE: u32 = 1 << 5;
pub const DAZ: u32 = 1 << 6;
pub const OM: u32 = 1 << 10;
pub const UM: u32 = 1 << 11;
pub const PM: u32 = 1 << 12;
pub const RC_SHIFT: u32 = 13;
pub const FTZ: u32 = 1 << 15;
/// The bits LDMXCSR and FXRSTOR accept (the MXCSR_MASK FXSAVE stores). All of bits
/// 0..16 are implemented, including DAZ: x86-64 code (libgcc's crtfastmath for one)
/// sets DAZ without asking, so a CPU without it would break `-ffast-math` programs.
pub const MXCSR_MASK: u32 = 0xffff;

/// Rounding control: round to nearest (even).
pub const RC_NEAREST: u32 = 0;
pub const RC_DOWN: u32 = 1;
pub const RC_UP: u32 = 2;
pub const RC_ZERO: u32 = 3;

#[inline(always)]
pub fn rc(mx: u32) -> u32 {
    (mx >> RC_SHIFT) & 3
}

#[inline(always)]
fn round_of(mx: u32) -> Round {
    match rc(mx) {
        RC_NEAREST => Round::NearestTiesToEven,
        RC_DOWN => Round::TowardNegative,
        RC_UP => Round::TowardPositive,
        _ => Round::TowardZero,
    }
}

/// Whether the inexact flag is observable: it is not yet set, or it is unmasked.
#[inline(always)]
fn need_pe(mx: u32) -> bool {
    mx & (PE | PM) != (PE | PM)
}

/// A binary floating-point format SSE computes in: `f32` or `f64`.
pub trait Fp:
    Copy
    + PartialEq
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
{
    type Ap: Float + FloatConvert<Self::Wide>;
    /// A format with at least 2p + 2 bits of precision and a wider exponent range:
    /// results computed in it and then rounded to `Ap`'s precision are correctly
    /// rounded, and it shows the result "rounded to an unbounded exponent" that x86
    /// uses to detect overflow and tininess.
    type Wide: Float + FloatConvert<Self::Ap>;
    /// Width in bits (32 or 64).
    const BITS: u32;
    /// Mask of the value's bits within the `u64`.
    const ALL: u64;
    const SIGN: u64;
    /// The exponent field, in place.
    const EXP: u64;
    /// The most significant fraction bit: set in quiet NaNs.
    const QUIET: u64;
    /// The smallest normal number.
    const MIN_NORMAL: u64;
    /// The "QNaN floating-point indefinite" (negative, quiet, zero payload).
    const INDEF: u64;
    /// The smallest biased exponents (in place) of an operand and of a result that the
    /// fast path accepts.
    const IN_MIN: u64;
    const OUT_MIN: u64;

    fn from_raw(b: u64) -> Self;
    fn raw(self) -> u64;
    fn to_f64(self) -> f64;
    /// The native (round-to-nearest) square root.
    fn sqrt_n(self) -> Self;
    /// Round to nearest (native conversion): `(bits, exact)`.
    fn from_i64(v: i64) -> (u64, bool);
    /// Whether `a * b`, rounded to `r`, was inexact (operands and `r` in the fast
    /// path's range).
    fn mul_inexact(a: Self, b: Self, r: Self) -> bool;
    fn div_inexact(a: Self, b: Self, r: Self) -> bool;
    /// The square root of a positive, finite, non-zero `a`, rounded per `rc`, and
    /// whether it was inexact.
    fn sqrt_pos(a: u64, rc: u32) -> (u64, bool);
}

impl Fp for f32 {
    type Ap = Single;
    type Wide = Double;
    const BITS: u32 = 32;
    const ALL: u64 = 0xffff_ffff;
    const SIGN: u64 = 0x8000_0000;
    const EXP: u64 = 0x7f80_0000;
    const QUIET: u64 = 0x0040_0000;
    const MIN_NORMAL: u64 = 0x0080_0000;
    const INDEF: u64 = 0xffc0_0000;
    // Exactness tests for f32 run in f64, where they cannot underflow; results must
    // stay clear of the smallest normal, the one place where tininess is subtle.
    const IN_MIN: u64 = 1 << 23;
    const OUT_MIN: u64 = 2 << 23;

    #[inline(always)]
    fn from_raw(b: u64) -> f32 {
        f32::from_bits(b as u32)
    }
    #[inline(always)]
    fn raw(self) -> u64 {
        self.to_bits() as u64
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn sqrt_n(self) -> f32 {
        self.sqrt()
    }
    #[inline(always)]
    fn from_i64(v: i64) -> (u64, bool) {
        let f = v as f32;
        (f.raw(), f as i128 == v as i128)
    }
    #[inline(always)]
    fn mul_inexact(a: f32, b: f32, r: f32) -> bool {
        // A product of two 24-bit significands is exact in f64.
        (a as f64) * (b as f64) != r as f64
    }
    #[inline(always)]
    fn div_inexact(a: f32, b: f32, r: f32) -> bool {
        (r as f64) * (b as f64) != a as f64
    }
    fn sqrt_pos(a: u64, rc: u32) -> (u64, bool) {
        let x = f32::from_raw(a);
        let r = x.sqrt();
        let rr = (r as f64) * (r as f64);
        let ord = rr.partial_cmp(&(x as f64)).unwrap_or(Ordering::Equal);
        (adjust_sqrt(r.raw(), ord, rc), ord != Ordering::Equal)
    }
}

impl Fp for f64 {
    type Ap = Double;
    type Wide = Quad;
    const BITS: u32 = 64;
    const ALL: u64 = u64::MAX;
    const SIGN: u64 = 1 << 63;
    const EXP: u64 = 0x7ff0_0000_0000_0000;
    const QUIET: u64 = 1 << 51;
    const MIN_NORMAL: u64 = 1 << 52;
    const INDEF: u64 = 0xfff8_0000_0000_0000;
    // FMA residuals of results >= 2^-895 are far above the denormal range.
    const IN_MIN: u64 = 128 << 52;
    const OUT_MIN: u64 = 128 << 52;

    #[inline(always)]
    fn from_raw(b: u64) -> f64 {
        f64::from_bits(b)
    }
    #[inline(always)]
    fn raw(self) -> u64 {
        self.to_bits()
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn sqrt_n(self) -> f64 {
        self.sqrt()
    }
    #[inline(always)]
    fn from_i64(v: i64) -> (u64, bool) {
        let f = v as f64;
        (f.raw(), f as i128 == v as i128)
    }
    #[inline(always)]
    fn mul_inexact(a: f64, b: f64, r: f64) -> bool {
        a.mul_add(b, -r) != 0.0
    }
    #[inline(always)]
    fn div_inexact(a: f64, b: f64, r: f64) -> bool {
        // The remainder a - r*b of a correctly rounded quotient is representable.
        (-r).mul_add(b, a) != 0.0
    }
    fn sqrt_pos(a: u64, rc: u32) -> (u64, bool) {
        // Scale tiny operands by 2^512 so that the residual r*r - x cannot underflow;
        // the root then scales back by 2^-256 exactly (it stays normal).
        let x = f64::from_raw(a);
        let small = a & f64::EXP < (512 << 52);
        let xs = if small {
            x * f64::from_bits(0x5ff0_0000_0000_0000)
        } else {
            x
        };
        let r = xs.sqrt();
        let ord = r
            .mul_add(r, -xs)
            .partial_cmp(&0.0)
            .unwrap_or(Ordering::Equal);
        let r = adjust_sqrt(r.raw(), ord, rc);
        let r = if small {
            (f64::from_raw(r) * f64::from_bits(0x2ff0_0000_0000_0000)).raw()
        } else {
            r
        };
        (r, ord != Ordering::Equal)
    }
}

/// Turn a round-to-nearest positive root `r` into the root rounded per `rc`, given
/// how r*r compares with the operand.
#[inline(always)]
fn adjust_sqrt(r: u64, ord: Ordering, rc: u32) -> u64 {
    match (rc, ord) {
        (RC_UP, Ordering::Less) => r + 1,
        (RC_DOWN | RC_ZERO, Ordering::Greater) => r - 1,
        _ => r,
    }
}

// ------------------------------------------------------------------ classification

#[inline(always)]
pub fn is_nan<T: Fp>(b: u64) -> bool {
    b & !T::SIGN & T::ALL > T::EXP
}
#[inline(always)]
pub fn is_snan<T: Fp>(b: u64) -> bool {
    is_nan::<T>(b) && b & T::QUIET == 0
}
#[inline(always)]
pub fn is_zero<T: Fp>(b: u64) -> bool {
    b & !T::SIGN & T::ALL == 0
}
#[inline(always)]
pub fn is_inf<T: Fp>(b: u64) -> bool {
    b & !T::SIGN & T::ALL == T::EXP
}
#[inline(always)]
pub fn is_denorm<T: Fp>(b: u64) -> bool {
    b & T::EXP == 0 && !is_zero::<T>(b)
}
#[inline(always)]
fn quiet<T: Fp>(b: u64) -> u64 {
    b | T::QUIET
}

/// A source operand after DAZ (denormals become zeros of the same sign) or, without
/// DAZ, noting the denormal-operand exception.
#[inline(always)]
pub fn input<T: Fp>(b: u64, mx: u32, fl: &mut u32) -> u64 {
    if is_denorm::<T>(b) {
        if mx & DAZ != 0 {
            return b & T::SIGN;
        }
        *fl |= DE;
    }
    b
}

/// Whether an operand is zero or an ordinary number in the fast path's range.
#[inline(always)]
fn fast_operand<T: Fp>(b: u64) -> bool {
    let e = b & T::EXP;
    is_zero::<T>(b) || (e >= T::IN_MIN && e != T::EXP)
}

/// Finish an operation on finite operands: `r` and `st` are the result rounded to
/// `T` and its status, `w` and `wst` the same operation computed in `T::Wide` (see
/// `Fp::Wide`), computed only when `r` is near the edges of the range.
///
/// x86 detects overflow and tininess on the result rounded to `T`'s precision with an
/// unbounded exponent (Intel SDM Vol. 1, 4.9.1.4-5): overflow when it exceeds the
/// largest finite number, tininess when it is non-zero and below the smallest
/// normal. Masked overflow sets OE and PE and delivers infinity or the largest
/// number per RC; masked underflow delivers the denormal (UE only if inexact), or
/// with FTZ a zero (UE and PE). With OE or UE unmasked the instruction traps without
/// writing, and PE says whether the unbounded result was inexact.
#[inline(always)]
fn finish<T: Fp>(
    r: u64,
    st: Status,
    mx: u32,
    fl: &mut u32,
    wide: impl FnOnce() -> StatusAnd<T::Wide>,
) -> u64 {
    let mag = r & !T::SIGN & T::ALL;
    let exact_zero = mag == 0 && !st.contains(Status::INEXACT);
    if (mag >= 2 * T::MIN_NORMAL && mag < T::EXP - 1) || exact_zero {
        if st.contains(Status::INEXACT) {
            *fl |= PE;
        }
        return r;
    }
    edge::<T>(r, st, mx, fl, wide())
}

#[inline(never)]
fn edge<T: Fp>(r: u64, st: Status, mx: u32, fl: &mut u32, w: StatusAnd<T::Wide>) -> u64 {
    let rnd = round_of(mx);
    let (mut ovf, mut tiny, mut unbounded_inexact) =
        (false, false, w.status.contains(Status::INEXACT));
    let v = w.value;
    if !v.is_zero() {
        // Round to T's precision in T's normal range, then scale back: both scalings
        // are exact in the wide format.
        let e = v.ilogb();
        let mut loses = false;
        let StatusAnd { status, value }: StatusAnd<T::Ap> = v.scalbn(-e).convert_r(rnd, &mut loses);
        unbounded_inexact |= status.contains(Status::INEXACT);
        let back: T::Wide = value.convert(&mut loses).value.scalbn(e).abs();
        let mut conv = |x: T::Ap| -> T::Wide { x.convert(&mut loses).value };
        ovf = back > conv(T::Ap::largest());
        tiny = back < conv(T::Ap::smallest_normalized());
    }
    if ovf {
        *fl |= OE;
        if mx & OM == 0 {
            if unbounded_inexact {
                *fl |= PE;
            }
        } else {
            *fl |= PE;
        }
        return r;
    }
    if tiny {
        if mx & UM == 0 {
            *fl |= UE;
            if unbounded_inexact {
                *fl |= PE;
            }
            return r;
        }
        if mx & FTZ != 0 {
            *fl |= UE | PE;
            return r & T::SIGN;
        }
        if st.contains(Status::INEXACT) {
            *fl |= UE | PE;
        }
        return r;
    }
    if st.contains(Status::INEXACT) {
        *fl |= PE;
    }
    r
}

// ---------------------------------------------------------------------- arithmetic

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Bin {
    Add,
    Sub,
    Mul,
    Div,
}

/// `a op b` with SSE semantics; exception flags are OR-ed into `fl`.
#[inline(always)]
pub fn arith<T: Fp>(op: Bin, a: u64, b: u64, mx: u32, fl: &mut u32) -> u64 {
    if rc(mx) == RC_NEAREST && fast_operand::<T>(a) && fast_operand::<T>(b) {
        let (x, y) = (T::from_raw(a), T::from_raw(b));
        let r = match op {
            Bin::Add => x + y,
            Bin::Sub => x - y,
            Bin::Mul => x * y,
            Bin::Div => x / y,
        };
        let rb = r.raw();
        let e = rb & T::EXP;
        if e >= T::OUT_MIN && e != T::EXP {
            if need_pe(mx) {
                let inexact = match op {
                    Bin::Add => two_sum_inexact(x, y, r),
                    Bin::Sub => two_sum_inexact(x, T::from_raw(b ^ T::SIGN), r),
                    Bin::Mul => T::mul_inexact(x, y, r),
                    Bin::Div => T::div_inexact(x, y, r),
                };
                if inexact {
                    *fl |= PE;
                }
            }
            return rb;
        }
        if is_zero::<T>(rb) {
            let exact = match op {
                // Finite operands that cancel exactly.
                Bin::Add | Bin::Sub => true,
                Bin::Mul => is_zero::<T>(a) || is_zero::<T>(b),
                Bin::Div => is_zero::<T>(a),
            };
            if exact {
                return rb;
            }
        }
    }
    arith_slow::<T>(op, a, b, mx, fl)
}

/// Knuth's TwoSum: the rounding error of `s = a + b` is exactly representable, and
/// is zero iff the sum was exact.
#[inline(always)]
fn two_sum_inexact<T: Fp>(a: T, b: T, s: T) -> bool {
    let bb = s - a;
    let err = (a - (s - bb)) + (b - bb);
    !is_zero::<T>(err.raw())
}

#[inline(never)]
fn arith_slow<T: Fp>(op: Bin, a: u64, b: u64, mx: u32, fl: &mut u32) -> u64 {
    if is_nan::<T>(a) || is_nan::<T>(b) {
        return nan_result::<T>(a, b, fl);
    }
    let mut de = 0;
    let a = input::<T>(a, mx, &mut de);
    let b = input::<T>(b, mx, &mut de);
    let (x, y) = (T::Ap::from_bits(a as u128), T::Ap::from_bits(b as u128));
    let rnd = round_of(mx);
    let calc = |x: T::Ap, y: T::Ap| match op {
        Bin::Add => x.add_r(y, rnd),
        Bin::Sub => x.sub_r(y, rnd),
        Bin::Mul => x.mul_r(y, rnd),
        Bin::Div => x.div_r(y, rnd),
    };
    let StatusAnd { status, value } = calc(x, y);
    if status.contains(Status::DIV_BY_ZERO) {
        // Divide-by-zero takes priority over the denormal-operand exception.
        *fl |= ZE;
        return value.to_bits() as u64;
    }
    if status.contains(Status::INVALID_OP) {
        // inf - inf, 0 * inf, 0 / 0, inf / inf.
        *fl |= IE;
        return T::INDEF;
    }
    *fl |= de;
    let r = value.to_bits() as u64 & T::ALL;
    if is_inf::<T>(a) || is_inf::<T>(b) {
        // Arithmetic on infinities is exact.
        return r;
    }
    finish::<T>(r, status, mx, fl, || {
        let mut loses = false;
        let wx: T::Wide = x.convert(&mut loses).value;
        let wy: T::Wide = y.convert(&mut loses).value;
        match op {
            Bin::Add => wx.add_r(wy, rnd),
            Bin::Sub => wx.sub_r(wy, rnd),
            Bin::Mul => wx.mul_r(wy, rnd),
            Bin::Div => wx.div_r(wy, rnd),
        }
    })
}

/// The result of an arithmetic operation with a NaN operand: the first source if it
/// is a NaN, else the second, made quiet; IE if either is signalling.
#[inline(always)]
fn nan_result<T: Fp>(a: u64, b: u64, fl: &mut u32) -> u64 {
    if is_snan::<T>(a) || is_snan::<T>(b) {
        *fl |= IE;
    }
    if is_nan::<T>(a) {
        quiet::<T>(a)
    } else {
        quiet::<T>(b)
    }
}

/// SQRTSS/SQRTSD/SQRTPS/SQRTPD on one element.
#[inline(always)]
pub fn sqrt<T: Fp>(a: u64, mx: u32, fl: &mut u32) -> u64 {
    if a & T::SIGN == 0 && a & T::EXP >= T::IN_MIN && a & T::EXP != T::EXP {
        // Positive and normal: the common case.
        let r = rc(mx);
        if r == RC_NEAREST && !need_pe(mx) {
            return T::from_raw(a).sqrt_n().raw();
        }
        let (v, inexact) = T::sqrt_pos(a, r);
        if inexact {
            *fl |= PE;
        }
        return v;
    }
    sqrt_slow::<T>(a, mx, fl)
}

#[inline(never)]
fn sqrt_slow<T: Fp>(a: u64, mx: u32, fl: &mut u32) -> u64 {
    if is_nan::<T>(a) {
        return nan_result::<T>(a, a, fl);
    }
    let mut de = 0;
    let a = input::<T>(a, mx, &mut de);
    if is_zero::<T>(a) {
        return a;
    }
    if a & T::SIGN != 0 {
        // Invalid takes priority over the denormal-operand exception.
        *fl |= IE;
        return T::INDEF;
    }
    *fl |= de;
    if is_inf::<T>(a) {
        return a;
    }
    let (v, inexact) = T::sqrt_pos(a, rc(mx));
    if inexact {
        *fl |= PE;
    }
    v
}

/// MINSS/MAXSS and friends: if either operand is a NaN (IE, even for a quiet NaN) or
/// both are zeros of any sign, the result is the second (source) operand as is
/// (a signalling NaN stays signalling).
#[inline(always)]
pub fn minmax<T: Fp>(max: bool, a: u64, b: u64, mx: u32, fl: &mut u32) -> u64 {
    if is_nan::<T>(a) || is_nan::<T>(b) {
        *fl |= IE;
        // DAZ still applies to a denormal second operand (but no DE is reported).
        let mut de = 0;
        return input::<T>(b, mx, &mut de);
    }
    let a = input::<T>(a, mx, fl);
    let b = input::<T>(b, mx, fl);
    let (x, y) = (T::from_raw(a), T::from_raw(b));
    let take_a = if max { x > y } else { x < y };
    if take_a {
        a
    } else {
        b
    }
}

/// CMPPS/CMPPD/CMPSS/CMPSD predicate `pred` (0..7): EQ LT LE UNORD NEQ NLT NLE ORD.
/// LT, LE, NLT and NLE signal IE on any NaN, the others only on signalling NaNs.
// NLT/NLE are true for unordered operands: the negated comparisons are the point.
#[allow(clippy::neg_cmp_op_on_partial_ord)]
#[inline(always)]
pub fn compare<T: Fp>(pred: u8, a: u64, b: u64, mx: u32, fl: &mut u32) -> bool {
    let un = is_nan::<T>(a) || is_nan::<T>(b);
    let (x, y) = if un {
        if is_snan::<T>(a) || is_snan::<T>(b) || matches!(pred & 3, 1 | 2) {
            *fl |= IE;
        }
        (T::from_raw(a), T::from_raw(b))
    } else {
        (
            T::from_raw(input::<T>(a, mx, fl)),
            T::from_raw(input::<T>(b, mx, fl)),
        )
    };
    match pred & 7 {
        0 => !un && x == y,
        1 => !un && x < y,
        2 => !un && x <= y,
        3 => un,
        4 => un || x != y,
        5 => un || !(x < y),
        6 => un || !(x <= y),
        _ => !un,
    }
}

/// COMISS/UCOMISS/COMISD/UCOMISD: the ordering of `a` and `b` (None = unordered).
/// COMIS* (`signalling`) raise IE for any NaN, UCOMIS* only for signalling NaNs.
#[inline(always)]
pub fn compare_ordered<T: Fp>(
    signalling: bool,
    a: u64,
    b: u64,
    mx: u32,
    fl: &mut u32,
) -> Option<Ordering> {
    if is_nan::<T>(a) || is_nan::<T>(b) {
        if signalling || is_snan::<T>(a) || is_snan::<T>(b) {
            *fl |= IE;
        }
        return None;
    }
    let x = T::from_raw(input::<T>(a, mx, fl));
    let y = T::from_raw(input::<T>(b, mx, fl));
    x.partial_cmp(&y)
}

// --------------------------------------------------------------------- conversions

/// The "integer indefinite" of a 32-bit or 64-bit conversion.
#[inline(always)]
pub const fn int_indefinite(wide: bool) -> u64 {
    if wide {
        0x8000_0000_0000_0000
    } else {
        0x8000_0000
    }
}

/// CVT(T)SS2SI, CVT(T)SD2SI, CVT(T)PS2DQ, CVT(T)PD2DQ...: round (per MXCSR.RC, or
/// toward zero when `trunc`) to a signed 32-bit (`!wide`) or 64-bit integer. NaNs and
/// out-of-range values give the integer indefinite and IE; inexact results PE. The
/// result is zero-extended from its width.
#[inline(always)]
pub fn to_int<T: Fp>(a: u64, wide: bool, trunc: bool, mx: u32, fl: &mut u32) -> u64 {
    if is_nan::<T>(a) {
        *fl |= IE;
        return int_indefinite(wide);
    }
    let x = if mx & DAZ != 0 && is_denorm::<T>(a) {
        0.0
    } else {
        T::from_raw(a).to_f64()
    };
    let r = if trunc {
        x.trunc()
    } else {
        match rc(mx) {
            RC_NEAREST => x.round_ties_even(),
            RC_DOWN => x.floor(),
            RC_UP => x.ceil(),
            _ => x.trunc(),
        }
    };
    let in_range = if wide {
        (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&r)
    } else {
        (-2_147_483_648.0..=2_147_483_647.0).contains(&r)
    };
    if !in_range {
        *fl |= IE;
        return int_indefinite(wide);
    }
    if r != x {
        *fl |= PE;
    }
    let v = r as i64 as u64;
    if wide {
        v
    } else {
        v & 0xffff_ffff
    }
}

/// CVTSI2SS/CVTSI2SD/CVTDQ2PS/CVTDQ2PD: a signed integer to `T`, rounded per RC.
#[inline(always)]
pub fn from_int<T: Fp>(v: i64, mx: u32, fl: &mut u32) -> u64 {
    let (r, exact) = T::from_i64(v);
    if exact {
        return r;
    }
    *fl |= PE;
    if rc(mx) == RC_NEAREST {
        return r;
    }
    T::Ap::from_i128_r(v as i128, round_of(mx)).value.to_bits() as u64
}

/// CVTSS2SD/CVTPS2PD: exact, except that NaNs are quietened (IE for SNaN) and
/// denormals flagged or, with DAZ, zeroed.
#[inline(always)]
pub fn f32_to_f64(a: u64, mx: u32, fl: &mut u32) -> u64 {
    let a = a & 0xffff_ffff;
    if is_nan::<f32>(a) {
        if is_snan::<f32>(a) {
            *fl |= IE;
        }
        return ((a & 0x8000_0000) << 32) | 0x7ff8_0000_0000_0000 | ((a & 0x3f_ffff) << 29);
    }
    let a = input::<f32>(a, mx, fl);
    (f32::from_raw(a) as f64).raw()
}

/// CVTSD2SS/CVTPD2PS: round per RC, with overflow, underflow, FTZ and PE.
#[inline(always)]
pub fn f64_to_f32(a: u64, mx: u32, fl: &mut u32) -> u64 {
    if rc(mx) == RC_NEAREST && fast_operand::<f64>(a) {
        let x = f64::from_raw(a);
        let r = x as f32;
        let e = r.raw() & f32::EXP;
        if (e >= f32::OUT_MIN && e != f32::EXP) || is_zero::<f64>(a) {
            if need_pe(mx) && r as f64 != x {
                *fl |= PE;
            }
            return r.raw();
        }
    }
    f64_to_f32_slow(a, mx, fl)
}

#[inline(never)]
fn f64_to_f32_slow(a: u64, mx: u32, fl: &mut u32) -> u64 {
    if is_nan::<f64>(a) {
        if is_snan::<f64>(a) {
            *fl |= IE;
        }
        return ((a >> 32) & 0x8000_0000) | 0x7fc0_0000 | ((a >> 29) & 0x3f_ffff);
    }
    let a = input::<f64>(a, mx, fl);
    let x = Double::from_bits(a as u128);
    let mut loses = false;
    let StatusAnd { status, value }: StatusAnd<Single> = x.convert_r(round_of(mx), &mut loses);
    let r = value.to_bits() as u64 & 0xffff_ffff;
    if is_inf::<f64>(a) {
        return r;
    }
    // The operand itself is the exact result, in f32's wide format.
    finish::<f32>(r, status, mx, fl, || Status::OK.and(x))
}

/// RCPSS/RCPPS. The hardware returns an approximation with a relative error of at
/// most 1.5 * 2^-12 that differs between CPU models; puffer returns the correctly
/// rounded reciprocal, which is within that bound. No exceptions; denormal operands
/// count as zeros and tiny results are flushed to zero, as the SDM specifies.
#[inline(always)]
pub fn rcp(a: u64) -> u64 {
    let a = a & 0xffff_ffff;
    if is_nan::<f32>(a) {
        return quiet::<f32>(a);
    }
    let sign = a & f32::SIGN;
    if a & f32::EXP == 0 {
        return sign | f32::EXP;
    }
    if is_inf::<f32>(a) {
        return sign;
    }
    let r = (1.0 / f32::from_raw(a) as f64) as f32;
    if r.abs() < f32::MIN_POSITIVE {
        return sign;
    }
    r.raw()
}

/// RSQRTSS/RSQRTPS: 1/sqrt(a) computed in f64 and rounded to f32 (within an ulp of
/// the exact value; see `rcp` about precision).
#[inline(always)]
pub fn rsqrt(a: u64) -> u64 {
    let a = a & 0xffff_ffff;
    if is_nan::<f32>(a) {
        return quiet::<f32>(a);
    }
    let sign = a & f32::SIGN;
    if a & f32::EXP == 0 {
        return sign | f32::EXP;
    }
    if sign != 0 {
        return f32::INDEF;
    }
    if is_inf::<f32>(a) {
        return 0;
    }
    ((1.0 / (f32::from_raw(a) as f64).sqrt()) as f32).raw()
}
