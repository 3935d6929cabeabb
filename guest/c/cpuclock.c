/* cpuclock: CPU-time clocks. CLOCK_PROCESS/THREAD_CPUTIME_ID, the dynamic
 * clock ids of clock_getcpuclockid(3) (this process, a child) and
 * pthread_getcpuclockid(3), and what happens with a process that does not
 * exist. Prints only facts that hold on every run. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double secs(clockid_t id) {
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0) return -1;
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static volatile unsigned long sink;
static void burn(long n) {
    for (long i = 0; i < n; i++) sink += i * i;
}

static void *thread_main(void *arg) {
    (void)arg;
    burn(20000000);
    return NULL;
}

int main(void) {
    clockid_t self;
    int r = clock_getcpuclockid(0, &self);
    printf("clock_getcpuclockid(0): %s\n", r ? strerror(r) : "ok");
    r = clock_getcpuclockid(getpid(), &self);
    printf("clock_getcpuclockid(getpid()): %s\n", r ? strerror(r) : "ok");

    /* The thread clock is read before the process clock, so with one thread
     * t1 <= p1 holds exactly: no allowance for CPU time spent between reads. */
    double t0 = secs(CLOCK_THREAD_CPUTIME_ID);
    double p0 = secs(CLOCK_PROCESS_CPUTIME_ID), d0 = secs(self);
    burn(50000000);
    double t1 = secs(CLOCK_THREAD_CPUTIME_ID);
    double p1 = secs(CLOCK_PROCESS_CPUTIME_ID), d1 = secs(self);
    printf("process clock advanced: %s\n", p1 > p0 && p0 >= 0 ? "yes" : "no");
    printf("dynamic process clock advanced: %s\n", d1 > d0 && d0 >= 0 ? "yes" : "no");
    printf("thread clock advanced: %s\n", t1 > t0 && t0 >= 0 ? "yes" : "no");
    printf("thread clock <= process clock: %s\n", t1 <= p1 ? "yes" : "no");

    /* A thread's clock, read from the main thread. */
    pthread_t th;
    pthread_create(&th, NULL, thread_main, NULL);
    pthread_join(th, NULL);
    pthread_create(&th, NULL, thread_main, NULL);
    clockid_t tc;
    r = pthread_getcpuclockid(th, &tc);
    printf("pthread_getcpuclockid: %s\n", r ? strerror(r) : "ok");
    double tt = secs(tc);
    printf("running thread's clock readable: %s\n", tt >= 0 ? "yes" : "no");
    pthread_join(th, NULL);
    double p2 = secs(CLOCK_PROCESS_CPUTIME_ID);
    printf("process clock includes threads: %s\n", p2 - p1 > (t1 - t0) * 0.2 ? "yes" : "no");

    /* A child's process clock, read by the parent while the child runs. */
    int go[2];
    pipe(go);
    pid_t child = fork();
    if (child == 0) {
        burn(30000000);
        write(go[1], "x", 1);
        pause();
        _exit(0);
    }
    char c;
    read(go[0], &c, 1);
    clockid_t cc;
    r = clock_getcpuclockid(child, &cc);
    printf("clock_getcpuclockid(child): %s\n", r ? strerror(r) : "ok");
    double cs = secs(cc);
    printf("child's clock shows its work: %s\n", cs > 0 ? "yes" : "no");
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    r = clock_getcpuclockid(child, &cc);
    printf("clock_getcpuclockid(reaped child): %s\n", r ? strerror(r) : "ok");
    struct timespec ts;
    errno = 0;
    int g = clock_gettime(cc, &ts);
    printf("clock_gettime(reaped child's clock): %d %s\n", g, g ? strerror(errno) : "");
    return 0;
}
