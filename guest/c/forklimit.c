/* forklimit: fork children that wait, until fork fails or there are 1000 of
 * them; then kill and reap them all. Natively (and under puffer's default
 * process cap) all 1000 forks succeed; under `puffer run --max-procs N` fork
 * fails with EAGAIN once N processes exist, and the program must see exactly
 * that, with the host unaffected. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX 1000

int main(void) {
    static pid_t kids[MAX];
    int n = 0, err = 0;
    while (n < MAX) {
        pid_t p = fork();
        if (p < 0) {
            err = errno;
            break;
        }
        if (p == 0) {
            pause();
            _exit(0);
        }
        kids[n++] = p;
    }
    printf("forked %d children", n);
    if (err)
        printf(", then fork failed: %s", err == EAGAIN ? "EAGAIN" : strerror(err));
    printf("\n");
    for (int i = 0; i < n; i++)
        kill(kids[i], SIGKILL);
    int reaped = 0, killed = 0, st;
    while (wait(&st) > 0) {
        reaped++;
        if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
            killed++;
    }
    printf("reaped %d (%d by SIGKILL), wait then: %s\n", reaped, killed,
           errno == ECHILD ? "ECHILD" : strerror(errno));
    return 0;
}
