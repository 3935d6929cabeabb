/* fork_shared_anon.c - MAP_SHARED|MAP_ANONYMOUS memory stays shared across
 * fork even for pages nobody touched before the fork: the child writes pages
 * the parent never populated, and the parent sees the writes after reaping
 * the child; the reverse direction uses a child that spins until the
 * parent's store arrives (bounded, so a bug shows as "no", not a hang).
 * MAP_PRIVATE pages touched only after the fork stay private. */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define PAGES 16

static const char *yn(int c) { return c ? "yes" : "no"; }

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    volatile uint8_t *sh = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE,
                                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    volatile uint8_t *pv = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED || pv == MAP_FAILED) {
        printf("mmap failed\n");
        return 1;
    }
    /* Only page 0 of the shared region is populated before the fork. */
    sh[0] = 1;

    pid_t c = fork();
    if (c == 0) {
        for (int p = 0; p < PAGES; p++) {
            sh[p * PAGE + 5] = (uint8_t)(100 + p);
            pv[p * PAGE + 5] = (uint8_t)(100 + p);
        }
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    int touched = sh[5] == 100, untouched = 1, priv = 1;
    for (int p = 1; p < PAGES; p++)
        untouched &= sh[p * PAGE + 5] == (uint8_t)(100 + p);
    for (int p = 0; p < PAGES; p++)
        priv &= pv[p * PAGE + 5] == 0;
    printf("child's write to the page populated before fork seen by the parent: %s\n",
           yn(touched));
    printf("child's writes to pages first touched after fork seen by the parent: %s\n",
           yn(untouched));
    printf("MAP_PRIVATE pages first touched by the child stay zero in the parent: %s\n",
           yn(priv));

    /* Parent -> child on a fresh shared region nobody has touched. */
    volatile int *flag = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                              -1, 0);
    c = fork();
    if (c == 0) {
        /* The child faults the page in first ... */
        int before = flag[0];
        for (long n = 0; n < 200000; n++) {
            if (flag[0] == 42)
                _exit(before == 0 ? 0 : 2);
            sched_yield();
        }
        _exit(1);
    }
    /* ... and the parent's store must reach it. */
    for (int i = 0; i < 1000; i++)
        sched_yield();
    flag[0] = 42;
    waitpid(c, &st, 0);
    printf("parent's store to a fresh shared page reached the spinning child: %s\n",
           yn(WIFEXITED(st) && WEXITSTATUS(st) == 0));

    /* A grandchild shares the same pages too. */
    volatile int *deep = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                              -1, 0);
    c = fork();
    if (c == 0) {
        pid_t g = fork();
        if (g == 0) {
            deep[10] = 7;
            _exit(0);
        }
        waitpid(g, NULL, 0);
        deep[11] = deep[10] + 1;
        _exit(0);
    }
    waitpid(c, &st, 0);
    printf("grandchild's and child's writes seen by the parent: %s (%d %d)\n",
           yn(deep[10] == 7 && deep[11] == 8), deep[10], deep[11]);
    return 0;
}
