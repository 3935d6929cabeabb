/* threads_lastexit.c - the main thread calls pthread_exit and the process
 * lives on in its other threads; the process ends when the last thread ends.
 * Three children show the wait status in each case (each is forked and
 * re-executes this program with the case number as argument, so its main
 * thread is a fresh one: musl 1.2.3's fork does not re-register the main
 * thread's clear-tid address, and a forked child whose main thread
 * pthread_exit()s deadlocks natively):
 *   - the last thread returns from its start routine: status 0;
 *   - the last thread calls exit(19): status 19;
 *   - the last thread calls the raw exit syscall (60) with 5: the status
 *     comes from the thread group leader, which exited with 0.
 * Then the top process itself does it: main prints, pthread_exit()s, a worker
 * thread (the last one) prints and calls exit(9): the fixture's status is 9.
 * Workers start printing only after main has printed its last line (a flag),
 * and one worker joins the other, so the output order is fixed; the last
 * worker also waits until /proc/self/status shows the main thread exited. */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int main_done;
static pid_t main_pid;
static int mode;

static void *first(void *arg)
{
    (void)arg;
    while (!main_done)
        sched_yield();
    if (mode == 3)
        printf("first worker: main has called pthread_exit, the process still runs\n");
    return (void *)42;
}

/* Waits (bounded) until the main thread has really exited: /proc/self/status
 * describes the thread group leader, whose State becomes "Z (zombie)" while
 * the other threads run on. Without this, the main thread could still be
 * unwinding in pthread_exit when this thread ends, and then the main thread
 * would be the last one. */
static void wait_for_main_exit(void)
{
    for (int n = 0; n < 100000; n++) {
        FILE *f = fopen("/proc/self/status", "r");
        if (!f)
            return;
        char line[256];
        int zombie = 0;
        while (fgets(line, sizeof line, f))
            if (strncmp(line, "State:", 6) == 0)
                zombie = strchr(line, 'Z') != NULL;
        fclose(f);
        if (zombie)
            return;
        sched_yield();
    }
}

static void *last(void *arg)
{
    pthread_t other = *(pthread_t *)arg;
    void *ret = NULL;
    int r = pthread_join(other, &ret);
    wait_for_main_exit();
    if (mode == 3) {
        printf("last worker: joined the first: %d, its value %ld\n", r, (long)ret);
        printf("last worker: getpid() still the process's pid: %s\n",
               getpid() == main_pid ? "yes" : "no");
        printf("last worker: calling exit(9)\n");
    }
    switch (mode) {
    case 0: return NULL;
    case 1: exit(19);
    case 2: fflush(stdout); syscall(SYS_exit, 5); break;
    default: exit(9);
    }
    return NULL;
}

static void scenario(void)
{
    static pthread_t a;
    pthread_t b;
    main_pid = getpid();
    main_done = 0;
    pthread_create(&a, NULL, first, NULL);
    pthread_create(&b, NULL, last, &a);
    if (mode == 3)
        printf("main: calling pthread_exit\n");
    fflush(stdout);
    main_done = 1;
    pthread_exit(NULL);
}

static void at_exit(void) { printf("atexit handler ran\n"); }

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 3 && strcmp(argv[1], "--case") == 0) {
        mode = atoi(argv[2]);
        scenario();
    }
    static const char *what[] = {"last thread returns", "last thread calls exit(19)",
                                 "last thread calls SYS_exit(5)"};
    for (mode = 0; mode < 3; mode++) {
        pid_t c = fork();
        if (c == 0) {
            char num[2] = {(char)('0' + mode), 0};
            char *args[] = {"threads_lastexit", "--case", num, NULL};
            char *env[] = {NULL};
            execve("/proc/self/exe", args, env);
            _exit(127);
        }
        int st;
        waitpid(c, &st, 0);
        if (WIFEXITED(st))
            printf("%s: exit status %d\n", what[mode], WEXITSTATUS(st));
        else
            printf("%s: killed by signal %d\n", what[mode], WTERMSIG(st));
    }
    atexit(at_exit);
    mode = 3;
    scenario();
    return 1;
}
