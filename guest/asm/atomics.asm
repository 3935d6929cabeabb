; atomics.asm - CMPXCHG (8/16/32/64, register and memory destinations, equal
; and different), CMPXCHG8B, XADD, XCHG (including the short rAX forms) and
; LOCK-prefixed read-modify-write instructions on memory.
; Flags of CMPXCHG/XADD/LOCK ops are fully defined (CMP/ADD semantics) except
; LOCK AND/OR/XOR (AF undefined) and LOCK BTS (only CF, ZF kept).
; 32-bit register-destination CMPXCHG is not used (vendors differ on
; zero-extending the destination when the compare fails).
%include "lib.inc"

%define ALL 0x8d5
%define GARB 0x1122334455667788

section .data
align 16
mem:  dq 0, 0
mem2: dq 0, 0

section .text
; flags := r8
setfl:
    push r8
    popfq
    ret
; r8 := flags
getfl:
    pushfq
    pop r8
    ret

; print " rax=.. rbx=.. rcx=.. rdx=.. mem=.. f=.." using saved values
%macro SHOW 1 ; flags mask
    call getfl
    push r8
    PSTR " rax="
    PHEX rax, 16
    PSTR " rbx="
    PHEX rbx, 16
    PSTR " rcx="
    PHEX rcx, 16
    PSTR " rdx="
    PHEX rdx, 16
    PSTR " mem="
    PHEX [mem], 16
    pop r8
    PFLAGS r8, %1
    PNL
%endmacro

%macro INIT 3 ; rax, rcx, mem
    mov rax, %1
    mov rcx, %2
    mov rdx, %3
    mov [mem], rdx
    mov rbx, GARB
    mov rdx, ~GARB
%endmacro

global _start
_start:
    ; ----- CMPXCHG register destination (8, 16, 64)
    PSTR "cmpxchg8 reg equal"
    INIT 0x1122334455667742, 0x99887766554433, 0
    mov bl, 0x42
    mov r8d, 0
    call setfl
    cmpxchg bl, cl
    SHOW ALL
    PSTR "cmpxchg8 reg differ"
    INIT 0x1122334455667742, 0x99887766554433, 0
    mov bl, 0x81
    mov r8d, ALL
    call setfl
    cmpxchg bl, cl
    SHOW ALL
    PSTR "cmpxchg16 reg equal"
    INIT 0x1122334455668000, 0x99887766554433, 0
    mov bx, 0x8000
    mov r8d, ALL
    call setfl
    cmpxchg bx, cx
    SHOW ALL
    PSTR "cmpxchg16 reg differ"
    INIT 0x1122334455660001, 0x99887766554433, 0
    mov bx, 0x8000
    mov r8d, 0
    call setfl
    cmpxchg bx, cx
    SHOW ALL
    PSTR "cmpxchg64 reg equal"
    INIT 0x8000000000000000, 0x99887766554433, 0
    mov rbx, 0x8000000000000000
    mov r8d, 0
    call setfl
    cmpxchg rbx, rcx
    SHOW ALL
    PSTR "cmpxchg64 reg differ"
    INIT 0x7fffffffffffffff, 0x99887766554433, 0
    mov rbx, 0x8000000000000000
    mov r8d, 0
    call setfl
    cmpxchg rbx, rcx
    SHOW ALL
    PSTR "cmpxchg64 rax,rax"
    INIT 0x1234, 0x99887766554433, 0
    mov r8d, 0
    call setfl
    cmpxchg rax, rax
    SHOW ALL

    ; ----- CMPXCHG memory destination, with and without LOCK
    PSTR "cmpxchg8 mem equal"
    INIT 0x11223344556677aa, 0x55, 0xffffffffffffffaa
    mov r8d, 0
    call setfl
    lock cmpxchg [mem], cl
    SHOW ALL
    PSTR "cmpxchg8 mem differ"
    INIT 0x11223344556677ab, 0x55, 0xffffffffffffffaa
    mov r8d, 0
    call setfl
    lock cmpxchg [mem], cl
    SHOW ALL
    PSTR "cmpxchg16 mem equal"
    INIT 0x112233445566abcd, 0x5555, 0x12345678abcd
    mov r8d, ALL
    call setfl
    cmpxchg [mem], cx
    SHOW ALL
    PSTR "cmpxchg16 mem differ"
    INIT 0x112233445566abcc, 0x5555, 0x12345678abcd
    mov r8d, ALL
    call setfl
    cmpxchg [mem], cx
    SHOW ALL
    PSTR "cmpxchg32 mem equal"
    INIT 0x00000000deadbeef, 0x7777777755555555, 0xaaaaaaaadeadbeef
    mov r8d, 0
    call setfl
    lock cmpxchg [mem], ecx
    SHOW ALL
    PSTR "cmpxchg32 mem differ"
    INIT 0x11223344deadbeee, 0x7777777755555555, 0xaaaaaaaadeadbeef
    mov r8d, 0
    call setfl
    lock cmpxchg [mem], ecx
    SHOW ALL
    PSTR "cmpxchg64 mem equal"
    INIT 0x0123456789abcdef, 0x7777777755555555, 0x0123456789abcdef
    mov r8d, ALL
    call setfl
    lock cmpxchg [mem], rcx
    SHOW ALL
    PSTR "cmpxchg64 mem differ"
    INIT 0x0123456789abcdef, 0x7777777755555555, 0x0123456789abcdf0
    mov r8d, ALL
    call setfl
    lock cmpxchg [mem], rcx
    SHOW ALL

    ; ----- CMPXCHG8B: compares EDX:EAX with m64, stores ECX:EBX; only ZF
    PSTR "cmpxchg8b equal"
    mov rax, 0x1111111189abcdef
    mov [mem], rax
    mov rax, 0xffffffff89abcdef
    mov rdx, 0xffffffff11111111
    mov rbx, 0x99999999aaaaaaaa
    mov rcx, 0x88888888bbbbbbbb
    mov r8d, 0
    call setfl
    lock cmpxchg8b [mem]
    SHOW 0x040
    PSTR "cmpxchg8b differ"
    mov rax, 0x1111111189abcdef
    mov [mem], rax
    mov rax, 0xffffffff89abcdef
    mov rdx, 0xffffffff11111112
    mov rbx, 0x99999999aaaaaaaa
    mov rcx, 0x88888888bbbbbbbb
    mov r8d, ALL
    call setfl
    lock cmpxchg8b [mem]
    SHOW 0x040

    ; ----- XADD
    PSTR "xadd8 reg"
    INIT 0x112233445566777f, 0x1122334455667701, 0
    mov r8d, 0
    call setfl
    xadd al, cl
    SHOW ALL
    PSTR "xadd16 reg"
    INIT 0x112233445566ffff, 0x1122334455660001, 0
    mov r8d, 0
    call setfl
    xadd ax, cx
    SHOW ALL
    PSTR "xadd32 reg"
    INIT 0x1122334480000000, 0x1122334480000000, 0
    mov r8d, 0
    call setfl
    xadd eax, ecx
    SHOW ALL
    PSTR "xadd64 reg"
    INIT 0x7fffffffffffffff, 1, 0
    mov r8d, ALL
    call setfl
    xadd rax, rcx
    SHOW ALL
    PSTR "xadd64 same reg"
    INIT 0x4000000000000001, 1, 0
    mov r8d, ALL
    call setfl
    xadd rax, rax
    SHOW ALL
    PSTR "lock xadd8 mem"
    INIT 0, 0x1122334455667790, 0xa5a5a5a5a5a5a570
    mov r8d, 0
    call setfl
    lock xadd [mem], cl
    SHOW ALL
    PSTR "lock xadd16 mem"
    INIT 0, 0x112233445566f00f, 0xa5a5a5a5a5a50ff1
    mov r8d, 0
    call setfl
    lock xadd [mem], cx
    SHOW ALL
    PSTR "lock xadd32 mem"
    INIT 0, 0x11223344ffffffff, 0xa5a5a5a500000001
    mov r8d, 0
    call setfl
    lock xadd [mem], ecx
    SHOW ALL
    PSTR "lock xadd64 mem"
    INIT 0, -5, 3
    mov r8d, ALL
    call setfl
    lock xadd [mem], rcx
    SHOW ALL

    ; ----- XCHG (no flags)
    PSTR "xchg8 reg"
    INIT 0x1122334455667788, 0x99aabbccddeeff00, 0
    mov r8d, ALL
    call setfl
    xchg al, cl
    SHOW ALL
    PSTR "xchg8 ah,ch"
    INIT 0x1122334455667788, 0x99aabbccddeeff00, 0
    mov r8d, 0
    call setfl
    xchg ah, ch
    SHOW ALL
    PSTR "xchg8 ah,cl"
    INIT 0x1122334455667788, 0x99aabbccddeeff00, 0
    mov r8d, 0
    call setfl
    xchg ah, cl
    SHOW ALL
    PSTR "xchg16 reg"
    INIT 0x1122334455667788, 0x99aabbccddeeff00, 0
    mov r8d, 0
    call setfl
    xchg ax, cx
    SHOW ALL
    PSTR "xchg32 reg (short form)"
    INIT 0x1122334455667788, 0x99aabbccddeeff00, 0
    mov r8d, 0
    call setfl
    xchg eax, ecx
    SHOW ALL
    PSTR "xchg32 eax,eax"
    INIT 0x1122334455667788, 0x99aabbccddeeff00, 0
    mov r8d, 0
    call setfl
    xchg eax, eax                 ; 87 c0: not a nop in 64-bit mode, zero-extends
    SHOW ALL
    PSTR "nop (90)"
    INIT 0x1122334455667788, 0x99aabbccddeeff00, 0
    mov r8d, 0
    call setfl
    nop
    SHOW ALL
    PSTR "xchg64 reg"
    INIT 0x1122334455667788, 0x99aabbccddeeff00, 0
    mov r8d, ALL
    call setfl
    xchg rcx, rax
    SHOW ALL
    PSTR "xchg r8,r9 "
    mov r8, 0x8888
    mov r9, 0x9999
    xchg r8, r9
    PHEX r8, 4
    PCH ' '
    PHEX r9, 4
    PNL
    PSTR "xchg32 mem"
    INIT 0x1122334455667788, 0x99aabbccddeeff00, 0x0123456789abcdef
    mov r8d, 0
    call setfl
    xchg [mem], ecx
    SHOW ALL
    PSTR "xchg64 mem"
    INIT 0x1122334455667788, 0x99aabbccddeeff00, 0x0123456789abcdef
    mov r8d, 0
    call setfl
    xchg rax, [mem]
    SHOW ALL

    ; ----- LOCK read-modify-write
    PSTR "lock add64"
    INIT 0, 0x8000000000000000, 0x8000000000000000
    mov r8d, 0
    call setfl
    lock add [mem], rcx
    SHOW ALL
    PSTR "lock adc32"
    INIT 0, 0x7ffffffe, 0x11111111
    mov r8d, ALL
    call setfl
    lock adc [mem], ecx
    SHOW ALL
    PSTR "lock sub16"
    INIT 0, 2, 1
    mov r8d, 0
    call setfl
    lock sub [mem], cx
    SHOW ALL
    PSTR "lock sbb8"
    INIT 0, 0x7f, 0x80
    mov r8d, ALL
    call setfl
    lock sbb [mem], cl
    SHOW ALL
    PSTR "lock inc32"
    INIT 0, 0, 0xffffffff7fffffff
    mov r8d, ALL
    call setfl
    lock inc dword [mem]
    SHOW ALL
    PSTR "lock dec64"
    INIT 0, 0, 0
    mov r8d, 0
    call setfl
    lock dec qword [mem]
    SHOW ALL
    PSTR "lock neg16"
    INIT 0, 0, 0x8000
    mov r8d, 0
    call setfl
    lock neg word [mem]
    SHOW ALL
    PSTR "lock not8"
    INIT 0, 0, 0x0f
    mov r8d, ALL
    call setfl
    lock not byte [mem]
    SHOW ALL
    PSTR "lock and64"
    INIT 0, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0
    mov r8d, ALL
    call setfl
    lock and [mem], rcx
    SHOW 0x8c5
    PSTR "lock or32 imm"
    INIT 0, 0, 0x80000000
    mov r8d, ALL
    call setfl
    lock or dword [mem], 0x11
    SHOW 0x8c5
    PSTR "lock xor8 imm"
    INIT 0, 0, 0xff
    mov r8d, 0
    call setfl
    lock xor byte [mem], 0xff
    SHOW 0x8c5
    PSTR "lock bts64"
    INIT 0, 70, 0
    mov qword [mem + 8], 0
    mov r8d, ALL
    call setfl
    lock bts [mem], rcx
    SHOW 0x041
    PSTR " hi="
    PHEX [mem + 8], 16
    PNL
    PSTR "lock btr32 imm"
    INIT 0, 0, 0xffffffff
    mov r8d, 0
    call setfl
    lock btr dword [mem], 31
    SHOW 0x041

    PSTR "done", 10
    EXIT 0
