/* pgrp_session.c - process groups and sessions. Everything that depends on
 * how the program was started (is the top process a group or session
 * leader?) is avoided: the checks run in children and print relations only.
 * setpgid(0,0) / getpgrp / getpgid, setpgid by the parent, group inheritance
 * across fork, setsid in a child (getsid == getpid == getpgrp), setsid EPERM
 * for a group leader, setpgid EPERM across sessions, ESRCH and EINVAL cases,
 * kill(0, 0) and kill(-pgrp, 0). Children report through exit codes and print
 * only while the parent is blocked in waitpid. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOPID ((pid_t)(1 << 30)) /* above any pid_max */

static const char *yn(int c) { return c ? "yes" : "no"; }

static int finish(pid_t c)
{
    int st;
    if (waitpid(c, &st, 0) != c)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void show_errno(const char *what, int r)
{
    int e = errno;
    printf("  %s: %d%s%s\n", what, r, r < 0 ? ", " : "", r < 0 ? strerror(e) : "");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    pid_t top = getpid();
    pid_t top_pgrp = getpgrp();
    pid_t top_sid = getsid(0);

    printf("top process:\n");
    printf("  getpgrp() == getpgid(0) == getpgid(getpid()): %s\n",
           yn(top_pgrp == getpgid(0) && top_pgrp == getpgid(top)));
    printf("  getsid(0) == getsid(getpid()): %s\n", yn(top_sid == getsid(top)));
    printf("  kill(0, 0): %d\n", kill(0, 0));
    /* kill(-getpgrp(), 0) is left out: under puffer the first process is PID 1 in its
     * own PID space, so its group is 1 and kill(-1, ...) means "every process". */
    printf("  kill(getpid(), 0): %d\n", kill(top, 0));
    errno = 0;
    show_errno("kill(<no such pid>, 0)", kill(NOPID, 0));
    errno = 0;
    show_errno("getpgid(<no such pid>)", getpgid(NOPID));
    errno = 0;
    show_errno("getsid(<no such pid>)", getsid(NOPID));
    errno = 0;
    show_errno("setpgid(-1, 0)", setpgid(-1, 0));
    errno = 0;
    show_errno("setpgid(0, -1)", setpgid(0, -1));
    errno = 0;
    show_errno("setpgid(<no such pid>, 0)", setpgid(NOPID, 0));

    /* A child inherits the group and the session. */
    printf("child inherits:\n");
    pid_t c = fork();
    if (c == 0) {
        printf("  child's getpgrp() == parent's: %s\n", yn(getpgrp() == top_pgrp));
        printf("  child's getsid(0) == parent's: %s\n", yn(getsid(0) == top_sid));
        printf("  child is not a group leader: %s\n", yn(getpgrp() != getpid()));
        exit(0);
    }
    printf("  exit code %d\n", finish(c));

    /* setpgid(0, 0) makes the child a group leader; setsid then fails. */
    printf("child calls setpgid(0, 0):\n");
    c = fork();
    if (c == 0) {
        int r = setpgid(0, 0);
        printf("  setpgid(0, 0): %d\n", r);
        printf("  getpgrp() == getpid(): %s\n", yn(getpgrp() == getpid()));
        printf("  getpgid(0) == getpid(): %s\n", yn(getpgid(0) == getpid()));
        printf("  getpgid(getppid()) is the parent's group: %s\n",
               yn(getpgid(getppid()) == top_pgrp));
        printf("  session unchanged: %s\n", yn(getsid(0) == top_sid));
        errno = 0;
        show_errno("setsid() as a group leader", setsid());
        printf("  kill(0, 0) in the new group: %d\n", kill(0, 0));
        /* A grandchild inherits the new group. */
        pid_t me = getpid();
        pid_t g = fork();
        if (g == 0)
            _exit(getpgrp() == me ? 0 : 1);
        printf("  grandchild in the child's group: %s\n", yn(finish(g) == 0));
        /* Moving back into the parent's group (same session) works. */
        show_errno("setpgid(0, parent's group)", setpgid(0, top_pgrp));
        printf("  back in the parent's group: %s\n", yn(getpgrp() == top_pgrp));
        exit(0);
    }
    printf("  exit code %d\n", finish(c));

    /* The parent moves a child into a new group. */
    printf("parent calls setpgid(child, child):\n");
    volatile int dummy = 0;
    c = fork();
    if (c == 0) {
        /* Wait (bounded) until the parent has moved us. */
        for (long n = 0; n < 1000000 && getpgrp() != getpid(); n++) {
            dummy++;
            sched_yield();
        }
        _exit(getpgrp() == getpid() ? 0 : 1);
    }
    int r = setpgid(c, c);
    printf("  setpgid(child, child): %d\n", r);
    printf("  getpgid(child) == child: %s\n", yn(getpgid(c) == c));
    printf("  getsid(child) == our session: %s\n", yn(getsid(c) == top_sid));
    printf("  kill(-child, 0): %d\n", kill(-c, 0));
    printf("  child saw itself become a group leader: %s\n", yn(finish(c) == 0));
    errno = 0;
    show_errno("getpgid(reaped child)", getpgid(c));

    /* setsid in a child that is not a group leader. */
    printf("child calls setsid():\n");
    c = fork();
    if (c == 0) {
        pid_t s = setsid();
        pid_t me = getpid();
        printf("  setsid() returned getpid(): %s\n", yn(s == me));
        printf("  getsid(0) == getpid(): %s\n", yn(getsid(0) == me));
        printf("  getpgrp() == getpid(): %s\n", yn(getpgrp() == me));
        printf("  session differs from the parent's: %s\n", yn(getsid(0) != top_sid));
        printf("  getsid(getppid()) is still the parent's session: %s\n",
               yn(getsid(getppid()) == top_sid));
        errno = 0;
        show_errno("setsid() again", setsid());
        errno = 0;
        show_errno("setpgid(0, parent's group) from another session", setpgid(0, top_pgrp));
        /* A child of the session leader can make its own group in the
         * session but cannot take over the session. */
        pid_t g = fork();
        if (g == 0) {
            int ok = getsid(0) == me && getpgrp() == me;
            ok &= setpgid(0, 0) == 0 && getpgrp() == getpid() && getsid(0) == me;
            _exit(ok ? 0 : 1);
        }
        printf("  grandchild in the new session made its own group: %s\n", yn(finish(g) == 0));
        exit(0);
    }
    printf("  exit code %d\n", finish(c));
    errno = 0;
    show_errno("setpgid(<session leader child that has exited>, 0)", setpgid(c, 0));

    /* A group leader child that exits: its group id can be reused only
     * after it is reaped, and its pid stays out of use while it is a
     * zombie: kill(pid, 0) on the zombie succeeds. */
    printf("zombie:\n");
    c = fork();
    if (c == 0)
        _exit(5);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    waitid(P_PID, c, &si, WEXITED | WNOWAIT);
    errno = 0;
    show_errno("kill(zombie, 0)", kill(c, 0));
    printf("  getpgid(zombie) == our group: %s\n", yn(getpgid(c) == top_pgrp));
    printf("  exit code %d\n", finish(c));
    errno = 0;
    show_errno("kill(reaped child, 0)", kill(c, 0));

    printf("top unchanged: group %s, session %s\n", yn(getpgrp() == top_pgrp),
           yn(getsid(0) == top_sid));
    return 0;
}
