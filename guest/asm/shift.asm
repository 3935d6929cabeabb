; shift.asm - SHL SHR SAR ROL ROR RCL RCR (by CL over many counts, by 1, by
; imm8 5) and SHLD SHRD (by CL and by imm8 5) at 8/16/32/64 bits.
; Prints "op a [b] c=count fi=F -> rax f=flags".  Only the flags the SDM
; defines are printed: count 0 leaves every flag alone; OF only for count 1;
; AF is undefined for shifts; CF of SHL/SHR is undefined for 8/16-bit operands
; when the count is >= the width; rotates never touch SF ZF AF PF.
; SHLD/SHRD 16-bit are not run with counts 16..31 (result undefined).
%include "lib.inc"

%define ALL 0x8d5

%macro SH_CL 3
%1:
    push rdx
    popfq
    mov rax, rdi
    %2 %3, cl
    pushfq
    pop rdx
    ret
%endmacro
%macro SH_IMM 4
%1:
    push rdx
    popfq
    mov rax, rdi
    %2 %3, %4
    pushfq
    pop rdx
    ret
%endmacro
%macro SHD_CL 4
%1:
    push rdx
    popfq
    mov rax, rdi
    %2 %3, %4, cl
    pushfq
    pop rdx
    ret
%endmacro
%macro SHD_IMM 4
%1:
    push rdx
    popfq
    mov rax, rdi
    %2 %3, %4, 5
    pushfq
    pop rdx
    ret
%endmacro

%macro SHIFT_FUNCS 1
    SH_CL %1_cl8, %1, al
    SH_CL %1_cl16, %1, ax
    SH_CL %1_cl32, %1, eax
    SH_CL %1_cl64, %1, rax
    SH_IMM %1_one8, %1, al, 1
    SH_IMM %1_one16, %1, ax, 1
    SH_IMM %1_one32, %1, eax, 1
    SH_IMM %1_one64, %1, rax, 1
    SH_IMM %1_imm8, %1, al, 5
    SH_IMM %1_imm16, %1, ax, 5
    SH_IMM %1_imm32, %1, eax, 5
    SH_IMM %1_imm64, %1, rax, 5
%endmacro

section .text
SHIFT_FUNCS shl
SHIFT_FUNCS shr
SHIFT_FUNCS sar
SHIFT_FUNCS rol
SHIFT_FUNCS ror
SHIFT_FUNCS rcl
SHIFT_FUNCS rcr
SHD_CL shld_cl16, shld, ax, si
SHD_CL shld_cl32, shld, eax, esi
SHD_CL shld_cl64, shld, rax, rsi
SHD_CL shrd_cl16, shrd, ax, si
SHD_CL shrd_cl32, shrd, eax, esi
SHD_CL shrd_cl64, shrd, rax, rsi
SHD_IMM shld_imm16, shld, ax, si
SHD_IMM shld_imm32, shld, eax, esi
SHD_IMM shld_imm64, shld, rax, rsi
SHD_IMM shrd_imm16, shrd, ax, si
SHD_IMM shrd_imm32, shrd, eax, esi
SHD_IMM shrd_imm64, shrd, rax, rsi

section .rodata
align 8
vals8:  dq 1, 0x80, 0xa5, 0xff
vals16: dq 1, 0x8000, 0xa5c3, 0xffff
vals32: dq 1, 0x80000000, 0xa5c3e1f0, 0xffffffff
vals64: dq 1, 0x8000000000000000, 0xa5c3e1f00f1e3c5a, 0xffffffffffffffff
%define NVALS 4
; count lists end with 0xff
cnt8:    db 0, 1, 2, 3, 7, 8, 9, 16, 17, 31, 32, 33, 0xff
cnt16:   db 0, 1, 2, 7, 15, 16, 17, 31, 32, 33, 0xff
cnt32:   db 0, 1, 2, 7, 31, 32, 33, 0xff
cnt64:   db 0, 1, 2, 7, 31, 32, 33, 63, 64, 65, 0xff
cntd16:  db 0, 1, 2, 7, 15, 32, 33, 0xff
cnt_one: db 1, 0xff
cnt_imm: db 5, 0xff

; descriptor (8 qwords): name, func, digits, values, counts, mask1, maskn,
; flags (bit0: CF undefined for 8/16-bit when count >= width; bit1: has b)
%define D_SIZE 64
%macro D1 8 ; name-string, func, digits, values, counts, mask1, maskn, flags
    dq %%s, %2, %3, %4, %5, %6, %7, %8
section .rodata.str
%%s: db %1, 0
section .rodata
%endmacro

%macro SHIFT_DESCS 4 ; op, mask1, maskn, flags
%defstr %%n %1
    D1 %%n, %1_cl8, 2, vals8, cnt8, %2, %3, %4
    D1 %%n, %1_cl16, 4, vals16, cnt16, %2, %3, %4
    D1 %%n, %1_cl32, 8, vals32, cnt32, %2, %3, %4
    D1 %%n, %1_cl64, 16, vals64, cnt64, %2, %3, %4
    D1 %%n, %1_one8, 2, vals8, cnt_one, %2, %3, %4
    D1 %%n, %1_one16, 4, vals16, cnt_one, %2, %3, %4
    D1 %%n, %1_one32, 8, vals32, cnt_one, %2, %3, %4
    D1 %%n, %1_one64, 16, vals64, cnt_one, %2, %3, %4
    D1 %%n, %1_imm8, 2, vals8, cnt_imm, %2, %3, %4
    D1 %%n, %1_imm16, 4, vals16, cnt_imm, %2, %3, %4
    D1 %%n, %1_imm32, 8, vals32, cnt_imm, %2, %3, %4
    D1 %%n, %1_imm64, 16, vals64, cnt_imm, %2, %3, %4
%endmacro

align 8
descs:
    SHIFT_DESCS shl, 0x8c5, 0x0c5, 1
    SHIFT_DESCS shr, 0x8c5, 0x0c5, 1
    SHIFT_DESCS sar, 0x8c5, 0x0c5, 0
    SHIFT_DESCS rol, ALL, 0x0d5, 0
    SHIFT_DESCS ror, ALL, 0x0d5, 0
    SHIFT_DESCS rcl, ALL, 0x0d5, 0
    SHIFT_DESCS rcr, ALL, 0x0d5, 0
    D1 "shld", shld_cl16, 4, vals16, cntd16, 0x8c5, 0x0c5, 2
    D1 "shld", shld_cl32, 8, vals32, cnt32, 0x8c5, 0x0c5, 2
    D1 "shld", shld_cl64, 16, vals64, cnt64, 0x8c5, 0x0c5, 2
    D1 "shrd", shrd_cl16, 4, vals16, cntd16, 0x8c5, 0x0c5, 2
    D1 "shrd", shrd_cl32, 8, vals32, cnt32, 0x8c5, 0x0c5, 2
    D1 "shrd", shrd_cl64, 16, vals64, cnt64, 0x8c5, 0x0c5, 2
    D1 "shld", shld_imm16, 4, vals16, cnt_imm, 0x8c5, 0x0c5, 2
    D1 "shld", shld_imm32, 8, vals32, cnt_imm, 0x8c5, 0x0c5, 2
    D1 "shld", shld_imm64, 16, vals64, cnt_imm, 0x8c5, 0x0c5, 2
    D1 "shrd", shrd_imm16, 4, vals16, cnt_imm, 0x8c5, 0x0c5, 2
    D1 "shrd", shrd_imm32, 8, vals32, cnt_imm, 0x8c5, 0x0c5, 2
    D1 "shrd", shrd_imm64, 16, vals64, cnt_imm, 0x8c5, 0x0c5, 2
descs_end:

section .bss
mask: resq 1

section .text
global _start
_start:
    lea r12, [descs]
.desc:
    lea rax, [descs_end]
    cmp r12, rax
    jae .done
    xor r13d, r13d                 ; value index
.a:
    mov r14, [r12 + 32]            ; count pointer
.cnt:
    movzx ecx, byte [r14]
    cmp ecx, 0xff
    je .next_a
    ; which flags does the SDM define for this count?
    mov rax, [r12 + 16]
    mov edx, 31
    cmp eax, 16
    jne .m31
    mov edx, 63
.m31:
    and edx, ecx                   ; masked count
    mov r8d, ALL
    test edx, edx
    jz .mset
    mov r8, [r12 + 40]
    cmp edx, 1
    je .mset
    mov r8, [r12 + 48]
    test qword [r12 + 56], 1
    jz .mset
    cmp eax, 4                     ; 8 or 16 bit?
    ja .mset
    shl eax, 2                     ; width in bits
    cmp edx, eax
    jb .mset
    and r8d, ~1
.mset:
    mov [mask], r8
    xor r15d, r15d
.fin:
    mov rbx, [r12 + 24]
    mov rdi, [rbx + r13*8]
    mov rsi, [rbx + 16]            ; second operand of shld/shrd: the 0xa5.. value
    mov rax, [r12 + 16]
    cmp eax, 16
    jae .nohi
    push rcx
    lea ecx, [eax*4]
    mov rax, 0x1122334455667788
    shr rax, cl
    shl rax, cl
    or rdi, rax
    pop rcx
.nohi:
    xor edx, edx
    test r15, r15
    jz .fz
    mov edx, ALL
.fz:
    call [r12 + 8]
    mov rbp, rdx
    mov r9, rax
    mov rsi, [r12]
    call print_str
    mov r8, [r12 + 16]
    lea rax, [r8*4]
    PDEC rax
    PCH ' '
    PHEX [rbx + r13*8], r8d
    test qword [r12 + 56], 2
    jz .nob
    PCH ' '
    PHEX [rbx + 16], r8d
.nob:
    PSTR " c="
    movzx eax, byte [r14]
    PDEC rax
    PSTR " fi="
    PHEX r15, 1
    PSTR " -> "
    PHEX r9, 16
    PFLAGS rbp, [mask]
    PNL
    movzx ecx, byte [r14]
    inc r15
    cmp r15, 2
    jb .fin
    inc r14
    jmp .cnt
.next_a:
    inc r13
    cmp r13, NVALS
    jb .a
    add r12, D_SIZE
    jmp .desc
.done:
    PSTR "done", 10
    EXIT 0
