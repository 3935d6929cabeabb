; cond.asm - SETcc, CMOVcc (16/32/64-bit, register and memory source) and Jcc
; for all 16 conditions under all 32 combinations of CF PF ZF SF OF, plus
; LOOP / LOOPE / LOOPNE / JRCXZ / JECXZ.
; Condition order in each string: o no b ae e ne be a s ns p np l ge le g.
; cmov32 always zero-extends the destination, even when the condition is
; false: "T" = moved, "N" = not moved (zero-extended), "?" = anything else.
%include "lib.inc"

%define GARB 0x1122334455667788

section .data
align 8
flagsin: dq 0
setmem:  db 0
srcmem:  dq 0x5555555555555555

section .text
; rdi = index 0..31 -> r8 = flags with bit i of (CF PF ZF SF OF)
mkflags:
    xor r8d, r8d
    test edi, 1
    jz .1
    or r8d, 0x001
.1: test edi, 2
    jz .2
    or r8d, 0x004
.2: test edi, 4
    jz .3
    or r8d, 0x040
.3: test edi, 8
    jz .4
    or r8d, 0x080
.4: test edi, 16
    jz .5
    or r8d, 0x800
.5: ret

%macro SETFL 0
    push qword [flagsin]
    popfq
%endmacro

%macro ALLCC 1
    %1 o
    %1 no
    %1 b
    %1 ae
    %1 e
    %1 ne
    %1 be
    %1 a
    %1 s
    %1 ns
    %1 p
    %1 np
    %1 l
    %1 ge
    %1 le
    %1 g
%endmacro

%macro T_SETREG 1
    mov eax, 0x77
    SETFL
    set%1 al
    add eax, '0'
    PCH eax
%endmacro
%macro T_SETAH 1
    mov eax, 0x7700
    SETFL
    set%1 ah
    shr eax, 8
    add eax, '0'
    PCH eax
%endmacro
%macro T_SETR8 1
    mov r10, -1
    SETFL
    set%1 r10b
    mov rax, r10
    not rax
    shr rax, 8          ; upper bits must stay ones -> 0
    jz %%ok
    PCH '?'
%%ok:
    movzx eax, r10b
    add eax, '0'
    PCH eax
%endmacro
%macro T_SETMEM 1
    mov byte [setmem], 0x55
    SETFL
    set%1 [setmem]
    movzx eax, byte [setmem]
    add eax, '0'
    PCH eax
%endmacro
%macro T_CMOV16 1
    mov rax, GARB
    mov rcx, 0x9999999999999999
    SETFL
    cmov%1 ax, cx
    mov rcx, GARB
    cmp rax, rcx
    je %%n
    mov rcx, 0x1122334455669999
    cmp rax, rcx
    je %%t
    PCH '?'
    jmp %%e
%%n: PCH 'N'
    jmp %%e
%%t: PCH 'T'
%%e:
%endmacro
%macro T_CMOV32 1
    mov rax, GARB
    mov rcx, 0x9999999999999999
    SETFL
    cmov%1 eax, ecx
    mov rcx, 0x55667788
    cmp rax, rcx
    je %%n
    mov rcx, 0x99999999
    cmp rax, rcx
    je %%t
    PCH '?'
    jmp %%e
%%n: PCH 'N'
    jmp %%e
%%t: PCH 'T'
%%e:
%endmacro
%macro T_CMOV64M 1
    mov rax, GARB
    SETFL
    cmov%1 rax, [srcmem]
    mov rcx, GARB
    cmp rax, rcx
    je %%n
    cmp rax, [srcmem]
    je %%t
    PCH '?'
    jmp %%e
%%n: PCH 'N'
    jmp %%e
%%t: PCH 'T'
%%e:
%endmacro
%macro T_JCC 1
    SETFL
    j%1 %%taken
    PCH '0'
    jmp %%e
%%taken:
    PCH '1'
%%e:
%endmacro
; flags must survive SETcc/CMOVcc/Jcc: run all of them, then check
%macro T_KEEP 1
    set%1 al
    cmov%1 rcx, rdx
    j%1 %%x
%%x:
%endmacro

global _start
_start:
    xor r12d, r12d
.combo:
    mov edi, r12d
    call mkflags
    mov [flagsin], r8
    PSTR "fl="
    PHEX r8, 3
    PSTR " set="
    ALLCC T_SETREG
    PSTR " ah="
    ALLCC T_SETAH
    PSTR " r10b="
    ALLCC T_SETR8
    PSTR " mem="
    ALLCC T_SETMEM
    PSTR " cmov16="
    ALLCC T_CMOV16
    PSTR " cmov32="
    ALLCC T_CMOV32
    PSTR " cmov64m="
    ALLCC T_CMOV64M
    PSTR " jcc="
    ALLCC T_JCC
    SETFL
    ALLCC T_KEEP
    pushfq
    pop rax
    and eax, 0x8d5
    PSTR " kept="
    PHEX rax, 3
    PNL
    inc r12d
    cmp r12d, 32
    jb .combo

    ; LOOP family
    PSTR "loop 10: "
    mov ecx, 10
    xor eax, eax
.l1:
    inc eax
    loop .l1
    PHEX rax, 4
    PCH ' '
    PHEX rcx, 16
    PNL

    PSTR "loope: "
    lea rsi, [loopdata]
    mov ecx, 8
    xor eax, eax
.l2:
    inc eax
    cmp byte [rsi + rax - 1], 1
    loope .l2
    pushfq
    pop rdx
    PHEX rax, 4
    PCH ' '
    PHEX rcx, 16
    PFLAGS rdx, 0x8d5
    PNL

    PSTR "loopne: "
    mov ecx, 8
    xor eax, eax
.l3:
    inc eax
    cmp byte [rsi + rax - 1], 3
    loopne .l3
    PHEX rax, 4
    PCH ' '
    PHEX rcx, 16
    PNL

    PSTR "jrcxz: "
    mov rcx, 0x100000000
    jrcxz .z1
    PCH 'n'
    jmp .z2
.z1:
    PCH 'y'
.z2:
    jecxz .z3
    PCH 'n'
    jmp .z4
.z3:
    PCH 'y'
.z4:
    xor ecx, ecx
    jrcxz .z5
    PCH 'n'
    jmp .z6
.z5:
    PCH 'y'
.z6:
    PNL

    PSTR "done", 10
    EXIT 0

section .rodata
loopdata: db 1, 1, 1, 1, 2, 3, 1, 1
