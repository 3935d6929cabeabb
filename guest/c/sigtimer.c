/* sigtimer.c - alarm and interval timers: alarm's return values, setitimer and
 * getitimer, a periodic ITIMER_REAL waited for with pause (EINTR), ITIMER_VIRTUAL
 * and ITIMER_PROF on CPU time, SIGALRM's siginfo, nanosleep interrupted by a
 * handler (EINTR even with SA_RESTART, the time left in rem), SIGALRM's default
 * action, timers not inherited by fork, and the EINVAL cases. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int alrm, vtalrm, prof, code;

static void on_alrm(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    alrm++;
    code = si->si_code;
}
static void on_vt(int sig) { (void)sig; vtalrm++; }
static void on_prof(int sig) { (void)sig; prof++; }

static void install(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

int main(void)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    unsigned a0 = alarm(0);
    unsigned a1 = alarm(5);
    unsigned a2 = alarm(10);
    unsigned a3 = alarm(0);
    printf("alarm: %u %u %u %u\n", a0, a1, a2, a3);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_alrm;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGALRM, &sa, NULL);

    struct itimerval it = {{0, 10000}, {0, 10000}}, old, cur;
    int r = setitimer(ITIMER_REAL, &it, &old);
    getitimer(ITIMER_REAL, &cur);
    printf("setitimer: %d old=%ld.%06ld interval=%ld.%06ld value_ok=%d\n", r, (long)old.it_value.tv_sec,
           (long)old.it_value.tv_usec, (long)cur.it_interval.tv_sec, (long)cur.it_interval.tv_usec,
           cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 10000);
    int eintr = 0;
    while (alrm < 5) {
        errno = 0;
        if (pause() == -1 && errno == EINTR)
            eintr++;
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, &old);
    printf("periodic: %d SIGALRMs, pause EINTR %d times, si_code=%#x, old interval=%ld\n", alrm, eintr, code,
           (long)old.it_interval.tv_usec);
    getitimer(ITIMER_REAL, &cur);
    printf("disarmed: %ld %ld\n", (long)cur.it_value.tv_sec, (long)cur.it_value.tv_usec);

    /* CPU-time timers */
    install(SIGVTALRM, on_vt, 0);
    install(SIGPROF, on_prof, 0);
    struct itimerval v = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_VIRTUAL, &v, NULL);
    getitimer(ITIMER_VIRTUAL, &cur);
    printf("virtual armed: %d\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0);
    volatile unsigned long spin = 0;
    while (!vtalrm)
        spin++;
    setitimer(ITIMER_PROF, &v, NULL);
    while (!prof)
        spin++;
    printf("ITIMER_VIRTUAL fired %d, ITIMER_PROF fired %d\n", vtalrm, prof);

    /* nanosleep is not restarted, even with SA_RESTART, and reports the time left */
    install(SIGALRM, (void (*)(int))on_vt, SA_RESTART);
    struct itimerval once = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &once, NULL);
    struct timespec req = {2, 0}, rem = {0, 0};
    errno = 0;
    r = nanosleep(&req, &rem);
    int e = errno;
    printf("nanosleep: %d %s rem_ok=%d\n", r, e == EINTR ? "EINTR" : "?", rem.tv_sec == 1 && rem.tv_nsec > 0);

    /* SIGALRM's default action */
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGALRM, SIG_DFL);
        unsigned left = alarm(0); /* not inherited */
        setitimer(ITIMER_REAL, &once, NULL);
        if (left == 0)
            pause();
        _exit(1);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("child with SIG_DFL: signaled=%d sig=%d\n", WIFSIGNALED(st), WTERMSIG(st));

    /* errors */
    errno = 0;
    r = getitimer(7, &cur);
    printf("getitimer(7): %d %s\n", r, errno == EINVAL ? "EINVAL" : "?");
    struct itimerval badv = {{0, 0}, {0, 1000000}};
    errno = 0;
    r = setitimer(ITIMER_REAL, &badv, NULL);
    printf("setitimer(usec=1000000): %d %s\n", r, errno == EINVAL ? "EINVAL" : "?");
    return 0;
}
