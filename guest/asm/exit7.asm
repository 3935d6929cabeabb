; exit7.asm - prints one line and exits with status 7 via exit_group.
bits 64
default rel
section .rodata
msg: db "exiting with 7", 10
msglen equ $ - msg
section .text
global _start
_start:
    mov eax, 1              ; write(1, msg, msglen)
    mov edi, 1
    lea rsi, [msg]
    mov edx, msglen
    syscall
    mov eax, 231            ; exit_group(7)
    mov edi, 7
    syscall
    hlt
