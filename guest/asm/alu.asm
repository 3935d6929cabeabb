; alu.asm - flags of ADD ADC SUB SBB CMP NEG INC DEC AND OR XOR TEST NOT
; at 8/16/32/64 bits on edge values, with the incoming flags all clear and
; all set (CF|PF|AF|ZF|SF|OF).  Prints "op a b fi -> rax f=flags"; rax holds
; a pattern above the operand size before the operation.
; AND/OR/XOR/TEST leave AF undefined: it is masked out for them.
%include "lib.inc"

%define ALL 0x8d5

; BINOP name, mnemonic, dst-reg, src-reg
%macro BINOP 4
%1:
    push rdx
    popfq
    mov rax, rdi
    %2 %3, %4
    pushfq
    pop rdx
    ret
%endmacro
; UNOP name, mnemonic, reg
%macro UNOP 3
%1:
    push rdx
    popfq
    mov rax, rdi
    %2 %3
    pushfq
    pop rdx
    ret
%endmacro

%macro SIZED 2  ; op, kind(BIN/UN)
%ifidn %2, BIN
    BINOP %1_8, %1, al, sil
    BINOP %1_16, %1, ax, si
    BINOP %1_32, %1, eax, esi
    BINOP %1_64, %1, rax, rsi
%else
    UNOP %1_8, %1, al
    UNOP %1_16, %1, ax
    UNOP %1_32, %1, eax
    UNOP %1_64, %1, rax
%endif
%endmacro

section .text
SIZED add, BIN
SIZED adc, BIN
SIZED sub, BIN
SIZED sbb, BIN
SIZED cmp, BIN
SIZED and, BIN
SIZED or, BIN
SIZED xor, BIN
SIZED test, BIN
SIZED neg, UN
SIZED inc, UN
SIZED dec, UN
SIZED not, UN

section .rodata
align 8
vals8:  dq 0, 1, 0x0f, 0x5a, 0x7f, 0x80, 0x81, 0xfe, 0xff
vals16: dq 0, 1, 0x0f, 0x5a5a, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff
vals32: dq 0, 1, 0x0f, 0x5a5a5a5a, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff
vals64: dq 0, 1, 0x0f, 0x5a5a5a5a5a5a5a5a, 0x7fffffffffffffff, 0x8000000000000000
        dq 0x8000000000000001, 0xfffffffffffffffe, 0xffffffffffffffff
%define NVALS 9

; descriptor: name, func, digits, values, unary, mask
%macro DESC 4  ; op, unary, mask, (unused)
%defstr %%n8 %1
    dq %%s8, %1_8, 2, vals8, %2, %3
    dq %%s16, %1_16, 4, vals16, %2, %3
    dq %%s32, %1_32, 8, vals32, %2, %3
    dq %%s64, %1_64, 16, vals64, %2, %3
section .rodata.str
%%s8: db %%n8, "8 ", 0
%%s16: db %%n8, "16 ", 0
%%s32: db %%n8, "32 ", 0
%%s64: db %%n8, "64 ", 0
section .rodata
%endmacro

align 8
descs:
    DESC add, 0, ALL, 0
    DESC adc, 0, ALL, 0
    DESC sub, 0, ALL, 0
    DESC sbb, 0, ALL, 0
    DESC cmp, 0, ALL, 0
    DESC and, 0, 0x8c5, 0
    DESC or, 0, 0x8c5, 0
    DESC xor, 0, 0x8c5, 0
    DESC test, 0, 0x8c5, 0
    DESC neg, 1, ALL, 0
    DESC inc, 1, ALL, 0
    DESC dec, 1, ALL, 0
    DESC not, 1, ALL, 0
descs_end:

section .text
global _start
_start:
    lea r12, [descs]
.desc:
    lea rax, [descs_end]
    cmp r12, rax
    jae .done
    xor r13d, r13d                 ; index of a
.a:
    xor r14d, r14d                 ; index of b
.b:
    xor r15d, r15d                 ; 0 = flags in clear, 1 = all set
.fin:
    mov rbx, [r12 + 24]            ; values
    mov rdi, [rbx + r13*8]
    mov rsi, [rbx + r14*8]
    ; put a known pattern above the operand size: 8/16-bit ops must keep it,
    ; 32-bit ops must zero it
    mov rcx, [r12 + 16]
    cmp ecx, 16
    jae .nohi
    shl ecx, 2
    mov rax, 0x1122334455667788
    shr rax, cl
    shl rax, cl
    or rdi, rax
.nohi:
    xor edx, edx
    test r15, r15
    jz .fz
    mov edx, ALL
.fz:
    call [r12 + 8]
    mov rbp, rdx                   ; flags out
    mov rcx, rax                   ; result
    mov rsi, [r12]
    call print_str
    mov r8, [r12 + 16]             ; digits
    mov rbx, [r12 + 24]
    PHEX [rbx + r13*8], r8d
    cmp qword [r12 + 32], 0
    jne .un
    PCH ' '
    PHEX [rbx + r14*8], r8d
.un:
    PSTR " fi="
    PHEX r15, 1
    PSTR " -> "
    PHEX rcx, 16
    PFLAGS rbp, [r12 + 40]
    PNL
    inc r15
    cmp r15, 2
    jb .fin
    cmp qword [r12 + 32], 0
    jne .nextb_done                ; unary: b loop runs once
    inc r14
    cmp r14, NVALS
    jb .b
.nextb_done:
    inc r13
    cmp r13, NVALS
    jb .a
    add r12, 48
    jmp .desc
.done:
    PSTR "done", 10
    EXIT 0
