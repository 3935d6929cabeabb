/* sigrep.c - a timer signal arriving in the middle of long REP string
 * instructions (memset and memcpy of large buffers: REP STOS and REP MOVS in
 * musl, and in glibc above its size thresholds): the handler runs between
 * iterations, the instruction carries on where it was, and the copies come out
 * whole. Prints only facts that hold however many signals arrive. (A warm-up
 * of plain arithmetic comes first, so that difftest's lockstep prefix, which
 * single-steps a REP an iteration at a time, ends before the copies.) */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define SIZE (256 << 10)

static volatile sig_atomic_t ticks;
static volatile unsigned long sink;

static void on_alarm(int sig)
{
    (void)sig;
    ticks++;
}

int main(void)
{
    for (unsigned long i = 0; i < 20000; i++)
        sink += i * 3;
    unsigned char *a = malloc(SIZE), *b = malloc(SIZE);
    if (!a || !b)
        return 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 500}, {0, 500}};
    setitimer(ITIMER_REAL, &it, NULL);
    long bad = 0;
    int rounds = 0;
    while (ticks < 20 || rounds < 200) {
        int v = rounds & 0xff;
        memset(a, v, SIZE);
        memcpy(b, a, SIZE);
        bad += b[rounds % SIZE] != v || b[SIZE - 1] != v;
        rounds++;
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("at least 20 signals arrived during the copies: yes\n");
    printf("copies that came out wrong: %ld\n", bad);
    return 0;
}
