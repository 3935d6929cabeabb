//! Instruction semantics, one module per instruction family (as Blink and Bochs split
//! them), so that the code for a mnemonic is easy to find. Every handler has the same
//! shape: it reads operands, computes, writes memory *before* it commits registers or
//! flags (so that a fault leaves the instruction restartable), and returns a `Trap`
//! value instead of unwinding.

pub mod alu;
pub mod bits;
pub mod control;
pub mod misc;
pub mod mov;
pub mod muldiv;
pub mod shift;
pub mod sse;
pub mod stack;
pub mod string;
pub mod x87;

use crate::{Cpu, Trap};
use iced_x86::Instruction;

/// One instruction's semantics, chosen once at decode time.
pub type Handler = fn(&mut Cpu, &Instruction) -> Result<(), Trap>;

/// The instruction is valid x86 but puffer does not implement it (and CPUID does not
/// claim it): #UD, as on a CPU without the feature.
pub fn unsupported(_: &mut Cpu, _: &Instruction) -> Result<(), Trap> {
    Err(Trap::InvalidOpcode)
}
