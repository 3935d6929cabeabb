/* signals.c - signal delivery within one process: raise/kill to self with
 * sigaction handlers (SA_SIGINFO fields), blocking and pending signals,
 * sigsuspend-free unblocking delivery, SIGSEGV from a PROT_NONE page and
 * SIGFPE from integer division caught with sigsetjmp/siglongjmp, SIG_IGN,
 * and an alternate signal stack. Ends by dying from SIGABRT via abort()
 * (status "signal 6"). */
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <stdint.h>
#include <sys/mman.h>

static volatile sig_atomic_t hits[65];
static volatile int last_code, last_signo;
static volatile uintptr_t fault_off;
static unsigned char *guard;
static sigjmp_buf jb;

static void counter(int sig) { hits[sig]++; }
static void info_handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    hits[sig]++;
    last_signo = si->si_signo;
    last_code = si->si_code;
}
static void segv_handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    hits[sig]++;
    last_code = si->si_code;
    fault_off = (uintptr_t)si->si_addr - (uintptr_t)guard;
    siglongjmp(jb, sig);
}
static volatile int on_altstack;
static char *alt_base;
static void alt_handler(int sig)
{
    char local;
    hits[sig]++;
    on_altstack = &local >= alt_base && &local < alt_base + 65536;
}

int main(void)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = counter;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    raise(SIGUSR1);
    kill(getpid(), SIGUSR1);
    printf("SIGUSR1 handled %d times\n", hits[SIGUSR1]);

    sa.sa_flags = SA_SIGINFO;
    sa.sa_sigaction = info_handler;
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    printf("SIGUSR2 via raise: signo=%d code_is_tkill=%d\n", last_signo, last_code == SI_TKILL);
    kill(getpid(), SIGUSR2);
    printf("SIGUSR2 via kill: signo=%d code_is_user=%d\n", last_signo, last_code == SI_USER);

    /* blocked signals stay pending until unblocked; standard signals coalesce */
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR1);
    raise(SIGUSR1);
    sigpending(&pend);
    printf("blocked: handled=%d pending=%d\n", hits[SIGUSR1], sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("after unblock: handled=%d\n", hits[SIGUSR1]);

    /* realtime signals queue */
    sa.sa_flags = 0;
    sa.sa_handler = counter;
    sigaction(SIGRTMIN + 1, &sa, NULL);
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    for (int i = 0; i < 3; i++)
        raise(SIGRTMIN + 1);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("realtime signal delivered %d times\n", hits[SIGRTMIN + 1]);

    /* ignored signal */
    signal(SIGUSR1, SIG_IGN);
    raise(SIGUSR1);
    printf("ignored SIGUSR1: handled=%d (unchanged)\n", hits[SIGUSR1]);
    signal(SIGUSR1, SIG_DFL);

    /* SA_RESETHAND */
    sa.sa_flags = SA_RESETHAND;
    sa.sa_handler = counter;
    sigaction(SIGWINCH, &sa, NULL);
    raise(SIGWINCH);
    struct sigaction cur;
    sigaction(SIGWINCH, NULL, &cur);
    printf("SA_RESETHAND: handled=%d reset-to-default=%d\n", hits[SIGWINCH], cur.sa_handler == SIG_DFL);

    /* SIGSEGV from a PROT_NONE page */
    guard = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(guard + 4096, 4096, PROT_NONE);
    sa.sa_flags = SA_SIGINFO;
    sa.sa_sigaction = segv_handler;
    sigaction(SIGSEGV, &sa, NULL);
    for (int i = 0; i < 3; i++) {
        int r = sigsetjmp(jb, 1);
        if (r == 0) {
            volatile unsigned char *p = guard + 4096 + 100 * i;
            if (i == 1)
                (void)*p; /* read */
            else
                *p = 1; /* write */
            printf("no fault?!\n");
        } else {
            printf("caught SIGSEGV #%d: code_is_accerr=%d offset=%lu\n", hits[SIGSEGV], last_code == SEGV_ACCERR,
                   (unsigned long)fault_off);
        }
    }
    /* unmapped address */
    munmap(guard, 8192);
    if (sigsetjmp(jb, 1) == 0) {
        *(volatile int *)(guard + 16) = 5;
    } else {
        printf("caught SIGSEGV on unmapped: code_is_maperr=%d offset=%lu\n", last_code == SEGV_MAPERR,
               (unsigned long)fault_off);
    }

    /* SIGFPE from integer division by zero */
    sigaction(SIGFPE, &sa, NULL);
    volatile int zero = 0, num = 7;
    if (sigsetjmp(jb, 1) == 0) {
        printf("quotient %d\n", num / zero);
    } else {
        printf("caught SIGFPE: code_is_intdiv=%d\n", last_code == FPE_INTDIV);
    }
    volatile long big = INT64_MIN, m1 = -1;
    if (sigsetjmp(jb, 1) == 0) {
        printf("quotient %ld\n", big / m1);
    } else {
        printf("caught SIGFPE for INT64_MIN/-1: code_is_intdiv=%d\n", last_code == FPE_INTDIV);
    }

    /* alternate signal stack */
    stack_t ss;
    alt_base = malloc(65536);
    ss.ss_sp = alt_base;
    ss.ss_size = 65536;
    ss.ss_flags = 0;
    sigaltstack(&ss, NULL);
    sa.sa_flags = SA_ONSTACK;
    sa.sa_handler = alt_handler;
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    printf("handler ran on the alternate stack: %d\n", on_altstack);

    printf("about to abort\n");
    fflush(stdout);
    abort();
}
