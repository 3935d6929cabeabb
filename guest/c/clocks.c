/* clocks.c - what a program can read of time and randomness: every clock_gettime
 * clock, gettimeofday, time, RDTSC, getrandom, AT_RANDOM, /dev/urandom, and sleeps
 * (nanosleep, clock_nanosleep, alarm, setitimer, select and poll timeouts).
 *
 * Without arguments (the recorded fixture) it prints only checks whose outcome is
 * the same on every run: clocks tick forward, sleeps last at least as long as asked.
 * `clocks dump` prints the raw values instead, and `clocks sleep` sleeps for more
 * than 15 s in several ways and prints how long that took on the guest's clocks:
 * crates/puffer-cli/tests/determinism.rs runs those under `puffer run
 * --deterministic` and compares run against run. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static long long ns_of(clockid_t id)
{
    struct timespec ts;
    if (syscall(SYS_clock_gettime, id, &ts) != 0)
        return -1;
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void hex(const char *what, const unsigned char *b, int n)
{
    printf("%s ", what);
    for (int i = 0; i < n; i++)
        printf("%02x", b[i]);
    printf("\n");
}

static volatile int alarms;
static void on_alrm(int sig) { (void)sig; alarms++; }

/* Burn some CPU time so that the CPU-time clocks move. */
static unsigned spin(unsigned n)
{
    volatile unsigned x = 0;
    for (unsigned i = 0; i < n; i++)
        x += i * 2654435761u;
    return x;
}

static void dump(void)
{
    static const struct { clockid_t id; const char *name; } clocks[] = {
        {CLOCK_REALTIME, "REALTIME"}, {CLOCK_MONOTONIC, "MONOTONIC"},
        {CLOCK_PROCESS_CPUTIME_ID, "PROCESS_CPUTIME_ID"},
        {CLOCK_THREAD_CPUTIME_ID, "THREAD_CPUTIME_ID"},
        {CLOCK_MONOTONIC_RAW, "MONOTONIC_RAW"}, {CLOCK_REALTIME_COARSE, "REALTIME_COARSE"},
        {CLOCK_MONOTONIC_COARSE, "MONOTONIC_COARSE"}, {CLOCK_BOOTTIME, "BOOTTIME"},
        {CLOCK_TAI, "TAI"},
    };
    spin(100000);
    for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++)
        printf("clock %s %lld\n", clocks[i].name, ns_of(clocks[i].id));
    struct timeval tv;
    gettimeofday(&tv, NULL);
    printf("gettimeofday %lld.%06ld\n", (long long)tv.tv_sec, (long)tv.tv_usec);
    printf("time %lld\n", (long long)time(NULL));
    uint64_t t1 = rdtsc();
    uint64_t t2 = rdtsc();
    printf("rdtsc %llu %llu\n", (unsigned long long)t1, (unsigned long long)t2);
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) == sizeof b)
        hex("getrandom", b, sizeof b);
    hex("AT_RANDOM", (const unsigned char *)getauxval(AT_RANDOM), 16);
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd >= 0 && read(fd, b, sizeof b) == sizeof b)
        hex("urandom", b, sizeof b);
    close(fd);
    struct utsname u;
    uname(&u);
    printf("uname %s %s %s %s %s\n", u.sysname, u.nodename, u.release, u.version, u.machine);
    char host[256] = "";
    gethostname(host, sizeof host);
    printf("hostname %s\n", host);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("rusage %ld.%06ld\n", (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec);
    struct tms t;
    clock_t up = times(&t);
    printf("times %ld %ld\n", (long)up, (long)t.tms_utime);
    pid_t c = fork();
    if (c == 0) {
        spin(200000);
        _exit(0);
    }
    int st;
    wait4(c, &st, 0, &ru);
    printf("child rusage %ld.%06ld\n", (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec);
    struct stat s;
    fd = open("clocks.tmp", O_CREAT | O_TRUNC | O_WRONLY, 0600);
    if (fd >= 0) {
        write(fd, "x", 1);
        fstat(fd, &s);
        close(fd);
        unlink("clocks.tmp");
        printf("new file mtime %lld\n", (long long)s.st_mtime);
    }
}

static void sleeps(void)
{
    long long m0 = ns_of(CLOCK_MONOTONIC), r0 = ns_of(CLOCK_REALTIME);
    struct timespec ten = {10, 0};
    nanosleep(&ten, NULL);
    long long m1 = ns_of(CLOCK_MONOTONIC);
    printf("nanosleep 10 s: %lld ms\n", (m1 - m0) / 1000000);

    struct timespec abs;
    clock_gettime(CLOCK_MONOTONIC, &abs);
    abs.tv_sec += 1;
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL);

    signal(SIGALRM, on_alrm);
    alarm(2);
    pause();
    struct itimerval it = {{0, 500000}, {0, 500000}};
    setitimer(ITIMER_REAL, &it, NULL);
    while (alarms < 4)
        pause();
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);

    struct timeval tv = {1, 0};
    select(0, NULL, NULL, NULL, &tv);
    poll(NULL, 0, 1000);
    long long m2 = ns_of(CLOCK_MONOTONIC), r2 = ns_of(CLOCK_REALTIME);
    printf("alarms %d\n", alarms);
    printf("total: monotonic %lld ms, realtime %lld ms\n", (m2 - m0) / 1000000,
           (r2 - r0) / 1000000);
}

/* The same things, as checks that hold on every run (the recorded fixture). */
static void checks(void)
{
    static const clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                    CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW,
                                    CLOCK_BOOTTIME};
    int ok = 1;
    for (unsigned i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        long long a = ns_of(ids[i]);
        spin(20000);
        long long b = ns_of(ids[i]);
        if (a < 0 || b < a)
            ok = 0;
    }
    printf("clocks move forward: %s\n", ok ? "yes" : "no");
    printf("realtime after 2020: %s\n", ns_of(CLOCK_REALTIME) / 1000000000 > 1577836800 ? "yes" : "no");
    uint64_t t1 = rdtsc();
    spin(1000);
    uint64_t t2 = rdtsc();
    printf("rdtsc moves forward: %s\n", t2 > t1 ? "yes" : "no");
    unsigned char b[64];
    printf("getrandom: %ld\n", (long)getrandom(b, sizeof b, 0));
    printf("AT_RANDOM: %s\n", getauxval(AT_RANDOM) ? "present" : "absent");
    long long m0 = ns_of(CLOCK_MONOTONIC);
    struct timespec d = {0, 20000000};
    nanosleep(&d, NULL);
    printf("nanosleep 20 ms lasts >= 20 ms: %s\n", ns_of(CLOCK_MONOTONIC) - m0 >= 20000000 ? "yes" : "no");
    signal(SIGALRM, on_alrm);
    struct itimerval it = {{0, 0}, {0, 10000}};
    m0 = ns_of(CLOCK_MONOTONIC);
    setitimer(ITIMER_REAL, &it, NULL);
    while (!alarms)
        pause();
    printf("ITIMER_REAL 10 ms fires after >= 10 ms: %s\n", ns_of(CLOCK_MONOTONIC) - m0 >= 10000000 ? "yes" : "no");
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && strcmp(argv[1], "dump") == 0)
        dump();
    else if (argc > 1 && strcmp(argv[1], "sleep") == 0)
        sleeps();
    else
        checks();
    return 0;
}
