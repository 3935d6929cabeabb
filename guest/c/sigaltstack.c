/* sigaltstack.c - alternate signal stacks: a stack overflow caught by an
 * SA_ONSTACK SIGSEGV handler (and fatal without one), what sigaltstack reports
 * inside and outside the handler, uc_stack in the frame, nested signals on the
 * alternate stack, SS_AUTODISARM, the EPERM/EINVAL/ENOMEM cases, inheritance by
 * fork but not by threads. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31) /* Linux 4.7; glibc does not define it */
#endif

#define ALT_SIZE (64 * 1024)
static char *alt;
static sigjmp_buf jb;
static volatile int code, on_alt, inside_flags, inside_eperm, nested_on_alt, uc_ok;

static int addr_on_alt(void *p) { return (char *)p >= alt && (char *)p < alt + ALT_SIZE; }

static void segv_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    char local;
    (void)sig;
    code = si->si_code;
    on_alt = addr_on_alt(&local);
    uc_ok = uc->uc_stack.ss_sp == alt && uc->uc_stack.ss_size == ALT_SIZE;
    stack_t cur;
    sigaltstack(NULL, &cur);
    inside_flags = cur.ss_flags;
    stack_t other = {.ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0};
    errno = 0;
    inside_eperm = sigaltstack(&other, NULL) == -1 && errno == EPERM;
    siglongjmp(jb, 1);
}

static volatile long sink;
static long recurse(long n)
{
    volatile char buf[1024];
    buf[0] = (char)n;
    sink += buf[0];
    return recurse(n + 1) + buf[0];
}

static void nested_handler(int sig)
{
    char local;
    (void)sig;
    nested_on_alt = addr_on_alt(&local);
}

static void usr1_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    char local;
    (void)sig;
    (void)si;
    on_alt = addr_on_alt(&local);
    uc_ok = uc->uc_stack.ss_sp == alt && uc->uc_stack.ss_size == ALT_SIZE;
    code = uc->uc_stack.ss_flags;
    stack_t cur;
    sigaltstack(NULL, &cur);
    inside_flags = cur.ss_flags;
    raise(SIGUSR2); /* nested, SA_ONSTACK too */
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigaction(sig, &sa, NULL);
}

static void *thread_main(void *arg)
{
    (void)arg;
    stack_t cur;
    sigaltstack(NULL, &cur);
    return (void *)(intptr_t)cur.ss_flags;
}

int main(void)
{
    /* natively the overflow must stop at 8 MiB, as under puffer */
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (8 << 20)) {
        rl.rlim_cur = 8 << 20;
        setrlimit(RLIMIT_STACK, &rl);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    stack_t cur;
    sigaltstack(NULL, &cur);
    printf("initially: flags=%d (SS_DISABLE=%d) size=%zu\n", cur.ss_flags, SS_DISABLE, cur.ss_size);

    /* overflow without an alternate stack: the handler cannot run, SIGSEGV kills */
    install(SIGSEGV, segv_handler, SA_ONSTACK);
    pid_t pid = fork();
    if (pid == 0) {
        recurse(0);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("overflow, no alternate stack: killed=%d sig=%d\n", WIFSIGNALED(st), WTERMSIG(st));

    alt = malloc(ALT_SIZE);
    stack_t ss = {.ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0};
    int r = sigaltstack(&ss, NULL);
    sigaltstack(NULL, &cur);
    printf("sigaltstack: %d, now flags=%d size_ok=%d sp_ok=%d\n", r, cur.ss_flags, cur.ss_size == ALT_SIZE,
           cur.ss_sp == alt);

    if (sigsetjmp(jb, 1) == 0) {
        recurse(0);
    } else {
        printf("overflow caught: maperr=%d on_alt=%d uc_stack_ok=%d flags_inside=%d(SS_ONSTACK=%d) eperm=%d\n",
               code == SEGV_MAPERR, on_alt, uc_ok, inside_flags, SS_ONSTACK, inside_eperm);
    }
    sigaltstack(NULL, &cur);
    printf("after siglongjmp: flags=%d\n", cur.ss_flags);

    /* again: the alternate stack is reusable */
    on_alt = 0;
    if (sigsetjmp(jb, 1) == 0)
        recurse(0);
    else
        printf("second overflow caught: on_alt=%d\n", on_alt);

    /* a fork child inherits the alternate stack */
    pid = fork();
    if (pid == 0) {
        if (sigsetjmp(jb, 1) == 0)
            recurse(0);
        _exit(on_alt ? 42 : 1);
    }
    waitpid(pid, &st, 0);
    printf("fork child caught its overflow on the inherited stack: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 42);

    /* a thread does not */
    pthread_t th;
    void *flags;
    pthread_create(&th, NULL, thread_main, NULL);
    pthread_join(th, &flags);
    printf("thread's alternate stack flags=%d\n", (int)(intptr_t)flags);

    /* nested signals while on the alternate stack */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = nested_handler;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR2, &sa, NULL);
    install(SIGUSR1, usr1_handler, SA_ONSTACK);
    raise(SIGUSR1);
    printf("SA_ONSTACK: on_alt=%d uc_ok=%d uc_flags=%d flags_inside=%d nested_on_alt=%d\n", on_alt, uc_ok, code,
           inside_flags, nested_on_alt);

    /* SS_AUTODISARM: disarmed while the handler runs, re-armed by sigreturn */
    ss.ss_flags = SS_AUTODISARM;
    r = sigaltstack(&ss, NULL);
    sigaltstack(NULL, &cur);
    printf("SS_AUTODISARM: %d flags=%#x\n", r, (unsigned)cur.ss_flags);
    raise(SIGUSR1);
    sigaltstack(NULL, &cur);
    printf("  inside: on_alt=%d uc_flags=%#x flags_inside=%d nested_on_alt=%d; after: flags=%#x\n", on_alt,
           (unsigned)code, inside_flags, nested_on_alt, (unsigned)cur.ss_flags);

    /* errors */
    stack_t small = {.ss_sp = alt, .ss_size = 1024, .ss_flags = 0};
    errno = 0;
    r = sigaltstack(&small, NULL);
    printf("too small: %d %s\n", r, errno == ENOMEM ? "ENOMEM" : "?");
    stack_t bad = {.ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 7};
    errno = 0;
    r = sigaltstack(&bad, NULL);
    printf("bad flags: %d %s\n", r, errno == EINVAL ? "EINVAL" : "?");
    stack_t off = {.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
    r = sigaltstack(&off, &cur);
    stack_t now;
    sigaltstack(NULL, &now);
    printf("disable: %d old_flags=%#x now flags=%d size=%zu\n", r, (unsigned)cur.ss_flags, now.ss_flags, now.ss_size);
    raise(SIGUSR1);
    printf("SA_ONSTACK with no alternate stack: on_alt=%d\n", on_alt);
    return 0;
}
