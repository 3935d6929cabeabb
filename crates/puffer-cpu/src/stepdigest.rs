//! The digest of a step trace, shared by the recorder (`cargo xtask fixtures`, which
//! single-steps the host CPU) and the checker (crates/puffer-cli/tests/steptrace.rs,
//! which reads `puffer trace`): both must fold a step into the hash in exactly the same
//! way, so the definition lives here once. See xtask/src/steptrace.rs for the format.

use iced_x86::{Decoder, DecoderOptions, RflagsBits};

/// Where the stack ends with ASLR off; values near it are folded relative to the
/// initial RSP so that the host's and puffer's stacks may differ in placement.
pub const STACK_TOP: u64 = 0x7fff_ffff_f000;
/// CF PF AF ZF SF OF DF: the flags compared.
pub const DEFINED: u64 = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x400 | 0x800;
/// FNV-1a 64 offset basis, the start of every block's hash.
pub const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;
/// Steps per digest line.
pub const BLOCK: u64 = 1000;

/// Flags `bytes` (one instruction) leaves undefined, in RFLAGS positions.
pub fn undefined_flags(poison: u64, bytes: &[u8], rcx: u64) -> u64 {
    let mut d = Decoder::new(64, bytes, DecoderOptions::NONE);
    let i = d.decode();
    if i.is_invalid() {
        return poison;
    }
    // A shift or rotate by 0 leaves every flag as it was.
    use iced_x86::{Mnemonic as M, OpKind};
    if matches!(
        i.mnemonic(),
        M::Shl | M::Sal | M::Shr | M::Sar | M::Rol | M::Ror | M::Rcl | M::Rcr | M::Shld | M::Shrd
    ) {
        let c = i.op_count() - 1;
        let count = match i.op_kind(c) {
            OpKind::Immediate8 => i.immediate8() as u64,
            _ => rcx & 0xff,
        };
        let wide = match i.op_kind(0) {
            OpKind::Register => i.op0_register().size() == 8,
            _ => i.memory_size().size() == 8,
        };
        if count & if wide { 0x3f } else { 0x1f } == 0 {
            return poison;
        }
    }
    let bits = |u: u32| {
        let mut m = 0;
        for (b, f) in [
            (RflagsBits::CF, 0x1),
            (RflagsBits::PF, 0x4),
            (RflagsBits::AF, 0x10),
            (RflagsBits::ZF, 0x40),
            (RflagsBits::SF, 0x80),
            (RflagsBits::OF, 0x800),
        ] {
            if u & b != 0 {
                m |= f;
            }
        }
        m
    };
    let defined = bits(i.rflags_written() | i.rflags_cleared() | i.rflags_set());
    (poison & !defined) | bits(i.rflags_undefined())
}

/// Fold one step's state (registers before the instruction) into the block hash.
pub fn fold(h: &mut u64, rip: u64, regs: &[u64; 16], rflags: u64, rsp0: u64, undef: u64) {
    let mut put = |v: u64| {
        for b in v.to_le_bytes() {
            *h ^= b as u64;
            *h = h.wrapping_mul(0x100_0000_01b3);
        }
    };
    put(rip);
    for &v in regs {
        let v = if (STACK_TOP - (16 << 20)..=STACK_TOP).contains(&v) {
            v.wrapping_sub(rsp0) ^ 0x5354_4b00_0000_0000
        } else {
            v
        };
        put(v);
    }
    put(rflags & DEFINED & !undef);
}
