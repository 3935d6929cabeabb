//! Ownership recorded on the side (as fakeroot does). chown and friends go to the
//! host first; when the host refuses (EPERM: puffer does not run as root, and the
//! guest asked for an owner the host user may not give), the new owner is recorded
//! here by host (device, inode) and stat reports it, so the guest's chown succeeds
//! as it would for root on Linux — a guest never sees chown fail for want of host
//! privilege. The record lives as long as the machine.

use std::collections::BTreeMap;

#[derive(Default)]
pub struct Owners {
    by_inode: BTreeMap<(u64, u64), (u32, u32)>,
}

impl Owners {
    /// Record `uid`/`gid` (u32::MAX: unchanged, as chown(2)'s -1) over `current`.
    pub fn set(&mut self, dev: u64, ino: u64, current: (u32, u32), uid: u32, gid: u32) {
        let (cu, cg) = self.get(dev, ino).unwrap_or(current);
        let u = if uid == u32::MAX { cu } else { uid };
        let g = if gid == u32::MAX { cg } else { gid };
        self.by_inode.insert((dev, ino), (u, g));
    }

    pub fn get(&self, dev: u64, ino: u64) -> Option<(u32, u32)> {
        self.by_inode.get(&(dev, ino)).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minus_one_keeps_the_recorded_or_current_owner() {
        let mut o = Owners::default();
        assert_eq!(o.get(1, 2), None);
        o.set(1, 2, (1000, 1000), 0, u32::MAX);
        assert_eq!(o.get(1, 2), Some((0, 1000)));
        o.set(1, 2, (1000, 1000), u32::MAX, 5);
        assert_eq!(o.get(1, 2), Some((0, 5)));
    }
}
