/* sigintr.c - system calls interrupted by signals: wait4 and FUTEX_WAIT fail with
 * EINTR without SA_RESTART and are restarted with it; pause, sigsuspend,
 * nanosleep, sigtimedwait and a FUTEX_WAIT with a timeout fail with EINTR either
 * way; a stop and continue (no handler) restarts nanosleep and pause
 * transparently. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT_PRIVATE 128 /* FUTEX_WAIT | FUTEX_PRIVATE_FLAG (musl has no linux/futex.h) */

static volatile int runs;
static volatile uint32_t word;

static void on_alrm(int sig)
{
    (void)sig;
    runs++;
    word = 1; /* a restarted FUTEX_WAIT sees the change */
}

static void arm(int restart)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alrm;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    runs = 0;
    word = 0;
}

static const char *res(long r, int e)
{
    static char buf[64];
    if (r >= 0)
        snprintf(buf, sizeof buf, "ok");
    else
        snprintf(buf, sizeof buf, "%s", e == EINTR ? "EINTR" : e == EAGAIN ? "EAGAIN" : "other error");
    return buf;
}

static pid_t slow_child(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec t = {0, 300000000};
        nanosleep(&t, NULL);
        _exit(0);
    }
    return pid;
}

int main(void)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    long r;
    int e, st;

    for (int restart = 0; restart <= 1; restart++) {
        const char *mode = restart ? "SA_RESTART" : "no SA_RESTART";
        pid_t pid = slow_child();
        arm(restart);
        errno = 0;
        r = waitpid(pid, &st, 0);
        e = errno;
        printf("%s: waitpid %s (got child=%d) handler runs=%d\n", mode, res(r, e), r == pid, runs);
        if (r != pid)
            waitpid(pid, &st, 0);

        arm(restart);
        errno = 0;
        r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        e = errno;
        printf("%s: futex wait %s runs=%d\n", mode, res(r, e), runs);

        arm(restart);
        struct timespec two = {2, 0};
        errno = 0;
        r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &two, NULL, 0);
        e = errno;
        printf("%s: futex wait with timeout %s runs=%d\n", mode, res(r, e), runs);

        arm(restart);
        errno = 0;
        r = pause();
        e = errno;
        printf("%s: pause %s runs=%d\n", mode, res(r, e), runs);

        arm(restart);
        errno = 0;
        r = sigsuspend(&none);
        e = errno;
        printf("%s: sigsuspend %s runs=%d\n", mode, res(r, e), runs);

        arm(restart);
        errno = 0;
        r = nanosleep(&two, NULL);
        e = errno;
        printf("%s: nanosleep %s runs=%d\n", mode, res(r, e), runs);

        arm(restart);
        sigset_t usr;
        sigemptyset(&usr);
        sigaddset(&usr, SIGUSR1);
        sigprocmask(SIG_BLOCK, &usr, NULL);
        /* (musl retries sigtimedwait after EINTR: it ends with EAGAIN) */
        struct timespec brief = {0, 100000000};
        errno = 0;
        r = sigtimedwait(&usr, NULL, &brief);
        e = errno;
        sigprocmask(SIG_UNBLOCK, &usr, NULL);
        printf("%s: sigtimedwait %s runs=%d\n", mode, res(r, e), runs);
    }

    /* stopped and continued with no handler: the sleep goes on */
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec t = {0, 100000000};
        _exit(nanosleep(&t, NULL) == 0 ? 0 : 1);
    }
    kill(pid, SIGSTOP);
    waitpid(pid, &st, WUNTRACED);
    int stopped = WIFSTOPPED(st);
    kill(pid, SIGCONT);
    waitpid(pid, &st, 0);
    printf("nanosleep across stop/continue: stopped=%d exited=%d code=%d\n", stopped, WIFEXITED(st),
           WEXITSTATUS(st));

    pid = fork();
    if (pid == 0) {
        pause();
        _exit(errno == EINTR ? 5 : 6);
    }
    kill(pid, SIGSTOP);
    waitpid(pid, &st, WUNTRACED);
    kill(pid, SIGCONT);
    waitpid(pid, &st, WCONTINUED);
    int continued = WIFCONTINUED(st);
    struct timespec t = {0, 50000000};
    nanosleep(&t, NULL);
    kill(pid, SIGTERM);
    waitpid(pid, &st, 0);
    printf("pause across stop/continue: continued=%d then killed by %d\n", continued,
           WIFSIGNALED(st) ? WTERMSIG(st) : -1);
    return 0;
}
