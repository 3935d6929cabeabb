/* pollmask.c - the signal mask arguments of ppoll and pselect: the mask is in
 * force for the wait only. A blocked SIGUSR1 that the call's mask unblocks
 * interrupts it (EINTR after the handler ran, also with a zero timeout); one the
 * call's mask keeps blocked lets it time out and stays pending; ready
 * descriptors win over a pending signal; the caller's mask is back afterwards,
 * also after the handler (which runs with the call's mask plus SIGUSR1); a
 * signal sent by a child during the wait wakes it. Prints no times or pids. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t handled;
static volatile sig_atomic_t usr2_blocked_in_handler;

static void on_usr1(int sig)
{
    sigset_t cur;
    (void)sig;
    handled++;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    usr2_blocked_in_handler = sigismember(&cur, SIGUSR2);
}

static int usr1_blocked(void)
{
    sigset_t cur;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    return sigismember(&cur, SIGUSR1);
}

static int usr1_pending(void)
{
    sigset_t p;
    sigpending(&p);
    return sigismember(&p, SIGUSR1);
}

static void report(const char *what, int r, int e)
{
    printf("%-34s -> %d %s, handler ran %d, USR1 blocked after %d, pending %d\n",
           what, r, r < 0 ? strerror(e) : "", (int)handled, usr1_blocked(),
           usr1_pending());
    handled = 0;
}

/* Take a still pending SIGUSR1 so the next case starts clean. */
static void drain(void)
{
    if (usr1_pending()) {
        sigset_t s;
        int sig;
        sigemptyset(&s);
        sigaddset(&s, SIGUSR1);
        sigwait(&s, &sig);
    }
}

int main(void)
{
    int p[2];
    struct sigaction sa;
    sigset_t block, empty, usr1, usr2;
    struct timespec ts;
    struct pollfd pfd;
    int r, e;

    setvbuf(stdout, NULL, _IOLBF, 0);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    sigemptyset(&empty);
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_SETMASK, &usr1, &block);
    if (pipe(p) < 0)
        return 1;
    pfd.fd = p[0];
    pfd.events = POLLIN;

    /* ppoll */
    raise(SIGUSR1);
    ts.tv_sec = 5;
    ts.tv_nsec = 0;
    r = ppoll(&pfd, 1, &ts, &usr2);
    e = errno;
    report("ppoll, mask unblocks pending USR1", r, e);
    printf("  handler saw USR2 blocked (the call's mask): %d\n", (int)usr2_blocked_in_handler);

    raise(SIGUSR1);
    ts.tv_sec = 0;
    ts.tv_nsec = 0;
    r = ppoll(&pfd, 1, &ts, &empty);
    e = errno;
    report("ppoll, zero timeout, USR1 pending", r, e);

    raise(SIGUSR1);
    ts.tv_sec = 0;
    ts.tv_nsec = 20 * 1000 * 1000;
    r = ppoll(&pfd, 1, &ts, &usr1);
    e = errno;
    report("ppoll, mask keeps USR1 blocked", r, e);
    drain();

    raise(SIGUSR1);
    ts.tv_sec = 0;
    ts.tv_nsec = 20 * 1000 * 1000;
    r = ppoll(&pfd, 1, &ts, NULL);
    e = errno;
    report("ppoll, no mask argument", r, e);
    drain();

    if (write(p[1], "x", 1) != 1)
        return 1;
    raise(SIGUSR1);
    ts.tv_sec = 5;
    ts.tv_nsec = 0;
    r = ppoll(&pfd, 1, &ts, &empty);
    e = errno;
    report("ppoll, data ready and USR1 pending", r, e);
    drain();
    {
        char c;
        if (read(p[0], &c, 1) != 1)
            return 1;
    }

    /* A child signals the parent while it sleeps in ppoll. */
    pid_t child = fork();
    if (child == 0) {
        struct timespec d = {0, 50 * 1000 * 1000};
        nanosleep(&d, NULL);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    ts.tv_sec = 10;
    ts.tv_nsec = 0;
    r = ppoll(&pfd, 1, &ts, &empty);
    e = errno;
    waitpid(child, NULL, 0);
    report("ppoll, USR1 from a child while waiting", r, e);

    /* pselect */
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    raise(SIGUSR1);
    ts.tv_sec = 5;
    ts.tv_nsec = 0;
    r = pselect(p[0] + 1, &rd, NULL, NULL, &ts, &empty);
    e = errno;
    report("pselect, mask unblocks pending USR1", r, e);

    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    raise(SIGUSR1);
    ts.tv_sec = 0;
    ts.tv_nsec = 0;
    r = pselect(p[0] + 1, &rd, NULL, NULL, &ts, &empty);
    e = errno;
    report("pselect, zero timeout, USR1 pending", r, e);

    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    raise(SIGUSR1);
    ts.tv_sec = 0;
    ts.tv_nsec = 20 * 1000 * 1000;
    r = pselect(p[0] + 1, &rd, NULL, NULL, &ts, &usr1);
    e = errno;
    report("pselect, mask keeps USR1 blocked", r, e);
    drain();

    child = fork();
    if (child == 0) {
        struct timespec d = {0, 50 * 1000 * 1000};
        nanosleep(&d, NULL);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    r = pselect(p[0] + 1, &rd, NULL, NULL, NULL, &empty);
    e = errno;
    waitpid(child, NULL, 0);
    report("pselect, USR1 from a child", r, e);

    /* A bad mask size is EINVAL (raw syscall: libc always passes 8). */
    {
        long rr = syscall(271 /* ppoll */, &pfd, 1, &ts, &empty, 4);
        printf("ppoll with sigsetsize 4: %ld %s\n", rr, rr < 0 ? strerror(errno) : "");
    }
    sigprocmask(SIG_SETMASK, &block, NULL);
    return 0;
}
