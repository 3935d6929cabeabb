; ext.asm - MOVSX MOVZX MOVSXD CBW CWDE CDQE CWD CDQ CQO, partial register
; writes (8/16-bit keep the upper bits, 32-bit zero-extends, AH..BH), LEA
; with every addressing form (incl. 32/16-bit results and RIP-relative),
; MOVABS, PUSH/POP, ENTER-free stack arithmetic. No flags are involved.
%include "lib.inc"

%define GARB 0x1122334455667788

section .data
align 16
m8:   db 0x80, 0x7f, 0xff, 0x01
m16:  dw 0x8001, 0x7ffe
m32:  dd 0x80000001, 0x7ffffffe
m64:  dq 0x8000000000000001
table: dq 10, 20, 30, 40, 50, 60, 70, 80

section .text
; R "label", register : print "label -> value"
%macro R 2
    PSTR %1, " -> "
    PHEX %2, 16
    PNL
%endmacro
%macro G 0
    mov rax, GARB
    mov rdx, ~GARB
%endmacro

global _start
_start:
    ; ---- MOVSX / MOVZX
    G
    mov cl, 0x80
    movsx rax, cl
    R "movsx r64,r8 80", rax
    G
    mov cl, 0x7f
    movsx eax, cl
    R "movsx r32,r8 7f", rax
    G
    mov cl, 0xfe
    movsx ax, cl
    R "movsx r16,r8 fe", rax
    G
    mov cx, 0x8001
    movsx rax, cx
    R "movsx r64,r16 8001", rax
    G
    movsx eax, word [m16]
    R "movsx r32,m16 8001", rax
    G
    movsx rax, word [m16 + 2]
    R "movsx r64,m16 7ffe", rax
    G
    movsxd rax, dword [m32]
    R "movsxd r64,m32 80000001", rax
    G
    mov ecx, 0x7ffffffe
    movsxd rax, ecx
    R "movsxd r64,r32 7ffffffe", rax
    G
    movzx rax, byte [m8]
    R "movzx r64,m8 80", rax
    G
    movzx eax, byte [m8 + 2]
    R "movzx r32,m8 ff", rax
    G
    movzx ax, byte [m8 + 2]
    R "movzx r16,m8 ff", rax
    G
    movzx rax, word [m16]
    R "movzx r64,m16 8001", rax
    G
    mov ecx, 0x12345678
    movzx eax, ch
    R "movzx r32,ch", rax
    G
    mov r9, 0x123456789abcdef0
    movsx rax, r9b
    R "movsx r64,r9b", rax
    G
    movsx r10, byte [m8 + 2]
    R "movsx r10,m8 ff", r10

    ; ---- sign extension of the accumulator
    G
    mov al, 0x80
    cbw
    R "cbw 80", rax
    G
    mov al, 0x7f
    cbw
    R "cbw 7f", rax
    G
    mov ax, 0x8000
    cwde
    R "cwde 8000", rax
    G
    mov eax, 0x80000000
    cdqe
    R "cdqe 80000000", rax
    G
    mov eax, 0x7fffffff
    cdqe
    R "cdqe 7fffffff", rax
    G
    mov ax, 0x8000
    cwd
    R "cwd 8000 rax", rax
    R "cwd 8000 rdx", rdx
    G
    mov ax, 0x1234
    cwd
    R "cwd 1234 rdx", rdx
    G
    mov eax, 0x80000000
    cdq
    R "cdq 80000000 rax", rax
    R "cdq 80000000 rdx", rdx
    G
    mov eax, 0x1
    cdq
    R "cdq 1 rdx", rdx
    G
    mov rax, 0x8000000000000000
    cqo
    R "cqo neg rdx", rdx
    G
    mov rax, 0x7000000000000000
    cqo
    R "cqo pos rdx", rdx

    ; ---- partial register writes
    G
    mov al, 0xaa
    R "mov al", rax
    G
    mov ah, 0xbb
    R "mov ah", rax
    G
    mov ax, 0xcccc
    R "mov ax", rax
    G
    mov eax, 0xdddddddd
    R "mov eax", rax
    G
    mov r11, GARB
    mov r11b, 0x11
    R "mov r11b", r11
    mov r11, GARB
    mov r11w, 0x2222
    R "mov r11w", r11
    mov r11, GARB
    mov r11d, 0x33333333
    R "mov r11d", r11
    mov rsi, GARB
    mov sil, 0x44
    R "mov sil", rsi
    G
    add ah, 0x10
    R "add ah", rax
    G
    inc eax
    R "inc eax", rax
    G
    xor eax, eax
    R "xor eax,eax", rax
    G
    mov rbx, 0x00000000ffff0000
    mov bh, al
    R "mov bh,al", rbx
    mov rax, 0x123456789abcdef0
    R "movabs", rax
    mov eax, -1
    R "mov eax,-1", rax
    mov rax, -1
    R "mov rax,-1 (sign-extended imm32)", rax
    mov rax, 0x7fffffff
    R "mov rax,0x7fffffff", rax
    mov rax, [abs_addr_test]
    R "movabs load", rax

    ; ---- LEA
    mov rbx, 0x1000
    mov rcx, 0x30
    lea rax, [rbx]
    R "lea [rbx]", rax
    lea rax, [rbx + 8]
    R "lea [rbx+8]", rax
    lea rax, [rbx - 0x80]
    R "lea [rbx-0x80]", rax
    lea rax, [rbx + 0x12345678]
    R "lea [rbx+disp32]", rax
    lea rax, [rbx + rcx]
    R "lea [rbx+rcx]", rax
    lea rax, [rbx + rcx*2]
    R "lea [rbx+rcx*2]", rax
    lea rax, [rbx + rcx*4 + 3]
    R "lea [rbx+rcx*4+3]", rax
    lea rax, [rbx + rcx*8 - 1]
    R "lea [rbx+rcx*8-1]", rax
    lea rax, [rcx*8]
    R "lea [rcx*8]", rax
    lea rax, [rcx*8 + 0x100]
    R "lea [rcx*8+0x100]", rax
    lea rax, [rcx + rcx*4]
    R "lea [rcx+rcx*4]", rax
    mov r12, 0x7ffffffffffffff0
    mov r13, 0x20
    lea rax, [r12 + r13]
    R "lea [r12+r13] wraps", rax
    lea rax, [r13 + r12*2]
    R "lea [r13+r12*2]", rax
    mov rbp, 0x500
    lea rax, [rbp]
    R "lea [rbp]", rax
    lea rax, [rbp + rcx*2]
    R "lea [rbp+rcx*2]", rax
    mov r13, 0x600
    lea rax, [r13]
    R "lea [r13]", rax
    mov rsi, 0xfffffffffffffff0
    lea eax, [rsi + 0x20]
    R "lea eax,[rsi+0x20]", rax
    mov rax, GARB
    lea ax, [rsi + rcx]
    R "lea ax,[rsi+rcx]", rax
    mov esi, 0xfffffff0
    lea rax, [esi + 0x20]           ; 32-bit address size
    R "lea rax,[esi+0x20]", rax
    lea rax, [rel here]
    lea rdx, [rel _start]
    sub rax, rdx
here:
    R "lea rip-relative (distance)", rax
    lea rax, [rel table]
    mov rdx, 3
    mov rax, [rax + rdx*8]
    R "load table[3]", rax

    ; ---- PUSH / POP
    mov rbx, rsp
    push 0x7fffffff
    push -2
    push word 0x1234
    mov rax, rbx
    sub rax, rsp
    R "stack used", rax
    pop ax
    R "pop ax", rax
    pop rcx
    R "pop rcx", rcx
    pop rcx
    R "pop rcx 2", rcx
    mov rax, rbx
    sub rax, rsp
    R "stack used after", rax
    push qword [table + 8]
    pop rax
    R "push/pop mem", rax
    push rsp
    pop rax
    sub rax, rsp
    R "push rsp; pop -> diff", rax

    PSTR "done", 10
    EXIT 0

section .data
abs_addr_test: dq 0xfeedfacecafebeef
