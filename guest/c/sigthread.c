/* sigthread.c - signals and threads: a process-directed signal taken by the one
 * thread that does not block it, pthread_kill to a given thread, sigwait in a
 * dedicated thread, per-thread masks with a shared handler table,
 * pthread_cancel of threads blocked in pause and nanosleep (the C library's
 * cancellation signal unwinds or redirects through the signal frame), and a
 * fatal signal raised by a thread ending the whole process. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t handled_by;
static volatile int hits, ready, stop;
static pid_t worker_tid;

static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }
static void handler(int sig)
{
    (void)sig;
    handled_by = gettid_();
    hits++;
}

static void *worker(void *arg)
{
    (void)arg;
    worker_tid = gettid_();
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
    __atomic_store_n(&ready, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST))
        pause();
    return NULL;
}

static void wait_hits(int n)
{
    while (__atomic_load_n(&hits, __ATOMIC_SEQ_CST) < n)
        sched_yield();
}

static void *sigwaiter(void *arg)
{
    sigset_t *set = arg;
    int sig = 0;
    sigwait(set, &sig);
    return (void *)(long)sig;
}

static volatile int cleanup_ran;
static void cleanup(void *arg)
{
    (void)arg;
    cleanup_ran++;
}
static void *pauser(void *arg)
{
    (void)arg;
    pthread_cleanup_push(cleanup, NULL);
    __atomic_store_n(&ready, 1, __ATOMIC_SEQ_CST);
    for (;;)
        pause();
    pthread_cleanup_pop(0);
    return NULL;
}
static void *sleeper(void *arg)
{
    (void)arg;
    pthread_cleanup_push(cleanup, NULL);
    __atomic_store_n(&ready, 1, __ATOMIC_SEQ_CST);
    struct timespec t = {30, 0};
    nanosleep(&t, NULL);
    pthread_cleanup_pop(0);
    return NULL;
}

static void *killer(void *arg)
{
    (void)arg;
    raise(SIGTERM);
    return NULL;
}

int main(void)
{
    sigset_t all, usr;
    sigfillset(&all);
    sigemptyset(&usr);
    sigaddset(&usr, SIGUSR1);
    signal(SIGUSR1, handler);
    signal(SIGUSR2, handler);

    /* the main thread blocks SIGUSR1: the worker takes the process's signal */
    pthread_sigmask(SIG_BLOCK, &usr, NULL);
    pthread_t th;
    pthread_create(&th, NULL, worker, NULL);
    while (!__atomic_load_n(&ready, __ATOMIC_SEQ_CST))
        sched_yield();
    kill(getpid(), SIGUSR1);
    wait_hits(1);
    printf("kill(getpid()): handled by the worker=%d\n", handled_by == worker_tid);
    pthread_kill(th, SIGUSR2);
    wait_hits(2);
    printf("pthread_kill(worker): handled by the worker=%d\n", handled_by == worker_tid);
    /* the handler table is shared: the worker now ignores SIGUSR2 too */
    signal(SIGUSR2, SIG_IGN);
    pthread_kill(th, SIGUSR2);
    raise(SIGUSR2);
    printf("after SIG_IGN from main: hits=%d\n", hits);
    signal(SIGUSR2, handler);
    /* a thread-directed signal the target blocks waits for it */
    raise(SIGUSR1);
    sigset_t pend;
    sigpending(&pend);
    printf("raise(SIGUSR1) in main, which blocks it: pending=%d hits=%d\n", sigismember(&pend, SIGUSR1), hits);
    __atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
    pthread_kill(th, SIGUSR2);
    pthread_join(th, NULL);
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
    printf("main unblocked: hits=%d handled by main=%d\n", hits, handled_by == gettid_());

    /* sigwait in its own thread */
    sigset_t w;
    sigemptyset(&w);
    sigaddset(&w, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &w, NULL);
    pthread_create(&th, NULL, sigwaiter, &w);
    kill(getpid(), SIGUSR2);
    void *res;
    pthread_join(th, &res);
    printf("sigwait thread got %ld, hits=%d\n", (long)res, hits);
    pthread_sigmask(SIG_UNBLOCK, &w, NULL);

    /* cancellation */
    ready = 0;
    pthread_create(&th, NULL, pauser, NULL);
    while (!__atomic_load_n(&ready, __ATOMIC_SEQ_CST))
        sched_yield();
    pthread_cancel(th);
    pthread_join(th, &res);
    printf("cancel in pause: canceled=%d cleanup=%d\n", res == PTHREAD_CANCELED, cleanup_ran);
    ready = 0;
    pthread_create(&th, NULL, sleeper, NULL);
    while (!__atomic_load_n(&ready, __ATOMIC_SEQ_CST))
        sched_yield();
    pthread_cancel(th);
    pthread_join(th, &res);
    printf("cancel in nanosleep: canceled=%d cleanup=%d\n", res == PTHREAD_CANCELED, cleanup_ran);

    /* a thread's fatal signal ends the process */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        pthread_create(&th, NULL, killer, NULL);
        for (;;)
            pause();
    }
    int st;
    waitpid(pid, &st, 0);
    printf("SIGTERM raised in a thread: process killed by %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : -1);
    return 0;
}
