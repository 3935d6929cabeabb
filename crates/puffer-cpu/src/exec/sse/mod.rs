//! SSE and SSE2: moves, integer and floating-point arithmetic on XMM registers,
//! conversions, MXCSR (Intel SDM Vol. 1, chapters 10 and 11).
//!
//! `handler` picks the semantics of an instruction once, at decode time, by its
//! `iced_x86::Code` (which already distinguishes the legacy SSE encodings from MMX,
//! VEX and EVEX ones) and operand kinds; the handlers are monomorphised per operation
//! and element type, so execution does not dispatch again.
//!
//! Sub-modules: `mov` (data movement, MXCSR, FXSAVE), `int` (SSE2 integer), `float`
//! (floating-point arithmetic and comparisons), `cvt` (conversions), and `fp` (the
//! IEEE-754 element semantics with MXCSR rounding, flags, DAZ and FTZ).
//!
//! Not implemented (#UD, as on a CPU whose CPUID lacks them): SSE3 and later, the MMX
//! register forms of SSE/SSE2 integer instructions (PADDQ mm, PAVGB mm, MASKMOVQ...).
//! CVTPI2PS/CVTPI2PD/CVT(T)PS2PI/CVT(T)PD2PI/MOVQ2DQ/MOVDQ2Q, which pair an MMX
//! register with an XMM register, are implemented.

mod cvt;
mod float;
mod fp;
mod int;
pub(crate) mod mov;

use super::Handler;
use crate::{Cpu, Trap};
use fp::Fp;
use iced_x86::{Code, Instruction, OpKind, Register};
use int::op;

/// The index of an XMM register.
#[inline(always)]
fn xi(r: Register) -> usize {
    (r as usize).wrapping_sub(Register::XMM0 as usize) & 15
}

/// The destination (operand 0) XMM register.
#[inline(always)]
fn dst(i: &Instruction) -> usize {
    xi(i.op0_register())
}

/// The effective address of a memory operand that must be 16-byte aligned (#GP
/// otherwise, as for every legacy SSE 128-bit operand but the MOVU* family).
#[inline(always)]
fn aligned(cpu: &Cpu, i: &Instruction) -> Result<u64, Trap> {
    let a = cpu.ea(i);
    if a & 15 != 0 {
        return Err(Trap::GeneralProtection);
    }
    Ok(a)
}

/// Operand `n` as xmm/m128, the memory form aligned.
#[inline(always)]
fn src_a(cpu: &mut Cpu, i: &Instruction, n: u32) -> Result<u128, Trap> {
    if i.op_kind(n) == OpKind::Register {
        return Ok(cpu.state.xmm[xi(i.op_register(n))]);
    }
    let a = aligned(cpu, i)?;
    cpu.load128(a)
}

/// Operand `n` as xmm/m64: the low quadword of the register or 8 bytes of memory.
#[inline(always)]
fn src64(cpu: &mut Cpu, i: &Instruction, n: u32) -> Result<u64, Trap> {
    if i.op_kind(n) == OpKind::Register {
        return Ok(cpu.state.xmm[xi(i.op_register(n))] as u64);
    }
    let a = cpu.ea(i);
    cpu.load::<8>(a)
}

/// Operand `n` as a scalar `T`: xmm/m32 or xmm/m64.
#[inline(always)]
fn src_scalar<T: Fp>(cpu: &mut Cpu, i: &Instruction, n: u32) -> Result<u64, Trap> {
    if i.op_kind(n) == OpKind::Register {
        return Ok(cpu.state.xmm[xi(i.op_register(n))] as u64 & T::ALL);
    }
    let a = cpu.ea(i);
    if T::BITS == 32 {
        cpu.load::<4>(a)
    } else {
        cpu.load::<8>(a)
    }
}

/// Record the exception flags `fl` of an instruction in MXCSR, or raise #XM if one
/// of them is unmasked. On #XM the destination must stay unwritten: callers commit
/// before they store the result. An unmasked pre-computation exception (IE, DE, ZE)
/// stops the instruction before the post-computation ones (OE, UE, PE) are detected.
#[inline(always)]
fn commit(cpu: &mut Cpu, fl: u32) -> Result<(), Trap> {
    if fl == 0 {
        return Ok(());
    }
    commit_flags(cpu, fl)
}

#[inline(never)]
fn commit_flags(cpu: &mut Cpu, fl: u32) -> Result<(), Trap> {
    let unmasked = fl & !(cpu.state.mxcsr >> 7) & 0x3f;
    if unmasked != 0 {
        let pre = fl & (fp::IE | fp::DE | fp::ZE);
        cpu.state.mxcsr |= if pre & unmasked != 0 { pre } else { fl };
        return Err(Trap::SimdFloatingPoint);
    }
    cpu.state.mxcsr |= fl;
    Ok(())
}

/// The handler for an SSE/SSE2 instruction, or `None` if this is not one.
pub fn handler(i: &Instruction) -> Option<Handler> {
    if i.has_lock_prefix() {
        return None;
    }
    let n = i.op_count();
    let mem0 = n > 0 && i.op0_kind() == OpKind::Memory;
    let mem1 = n > 1 && i.op1_kind() == OpKind::Memory;
    // A binary integer operation: the register form skips the operand-kind test.
    macro_rules! ib {
        ($op:expr) => {
            if mem1 {
                int::binop::<{ $op }> as Handler
            } else {
                int::binop_rr::<{ $op }> as Handler
            }
        };
    }
    use Code as C;
    let h: Handler = match i.code() {
        // ---------------------------------------------------------------- moves
        C::Movaps_xmm_xmmm128 | C::Movapd_xmm_xmmm128 | C::Movdqa_xmm_xmmm128 => {
            if mem1 {
                mov::load_a
            } else {
                mov::mov_xx
            }
        }
        C::Movups_xmm_xmmm128 | C::Movupd_xmm_xmmm128 | C::Movdqu_xmm_xmmm128 => {
            if mem1 {
                mov::load_u
            } else {
                mov::mov_xx
            }
        }
        C::Movaps_xmmm128_xmm | C::Movapd_xmmm128_xmm | C::Movdqa_xmmm128_xmm => {
            if mem0 {
                mov::store_a
            } else {
                mov::mov_xx
            }
        }
        C::Movups_xmmm128_xmm | C::Movupd_xmmm128_xmm | C::Movdqu_xmmm128_xmm => {
            if mem0 {
                mov::store_u
            } else {
                mov::mov_xx
            }
        }
        C::Movntps_m128_xmm | C::Movntpd_m128_xmm | C::Movntdq_m128_xmm => mov::store_a,
        C::Movnti_m32_r32 => mov::movnti::<4>,
        C::Movnti_m64_r64 => mov::movnti::<8>,
        C::Movss_xmm_xmmm32 => {
            if mem1 {
                mov::movss_load
            } else {
                mov::movss_merge
            }
        }
        C::Movss_xmmm32_xmm => {
            if mem0 {
                mov::store_lo32
            } else {
                mov::movss_merge
            }
        }
        C::Movsd_xmm_xmmm64 => {
            if mem1 {
                mov::movsd_load
            } else {
                mov::movsd_merge
            }
        }
        C::Movsd_xmmm64_xmm => {
            if mem0 {
                mov::store_lo64
            } else {
                mov::movsd_merge
            }
        }
        C::Movhlps_xmm_xmm => mov::movhlps,
        C::Movlhps_xmm_xmm => mov::movlhps,
        C::Movlps_xmm_m64 | C::Movlpd_xmm_m64 => mov::movlps_load,
        C::Movlps_m64_xmm | C::Movlpd_m64_xmm => mov::store_lo64,
        C::Movhps_xmm_m64 | C::Movhpd_xmm_m64 => mov::movhps_load,
        C::Movhps_m64_xmm | C::Movhpd_m64_xmm => mov::store_hi64,
        C::Movd_xmm_rm32 => mov::movd_x_rm::<4>,
        C::Movq_xmm_rm64 => mov::movd_x_rm::<8>,
        C::Movd_rm32_xmm => mov::movd_rm_x::<4>,
        C::Movq_rm64_xmm => mov::movd_rm_x::<8>,
        C::Movq_xmm_xmmm64 => mov::movq_x_xm,
        C::Movq_xmmm64_xmm => {
            if mem0 {
                mov::store_lo64
            } else {
                mov::movq_x_xm
            }
        }
        C::Maskmovdqu_rDI_xmm_xmm => mov::maskmovdqu,
        C::Movmskps_r32_xmm | C::Movmskps_r64_xmm => mov::movmskps,
        C::Movmskpd_r32_xmm | C::Movmskpd_r64_xmm => mov::movmskpd,
        C::Pmovmskb_r32_xmm | C::Pmovmskb_r64_xmm => mov::pmovmskb,
        C::Ldmxcsr_m32 => mov::ldmxcsr,
        C::Stmxcsr_m32 => mov::stmxcsr,
        C::Fxsave_m512byte | C::Fxsave64_m512byte => mov::fxsave,
        C::Fxrstor_m512byte | C::Fxrstor64_m512byte => mov::fxrstor,
        C::Emms => mov::emms,
        C::Movq2dq_xmm_mm => cvt::movq2dq,
        C::Movdq2q_mm_xmm => cvt::movdq2q,

        // -------------------------------------------------------------- integer
        C::Paddb_xmm_xmmm128 => ib!(op::PADDB),
        C::Paddw_xmm_xmmm128 => ib!(op::PADDW),
        C::Paddd_xmm_xmmm128 => ib!(op::PADDD),
        C::Paddq_xmm_xmmm128 => ib!(op::PADDQ),
        C::Psubb_xmm_xmmm128 => ib!(op::PSUBB),
        C::Psubw_xmm_xmmm128 => ib!(op::PSUBW),
        C::Psubd_xmm_xmmm128 => ib!(op::PSUBD),
        C::Psubq_xmm_xmmm128 => ib!(op::PSUBQ),
        C::Paddsb_xmm_xmmm128 => ib!(op::PADDSB),
        C::Paddsw_xmm_xmmm128 => ib!(op::PADDSW),
        C::Paddusb_xmm_xmmm128 => ib!(op::PADDUSB),
        C::Paddusw_xmm_xmmm128 => ib!(op::PADDUSW),
        C::Psubsb_xmm_xmmm128 => ib!(op::PSUBSB),
        C::Psubsw_xmm_xmmm128 => ib!(op::PSUBSW),
        C::Psubusb_xmm_xmmm128 => ib!(op::PSUBUSB),
        C::Psubusw_xmm_xmmm128 => ib!(op::PSUBUSW),
        C::Pmullw_xmm_xmmm128 => ib!(op::PMULLW),
        C::Pmulhw_xmm_xmmm128 => ib!(op::PMULHW),
        C::Pmulhuw_xmm_xmmm128 => ib!(op::PMULHUW),
        C::Pmuludq_xmm_xmmm128 => ib!(op::PMULUDQ),
        C::Pmaddwd_xmm_xmmm128 => ib!(op::PMADDWD),
        C::Pavgb_xmm_xmmm128 => ib!(op::PAVGB),
        C::Pavgw_xmm_xmmm128 => ib!(op::PAVGW),
        C::Pminub_xmm_xmmm128 => ib!(op::PMINUB),
        C::Pmaxub_xmm_xmmm128 => ib!(op::PMAXUB),
        C::Pminsw_xmm_xmmm128 => ib!(op::PMINSW),
        C::Pmaxsw_xmm_xmmm128 => ib!(op::PMAXSW),
        C::Psadbw_xmm_xmmm128 => ib!(op::PSADBW),
        C::Pcmpeqb_xmm_xmmm128 => ib!(op::PCMPEQB),
        C::Pcmpeqw_xmm_xmmm128 => ib!(op::PCMPEQW),
        C::Pcmpeqd_xmm_xmmm128 => ib!(op::PCMPEQD),
        C::Pcmpgtb_xmm_xmmm128 => ib!(op::PCMPGTB),
        C::Pcmpgtw_xmm_xmmm128 => ib!(op::PCMPGTW),
        C::Pcmpgtd_xmm_xmmm128 => ib!(op::PCMPGTD),
        C::Pand_xmm_xmmm128 | C::Andps_xmm_xmmm128 | C::Andpd_xmm_xmmm128 => ib!(op::PAND),
        C::Pandn_xmm_xmmm128 | C::Andnps_xmm_xmmm128 | C::Andnpd_xmm_xmmm128 => {
            ib!(op::PANDN)
        }
        C::Por_xmm_xmmm128 | C::Orps_xmm_xmmm128 | C::Orpd_xmm_xmmm128 => ib!(op::POR),
        C::Pxor_xmm_xmmm128 | C::Xorps_xmm_xmmm128 | C::Xorpd_xmm_xmmm128 => ib!(op::PXOR),
        C::Punpcklbw_xmm_xmmm128 => ib!(op::PUNPCKLBW),
        C::Punpcklwd_xmm_xmmm128 => ib!(op::PUNPCKLWD),
        C::Punpckldq_xmm_xmmm128 | C::Unpcklps_xmm_xmmm128 => ib!(op::PUNPCKLDQ),
        C::Punpcklqdq_xmm_xmmm128 | C::Unpcklpd_xmm_xmmm128 => ib!(op::PUNPCKLQDQ),
        C::Punpckhbw_xmm_xmmm128 => ib!(op::PUNPCKHBW),
        C::Punpckhwd_xmm_xmmm128 => ib!(op::PUNPCKHWD),
        C::Punpckhdq_xmm_xmmm128 | C::Unpckhps_xmm_xmmm128 => ib!(op::PUNPCKHDQ),
        C::Punpckhqdq_xmm_xmmm128 | C::Unpckhpd_xmm_xmmm128 => ib!(op::PUNPCKHQDQ),
        C::Packsswb_xmm_xmmm128 => ib!(op::PACKSSWB),
        C::Packssdw_xmm_xmmm128 => ib!(op::PACKSSDW),
        C::Packuswb_xmm_xmmm128 => ib!(op::PACKUSWB),
        C::Psllw_xmm_xmmm128 | C::Psllw_xmm_imm8 => int::shift::<{ op::PSLLW }>,
        C::Pslld_xmm_xmmm128 | C::Pslld_xmm_imm8 => int::shift::<{ op::PSLLD }>,
        C::Psllq_xmm_xmmm128 | C::Psllq_xmm_imm8 => int::shift::<{ op::PSLLQ }>,
        C::Psrlw_xmm_xmmm128 | C::Psrlw_xmm_imm8 => int::shift::<{ op::PSRLW }>,
        C::Psrld_xmm_xmmm128 | C::Psrld_xmm_imm8 => int::shift::<{ op::PSRLD }>,
        C::Psrlq_xmm_xmmm128 | C::Psrlq_xmm_imm8 => int::shift::<{ op::PSRLQ }>,
        C::Psraw_xmm_xmmm128 | C::Psraw_xmm_imm8 => int::shift::<{ op::PSRAW }>,
        C::Psrad_xmm_xmmm128 | C::Psrad_xmm_imm8 => int::shift::<{ op::PSRAD }>,
        C::Pslldq_xmm_imm8 => int::shift::<{ op::PSLLDQ }>,
        C::Psrldq_xmm_imm8 => int::shift::<{ op::PSRLDQ }>,
        C::Pshufd_xmm_xmmm128_imm8 => int::pshuf::<{ op::PSHUFD }>,
        C::Pshuflw_xmm_xmmm128_imm8 => int::pshuf::<{ op::PSHUFLW }>,
        C::Pshufhw_xmm_xmmm128_imm8 => int::pshuf::<{ op::PSHUFHW }>,
        C::Pinsrw_xmm_r32m16_imm8 | C::Pinsrw_xmm_r64m16_imm8 => int::pinsrw,
        C::Pextrw_r32_xmm_imm8 | C::Pextrw_r64_xmm_imm8 => int::pextrw,

        // ------------------------------------------------------- floating point
        C::Addps_xmm_xmmm128 => float::add::<f32, true>,
        C::Addpd_xmm_xmmm128 => float::add::<f64, true>,
        C::Addss_xmm_xmmm32 => float::add::<f32, false>,
        C::Addsd_xmm_xmmm64 if !mem1 => float::arith_sd_rr::<0>,
        C::Addsd_xmm_xmmm64 => float::add::<f64, false>,
        C::Subps_xmm_xmmm128 => float::sub::<f32, true>,
        C::Subpd_xmm_xmmm128 => float::sub::<f64, true>,
        C::Subss_xmm_xmmm32 => float::sub::<f32, false>,
        C::Subsd_xmm_xmmm64 if !mem1 => float::arith_sd_rr::<1>,
        C::Subsd_xmm_xmmm64 => float::sub::<f64, false>,
        C::Mulps_xmm_xmmm128 => float::mul::<f32, true>,
        C::Mulpd_xmm_xmmm128 => float::mul::<f64, true>,
        C::Mulss_xmm_xmmm32 => float::mul::<f32, false>,
        C::Mulsd_xmm_xmmm64 if !mem1 => float::arith_sd_rr::<2>,
        C::Mulsd_xmm_xmmm64 => float::mul::<f64, false>,
        C::Divps_xmm_xmmm128 => float::div::<f32, true>,
        C::Divpd_xmm_xmmm128 => float::div::<f64, true>,
        C::Divss_xmm_xmmm32 => float::div::<f32, false>,
        C::Divsd_xmm_xmmm64 if !mem1 => float::arith_sd_rr::<3>,
        C::Divsd_xmm_xmmm64 => float::div::<f64, false>,
        C::Minps_xmm_xmmm128 => float::min::<f32, true>,
        C::Minpd_xmm_xmmm128 => float::min::<f64, true>,
        C::Minss_xmm_xmmm32 => float::min::<f32, false>,
        C::Minsd_xmm_xmmm64 => float::min::<f64, false>,
        C::Maxps_xmm_xmmm128 => float::max::<f32, true>,
        C::Maxpd_xmm_xmmm128 => float::max::<f64, true>,
        C::Maxss_xmm_xmmm32 => float::max::<f32, false>,
        C::Maxsd_xmm_xmmm64 => float::max::<f64, false>,
        C::Sqrtps_xmm_xmmm128 => float::sqrt::<f32, true>,
        C::Sqrtpd_xmm_xmmm128 => float::sqrt::<f64, true>,
        C::Sqrtss_xmm_xmmm32 => float::sqrt::<f32, false>,
        C::Sqrtsd_xmm_xmmm64 => float::sqrt::<f64, false>,
        C::Rcpps_xmm_xmmm128 => float::rcp::<true>,
        C::Rcpss_xmm_xmmm32 => float::rcp::<false>,
        C::Rsqrtps_xmm_xmmm128 => float::rsqrt::<true>,
        C::Rsqrtss_xmm_xmmm32 => float::rsqrt::<false>,
        C::Cmpps_xmm_xmmm128_imm8 => float::cmp::<f32, true>,
        C::Cmppd_xmm_xmmm128_imm8 => float::cmp::<f64, true>,
        C::Cmpss_xmm_xmmm32_imm8 => float::cmp::<f32, false>,
        C::Cmpsd_xmm_xmmm64_imm8 => float::cmp::<f64, false>,
        C::Comiss_xmm_xmmm32 => float::comi::<f32, true>,
        C::Comisd_xmm_xmmm64 => float::comi::<f64, true>,
        C::Ucomiss_xmm_xmmm32 => float::comi::<f32, false>,
        C::Ucomisd_xmm_xmmm64 => float::comi::<f64, false>,
        C::Shufps_xmm_xmmm128_imm8 => float::shufps,
        C::Shufpd_xmm_xmmm128_imm8 => float::shufpd,

        // ---------------------------------------------------------- conversions
        C::Cvtsi2ss_xmm_rm32 => cvt::cvtsi2f::<f32, 4>,
        C::Cvtsi2ss_xmm_rm64 => cvt::cvtsi2f::<f32, 8>,
        C::Cvtsi2sd_xmm_rm32 => cvt::cvtsi2f::<f64, 4>,
        C::Cvtsi2sd_xmm_rm64 => cvt::cvtsi2f::<f64, 8>,
        C::Cvtss2si_r32_xmmm32 => cvt::cvtf2si::<f32, false, false>,
        C::Cvtss2si_r64_xmmm32 => cvt::cvtf2si::<f32, true, false>,
        C::Cvttss2si_r32_xmmm32 => cvt::cvtf2si::<f32, false, true>,
        C::Cvttss2si_r64_xmmm32 => cvt::cvtf2si::<f32, true, true>,
        C::Cvtsd2si_r32_xmmm64 => cvt::cvtf2si::<f64, false, false>,
        C::Cvtsd2si_r64_xmmm64 => cvt::cvtf2si::<f64, true, false>,
        C::Cvttsd2si_r32_xmmm64 => cvt::cvtf2si::<f64, false, true>,
        C::Cvttsd2si_r64_xmmm64 => cvt::cvtf2si::<f64, true, true>,
        C::Cvtss2sd_xmm_xmmm32 => cvt::cvtss2sd,
        C::Cvtsd2ss_xmm_xmmm64 => cvt::cvtsd2ss,
        C::Cvtdq2ps_xmm_xmmm128 => cvt::cvtdq2ps,
        C::Cvtdq2pd_xmm_xmmm64 => cvt::cvtdq2pd,
        C::Cvtps2dq_xmm_xmmm128 => cvt::cvtps2dq::<false>,
        C::Cvttps2dq_xmm_xmmm128 => cvt::cvtps2dq::<true>,
        C::Cvtpd2dq_xmm_xmmm128 => cvt::cvtpd2dq::<false>,
        C::Cvttpd2dq_xmm_xmmm128 => cvt::cvtpd2dq::<true>,
        C::Cvtps2pd_xmm_xmmm64 => cvt::cvtps2pd,
        C::Cvtpd2ps_xmm_xmmm128 => cvt::cvtpd2ps,
        C::Cvtpi2ps_xmm_mmm64 => cvt::cvtpi2ps,
        C::Cvtpi2pd_xmm_mmm64 => cvt::cvtpi2pd,
        C::Cvtps2pi_mm_xmmm64 => cvt::cvtps2pi::<false>,
        C::Cvttps2pi_mm_xmmm64 => cvt::cvtps2pi::<true>,
        C::Cvtpd2pi_mm_xmmm128 => cvt::cvtpd2pi::<false>,
        C::Cvttpd2pi_mm_xmmm128 => cvt::cvtpd2pi::<true>,
        _ => return None,
    };
    Some(h)
}
