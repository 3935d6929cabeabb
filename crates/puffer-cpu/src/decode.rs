//! The decoded-block cache. Each guest instruction address is decoded once: a block
//! is a run of instructions from one physical page, ended by a control transfer, the
//! page end or a length cap, each paired with its handler (chosen once, at decode
//! time, from the iced-x86 `Code`).
//!
//! Blocks are keyed by *physical* address, so every process running the same frame
//! shares them, and a write to a frame (self-modifying code, a loader, `mprotect` then
//! `memcpy`) finds exactly the blocks to drop: the MMU marks frames holding decoded
//! code and routes stores to them through its slow path, which queues the frame here.
//! The direct-mapped `jump` table makes the common lookup an index and two compares.

use crate::dispatch::handler_for;
use crate::exec::Handler;
use crate::Trap;
use iced_x86::{Decoder, DecoderOptions, FlowControl, Instruction};
use puffer_mmu::{Mmu, Pfn};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

const MAX_BLOCK: usize = 64;
const JUMP_ENTRIES: usize = 4096;

pub struct DecodedInsn {
    pub insn: Instruction,
    pub handler: Handler,
}

pub struct Block {
    /// Virtual address the block was decoded at (RIP-relative operands depend on it).
    pub va: u64,
    pub pa: u64,
    pub insns: Box<[DecodedInsn]>,
    /// Cleared when the block's frame is written to or freed.
    pub valid: Cell<bool>,
    /// Successors on the same page, found on earlier runs: [fall-through, taken].
    /// Following one skips the TLB probe and the jump table.
    pub chain: RefCell<[Option<Rc<Block>>; 2]>,
}

impl Block {
    /// The chained successor starting at `rip`, if one is known. Only blocks on the
    /// same virtual and physical page are chained, so the translation that fetched
    /// this block (checked at the start of `Cpu::run`, and page tables change only
    /// between runs) covers the successor too.
    #[inline(always)]
    pub fn successor(&self, rip: u64) -> Option<Rc<Block>> {
        let c = self.chain.borrow();
        for b in c.iter().flatten() {
            if b.va == rip && b.valid.get() {
                return Some(b.clone());
            }
        }
        None
    }

    /// Remember `next` as a successor when it lies on this block's page.
    pub fn link(&self, next: &Rc<Block>) {
        if next.va >> 12 != self.va >> 12 || next.pa >> 12 != self.pa >> 12 {
            return;
        }
        let fall = self
            .insns
            .last()
            .is_some_and(|d| d.insn.next_ip() == next.va);
        let mut c = self.chain.borrow_mut();
        c[if fall { 0 } else { 1 }] = Some(next.clone());
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct DecodeStats {
    pub hits: u64,
    pub misses: u64,
    pub invalidations: u64,
}

pub struct DecodeCache {
    jump: Box<[Option<Rc<Block>>]>,
    by_pa: HashMap<u64, Rc<Block>>,
    /// Block start addresses per frame, for invalidation.
    by_frame: HashMap<u64, Vec<u64>>,
    pub stats: DecodeStats,
}

impl Default for DecodeCache {
    fn default() -> Self {
        Self::new()
    }
}

impl DecodeCache {
    pub fn new() -> DecodeCache {
        DecodeCache {
            jump: vec![None; JUMP_ENTRIES].into_boxed_slice(),
            by_pa: HashMap::new(),
            by_frame: HashMap::new(),
            stats: DecodeStats::default(),
        }
    }

    #[inline(always)]
    fn slot(pa: u64) -> usize {
        (pa as usize ^ (pa >> 12) as usize) & (JUMP_ENTRIES - 1)
    }

    /// The block starting at `rip` in the current address space.
    #[inline]
    pub fn lookup(&mut self, mmu: &mut Mmu, rip: u64) -> Result<Rc<Block>, Trap> {
        let pa = mmu.translate_exec(rip)?.0;
        if let Some(b) = &self.jump[Self::slot(pa)] {
            if b.pa == pa && b.va == rip {
                self.stats.hits += 1;
                return Ok(b.clone());
            }
        }
        self.lookup_slow(mmu, rip, pa)
    }

    #[inline(never)]
    fn lookup_slow(&mut self, mmu: &mut Mmu, rip: u64, pa: u64) -> Result<Rc<Block>, Trap> {
        let block = match self.by_pa.get(&pa) {
            Some(b) if b.va == rip => {
                self.stats.hits += 1;
                b.clone()
            }
            _ => {
                self.stats.misses += 1;
                let b = Rc::new(decode_block(mmu, rip, pa)?);
                self.insert(mmu, b.clone());
                b
            }
        };
        self.jump[Self::slot(pa)] = Some(block.clone());
        Ok(block)
    }

    fn insert(&mut self, mmu: &mut Mmu, b: Rc<Block>) {
        let first = b.pa >> 12;
        mmu.mark_code(Pfn(first));
        self.by_frame.entry(first).or_default().push(b.pa);
        // An instruction straddling into the next page makes the block depend on it too.
        if let Some(last) = b.insns.last() {
            let end_va = last.insn.next_ip() - 1;
            if end_va >> 12 != b.va >> 12 {
                if let Ok(pa2) = mmu.translate_exec(end_va) {
                    mmu.mark_code(pa2.pfn());
                    self.by_frame.entry(pa2.0 >> 12).or_default().push(b.pa);
                }
            }
        }
        self.by_pa.insert(b.pa, b);
    }

    /// Drop every block decoded from these frames.
    pub fn invalidate_frames(&mut self, frames: &[Pfn]) {
        for f in frames {
            if let Some(starts) = self.by_frame.remove(&f.0) {
                for pa in starts {
                    if let Some(b) = self.by_pa.remove(&pa) {
                        self.stats.invalidations += 1;
                        b.valid.set(false);
                        // Break reference cycles between chained blocks.
                        *b.chain.borrow_mut() = [None, None];
                    }
                    let slot = &mut self.jump[Self::slot(pa)];
                    if slot.as_ref().is_some_and(|b| b.pa == pa) {
                        *slot = None;
                    }
                }
            }
        }
    }

    /// Forget everything (used by tests and when the kernel resets the machine).
    pub fn clear(&mut self) {
        for b in self.by_pa.values() {
            b.valid.set(false);
            *b.chain.borrow_mut() = [None, None];
        }
        self.jump.iter_mut().for_each(|s| *s = None);
        self.by_pa.clear();
        self.by_frame.clear();
    }
}

/// Handler for bytes that do not decode: raises #UD when (and only if) executed.
fn invalid(_: &mut crate::Cpu, _: &Instruction) -> Result<(), Trap> {
    Err(Trap::InvalidOpcode)
}

fn decode_block(mmu: &mut Mmu, rip: u64, pa: u64) -> Result<Block, Trap> {
    let page_off = (pa & 0xfff) as usize;
    let frame = puffer_mmu::PhysAddr(pa).pfn();
    let bytes: Vec<u8> = mmu.phys.frame(frame)[page_off..].to_vec();
    let mut insns = Vec::with_capacity(16);
    let mut dec = Decoder::with_ip(64, &bytes, rip, DecoderOptions::NONE);
    let mut insn = Instruction::default();
    while insns.len() < MAX_BLOCK {
        let pos = dec.position();
        if pos >= bytes.len() {
            break;
        }
        dec.decode_out(&mut insn);
        if insn.is_invalid() {
            if dec.last_error() == iced_x86::DecoderError::NoMoreBytes {
                // The instruction continues on the next page: decode it from bytes
                // fetched across the boundary (this may fault on the second page).
                let at = rip + pos as u64;
                match straddling(mmu, at) {
                    Ok(d) => insns.push(d),
                    Err(t) if insns.is_empty() => return Err(t),
                    Err(_) => {}
                }
                break;
            }
            insns.push(DecodedInsn {
                insn,
                handler: invalid,
            });
            break;
        }
        let ends = !matches!(insn.flow_control(), FlowControl::Next);
        insns.push(DecodedInsn {
            insn,
            handler: handler_for(&insn),
        });
        if ends {
            break;
        }
    }
    Ok(Block {
        va: rip,
        pa,
        insns: insns.into_boxed_slice(),
        valid: Cell::new(true),
        chain: RefCell::new([None, None]),
    })
}

fn straddling(mmu: &mut Mmu, at: u64) -> Result<DecodedInsn, Trap> {
    let mut buf = [0u8; 15];
    let first = (4096 - (at & 0xfff)) as usize;
    mmu.fetch_bytes(at, &mut buf[..first])?;
    // Fetch the rest of the instruction only as far as the decoder needs it.
    for n in first..15 {
        let mut dec = Decoder::with_ip(64, &buf[..n], at, DecoderOptions::NONE);
        let insn = dec.decode();
        if !insn.is_invalid() {
            return Ok(DecodedInsn {
                insn,
                handler: handler_for(&insn),
            });
        }
        if dec.last_error() != iced_x86::DecoderError::NoMoreBytes {
            return Ok(DecodedInsn {
                insn,
                handler: invalid,
            });
        }
        mmu.fetch_bytes(at + n as u64, &mut buf[n..n + 1])?;
    }
    let mut dec = Decoder::with_ip(64, &buf, at, DecoderOptions::NONE);
    let insn = dec.decode();
    let handler = if insn.is_invalid() {
        invalid
    } else {
        handler_for(&insn)
    };
    Ok(DecodedInsn { insn, handler })
}
