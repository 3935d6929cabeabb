; sysraw.asm - raw system call conventions without libc: return values and
; -errno, registers preserved across SYSCALL (all but rax, rcx, r11), brk,
; anonymous mmap/munmap, read from an empty stdin, arch_prctl(ARCH_SET_FS).
; No addresses are printed, only differences and contents.
%include "lib.inc"

section .data
tlsblock: dq 0x5151515151515151, 0x6262626262626262

section .text
%macro SYS 1-7
    mov eax, %1
%if %0 > 1
    mov rdi, %2
%endif
%if %0 > 2
    mov rsi, %3
%endif
%if %0 > 3
    mov rdx, %4
%endif
%if %0 > 4
    mov r10, %5
%endif
%if %0 > 5
    mov r8, %6
%endif
%if %0 > 6
    mov r9, %7
%endif
    syscall
%endmacro

global _start
_start:
    call flush
    ; write of length 0
    SYS 1, 1, 0, 0
    PSTR "write len 0 -> "
    PHEX rax, 16
    PNL
    ; bad descriptor
    SYS 1, 99, 0, 1
    PSTR "write fd 99 -> "
    PHEX rax, 16
    PNL
    ; unknown system call
    SYS 999
    PSTR "syscall 999 -> "
    PHEX rax, 16
    PNL
    ; registers other than rax rcx r11 survive a syscall
    mov rbx, 0x1111
    mov rbp, 0x2222
    mov r12, 0x3333
    mov r13, 0x4444
    mov r14, 0x5555
    mov r15, 0x6666
    mov r9, 0x7777
    mov r8, 0x8888
    mov r10, 0x9999
    mov rdi, 99
    mov rsi, 0
    mov rdx, 0
    mov eax, 1
    syscall
    PSTR "kept:"
    PCH ' '
    PHEX rbx, 4
    PCH ' '
    PHEX rbp, 4
    PCH ' '
    PHEX r12, 4
    PCH ' '
    PHEX r13, 4
    PCH ' '
    PHEX r14, 4
    PCH ' '
    PHEX r15, 4
    PCH ' '
    PHEX r8, 4
    PCH ' '
    PHEX r9, 4
    PCH ' '
    PHEX r10, 4
    PCH ' '
    PHEX rdi, 4
    PCH ' '
    PHEX rsi, 4
    PCH ' '
    PHEX rdx, 4
    PNL
    ; read from stdin (empty in the tests)
    ; The stack moves by LEA, not SUB/ADD: flags computed from a stack address depend
    ; on where the kernel put the stack (the host's and puffer's differ), and the next
    ; SYSCALL saves them in R11, which the host step trace (.steps) compares.
    lea rsp, [rsp - 64]
    SYS 0, 0, rsp, 64
    lea rsp, [rsp + 64]
    PSTR "read stdin -> "
    PHEX rax, 16
    PNL
    ; brk
    SYS 12, 0
    mov rbx, rax                ; current break
    lea rdi, [rbx + 0x10000]
    SYS 12, rdi
    mov rcx, rax
    sub rcx, rbx
    PSTR "brk grow -> +"
    PHEX rcx, 8
    PNL
    ; touch the new memory
    mov rdi, rbx
    mov ecx, 0x10000 / 8
    mov rax, 0x0101010101010101
.fill:
    mov [rdi], rax
    add rdi, 8
    dec ecx
    jnz .fill
    mov rax, [rbx + 0x8000]
    PSTR "brk memory -> "
    PHEX rax, 16
    PNL
    SYS 12, rbx
    sub rax, rbx
    PSTR "brk shrink -> +"
    PHEX rax, 8
    PNL
    ; mmap 3 anonymous pages, write, munmap
    ; with a hint address that is free on both kernels: where a hint-less mmap lands
    ; depends on the kernel's other mappings (the host's vDSO, which puffer has not),
    ; and the host step trace (.steps) compares the address in registers
    SYS 9, 0x10000000, 0x3000, 3, 0x22, -1, 0
    mov rbx, rax
    and eax, 0xfff
    PSTR "mmap page offset -> "
    PHEX rax, 3
    PNL
    mov rax, [rbx + 0x2ff8]
    PSTR "mmap zero -> "
    PHEX rax, 16
    PNL
    mov qword [rbx + 0x1000], 42
    mov rax, [rbx + 0x1000]
    PSTR "mmap rw -> "
    PHEX rax, 16
    PNL
    SYS 11, rbx, 0x3000
    PSTR "munmap -> "
    PHEX rax, 16
    PNL
    ; bad mmap: length 0 -> -EINVAL
    SYS 9, 0, 0, 3, 0x22, -1, 0
    PSTR "mmap len 0 -> "
    PHEX rax, 16
    PNL
    ; arch_prctl(ARCH_SET_FS, tlsblock), then read through fs
    lea rsi, [tlsblock]
    SYS 158, 0x1002, rsi
    PSTR "arch_prctl -> "
    PHEX rax, 16
    PNL
    mov rax, [fs:8]
    PSTR "fs:8 -> "
    PHEX rax, 16
    PNL
    ; ARCH_GET_FS
    lea rsp, [rsp - 16]            ; LEA: see "read from stdin"
    SYS 158, 0x1003, rsp
    mov rax, [rsp]
    lea rsp, [rsp + 16]
    lea rdx, [tlsblock]
    sub rax, rdx
    PSTR "get fs - set fs -> "
    PHEX rax, 16
    PNL
    PSTR "done", 10
    EXIT 0
