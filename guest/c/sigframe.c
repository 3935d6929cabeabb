/* sigframe.c - what a signal handler sees and can change: si_code/si_addr and
 * the trap fields (trapno, err, cr2) of faults (#PF read/write/fetch, #GP, #UD,
 * #DE, INT3), the interrupted registers in uc_mcontext, a handler that skips the
 * faulting instruction by editing REG_RIP and changes registers and the FPU state
 * it returns to, the mask restored from uc_sigmask, and the state a handler starts
 * with (RAX = 0, RSP + 8 aligned to 16, DF clear, fresh SSE state). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

/* Probes in assembly, so that the faulting instruction and the registers around it
 * are known exactly. Each sets RBX = 1 and R12 = 0x1234 before the instruction at
 * its *_insn label and returns RBX afterwards (the handler may change it). */
extern char read_insn[], read_after[], write_insn[], write_after[], ud2_insn[], ud2_after[],
    div_insn[], div_after[], int3_after[];
long probe_read(long addr);
long probe_write(long addr);
long probe_ud2(void);
long probe_div(long a, long b);
long probe_int3(void);
__asm__(".text\n"
        ".globl probe_read\n"
        "probe_read:\n"
        "  push %rbx\n  push %r12\n  mov $1, %ebx\n  mov $0x1234, %r12d\n"
        ".globl read_insn\nread_insn:\n"
        "  mov (%rdi), %rax\n"
        ".globl read_after\nread_after:\n"
        "  mov %rbx, %rax\n  pop %r12\n  pop %rbx\n  ret\n"
        ".globl probe_write\n"
        "probe_write:\n"
        "  push %rbx\n  push %r12\n  mov $1, %ebx\n  mov $0x1234, %r12d\n"
        ".globl write_insn\nwrite_insn:\n"
        "  movq $7, (%rdi)\n"
        ".globl write_after\nwrite_after:\n"
        "  mov %rbx, %rax\n  pop %r12\n  pop %rbx\n  ret\n"
        ".globl probe_ud2\n"
        "probe_ud2:\n"
        "  push %rbx\n  push %r12\n  mov $1, %ebx\n  mov $0x1234, %r12d\n"
        ".globl ud2_insn\nud2_insn:\n"
        "  ud2\n"
        ".globl ud2_after\nud2_after:\n"
        "  mov %rbx, %rax\n  pop %r12\n  pop %rbx\n  ret\n"
        ".globl probe_div\n"
        "probe_div:\n"
        "  push %rbx\n  push %r12\n  mov $1, %ebx\n  mov $0x1234, %r12d\n"
        "  mov %rdi, %rax\n  cqo\n"
        ".globl div_insn\ndiv_insn:\n"
        "  idiv %rsi\n"
        ".globl div_after\ndiv_after:\n"
        "  mov %rbx, %rax\n  pop %r12\n  pop %rbx\n  ret\n"
        ".globl probe_int3\n"
        "probe_int3:\n"
        "  push %rbx\n  push %r12\n  mov $1, %ebx\n  mov $0x1234, %r12d\n"
        "  int3\n"
        ".globl int3_after\nint3_after:\n"
        "  mov %rbx, %rax\n  pop %r12\n  pop %rbx\n  ret\n");

static struct {
    int sig, code;
    uintptr_t addr;
    long trapno, err, cr2, r12, rip;
    int ss_flags;
} rec;
static char *resume_at;

static void fault_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    rec.sig = sig;
    rec.code = si->si_code;
    rec.addr = (uintptr_t)si->si_addr;
    rec.trapno = g[REG_TRAPNO];
    rec.err = g[REG_ERR];
    rec.cr2 = g[REG_CR2];
    rec.r12 = g[REG_R12];
    rec.rip = g[REG_RIP];
    rec.ss_flags = uc->uc_stack.ss_flags;
    if (resume_at) {
        g[REG_RIP] = (greg_t)resume_at;
        g[REG_RBX] = 0x5555; /* the probe returns it */
    } else {
        /* a fetch fault: return to the caller of the bad address */
        greg_t *sp = (greg_t *)g[REG_RSP];
        g[REG_RIP] = sp[0];
        g[REG_RSP] += 8;
    }
}

static void show(const char *what, long ret, const char *insn, uintptr_t base)
{
    printf("%s: sig=%d code=%d addr=%s trapno=%ld r12=%#lx rip_ok=%d rbx_after=%#lx\n", what, rec.sig,
           rec.code,
           base ? (rec.addr == base ? "fault-address" : "other") : (rec.addr == (uintptr_t)insn ? "insn" : rec.addr ? "other" : "0"),
           rec.trapno, rec.r12, insn ? rec.rip == (long)insn : -1, ret);
}

/* A handler entered through an assembly stub that records the registers as the
 * kernel left them. */
volatile unsigned long entry_rsp, entry_rax, entry_rdx, entry_rsi, entry_flags, entry_mxcsr;
volatile unsigned long entry_xmm0[2];
extern void entry_stub(int, siginfo_t *, void *);
void entry_c(int sig, siginfo_t *si, void *ucv) __attribute__((used));
__asm__(".text\n"
        ".globl entry_stub\n"
        "entry_stub:\n"
        "  mov %rsp, entry_rsp(%rip)\n"
        "  mov %rax, entry_rax(%rip)\n"
        "  mov %rdx, entry_rdx(%rip)\n"
        "  mov %rsi, entry_rsi(%rip)\n"
        "  pushfq\n  popq entry_flags(%rip)\n"
        "  stmxcsr entry_mxcsr(%rip)\n"
        "  movq %xmm0, entry_xmm0(%rip)\n"
        "  jmp entry_c\n");

static volatile int uc_ok;
static volatile unsigned long saved_flags_df, saved_fp_xmm1, saved_fp_mxcsr;

void entry_c(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)sig;
    uc_ok = (unsigned long)uc == entry_rdx && (unsigned long)si == entry_rsi;
    saved_flags_df = (uc->uc_mcontext.gregs[REG_EFL] >> 10) & 1;
    /* the interrupted FPU state, as saved; then changes to it */
    saved_fp_xmm1 = uc->uc_mcontext.fpregs->_xmm[1].element[0];
    saved_fp_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
    uc->uc_mcontext.fpregs->_xmm[1].element[0] = 0xabcdef;
    /* block SIGUSR2 after the handler returns */
    sigaddset(&uc->uc_sigmask, SIGUSR2);
}

int main(void)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fault_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);

    long page = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    m[0] = 1;
    m[page] = 1;
    munmap(m + 2 * page, page);
    mprotect(m + page, page, PROT_READ);
    long r;

    resume_at = read_after;
    r = probe_read((long)(m + 2 * page + 24));
    show("read unmapped", r, read_insn, (uintptr_t)(m + 2 * page + 24));
    printf("  err=%ld cr2_ok=%d uc_stack.ss_flags=%d\n", rec.err, rec.cr2 == (long)(m + 2 * page + 24),
           rec.ss_flags);

    resume_at = write_after;
    r = probe_write((long)(m + page + 8));
    show("write read-only", r, write_insn, (uintptr_t)(m + page + 8));
    printf("  err=%ld cr2_ok=%d\n", rec.err, rec.cr2 == (long)(m + page + 8));

    r = probe_write((long)(m + 2 * page));
    show("write unmapped", r, write_insn, (uintptr_t)(m + 2 * page));
    printf("  err=%ld\n", rec.err);

    resume_at = read_after;
    r = probe_read((long)0x8000000000000000ul);
    show("non-canonical read (#GP)", r, read_insn, 0);
    printf("  err=%ld\n", rec.err);

    resume_at = ud2_after;
    r = probe_ud2();
    show("ud2", r, ud2_insn, 0);

    resume_at = div_after;
    r = probe_div(5, 0);
    show("idiv by zero", r, div_insn, 0);

    resume_at = int3_after;
    r = probe_int3();
    show("int3", r, int3_after, 0);

    /* jump into a page that is not executable */
    resume_at = NULL;
    memset(m, 0xc3, 16); /* ret */
    ((void (*)(void))m)();
    printf("fetch from data page: sig=%d code=%d addr_ok=%d err=%ld rip_ok=%d\n", rec.sig, rec.code,
           rec.addr == (uintptr_t)m, rec.err, rec.rip == (long)m);

    /* the handler's entry state, and what it changes in the interrupted context */
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = entry_stub;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    unsigned long xmm0_after, xmm1_after, mxcsr_after = 0;
    unsigned long df_after;
    unsigned int mx = 0x5f80; /* round up */
    long pid = getpid();
    __asm__ volatile("movq $0x1111, %%rax\n\t"
                     "movq %%rax, %%xmm0\n\t"
                     "movq $0x2222, %%rax\n\t"
                     "movq %%rax, %%xmm1\n\t"
                     "ldmxcsr %[mx]\n\t"
                     "std\n\t"
                     "mov $62, %%eax\n\t" /* kill(pid, SIGUSR1) */
                     "mov %[pid], %%rdi\n\t"
                     "mov $10, %%esi\n\t"
                     "syscall\n\t"
                     "pushfq\n\t"
                     "popq %[df]\n\t"
                     "cld\n\t"
                     "movq %%xmm0, %[x0]\n\t"
                     "movq %%xmm1, %[x1]\n\t"
                     "stmxcsr %[mxa]\n\t"
                     "movl $0x1f80, %[mx]\n\t"
                     "ldmxcsr %[mx]\n\t"
                     : [x0] "=r"(xmm0_after), [x1] "=r"(xmm1_after), [df] "=r"(df_after), [mx] "+m"(mx),
                       [mxa] "=m"(mxcsr_after)
                     : [pid] "r"(pid)
                     : "rax", "rdi", "rsi", "rcx", "r11", "xmm0", "xmm1", "memory", "cc");
    printf("handler entry: rax=%lu (rsp+8)%%16=%lu args_ok=%d DF=%lu xmm0=%#lx mxcsr=%#lx\n", entry_rax,
           (entry_rsp + 8) % 16, uc_ok, (entry_flags >> 10) & 1, entry_xmm0[0], entry_mxcsr);
    printf("saved context: DF=%lu xmm1=%#lx mxcsr=%#lx\n", saved_flags_df, saved_fp_xmm1, saved_fp_mxcsr);
    printf("after return: DF=%lu xmm0=%#lx xmm1=%#lx mxcsr=%#lx\n", (df_after >> 10) & 1, xmm0_after, xmm1_after,
           mxcsr_after);
    sigset_t cur;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    printf("SIGUSR2 blocked via uc_sigmask: %d, SIGUSR1 blocked: %d\n", sigismember(&cur, SIGUSR2),
           sigismember(&cur, SIGUSR1));
    return 0;
}
