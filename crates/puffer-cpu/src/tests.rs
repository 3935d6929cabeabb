//! Unit tests that run small instruction sequences on a bare CPU: code is mapped at
//! `CODE`, a stack below `STACK_TOP` and a data page at `DATA`, and the sequence runs
//! until it executes INT3 (0xcc), which the harness appends.

use crate::{Cpu, Trap};
use puffer_mmu::{Mmu, Pte, PteFlags, VirtAddr};

pub const CODE: u64 = 0x40_0000;
pub const DATA: u64 = 0x60_0000;
pub const STACK_TOP: u64 = 0x7fff_f000;

/// A CPU with `code` (plus a trailing INT3) mapped and ready to run.
pub fn cpu_with(code: &[u8]) -> Cpu {
    let mut mmu = Mmu::new(64 << 20);
    let root = mmu.new_root().unwrap();
    mmu.set_cr3(root);
    let rwx = PteFlags::PRESENT | PteFlags::WRITABLE | PteFlags::USER;
    let map = |mmu: &mut Mmu, va: u64, pages: u64| {
        for p in 0..pages {
            let f = mmu.phys.alloc().unwrap();
            mmu.map(root, VirtAddr(va + p * 4096), Pte::new(f, rwx))
                .unwrap();
        }
    };
    map(&mut mmu, CODE, 4);
    map(&mut mmu, DATA, 4);
    map(&mut mmu, STACK_TOP - 4 * 4096, 4);
    let mut bytes = code.to_vec();
    bytes.push(0xcc);
    mmu.write_bytes(CODE, &bytes).unwrap();
    let mut cpu = Cpu::new(mmu);
    cpu.state.rip = CODE;
    cpu.state.gpr[crate::reg::RSP] = STACK_TOP;
    cpu
}

/// Run until the trailing INT3; panics (this is a test) on any other trap.
pub fn run(cpu: &mut Cpu) {
    match cpu.run(1_000_000) {
        Trap::Breakpoint => {}
        t => panic!("unexpected trap {t:?} at {:#x}", cpu.state.rip),
    }
}

/// Assemble-free helper: run `code` with the given initial registers (index, value).
pub fn exec(code: &[u8], regs: &[(usize, u64)]) -> Cpu {
    let mut cpu = cpu_with(code);
    for &(r, v) in regs {
        cpu.state.gpr[r] = v;
    }
    run(&mut cpu);
    cpu
}

mod integer;
mod sse;
mod x87;
