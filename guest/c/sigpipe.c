/* sigpipe.c - signals and pipes: a read from an empty pipe interrupted by a
 * handler (EINTR, or restarted by SA_RESTART and then satisfied by the handler's
 * own write), a blocking write interrupted after a partial transfer (the count, not
 * EINTR), and SIGPIPE for a write with no reader (default: death; ignored: EPIPE;
 * handled: its siginfo, then EPIPE). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static int fds[2];
static volatile int runs, pipe_code, pipe_pid_ok;

static void on_alrm(int sig)
{
    (void)sig;
    runs++;
    if (fds[1] > 0)
        write(fds[1], "x", 1);
}

static void on_pipe(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    pipe_code = si->si_code;
    pipe_pid_ok = si->si_pid == getpid();
}

static void arm(int flags, int feed)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alrm;
    sa.sa_flags = flags;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    runs = 0;
    if (!feed)
        fds[1] = -fds[1];
}

int main(void)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    char buf[16];
    long r;

    pipe(fds);
    arm(0, 0);
    errno = 0;
    r = read(fds[0], buf, sizeof buf);
    printf("read, no SA_RESTART: %ld %s runs=%d\n", r, errno == EINTR ? "EINTR" : "?", runs);
    fds[1] = -fds[1];
    arm(SA_RESTART, 1);
    errno = 0;
    r = read(fds[0], buf, sizeof buf);
    printf("read, SA_RESTART: %ld (the handler's byte) runs=%d\n", r, runs);

    /* a write bigger than the pipe: interrupted after a partial transfer */
    size_t big = 200000;
    char *data = calloc(1, big);
    int saved = fds[1];
    fds[1] = -1; /* the handler must not write */
    arm(0, 1);
    errno = 0;
    r = write(saved, data, big);
    printf("write of %zu, interrupted: returned the count so far=%d (errno %s)\n", big, r > 0 && r < (long)big,
           errno == 0 ? "unchanged" : "set");
    fds[1] = saved;
    close(fds[0]);
    close(fds[1]);

    /* SIGPIPE */
    pid_t pid = fork();
    if (pid == 0) {
        int p[2];
        pipe(p);
        close(p[0]);
        write(p[1], "x", 1);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("write with no reader, SIGPIPE default: killed by %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : -1);
    pipe(fds);
    close(fds[0]);
    signal(SIGPIPE, SIG_IGN);
    errno = 0;
    r = write(fds[1], "x", 1);
    printf("SIGPIPE ignored: %ld %s\n", r, errno == EPIPE ? "EPIPE" : "?");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_pipe;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGPIPE, &sa, NULL);
    errno = 0;
    r = write(fds[1], "x", 1);
    printf("SIGPIPE handled: %ld %s code_user=%d pid_ok=%d\n", r, errno == EPIPE ? "EPIPE" : "?",
           pipe_code == SI_USER, pipe_pid_ok);
    return 0;
}
