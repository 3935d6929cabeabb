//! CPUID and RDTSC in checkpoint mode. The native process must see puffer's CPUID
//! answers (glibc picks its string functions and cache sizes from them), and puffer
//! the host's time-stamp counter, but the native process runs freely between
//! checkpoints, and CPUID faulting (ARCH_SET_CPUID) is missing on most VMs. So every
//! CPUID and RDTSC in the program's code, found by decoding its executable mappings
//! from the start of each, gets a breakpoint: the native process stops there and is
//! compared with puffer (which stops before each of them too); a CPUID is then given
//! puffer's answer without running natively, an RDTSC runs natively and puffer
//! takes its result. One the sweep missed shows up as puffer stopping at an address
//! without a breakpoint, reported as such.

use super::native::Native;
use iced_x86::{Decoder, DecoderOptions, Mnemonic};
use std::collections::BTreeMap;

/// The breakpoints planted: address → the byte the INT3 replaced and the
/// instruction's mnemonic.
pub struct Planted {
    sites: BTreeMap<u64, (u8, Mnemonic)>,
}

impl Planted {
    /// Find the CPUIDs and RDTSCs in the native process's executable file mappings
    /// and plant INT3 on each.
    pub fn plant(native: &Native) -> Result<Planted, String> {
        let mut sites = BTreeMap::new();
        let maps = native.maps();
        for m in super::native::mappings(&maps) {
            if m.perms.get(2) != Some(&b'x') || m.path.starts_with('[') {
                continue;
            }
            let (lo, hi) = (m.lo, m.hi);
            let Some(code) = native.read(lo, (hi - lo) as usize) else {
                continue;
            };
            let mut d = Decoder::with_ip(64, &code, lo, DecoderOptions::NONE);
            while d.can_decode() {
                let i = d.decode();
                if matches!(i.mnemonic(), Mnemonic::Cpuid | Mnemonic::Rdtsc) {
                    // INT3 on the first byte stops before the instruction.
                    sites.insert(i.ip(), (code[(i.ip() - lo) as usize], i.mnemonic()));
                }
            }
        }
        for &a in sites.keys() {
            native.write(a, &[0xcc])?;
        }
        Ok(Planted { sites })
    }

    /// The instruction planted at `addr`, if any.
    pub fn at(&self, addr: u64) -> Option<Mnemonic> {
        self.sites.get(&addr).map(|s| s.1)
    }

    /// Execute the instruction at `addr` natively: put its byte back for one step.
    pub fn step_over(&self, native: &mut Native, addr: u64) -> Result<super::native::Stop, String> {
        let (b, _) = self.sites.get(&addr).ok_or("no breakpoint there")?;
        native.write(addr, &[*b])?;
        let mut r = native.regs();
        r.rip = addr;
        native.set_regs(&r);
        let st = native.step(0);
        native.write(addr, &[0xcc])?;
        Ok(st)
    }

    pub fn len(&self) -> usize {
        self.sites.len()
    }

    /// Put the original bytes back (before comparing in lockstep, where these run
    /// natively and the results are exchanged after the step).
    pub fn remove(self, native: &Native) -> Result<(), String> {
        for (&a, &(b, _)) in &self.sites {
            native.write(a, &[b])?;
        }
        Ok(())
    }
}
