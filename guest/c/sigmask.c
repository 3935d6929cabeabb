/* sigmask.c - masks and pending signals: the order in which several pending
 * signals are delivered (handlers nest: the last one set up runs first) and the
 * masks the handlers run with (sa_mask), thread- and process-directed pending
 * signals in sigpending, sigsuspend (temporary mask, EINTR, the old mask back),
 * SA_NODEFER and SA_RESETHAND, sigqueue values with sigwaitinfo/sigtimedwait,
 * SIG_IGN discarding pending signals, and the EINVAL cases. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int order[16], norder;
static sigset_t masks[16];

static int rel(int sig) { return sig >= SIGRTMIN ? 100 + sig - SIGRTMIN : sig; }

static void recorder(int sig)
{
    if (norder < 16) {
        sigprocmask(SIG_SETMASK, NULL, &masks[norder]);
        order[norder++] = sig;
    }
}

static void show_order(const char *what)
{
    printf("%s:", what);
    for (int i = 0; i < norder; i++) {
        printf(" %d[blocked", rel(order[i]));
        int sigs[] = {SIGUSR1, SIGUSR2, SIGRTMIN + 2, SIGALRM};
        for (int j = 0; j < 4; j++)
            if (sigismember(&masks[i], sigs[j]))
                printf(" %d", rel(sigs[j]));
        printf("]");
    }
    printf("\n");
    norder = 0;
}

static void set_handler(int sig, void (*fn)(int), int flags, const int *mask_sigs)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    for (; mask_sigs && *mask_sigs; mask_sigs++)
        sigaddset(&sa.sa_mask, *mask_sigs);
    sigaction(sig, &sa, NULL);
}

static volatile int depth, max_depth, runs;
static void reentrant(int sig)
{
    depth++;
    runs++;
    if (depth > max_depth)
        max_depth = depth;
    if (runs == 1)
        raise(sig);
    depth--;
}

static volatile int urg_blocked_inside = -1;
static void resethand(int sig)
{
    sigset_t cur;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    urg_blocked_inside = sigismember(&cur, sig);
    runs++;
}

static volatile int qvals[8], nq;
static void qhandler(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    if (nq < 8)
        qvals[nq++] = si->si_value.sival_int * 10 + (si->si_code == SI_QUEUE);
}

int main(void)
{
    sigset_t none, all, set, cur;
    sigemptyset(&none);
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &none, NULL);

    /* 1. three pending signals unblocked at once */
    set_handler(SIGUSR1, recorder, 0, NULL);
    set_handler(SIGUSR2, recorder, 0, NULL);
    set_handler(SIGRTMIN + 2, recorder, 0, NULL);
    sigprocmask(SIG_SETMASK, &all, NULL);
    raise(SIGRTMIN + 2);
    raise(SIGUSR2);
    kill(getpid(), SIGUSR1);
    sigprocmask(SIG_SETMASK, &none, NULL);
    show_order("nested delivery");

    /* SIGUSR1's sa_mask holds SIGUSR2 back until its handler returns */
    int usr2[] = {SIGUSR2, 0};
    set_handler(SIGUSR1, recorder, 0, usr2);
    sigprocmask(SIG_SETMASK, &all, NULL);
    raise(SIGRTMIN + 2);
    raise(SIGUSR2);
    raise(SIGUSR1);
    sigprocmask(SIG_SETMASK, &none, NULL);
    show_order("with sa_mask");

    /* 2. pending for the thread (raise) and for the process (kill) */
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR1);
    kill(getpid(), SIGUSR2);
    sigset_t pend;
    sigpending(&pend);
    printf("pending: USR1=%d USR2=%d ALRM=%d\n", sigismember(&pend, SIGUSR1), sigismember(&pend, SIGUSR2),
           sigismember(&pend, SIGALRM));
    /* 3. sigsuspend with an empty mask takes them; the old mask comes back */
    errno = 0;
    int r = sigsuspend(&none);
    int e = errno;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    printf("sigsuspend returned %d errno=%s; still blocked after: USR1=%d USR2=%d\n", r, e == EINTR ? "EINTR" : "?",
           sigismember(&cur, SIGUSR1), sigismember(&cur, SIGUSR2));
    show_order("delivered in sigsuspend");

    /* sigsuspend woken by a timer */
    set_handler(SIGALRM, recorder, 0, NULL);
    sigaddset(&set, SIGALRM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    struct itimerval it = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    sigset_t wait_alrm;
    sigfillset(&wait_alrm);
    sigdelset(&wait_alrm, SIGALRM);
    errno = 0;
    r = sigsuspend(&wait_alrm);
    e = errno;
    printf("sigsuspend for SIGALRM: %d %s\n", r, e == EINTR ? "EINTR" : "?");
    show_order("timer");
    sigprocmask(SIG_SETMASK, &none, NULL);

    /* 4. SA_NODEFER: the handler can be re-entered */
    runs = max_depth = 0;
    set_handler(SIGUSR1, reentrant, 0, NULL);
    raise(SIGUSR1);
    printf("default: runs=%d max_depth=%d\n", runs, max_depth);
    runs = max_depth = 0;
    set_handler(SIGUSR1, reentrant, SA_NODEFER, NULL);
    raise(SIGUSR1);
    printf("SA_NODEFER: runs=%d max_depth=%d\n", runs, max_depth);

    /* SA_RESETHAND: back to SIG_DFL (SIGURG: ignore) after the first */
    runs = 0;
    set_handler(SIGURG, resethand, SA_RESETHAND, NULL);
    raise(SIGURG);
    raise(SIGURG);
    struct sigaction q;
    sigaction(SIGURG, NULL, &q);
    printf("SA_RESETHAND: runs=%d blocked inside=%d now default=%d flags_kept=%d\n", runs, urg_blocked_inside,
           q.sa_handler == SIG_DFL, (q.sa_flags & SA_RESETHAND) != 0);

    /* 5. sigqueue values, queued in order, taken by a handler or sigwaitinfo */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = qhandler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGRTMIN + 3, &sa, NULL);
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 3);
    sigprocmask(SIG_BLOCK, &set, NULL);
    for (int i = 1; i <= 3; i++)
        sigqueue(getpid(), SIGRTMIN + 3, (union sigval){.sival_int = i});
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("sigqueue to a handler:");
    for (int i = 0; i < nq; i++)
        printf(" %d", qvals[i]);
    printf("\n");
    sigprocmask(SIG_BLOCK, &set, NULL);
    for (int i = 4; i <= 6; i++)
        sigqueue(getpid(), SIGRTMIN + 3, (union sigval){.sival_int = i});
    printf("sigwaitinfo:");
    for (int i = 0; i < 3; i++) {
        siginfo_t si;
        int s = sigwaitinfo(&set, &si);
        printf(" sig=%d value=%d code_queue=%d pid_ok=%d", rel(s), si.si_value.sival_int, si.si_code == SI_QUEUE,
               si.si_pid == getpid());
    }
    printf("\n");
    /* rt_tgsigqueueinfo to this thread, and sigqueue's EPERM rule */
    siginfo_t qi;
    memset(&qi, 0, sizeof qi);
    qi.si_code = SI_QUEUE;
    qi.si_pid = getpid();
    qi.si_uid = getuid();
    qi.si_value.sival_int = 77;
    long tr = syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), SIGRTMIN + 3, &qi);
    siginfo_t got;
    int gs = sigwaitinfo(&set, &got);
    printf("rt_tgsigqueueinfo: %ld, got sig=%d value=%d\n", tr, rel(gs), got.si_value.sival_int);
    qi.si_code = SI_USER; /* pretending to be kill() */
    errno = 0;
    tr = syscall(SYS_rt_sigqueueinfo, getppid(), 0, &qi);
    printf("rt_sigqueueinfo(parent, SI_USER): %ld %s\n", tr, errno == EPERM ? "EPERM" : "?");
    errno = 0;
    tr = syscall(SYS_rt_sigqueueinfo, getpid(), 0, &qi);
    printf("rt_sigqueueinfo(self, SI_USER, sig 0): %ld\n", tr);
    struct timespec zero = {0, 0}, short_wait = {0, 20000000};
    errno = 0;
    r = sigtimedwait(&set, NULL, &zero);
    printf("sigtimedwait(0) with nothing pending: %d %s\n", r, errno == EAGAIN ? "EAGAIN" : "?");
    errno = 0;
    r = sigtimedwait(&set, NULL, &short_wait);
    printf("sigtimedwait(20ms): %d %s\n", r, errno == EAGAIN ? "EAGAIN" : "?");
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    kill(getpid(), SIGUSR2);
    siginfo_t si;
    r = sigtimedwait(&set, &si, &short_wait);
    printf("sigtimedwait for a pending SIGUSR2: %d code_user=%d\n", r, si.si_code == SI_USER);
    sigprocmask(SIG_SETMASK, &none, NULL);

    /* 6. SIG_IGN discards a pending signal, even a blocked one */
    set_handler(SIGUSR1, recorder, 0, NULL);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR1);
    signal(SIGUSR1, SIG_IGN);
    sigpending(&pend);
    int p1 = sigismember(&pend, SIGUSR1);
    raise(SIGUSR1); /* blocked: queued although ignored */
    sigpending(&pend);
    int p2 = sigismember(&pend, SIGUSR1);
    set_handler(SIGUSR1, recorder, 0, NULL);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("SIG_IGN: pending after SIG_IGN=%d, blocked+ignored raise pending=%d, handled later=%d\n", p1, p2, norder);
    norder = 0;

    /* 7. what cannot be done */
    sigprocmask(SIG_SETMASK, &all, NULL);
    sigprocmask(SIG_SETMASK, NULL, &cur);
    printf("fill mask: KILL blocked=%d STOP blocked=%d USR1 blocked=%d\n", sigismember(&cur, SIGKILL),
           sigismember(&cur, SIGSTOP), sigismember(&cur, SIGUSR1));
    sigprocmask(SIG_SETMASK, &none, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = recorder;
    errno = 0;
    r = sigaction(SIGKILL, &sa, NULL);
    printf("sigaction(SIGKILL): %d %s\n", r, errno == EINVAL ? "EINVAL" : "?");
    errno = 0;
    r = sigaction(SIGSTOP, NULL, &q);
    printf("query SIGSTOP: %d default=%d\n", r, q.sa_handler == SIG_DFL);
    errno = 0;
    r = syscall(SYS_rt_sigaction, 65, NULL, &q, 8);
    printf("rt_sigaction(65): %d %s\n", r, errno == EINVAL ? "EINVAL" : "?");
    errno = 0;
    r = syscall(SYS_rt_sigaction, SIGUSR1, NULL, &q, 16);
    printf("rt_sigaction(sigsetsize 16): %d %s\n", r, errno == EINVAL ? "EINVAL" : "?");
    errno = 0;
    r = syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 4);
    printf("rt_sigprocmask(sigsetsize 4): %d %s\n", r, errno == EINVAL ? "EINVAL" : "?");
    errno = 0;
    r = syscall(SYS_rt_sigprocmask, 99, &set, NULL, 8);
    printf("rt_sigprocmask(how 99): %d %s\n", r, errno == EINVAL ? "EINVAL" : "?");
    errno = 0;
    r = syscall(SYS_rt_sigprocmask, 99, NULL, &cur, 8);
    printf("rt_sigprocmask(how 99, no set): %d\n", r);
    errno = 0;
    r = syscall(SYS_rt_sigpending, &cur, 16);
    printf("rt_sigpending(sigsetsize 16): %d %s\n", r, errno == EINVAL ? "EINVAL" : "?");
    /* unknown sa_flags bits are not kept */
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        unsigned long mask;
    } ka = {(void *)SIG_IGN, 0x400 | SA_RESTART, NULL, ~0ul}, ko;
    syscall(SYS_rt_sigaction, SIGUSR2, &ka, NULL, 8);
    syscall(SYS_rt_sigaction, SIGUSR2, NULL, &ko, 8);
    printf("kept flags=%#lx mask has KILL=%d STOP=%d USR1=%d\n", ko.flags, (int)((ko.mask >> (SIGKILL - 1)) & 1),
           (int)((ko.mask >> (SIGSTOP - 1)) & 1), (int)((ko.mask >> (SIGUSR1 - 1)) & 1));
    return 0;
}
