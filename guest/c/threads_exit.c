/* threads_exit.c - exit(3) called by a non-main thread ends the whole
 * process (exit_group) while the other threads are blocked: the main thread
 * in pthread_join, one thread in nanosleep, one in pthread_cond_wait, one in
 * pthread_mutex_lock on a mutex the main thread holds. The process exit
 * status is the exiting thread's code (77), atexit handlers run, and stdout
 * (fully buffered here) is flushed. Only one thread prints after the threads
 * are created, so the output order is fixed. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static pthread_barrier_t barrier;
static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static pid_t main_pid;

static void *sleeper(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&barrier);
    struct timespec ts = {30, 0};
    nanosleep(&ts, NULL);
    printf("sleeper woke up: wrong\n");
    return NULL;
}

static void *cond_waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&cm);
    pthread_barrier_wait(&barrier);
    for (;;)
        pthread_cond_wait(&never, &cm);
    return NULL;
}

static void *locker(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&barrier);
    pthread_mutex_lock(&held);
    printf("locker got the mutex: wrong\n");
    return NULL;
}

static void *exiter(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&barrier);
    /* Give the others time to block (not needed for the result). */
    for (int i = 0; i < 100; i++)
        sched_yield();
    printf("exiter: getpid() is the process's pid: %s\n", getpid() == main_pid ? "yes" : "no");
    printf("exiter: calling exit(77) with the other threads blocked\n");
    exit(77);
}

static void at_exit(void) { printf("atexit handler ran\n"); }

int main(void)
{
    static char buf[8192];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    main_pid = getpid();
    atexit(at_exit);
    printf("main: starting 4 threads\n");
    pthread_mutex_lock(&held);
    pthread_barrier_init(&barrier, NULL, 5);
    pthread_t t[4];
    pthread_create(&t[0], NULL, sleeper, NULL);
    pthread_create(&t[1], NULL, cond_waiter, NULL);
    pthread_create(&t[2], NULL, locker, NULL);
    pthread_create(&t[3], NULL, exiter, NULL);
    pthread_barrier_wait(&barrier);
    pthread_join(t[3], NULL);
    printf("main: join returned: wrong\n");
    return 0;
}
