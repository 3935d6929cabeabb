; divzero.asm - prints a line, then divides by zero: the #DE must kill the
; process with SIGFPE (status "signal 8"); the second line must not appear.
bits 64
default rel
section .rodata
msg: db "dividing by zero", 10
msglen equ $ - msg
msg2: db "still alive?!", 10
msg2len equ $ - msg2
section .text
global _start
_start:
    mov eax, 1
    mov edi, 1
    lea rsi, [msg]
    mov edx, msglen
    syscall
    mov eax, 100
    xor edx, edx
    xor ecx, ecx
    div ecx
    mov eax, 1
    mov edi, 1
    lea rsi, [msg2]
    mov edx, msg2len
    syscall
    mov eax, 60
    xor edi, edi
    syscall
