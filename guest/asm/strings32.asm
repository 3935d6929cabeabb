; strings32.asm - the string instructions compilers never emit: the 0x67
; address-size prefix (ESI/EDI/ECX instead of RSI/RDI/RCX, with bits 63:32 of
; the registers cleared by every update) and FS/GS segment overrides on the
; source operand. Each case prints rsi, rdi, rcx, rax, the flags and a window
; of the destination.
%include "lib.inc"

%define ALL 0x8d5

section .bss
alignb 16
area:   resb 256                  ; source at area, destination at area+128
tls:    resb 64                   ; FS points here
sv_rsi: resq 1
sv_rdi: resq 1
sv_rcx: resq 1
sv_rax: resq 1
sv_fl:  resq 1

section .text
reset:
    push rax
    push rcx
    push rdx
    lea rcx, [area]
    xor eax, eax
.l1:
    imul edx, eax, 5
    add edx, 1
    mov [rcx + rax], dl
    mov byte [rcx + rax + 128], 0xcc
    inc eax
    cmp eax, 128
    jb .l1
    lea rcx, [tls]
    xor eax, eax
.l2:
    lea edx, [rax + 0x40]
    mov [rcx + rax], dl
    inc eax
    cmp eax, 64
    jb .l2
    pop rdx
    pop rcx
    pop rax
    ret

; print the saved registers and 16 destination bytes
show:
    PSTR " rsi="
    PHEX [sv_rsi], 16
    PSTR " rdi="
    PHEX [sv_rdi], 16
    PSTR " rcx="
    PHEX [sv_rcx], 16
    PSTR " rax="
    PHEX [sv_rax], 16
    mov rax, [sv_fl]
    PFLAGS rax, ALL
    PSTR " dst="
    push rcx
    push rbx
    lea rbx, [area + 128]
    xor ecx, ecx
.l:
    movzx edi, byte [rbx + rcx]
    push rsi
    mov esi, 2
    call print_hex
    pop rsi
    inc ecx
    cmp ecx, 16
    jb .l
    pop rbx
    pop rcx
    PNL
    ret

%macro SAVE 0
    mov [sv_rsi], rsi
    mov [sv_rdi], rdi
    mov [sv_rcx], rcx
    mov [sv_rax], rax
    pushfq
    pop qword [sv_fl]
    call show
%endmacro

; junk in bits 63:32 that a 32-bit address must ignore
%define HI 0x5a5a5a5a00000000

%macro SETUP 0
    call reset
    cld
    lea rsi, [area]
    lea rdi, [area + 128]
    mov rax, HI
    or rsi, rax
    or rdi, rax
    mov rax, 0x1122334455667788
%endmacro

global _start
_start:
    ; FS base = tls (arch_prctl ARCH_SET_FS)
    mov eax, 158
    mov edi, 0x1002
    lea rsi, [tls]
    syscall

    PSTR "a32 movsb"
    SETUP
    a32 movsb
    SAVE

    PSTR "a32 rep movsd"
    SETUP
    mov rcx, HI | 3
    a32 rep movsd
    SAVE

    PSTR "a32 rep stosw"
    SETUP
    mov rcx, HI | 5
    a32 rep stosw
    SAVE

    PSTR "a32 lodsq"
    SETUP
    a32 lodsq
    SAVE

    PSTR "a32 repne scasb"
    SETUP
    mov al, 11                    ; area+128+? holds 0xcc; search the source
    lea rdi, [area]
    mov rcx, HI | 40
    a32 repne scasb
    SAVE

    PSTR "a32 repe cmpsb"
    SETUP
    lea rdi, [area]
    mov rcx, HI | 9
    a32 repe cmpsb
    SAVE

    PSTR "a32 rep movsb rcx=0"
    SETUP
    mov rcx, HI
    a32 rep movsb
    SAVE

    PSTR "a32 std movsw"
    SETUP
    std
    a32 movsw
    cld
    SAVE

    PSTR "fs lodsd"
    SETUP
    lea rdi, [area + 128]
    mov esi, 8
    fs lodsd
    SAVE

    PSTR "fs rep movsb"
    SETUP
    lea rdi, [area + 128]
    mov esi, 4
    mov ecx, 12
    fs rep movsb
    SAVE

    PSTR "fs cmpsq"
    SETUP
    lea rdi, [area + 128]
    xor esi, esi
    fs cmpsq
    SAVE

    PSTR "a32 fs rep movsw"
    SETUP
    mov rsi, HI | 2
    mov ecx, 4
    a32 fs rep movsw
    SAVE

    EXIT 0
