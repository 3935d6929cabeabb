//! SSE and SSE2: moves, integer and floating-point arithmetic on XMM registers,
//! conversions, MXCSR (Intel SDM Vol. 1, chapters 10 and 11).

use super::Handler;
use iced_x86::Instruction;

/// The handler for an SSE/SSE2 instruction, or `None` if this is not one.
pub fn handler(_i: &Instruction) -> Option<Handler> {
    None
}
