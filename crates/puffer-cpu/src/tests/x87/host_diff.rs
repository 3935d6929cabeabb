//! Differential test of the arithmetic core against the host's x87 (20,000 cases
//! by default; `X87_DIFF_N=1000000 cargo test -p puffer-cpu host_diff` for more). Random operands, biased towards specials, denormals, unsupported formats
//! and boundary exponents, go through the real FPU with inline assembly and through
//! `exec::x87::float`, under random precision/rounding control and exception
//! masks; results, exception flags and C1 must agree bit for bit. Where the SDM
//! leaves a choice, `float` runs with the host vendor's [`Flavor`], so the test
//! holds on Intel and AMD hosts alike.

use crate::exec::x87::float::{self, Env, Flavor, Out, DE, F32, F64, IE, OE, UE, ZE};
use std::arch::asm;

/// `fninit; fld b; fld a; fldcw cw; OP; fnstsw; fnclex; fldcw 0x37f; fstp`.
macro_rules! host_op {
    ($name:ident, $op:literal) => {
        fn $name(cw: u16, a: u128, b: u128) -> (u128, u16) {
            let (ab, bb) = (a.to_le_bytes(), b.to_le_bytes());
            let mut out = [0u8; 16];
            let mut sw: u16 = 0;
            let masked: u16 = 0x37f;
            // SAFETY: the FPU is reinitialised around the sequence and all x87
            // registers are declared clobbered; the pointers are to live buffers.
            unsafe {
                asm!(
                    "fninit", "fld tbyte ptr [{b}]", "fld tbyte ptr [{a}]",
                    "fldcw word ptr [{cw}]", "fnclex", $op, "fnstsw word ptr [{sw}]",
                    "fnclex", "fldcw word ptr [{m}]", "fstp tbyte ptr [{o}]", "fninit",
                    a = in(reg) ab.as_ptr(), b = in(reg) bb.as_ptr(), cw = in(reg) &cw,
                    sw = in(reg) &mut sw, m = in(reg) &masked, o = in(reg) out.as_mut_ptr(),
                    out("st(0)") _, out("st(1)") _, out("st(2)") _, out("st(3)") _,
                    out("st(4)") _, out("st(5)") _, out("st(6)") _, out("st(7)") _,
                );
            }
            (u128::from_le_bytes(out) & ((1 << 80) - 1), sw)
        }
    };
}
host_op!(h_add, "fadd st(0), st(1)");
host_op!(h_sub, "fsub st(0), st(1)");
host_op!(h_mul, "fmul st(0), st(1)");
host_op!(h_div, "fdiv st(0), st(1)");
host_op!(h_sqrt, "fsqrt");
host_op!(h_rndint, "frndint");
host_op!(h_scale, "fscale");
host_op!(h_prem, "fprem");
host_op!(h_prem1, "fprem1");

/// `fninit; fld a; fldcw cw; OP [mem]; fnstsw`.
macro_rules! host_store {
    ($name:ident, $op:literal) => {
        fn $name(cw: u16, a: u128) -> (u64, u16) {
            let ab = a.to_le_bytes();
            let mut o: u64 = 0x5555_5555_5555_5555;
            let mut sw: u16 = 0;
            // SAFETY: as in `host_op`.
            unsafe {
                asm!(
                    "fninit", "fld tbyte ptr [{a}]", "fldcw word ptr [{cw}]", "fnclex",
                    $op, "fnstsw word ptr [{sw}]", "fninit",
                    a = in(reg) ab.as_ptr(), cw = in(reg) &cw, o = in(reg) &mut o,
                    sw = in(reg) &mut sw,
                    out("st(0)") _, out("st(1)") _, out("st(2)") _, out("st(3)") _,
                    out("st(4)") _, out("st(5)") _, out("st(6)") _, out("st(7)") _,
                );
            }
            (o, sw)
        }
    };
}
host_store!(h_st32, "fst dword ptr [{o}]");
host_store!(h_st64, "fst qword ptr [{o}]");
host_store!(h_ist16, "fist word ptr [{o}]");
host_store!(h_ist64, "fistp qword ptr [{o}]");

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn sig(&mut self) -> u64 {
        match self.below(6) {
            0 => 1 << 63,
            1 => u64::MAX,
            2 => (1 << 63) | (self.next() >> (1 + self.below(63))),
            3 => u64::MAX << self.below(64) | 1 << 63,
            _ => (1 << 63) | self.next(),
        }
    }
    fn f80(&mut self) -> u128 {
        let neg = (self.next() & 1) as u128;
        let (e, s): (u64, u64) = match self.below(16) {
            0 => (0, 0),
            1 => (0x7fff, 1 << 63),
            2 => (0x7fff, (3 << 62) | (self.next() >> 3)),
            3 => (0x7fff, (1 << 63) | (self.next() >> 3) | 1),
            4 => (0, self.sig() >> self.below(64)),
            5 => (1 + self.below(40), self.sig()),
            6 => (0x7ffe - self.below(40), self.sig()),
            7 => (self.below(0x7fff), self.sig() >> 1),
            8 => (0x3fff - 1022 + self.below(6) - 3, self.sig()),
            9 => (0x3fff - 1074 + self.below(60) - 30, self.sig()),
            10 => (0x3fff - 149 + self.below(40) - 20, self.sig()),
            11 => (0x3fff + self.below(70), self.sig()),
            _ => (0x3fff - 20 + self.below(40), self.sig()),
        };
        neg << 79 | (e as u128) << 64 | s as u128
    }
    fn cw(&mut self) -> u16 {
        let masks = if self.below(4) == 0 {
            self.next() as u16 & 0x3f
        } else {
            0x3f
        };
        0x40 | (self.below(4) as u16) << 10 | (self.below(4) as u16) << 8 | masks
    }
}

/// The instruction-level response to `o` (what the handlers do with it).
fn apply(cw: u16, a: u128, o: Out) -> (u128, u16) {
    let unmasked = o.flags & !(cw as u8) & 0x3f;
    if unmasked & (IE | ZE) != 0 {
        return (a, o.flags as u16);
    }
    if unmasked & DE != 0 {
        return (a, DE as u16);
    }
    (o.val, o.flags as u16 | if o.up { 0x200 } else { 0 })
}

fn store_response(cw: u16, v: u64, flags: u8, up: bool) -> (u64, u16) {
    if flags & !(cw as u8) & (IE | OE | UE) != 0 {
        return (0x5555_5555_5555_5555, (flags & !0x20) as u16);
    }
    (v, flags as u16 | if up { 0x200 } else { 0 })
}

/// The host CPU's vendor choices, from CPUID leaf 0.
fn host_flavor() -> Flavor {
    let r = core::arch::x86_64::__cpuid(0);
    if (r.ebx, r.edx, r.ecx) == (0x6874_7541, 0x6974_6e65, 0x444d_4163) {
        Flavor::Amd
    } else {
        Flavor::Intel
    }
}

#[test]
fn host_diff() {
    let n: u64 = std::env::var("X87_DIFF_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let mut r = Rng(0x1234_5678_9abc_def1);
    let mut bad = 0;
    let mask = 0x473f; // C3 C2 C1 C0 and the exception flags
    for _ in 0..n {
        let cw = r.cw();
        let (a, b) = (r.f80(), r.f80());
        let flavor = host_flavor();
        let pc = Env {
            flavor,
            ..Env::pc(cw)
        };
        let full = Env {
            flavor,
            ..Env::full(cw)
        };
        let binops: [(&str, fn(u16, u128, u128) -> (u128, u16), Out); 7] = [
            ("fadd", h_add, float::add(a, b, false, &pc)),
            ("fsub", h_sub, float::add(a, b, true, &pc)),
            ("fmul", h_mul, float::mul(a, b, &pc)),
            ("fdiv", h_div, float::div(a, b, &pc)),
            ("fsqrt", h_sqrt, float::sqrt(a, &pc)),
            ("frndint", h_rndint, float::round_int(a, &full)),
            ("fscale", h_scale, float::scale(a, b, &full)),
        ];
        for (name, host, o) in binops {
            let (hv, hsw) = host(cw, a, b);
            let (mv, msw) = apply(cw, a, o);
            if (hv, hsw & mask) != (mv, msw & mask) {
                bad += 1;
                println!("{name} cw={cw:04x} a={a:020x} b={b:020x}: host {hv:020x}/{hsw:04x} mine {mv:020x}/{msw:04x}");
            }
        }
        for (name, host, ieee) in [
            ("fprem", h_prem as fn(_, _, _) -> _, false),
            ("fprem1", h_prem1, true),
        ] {
            let p = float::prem(a, b, ieee, &full);
            let o = Out {
                val: p.val,
                flags: p.flags,
                up: false,
            };
            let (mv, mut msw) = apply(cw, a, o);
            if p.flags & !(cw as u8) & (IE | DE | ZE) == 0 {
                let q = p.q.unwrap_or(0) as u16;
                msw |= (p.incomplete as u16) << 10
                    | (q & 1) << 9
                    | (q >> 1 & 1) << 14
                    | (q >> 2 & 1) << 8;
            }
            let (hv, hsw) = host(cw, a, b);
            if (hv, hsw & mask) != (mv, msw & mask) {
                bad += 1;
                println!("{name} cw={cw:04x} a={a:020x} b={b:020x}: host {hv:020x}/{hsw:04x} mine {mv:020x}/{msw:04x}");
            }
        }
        let stores: [(&str, fn(u16, u128) -> (u64, u16), (u64, u8, bool)); 4] = [
            ("fst m32", h_st32, {
                let (v, f, u) = float::to_ieee(a, F32, &full);
                (v | 0x5555_5555_0000_0000, f, u)
            }),
            ("fst m64", h_st64, float::to_ieee(a, F64, &full)),
            ("fist m16", h_ist16, {
                let (v, f, u) = float::to_int(a, 16, &full);
                (v as u16 as u64 | 0x5555_5555_5555_0000, f, u)
            }),
            ("fistp m64", h_ist64, {
                let (v, f, u) = float::to_int(a, 64, &full);
                (v as u64, f, u)
            }),
        ];
        for (name, host, (v, f, up)) in stores {
            let (hv, hsw) = host(cw, a);
            let (mv, msw) = store_response(cw, v, f, up);
            if (hv, hsw & mask) != (mv, msw & mask) {
                bad += 1;
                println!("{name} cw={cw:04x} a={a:020x}: host {hv:016x}/{hsw:04x} mine {mv:016x}/{msw:04x}");
            }
        }
    }
    assert_eq!(bad, 0);
}
