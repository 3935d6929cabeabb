/* fork_in_thread.c - a secondary thread forks while the main thread is
 * blocked in pthread_join and another thread is blocked on a condition
 * variable. The child contains only the forking thread: gettid() == getpid(),
 * /proc/self/status says one thread, the forking thread's TLS values came
 * along, malloc and stdio work (their locks were not left held by the
 * threads that did not survive), and the child can create and join threads
 * of its own. The forking thread waits for the child and reports; then the
 * parent's threads carry on. Only one thread prints at a time. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static __thread int tls_value = 1;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int released;
static pid_t main_pid;

static const char *yn(int c) { return c ? "yes" : "no"; }

static pid_t my_tid(void) { return (pid_t)syscall(SYS_gettid); }

static int threads_in_status(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    int n = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "Threads:", 8) == 0)
            n = atoi(line + 8);
    fclose(f);
    return n;
}

static void *child_thread(void *arg)
{
    return (void *)((long)arg * 2);
}

static void *waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    while (!released)
        pthread_cond_wait(&cv, &m);
    pthread_mutex_unlock(&m);
    return (void *)7;
}

static void *forker(void *arg)
{
    (void)arg;
    tls_value = 42;
    pid_t parent_tid = my_tid();
    /* Hold a malloc'd block and keep stdio busy around the fork. */
    char *before = malloc(100);
    strcpy(before, "allocated before fork");
    printf("forking thread: tid differs from the process pid: %s\n",
           yn(parent_tid != main_pid));
    printf("forking thread: threads in /proc/self/status: %d\n", threads_in_status());
    fflush(stdout);

    pid_t c = fork();
    if (c == 0) {
        pid_t me = getpid();
        printf("child: gettid() == getpid(): %s\n", yn(my_tid() == me));
        printf("child: getpid() differs from the parent's: %s\n", yn(me != main_pid));
        printf("child: getppid() is the parent process (not the thread id): %s\n",
               yn(getppid() == main_pid));
        printf("child: threads in /proc/self/status: %d\n", threads_in_status());
        printf("child: TLS value of the forking thread: %d\n", tls_value);
        printf("child: block from before the fork: %s\n", before);
        char *p[64];
        for (int i = 0; i < 64; i++) {
            p[i] = malloc(1000 + i * 100);
            memset(p[i], i, 1000);
        }
        for (int i = 0; i < 64; i++)
            free(p[i]);
        printf("child: malloc/free after fork work\n");
        pthread_t t;
        void *ret = NULL;
        int r1 = pthread_create(&t, NULL, child_thread, (void *)21);
        int r2 = pthread_join(t, &ret);
        printf("child: pthread_create %d, join %d, result %ld\n", r1, r2, (long)ret);
        exit(12);
    }
    int st = 0;
    pid_t w = waitpid(c, &st, 0);
    printf("forking thread: waitpid got the child: %s, exit code %d\n", yn(w == c),
           WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    printf("forking thread: TLS value still %d, block \"%s\"\n", tls_value, before);
    free(before);

    /* Let the condvar waiter go. */
    pthread_mutex_lock(&m);
    released = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&m);
    return (void *)5;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    main_pid = getpid();
    tls_value = 2;
    pthread_t tw, tf;
    pthread_create(&tw, NULL, waiter, NULL);
    pthread_create(&tf, NULL, forker, NULL);
    void *rf = NULL, *rw = NULL;
    pthread_join(tf, &rf);
    pthread_join(tw, &rw);
    printf("main: forking thread returned %ld, waiter returned %ld\n", (long)rf, (long)rw);
    printf("main: own TLS value %d\n", tls_value);

    /* Now the reverse: the main thread forks while another thread exists. */
    released = 0;
    pthread_create(&tw, NULL, waiter, NULL);
    pid_t c = fork();
    if (c == 0) {
        printf("child of main: threads in /proc/self/status: %d\n", threads_in_status());
        _exit(3);
    }
    int st;
    waitpid(c, &st, 0);
    printf("main: child exit code %d\n", WEXITSTATUS(st));
    pthread_mutex_lock(&m);
    released = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&m);
    pthread_join(tw, &rw);
    printf("main: waiter returned %ld\n", (long)rw);
    return 0;
}
