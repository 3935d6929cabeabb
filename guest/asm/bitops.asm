; bitops.asm - BT BTS BTR BTC (register and memory bit strings, register and
; immediate offsets, negative and far offsets in memory), BSF BSR, BSWAP.
; Flags printed: BTx -> CF and ZF (ZF is "unaffected", so it must keep the
; incoming value); BSF/BSR -> ZF only, and the destination only for a
; non-zero source (it is undefined for zero).
%include "lib.inc"

%define ALL 0x8d5
%define GARB 0x1122334455667788

; rdi = value (dst), rsi = offset/source, rdx = flags in -> rax, rdx = flags
%macro RR 4
%1:
    push rdx
    popfq
    mov rax, rdi
    %2 %3, %4
    pushfq
    pop rdx
    ret
%endmacro
; memory forms: operate on [bitbase]
%macro MR 4
%1:
    push rdx
    popfq
    lea rax, [bitbase]
    %2 %3 [rax], %4
    pushfq
    pop rdx
    ret
%endmacro

%macro BTALL 1
    RR %1_r16, %1, ax, si
    RR %1_r32, %1, eax, esi
    RR %1_r64, %1, rax, rsi
    RR %1_i16, %1, ax, 13
    RR %1_i32, %1, eax, 37
    RR %1_i64, %1, rax, 45
    MR %1_m16, %1, word, si
    MR %1_m32, %1, dword, esi
    MR %1_m64, %1, qword, rsi
    MR %1_mi16, %1, word, 19
    MR %1_mi32, %1, dword, 31
    MR %1_mi64, %1, qword, 77
%endmacro

section .text
BTALL bt
BTALL bts
BTALL btr
BTALL btc
RR bsf16, bsf, ax, si
RR bsf32, bsf, eax, esi
RR bsf64, bsf, rax, rsi
RR bsr16, bsr, ax, si
RR bsr32, bsr, eax, esi
RR bsr64, bsr, rax, rsi
bswap32:
    mov rax, rdi
    bswap eax
    ret
bswap64:
    mov rax, rdi
    bswap rax
    ret
bswap_r13:
    mov r13, rdi
    bswap r13
    mov rax, r13
    ret

section .data
align 16
bitbuf:  dq 0x0123456789abcdef, 0xfedcba9876543210
bitbase: dq 0xa5a5a5a5a5a5a5a5, 0x5a5a5a5a5a5a5a5a, 0xffffffff00000000, 0x00000000ffffffff
section .rodata
bitinit: dq 0x0123456789abcdef, 0xfedcba9876543210
         dq 0xa5a5a5a5a5a5a5a5, 0x5a5a5a5a5a5a5a5a, 0xffffffff00000000, 0x00000000ffffffff
; register operands and offsets
rvals: dq 0x8000000000000001, 0xa5a5a5a5c3c3c3c3, 0
%define NRVALS 3
roffs: dq 0, 1, 7, 15, 16, 31, 32, 33, 63, 64, 100, -1
%define NROFFS 12
moffs: dq -128, -65, -17, -1, 0, 5, 15, 16, 31, 32, 63, 64, 100, 255
%define NMOFFS 14
bsvals: dq 1, 2, 0x80, 0x100, 0x8000, 0x10000, 0x80000000, 0x100000000, 0x8000000000000000
        dq 0xa5a5a5a5a5a5a5a4, 0x00ff00ff00ff0000, 0xffffffffffffffff, 0
%define NBSVALS 13

%macro D 3-4 -1 ; name, func, digits, immediate (-1: offset in a register)
    dq %%s, %2, %3, %4
section .rodata.str
%%s: db %1, 0
section .rodata
%endmacro
%macro BTDESC 1
%defstr %%n %1
    D %%n, %1_r16, 4
    D %%n, %1_r32, 8
    D %%n, %1_r64, 16
    D %%n, %1_i16, 4, 13
    D %%n, %1_i32, 8, 37
    D %%n, %1_i64, 16, 45
%endmacro
%macro BTMDESC 1
%defstr %%n %1
    D %%n, %1_m16, 4
    D %%n, %1_m32, 8
    D %%n, %1_m64, 16
    D %%n, %1_mi16, 4, 19
    D %%n, %1_mi32, 8, 31
    D %%n, %1_mi64, 16, 77
%endmacro
align 8
regdescs:
    BTDESC bt
    BTDESC bts
    BTDESC btr
    BTDESC btc
regdescs_end:
memdescs:
    BTMDESC bt
    BTMDESC bts
    BTMDESC btr
    BTMDESC btc
memdescs_end:
bsdescs:
    D "bsf", bsf16, 4
    D "bsf", bsf32, 8
    D "bsf", bsf64, 16
    D "bsr", bsr16, 4
    D "bsr", bsr32, 8
    D "bsr", bsr64, 16
bsdescs_end:

section .text
; rcx = digits -> rax = GARB above the operand size
hipat:
    push rcx
    xor eax, eax
    cmp ecx, 16
    jae .z
    shl ecx, 2
    mov rax, GARB
    shr rax, cl
    shl rax, cl
.z:
    pop rcx
    ret

; r15 counts calls; returns rdx = 0 or ALL alternately
altflags:
    xor edx, edx
    inc r15
    test r15, 1
    jz .z
    mov edx, ALL
.z:
    ret

global _start
_start:
    xor r15d, r15d
    ; ---- register forms
    lea r12, [regdescs]
.rd:
    lea rax, [regdescs_end]
    cmp r12, rax
    jae .mem
    xor r13d, r13d
.rv:
    xor r14d, r14d
.ro:
    mov rcx, [r12 + 16]
    call hipat
    lea rbx, [rvals]
    mov rdi, [rbx + r13*8]
    mov rdx, -1
    shl ecx, 2
    cmp ecx, 64
    je .full
    shl rdx, cl
    not rdx
    and rdi, rdx
.full:
    or rdi, rax
    lea rbx, [roffs]
    mov rsi, [rbx + r14*8]
    call altflags
    mov rbp, rdx
    call [r12 + 8]
    mov r8, rax
    mov r9, rdx
    mov rsi, [r12]
    call print_str
    mov rax, [r12 + 16]
    shl eax, 2
    PDEC rax
    PCH ' '
    PHEX rdi, 16
    cmp qword [r12 + 24], -1
    je .rreg
    PSTR " imm "
    PDEC [r12 + 24]
    jmp .rfi
.rreg:
    PCH ' '
    lea rax, [roffs]
    PHEX [rax + r14*8], 16
.rfi:
    PSTR " fi="
    PHEX rbp, 3
    PSTR " -> "
    PHEX r8, 16
    PFLAGS r9, 0x041
    PNL
    cmp qword [r12 + 24], -1
    jne .rnext
    inc r14
    cmp r14, NROFFS
    jb .ro
.rnext:
    inc r13
    cmp r13, NRVALS
    jb .rv
    add r12, 32
    jmp .rd

    ; ---- memory forms
.mem:
    lea r12, [memdescs]
.md:
    lea rax, [memdescs_end]
    cmp r12, rax
    jae .bs
    xor r14d, r14d
.mo:
    ; reset the bit buffer
    lea rsi, [bitinit]
    lea rdi, [bitbuf]
    mov ecx, 6
.cp:
    mov rax, [rsi]
    mov [rdi], rax
    add rsi, 8
    add rdi, 8
    dec ecx
    jnz .cp
    lea rbx, [moffs]
    mov rsi, [rbx + r14*8]
    call altflags
    mov rbp, rdx
    call [r12 + 8]
    mov r9, rdx
    mov rsi, [r12]
    call print_str
    mov rax, [r12 + 16]
    shl eax, 2
    PDEC rax
    cmp qword [r12 + 24], -1
    je .mreg
    PSTR " mem imm "
    PDEC [r12 + 24]
    jmp .mfi
.mreg:
    PSTR " mem "
    lea rbx, [moffs]
    PHEX [rbx + r14*8], 16
.mfi:
    PSTR " fi="
    PHEX rbp, 3
    PFLAGS r9, 0x041
    PSTR " ->"
    lea rbx, [bitbuf]
    xor ecx, ecx
.pm:
    PCH ' '
    PHEX [rbx + rcx*8], 16
    inc ecx
    cmp ecx, 6
    jb .pm
    PNL
    cmp qword [r12 + 24], -1
    jne .mnext
    inc r14
    cmp r14, NMOFFS
    jb .mo
.mnext:
    add r12, 32
    jmp .md

    ; ---- BSF / BSR
.bs:
    lea r12, [bsdescs]
.bd:
    lea rax, [bsdescs_end]
    cmp r12, rax
    jae .bswap
    xor r13d, r13d
.bv:
    mov rcx, [r12 + 16]
    mov rdi, GARB
    lea rbx, [bsvals]
    mov rsi, [rbx + r13*8]
    call altflags
    mov rbp, rdx
    call [r12 + 8]
    mov r8, rax
    mov r9, rdx
    mov rsi, [r12]
    call print_str
    mov rax, [r12 + 16]
    shl eax, 2
    PDEC rax
    PCH ' '
    PHEX [rbx + r13*8], 16
    PSTR " fi="
    PHEX rbp, 3
    PFLAGS r9, 0x040
    ; the source as seen at this operand size: zero -> destination undefined
    mov rax, [rbx + r13*8]
    mov rcx, [r12 + 16]
    cmp ecx, 16
    je .bsfull
    shl ecx, 2
    mov rdx, 1
    shl rdx, cl
    dec rdx
    and rax, rdx
.bsfull:
    test rax, rax
    jz .bsz
    PSTR " -> "
    PHEX r8, 16
.bsz:
    PNL
    inc r13
    cmp r13, NBSVALS
    jb .bv
    add r12, 32
    jmp .bd

.bswap:
    xor r13d, r13d
.bw:
    lea rbx, [bsvals]
    mov rdi, [rbx + r13*8]
    mov rax, 0x0123456789abcdef
    xor rdi, rax
    PSTR "bswap "
    PHEX rdi, 16
    call bswap32
    PSTR " 32 -> "
    PHEX rax, 16
    call bswap64
    PSTR " 64 -> "
    PHEX rax, 16
    push r13
    call bswap_r13
    pop r13
    PSTR " r13 -> "
    PHEX rax, 16
    PNL
    inc r13
    cmp r13, NBSVALS
    jb .bw

    PSTR "done", 10
    EXIT 0
