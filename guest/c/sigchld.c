/* sigchld.c - SIGCHLD: a handler that reaps and counts children (si_code,
 * si_status, si_pid), CLD_KILLED for a child killed by a signal, stop and continue
 * notifications (CLD_STOPPED, CLD_CONTINUED) and SA_NOCLDSTOP, automatic reaping
 * when SIGCHLD is ignored or SA_NOCLDWAIT is set (wait then fails with ECHILD). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int reaped, code_sum, handler_runs, last_code, last_status, pid_ok;
static volatile int status_bits;
static volatile pid_t expect_pid;

static void reaper(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    handler_runs++;
    last_code = si->si_code;
    last_status = si->si_status;
    if (si->si_code == CLD_EXITED)
        status_bits |= 1 << si->si_status;
    if (expect_pid)
        pid_ok = si->si_pid == expect_pid && si->si_uid == getuid();
    int st;
    pid_t p;
    while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
        reaped++;
        code_sum += WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
    }
}

static void recorder(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    handler_runs++;
    last_code = si->si_code;
    last_status = si->si_status;
}

static void install(void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigaction(SIGCHLD, &sa, NULL);
}

static const char *code_name(int c)
{
    switch (c) {
    case CLD_EXITED: return "CLD_EXITED";
    case CLD_KILLED: return "CLD_KILLED";
    case CLD_DUMPED: return "CLD_DUMPED";
    case CLD_STOPPED: return "CLD_STOPPED";
    case CLD_CONTINUED: return "CLD_CONTINUED";
    default: return "?";
    }
}

int main(void)
{
    struct rlimit nocore = {0, 0};
    setrlimit(RLIMIT_CORE, &nocore);
    sigset_t none, chld, old;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);

    /* 1. a handler reaps five children */
    install(reaper, 0);
    sigprocmask(SIG_BLOCK, &chld, &old);
    for (int i = 0; i < 5; i++)
        if (fork() == 0)
            _exit(i);
    while (reaped < 5)
        sigsuspend(&old);
    sigprocmask(SIG_SETMASK, &old, NULL);
    /* (how many SIGCHLDs arrive depends on timing: they coalesce) */
    printf("reaped %d children, exit codes sum %d, a status seen=%d, last code %s\n", reaped, code_sum,
           status_bits != 0, code_name(last_code));

    /* 2. killed by a signal */
    reaped = code_sum = 0;
    sigprocmask(SIG_BLOCK, &chld, &old);
    pid_t pid = fork();
    if (pid == 0) {
        raise(SIGTERM);
        _exit(1);
    }
    expect_pid = pid;
    while (reaped < 1)
        sigsuspend(&old);
    printf("SIGTERM child: %s status=%d pid_uid_ok=%d reaped code %d\n", code_name(last_code), last_status, pid_ok,
           code_sum);
    reaped = code_sum = 0;
    pid = fork();
    if (pid == 0)
        abort();
    expect_pid = pid;
    while (reaped < 1)
        sigsuspend(&old);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("abort child: %s status=%d pid_uid_ok=%d reaped code %d\n", code_name(last_code), last_status, pid_ok,
           code_sum);
    expect_pid = 0;

    /* 3. stop and continue notifications */
    install(recorder, 0);
    sigprocmask(SIG_BLOCK, &chld, &old);
    pid = fork();
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        raise(SIGSTOP);
        for (;;)
            pause();
    }
    handler_runs = 0;
    while (last_code != CLD_STOPPED)
        sigsuspend(&old);
    printf("stop: %s status=%d\n", code_name(last_code), last_status);
    kill(pid, SIGCONT);
    while (last_code != CLD_CONTINUED)
        sigsuspend(&old);
    printf("continue: %s status=%d\n", code_name(last_code), last_status);
    kill(pid, SIGKILL);
    while (last_code != CLD_KILLED)
        sigsuspend(&old);
    printf("kill: %s status=%d, handler ran %d times\n", code_name(last_code), last_status, handler_runs);
    int st;
    waitpid(pid, &st, 0);
    sigprocmask(SIG_SETMASK, &old, NULL);

    /* SA_NOCLDSTOP: no SIGCHLD for the stop */
    install(recorder, SA_NOCLDSTOP);
    handler_runs = 0;
    last_code = 0;
    pid = fork();
    if (pid == 0) {
        raise(SIGSTOP);
        _exit(3);
    }
    waitpid(pid, &st, WUNTRACED);
    int stopped = WIFSTOPPED(st), runs_at_stop = handler_runs;
    kill(pid, SIGCONT);
    waitpid(pid, &st, 0);
    printf("SA_NOCLDSTOP: stopped=%d handler runs at stop=%d, exit code %d, last %s\n", stopped, runs_at_stop,
           WEXITSTATUS(st), code_name(last_code));

    /* 4. SIGCHLD ignored: children are reaped by the kernel */
    signal(SIGCHLD, SIG_IGN);
    for (int i = 0; i < 3; i++)
        if (fork() == 0)
            _exit(7);
    errno = 0;
    int r = wait(&st);
    printf("SIG_IGN: wait=%d %s\n", r, errno == ECHILD ? "ECHILD" : "?");

    /* SA_NOCLDWAIT with a handler: reaped by the kernel, SIGCHLD still sent */
    install(recorder, SA_NOCLDWAIT);
    handler_runs = 0;
    sigprocmask(SIG_BLOCK, &chld, &old);
    pid = fork();
    if (pid == 0)
        _exit(9);
    while (handler_runs == 0)
        sigsuspend(&old);
    sigprocmask(SIG_SETMASK, &old, NULL);
    errno = 0;
    r = waitpid(pid, &st, 0);
    printf("SA_NOCLDWAIT: handler saw %s status=%d, waitpid=%d %s\n", code_name(last_code), last_status, r,
           errno == ECHILD ? "ECHILD" : "?");

    /* default: the child stays a zombie until waited for */
    signal(SIGCHLD, SIG_DFL);
    pid = fork();
    if (pid == 0)
        _exit(4);
    r = waitpid(pid, &st, 0);
    printf("SIG_DFL: waitpid found it=%d code=%d\n", r == pid, WEXITSTATUS(st));
    return 0;
}
