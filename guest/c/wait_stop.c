/* wait_stop.c - job-control states seen through wait: a child stopped with
 * SIGSTOP is reported by waitpid(WUNTRACED) (WIFSTOPPED, WSTOPSIG) and by
 * waitid(WSTOPPED) (CLD_STOPPED), continued with SIGCONT it is reported by
 * WCONTINUED (WIFCONTINUED / CLD_CONTINUED); a stopped child does not run
 * (a counter in a MAP_SHARED page stays put) and can still be killed with
 * SIGKILL. Only default signal actions are used, no handlers. Children
 * never print. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *yn(int c) { return c ? "yes" : "no"; }

static const char *code_name(int code)
{
    switch (code) {
    case CLD_EXITED: return "CLD_EXITED";
    case CLD_KILLED: return "CLD_KILLED";
    case CLD_DUMPED: return "CLD_DUMPED";
    case CLD_STOPPED: return "CLD_STOPPED";
    case CLD_CONTINUED: return "CLD_CONTINUED";
    default: return "other";
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    volatile long *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        return 1;
    memset((void *)sh, 0, 4096);

    /* sh[0]: counter the child bumps; sh[1]: set by the parent to end it. */
    pid_t c = fork();
    if (c == 0) {
        while (!sh[1]) {
            sh[0]++;
            sched_yield();
        }
        _exit(4);
    }
    while (sh[0] < 10)
        sched_yield();

    int st = 0;
    kill(c, SIGSTOP);
    pid_t w = waitpid(c, &st, WUNTRACED);
    printf("waitpid(WUNTRACED) after SIGSTOP: got the child: %s, WIFSTOPPED=%d WSTOPSIG=%d\n",
           yn(w == c), WIFSTOPPED(st), WIFSTOPPED(st) ? WSTOPSIG(st) : -1);
    long frozen = sh[0];
    for (int i = 0; i < 2000; i++)
        sched_yield();
    printf("stopped child made no progress: %s\n", yn(sh[0] == frozen));
    w = waitpid(c, &st, WUNTRACED | WNOHANG);
    printf("the stop is reported only once: %d\n", (int)w);

    kill(c, SIGCONT);
    w = waitpid(c, &st, WCONTINUED);
    printf("waitpid(WCONTINUED) after SIGCONT: got the child: %s, WIFCONTINUED=%d\n", yn(w == c),
           WIFCONTINUED(st));
    while (sh[0] < frozen + 10)
        sched_yield();
    printf("continued child runs again: yes\n");

    /* The same through waitid. */
    kill(c, SIGSTOP);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int r = waitid(P_PID, c, &si, WSTOPPED);
    printf("waitid(WSTOPPED): %d, %s, si_status %d, si_pid ok: %s\n", r, code_name(si.si_code),
           si.si_status, yn(si.si_pid == c));
    kill(c, SIGCONT);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, c, &si, WCONTINUED);
    printf("waitid(WCONTINUED): %d, %s, si_status %d\n", r, code_name(si.si_code), si.si_status);

    sh[1] = 1;
    w = waitpid(c, &st, 0);
    printf("then it exits normally: %s, code %d\n", yn(w == c && WIFEXITED(st)),
           WEXITSTATUS(st));

    /* A stopped child killed with SIGKILL. */
    sh[0] = 0;
    sh[1] = 0;
    c = fork();
    if (c == 0) {
        for (;;) {
            sh[0]++;
            sched_yield();
        }
    }
    while (sh[0] < 10)
        sched_yield();
    kill(c, SIGSTOP);
    waitpid(c, &st, WUNTRACED);
    kill(c, SIGKILL);
    w = waitpid(c, &st, 0);
    printf("stopped child killed by SIGKILL: %s, WIFSIGNALED=%d WTERMSIG=%d\n", yn(w == c),
           WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : -1);

    /* Without WUNTRACED a stop is not reported; SIGTERM ends the stopped
     * child (the kernel lets a fatal signal through). */
    c = fork();
    if (c == 0) {
        for (;;)
            sched_yield();
    }
    kill(c, SIGSTOP);
    siginfo_t s2;
    memset(&s2, 0, sizeof s2);
    waitid(P_PID, c, &s2, WSTOPPED | WNOWAIT);
    w = waitpid(c, &st, WNOHANG);
    printf("a stop without WUNTRACED is not reported: %d\n", (int)w);
    kill(c, SIGTERM);
    kill(c, SIGCONT);
    w = waitpid(c, &st, 0);
    printf("SIGTERM + SIGCONT on a stopped child: %s, WTERMSIG=%d\n", yn(w == c),
           WIFSIGNALED(st) ? WTERMSIG(st) : -1);
    errno = 0;
    w = waitpid(-1, &st, WUNTRACED | WCONTINUED);
    printf("nothing left: %d, %s\n", (int)w, strerror(errno));
    return 0;
}
