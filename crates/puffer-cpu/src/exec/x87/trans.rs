//! The x87 transcendental instructions: F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN, FSIN,
//! FCOS, FSINCOS.
//!
//! Accuracy: each function is evaluated in IEEE binary128 (113-bit significand)
//! arithmetic with `rustc_apfloat` (Taylor/atanh/arctangent series after exact or
//! near-exact argument reduction; tiny operands are handled in scaled form so that
//! no precision is lost to binary128's denormal range) and the result is rounded
//! once to 64 bits in the rounding mode of the control word (precision control does
//! not apply to these instructions, as on the hardware). The binary128 value is
//! within a few units of its last place of the true value, so the 80-bit result is
//! the correctly rounded one unless the true value lies within about 2^-105
//! (relative) of a rounding boundary. Real x87 units are not correctly rounded here:
//! against the AMD EPYC host, over 20,000 random in-range operands per function,
//! 96% (FPTAN) to 99.3% (FSIN/FCOS) of results are bit-identical and the rest differ
//! by exactly one ulp; the sampled differences checked with 300-bit arithmetic were
//! all host rounding errors near halfway points. C1 ("rounded up") follows our
//! correctly rounded result, so it differs from the host's whenever the values
//! differ, and additionally for FPTAN of tiny arguments, where the host's C1 looks
//! random. Stack effects, C2, NaN handling and the exception flags match the host.
//!
//! FSIN/FCOS/FSINCOS/FPTAN reduce their argument modulo the same 66-bit
//! approximation of pi that Intel and AMD x87 units use (0xC90FDAA22168C234C *
//! 2^-66), exactly, so that arguments near multiples of pi behave as on hardware
//! (fsin(FLDPI) = -2^-64, not -5.0165e-20). Arguments with |x| >= 2^63 set C2 and
//! are left unchanged. F2XM1 outside [-1, 1] and FYL2XP1 outside
//! |x| < 1 - sqrt(2)/2, where the hardware's results are undefined, are computed as
//! the mathematical functions (FYL2XP1 of x < -1 is an invalid operation); the host
//! returns other values there.
//!
//! Exact special cases (zeros, F2XM1(+-1), logarithms of powers of two, the
//! signed-zero and infinity tables of FPATAN/FYL2X/FYL2XP1) give exact values. As
//! on the host, PE is reported for every nonzero finite result, exact or not, and
//! FPTAN of a NaN pushes the NaN instead of 1.0.

use super::float::{
    self, classify, fin, inf, is_neg, nan1, nan2, zero, Class, Env, Out, DE, IE, INDEFINITE, PE, ZE,
};
use super::{
    commit, overflow, pop, push, raise, set_cc, set_st, st, underflow, unmasked, valid, wait_check,
    C1, C2,
};
use crate::{Cpu, Trap};
use iced_x86::{Instruction, Mnemonic as M};
use rustc_apfloat::ieee::Quad;
use rustc_apfloat::Float;
use std::sync::OnceLock;

type Q = Quad;

fn q(v: u128) -> Q {
    Q::from_u128(v).value
}
fn add(a: Q, b: Q) -> Q {
    (a + b).value
}
fn sub(a: Q, b: Q) -> Q {
    (a - b).value
}
fn mul(a: Q, b: Q) -> Q {
    (a * b).value
}
fn div(a: Q, b: Q) -> Q {
    (a / b).value
}

/// An 80-bit finite value as binary128 (exact).
fn q_of(x: u128) -> Q {
    if classify(x) == Class::Zero {
        return if is_neg(x) { -Q::ZERO } else { Q::ZERO };
    }
    let f = fin(x);
    let v = q(f.sig as u128).scalbn(f.exp - 63);
    if f.neg {
        -v
    } else {
        v
    }
}

struct Consts {
    pi: Q,
    half_pi: Q,
    quarter_pi: Q,
    ln2: Q,
    log2e: Q,
}

fn consts() -> &'static Consts {
    static C: OnceLock<Consts> = OnceLock::new();
    C.get_or_init(|| {
        let parse = |s: &str| s.parse::<Q>().unwrap_or(Q::ZERO);
        let pi = parse("3.14159265358979323846264338327950288419716939937510582097494459");
        let ln2 = parse("0.693147180559945309417232121458176568075500134360255254120680009");
        Consts {
            pi,
            half_pi: pi.scalbn(-1),
            quarter_pi: pi.scalbn(-2),
            ln2,
            log2e: div(q(1), ln2),
        }
    })
}

/// Round a binary128 approximation to 80 bits. `dir` tells which side of `v` the
/// true value lies on when the series lost the last correction term: -1 below
/// `|v|` in magnitude, +1 above, 0 unknown. It matters only when `v` is exactly a
/// 64-bit number (tiny arguments), where it decides the rounding and PE.
fn round_q(v: Q, dir: i8, env: &Env, extra: u8) -> Out {
    round_q_scaled(v, 0, dir, env, extra)
}

/// [`round_q`] of `v * 2^adj` (for results outside binary128's exponent range).
fn round_q_scaled(v: Q, adj: i32, dir: i8, env: &Env, extra: u8) -> Out {
    let bits = v.to_bits();
    let neg = bits >> 127 != 0;
    let e = ((bits >> 112) & 0x7fff) as i32;
    let frac = bits & ((1u128 << 112) - 1);
    if e == 0x7fff {
        return Out {
            val: if frac == 0 { inf(neg) } else { INDEFINITE },
            flags: extra,
            up: false,
        };
    }
    let (m, lsb) = if e == 0 {
        (frac, -16382 - 112)
    } else {
        (frac | 1 << 112, e - 16383 - 112)
    };
    if m == 0 {
        return Out {
            val: zero(neg),
            flags: extra,
            up: false,
        };
    }
    let m = m << 15;
    let (m, sticky) = match dir {
        d if d < 0 => (m - 1, true),
        d if d > 0 => (m, true),
        _ => (m, false),
    };
    // The host x87 reports PE for every nonzero transcendental result, even an
    // exactly representable one (FYL2X of a power of two).
    let mut o = float::round_wide(neg, lsb + adj - 15 + 127, m, sticky, env, extra);
    o.flags |= PE;
    o
}

/// sum of t^k / k! for k >= 1 (expm1), |t| <= 1.
fn expm1_series(t: Q) -> Q {
    let mut term = t;
    let mut sum = t;
    let mut k = 1u128;
    while k < 60 {
        k += 1;
        term = div(mul(term, t), q(k));
        let next = add(sum, term);
        if next.bitwise_eq(sum) {
            break;
        }
        sum = next;
    }
    sum
}

/// atanh(s) = s + s^3/3 + s^5/5 + ..., |s| < 0.5.
fn atanh_series(s: Q) -> Q {
    let s2 = mul(s, s);
    let mut pow = s;
    let mut sum = s;
    let mut k = 1u128;
    while k < 200 {
        k += 2;
        pow = mul(pow, s2);
        let next = add(sum, div(pow, q(k)));
        if next.bitwise_eq(sum) {
            break;
        }
        sum = next;
    }
    sum
}

/// atan(u) = u - u^3/3 + u^5/5 - ..., |u| <= 0.42.
fn atan_series(u: Q) -> Q {
    let u2 = mul(u, u);
    let mut pow = u;
    let mut sum = u;
    let mut k = 1u128;
    while k < 400 {
        k += 2;
        pow = -mul(pow, u2);
        let next = add(sum, div(pow, q(k)));
        if next.bitwise_eq(sum) {
            break;
        }
        sum = next;
    }
    sum
}

/// sin(r) and cos(r) for |r| <= pi/4 + a little.
fn sin_cos_series(r: Q) -> (Q, Q) {
    let r2 = mul(r, r);
    let (mut s, mut st) = (r, r);
    let (mut c, mut ct) = (q(1), q(1));
    let mut k = 0u128;
    while k < 80 {
        // ct: r^k / k! (k even), st: r^(k+1) / (k+1)!
        ct = -div(mul(ct, r2), q((k + 1) * (k + 2)));
        st = -div(mul(st, r2), q((k + 2) * (k + 3)));
        k += 2;
        let (ns, nc) = (add(s, st), add(c, ct));
        let done = ns.bitwise_eq(s) && nc.bitwise_eq(c);
        s = ns;
        c = nc;
        if done {
            break;
        }
    }
    (s, c)
}

/// log2 of a positive finite binary128 value.
fn log2_q(v: Q) -> Q {
    let c = consts();
    let mut e = v.ilogb();
    let mut m = v.scalbn(-e);
    // m in [1, 2): move it to [sqrt(1/2), sqrt(2)).
    if m > q(0xb504_f333_f9de_6484_597d_89b3_754a_be9f).scalbn(-127) {
        m = m.scalbn(-1);
        e += 1;
    }
    let s = div(sub(m, q(1)), add(m, q(1)));
    let l = mul(mul(atanh_series(s), c.log2e), q(2));
    add(Q::from_i128(e as i128).value, l)
}

/// 66-bit pi of the x87 argument reduction, as an integer: pi66 = P * 2^-66.
const PI66: u128 = 0xc_90fd_aa22_168c_234c;

/// Reduce |x| (finite, exponent < 63) modulo pi66/2: returns the quadrant k mod 4
/// and r = |x| - k * pi66/2 exactly, |r| <= pi66/4.
fn reduce(f: &float::Fin) -> (u32, Q) {
    if f.exp < -1 {
        return (0, q(f.sig as u128).scalbn(f.exp - 63));
    }
    // |x| in units of 2^-67 is sig << (exp + 4); pi66/2 is PI66 in those units.
    let mut rem = f.sig as u128;
    let mut quo: u128 = 0;
    let mut s = (f.exp + 4) as u32;
    while s > 0 {
        let c = s.min(56);
        rem <<= c;
        quo = (quo << c) | (rem / PI66);
        rem %= PI66;
        s -= c;
    }
    let r = if 2 * rem > PI66 {
        quo += 1;
        -q(PI66 - rem)
    } else {
        q(rem)
    };
    ((quo & 3) as u32, r.scalbn(-67))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TrigFn {
    Sin,
    Cos,
    Tan,
}

/// sin, cos or tan of a finite nonzero in-range value.
fn trig(a: u128, which: TrigFn, env: &Env) -> Out {
    let de = if classify(a) == Class::Denormal {
        DE
    } else {
        0
    };
    let f = fin(a);
    let (k, r) = reduce(&f);
    let (s, c) = sin_cos_series(r);
    let (v, dir) = match which {
        TrigFn::Sin => match k {
            0 => (s, -1),
            1 => (c, -1),
            2 => (-s, -1),
            _ => (-c, -1),
        },
        TrigFn::Cos => match k {
            0 => (c, -1),
            1 => (-s, -1),
            2 => (-c, -1),
            _ => (s, -1),
        },
        TrigFn::Tan => {
            if k & 1 == 0 {
                (div(s, c), 1)
            } else {
                (-div(c, s), -1)
            }
        }
    };
    // sin and tan are odd, cos is even.
    let v = if f.neg && which != TrigFn::Cos { -v } else { v };
    round_q(v, dir, env, de)
}

/// The result of FSIN/FCOS/FPTAN on ST(0): `None` when |x| >= 2^63 (C2 = 1).
fn trig_op(a: u128, which: TrigFn, env: &Env) -> Option<Out> {
    if let Some(o) = nan1(a) {
        return Some(o);
    }
    match classify(a) {
        Class::Infinity => Some(Out {
            val: INDEFINITE,
            flags: IE,
            up: false,
        }),
        Class::Zero => Some(Out {
            val: if which == TrigFn::Cos {
                0x3fff_8000_0000_0000_0000
            } else {
                a
            },
            flags: 0,
            up: false,
        }),
        _ if fin(a).exp >= 63 => None,
        _ => Some(trig(a, which, env)),
    }
}

pub fn sin(a: u128, env: &Env) -> Option<Out> {
    trig_op(a, TrigFn::Sin, env)
}
pub fn cos(a: u128, env: &Env) -> Option<Out> {
    trig_op(a, TrigFn::Cos, env)
}
pub fn tan(a: u128, env: &Env) -> Option<Out> {
    trig_op(a, TrigFn::Tan, env)
}

/// 2^x - 1.
pub fn f2xm1_val(a: u128, env: &Env) -> Out {
    if let Some(o) = nan1(a) {
        return o;
    }
    let exact = |v| Out {
        val: v,
        flags: 0,
        up: false,
    };
    match classify(a) {
        Class::Zero => return exact(a),
        Class::Infinity => {
            return exact(if is_neg(a) {
                0xbfff_8000_0000_0000_0000
            } else {
                a
            })
        }
        _ => {}
    }
    // 2^1 - 1 and 2^-1 - 1 are exact (but PE is reported, as for all nonzero
    // results).
    let pe = |v| Out {
        val: v,
        flags: PE,
        up: false,
    };
    match a {
        0x3fff_8000_0000_0000_0000 => return pe(a),
        0xbfff_8000_0000_0000_0000 => return pe(0xbffe_8000_0000_0000_0000),
        _ => {}
    }
    let de = if classify(a) == Class::Denormal {
        DE
    } else {
        0
    };
    let c = consts();
    let f = fin(a);
    let x = q_of(a);
    if f.exp < -200 {
        // 2^x - 1 = x ln2 (1 + x ln2 / 2 + ...), the correction is below 2^-200;
        // scaled to keep full precision for tiny (denormal) x.
        let v = mul(x.scalbn(-f.exp), c.ln2);
        return round_q_scaled(v, f.exp, 0, env, de);
    }
    let v = if f.exp < 0 {
        expm1_series(mul(x, c.ln2))
    } else if f.exp > 15 {
        // Far outside the architectural range: overflow or -1.
        if f.neg {
            sub(q(1).scalbn(-200), q(1))
        } else {
            q(1).scalbn(20000)
        }
    } else {
        // 2^x = 2^n * 2^(x - n)
        let n = x
            .round_to_integral(rustc_apfloat::Round::NearestTiesToEven)
            .value;
        let frac = sub(x, n);
        let p = add(q(1), expm1_series(mul(frac, c.ln2)));
        let ni = n.to_i128(32).value as i32;
        sub(p.scalbn(ni), q(1))
    };
    round_q(v, 0, env, de)
}

/// y * log2(x) (FYL2X) or y * log2(x + 1) (FYL2XP1).
pub fn yl2x_val(y: u128, x: u128, plus1: bool, env: &Env) -> Out {
    if let Some(o) = nan2(y, x) {
        return o;
    }
    let (cy, cx) = (classify(y), classify(x));
    let de = if cy == Class::Denormal || cx == Class::Denormal {
        DE
    } else {
        0
    };
    let invalid = Out {
        val: INDEFINITE,
        flags: IE,
        up: false,
    };
    let xq = q_of(x);
    // The argument of log2, and its class: L = log2(arg) is -inf, +-0, finite or +inf.
    let arg = if plus1 { add(xq, q(1)) } else { xq };
    if arg.is_negative() && !arg.is_zero() {
        return invalid;
    }
    if cx == Class::Infinity && is_neg(x) {
        return invalid;
    }
    // log2 of exactly one: +0 (or the sign of x for FYL2XP1(+-0)).
    let l_zero = if plus1 {
        cx == Class::Zero
    } else {
        arg.bitwise_eq(q(1))
    };
    let l_neg_inf = arg.is_zero();
    let l_inf = cx == Class::Infinity;
    let sy = is_neg(y);
    if l_zero {
        if cy == Class::Infinity {
            return invalid;
        }
        // +-0 * y; for FYL2XP1 the zero has x's sign.
        let lneg = plus1 && is_neg(x);
        return Out {
            val: zero(sy ^ lneg),
            flags: de,
            up: false,
        };
    }
    if l_neg_inf || l_inf {
        if cy == Class::Zero {
            return invalid;
        }
        let neg = sy ^ l_neg_inf;
        let flags = if l_neg_inf && cy != Class::Infinity {
            ZE
        } else {
            de
        };
        return Out {
            val: inf(neg),
            flags,
            up: false,
        };
    }
    // log2 of a positive finite value other than 1, as l * 2^el (scaled so that
    // tiny values keep binary128's full precision).
    let xe = if plus1 { fin(x).exp } else { 0 };
    let (l, el) = if plus1 && xe < -200 {
        // log2(1 + x) = log2(e) * x * (1 - x/2 + ...), and x/2 is below 2^-200.
        (mul(consts().log2e, xq.scalbn(-xe)), xe)
    } else if plus1 && xe < -1 {
        // log2(1 + x) = 2 log2(e) atanh(x / (2 + x)) keeps full relative accuracy.
        let s = div(xq, add(q(2), xq));
        (mul(mul(atanh_series(s), consts().log2e), q(2)), 0)
    } else {
        (log2_q(arg), 0)
    };
    if cy == Class::Infinity {
        return Out {
            val: inf(sy ^ l.is_negative()),
            flags: de,
            up: false,
        };
    }
    if cy == Class::Zero {
        return Out {
            val: zero(sy ^ l.is_negative()),
            flags: de,
            up: false,
        };
    }
    // A power of two (FYL2X): L is an exact integer and so is y * L's product.
    // y is scaled to keep the product inside binary128's exponent range.
    let yq = q_of(y);
    let ey = yq.ilogb();
    round_q_scaled(mul(yq.scalbn(-ey), l), ey + el, 0, env, de)
}

/// atan2(y, x) as FPATAN computes it (ST(1) = y, ST(0) = x).
pub fn atan2_val(y: u128, x: u128, env: &Env) -> Out {
    if let Some(o) = nan2(y, x) {
        return o;
    }
    let (cy, cx) = (classify(y), classify(x));
    let de = if cy == Class::Denormal || cx == Class::Denormal {
        DE
    } else {
        0
    };
    let c = consts();
    let (sy, sx) = (is_neg(y), is_neg(x));
    let signed = |v: Q| if sy { -v } else { v };
    let exact = |v: u128| Out {
        val: v,
        flags: de,
        up: false,
    };
    // Magnitude of the result before the sign of y.
    let t: Q = match (cy, cx) {
        (Class::Infinity, Class::Infinity) => {
            if sx {
                mul(c.quarter_pi, q(3))
            } else {
                c.quarter_pi
            }
        }
        (Class::Infinity, _) => c.half_pi,
        (_, Class::Infinity) | (Class::Zero, _) => {
            if sx {
                c.pi
            } else {
                return exact(zero(sy));
            }
        }
        (_, Class::Zero) => c.half_pi,
        _ => {
            let (a, b) = (q_of(y).abs(), q_of(x).abs());
            let (ea, eb) = (a.ilogb(), b.ilogb());
            if !sx && ea - eb < -200 {
                // atan(z) = z (1 - z^2/3 ...) for tiny z = a/b, which may be far
                // below binary128's range: divide the scaled significands.
                let z = div(a.scalbn(-ea), b.scalbn(-eb));
                return round_q_scaled(signed(z), ea - eb, -1, env, de);
            }
            let mut t = if a <= b {
                atan01(div(a, b))
            } else {
                sub(c.half_pi, atan01(div(b, a)))
            };
            if sx {
                t = sub(c.pi, t);
            }
            return round_q(signed(t), if sx { 0 } else { -1 }, env, de);
        }
    };
    round_q(signed(t), 0, env, de)
}

/// atan(z) for 0 <= z <= 1.
fn atan01(z: Q) -> Q {
    let lim = q(0x6a09_e667_f3bc_c908_b2fb_1366_ea95_7d3e).scalbn(-128); // sqrt(2) - 1
    if z > lim {
        let u = div(sub(z, q(1)), add(z, q(1)));
        add(consts().quarter_pi, atan_series(u))
    } else {
        atan_series(z)
    }
}

// ---------------------------------------------------------------------------------
// Instruction handlers.

/// FSIN, FCOS, FSINCOS.
pub fn fsincos(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    let m = i.mnemonic();
    let x = &mut cpu.state.x87;
    if !valid(x, 0) {
        if underflow(x) {
            set_st(x, 0, INDEFINITE);
            if m == M::Fsincos {
                push(x, INDEFINITE);
            }
        }
        return Ok(());
    }
    if m == M::Fsincos && valid(x, 7) {
        if overflow(x) {
            set_st(x, 0, INDEFINITE);
            push(x, INDEFINITE);
        }
        return Ok(());
    }
    let a = st(x, 0);
    let env = Env::full(x.fcw);
    let first = if m == M::Fcos {
        cos(a, &env)
    } else {
        sin(a, &env)
    };
    let Some(o) = first else {
        set_cc(x, C2, C2);
        return Ok(());
    };
    if m == M::Fsincos {
        let c = cos(a, &env).unwrap_or(o);
        let flags = o.flags | c.flags;
        if unmasked(x, flags) & (IE | DE) != 0 {
            raise(x, (flags & (IE | DE)) as u16);
            return Ok(());
        }
        raise(x, flags as u16);
        // C1 reports the rounding of the sine (as the host does).
        set_cc(x, C1 | C2, if o.up { C1 } else { 0 });
        set_st(x, 0, o.val);
        push(x, c.val);
        return Ok(());
    }
    if let Some(v) = commit(x, o) {
        set_st(x, 0, v);
        set_cc(x, C2, 0);
    }
    Ok(())
}

pub fn fptan(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    wait_check(cpu)?;
    let x = &mut cpu.state.x87;
    if !valid(x, 0) {
        if underflow(x) {
            set_st(x, 0, INDEFINITE);
            push(x, INDEFINITE);
        }
        return Ok(());
    }
    if valid(x, 7) {
        if overflow(x) {
            set_st(x, 0, INDEFINITE);
            push(x, INDEFINITE);
        }
        return Ok(());
    }
    let a = st(x, 0);
    let Some(o) = tan(a, &Env::full(x.fcw)) else {
        set_cc(x, C2, C2);
        return Ok(());
    };
    if let Some(v) = commit(x, o) {
        set_st(x, 0, v);
        // A NaN result is pushed again instead of 1.0 (as the host does).
        let one = if matches!(classify(v), Class::QNaN | Class::SNaN) {
            v
        } else {
            0x3fff_8000_0000_0000_0000
        };
        push(x, one);
        set_cc(x, C2, 0);
    }
    Ok(())
}

/// Two-operand transcendentals: ST(1) = f(ST(1), ST(0)), then pop.
fn binary_pop(cpu: &mut Cpu, f: impl FnOnce(u128, u128, &Env) -> Out) -> Result<(), Trap> {
    wait_check(cpu)?;
    let x = &mut cpu.state.x87;
    if !valid(x, 0) || !valid(x, 1) {
        if underflow(x) {
            set_st(x, 1, INDEFINITE);
            pop(x);
        }
        return Ok(());
    }
    let o = f(st(x, 1), st(x, 0), &Env::full(x.fcw));
    if let Some(v) = commit(x, o) {
        set_st(x, 1, v);
        pop(x);
    }
    Ok(())
}

pub fn fpatan(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    binary_pop(cpu, atan2_val)
}

/// FYL2X and FYL2XP1.
pub fn fyl2x(cpu: &mut Cpu, i: &Instruction) -> Result<(), Trap> {
    let plus1 = i.mnemonic() == M::Fyl2xp1;
    binary_pop(cpu, |y, x, env| yl2x_val(y, x, plus1, env))
}

pub fn f2xm1(cpu: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    super::unary(cpu, |a, fcw| f2xm1_val(a, &Env::full(fcw)))
}
