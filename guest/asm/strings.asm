; strings.asm - MOVS STOS LODS SCAS CMPS at every width, with REP / REPE /
; REPNE, forwards (CLD) and backwards (STD), overlapping copies, count 0.
; Each case prints: rsi and rdi as offsets into the work area, rcx, rax,
; flags (CF PF AF ZF SF OF and DF) and the 64-byte destination window.
%include "lib.inc"

%define ALL 0x8d5
%define DF 0x400

section .bss
alignb 16
area:   resb 256                  ; source window at area, destination at area+128
sv_rsi: resq 1
sv_rdi: resq 1
sv_rcx: resq 1
sv_rax: resq 1
sv_fl:  resq 1

section .text
; fill area[0..127] with (i*7+3) and area[128..255] with 0xee
reset:
    push rax
    push rcx
    lea rcx, [area]
    xor eax, eax
.l1:
    imul edx, eax, 7
    add edx, 3
    mov [rcx + rax], dl
    mov byte [rcx + rax + 128], 0xee
    inc eax
    cmp eax, 128
    jb .l1
    pop rcx
    pop rax
    ret

; copy the source window to the destination window (for CMPS)
mirror:
    push rax
    push rcx
    lea rcx, [area]
    xor eax, eax
.l:
    mov dl, [rcx + rax]
    mov [rcx + rax + 128], dl
    inc eax
    cmp eax, 128
    jb .l
    pop rcx
    pop rax
    ret

; flags := r8 (ret does not change flags)
setfl:
    push r8
    popfq
    ret

; save flags and registers, then CLD
capture:
    pushfq
    pop qword [sv_fl]
    mov [sv_rsi], rsi
    mov [sv_rdi], rdi
    mov [sv_rcx], rcx
    mov [sv_rax], rax
    cld
    ret

; print the captured state; r9 = mask for the flags
report:
    lea rbx, [area]
    PSTR " rsi="
    mov rax, [sv_rsi]
    sub rax, rbx
    PHEX rax, 4
    PSTR " rdi="
    mov rax, [sv_rdi]
    sub rax, rbx
    PHEX rax, 4
    PSTR " rcx="
    PHEX [sv_rcx], 16
    PSTR " rax="
    PHEX [sv_rax], 16
    mov rax, [sv_fl]
    PFLAGS rax, r9
    PSTR " dst="
    xor ecx, ecx
.b:
    movzx eax, byte [rbx + rcx + 128]
    PHEX rax, 2
    inc ecx
    cmp ecx, 64
    jb .b
    PNL
    ret

; CASE "name", flags-in, mask, then the setup and instructions follow until ENDCASE
%macro CASE 3
    call reset
    PSTR %1
    mov r9, %3
    mov r8, %2
    mov rax, 0x1122334455667788
%endmacro
%macro GO 0
    call setfl
%endmacro
%macro ENDCASE 0
    call capture
    call report
%endmacro

global _start
_start:
    ; ---------------- MOVS
    CASE "rep movsb fwd 13", 0, 0xcd5
    lea rsi, [area + 1]
    lea rdi, [area + 128 + 3]
    mov ecx, 13
    GO
    rep movsb
    ENDCASE

    CASE "rep movsw fwd 5", ALL, 0xcd5
    lea rsi, [area + 2]
    lea rdi, [area + 128 + 1]
    mov ecx, 5
    GO
    rep movsw
    ENDCASE

    CASE "rep movsd fwd 3", 0, 0xcd5
    lea rsi, [area + 5]
    lea rdi, [area + 128 + 8]
    mov ecx, 3
    GO
    rep movsd
    ENDCASE

    CASE "rep movsq fwd 4", ALL, 0xcd5
    lea rsi, [area + 16]
    lea rdi, [area + 128 + 7]
    mov ecx, 4
    GO
    rep movsq
    ENDCASE

    CASE "rep movsb bwd 10", 0, 0xcd5
    lea rsi, [area + 20]
    lea rdi, [area + 128 + 30]
    mov ecx, 10
    GO
    std
    rep movsb
    ENDCASE

    CASE "rep movsw bwd 4", 0, 0xcd5
    lea rsi, [area + 20]
    lea rdi, [area + 128 + 30]
    mov ecx, 4
    GO
    std
    rep movsw
    ENDCASE

    CASE "rep movsd bwd 3", ALL, 0xcd5
    lea rsi, [area + 40]
    lea rdi, [area + 128 + 40]
    mov ecx, 3
    GO
    std
    rep movsd
    ENDCASE

    CASE "rep movsq bwd 3", 0, 0xcd5
    lea rsi, [area + 40]
    lea rdi, [area + 128 + 41]
    mov ecx, 3
    GO
    std
    rep movsq
    ENDCASE

    CASE "movsb single", ALL, 0xcd5
    lea rsi, [area + 9]
    lea rdi, [area + 128]
    mov ecx, 77
    GO
    movsb
    ENDCASE

    CASE "movsq single bwd", 0, 0xcd5
    lea rsi, [area + 9]
    lea rdi, [area + 128 + 16]
    mov ecx, 77
    GO
    std
    movsq
    ENDCASE

    CASE "rep movsb count 0", ALL, 0xcd5
    lea rsi, [area + 9]
    lea rdi, [area + 128 + 16]
    xor ecx, ecx
    GO
    rep movsb
    ENDCASE

    ; overlapping forward copy inside the destination window: byte-by-byte
    ; semantics replicate the first bytes
    CASE "rep movsb overlap +1", 0, 0xcd5
    lea rsi, [area + 128]
    mov dword [rsi], 0x44332211
    lea rdi, [area + 128 + 1]
    mov ecx, 40
    GO
    rep movsb
    ENDCASE

    CASE "rep movsq overlap +8", 0, 0xcd5
    lea rsi, [area + 128]
    mov dword [rsi], 0x44332211
    lea rdi, [area + 128 + 8]
    mov ecx, 5
    GO
    rep movsq
    ENDCASE

    CASE "rep movsd overlap +3", 0, 0xcd5
    lea rsi, [area + 128]
    mov dword [rsi], 0x44332211
    lea rdi, [area + 128 + 3]
    mov ecx, 6
    GO
    rep movsd
    ENDCASE

    CASE "rep movsb overlap bwd -1", 0, 0xcd5
    lea rsi, [area + 128 + 40]
    mov dword [rsi - 3], 0x44332211
    lea rdi, [area + 128 + 39]
    mov ecx, 30
    GO
    std
    rep movsb
    ENDCASE

    ; ---------------- STOS
    CASE "rep stosb fwd 11", ALL, 0xcd5
    lea rdi, [area + 128 + 2]
    mov ecx, 11
    mov eax, 0x5a
    GO
    rep stosb
    ENDCASE

    CASE "rep stosw fwd 7", 0, 0xcd5
    lea rdi, [area + 128 + 1]
    mov ecx, 7
    mov rax, 0x123456789abc1234
    GO
    rep stosw
    ENDCASE

    CASE "rep stosd fwd 5", 0, 0xcd5
    lea rdi, [area + 128 + 3]
    mov ecx, 5
    mov rax, 0xfedcba9887654321
    GO
    rep stosd
    ENDCASE

    CASE "rep stosq fwd 6", ALL, 0xcd5
    lea rdi, [area + 128]
    mov ecx, 6
    mov rax, 0x0102030405060708
    GO
    rep stosq
    ENDCASE

    CASE "rep stosb bwd 9", 0, 0xcd5
    lea rdi, [area + 128 + 50]
    mov ecx, 9
    mov eax, 0xa1
    GO
    std
    rep stosb
    ENDCASE

    CASE "rep stosq bwd 3", 0, 0xcd5
    lea rdi, [area + 128 + 50]
    mov ecx, 3
    mov rax, 0xdeadbeefcafef00d
    GO
    std
    rep stosq
    ENDCASE

    CASE "stosd single", 0, 0xcd5
    lea rdi, [area + 128 + 5]
    mov ecx, 3
    mov rax, 0xdeadbeefcafef00d
    GO
    stosd
    ENDCASE

    CASE "rep stosw count 0", ALL, 0xcd5
    lea rdi, [area + 128 + 5]
    xor ecx, ecx
    GO
    rep stosw
    ENDCASE

    ; ---------------- LODS
    CASE "lodsb", 0, 0xcd5
    lea rsi, [area + 10]
    GO
    lodsb
    ENDCASE

    CASE "lodsw", ALL, 0xcd5
    lea rsi, [area + 10]
    GO
    lodsw
    ENDCASE

    CASE "lodsd", 0, 0xcd5
    lea rsi, [area + 10]
    GO
    lodsd
    ENDCASE

    CASE "lodsq bwd", 0, 0xcd5
    lea rsi, [area + 10]
    GO
    std
    lodsq
    ENDCASE

    CASE "rep lodsb 5", 0, 0xcd5
    lea rsi, [area + 10]
    mov ecx, 5
    GO
    rep lodsb
    ENDCASE

    CASE "rep lodsd bwd 3", 0, 0xcd5
    lea rsi, [area + 30]
    mov ecx, 3
    GO
    std
    rep lodsd
    ENDCASE

    ; ---------------- SCAS (flags as CMP rax-part, [rdi])
    ; the destination window is 0xee everywhere except what the case writes
    CASE "repne scasb found", 0, 0xcd5
    lea rdi, [area + 128]
    mov byte [rdi + 20], 0x42
    mov ecx, 64
    mov eax, 0x42
    GO
    repne scasb
    ENDCASE

    CASE "repne scasb not found", 0, 0xcd5
    lea rdi, [area + 128]
    mov ecx, 64
    mov eax, 0x42
    GO
    repne scasb
    ENDCASE

    CASE "repe scasb run", 0, 0xcd5
    lea rdi, [area + 128]
    mov byte [rdi + 17], 0x10
    mov ecx, 64
    mov eax, 0xee
    GO
    repe scasb
    ENDCASE

    CASE "repe scasb all equal", ALL, 0xcd5
    lea rdi, [area + 128]
    mov ecx, 30
    mov eax, 0xee
    GO
    repe scasb
    ENDCASE

    CASE "repne scasw", 0, 0xcd5
    lea rdi, [area + 128]
    mov word [rdi + 12], 0x1234
    mov ecx, 20
    mov eax, 0x1234
    GO
    repne scasw
    ENDCASE

    CASE "repe scasd", 0, 0xcd5
    lea rdi, [area + 128]
    mov dword [rdi + 8], 0xeeeeeeef
    mov ecx, 10
    mov eax, 0xeeeeeeee
    GO
    repe scasd
    ENDCASE

    CASE "repne scasq bwd", 0, 0xcd5
    lea rdi, [area + 128 + 56]
    mov rax, 0x8000000000000000
    mov [rdi - 24], rax
    mov ecx, 7
    GO
    std
    repne scasq
    ENDCASE

    CASE "scasb single less", ALL, 0xcd5
    lea rdi, [area + 128]
    mov ecx, 5
    mov eax, 0x01
    GO
    scasb
    ENDCASE

    CASE "repne scasb count 0", ALL, 0xcd5
    lea rdi, [area + 128]
    xor ecx, ecx
    mov eax, 0xee
    GO
    repne scasb
    ENDCASE

    ; ---------------- CMPS (flags as CMP [rsi], [rdi])
    CASE "repe cmpsb differ at 23", 0, 0xcd5
    call mirror
    mov byte [area + 128 + 23], 0
    lea rsi, [area]
    lea rdi, [area + 128]
    mov ecx, 64
    GO
    repe cmpsb
    ENDCASE

    CASE "repe cmpsb equal", ALL, 0xcd5
    call mirror
    lea rsi, [area]
    lea rdi, [area + 128]
    mov ecx, 64
    GO
    repe cmpsb
    ENDCASE

    CASE "repne cmpsb", 0, 0xcd5
    lea rsi, [area]
    lea rdi, [area + 128]
    mov byte [area + 128 + 9], 66
    mov ecx, 64
    GO
    repne cmpsb
    ENDCASE

    CASE "repe cmpsw", 0, 0xcd5
    call mirror
    mov byte [area + 128 + 15], 0xff
    lea rsi, [area]
    lea rdi, [area + 128]
    mov ecx, 32
    GO
    repe cmpsw
    ENDCASE

    CASE "repe cmpsd", 0, 0xcd5
    call mirror
    mov byte [area + 128 + 33], 0x80
    lea rsi, [area]
    lea rdi, [area + 128]
    mov ecx, 16
    GO
    repe cmpsd
    ENDCASE

    CASE "repe cmpsq bwd", 0, 0xcd5
    call mirror
    mov byte [area + 128 + 12], 0x00
    lea rsi, [area + 56]
    lea rdi, [area + 128 + 56]
    mov ecx, 8
    GO
    std
    repe cmpsq
    ENDCASE

    CASE "cmpsb single", ALL, 0xcd5
    lea rsi, [area + 1]
    lea rdi, [area + 128]
    mov ecx, 8
    GO
    cmpsb
    ENDCASE

    CASE "repe cmpsd count 0", ALL, 0xcd5
    lea rsi, [area + 1]
    lea rdi, [area + 128]
    xor ecx, ecx
    GO
    repe cmpsd
    ENDCASE

    ; a long copy (page-sized) to exercise fast paths
    PSTR "rep movsq 4096 + rep movsb 4096 checksum "
    lea rdi, [big]
    mov ecx, 8192
    xor eax, eax
.fill:
    imul edx, eax, 131
    xor edx, eax
    mov [rdi + rax], dl
    inc eax
    cmp eax, ecx
    jb .fill
    lea rsi, [big]
    lea rdi, [big2]
    mov ecx, 512
    rep movsq
    lea rsi, [big + 4096 + 3]
    lea rdi, [big2 + 4096]
    mov ecx, 4093
    rep movsb
    xor eax, eax
    xor ecx, ecx
    lea rsi, [big2]
.sum:
    movzx edx, byte [rsi + rcx]
    imul rax, rax, 31
    add rax, rdx
    inc ecx
    cmp ecx, 8192
    jb .sum
    PHEX rax, 16
    PNL
    PSTR "done", 10
    EXIT 0

section .bss
alignb 4096
big:  resb 8192
big2: resb 8192
