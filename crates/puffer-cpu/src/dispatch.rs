//! The one place that maps a decoded instruction to its semantics. It runs once per
//! decoded instruction (at decode time), never per execution, so it can afford to look
//! at operand kinds and pick specialised handlers for the hottest forms.

use crate::exec::{
    alu, bits, control, misc, mov, muldiv, shift, sse, stack, string, unsupported, x87, Handler,
};
use crate::operand::op_size;
use iced_x86::{Code, Instruction, Mnemonic as M, OpKind};

/// A lazily-flagged shift of kind `$k` for operand size `$s`.
macro_rules! shift_lazy {
    ($k:ident, $s:expr) => {
        match $s {
            1 => shift::shift_lazy::<1, { shift::$k }> as Handler,
            2 => shift::shift_lazy::<2, { shift::$k }> as Handler,
            4 => shift::shift_lazy::<4, { shift::$k }> as Handler,
            _ => shift::shift_lazy::<8, { shift::$k }> as Handler,
        }
    };
}

/// Pick the instance of a size-generic handler for operand size `$s` (bytes).
macro_rules! sized {
    ($m:ident :: $f:ident, $s:expr) => {
        match $s {
            1 => $m::$f::<1> as Handler,
            2 => $m::$f::<2> as Handler,
            4 => $m::$f::<4> as Handler,
            _ => $m::$f::<8> as Handler,
        }
    };
}

/// An ALU handler for operand size `$s` and the operand form of `$i`.
macro_rules! alu {
    ($f:ident, $i:expr, $s:expr) => {{
        let form = alu_form($i);
        macro_rules! by_form {
            ($sz:literal) => {
                match form {
                    alu::RR => alu::$f::<$sz, { alu::RR }> as Handler,
                    alu::RI => alu::$f::<$sz, { alu::RI }> as Handler,
                    alu::RM => alu::$f::<$sz, { alu::RM }> as Handler,
                    _ => alu::$f::<$sz, { alu::ANY }> as Handler,
                }
            };
        }
        match $s {
            1 => by_form!(1),
            2 => by_form!(2),
            4 => by_form!(4),
            _ => by_form!(8),
        }
    }};
}

/// Which specialised form of a two-operand ALU instruction applies.
fn alu_form(i: &Instruction) -> u8 {
    let k0 = i.op0_kind();
    let k1 = i.op1_kind();
    // Byte registers go through the general path (AH..BH live in bits 8..16).
    let byte = op_size(i, 0) == 1;
    if k0 != OpKind::Register || byte {
        return alu::ANY;
    }
    match k1 {
        OpKind::Register => alu::RR,
        OpKind::Memory => alu::RM,
        _ => alu::RI,
    }
}

pub fn handler_for(i: &Instruction) -> Handler {
    if let Some(h) = integer(i) {
        return h;
    }
    if let Some(h) = sse::handler(i) {
        return h;
    }
    if let Some(h) = x87::handler(i) {
        return h;
    }
    unsupported
}

fn integer(i: &Instruction) -> Option<Handler> {
    let s0 = if i.op_count() > 0 { op_size(i, 0) } else { 8 };
    let reg0 = i.op_count() > 0 && i.op0_kind() == OpKind::Register;
    let h: Handler = match i.mnemonic() {
        M::Add => alu!(add, i, s0),
        M::Adc => alu!(adc, i, s0),
        M::Sub => alu!(sub, i, s0),
        M::Sbb => alu!(sbb, i, s0),
        M::Cmp => alu!(cmp, i, s0),
        M::And => alu!(and, i, s0),
        M::Or => alu!(or, i, s0),
        M::Xor => alu!(xor, i, s0),
        M::Test => alu!(test, i, s0),
        M::Inc => sized!(alu::inc, s0),
        M::Dec => sized!(alu::dec, s0),
        M::Neg => sized!(alu::neg, s0),
        M::Not => sized!(alu::not, s0),

        M::Mov if is_gpr_or_mem(i) => {
            let k1 = i.op1_kind();
            if reg0 && k1 == OpKind::Register && s0 == 8 {
                mov::mov_r64_r64
            } else if reg0 && k1 == OpKind::Register && s0 >= 2 {
                sized!(mov::mov_r_r, s0)
            } else if reg0 && s0 >= 2 && !matches!(k1, OpKind::Register | OpKind::Memory) {
                sized!(mov::mov_r_i, s0)
            } else if reg0 && k1 == OpKind::Memory {
                sized!(mov::mov_r_m, s0)
            } else if i.op0_kind() == OpKind::Memory && k1 == OpKind::Register {
                sized!(mov::mov_m_r, s0)
            } else if i.op0_kind() == OpKind::Memory
                && !matches!(k1, OpKind::Register | OpKind::Memory)
            {
                sized!(mov::mov_m_i, s0)
            } else {
                sized!(mov::mov, s0)
            }
        }
        M::Movzx | M::Movsx | M::Movsxd => movx(i),
        M::Lea => mov::lea,
        M::Xchg => sized!(mov::xchg, s0),
        M::Cmovo
        | M::Cmovno
        | M::Cmovb
        | M::Cmovae
        | M::Cmove
        | M::Cmovne
        | M::Cmovbe
        | M::Cmova
        | M::Cmovs
        | M::Cmovns
        | M::Cmovp
        | M::Cmovnp
        | M::Cmovl
        | M::Cmovge
        | M::Cmovle
        | M::Cmovg => sized!(mov::cmov, s0),
        M::Seto
        | M::Setno
        | M::Setb
        | M::Setae
        | M::Sete
        | M::Setne
        | M::Setbe
        | M::Seta
        | M::Sets
        | M::Setns
        | M::Setp
        | M::Setnp
        | M::Setl
        | M::Setge
        | M::Setle
        | M::Setg => mov::setcc,
        M::Bswap => sized!(mov::bswap, s0),
        M::Cbw => mov::cbw::<2>,
        M::Cwde => mov::cbw::<4>,
        M::Cdqe => mov::cbw::<8>,
        M::Cwd => mov::cwd::<2>,
        M::Cdq => mov::cwd::<4>,
        M::Cqo => mov::cwd::<8>,
        M::Lahf => mov::lahf,
        M::Xlatb => mov::xlat,
        M::Sahf => mov::sahf,

        M::Shl | M::Sal => shift_lazy!(SHL, s0),
        M::Shr => shift_lazy!(SHR, s0),
        M::Sar => shift_lazy!(SAR, s0),
        M::Rol | M::Ror | M::Rcl | M::Rcr => sized!(shift::shift, s0),
        M::Shld | M::Shrd => sized!(shift::shxd, s0),

        M::Mul => sized!(muldiv::mul, s0),
        M::Imul => sized!(muldiv::imul, s0),
        M::Div => sized!(muldiv::div, s0),
        M::Idiv => sized!(muldiv::idiv, s0),

        M::Bt | M::Bts | M::Btr | M::Btc => sized!(bits::bt, s0),
        M::Bsf | M::Bsr => sized!(bits::bsf, s0),
        M::Tzcnt | M::Lzcnt => sized!(bits::count_zeros, s0),
        M::Popcnt => sized!(bits::popcnt, s0),
        M::Cmpxchg => sized!(bits::cmpxchg, s0),
        M::Cmpxchg8b | M::Cmpxchg16b => bits::cmpxchg_wide,
        M::Xadd => sized!(bits::xadd, s0),

        M::Jmp => match i.op0_kind() {
            OpKind::NearBranch64 => control::jmp_rel,
            _ => control::jmp,
        },
        M::Jo
        | M::Jno
        | M::Jb
        | M::Jae
        | M::Je
        | M::Jne
        | M::Jbe
        | M::Ja
        | M::Js
        | M::Jns
        | M::Jp
        | M::Jnp
        | M::Jl
        | M::Jge
        | M::Jle
        | M::Jg => {
            macro_rules! cc {
                ($($n:literal)*) => {
                    match crate::exec::mov::cond_code(i) {
                        $($n => control::jcc::<$n> as Handler,)*
                        _ => control::jcc::<15> as Handler,
                    }
                };
            }
            cc!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14)
        }
        M::Call => control::call,
        M::Ret => control::ret,
        M::Loop | M::Loope | M::Loopne => control::loop_,
        M::Jrcxz | M::Jecxz => control::jrcxz,

        M::Push if reg0 && s0 == 8 => stack::push_r64,
        M::Push => stack::push,
        M::Pop if reg0 && s0 == 8 => stack::pop_r64,
        M::Pop => stack::pop,
        M::Pushfq => stack::pushf,
        M::Popfq => stack::popf,
        M::Leave => stack::leave,
        M::Enter => stack::enter,

        M::Movsb
        | M::Movsw
        | M::Movsd
        | M::Movsq
        | M::Stosb
        | M::Stosw
        | M::Stosd
        | M::Stosq
        | M::Lodsb
        | M::Lodsw
        | M::Lodsd
        | M::Lodsq
        | M::Scasb
        | M::Scasw
        | M::Scasd
        | M::Scasq
        | M::Cmpsb
        | M::Cmpsw
        | M::Cmpsd
        | M::Cmpsq
            if string::needs_general(i) =>
        {
            match i.memory_size().size() {
                1 => string::general::<1>,
                2 => string::general::<2>,
                4 => string::general::<4>,
                _ => string::general::<8>,
            }
        }
        M::Movsb => string::movs::<1>,
        M::Movsw => string::movs::<2>,
        M::Movsd if i.code() == Code::Movsd_m32_m32 => string::movs::<4>,
        M::Movsq => string::movs::<8>,
        M::Stosb => string::stos::<1>,
        M::Stosw => string::stos::<2>,
        M::Stosd => string::stos::<4>,
        M::Stosq => string::stos::<8>,
        M::Lodsb => string::lods::<1>,
        M::Lodsw => string::lods::<2>,
        M::Lodsd => string::lods::<4>,
        M::Lodsq => string::lods::<8>,
        M::Scasb => string::scas::<1>,
        M::Scasw => string::scas::<2>,
        M::Scasd => string::scas::<4>,
        M::Scasq => string::scas::<8>,
        M::Cmpsb => string::cmps::<1>,
        M::Cmpsw => string::cmps::<2>,
        M::Cmpsd if i.code() == Code::Cmpsd_m32_m32 => string::cmps::<4>,
        M::Cmpsq => string::cmps::<8>,

        M::Cpuid => misc::cpuid,
        M::Rdtsc => misc::rdtsc,
        M::Syscall => misc::syscall,
        M::Int3 => misc::int3,
        M::Ud2 | M::Ud0 | M::Ud1 => misc::ud,
        M::Hlt | M::Cli | M::Sti | M::In | M::Out | M::Int | M::Iretq | M::Iretd => {
            misc::privileged
        }
        M::Nop
        | M::Endbr64
        | M::Endbr32
        | M::Pause
        | M::Lfence
        | M::Mfence
        | M::Sfence
        | M::Prefetchnta
        | M::Prefetcht0
        | M::Prefetcht1
        | M::Prefetcht2
        | M::Prefetchw => misc::nop,
        M::Clc => misc::clc,
        M::Stc => misc::stc,
        M::Cmc => misc::cmc,
        M::Cld => misc::cld,
        M::Std => misc::std,
        _ => return None,
    };
    Some(h)
}

/// MOVZX/MOVSX/MOVSXD specialised on source and destination size.
fn movx(i: &Instruction) -> Handler {
    let sx = i.mnemonic() != M::Movzx;
    let (ss, ds) = (op_size(i, 1), op_size(i, 0));
    macro_rules! pick {
        ($ss:literal, $sx:literal) => {
            match ds {
                2 => mov::movx::<$ss, 2, $sx> as Handler,
                4 => mov::movx::<$ss, 4, $sx> as Handler,
                _ => mov::movx::<$ss, 8, $sx> as Handler,
            }
        };
    }
    match (ss, sx) {
        (1, false) => pick!(1, false),
        (1, true) => pick!(1, true),
        (2, false) => pick!(2, false),
        (2, true) => pick!(2, true),
        (_, false) => pick!(4, false),
        (_, true) => pick!(4, true),
    }
}

/// MOV between GPRs, memory and immediates (not segment or control registers).
fn is_gpr_or_mem(i: &Instruction) -> bool {
    (0..2).all(|n| match i.op_kind(n) {
        OpKind::Register => crate::operand::GPR[i.op_register(n) as usize].size != 0,
        _ => true,
    })
}
