//! SSE/SSE2 tests. Unless a test says otherwise, the expected values were recorded
//! by running the same instruction bytes with the same inputs on the x86-64 host CPU
//! (an AMD EPYC) and reading back the registers, MXCSR and RFLAGS.

use super::*;
use crate::flags::{AF, CF, OF, PF, SF, ZF};
use crate::reg::*;

const MXCSR_DEFAULT: u32 = 0x1f80;

/// A CPU with `code` loaded, RDI = DATA, and the given XMM registers, GPRs and MXCSR.
fn setup(code: &[u8], xmm: &[(usize, u128)], gpr: &[(usize, u64)], mxcsr: u32) -> Cpu {
    let mut c = cpu_with(code);
    c.state.gpr[RDI] = DATA;
    for &(r, v) in xmm {
        c.state.xmm[r] = v;
    }
    for &(r, v) in gpr {
        c.state.gpr[r] = v;
    }
    c.state.mxcsr = mxcsr;
    c
}

/// Run to the trailing INT3 (panics on any other trap).
fn sse(code: &[u8], xmm: &[(usize, u128)], gpr: &[(usize, u64)], mxcsr: u32) -> Cpu {
    let mut c = setup(code, xmm, gpr, mxcsr);
    run(&mut c);
    c
}

/// Run one instruction from xmm0/xmm1 (and RAX) and return the CPU.
fn op2(code: &[u8], x0: u128, x1: u128, mxcsr: u32) -> Cpu {
    sse(code, &[(0, x0), (1, x1)], &[], mxcsr)
}

fn write_data(c: &mut Cpu, off: u64, bytes: &[u8]) {
    c.mmu.write_bytes(DATA + off, bytes).unwrap();
}

fn read_data(c: &mut Cpu, off: u64, len: usize) -> Vec<u8> {
    let mut b = vec![0u8; len];
    c.mmu.read_bytes(DATA + off, &mut b).unwrap();
    b
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|k| u8::from_str_radix(&s[2 * k..2 * k + 2], 16).unwrap())
        .collect()
}

const PATTERN: &str = "00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210";
const ONES: u128 = u128::MAX;

// ------------------------------------------------------------------------- moves

#[test]
fn movdqa_movdqu_movups_movaps() {
    let code = [
        0x66, 0x0f, 0x6f, 0x07, // movdqa xmm0, [rdi]
        0xf3, 0x0f, 0x7f, 0x47, 0x21, // movdqu [rdi+33], xmm0
        0x0f, 0x10, 0x4f, 0x01, // movups xmm1, [rdi+1]
        0x0f, 0x28, 0xd0, // movaps xmm2, xmm0
    ];
    let mut c = setup(&code, &[], &[], MXCSR_DEFAULT);
    write_data(&mut c, 0, &hex(PATTERN));
    run(&mut c);
    assert_eq!(c.state.xmm[0], 0xffeeddccbbaa9988_7766554433221100);
    assert_eq!(c.state.xmm[1], 0x01ffeeddccbbaa99_8877665544332211);
    assert_eq!(c.state.xmm[2], 0xffeeddccbbaa9988_7766554433221100);
    assert_eq!(
        read_data(&mut c, 32, 20),
        hex("0000112233445566778899aabbccddeeff000000")
    );
}

#[test]
fn movdqa_misaligned_load_is_gp_and_restartable() {
    // movdqa xmm0, [rdi+8]  (the host raises SIGSEGV, i.e. #GP, for this)
    let mut c = setup(
        &[0x66, 0x0f, 0x6f, 0x47, 0x08],
        &[(0, 7)],
        &[],
        MXCSR_DEFAULT,
    );
    assert_eq!(c.run(10), Trap::GeneralProtection);
    assert_eq!(c.state.rip, CODE);
    assert_eq!(c.state.xmm[0], 7);
}

#[test]
fn aligned_stores_and_operands_check_alignment() {
    // movaps [rdi+4], xmm0
    let mut c = setup(&[0x0f, 0x29, 0x47, 0x04], &[(0, ONES)], &[], MXCSR_DEFAULT);
    assert_eq!(c.run(10), Trap::GeneralProtection);
    assert_eq!(read_data(&mut c, 0, 32), vec![0u8; 32]);
    // movntdq [rdi+8], xmm0
    let mut c = setup(&[0x66, 0x0f, 0xe7, 0x47, 0x08], &[], &[], MXCSR_DEFAULT);
    assert_eq!(c.run(10), Trap::GeneralProtection);
    // paddb xmm0, [rdi+8]: a 128-bit arithmetic operand must be aligned too...
    let mut c = setup(&[0x66, 0x0f, 0xfc, 0x47, 0x08], &[], &[], MXCSR_DEFAULT);
    assert_eq!(c.run(10), Trap::GeneralProtection);
    // ...but scalar operands need not be: addsd xmm0, [rdi+3]
    let c = sse(&[0xf2, 0x0f, 0x58, 0x47, 0x03], &[], &[], MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], 0);
}

#[test]
fn movups_straddles_pages() {
    // movups xmm0, [rdi+4088]; movups [rdi+8184], xmm0
    let code = [
        0x0f, 0x10, 0x87, 0xf8, 0x0f, 0x00, 0x00, 0x0f, 0x11, 0x87, 0xf8, 0x1f, 0x00, 0x00,
    ];
    let mut c = setup(&code, &[], &[], MXCSR_DEFAULT);
    write_data(&mut c, 4088, &hex("00112233445566778899aabbccddeeff"));
    run(&mut c);
    assert_eq!(c.state.xmm[0], 0xffeeddccbbaa9988_7766554433221100);
    assert_eq!(
        read_data(&mut c, 8184, 16),
        hex("00112233445566778899aabbccddeeff")
    );
}

#[test]
fn movd_movq_zero_extend() {
    let code = [
        0x66, 0x0f, 0x6e, 0xc0, // movd xmm0, eax
        0x66, 0x48, 0x0f, 0x6e, 0xc9, // movq xmm1, rcx
        0x66, 0x0f, 0x7e, 0xca, // movd edx, xmm1
        0x66, 0x0f, 0xd6, 0x0f, // movq [rdi], xmm1
        0xf3, 0x0f, 0x7e, 0x57, 0x08, // movq xmm2, [rdi+8]
        0xf3, 0x0f, 0x7e, 0xd9, // movq xmm3, xmm1
    ];
    let mut c = setup(
        &code,
        &[(0, ONES), (2, ONES), (3, ONES)],
        &[
            (RAX, 0xffffffff89abcdef),
            (RCX, 0x0123456789abcdef),
            (RDX, u64::MAX),
        ],
        MXCSR_DEFAULT,
    );
    write_data(&mut c, 0, &hex("0000000000000000aaaaaaaabbbbbbbb"));
    run(&mut c);
    assert_eq!(c.state.xmm[0], 0x89abcdef);
    assert_eq!(c.state.xmm[1], 0x0123456789abcdef);
    assert_eq!(c.state.xmm[2], 0xbbbbbbbbaaaaaaaa);
    assert_eq!(c.state.xmm[3], 0x0123456789abcdef);
    assert_eq!(c.state.gpr[RDX], 0x89abcdef);
    assert_eq!(read_data(&mut c, 0, 8), hex("efcdab8967452301"));
}

#[test]
fn movss_movsd_load_zeroes_register_form_merges() {
    let code = [
        0xf3, 0x0f, 0x10, 0x07, // movss xmm0, [rdi]
        0xf3, 0x0f, 0x10, 0xca, // movss xmm1, xmm2
        0xf2, 0x0f, 0x10, 0x57, 0x08, // movsd xmm2, [rdi+8]
        0xf2, 0x0f, 0x10, 0xd8, // movsd xmm3, xmm0
        0xf3, 0x0f, 0x11, 0x4f, 0x10, // movss [rdi+16], xmm1
        0xf2, 0x0f, 0x11, 0x47, 0x18, // movsd [rdi+24], xmm0
    ];
    let mut c = setup(
        &code,
        &[
            (0, ONES),
            (1, ONES),
            (2, 0x22222222_22222222_22222222_22222222),
            (3, ONES),
        ],
        &[],
        MXCSR_DEFAULT,
    );
    write_data(&mut c, 0, &hex(PATTERN));
    run(&mut c);
    assert_eq!(c.state.xmm[0], 0x0000000000000000_0000000033221100);
    assert_eq!(c.state.xmm[1], 0xffffffffffffffff_ffffffff22222222);
    assert_eq!(c.state.xmm[2], 0x0000000000000000_ffeeddccbbaa9988);
    assert_eq!(c.state.xmm[3], 0xffffffffffffffff_0000000033221100);
    assert_eq!(
        read_data(&mut c, 16, 16),
        hex("2222222289abcdef0011223300000000")
    );
}

#[test]
fn movhps_movlps_movhlps_movlhps() {
    let code = [
        0x0f, 0x16, 0x07, // movhps xmm0, [rdi]
        0x0f, 0x12, 0x4f, 0x08, // movlps xmm1, [rdi+8]
        0x0f, 0x12, 0xd3, // movhlps xmm2, xmm3
        0x0f, 0x16, 0xd9, // movlhps xmm3, xmm1
        0x0f, 0x17, 0x5f, 0x10, // movhps [rdi+16], xmm3
        0x66, 0x0f, 0x13, 0x57, 0x18, // movlpd [rdi+24], xmm2
    ];
    let mut c = setup(
        &code,
        &[
            (0, ONES),
            (1, ONES),
            (2, 0x22222222_22222222_22222222_22222222),
            (3, 0x33333333_33333333_44444444_44444444),
        ],
        &[],
        MXCSR_DEFAULT,
    );
    write_data(&mut c, 0, &hex(PATTERN));
    run(&mut c);
    assert_eq!(c.state.xmm[0], 0x7766554433221100_ffffffffffffffff);
    assert_eq!(c.state.xmm[1], 0xffffffffffffffff_ffeeddccbbaa9988);
    assert_eq!(c.state.xmm[2], 0x2222222222222222_3333333333333333);
    assert_eq!(c.state.xmm[3], 0xffeeddccbbaa9988_4444444444444444);
    assert_eq!(
        read_data(&mut c, 16, 16),
        hex("8899aabbccddeeff3333333333333333")
    );
}

#[test]
fn movnti_and_non_temporal_stores() {
    let code = [
        0x0f, 0xc3, 0x47, 0x04, // movnti [rdi+4], eax
        0x48, 0x0f, 0xc3, 0x4f, 0x08, // movnti [rdi+8], rcx
        0x66, 0x0f, 0xe7, 0x47, 0x10, // movntdq [rdi+16], xmm0
        0x0f, 0x2b, 0x4f, 0x20, // movntps [rdi+32], xmm1
        0x66, 0x0f, 0x2b, 0x47, 0x30, // movntpd [rdi+48], xmm0
    ];
    let mut c = setup(
        &code,
        &[
            (0, 0x0f0e0d0c0b0a0908_0706050403020100),
            (1, 0x1f1e1d1c1b1a1918_1716151413121110),
        ],
        &[(RAX, 0x11223344), (RCX, 0x5566778899aabbcc)],
        MXCSR_DEFAULT,
    );
    run(&mut c);
    assert_eq!(
        read_data(&mut c, 0, 64),
        hex(concat!(
            "0000000044332211ccbbaa9988776655000102030405060708090a0b0c0d0e0f",
            "101112131415161718191a1b1c1d1e1f000102030405060708090a0b0c0d0e0f"
        ))
    );
}

#[test]
fn maskmovdqu_stores_selected_bytes() {
    // maskmovdqu xmm0, xmm1
    let mut c = setup(
        &[0x66, 0x0f, 0xf7, 0xc1],
        &[
            (0, 0x0f0e0d0c0b0a0908_0706050403020100),
            (1, 0x80007f00ff018000_0000000000000081),
        ],
        &[],
        MXCSR_DEFAULT,
    );
    write_data(&mut c, 0, &[0xaa; 20]);
    run(&mut c);
    assert_eq!(
        read_data(&mut c, 0, 20),
        hex("00aaaaaaaaaaaaaaaa09aa0baaaaaa0faaaaaaaa")
    );
}

#[test]
fn sign_masks() {
    let code = [
        0x66, 0x0f, 0xd7, 0xc0, // pmovmskb eax, xmm0
        0x0f, 0x50, 0xc8, // movmskps ecx, xmm0
        0x66, 0x48, 0x0f, 0x50, 0xd0, // movmskpd rdx, xmm0
    ];
    let c = sse(
        &code,
        &[(0, 0x80ff7f0001fe8000_807f00ff10203040)],
        &[(RAX, u64::MAX), (RCX, u64::MAX), (RDX, u64::MAX)],
        MXCSR_DEFAULT,
    );
    assert_eq!(c.state.gpr[RAX], 0xc690);
    assert_eq!(c.state.gpr[RCX], 0xa);
    assert_eq!(c.state.gpr[RDX], 0x3);
}

#[test]
fn strlen_idiom_pcmpeqb_pmovmskb() {
    // pxor xmm1, xmm1; movdqa xmm0, [rdi]; pcmpeqb xmm0, xmm1; pmovmskb eax, xmm0;
    // bsf eax, eax
    let code = [
        0x66, 0x0f, 0xef, 0xc9, 0x66, 0x0f, 0x6f, 0x07, 0x66, 0x0f, 0x74, 0xc1, 0x66, 0x0f, 0xd7,
        0xc0, 0x0f, 0xbc, 0xc0,
    ];
    let mut c = setup(&code, &[(1, ONES)], &[], MXCSR_DEFAULT);
    write_data(&mut c, 0, b"hello, world\0abc");
    run(&mut c);
    assert_eq!(c.state.gpr[RAX], 12);
}

#[test]
fn ldmxcsr_stmxcsr_and_reserved_bits() {
    // ldmxcsr [rdi]; stmxcsr [rdi+4]
    let code = [0x0f, 0xae, 0x17, 0x0f, 0xae, 0x5f, 0x04];
    let mut c = setup(&code, &[], &[], MXCSR_DEFAULT);
    write_data(&mut c, 0, &0xffffu32.to_le_bytes());
    run(&mut c);
    assert_eq!(c.state.mxcsr, 0xffff);
    assert_eq!(read_data(&mut c, 4, 4), 0xffffu32.to_le_bytes());
    // Bit 16 is reserved: #GP, MXCSR unchanged.
    let mut c = setup(&code, &[], &[], MXCSR_DEFAULT);
    write_data(&mut c, 0, &0x1_1f80u32.to_le_bytes());
    assert_eq!(c.run(10), Trap::GeneralProtection);
    assert_eq!(c.state.mxcsr, MXCSR_DEFAULT);
}

// Expected layout from the Intel SDM Vol. 1, table 10-2 (not recorded from the host).
#[test]
fn fxsave_layout_and_fxrstor_roundtrip() {
    // fxsave [rdi]; fxrstor [rdi+512]
    let code = [0x0f, 0xae, 0x07, 0x0f, 0xae, 0x8f, 0x00, 0x02, 0x00, 0x00];
    let mut c = setup(&code, &[], &[], 0x3fa5);
    for (n, x) in c.state.xmm.iter_mut().enumerate() {
        *x = 0x0101_0101_0101_0101_0101_0101_0101_0101u128 * (n as u128 + 1);
    }
    let x87 = &mut c.state.x87;
    x87.fcw = 0x027f;
    x87.fsw = 0x0021;
    x87.top = 6;
    x87.tags = 0b1100_0000;
    for r in 0..8 {
        x87.regs[r] = 0x3fff_8000_0000_0000_0000 + r as u128;
    }
    // The image FXRSTOR loads: different values everywhere.
    let mut img = vec![0u8; 512];
    img[0..2].copy_from_slice(&0x037fu16.to_le_bytes());
    img[2..4].copy_from_slice(&(0x0001u16 | (3 << 11)).to_le_bytes());
    img[4] = 0b0000_1000;
    img[24..28].copy_from_slice(&0x1f80u32.to_le_bytes());
    for st in 0..8 {
        img[32 + 16 * st] = 0x40 + st as u8;
        img[32 + 16 * st + 9] = 0x7f;
    }
    for n in 0..16 {
        img[160 + 16 * n..176 + 16 * n].fill(0x80 + n as u8);
    }
    write_data(&mut c, 512, &img);
    // Bytes 464..512 belong to software: FXSAVE must not touch them.
    write_data(&mut c, 464, &[0x5a; 48]);
    run(&mut c);

    let saved = read_data(&mut c, 0, 512);
    assert_eq!(&saved[0..2], &0x027fu16.to_le_bytes());
    // FSW with TOP = 6 in bits 11..13.
    assert_eq!(&saved[2..4], &(0x0021u16 | (6 << 11)).to_le_bytes());
    assert_eq!(saved[4], 0b1100_0000);
    assert_eq!(&saved[24..28], &0x3fa5u32.to_le_bytes());
    assert_eq!(&saved[28..32], &0xffffu32.to_le_bytes());
    for st in 0..8 {
        // ST(i) is physical register (TOP + i) & 7, stored as 80 bits in 16.
        let r = (6 + st) & 7;
        let mut want = [0u8; 16];
        want[..10]
            .copy_from_slice(&(0x3fff_8000_0000_0000_0000u128 + r as u128).to_le_bytes()[..10]);
        assert_eq!(&saved[32 + 16 * st..48 + 16 * st], &want, "ST({st})");
    }
    for n in 0..16 {
        assert_eq!(saved[160 + 16 * n], n as u8 + 1);
    }
    assert_eq!(&saved[464..512], &[0x5a; 48]);

    // The restored state.
    let x87 = &c.state.x87;
    assert_eq!(x87.fcw, 0x037f);
    assert_eq!(x87.top, 3);
    assert_eq!(x87.fsw, 0x0001);
    assert_eq!(x87.tags, 0b0000_1000);
    for st in 0..8 {
        assert_eq!(
            x87.regs[(3 + st) & 7],
            0x7f00_0000_0000_0000_0040 + st as u128
        );
    }
    assert_eq!(c.state.mxcsr, 0x1f80);
    assert_eq!(c.state.xmm[15], 0x8f8f8f8f_8f8f8f8f_8f8f8f8f_8f8f8f8fu128);
}

#[test]
fn fxsave_alignment_and_fxrstor_reserved_mxcsr() {
    // fxsave64 [rdi+1]
    let mut c = setup(&[0x48, 0x0f, 0xae, 0x47, 0x01], &[], &[], MXCSR_DEFAULT);
    assert_eq!(c.run(10), Trap::GeneralProtection);
    // fxrstor [rdi] with MXCSR bit 20 set
    let mut c = setup(&[0x0f, 0xae, 0x0f], &[(0, 5)], &[], MXCSR_DEFAULT);
    write_data(&mut c, 24, &0x10_1f80u32.to_le_bytes());
    assert_eq!(c.run(10), Trap::GeneralProtection);
    assert_eq!(c.state.xmm[0], 5);
    assert_eq!(c.state.mxcsr, MXCSR_DEFAULT);
}

// ------------------------------------------------------------------------ integer

const IA: u128 = 0x7f80ff01fe02807f_0080ff7f01fe40c0;
const IB: u128 = 0x017f80ff02fe7f80_80ff017f7f01c040;

/// (instruction bytes "op xmm0, xmm1", expected xmm0) for IA op IB.
fn check_int(cases: &[(&[u8], u128)]) {
    for &(code, want) in cases {
        let c = op2(code, IA, IB, MXCSR_DEFAULT);
        assert_eq!(c.state.xmm[0], want, "{code:02x?}");
        assert_eq!(c.state.xmm[1], IB);
    }
}

#[test]
fn packed_add_sub_wrapping_and_saturating() {
    check_int(&[
        (
            &[0x66, 0x0f, 0xfc, 0xc1],
            0x80ff7f000000ffff_807f00fe80ff0000,
        ), // paddb
        (
            &[0x66, 0x0f, 0xfd, 0xc1],
            0x80ff80000100ffff_817f00fe80ff0100,
        ), // paddw
        (
            &[0x66, 0x0f, 0xfe, 0xc1],
            0x810080000100ffff_818000fe81000100,
        ), // paddd
        (
            &[0x66, 0x0f, 0xd4, 0xc1],
            0x810080010100ffff_818000fe81000100,
        ), // paddq
        (
            &[0x66, 0x0f, 0xf8, 0xc1],
            0x7e017f02fc0401ff_8081fe0082fd8080,
        ), // psubb
        (
            &[0x66, 0x0f, 0xf9, 0xc1],
            0x7e017e02fb0400ff_7f81fe0082fd8080,
        ), // psubw
        (
            &[0x66, 0x0f, 0xfa, 0xc1],
            0x7e017e02fb0400ff_7f81fe0082fc8080,
        ), // psubd
        (
            &[0x66, 0x0f, 0xfb, 0xc1],
            0x7e017e02fb0400ff_7f81fdff82fc8080,
        ), // psubq
        (
            &[0x66, 0x0f, 0xec, 0xc1],
            0x7fff80000000ffff_8080007f7fff0000,
        ), // paddsb
        (
            &[0x66, 0x0f, 0xed, 0xc1],
            0x7fff80000100ffff_817f00fe7fff0100,
        ), // paddsw
        (
            &[0x66, 0x0f, 0xdc, 0xc1],
            0x80ffffffffffffff_80fffffe80ffffff,
        ), // paddusb
        (
            &[0x66, 0x0f, 0xdd, 0xc1],
            0x80ffffffffffffff_817fffff80ffffff,
        ), // paddusw
        (
            &[0x66, 0x0f, 0xe8, 0xc1],
            0x7e807f02fc04807f_7f81fe0082fd7f80,
        ), // psubsb
        (
            &[0x66, 0x0f, 0xe9, 0xc1],
            0x7e017e02fb048000_7f81fe0082fd7fff,
        ), // psubsw
        (
            &[0x66, 0x0f, 0xd8, 0xc1],
            0x7e017f00fc000100_0000fe0000fd0080,
        ), // psubusb
        (
            &[0x66, 0x0f, 0xd9, 0xc1],
            0x7e017e02fb0400ff_0000fe0000000000,
        ), // psubusw
    ]);
}

#[test]
fn packed_multiplies_averages_min_max_sad() {
    check_int(&[
        (
            &[0x66, 0x0f, 0xd5, 0xc1],
            0xc08081ff09fc4080_7f803f0103fe3000,
        ), // pmullw
        (
            &[0x66, 0x0f, 0xe5, 0xc1],
            0x00be007efffac07f_ffc0ffff00fdefe0,
        ), // pmulhw
        (
            &[0x66, 0x0f, 0xe4, 0xc1],
            0x00be807e02f83fff_0040017e00fd30a0,
        ), // pmulhuw
        (
            &[0x66, 0x0f, 0xf4, 0xc1],
            0x02f889febb014080_00fd259cb0e03000,
        ), // pmuludq
        (
            &[0x66, 0x0f, 0xf5, 0xc1],
            0x013d427fc0794a7c_ffbfbe81f0dd33fe,
        ), // pmaddwd
        (
            &[0x66, 0x0f, 0xe0, 0xc1],
            0x4080c08080808080_40c0807f40808080,
        ), // pavgb
        (
            &[0x66, 0x0f, 0xe3, 0xc1],
            0x4080c00080808000_40c0807f40808080,
        ), // pavgw
        (
            &[0x66, 0x0f, 0xda, 0xc1],
            0x017f800102027f7f_0080017f01014040,
        ), // pminub
        (
            &[0x66, 0x0f, 0xde, 0xc1],
            0x7f80fffffefe8080_80ffff7f7ffec0c0,
        ), // pmaxub
        (
            &[0x66, 0x0f, 0xea, 0xc1],
            0x017f80fffe02807f_80ffff7f01fec040,
        ), // pminsw
        (
            &[0x66, 0x0f, 0xee, 0xc1],
            0x7f80ff0102fe7f80_0080017f7f0140c0,
        ), // pmaxsw
        (
            &[0x66, 0x0f, 0xf6, 0xc1],
            0x00000000000003f6_0000000000000478,
        ), // psadbw
    ]);
}

#[test]
fn pmaddwd_overflow_wraps() {
    // pmaddwd of 0x8000 * 0x8000 twice (Intel SDM: the only overflowing case).
    let c = op2(
        &[0x66, 0x0f, 0xf5, 0xc1],
        0x8000_8000,
        0x8000_8000,
        MXCSR_DEFAULT,
    );
    assert_eq!(c.state.xmm[0], 0x8000_0000);
}

#[test]
fn packed_compares_and_logic() {
    check_int(&[
        (
            &[0x66, 0x0f, 0x74, 0xc1],
            0x0000000000000000_000000ff00000000,
        ), // pcmpeqb
        (&[0x66, 0x0f, 0x75, 0xc1], 0), // pcmpeqw
        (&[0x66, 0x0f, 0x76, 0xc1], 0), // pcmpeqd
        (
            &[0x66, 0x0f, 0x64, 0xc1],
            0xff00ffff00ff00ff_ff0000000000ff00,
        ), // pcmpgtb
        (
            &[0x66, 0x0f, 0x65, 0xc1],
            0xffffffff00000000_ffff00000000ffff,
        ), // pcmpgtw
        (
            &[0x66, 0x0f, 0x66, 0xc1],
            0xffffffff00000000_ffffffff00000000,
        ), // pcmpgtd
        (
            &[0x66, 0x0f, 0xdb, 0xc1],
            0x0100800102020000_0080017f01004040,
        ), // pand
        (
            &[0x66, 0x0f, 0xdf, 0xc1],
            0x007f00fe00fc7f80_807f00007e018000,
        ), // pandn
        (
            &[0x66, 0x0f, 0xeb, 0xc1],
            0x7ffffffffefeffff_80ffff7f7fffc0c0,
        ), // por
        (
            &[0x66, 0x0f, 0xef, 0xc1],
            0x7eff7ffefcfcffff_807ffe007eff8080,
        ), // pxor
        (&[0x0f, 0x54, 0xc1], 0x0100800102020000_0080017f01004040), // andps
        (
            &[0x66, 0x0f, 0x55, 0xc1],
            0x007f00fe00fc7f80_807f00007e018000,
        ), // andnpd
        (&[0x0f, 0x56, 0xc1], 0x7ffffffffefeffff_80ffff7f7fffc0c0), // orps
        (
            &[0x66, 0x0f, 0x57, 0xc1],
            0x7eff7ffefcfcffff_807ffe007eff8080,
        ), // xorpd
    ]);
    // pcmpeqd xmm0, xmm0: all ones
    let c = op2(&[0x66, 0x0f, 0x76, 0xc0], IA, IB, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], ONES);
}

#[test]
fn unpacks_and_packs() {
    check_int(&[
        (
            &[0x66, 0x0f, 0x60, 0xc1],
            0x8000ff8001ff7f7f_7f0101fec04040c0,
        ), // punpcklbw
        (
            &[0x66, 0x0f, 0x61, 0xc1],
            0x80ff0080017fff7f_7f0101fec04040c0,
        ), // punpcklwd
        (
            &[0x66, 0x0f, 0x62, 0xc1],
            0x80ff017f0080ff7f_7f01c04001fe40c0,
        ), // punpckldq
        (
            &[0x66, 0x0f, 0x6c, 0xc1],
            0x80ff017f7f01c040_0080ff7f01fe40c0,
        ), // punpcklqdq
        (
            &[0x66, 0x0f, 0x68, 0xc1],
            0x017f7f8080ffff01_02fefe027f80807f,
        ), // punpckhbw
        (
            &[0x66, 0x0f, 0x69, 0xc1],
            0x017f7f8080ffff01_02fefe027f80807f,
        ), // punpckhwd
        (
            &[0x66, 0x0f, 0x6a, 0xc1],
            0x017f80ff7f80ff01_02fe7f80fe02807f,
        ), // punpckhdq
        (
            &[0x66, 0x0f, 0x6d, 0xc1],
            0x017f80ff02fe7f80_7f80ff01fe02807f,
        ), // punpckhqdq
        (
            &[0x66, 0x0f, 0x63, 0xc1],
            0x7f807f7f807f7f80_7f8080807f807f7f,
        ), // packsswb
        (
            &[0x66, 0x0f, 0x6b, 0xc1],
            0x7fff7fff80007fff_7fff80007fff7fff,
        ), // packssdw
        (
            &[0x66, 0x0f, 0x67, 0xc1],
            0xff00ffff00ffff00_ff0000008000ffff,
        ), // packuswb
    ]);
}

const SA: u128 = 0x8001ff7f7ffe0180_c0018000fffe8002;

#[test]
fn shifts_by_immediate() {
    let cases: &[(&[u8], u128)] = &[
        (
            &[0x66, 0x0f, 0x71, 0xf0, 0x03],
            0x0008fbf8fff00c00_00080000fff00010,
        ), // psllw 3
        (
            &[0x66, 0x0f, 0x71, 0xd0, 0x0f],
            0x0001000100000000_0001000100010001,
        ), // psrlw 15
        (
            &[0x66, 0x0f, 0x71, 0xe0, 0x10],
            0xffffffff00000000_ffffffffffffffff,
        ), // psraw 16
        (&[0x66, 0x0f, 0x72, 0xf0, 0x20], 0), // pslld 32
        (
            &[0x66, 0x0f, 0x72, 0xe0, 0x1f],
            0xffffffff00000000_ffffffffffffffff,
        ), // psrad 31
        (
            &[0x66, 0x0f, 0x73, 0xd0, 0x04],
            0x08001ff7f7ffe018_0c0018000fffe800,
        ), // psrlq 4
        (&[0x66, 0x0f, 0x73, 0xf0, 0x40], 0), // psllq 64
        (
            &[0x66, 0x0f, 0x73, 0xf8, 0x03],
            0x7f7ffe0180c00180_00fffe8002000000,
        ), // pslldq 3
        (
            &[0x66, 0x0f, 0x73, 0xd8, 0x05],
            0x00000000008001ff_7f7ffe0180c00180,
        ), // psrldq 5
        (&[0x66, 0x0f, 0x73, 0xd8, 0x10], 0), // psrldq 16
    ];
    for &(code, want) in cases {
        let c = op2(code, SA, 0, MXCSR_DEFAULT);
        assert_eq!(c.state.xmm[0], want, "{code:02x?}");
    }
}

#[test]
fn shifts_by_register_use_the_whole_low_quadword() {
    let cases: &[(&[u8], u128, u128)] = &[
        // psllw xmm0, xmm1 (count 5; the upper quadword is ignored)
        (
            &[0x66, 0x0f, 0xf1, 0xc1],
            0x1_0000000000000005,
            0x0020efe0ffc03000_00200000ffc00040,
        ),
        // psrad xmm0, xmm1
        (
            &[0x66, 0x0f, 0xe2, 0xc1],
            5,
            0xfc000ffb03fff00c_fe000c00fffff400,
        ),
        // psrlq xmm0, xmm1
        (
            &[0x66, 0x0f, 0xd3, 0xc1],
            5,
            0x04000ffbfbfff00c_06000c0007fff400,
        ),
        // psraw xmm0, xmm1
        (
            &[0x66, 0x0f, 0xe1, 0xc1],
            5,
            0xfc00fffb03ff000c_fe00fc00fffffc00,
        ),
        // psrlw xmm0, xmm1 with count 16: all zero
        (&[0x66, 0x0f, 0xd1, 0xc1], 16, 0),
        // psraw xmm0, xmm1 with count 16: sign fill
        (
            &[0x66, 0x0f, 0xe1, 0xc1],
            16,
            0xffffffff00000000_ffffffffffffffff,
        ),
        // pslld xmm0, xmm1 with count 16
        (
            &[0x66, 0x0f, 0xf2, 0xc1],
            16,
            0xff7f000001800000_8000000080020000,
        ),
        // psllq xmm0, xmm1 with a count of 2^32 + 1: zero
        (&[0x66, 0x0f, 0xf3, 0xc1], 0x1_0000_0001, 0),
    ];
    for &(code, count, want) in cases {
        let c = op2(code, SA, count, MXCSR_DEFAULT);
        assert_eq!(c.state.xmm[0], want, "{code:02x?}");
    }
}

#[test]
fn shuffles_and_word_insert_extract() {
    let cases: &[(&[u8], u128, u64)] = &[
        // pshufd xmm0, xmm0, 0x1b
        (
            &[0x66, 0x0f, 0x70, 0xc0, 0x1b],
            0xfffe8002c0018000_7ffe01808001ff7f,
            0,
        ),
        // pshuflw xmm0, xmm0, 0xb1
        (
            &[0xf2, 0x0f, 0x70, 0xc0, 0xb1],
            0x8001ff7f7ffe0180_8000c0018002fffe,
            0,
        ),
        // pshufhw xmm0, xmm0, 0x4e
        (
            &[0xf3, 0x0f, 0x70, 0xc0, 0x4e],
            0x7ffe01808001ff7f_c0018000fffe8002,
            0,
        ),
        // pinsrw xmm0, eax, 5 (rax = 0)
        (
            &[0x66, 0x0f, 0xc4, 0xc0, 0x05],
            0x8001ff7f00000180_c0018000fffe8002,
            0,
        ),
        // pextrw eax, xmm0, 6
        (&[0x66, 0x0f, 0xc5, 0xc0, 0x06], SA, 0xff7f),
        // pextrw eax, xmm0, 9 (the index is taken modulo 8)
        (&[0x66, 0x0f, 0xc5, 0xc0, 0x09], SA, 0xfffe),
    ];
    for &(code, want, rax) in cases {
        let c = sse(code, &[(0, SA)], &[], MXCSR_DEFAULT);
        assert_eq!(c.state.xmm[0], want, "{code:02x?}");
        assert_eq!(c.state.gpr[RAX], rax, "{code:02x?}");
    }
}

#[test]
fn integer_op_with_aligned_memory_operand() {
    // paddw xmm0, [rdi+16]
    let mut c = setup(
        &[0x66, 0x0f, 0xfd, 0x47, 0x10],
        &[(0, IA)],
        &[],
        MXCSR_DEFAULT,
    );
    write_data(&mut c, 16, &IB.to_le_bytes());
    run(&mut c);
    assert_eq!(c.state.xmm[0], 0x80ff80000100ffff_817f00fe80ff0100);
}

// ------------------------------------------------------------------ floating point

fn sd(v: f64) -> u128 {
    v.to_bits() as u128
}

#[test]
fn scalar_double_arithmetic() {
    let a = 0x4000000000000000_400921fb54442d18; // [pi, 2]
    let b = 0x3ff8000000000000_c00921fb54442d18; // [-pi, 1.5]
    let cases: &[(&[u8], u128, u32)] = &[
        (
            &[0xf2, 0x0f, 0x58, 0xc1],
            0x4000000000000000_0000000000000000,
            0x1f80,
        ), // addsd
        (
            &[0xf2, 0x0f, 0x5c, 0xc1],
            0x4000000000000000_401921fb54442d18,
            0x1f80,
        ), // subsd
        (
            &[0xf2, 0x0f, 0x59, 0xc1],
            0x4000000000000000_c023bd3cc9be45de,
            0x1fa0,
        ), // mulsd
        (
            &[0xf2, 0x0f, 0x5e, 0xc1],
            0x4000000000000000_bff0000000000000,
            0x1f80,
        ), // divsd
        (
            &[0xf2, 0x0f, 0x5d, 0xc1],
            0x4000000000000000_c00921fb54442d18,
            0x1f80,
        ), // minsd
        (
            &[0xf2, 0x0f, 0x5f, 0xc1],
            0x4000000000000000_400921fb54442d18,
            0x1f80,
        ), // maxsd
        // sqrtsd of -pi: the default NaN, IE
        (
            &[0xf2, 0x0f, 0x51, 0xc1],
            0x4000000000000000_fff8000000000000,
            0x1f81,
        ),
    ];
    for &(code, want, mx) in cases {
        let c = op2(code, a, b, MXCSR_DEFAULT);
        assert_eq!(c.state.xmm[0], want, "{code:02x?}");
        assert_eq!(c.state.mxcsr, mx, "{code:02x?}");
    }
}

#[test]
fn packed_double_arithmetic() {
    let a = 0x4000000000000000_400921fb54442d18;
    let b = 0x3ff8000000000000_c00921fb54442d18;
    let cases: &[(&[u8], u128, u32)] = &[
        (
            &[0x66, 0x0f, 0x58, 0xc1],
            0x400c000000000000_0000000000000000,
            0x1f80,
        ), // addpd
        (
            &[0x66, 0x0f, 0x5c, 0xc1],
            0x3fe0000000000000_401921fb54442d18,
            0x1f80,
        ), // subpd
        (
            &[0x66, 0x0f, 0x59, 0xc1],
            0x4008000000000000_c023bd3cc9be45de,
            0x1fa0,
        ), // mulpd
        (
            &[0x66, 0x0f, 0x5e, 0xc1],
            0x3ff5555555555555_bff0000000000000,
            0x1fa0,
        ), // divpd
        (
            &[0x66, 0x0f, 0x51, 0xc1],
            0x3ff3988e1409212e_fff8000000000000,
            0x1fa1,
        ), // sqrtpd
        (
            &[0x66, 0x0f, 0x5d, 0xc1],
            0x3ff8000000000000_c00921fb54442d18,
            0x1f80,
        ), // minpd
        (
            &[0x66, 0x0f, 0x5f, 0xc1],
            0x4000000000000000_400921fb54442d18,
            0x1f80,
        ), // maxpd
    ];
    for &(code, want, mx) in cases {
        let c = op2(code, a, b, MXCSR_DEFAULT);
        assert_eq!(c.state.xmm[0], want, "{code:02x?}");
        assert_eq!(c.state.mxcsr, mx, "{code:02x?}");
    }
}

#[test]
fn packed_single_arithmetic_with_specials() {
    // addps/mulps/divps on [1.0, -1.0, +inf, qnan] and [2.0, -0.0, -inf, 1.0], plus a
    // denormal sum.
    let a = 0x7fc00000_7f800000_bf800000_3f800000;
    let b = 0x3f800000_ff800000_80000000_40000000;
    // Values computed by hand from IEEE-754 and the SSE NaN rules (and cross-checked
    // with the host): inf + -inf is the default NaN with IE.
    let c = op2(&[0x0f, 0x58, 0xc1], a, b, MXCSR_DEFAULT); // addps
    assert_eq!(c.state.xmm[0], 0x7fc00000_ffc00000_bf800000_40400000);
    assert_eq!(c.state.mxcsr, 0x1f81);
    let c = op2(&[0x0f, 0x59, 0xc1], a, b, MXCSR_DEFAULT); // mulps
    assert_eq!(c.state.xmm[0], 0x7fc00000_ff800000_00000000_40000000);
    assert_eq!(c.state.mxcsr, 0x1f80);
    let c = op2(&[0x0f, 0x5e, 0xc1], a, b, MXCSR_DEFAULT); // divps: -1 / -0 = +inf, ZE
    assert_eq!(c.state.xmm[0], 0x7fc00000_ffc00000_7f800000_3f000000);
    assert_eq!(c.state.mxcsr, 0x1f85);
}

#[test]
fn division_by_zero_and_invalid() {
    // divpd xmm0, xmm1: [1.0, 0.0] / [-0.0, 0.0]... recorded from the host
    let c = op2(
        &[0x66, 0x0f, 0x5e, 0xc1],
        0x0000000000000000_3ff0000000000000,
        0x8000000000000000_0000000000000000,
        MXCSR_DEFAULT,
    );
    assert_eq!(c.state.xmm[0], 0xfff8000000000000_7ff0000000000000);
    assert_eq!(c.state.mxcsr, 0x1f85);
}

#[test]
fn nan_propagation_first_operand_wins_and_snan_is_quietened() {
    let a = 0x7ff8000000000001_fff4000000000002; // [snan, qnan]
    let b = 0x7ff8000000000003_fff8000000000004;
    let c = op2(&[0x66, 0x0f, 0x58, 0xc1], a, b, MXCSR_DEFAULT); // addpd
    assert_eq!(c.state.xmm[0], 0x7ff8000000000001_fffc000000000002);
    assert_eq!(c.state.mxcsr, 0x1f81);
    // minpd/maxpd return the second operand when either is a NaN.
    let c = op2(&[0x66, 0x0f, 0x5d, 0xc1], a, b, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], b);
    assert_eq!(c.state.mxcsr, 0x1f81);
    let c = op2(&[0x66, 0x0f, 0x5f, 0xc1], a, b, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], b);
}

#[test]
fn min_max_of_zeros_return_the_second_operand() {
    // minsd/maxsd of (+0, -0) and (-0, +0): always the source (SDM MINSD/MAXSD).
    for (a, b) in [(0.0f64, -0.0f64), (-0.0, 0.0)] {
        let c = op2(&[0xf2, 0x0f, 0x5d, 0xc1], sd(a), sd(b), MXCSR_DEFAULT);
        assert_eq!(c.state.xmm[0], sd(b));
        let c = op2(&[0xf2, 0x0f, 0x5f, 0xc1], sd(a), sd(b), MXCSR_DEFAULT);
        assert_eq!(c.state.xmm[0], sd(b));
    }
}

#[test]
fn rounding_modes_are_honoured() {
    // divsd xmm0, xmm1: 1/3 under RC = nearest, down, up, toward zero.
    let want = [
        (0x1f80, 0x3fd5555555555555),
        (0x3f80, 0x3fd5555555555555),
        (0x5f80, 0x3fd5555555555556),
        (0x7f80, 0x3fd5555555555555),
    ];
    for (mx, r) in want {
        let c = op2(&[0xf2, 0x0f, 0x5e, 0xc1], sd(1.0), sd(3.0), mx);
        assert_eq!(c.state.xmm[0], r, "mxcsr {mx:#x}");
        assert_eq!(c.state.mxcsr, mx | 0x20);
    }
    // -1/3 rounds the other way.
    let c = op2(&[0xf2, 0x0f, 0x5e, 0xc1], sd(-1.0), sd(3.0), 0x3f80);
    assert_eq!(c.state.xmm[0], 0xbfd5555555555556);
    // sqrtsd of 2.0 under each mode.
    let want = [
        (0x1f80, 0x3ff6a09e667f3bcd),
        (0x3f80, 0x3ff6a09e667f3bcc),
        (0x5f80, 0x3ff6a09e667f3bcd),
        (0x7f80, 0x3ff6a09e667f3bcc),
    ];
    for (mx, r) in want {
        let c = op2(&[0xf2, 0x0f, 0x51, 0xc1], 0, sd(2.0), mx);
        assert_eq!(c.state.xmm[0], r, "mxcsr {mx:#x}");
        assert_eq!(c.state.mxcsr, mx | 0x20);
    }
    // x - x is -0 when rounding down.
    let c = op2(&[0xf2, 0x0f, 0x5c, 0xc1], sd(1.5), sd(1.5), 0x3f80);
    assert_eq!(c.state.xmm[0], sd(-0.0));
}

#[test]
fn overflow_per_rounding_mode() {
    // mulsd xmm0, xmm1: 2^1023 * 2
    let want = [
        (0x1f80, 0x7ff0000000000000),
        (0x7f80, 0x7fefffffffffffff),
        (0x3f80, 0x7fefffffffffffff),
        (0x5f80, 0x7ff0000000000000),
    ];
    for (mx, r) in want {
        let c = op2(&[0xf2, 0x0f, 0x59, 0xc1], 0x7fe0000000000000, sd(2.0), mx);
        assert_eq!(c.state.xmm[0], r, "mxcsr {mx:#x}");
        assert_eq!(c.state.mxcsr, mx | 0x28, "OE and PE");
    }
    // Negative overflow rounding up: the most negative finite number.
    let c = op2(
        &[0xf2, 0x0f, 0x59, 0xc1],
        0xffe0000000000000,
        sd(2.0),
        0x5f80,
    );
    assert_eq!(c.state.xmm[0], 0xffefffffffffffff);
    // Near the top but not overflowing (RZ of max + tiny): PE only.
    let c = op2(
        &[0xf2, 0x0f, 0x58, 0xc1],
        0x7fefffffffffffff,
        sd(1.0),
        0x7f80,
    );
    assert_eq!(c.state.xmm[0], 0x7fefffffffffffff);
    assert_eq!(c.state.mxcsr, 0x7fa0);
}

#[test]
fn underflow_denormals_ftz_and_daz() {
    let min_normal = 0x0010000000000000u128;
    // divsd: min_normal / 1.5 is an inexact denormal: UE | PE.
    let c = op2(&[0xf2, 0x0f, 0x5e, 0xc1], min_normal, sd(1.5), 0x1f80);
    assert_eq!(c.state.xmm[0], 0x000aaaaaaaaaaaab);
    assert_eq!(c.state.mxcsr, 0x1fb0);
    // min_normal / 2 is an exact denormal: no flags.
    let c = op2(&[0xf2, 0x0f, 0x5e, 0xc1], min_normal, sd(2.0), 0x1f80);
    assert_eq!(c.state.xmm[0], 0x0008000000000000);
    assert_eq!(c.state.mxcsr, 0x1f80);
    // With FTZ both flush to zero with UE | PE.
    for d in [1.5, 2.0] {
        let c = op2(&[0xf2, 0x0f, 0x5e, 0xc1], min_normal, sd(d), 0x9f80);
        assert_eq!(c.state.xmm[0], 0);
        assert_eq!(c.state.mxcsr, 0x9fb0);
    }
    // A denormal operand: DE (and PE for the inexact sum)...
    let denorm = 1u128;
    let c = op2(&[0xf2, 0x0f, 0x58, 0xc1], denorm, sd(1.0), 0x1f80);
    assert_eq!(c.state.xmm[0], sd(1.0));
    assert_eq!(c.state.mxcsr, 0x1fa2);
    let c = op2(&[0xf2, 0x0f, 0x59, 0xc1], denorm, sd(1.0), 0x1f80);
    assert_eq!(c.state.xmm[0], 1);
    assert_eq!(c.state.mxcsr, 0x1f82);
    // ...or with DAZ a zero, and no flags at all.
    let c = op2(&[0xf2, 0x0f, 0x58, 0xc1], denorm, sd(1.0), 0x1fc0);
    assert_eq!(c.state.xmm[0], sd(1.0));
    assert_eq!(c.state.mxcsr, 0x1fc0);
    let c = op2(&[0xf2, 0x0f, 0x59, 0xc1], denorm, sd(1.0), 0x1fc0);
    assert_eq!(c.state.xmm[0], 0);
    assert_eq!(c.state.mxcsr, 0x1fc0);
}

#[test]
fn unmasked_exceptions_raise_xm_without_writing() {
    let cases: &[(&[u8], u128, u128, u32, u32)] = &[
        // divsd 1/0 with ZM clear
        (&[0xf2, 0x0f, 0x5e, 0xc1], sd(1.0), 0, 0x1d80, 0x1d84),
        // mulsd overflow with OM clear: OE alone (the unbounded result is exact)
        (
            &[0xf2, 0x0f, 0x59, 0xc1],
            0x7fe0000000000000,
            sd(2.0),
            0x1b80,
            0x1b88,
        ),
        // addsd with a denormal operand and DM clear
        (&[0xf2, 0x0f, 0x58, 0xc1], 1, sd(1.0), 0x1e80, 0x1e82),
        // divsd 1/3 with PM clear
        (&[0xf2, 0x0f, 0x5e, 0xc1], sd(1.0), sd(3.0), 0x0f80, 0x0fa0),
    ];
    for &(code, a, b, mx, want_mx) in cases {
        let mut c = setup(code, &[(0, a), (1, b)], &[], mx);
        assert_eq!(c.run(10), Trap::SimdFloatingPoint, "{code:02x?}");
        assert_eq!(c.state.rip, CODE);
        assert_eq!(c.state.xmm[0], a, "destination unchanged");
        assert_eq!(c.state.mxcsr, want_mx, "{code:02x?}");
    }
    // A masked overflow with OM set but ZM clear does not trap.
    let c = op2(
        &[0xf2, 0x0f, 0x58, 0xc1],
        0x7fe0000000000000,
        0x7fe0000000000000,
        0x1d80,
    );
    assert_eq!(c.state.xmm[0], 0x7ff0000000000000);
    assert_eq!(c.state.mxcsr, 0x1da8);
}

#[test]
fn cmpps_predicates() {
    // [1.0, 1.0] vs [1.0, 1.0] for lane 0; lane 1: -1 vs 1; lane 2: 0 vs 0;
    // lane 3: qnan vs 1.
    let a = 0x7fc00000_00000000_bf800000_3f800000;
    let b = 0x3f800000_00000000_3f800000_3f800000;
    let want: [(u128, u32); 8] = [
        (0x00000000ffffffff_00000000ffffffff, 0x1f80), // eq
        (0x0000000000000000_ffffffff00000000, 0x1f81), // lt (signals on QNaN)
        (0x00000000ffffffff_ffffffffffffffff, 0x1f81), // le
        (0xffffffff00000000_0000000000000000, 0x1f80), // unord
        (0xffffffff00000000_ffffffff00000000, 0x1f80), // neq
        (0xffffffffffffffff_00000000ffffffff, 0x1f81), // nlt
        (0xffffffff00000000_0000000000000000, 0x1f81), // nle
        (0x00000000ffffffff_ffffffffffffffff, 0x1f80), // ord
    ];
    for (k, &(r, mx)) in want.iter().enumerate() {
        // cmpps xmm0, xmm1, k
        let c = op2(&[0x0f, 0xc2, 0xc1, k as u8], a, b, MXCSR_DEFAULT);
        assert_eq!(c.state.xmm[0], r, "predicate {k}");
        assert_eq!(c.state.mxcsr, mx, "predicate {k}");
    }
    // cmpsd xmm0, xmm1, 1 (lt on the low double of a and b) keeps the upper half.
    let c = op2(&[0xf2, 0x0f, 0xc2, 0xc1, 0x01], a, b, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], 0x7fc0000000000000_ffffffffffffffff);
    // cmpss xmm0, xmm1, 6
    let c = op2(&[0xf3, 0x0f, 0xc2, 0xc1, 0x06], a, b, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], 0x7fc0000000000000_bf80000000000000);
    // cmppd xmm0, xmm1, 4
    let c = op2(&[0x66, 0x0f, 0xc2, 0xc1, 0x04], a, b, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], ONES);
}

#[test]
fn comisd_ucomisd_flags() {
    let arith = CF | PF | AF | ZF | SF | OF;
    let cases: &[(&[u8], u128, u128, u64, u32)] = &[
        // comisd 1.0, 2.0: less
        (&[0x66, 0x0f, 0x2f, 0xc1], sd(1.0), sd(2.0), CF, 0x1f80),
        // ucomisd 2.0, 1.0: greater
        (&[0x66, 0x0f, 0x2e, 0xc1], sd(2.0), sd(1.0), 0, 0x1f80),
        // comisd +0, -0: equal
        (&[0x66, 0x0f, 0x2f, 0xc1], sd(0.0), sd(-0.0), ZF, 0x1f80),
        // comisd qnan, 1.0: unordered, IE for any NaN
        (
            &[0x66, 0x0f, 0x2f, 0xc1],
            0x7ff8000000000000,
            sd(1.0),
            ZF | PF | CF,
            0x1f81,
        ),
        // ucomisd qnan, 1.0: unordered, no IE
        (
            &[0x66, 0x0f, 0x2e, 0xc1],
            0x7ff8000000000000,
            sd(1.0),
            ZF | PF | CF,
            0x1f80,
        ),
        // ucomisd snan, 1.0: IE
        (
            &[0x66, 0x0f, 0x2e, 0xc1],
            0x7ff4000000000000,
            sd(1.0),
            ZF | PF | CF,
            0x1f81,
        ),
        // comiss qnan, 1.0f
        (
            &[0x0f, 0x2f, 0xc1],
            0x7fc00000,
            0x3f800000,
            ZF | PF | CF,
            0x1f81,
        ),
        // ucomiss qnan, 1.0f
        (
            &[0x0f, 0x2e, 0xc1],
            0x7fc00000,
            0x3f800000,
            ZF | PF | CF,
            0x1f80,
        ),
    ];
    for &(code, a, b, flags, mx) in cases {
        let mut c = setup(code, &[(0, a), (1, b)], &[], MXCSR_DEFAULT);
        // Start with every arithmetic flag set: OF, SF and AF must be cleared.
        c.state.set_rflags(0x202 | arith);
        run(&mut c);
        assert_eq!(c.state.rflags() & arith, flags, "{code:02x?} {a:x} {b:x}");
        assert_eq!(c.state.mxcsr, mx, "{code:02x?} {a:x} {b:x}");
    }
    // With IM clear, comisd of a QNaN traps and leaves RFLAGS alone.
    let mut c = setup(
        &[0x66, 0x0f, 0x2f, 0xc1],
        &[(0, 0x7ff8000000000000), (1, sd(1.0))],
        &[],
        0x1f00,
    );
    c.state.set_rflags(0x202);
    assert_eq!(c.run(10), Trap::SimdFloatingPoint);
    assert_eq!(c.state.mxcsr, 0x1f01);
    assert_eq!(c.state.rflags() & arith, 0);
}

#[test]
fn shufps_shufpd_unpck() {
    let a = 0x44444444_33333333_22222222_11111111;
    let b = 0xdddddddd_cccccccc_bbbbbbbb_aaaaaaaa;
    // shufps xmm0, xmm1, 0x1b: a[3], a[2], b[1], b[0]
    let c = op2(&[0x0f, 0xc6, 0xc1, 0x1b], a, b, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], 0xaaaaaaaa_bbbbbbbb_33333333_44444444);
    // shufpd xmm0, xmm1, 1: a[1], b[0]
    let c = op2(&[0x66, 0x0f, 0xc6, 0xc1, 0x01], a, b, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], 0xbbbbbbbb_aaaaaaaa_44444444_33333333);
    // unpcklps / unpckhps / unpcklpd / unpckhpd
    let c = op2(&[0x0f, 0x14, 0xc1], a, b, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], 0xbbbbbbbb_22222222_aaaaaaaa_11111111);
    let c = op2(&[0x0f, 0x15, 0xc1], a, b, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], 0xdddddddd_44444444_cccccccc_33333333);
    let c = op2(&[0x66, 0x0f, 0x14, 0xc1], a, b, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], 0xbbbbbbbb_aaaaaaaa_22222222_11111111);
    let c = op2(&[0x66, 0x0f, 0x15, 0xc1], a, b, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], 0xdddddddd_cccccccc_44444444_33333333);
}

#[test]
fn sqrt_single() {
    // sqrtss / sqrtps of [4.0, 2.0]
    let b = 0x40000000_40800000;
    let c = op2(&[0xf3, 0x0f, 0x51, 0xc1], 0, b, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], 0x40000000);
    assert_eq!(c.state.mxcsr, 0x1f80);
    let c = op2(&[0x0f, 0x51, 0xc1], 0, b, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], 0x3fb504f3_40000000);
    assert_eq!(c.state.mxcsr, 0x1fa0);
    // sqrtsd of -0.0 is -0.0 without flags.
    let c = op2(&[0xf2, 0x0f, 0x51, 0xc1], 0, sd(-0.0), MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], sd(-0.0));
    assert_eq!(c.state.mxcsr, 0x1f80);
}

#[test]
fn rcp_rsqrt_approximations() {
    // Special values match the host exactly: [2.0, +inf, -0.0, denormal].
    let b = 0x00000001_80000000_7f800000_40000000;
    let c = op2(&[0x0f, 0x53, 0xc1], 0, b, MXCSR_DEFAULT); // rcpps
    let r = c.state.xmm[0];
    assert_eq!(r >> 32, 0x7f800000_ff800000_00000000);
    let c = op2(&[0x0f, 0x52, 0xc1], 0, b, MXCSR_DEFAULT); // rsqrtps
    assert_eq!(c.state.xmm[0] >> 32, 0x7f800000_ff800000_00000000);
    // rsqrtss of -1.0 is the default NaN; rcpss of the largest float is a flushed 0.
    let c = op2(&[0xf3, 0x0f, 0x52, 0xc1], 0, 0xbf800000, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], 0xffc00000);
    let c = op2(&[0xf3, 0x0f, 0x53, 0xc1], 0, 0x7f7fffff, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], 0);
    // Finite values are within the architectural bound 1.5 * 2^-12 of the exact
    // result (the host returns 0x3efff000 for rcp(2) and 0x3f350000 for rsqrt(2)).
    for x in [2.0f32, 3.0, 0.1, 1e30, 7.5e-30] {
        let c = op2(
            &[0xf3, 0x0f, 0x53, 0xc1],
            ONES,
            x.to_bits() as u128,
            MXCSR_DEFAULT,
        );
        let got = f32::from_bits(c.state.xmm[0] as u32) as f64;
        let exact = 1.0 / x as f64;
        assert!(((got - exact) / exact).abs() <= 1.5 / 4096.0, "rcp {x}");
        assert_eq!(
            c.state.xmm[0] >> 32,
            ONES >> 32,
            "rcpss keeps the upper lanes"
        );
        let c = op2(
            &[0xf3, 0x0f, 0x52, 0xc1],
            0,
            x.to_bits() as u128,
            MXCSR_DEFAULT,
        );
        let got = f32::from_bits(c.state.xmm[0] as u32) as f64;
        let exact = 1.0 / (x as f64).sqrt();
        assert!(((got - exact) / exact).abs() <= 1.5 / 4096.0, "rsqrt {x}");
    }
}

#[test]
fn hot_scalar_forms_with_memory_operands() {
    // mulsd xmm0, [rdi]; subsd xmm0, [rdi+8]; divsd xmm0, [rdi+16]; addsd xmm0, [rdi+24]
    let code = [
        0xf2, 0x0f, 0x59, 0x07, 0xf2, 0x0f, 0x5c, 0x47, 0x08, 0xf2, 0x0f, 0x5e, 0x47, 0x10, 0xf2,
        0x0f, 0x58, 0x47, 0x18,
    ];
    let mut c = setup(&code, &[(0, sd(3.0) | (7u128 << 64))], &[], MXCSR_DEFAULT);
    for (k, v) in [4.0f64, 2.0, 5.0, 0.5].iter().enumerate() {
        write_data(&mut c, 8 * k as u64, &v.to_le_bytes());
    }
    run(&mut c);
    // ((3 * 4) - 2) / 5 + 0.5 = 2.5, all exact.
    assert_eq!(c.state.xmm[0], sd(2.5) | (7u128 << 64));
    assert_eq!(c.state.mxcsr, MXCSR_DEFAULT);
}

// ------------------------------------------------------------------- conversions

#[test]
fn cvtsi2sd_cvtsi2ss_round_per_mxcsr() {
    // cvtsi2sd xmm0, rax / cvtsi2ss xmm0, rax with rax = i64::MAX (inexact)
    let c = sse(
        &[0xf2, 0x48, 0x0f, 0x2a, 0xc0],
        &[],
        &[(RAX, i64::MAX as u64)],
        0x1f80,
    );
    assert_eq!(c.state.xmm[0], 0x43e0000000000000);
    assert_eq!(c.state.mxcsr, 0x1fa0);
    let want = [
        (0x1f80, 0x5f000000),
        (0x3f80, 0x5effffff),
        (0x5f80, 0x5f000000),
        (0x7f80, 0x5effffff),
    ];
    for (mx, r) in want {
        let c = sse(
            &[0xf3, 0x48, 0x0f, 0x2a, 0xc0],
            &[(0, ONES)],
            &[(RAX, i64::MAX as u64)],
            mx,
        );
        assert_eq!(c.state.xmm[0], (ONES << 32) | r, "mxcsr {mx:#x}");
        assert_eq!(c.state.mxcsr, mx | 0x20);
    }
    // cvtsi2sd xmm0, eax uses only EAX (-1 here) and is exact.
    let c = sse(
        &[0xf2, 0x0f, 0x2a, 0xc0],
        &[],
        &[(RAX, 0x7fffffff_ffffffff)],
        0x1f80,
    );
    assert_eq!(c.state.xmm[0], 0xbff0000000000000);
    assert_eq!(c.state.mxcsr, 0x1f80);
}

#[test]
fn float_to_int_rounding_and_integer_indefinite() {
    // (instruction, xmm1 low, want rax, want mxcsr), default MXCSR, rax = -1 before.
    let cases: &[(&[u8], u128, u64, u32)] = &[
        // cvttsd2si eax, xmm1 of -2147483649.0: out of range
        (
            &[0xf2, 0x0f, 0x2c, 0xc1],
            0xc1e0000000200000,
            0x80000000,
            0x1f81,
        ),
        // cvttsd2si rax, xmm1 of the same: fits in 64 bits
        (
            &[0xf2, 0x48, 0x0f, 0x2c, 0xc1],
            0xc1e0000000200000,
            0xffffffff7fffffff,
            0x1f80,
        ),
        // cvttsd2si rax, xmm1 of 2^63: out of range
        (
            &[0xf2, 0x48, 0x0f, 0x2c, 0xc1],
            0x43e0000000000000,
            0x8000000000000000,
            0x1f81,
        ),
        // cvtsd2si eax, xmm1 of a QNaN
        (
            &[0xf2, 0x0f, 0x2d, 0xc1],
            0x7ff8000000000000,
            0x80000000,
            0x1f81,
        ),
        // cvtsd2si rax, xmm1 of -inf
        (
            &[0xf2, 0x48, 0x0f, 0x2d, 0xc1],
            0xfff0000000000000,
            0x8000000000000000,
            0x1f81,
        ),
        // cvtsd2si eax, xmm1 of -3.25: nearest is -3, inexact
        (
            &[0xf2, 0x0f, 0x2d, 0xc1],
            0xc00a000000000000,
            0xfffffffd,
            0x1fa0,
        ),
        // cvtss2si rax, xmm1 of 2.5f: ties to even
        (&[0xf3, 0x48, 0x0f, 0x2d, 0xc1], 0x40200000, 2, 0x1fa0),
        // cvtss2si eax, xmm1 of 3.5f
        (&[0xf3, 0x0f, 0x2d, 0xc1], 0x40600000, 4, 0x1fa0),
        // cvttss2si eax, xmm1 of -2.5f
        (&[0xf3, 0x0f, 0x2c, 0xc1], 0xc0200000, 0xfffffffe, 0x1fa0),
        // cvttss2si rax, xmm1 of 2^31 (fits in 64 bits, exact)
        (
            &[0xf3, 0x48, 0x0f, 0x2c, 0xc1],
            0x4f000000,
            0x80000000,
            0x1f80,
        ),
    ];
    for &(code, x1, rax, mx) in cases {
        let c = sse(code, &[(1, x1)], &[(RAX, u64::MAX)], MXCSR_DEFAULT);
        assert_eq!(c.state.gpr[RAX], rax, "{code:02x?} {x1:x}");
        assert_eq!(c.state.mxcsr, mx, "{code:02x?} {x1:x}");
    }
    // cvtsd2si of -3.25 in each rounding mode.
    for (mx, r) in [
        (0x3f80, 0xfffffffc),
        (0x5f80, 0xfffffffd),
        (0x7f80, 0xfffffffd),
    ] {
        let c = sse(
            &[0xf2, 0x0f, 0x2d, 0xc1],
            &[(1, 0xc00a000000000000)],
            &[],
            mx,
        );
        assert_eq!(c.state.gpr[RAX], r, "mxcsr {mx:#x}");
    }
}

#[test]
fn cvtss2sd_cvtsd2ss_nan_payloads_and_flags() {
    // cvtsd2ss xmm0, xmm1 of an SNaN with payload: quietened, payload truncated, IE.
    let c = op2(
        &[0xf2, 0x0f, 0x5a, 0xc1],
        ONES,
        0x7ff4000000000001,
        MXCSR_DEFAULT,
    );
    assert_eq!(c.state.xmm[0], (ONES << 32) | 0x7fe00000);
    assert_eq!(c.state.mxcsr, 0x1f81);
    // cvtss2sd xmm0, xmm1 of 2^31f.
    let c = op2(&[0xf3, 0x0f, 0x5a, 0xc1], 0, 0x4f000000, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], 0x41e0000000000000);
    // cvtsd2ss of 2^128: overflow to inf, OE | PE.
    let c = op2(
        &[0xf2, 0x0f, 0x5a, 0xc1],
        0,
        0x47f0000000000000,
        MXCSR_DEFAULT,
    );
    assert_eq!(c.state.xmm[0], 0x7f800000);
    assert_eq!(c.state.mxcsr, 0x1fa8);
    // cvtsd2ss of 2^-149: exactly the smallest denormal, no flags.
    let c = op2(
        &[0xf2, 0x0f, 0x5a, 0xc1],
        0,
        0x36a0000000000000,
        MXCSR_DEFAULT,
    );
    assert_eq!(c.state.xmm[0], 1);
    assert_eq!(c.state.mxcsr, 0x1f80);
}

#[test]
fn packed_conversions() {
    // xmm1 singles: [0.0, 2.5, -2.5, 3.5]
    let s = 0x40600000_c0200000_40200000_00000000;
    let c = op2(&[0x66, 0x0f, 0x5b, 0xc1], 0, s, MXCSR_DEFAULT); // cvtps2dq
    assert_eq!(c.state.xmm[0], 0x00000004fffffffe_0000000200000000);
    assert_eq!(c.state.mxcsr, 0x1fa0);
    let c = op2(&[0xf3, 0x0f, 0x5b, 0xc1], 0, s, MXCSR_DEFAULT); // cvttps2dq
    assert_eq!(c.state.xmm[0], 0x00000003fffffffe_0000000200000000);
    let c = op2(&[0x0f, 0x5a, 0xc1], 0, s, MXCSR_DEFAULT); // cvtps2pd
    assert_eq!(c.state.xmm[0], 0x4004000000000000_0000000000000000);
    // cvtps2dq of [2^31, -2^31, snan, inf]: indefinite where out of range or NaN.
    let c = op2(
        &[0x66, 0x0f, 0x5b, 0xc1],
        0,
        0x7f800000_7fa00001_cf000000_4f000000,
        0x1f80,
    );
    assert_eq!(c.state.xmm[0], 0x80000000_80000000_80000000_80000000);
    assert_eq!(c.state.mxcsr, 0x1f81);
    // cvtpd2dq / cvttpd2dq / cvtpd2ps of [snan, 2^63]: the upper half is zeroed.
    let d = 0x43e0000000000000_7ff4000000000001;
    for code in [[0xf2, 0x0f, 0xe6, 0xc1], [0x66, 0x0f, 0xe6, 0xc1]] {
        let c = op2(&code, ONES, d, MXCSR_DEFAULT);
        assert_eq!(c.state.xmm[0], 0x8000000080000000);
        assert_eq!(c.state.mxcsr, 0x1f81);
    }
    let c = op2(&[0x66, 0x0f, 0x5a, 0xc1], ONES, d, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], 0x5f000000_7fe00000);
    // cvtdq2ps of [65535, 1, i32::MIN, i32::MAX] (the last is inexact)
    let i = 0x7fffffff_80000000_00000001_0000ffff;
    let c = op2(&[0x0f, 0x5b, 0xc1], ONES, i, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], 0x4f000000_cf000000_3f800000_477fff00);
    assert_eq!(c.state.mxcsr, 0x1fa0);
    // cvtdq2pd of the low two
    let c = op2(&[0xf3, 0x0f, 0xe6, 0xc1], ONES, i, MXCSR_DEFAULT);
    assert_eq!(c.state.xmm[0], 0x3ff0000000000000_40efffe000000000);
    // cvtdq2ps rounding up
    let c = op2(
        &[0x0f, 0x5b, 0xc1],
        0,
        0x01000001_fefffffd_00000001_00ffffff,
        0x5f80,
    );
    assert_eq!(c.state.xmm[0], 0x4b800001_cb800001_3f800000_4b7fffff);
}

// Expected values derived from the SDM (MMX registers alias the x87 registers).
#[test]
fn mmx_register_conversions() {
    let code = [
        0x0f, 0x2a, 0xc1, // cvtpi2ps xmm0, mm1
        0x0f, 0x2d, 0xd0, // cvtps2pi mm2, xmm0
        0x66, 0x0f, 0x2c, 0xd9, // cvttpd2pi mm3, xmm1
        0xf3, 0x0f, 0xd6, 0xd2, // movq2dq xmm2, mm2
        0xf2, 0x0f, 0xd6, 0xe1, // movdq2q mm4, xmm1
    ];
    let mut c = setup(
        &code,
        &[(0, ONES), (1, 0xc004000000000000_400c000000000000)], // [3.5, -2.5]
        &[],
        MXCSR_DEFAULT,
    );
    c.state.x87.regs[1] = 0xfffffffd_00000002; // mm1 = [2, -3]
    c.state.x87.top = 5;
    run(&mut c);
    assert_eq!(c.state.xmm[0], (ONES << 64) | 0xc0400000_40000000);
    assert_eq!(
        c.state.x87.regs[2],
        (0xffffu128 << 64) | 0xfffffffd_00000002
    );
    // Truncation: [3, -2]
    assert_eq!(
        c.state.x87.regs[3],
        (0xffffu128 << 64) | 0xfffffffe_00000003
    );
    assert_eq!(c.state.xmm[2], 0xfffffffd_00000002);
    assert_eq!(c.state.x87.regs[4], (0xffffu128 << 64) | 0x400c000000000000);
    // The MMX transition: TOP = 0, all registers valid.
    assert_eq!(c.state.x87.top, 0);
    assert_eq!(c.state.x87.tags, 0xff);
    // EMMS empties the tag word.
    let mut c = setup(&[0x0f, 0x77], &[], &[], MXCSR_DEFAULT);
    c.state.x87.tags = 0xff;
    run(&mut c);
    assert_eq!(c.state.x87.tags, 0);
}

#[test]
fn mmx_vex_and_locked_forms_are_ud() {
    for code in [
        &[0x0f, 0xfc, 0xc1][..],       // paddb mm0, mm1 (MMX form: not implemented)
        &[0xc5, 0xf0, 0x58, 0xc2][..], // vaddps xmm0, xmm1, xmm2 (no AVX)
        &[0xf0, 0x0f, 0x58, 0xc1][..], // lock addps xmm0, xmm1
        &[0xf2, 0x0f, 0x7c, 0xc1][..], // haddps xmm0, xmm1 (SSE3)
    ] {
        let mut c = cpu_with(code);
        assert_eq!(c.run(10), Trap::InvalidOpcode, "{code:02x?}");
        assert_eq!(c.state.rip, CODE);
    }
}

#[test]
fn page_fault_leaves_destination_unchanged() {
    // addpd xmm0, [rdi] with rdi unmapped
    let mut c = setup(
        &[0x66, 0x0f, 0x58, 0x07],
        &[(0, 5)],
        &[(RDI, 0x1000_0000)],
        MXCSR_DEFAULT,
    );
    assert!(matches!(c.run(10), Trap::PageFault(_)));
    assert_eq!(c.state.xmm[0], 5);
    assert_eq!(c.state.rip, CODE);
}
