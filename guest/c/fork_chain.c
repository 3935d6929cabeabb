/* fork_chain.c - a chain of 10 processes, each forking the next and adding
 * its depth to the exit code of its child, and a fork tree (3 children per
 * node, depth 3: 40 processes) where every node returns the size of its
 * subtree. Children never print; everything comes back through exit codes,
 * so the output is fixed. Every process checks getppid() against the pid its
 * parent had before forking; a mismatch poisons the result. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHAIN 10
#define BAD 250

/* Runs in the process at depth `depth` (1 = top); returns its exit code:
 * depth + the code of its child, or BAD on any inconsistency. */
static int chain(int depth)
{
    if (depth == CHAIN)
        return depth;
    pid_t me = getpid();
    pid_t c = fork();
    if (c < 0)
        return BAD;
    if (c == 0) {
        if (getppid() != me || getpid() == me)
            _exit(BAD);
        _exit(chain(depth + 1));
    }
    int st;
    if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) == BAD)
        return BAD;
    /* Only the child we forked was ours: nothing else to reap. */
    if (wait(NULL) != -1 || errno != ECHILD)
        return BAD;
    return depth + WEXITSTATUS(st);
}

#define FANOUT 3
#define DEPTH 3

/* Returns the number of processes in the subtree rooted here (this one
 * included), or BAD. Children are all alive at the same time and reaped with
 * wait(-1) in whatever order they finish. */
static int tree(int depth)
{
    if (depth == DEPTH)
        return 1;
    pid_t me = getpid();
    pid_t kids[FANOUT];
    for (int i = 0; i < FANOUT; i++) {
        kids[i] = fork();
        if (kids[i] < 0)
            return BAD;
        if (kids[i] == 0) {
            if (getppid() != me)
                _exit(BAD);
            _exit(tree(depth + 1));
        }
    }
    int total = 1;
    int seen[FANOUT] = {0};
    for (int n = 0; n < FANOUT; n++) {
        int st;
        pid_t w = wait(&st);
        int which = -1;
        for (int i = 0; i < FANOUT; i++)
            if (kids[i] == w)
                which = i;
        if (which < 0 || seen[which] || !WIFEXITED(st) || WEXITSTATUS(st) == BAD)
            return BAD;
        seen[which] = 1;
        total += WEXITSTATUS(st);
    }
    return total;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    pid_t top = getpid();

    int sum = chain(1);
    printf("chain of %d processes: sum of depths = %d (expected %d)\n", CHAIN, sum,
           CHAIN * (CHAIN + 1) / 2);

    int n = tree(0);
    printf("fork tree (fanout %d, depth %d): %d processes (expected %d)\n", FANOUT, DEPTH, n,
           1 + FANOUT + FANOUT * FANOUT + FANOUT * FANOUT * FANOUT);

    /* Sequential children: fork, reap, 50 times, each with its own code. */
    int codes = 0, distinct_from_top = 1;
    for (int i = 0; i < 50; i++) {
        pid_t c = fork();
        if (c == 0)
            _exit(i);
        int st;
        if (waitpid(c, &st, 0) != c || !WIFEXITED(st))
            codes = -1000;
        codes += WEXITSTATUS(st);
        if (c == top)
            distinct_from_top = 0;
    }
    printf("50 sequential children: exit code sum %d (expected %d), none has the top pid: %s\n",
           codes, 49 * 50 / 2, distinct_from_top ? "yes" : "no");
    printf("still the same process at the end: %s\n", getpid() == top ? "yes" : "no");
    return 0;
}
