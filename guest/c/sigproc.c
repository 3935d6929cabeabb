/* sigproc.c - signals between processes: kill(0) to the caller's process group,
 * kill(-pgid), signal 0 existence checks, the ESRCH/EINVAL cases, raise and
 * abort (with a handler that returns, blocked, ignored, escaped by siglongjmp),
 * default actions seen by the parent, and job control: SIGSTOP/SIGCONT reported
 * by waitpid (WUNTRACED, WCONTINUED) and waitid, a SIGCONT handler, SIGTERM held
 * while stopped, SIGKILL to a stopped process. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int got;
static void on_sig(int sig) { (void)sig; got++; }
static sigjmp_buf jb;
static void escape(int sig) { siglongjmp(jb, sig); }
static void say(int sig)
{
    (void)sig;
    static const char m[] = "  (SIGABRT handler ran and returned)\n";
    write(1, m, sizeof m - 1);
}

static void describe(const char *what, int st)
{
    if (WIFEXITED(st))
        printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: killed by %d core=%d\n", what, WTERMSIG(st), WCOREDUMP(st) ? 1 : 0);
    else if (WIFSTOPPED(st))
        printf("%s: stopped by %d\n", what, WSTOPSIG(st));
    else if (WIFCONTINUED(st))
        printf("%s: continued\n", what);
    else
        printf("%s: status %#x\n", what, st);
}

static void run_child(const char *what, void (*fn)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    describe(what, st);
}

static void do_abort(void) { abort(); }
static void abort_with_handler(void)
{
    signal(SIGABRT, say);
    abort();
}
static void abort_blocked(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGABRT);
    sigprocmask(SIG_BLOCK, &s, NULL);
    abort();
}
static void abort_ignored(void)
{
    signal(SIGABRT, SIG_IGN);
    abort();
}
static void abort_escaped(void)
{
    signal(SIGABRT, escape);
    if (sigsetjmp(jb, 1) == 0)
        abort();
    _exit(7);
}
static void raise_kill(void) { raise(SIGKILL); }
static void raise_term(void) { raise(SIGTERM); }
static void raise_segv(void) { raise(SIGSEGV); }
static void raise_usr1_ignored(void)
{
    signal(SIGUSR1, SIG_IGN);
    raise(SIGUSR1);
    _exit(3);
}

static void wait_for_signal(void)
{
    while (!got)
        pause();
}

int main(void)
{
    struct rlimit nocore = {0, 0};
    setrlimit(RLIMIT_CORE, &nocore);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);
    int st;
    /* a process group of our own: kill(0) must not reach whoever ran us */
    setpgid(0, 0);

    /* kill(0): the whole process group, the caller included */
    signal(SIGUSR1, on_sig);
    pid_t kids[2];
    for (int i = 0; i < 2; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            wait_for_signal();
            _exit(10 + got);
        }
    }
    int r = kill(0, SIGUSR1);
    printf("kill(0, SIGUSR1) = %d, parent handled %d\n", r, got);
    for (int i = 0; i < 2; i++) {
        waitpid(kids[i], &st, 0);
        describe("  group member", st);
    }

    /* kill(-pgid): a new group of two */
    signal(SIGUSR1, SIG_DFL);
    for (int i = 0; i < 2; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            setpgid(0, i == 0 ? 0 : kids[0]);
            for (;;)
                pause();
        }
        setpgid(kids[i], kids[0]);
    }
    printf("kill(-pgid, 0) = %d\n", kill(-kids[0], 0));
    r = kill(-kids[0], SIGTERM);
    printf("kill(-pgid, SIGTERM) = %d\n", r);
    for (int i = 0; i < 2; i++) {
        waitpid(kids[i], &st, 0);
        describe("  member", st);
    }
    errno = 0;
    r = kill(-kids[0], 0);
    printf("kill(-pgid, 0) after: %d %s\n", r, errno == ESRCH ? "ESRCH" : "?");

    /* errors and existence checks */
    errno = 0;
    r = kill(INT_MAX, 0);
    printf("kill(INT_MAX, 0): %d %s\n", r, errno == ESRCH ? "ESRCH" : "?");
    errno = 0;
    r = kill(getpid(), 65);
    printf("kill(self, 65): %d %s\n", r, errno == EINVAL ? "EINVAL" : "?");
    errno = 0;
    r = kill(getpid(), -1);
    printf("kill(self, -1): %d %s\n", r, errno == EINVAL ? "EINVAL" : "?");
    pid_t z = fork();
    if (z == 0)
        _exit(0);
    siginfo_t si;
    waitid(P_PID, z, &si, WEXITED | WNOWAIT);
    printf("kill(zombie, 0) = %d, kill(zombie, SIGKILL) = %d\n", kill(z, 0), kill(z, SIGKILL));
    waitpid(z, &st, 0);
    describe("  zombie", st);
    errno = 0;
    r = syscall(SYS_tgkill, getpid(), INT_MAX, 0);
    printf("tgkill(self, INT_MAX, 0): %ld %s\n", (long)r, errno == ESRCH ? "ESRCH" : "?");
    errno = 0;
    r = syscall(SYS_tgkill, 0, getpid(), 0);
    printf("tgkill(0, ...): %ld %s\n", (long)r, errno == EINVAL ? "EINVAL" : "?");
    errno = 0;
    r = syscall(SYS_tkill, -1, 0);
    printf("tkill(-1): %ld %s\n", (long)r, errno == EINVAL ? "EINVAL" : "?");
    printf("tgkill(self, self, 0) = %ld\n", (long)syscall(SYS_tgkill, getpid(), getpid(), 0));

    /* raise and abort */
    run_child("abort()", do_abort);
    run_child("abort() with a handler that returns", abort_with_handler);
    run_child("abort() with SIGABRT blocked", abort_blocked);
    run_child("abort() with SIGABRT ignored", abort_ignored);
    run_child("abort() escaped by siglongjmp", abort_escaped);
    run_child("raise(SIGKILL)", raise_kill);
    run_child("raise(SIGTERM)", raise_term);
    run_child("raise(SIGSEGV)", raise_segv);
    run_child("raise(SIGUSR1) ignored", raise_usr1_ignored);

    /* job control: each stop and continue is reported once */
    got = 0;
    signal(SIGCONT, on_sig);
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    kill(pid, SIGSTOP);
    waitpid(pid, &st, WUNTRACED);
    describe("SIGSTOP", st);
    r = waitpid(pid, &st, WUNTRACED | WNOHANG);
    printf("  reported once: waitpid again = %d\n", r);
    kill(pid, SIGCONT);
    waitpid(pid, &st, WCONTINUED);
    describe("SIGCONT", st);
    r = waitpid(pid, &st, WCONTINUED | WNOHANG);
    printf("  reported once: waitpid again = %d\n", r);
    kill(pid, SIGSTOP);
    r = waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT);
    printf("waitid(WSTOPPED|WNOWAIT) = %d code=%s status=%d\n", r, si.si_code == CLD_STOPPED ? "CLD_STOPPED" : "?",
           si.si_status);
    r = waitid(P_PID, pid, &si, WSTOPPED);
    printf("waitid(WSTOPPED) again = %d code=%s\n", r, si.si_code == CLD_STOPPED ? "CLD_STOPPED" : "?");
    kill(pid, SIGCONT);
    r = waitid(P_PID, pid, &si, WCONTINUED);
    printf("waitid(WCONTINUED) = %d code=%s status=%d\n", r, si.si_code == CLD_CONTINUED ? "CLD_CONTINUED" : "?",
           si.si_status);
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    describe("  then SIGKILL", st);

    /* a SIGCONT handler runs after the continue */
    pid = fork();
    if (pid == 0) {
        while (got < 1)
            pause();
        raise(SIGSTOP); /* after the first SIGCONT's handler ran */
        while (got < 2)
            pause();
        _exit(20 + got);
    }
    kill(pid, SIGSTOP);
    waitpid(pid, &st, WUNTRACED);
    kill(pid, SIGCONT);
    waitpid(pid, &st, WUNTRACED);
    describe("child stopped itself after its SIGCONT handler", st);
    kill(pid, SIGCONT);
    waitpid(pid, &st, 0);
    describe("  after a second SIGCONT", st);
    signal(SIGCONT, SIG_DFL);

    pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    kill(pid, SIGSTOP);
    waitpid(pid, &st, WUNTRACED);
    kill(pid, SIGTERM);
    struct timespec t = {0, 30000000};
    nanosleep(&t, NULL);
    r = waitpid(pid, &st, WNOHANG);
    printf("SIGTERM to a stopped child: still there = %d\n", r == 0);
    kill(pid, SIGCONT);
    waitpid(pid, &st, 0);
    describe("  after SIGCONT", st);

    /* SIGTSTP stops a process whose group is not orphaned (here: ours, and a new
     * group whose parent, us, is in another group of the same session) */
    pid = fork();
    if (pid == 0) {
        raise(SIGTSTP);
        _exit(5);
    }
    waitpid(pid, &st, WUNTRACED);
    describe("SIGTSTP in our group", st);
    kill(pid, SIGCONT);
    waitpid(pid, &st, 0);
    describe("  continued", st);
    pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        raise(SIGTSTP);
        _exit(6);
    }
    setpgid(pid, pid);
    waitpid(pid, &st, WUNTRACED);
    describe("SIGTSTP in a new group", st);
    kill(pid, SIGCONT);
    waitpid(pid, &st, 0);
    describe("  continued", st);

    pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    kill(pid, SIGSTOP);
    waitpid(pid, &st, WUNTRACED);
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    describe("SIGKILL to a stopped child", st);
    return 0;
}
