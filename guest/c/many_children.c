/* many_children.c - 200 children alive at the same time. Each child records
 * getpid() and getppid() in a MAP_SHARED page and then spins (sched_yield)
 * until the parent, having created all of them, sets a go flag; child i then
 * exits with i % 256. The parent checks that all pids are unique, differ from
 * its own, match what each child saw, and reaps everything with wait(),
 * summing the codes. Children never print. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 200

struct shared {
    volatile int go;
    volatile int ready;
    volatile pid_t self[N];
    volatile pid_t parent[N];
};

static const char *yn(int c) { return c ? "yes" : "no"; }

static void round_of(struct shared *sh, const char *title)
{
    printf("%s:\n", title);
    pid_t me = getpid();
    pid_t kids[N];
    int made = 0;
    for (int i = 0; i < N; i++) {
        pid_t c = fork();
        if (c < 0) {
            printf("  fork %d failed: %s\n", i, strerror(errno));
            break;
        }
        if (c == 0) {
            sh->self[i] = getpid();
            sh->parent[i] = getppid();
            __atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
            while (!sh->go)
                sched_yield();
            _exit(i % 256);
        }
        kids[made++] = c;
    }
    printf("  forked %d children\n", made);

    /* All alive: wait until each has recorded itself. */
    long spins = 0;
    while (sh->ready < made && spins++ < 50000000)
        sched_yield();
    printf("  all children checked in while alive: %s\n", yn(sh->ready == made));

    int unique = 1, not_parent = 1, match = 1, ppid_ok = 1;
    for (int i = 0; i < made; i++) {
        if (kids[i] == me || kids[i] <= 0)
            not_parent = 0;
        for (int j = 0; j < i; j++)
            if (kids[i] == kids[j])
                unique = 0;
        if (sh->self[i] != kids[i])
            match = 0;
        if (sh->parent[i] != me)
            ppid_ok = 0;
    }
    printf("  pids unique: %s, none equals the parent's: %s\n", yn(unique), yn(not_parent));
    printf("  each child's getpid() equals fork's return: %s\n", yn(match));
    printf("  each child's getppid() equals the parent's getpid(): %s\n", yn(ppid_ok));

    /* No child has exited yet. */
    int st;
    pid_t early = waitpid(-1, &st, WNOHANG);
    printf("  WNOHANG before the go flag: %d\n", (int)early);

    sh->go = 1;
    long sum = 0;
    int reaped = 0, known = 1;
    char seen[N] = {0};
    for (;;) {
        pid_t w = wait(&st);
        if (w < 0)
            break;
        reaped++;
        int idx = -1;
        for (int i = 0; i < made; i++)
            if (kids[i] == w)
                idx = i;
        if (idx < 0 || seen[idx])
            known = 0;
        else
            seen[idx] = 1;
        if (WIFEXITED(st))
            sum += WEXITSTATUS(st);
    }
    int e = errno;
    printf("  reaped %d, every pid reaped once and known: %s, then: %s\n", reaped, yn(known),
           strerror(e));
    printf("  sum of exit codes %ld\n", sum);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    size_t len = (sizeof(struct shared) + 4095) & ~(size_t)4095;
    struct shared *sh = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        printf("mmap failed\n");
        return 1;
    }
    memset(sh, 0, len); /* populated before the forks */
    round_of(sh, "shared page touched before fork");
    munmap(sh, len);
    return 0;
}
