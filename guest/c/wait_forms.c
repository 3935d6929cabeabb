/* wait_forms.c - the ways to wait for a child: waitpid with a pid, -1, 0
 * (own process group) and -pgid; WNOHANG while the child is still running
 * and after it has exited (seen with waitid(WNOWAIT)); ECHILD; waitid with
 * P_PID, P_PGID and P_ALL reading si_code/si_status/si_pid; wait4 and wait3
 * with a struct rusage; EINVAL for bad options. Children that must stay
 * alive spin on a flag in a MAP_SHARED page (no pipes, no signal handlers).
 * Children never print. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int *flags; /* shared with the children */

static const char *yn(int c) { return c ? "yes" : "no"; }

/* A child that waits until flags[slot] becomes nonzero, then exits with code. */
static pid_t spawn_waiting(int slot, int code)
{
    pid_t c = fork();
    if (c == 0) {
        while (!flags[slot])
            sched_yield();
        _exit(code);
    }
    return c;
}

static pid_t spawn_exit(int code)
{
    pid_t c = fork();
    if (c == 0)
        _exit(code);
    return c;
}

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
    flags = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (flags == MAP_FAILED) {
        printf("mmap failed\n");
        return 1;
    }
    /* Touch the page before forking (the test is about wait, not about
     * shared pages first faulted in after a fork). */
    memset((void *)flags, 0, 4096);
    int st;
    pid_t w;

    /* waitpid(pid): the second child first, then -1 gets the first. */
    pid_t a = spawn_exit(1);
    pid_t b = spawn_exit(2);
    w = waitpid(b, &st, 0);
    printf("waitpid(second child): got it: %s, code %d\n", yn(w == b), WEXITSTATUS(st));
    w = waitpid(-1, &st, 0);
    printf("waitpid(-1): got the first child: %s, code %d\n", yn(w == a), WEXITSTATUS(st));
    errno = 0;
    w = waitpid(-1, &st, 0);
    printf("waitpid(-1) with no children: %d, %s\n", (int)w, strerror(errno));

    /* WNOHANG while the child runs: 0. */
    pid_t c = spawn_waiting(0, 7);
    w = waitpid(c, &st, WNOHANG);
    printf("WNOHANG while the child runs: %d\n", (int)w);
    w = waitpid(-1, &st, WNOHANG);
    printf("WNOHANG on -1 while the child runs: %d\n", (int)w);
    flags[0] = 1;
    /* Wait for it to exit without reaping it. */
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int r = waitid(P_PID, c, &si, WEXITED | WNOWAIT);
    printf("waitid(WNOWAIT): %d, si_pid is the child: %s, si_signo SIGCHLD: %s, %s status %d\n",
           r, yn(si.si_pid == c), yn(si.si_signo == SIGCHLD), code_name(si.si_code),
           si.si_status);
    w = waitpid(c, &st, WNOHANG);
    printf("WNOHANG after the child exited: got the child: %s, code %d\n", yn(w == c),
           WEXITSTATUS(st));
    errno = 0;
    w = waitpid(c, &st, WNOHANG);
    printf("WNOHANG once it is reaped: %d, %s\n", (int)w, strerror(errno));

    /* ECHILD cases. */
    errno = 0;
    w = wait(&st);
    printf("wait() with no children: %d, %s\n", (int)w, strerror(errno));
    errno = 0;
    w = waitpid(getppid(), &st, 0);
    printf("waitpid(parent's pid): %d, %s\n", (int)w, strerror(errno));
    errno = 0;
    w = waitpid(0, &st, WNOHANG);
    printf("waitpid(0, WNOHANG) with no children: %d, %s\n", (int)w, strerror(errno));

    /* Process groups: one child in its own group, one in ours. */
    pid_t own = fork();
    if (own == 0) {
        setpgid(0, 0);
        _exit(11);
    }
    setpgid(own, own); /* whichever of the two runs first */
    pid_t same = spawn_waiting(1, 12);
    flags[1] = 1;
    w = waitpid(0, &st, 0);
    printf("waitpid(0): got the child in our group: %s, code %d\n", yn(w == same),
           WEXITSTATUS(st));
    errno = 0;
    w = waitpid(0, &st, WNOHANG);
    printf("waitpid(0) again, the other child is in another group: %d, %s\n", (int)w,
           strerror(errno));
    w = waitpid(-own, &st, 0);
    printf("waitpid(-pgid): got the group leader child: %s, code %d\n", yn(w == own),
           WEXITSTATUS(st));

    /* waitid forms. */
    c = spawn_exit(21);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, c, &si, WEXITED);
    printf("waitid(P_PID): %d, si_pid ok: %s, %s, si_status %d\n", r, yn(si.si_pid == c),
           code_name(si.si_code), si.si_status);
    c = spawn_exit(22);
    memset(&si, 0, sizeof si);
    r = waitid(P_ALL, 0, &si, WEXITED);
    printf("waitid(P_ALL): %d, si_pid ok: %s, %s, si_status %d\n", r, yn(si.si_pid == c),
           code_name(si.si_code), si.si_status);
    c = fork();
    if (c == 0) {
        setpgid(0, 0);
        kill(getpid(), SIGKILL);
        _exit(0);
    }
    setpgid(c, c);
    memset(&si, 0, sizeof si);
    r = waitid(P_PGID, c, &si, WEXITED);
    printf("waitid(P_PGID), SIGKILLed child: %d, si_pid ok: %s, %s, si_status %d\n", r,
           yn(si.si_pid == c), code_name(si.si_code), si.si_status);
    c = spawn_waiting(2, 23);
    memset(&si, 0, sizeof si);
    si.si_pid = 12345;
    r = waitid(P_PID, c, &si, WEXITED | WNOHANG);
    printf("waitid(WNOHANG) while the child runs: %d, si_pid cleared: %s\n", r,
           yn(si.si_pid == 0));
    flags[2] = 1;
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, c, &si, WEXITED);
    printf("waitid after it exits: %d, %s, si_status %d\n", r, code_name(si.si_code),
           si.si_status);
    errno = 0;
    r = waitid(P_ALL, 0, &si, WEXITED);
    printf("waitid(P_ALL) with no children: %d, %s\n", r, strerror(errno));
    errno = 0;
    r = waitid(P_ALL, 0, &si, 0);
    printf("waitid without WEXITED/WSTOPPED/WCONTINUED: %d, %s\n", r, strerror(errno));

    /* wait4 and wait3 with a struct rusage. */
    c = spawn_exit(31);
    struct rusage ru;
    w = wait4(c, &st, 0, &ru);
    printf("wait4(pid, rusage): returned the pid: %s, code %d\n", yn(w == c), WEXITSTATUS(st));
    c = spawn_exit(32);
    w = wait3(&st, 0, &ru);
    printf("wait3(rusage): returned the pid: %s, code %d\n", yn(w == c), WEXITSTATUS(st));
    c = spawn_exit(33);
    w = wait4(-1, NULL, 0, NULL);
    printf("wait4(-1, NULL status, NULL rusage): returned the pid: %s\n", yn(w == c));

    /* Invalid options. */
    errno = 0;
    w = waitpid(-1, &st, 0x100);
    printf("waitpid with unknown option bits: %d, %s\n", (int)w, strerror(errno));

    /* Exit codes of many children reaped with wait(): all of 0..255 fit. */
    int sum = 0;
    for (int i = 250; i < 256; i++)
        spawn_exit(i);
    for (int i = 0; i < 6; i++) {
        if (wait(&st) > 0 && WIFEXITED(st))
            sum += WEXITSTATUS(st);
    }
    printf("codes 250..255 summed: %d\n", sum);
    return 0;
}
