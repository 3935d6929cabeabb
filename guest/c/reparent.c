/* reparent.c - orphans are reparented to the nearest subreaper. The top
 * process sets PR_SET_CHILD_SUBREAPER; a middle child forks grandchildren
 * and exits at once; each grandchild waits until getppid() changes, checks
 * that its new parent is the top process (whose pid it got from a variable
 * set before the forks), and reports through its exit code. The top reaps the
 * middle child and then the orphans with wait(). Grandchildren never print,
 * so the output order is fixed. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define ORPHANS 3

static const char *yn(int c) { return c ? "yes" : "no"; }

/* Grandchild: exit code 10+i if reparented to `top`, 100+i if reparented
 * elsewhere, 200+i if never reparented. */
static void orphan(int i, pid_t middle, pid_t top)
{
    for (long n = 0; n < 2000000; n++) {
        pid_t p = getppid();
        if (p != middle)
            _exit(p == top ? 10 + i : 100 + i);
        sched_yield();
    }
    _exit(200 + i);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    int v = -1;
    prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0);
    printf("PR_GET_CHILD_SUBREAPER at start: %d\n", v);
    int r = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    printf("PR_SET_CHILD_SUBREAPER: %d\n", r);
    prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0);
    printf("PR_GET_CHILD_SUBREAPER after setting: %d\n", v);

    pid_t top = getpid();
    pid_t middle = fork();
    if (middle == 0) {
        int inherited = -1;
        prctl(PR_GET_CHILD_SUBREAPER, &inherited, 0, 0, 0);
        pid_t me = getpid();
        for (int i = 0; i < ORPHANS; i++) {
            pid_t g = fork();
            if (g == 0)
                orphan(i, me, top);
            if (g < 0)
                _exit(98);
        }
        /* The subreaper attribute is not inherited across fork. */
        _exit(inherited == 0 ? 0 : 99);
    }
    int st;
    pid_t w = waitpid(middle, &st, 0);
    int middle_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;

    int sum = 0, others = 0, bad = 0;
    for (int i = 0; i < ORPHANS; i++) {
        pid_t g = wait(&st);
        if (g <= 0) {
            bad++;
            continue;
        }
        if (g != middle && g != top)
            others++;
        if (WIFEXITED(st))
            sum += WEXITSTATUS(st);
        else
            bad++;
    }
    errno = 0;
    pid_t none = wait(&st);
    int e = errno;

    printf("middle child reaped: %s, exit code %d (0: subreaper flag not inherited)\n",
           yn(w == middle), middle_code);
    printf("orphans reaped by the subreaper: %d of %d, failures %d\n", others, ORPHANS, bad);
    printf("orphan exit codes sum: %d (%d if every orphan saw getppid() == subreaper)\n", sum,
           10 * ORPHANS + ORPHANS * (ORPHANS - 1) / 2);
    printf("then wait(): %d, %s\n", (int)none, strerror(e));

    /* A deeper chain: middle -> grandchild -> great-grandchild; the middle
     * two exit, the last one ends up with the subreaper too. */
    middle = fork();
    if (middle == 0) {
        pid_t m = getpid();
        pid_t g = fork();
        if (g == 0) {
            pid_t gm = getpid();
            pid_t gg = fork();
            if (gg == 0) {
                for (long n = 0; n < 2000000; n++) {
                    pid_t p = getppid();
                    if (p != gm)
                        _exit(p == top ? 77 : p == m ? 78 : 79);
                    sched_yield();
                }
                _exit(80);
            }
            _exit(0);
        }
        /* Stay until the grandchild has exited, so the orphan's first new
         * parent can only be the subreaper. */
        waitpid(g, NULL, 0);
        _exit(0);
    }
    waitpid(middle, &st, 0);
    w = wait(&st);
    printf("great-grandchild reaped by the subreaper: %s, code %d (77: it saw the subreaper)\n",
           yn(w > 0 && w != middle), WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return 0;
}
