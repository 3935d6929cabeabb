//! The x87 FPU with exact 80-bit extended-precision arithmetic (Intel SDM Vol. 1,
//! chapter 8).

use super::Handler;
use iced_x86::Instruction;

/// The handler for an x87 instruction, or `None` if this is not one.
pub fn handler(_i: &Instruction) -> Option<Handler> {
    None
}
