/* fork_basic.c - fork gives the child its own copy of globals, heap and
 * stack (copy-on-write): both sides modify their copies and print them. The
 * parent collects exit codes from exit(), _exit(), a return from a function
 * that calls exit, and children killed by signals (SIGKILL, SIGTERM, SIGSEGV,
 * abort). Only relations are printed, never pids. stdout is line buffered
 * and the parent prints only after it has reaped the child, so the output
 * order is fixed. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int global_counter = 100;
static char global_text[32] = "parent-global";

static const char *yn(int c) { return c ? "yes" : "no"; }

/* Forks a child that runs fn(); returns the wait status. */
static int run_child(void (*fn)(void), pid_t *pid_out)
{
    pid_t c = fork();
    if (c < 0) {
        printf("fork failed: %s\n", strerror(errno));
        exit(1);
    }
    if (c == 0) {
        fn();
        _exit(99);
    }
    int st = 0;
    pid_t w = waitpid(c, &st, 0);
    if (pid_out)
        *pid_out = c;
    if (w != c)
        printf("waitpid returned another pid\n");
    return st;
}

static void describe(const char *what, int st)
{
    if (WIFEXITED(st))
        printf("%s: exited, code %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: killed by signal %d (%s)\n", what, WTERMSIG(st),
               WTERMSIG(st) == SIGKILL   ? "SIGKILL"
               : WTERMSIG(st) == SIGTERM ? "SIGTERM"
               : WTERMSIG(st) == SIGSEGV ? "SIGSEGV"
               : WTERMSIG(st) == SIGABRT ? "SIGABRT"
                                         : "other");
    else
        printf("%s: other status\n", what);
}

static void child_exit_7(void) { exit(7); }
static void child__exit_200(void) { _exit(200); }
static void child_exit_wraps(void) { exit(256 + 3); }
static void child_sigkill(void) { kill(getpid(), SIGKILL); for (;;) pause(); }
static void child_sigterm(void) { kill(getpid(), SIGTERM); for (;;) pause(); }
static void child_segv(void)
{
    volatile int *p = (volatile int *)16;
    *p = 1;
}
static void child_abort(void) { abort(); }
static void child_atexit_handler(void) { printf("child: atexit handler ran\n"); }
static void child_atexit(void)
{
    atexit(child_atexit_handler);
    printf("child: returning through exit(4) with an atexit handler\n");
    exit(4);
}
static void child_flush_on_exit(void)
{
    /* Full buffering in the child: exit() must flush it. */
    setvbuf(stdout, NULL, _IOFBF, 4096);
    printf("child: buffered text flushed by exit()\n");
    exit(0);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* No core files from the children killed by SIGSEGV and SIGABRT. */
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);

    int *heap = malloc(64 * sizeof(int));
    for (int i = 0; i < 64; i++)
        heap[i] = i;
    volatile int stack_value = 5;
    pid_t parent = getpid();

    pid_t c = fork();
    if (c < 0) {
        printf("fork failed: %s\n", strerror(errno));
        return 1;
    }
    if (c == 0) {
        pid_t me = getpid();
        printf("child: fork returned 0: yes\n");
        printf("child: getpid() differs from the parent's: %s\n", yn(me != parent));
        printf("child: getppid() == the parent's getpid(): %s\n", yn(getppid() == parent));
        /* The parent changes its copies right after fork; the child must
         * still see the values from the moment of the fork. */
        printf("child: sees global=%d text=%s heap[10]=%d stack=%d\n", global_counter,
               global_text, heap[10], stack_value);
        global_counter += 1;
        strcpy(global_text, "child-global");
        for (int i = 0; i < 64; i++)
            heap[i] *= 2;
        stack_value = 6;
        printf("child: changed to global=%d text=%s heap[10]=%d stack=%d\n", global_counter,
               global_text, heap[10], stack_value);
        int *more = malloc(1000);
        more[0] = 1;
        free(more);
        free(heap);
        exit(42);
    }
    global_counter = 500;
    heap[10] = -1;
    stack_value = 50;
    int st = 0;
    pid_t w = waitpid(c, &st, 0);
    int saved = errno;
    printf("parent: fork returned a positive pid: %s\n", yn(c > 0));
    printf("parent: child pid differs from parent: %s\n", yn(c != parent));
    printf("parent: waitpid returned the child's pid: %s\n", yn(w == c));
    if (w < 0)
        printf("parent: waitpid error %s\n", strerror(saved));
    printf("parent: WIFEXITED=%d WEXITSTATUS=%d WIFSIGNALED=%d\n", WIFEXITED(st),
           WEXITSTATUS(st), WIFSIGNALED(st));
    printf("parent: own copies global=%d text=%s heap[10]=%d heap[11]=%d stack=%d\n",
           global_counter, global_text, heap[10], heap[11], stack_value);
    printf("parent: getpid() unchanged after fork: %s\n", yn(getpid() == parent));

    describe("exit(7)", run_child(child_exit_7, NULL));
    describe("_exit(200)", run_child(child__exit_200, NULL));
    describe("exit(259)", run_child(child_exit_wraps, NULL));
    describe("atexit", run_child(child_atexit, NULL));
    describe("stdio flush", run_child(child_flush_on_exit, NULL));
    describe("kill(getpid(), SIGKILL)", run_child(child_sigkill, NULL));
    describe("kill(getpid(), SIGTERM)", run_child(child_sigterm, NULL));
    describe("null-page store", run_child(child_segv, NULL));
    describe("abort()", run_child(child_abort, NULL));

    /* The children are reaped: nothing left to wait for. */
    errno = 0;
    pid_t r = wait(&st);
    saved = errno;
    printf("wait with no children: %d (%s)\n", (int)r, strerror(saved));
    free(heap);
    return 0;
}
