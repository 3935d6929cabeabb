/* sigexec.c - signal state across fork and execve: a fork child inherits the
 * handlers, flags, mask and alternate stack but no pending signals; execve resets
 * handled signals to SIG_DFL (ignored ones stay ignored), keeps the mask, the
 * pending signals and the interval timers, and drops the alternate stack.
 * PR_SET_PDEATHSIG: a grandchild is signalled when its parent exits. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int got_usr1, got_usr2, got_int, got_term;
static void on_usr1(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)si;
    (void)uc;
    got_usr1++;
}
static void on_usr2(int sig) { (void)sig; got_usr2++; }
static void on_int(int sig) { (void)sig; got_int++; }
static void on_term(int sig) { (void)sig; got_term++; }

static void show_state(const char *who)
{
    struct sigaction a;
    sigaction(SIGUSR1, NULL, &a);
    int usr1_handled = a.sa_sigaction == on_usr1;
    int usr1_dfl = a.sa_handler == SIG_DFL;
    int flags = (a.sa_flags & SA_SIGINFO ? 1 : 0) | (a.sa_flags & SA_RESTART ? 2 : 0) |
                (a.sa_flags & SA_ONSTACK ? 4 : 0);
    sigaction(SIGUSR2, NULL, &a);
    int usr2_ign = a.sa_handler == SIG_IGN;
    sigaction(SIGWINCH, NULL, &a);
    int winch_dfl = a.sa_handler == SIG_DFL;
    sigset_t m, p;
    sigprocmask(SIG_SETMASK, NULL, &m);
    sigpending(&p);
    stack_t ss;
    sigaltstack(NULL, &ss);
    printf("%s: USR1 handled=%d default=%d flags(SIGINFO=1,RESTART=2)=%d; USR2 ignored=%d; WINCH default=%d\n", who,
           usr1_handled, usr1_dfl, flags, usr2_ign, winch_dfl);
    printf("%s: blocked INT=%d TERM=%d USR1=%d; pending INT=%d TERM=%d; altstack flags=%d\n", who,
           sigismember(&m, SIGINT), sigismember(&m, SIGTERM), sigismember(&m, SIGUSR1), sigismember(&p, SIGINT),
           sigismember(&p, SIGTERM), ss.ss_flags);
}

static int after_exec(void)
{
    show_state("after exec");
    unsigned left = alarm(0);
    printf("after exec: alarm left %u\n", left);
    signal(SIGINT, on_int);
    signal(SIGTERM, on_term);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    printf("after exec: unblocked, INT handled %d, TERM handled %d\n", got_int, got_term);

    /* PR_SET_PDEATHSIG */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGUSR2, on_usr2);
    sigset_t usr, old;
    sigemptyset(&usr);
    sigaddset(&usr, SIGUSR1);
    sigaddset(&usr, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr, &old);
    pid_t me = getpid();
    pid_t b = 0;
    pid_t a = fork();
    if (a == 0) {
        b = fork();
        if (b == 0) {
            prctl(PR_SET_PDEATHSIG, SIGUSR1);
            int sig = 0;
            prctl(PR_GET_PDEATHSIG, &sig);
            kill(me, SIGUSR2); /* ready */
            while (!got_usr1)
                sigsuspend(&old);
            _exit(getppid() == me && sig == SIGUSR1 ? 33 : 1);
        }
        while (!got_usr2)
            sigsuspend(&old);
        _exit(b > 0 ? 0 : 1);
    }
    while (!got_usr2)
        sigsuspend(&old);
    kill(a, SIGUSR2);
    int st;
    waitpid(a, &st, 0);
    printf("parent of the grandchild exited %d\n", WEXITSTATUS(st));
    pid_t w = wait(&st);
    printf("grandchild (reparented to us: %d) exited %d\n", w > 0 && w != a, WEXITSTATUS(st));
    int sig = -1;
    prctl(PR_GET_PDEATHSIG, &sig);
    printf("our own pdeath signal: %d\n", sig);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exec") == 0)
        return after_exec();

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGUSR2, SIG_IGN);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr2;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGWINCH, &sa, NULL);
    stack_t ss = {.ss_sp = malloc(65536), .ss_size = 65536, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGINT);
    sigaddset(&m, SIGTERM);
    sigprocmask(SIG_SETMASK, &m, NULL);
    raise(SIGTERM);           /* pending for this thread */
    kill(getpid(), SIGINT);   /* pending for the process */
    alarm(100);
    show_state("before fork");
    fflush(stdout);

    pid_t pid = fork();
    if (pid == 0) {
        show_state("fork child");
        printf("fork child: alarm left %u\n", alarm(0));
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);

    char *args[] = {"sigexec", "exec", NULL};
    char *env[] = {NULL};
    fflush(stdout);
    execve("/proc/self/exe", args, env);
    perror("execve");
    return 1;
}
