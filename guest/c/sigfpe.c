/* sigfpe.c - floating-point exceptions as SIGFPE: SSE exceptions unmasked in
 * MXCSR (divide by zero, invalid, overflow, underflow, precision) and x87
 * exceptions unmasked in the control word, each with its si_code; the handler
 * masks the exception in the saved FPU state (uc_mcontext.fpregs) and returns, so
 * the instruction runs again and produces the masked result. Integer division
 * faults for comparison. */
#define _GNU_SOURCE
#include <float.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static volatile int code, hits;
static volatile uintptr_t addr;

static void handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)sig;
    hits++;
    code = si->si_code;
    addr = (uintptr_t)si->si_addr;
    /* mask everything and clear the flags, in the state sigreturn restores */
    uc->uc_mcontext.fpregs->mxcsr = (uc->uc_mcontext.fpregs->mxcsr | 0x1f80) & ~0x3fu;
    uc->uc_mcontext.fpregs->cwd |= 0x3f;
    uc->uc_mcontext.fpregs->swd &= ~0x80ffu;
}

static const char *name(int c)
{
    switch (c) {
    case FPE_INTDIV: return "FPE_INTDIV";
    case FPE_INTOVF: return "FPE_INTOVF";
    case FPE_FLTDIV: return "FPE_FLTDIV";
    case FPE_FLTOVF: return "FPE_FLTOVF";
    case FPE_FLTUND: return "FPE_FLTUND";
    case FPE_FLTRES: return "FPE_FLTRES";
    case FPE_FLTINV: return "FPE_FLTINV";
    default: return "?";
    }
}

/* divsd with the exception bits of `unmask` cleared in MXCSR */
static double sse_div(double a, double b, unsigned unmask)
{
    unsigned m = 0x1f80 & ~unmask, restore = 0x1f80;
    double r = a;
    __asm__ volatile("ldmxcsr %[m]\n\t"
                     "divsd %[b], %[r]\n\t"
                     "ldmxcsr %[restore]\n\t"
                     : [r] "+x"(r)
                     : [b] "x"(b), [m] "m"(m), [restore] "m"(restore));
    return r;
}

static double sse_mul(double a, double b, unsigned unmask)
{
    unsigned m = 0x1f80 & ~unmask, restore = 0x1f80;
    double r = a;
    __asm__ volatile("ldmxcsr %[m]\n\t"
                     "mulsd %[b], %[r]\n\t"
                     "ldmxcsr %[restore]\n\t"
                     : [r] "+x"(r)
                     : [b] "x"(b), [m] "m"(m), [restore] "m"(restore));
    return r;
}

/* x87 fdiv with the exception bits of `unmask` cleared in the control word; the
 * exception is raised by the next x87 instruction (here fwait) */
static long double x87_div(long double a, long double b, unsigned unmask)
{
    unsigned short cw = 0x37f & ~unmask, restore = 0x37f;
    long double r;
    __asm__ volatile("fnclex\n\t"
                     "fldcw %[cw]\n\t"
                     "fldt %[a]\n\t"
                     "fldt %[b]\n\t"
                     "fdivrp\n\t"
                     "fwait\n\t"
                     "fstpt %[r]\n\t"
                     "fldcw %[restore]\n\t"
                     : [r] "=m"(r)
                     : [a] "m"(a), [b] "m"(b), [cw] "m"(cw), [restore] "m"(restore));
    return r;
}

static void report(const char *what, double r)
{
    printf("%-28s hits=%d %s result=%g\n", what, hits, name(code), r);
    hits = 0;
    code = 0;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGFPE, &sa, NULL);

    report("masked 1/0", sse_div(1.0, 0.0, 0));
    report("SSE 1/0, ZM unmasked", sse_div(1.0, 0.0, 0x200));
    report("SSE 0/0, IM unmasked", sse_div(0.0, 0.0, 0x80));
    report("SSE DBL_MAX*4, OM unmasked", sse_mul(DBL_MAX, 4.0, 0x400));
    report("SSE DBL_MIN*DBL_MIN, UM", sse_mul(DBL_MIN, DBL_MIN, 0x800));
    report("SSE 1/3, PM unmasked", sse_div(1.0, 3.0, 0x1000));
    report("SSE 1/0, all unmasked", sse_div(1.0, 0.0, 0x1f80));
    report("x87 1/0, ZM unmasked", (double)x87_div(1.0L, 0.0L, 0x4));
    report("x87 0/0, IM unmasked", (double)x87_div(0.0L, 0.0L, 0x1));
    report("x87 1/3, PM unmasked", (double)x87_div(1.0L, 3.0L, 0x20));
    return 0;
}
