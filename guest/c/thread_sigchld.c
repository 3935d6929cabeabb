/* thread_sigchld.c - a child's SIGCHLD arrives while the main thread waits in a
 * syscall and the thread that forked blocks SIGCHLD, so the kernel wakes the main
 * thread to take it: with SIGCHLD ignored (the wait restarts unseen), with an
 * SA_RESTART handler (the wait restarts after the handler), and with a handler
 * without SA_RESTART, where read(2) on a pipe fails with EINTR and is tried again.
 * Each round the worker forks a child that sleeps a little and exits, reaps it,
 * then writes one byte to a pipe the main thread reads (or finishes, for a main
 * thread in pthread_join). Whether the signal finds the main thread waiting
 * depends on timing; what the program prints does not. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int fds[2];
static volatile sig_atomic_t hits;

static void on_chld(int sig)
{
    (void)sig;
    hits++;
}

static void *worker(void *arg)
{
    long write_byte = (long)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pid_t c = fork();
    if (c == 0) {
        struct timespec ts = {0, 30 * 1000 * 1000};
        nanosleep(&ts, NULL);
        _exit(5);
    }
    int st = 0;
    pid_t w = waitpid(c, &st, 0);
    int ok = w == c && WIFEXITED(st) && WEXITSTATUS(st) == 5;
    if (write_byte) {
        char b = ok ? 'y' : 'n';
        if (write(fds[1], &b, 1) != 1)
            return (void *)0;
    }
    return (void *)(long)(ok ? 1 : 2);
}

static void set_chld(void (*h)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
}

/* The main thread waits in read(2) for the worker's byte. */
static void round_read(const char *what)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, (void *)1L);
    char b = 0;
    ssize_t n;
    int eintr = 0;
    while ((n = read(fds[0], &b, 1)) < 0 && errno == EINTR)
        eintr++;
    void *r = NULL;
    pthread_join(t, &r);
    printf("%s: read %zd byte '%c', EINTR at most once: %s, worker %ld\n", what, n, b,
           eintr <= 1 ? "yes" : "no", (long)r);
}

/* The main thread waits in pthread_join (a futex wait). */
static void round_join(const char *what)
{
    pthread_t t;
    pthread_create(&t, NULL, worker, (void *)0L);
    void *r = NULL;
    int e = pthread_join(t, &r);
    printf("%s: join %d, worker %ld\n", what, e, (long)r);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (pipe(fds) != 0)
        return 1;

    set_chld(SIG_DFL, 0);
    round_join("default, join");
    round_read("default, read");

    set_chld(on_chld, SA_RESTART);
    hits = 0;
    round_join("SA_RESTART handler, join");
    printf("handler ran %d time(s)\n", (int)hits);
    hits = 0;
    round_read("SA_RESTART handler, read");
    printf("handler ran %d time(s)\n", (int)hits);

    set_chld(on_chld, 0);
    hits = 0;
    round_join("handler, join");
    printf("handler ran %d time(s)\n", (int)hits);
    hits = 0;
    round_read("handler, read");
    printf("handler ran %d time(s)\n", (int)hits);

    set_chld(SIG_IGN, 0);
    round_read("SIG_IGN, read");
    return 0;
}
