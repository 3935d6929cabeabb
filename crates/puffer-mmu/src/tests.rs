use super::*;

const RW_USER: PteFlags = PteFlags::PRESENT
    .union(PteFlags::WRITABLE)
    .union(PteFlags::USER);

fn setup() -> (Mmu, PhysAddr) {
    let mut m = Mmu::new(1 << 24);
    let root = m.new_root().unwrap();
    m.set_cr3(root);
    (m, root)
}

#[test]
fn walk_maps_and_reads_back() {
    let (mut m, root) = setup();
    let f = m.phys.alloc().unwrap();
    m.map(root, VirtAddr(0x40_1000), Pte::new(f, RW_USER))
        .unwrap();
    m.write::<u64>(0x40_1ff8, 0x1122_3344_5566_7788).unwrap();
    assert_eq!(m.read::<u32>(0x40_1ffc).unwrap(), 0x1122_3344);
    assert_eq!(
        m.phys.read_u64(PhysAddr(f.addr().0 + 0xff8)),
        0x1122_3344_5566_7788
    );
    // The walk set Accessed and Dirty in the leaf.
    let pte = m.lookup(root, VirtAddr(0x40_1000)).unwrap();
    assert!(pte.flags().contains(PteFlags::ACCESSED | PteFlags::DIRTY));
}

#[test]
fn not_present_fault_has_hardware_error_code() {
    let (mut m, _) = setup();
    let e = m.read::<u8>(0x1234).unwrap_err();
    assert_eq!(e.addr, VirtAddr(0x1234));
    assert_eq!(e.code(), PfCode::USER);
    let e = m.write::<u8>(0x1234, 1).unwrap_err();
    assert_eq!(e.code(), PfCode::USER | PfCode::WRITE);
    let e = m.translate_exec(0x1234).unwrap_err();
    assert_eq!(e.code(), PfCode::USER | PfCode::IFETCH);
}

#[test]
fn protection_faults() {
    let (mut m, root) = setup();
    let f = m.phys.alloc().unwrap();
    let ro_nx = PteFlags::PRESENT | PteFlags::USER | PteFlags::NO_EXEC;
    m.map(root, VirtAddr(0x5000), Pte::new(f, ro_nx)).unwrap();
    assert_eq!(m.read::<u64>(0x5000).unwrap(), 0);
    let e = m.write::<u64>(0x5000, 1).unwrap_err();
    assert_eq!(e.code(), PfCode::PRESENT | PfCode::WRITE | PfCode::USER);
    let e = m.translate_exec(0x5000).unwrap_err();
    assert_eq!(e.code(), PfCode::PRESENT | PfCode::IFETCH | PfCode::USER);
    // A supervisor-only page faults for the user.
    let g = m.phys.alloc().unwrap();
    m.map(
        root,
        VirtAddr(0x6000),
        Pte::new(g, PteFlags::PRESENT | PteFlags::WRITABLE),
    )
    .unwrap();
    let e = m.read::<u8>(0x6000).unwrap_err();
    assert_eq!(e.code(), PfCode::PRESENT | PfCode::USER);
}

#[test]
fn straddling_write_is_all_or_nothing() {
    let (mut m, root) = setup();
    let f = m.phys.alloc().unwrap();
    m.map(root, VirtAddr(0x7000), Pte::new(f, RW_USER)).unwrap();
    let e = m.write::<u64>(0x7ffc, u64::MAX).unwrap_err();
    assert_eq!(e.addr, VirtAddr(0x8003));
    assert_eq!(m.read::<u32>(0x7ffc).unwrap(), 0);
}

#[test]
fn tlb_is_invalidated_on_remap_and_unmap() {
    let (mut m, root) = setup();
    let a = m.phys.alloc().unwrap();
    let b = m.phys.alloc().unwrap();
    m.phys.frame_mut(a)[0] = 0xaa;
    m.phys.frame_mut(b)[0] = 0xbb;
    m.map(root, VirtAddr(0x9000), Pte::new(a, RW_USER)).unwrap();
    assert_eq!(m.read::<u8>(0x9000).unwrap(), 0xaa);
    m.map(root, VirtAddr(0x9000), Pte::new(b, RW_USER)).unwrap();
    assert_eq!(m.read::<u8>(0x9000).unwrap(), 0xbb);
    // Downgrade to read-only: the cached write permission must go.
    m.write::<u8>(0x9001, 1).unwrap();
    m.map(
        root,
        VirtAddr(0x9000),
        Pte::new(b, PteFlags::PRESENT | PteFlags::USER),
    )
    .unwrap();
    assert!(m.write::<u8>(0x9001, 2).is_err());
    m.unmap(root, VirtAddr(0x9000));
    assert!(m.read::<u8>(0x9000).is_err());
}

#[test]
fn cr3_switch_flushes() {
    let (mut m, root) = setup();
    let other = m.new_root().unwrap();
    let a = m.phys.alloc().unwrap();
    m.map(root, VirtAddr(0xa000), Pte::new(a, RW_USER)).unwrap();
    m.read::<u8>(0xa000).unwrap();
    m.set_cr3(other);
    assert!(m.read::<u8>(0xa000).is_err());
    m.set_cr3(root);
    assert!(m.read::<u8>(0xa000).is_ok());
}

#[test]
fn write_to_code_frame_is_reported() {
    let (mut m, root) = setup();
    let a = m.phys.alloc().unwrap();
    m.map(root, VirtAddr(0xb000), Pte::new(a, RW_USER)).unwrap();
    m.write::<u8>(0xb000, 0x90).unwrap(); // write entry cached
    m.translate_exec(0xb000).unwrap();
    m.mark_code(a);
    assert!(!m.has_code_dirty());
    m.write::<u8>(0xb001, 0xc3).unwrap();
    assert_eq!(m.take_code_dirty(), Some(vec![a]));
    assert!(!m.phys.is_code(a));
}

#[test]
fn frames_are_refcounted_and_zeroed_on_reuse() {
    let mut p = PhysMem::new(1 << 20);
    let a = p.alloc().unwrap();
    p.frame_mut(a)[5] = 7;
    p.get(a);
    p.put(a);
    assert_eq!(p.refcount(a), 1);
    p.put(a);
    assert_eq!(p.refcount(a), 0);
    let b = p.alloc().unwrap();
    assert_eq!(b, a);
    assert_eq!(p.frame(b)[5], 0);
}

#[test]
fn out_of_memory_is_an_error() {
    let mut p = PhysMem::new(16 * 4096);
    let mut n = 0;
    while p.alloc().is_ok() {
        n += 1;
    }
    assert_eq!(n, 15);
}

#[test]
fn for_each_leaf_visits_and_rewrites() {
    let (mut m, root) = setup();
    for i in 0..4u64 {
        let f = m.phys.alloc().unwrap();
        m.map(
            root,
            VirtAddr(0x40_0000 + i * 0x20_0000),
            Pte::new(f, RW_USER),
        )
        .unwrap();
    }
    let mut seen = vec![];
    m.for_each_leaf(root, 0x40_0000, 0x80_0000, &mut |_, va, pte| {
        seen.push(va.0);
        Some(Pte(pte.0 & !PteFlags::WRITABLE.bits()))
    });
    assert_eq!(seen, vec![0x40_0000, 0x60_0000]);
    assert!(m.write::<u8>(0x40_0000, 1).is_err());
    assert!(m.write::<u8>(0x80_0000, 1).is_ok());
}
