/* vfork_exec.c - vfork + execve of this same program, once through
 * /proc/self/exe and once through the path /proc/self/exe links to, with
 * extra arguments and an explicit environment {"PUFFER_TEST=1", ...}. The
 * re-executed program (argv[1] == "--child") prints its argc, argv and
 * environment and exits with a code the parent checks. Also: a vfork child
 * that only _exit()s, a vfork child whose write to the parent's stack is seen
 * by the parent (they share memory until the child exits), and a vfork child
 * whose exec fails. No pids or paths are printed. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *yn(int c) { return c ? "yes" : "no"; }

static int child_main(int argc, char **argv)
{
    printf("  re-executed: argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("  argv[%d]=\"%s\"\n", i, argv[i]);
    printf("  argv[argc] is NULL: %s\n", yn(argv[argc] == NULL));
    int n = 0;
    for (char **e = environ; *e; e++)
        printf("  env[%d]=\"%s\"\n", n++, *e);
    const char *t = getenv("PUFFER_TEST");
    printf("  getenv(\"PUFFER_TEST\")=%s\n", t ? t : "(null)");
    return 10 + argc;
}

static void report(const char *what, pid_t c, pid_t w, int st)
{
    printf("%s: waitpid returned the vfork pid: %s, ", what, yn(w == c && c > 0));
    if (WIFEXITED(st))
        printf("exited with %d\n", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("killed by signal %d\n", WTERMSIG(st));
    else
        printf("status %#x\n", st);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && strcmp(argv[1], "--child") == 0)
        return child_main(argc, argv);

    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        printf("readlink /proc/self/exe failed: %s\n", strerror(errno));
        return 1;
    }
    exe[n] = 0;
    printf("readlink(/proc/self/exe) is absolute: %s\n", yn(exe[0] == '/'));

    char *env1[] = {"PUFFER_TEST=1", NULL};
    char *args1[] = {"vfork_exec-child", "--child", "via /proc/self/exe", "", NULL};
    int st = 0;
    pid_t me = getpid();
    pid_t c = vfork();
    if (c == 0) {
        execve("/proc/self/exe", args1, env1);
        _exit(127);
    }
    pid_t w = waitpid(c, &st, 0);
    report("exec /proc/self/exe", c, w, st);

    char *env2[] = {"PUFFER_TEST=second", "OTHER=x=y", "EMPTY=", NULL};
    char *args2[] = {"second", "--child", "via readlink path", "a b  c", "last", NULL};
    c = vfork();
    if (c == 0) {
        execve(exe, args2, env2);
        _exit(127);
    }
    w = waitpid(c, &st, 0);
    report("exec readlink path", c, w, st);

    /* A vfork child that only exits. */
    c = vfork();
    if (c == 0)
        _exit(33);
    w = waitpid(c, &st, 0);
    report("vfork + _exit(33)", c, w, st);

    /* The child borrows the parent's memory until it exits: its store to a
     * variable in the parent's frame is there when vfork returns in the
     * parent. The parent is suspended until then. */
    volatile int shared = 1;
    volatile int child_saw_ppid = 0;
    c = vfork();
    if (c == 0) {
        shared = 2;
        child_saw_ppid = getppid() == me;
        _exit(0);
    }
    printf("vfork: parent resumed after the child exited, sees the child's store: %s\n",
           yn(shared == 2));
    printf("vfork: child's getppid() == parent's getpid(): %s\n", yn(child_saw_ppid));
    w = waitpid(c, &st, 0);
    report("vfork + store + _exit(0)", c, w, st);

    /* exec failure in a vfork child: the errno it saw reaches the parent
     * through the shared memory as well. */
    volatile int child_errno = 0;
    c = vfork();
    if (c == 0) {
        char *a[] = {"missing", NULL};
        execve("./does-not-exist", a, env1);
        child_errno = errno;
        _exit(127);
    }
    w = waitpid(c, &st, 0);
    report("vfork + failed exec", c, w, st);
    printf("vfork + failed exec: errno in the child: %s\n", strerror(child_errno));

    printf("parent still the same process: %s\n", yn(getpid() == me));
    return 0;
}
