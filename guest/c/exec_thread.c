/* exec_thread.c - execve from a secondary thread of the process itself (not
 * of a forked child), while the main thread sleeps in pause() and another
 * thread waits on a condition variable that is never signalled. The new image
 * runs as the process's only thread with TID == PID, the process ID it had
 * (passed in argv and compared, never printed), its arguments, and
 * descriptors without O_CLOEXEC; it can make threads of its own again. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *yn(int c) { return c ? "yes" : "no"; }

static pid_t tid(void) { return (pid_t)syscall(SYS_gettid); }

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

static void *waiter(void *a)
{
    (void)a;
    pthread_mutex_lock(&mu);
    for (;;)
        pthread_cond_wait(&never, &mu);
    return NULL;
}

static int kept_fd = -1;

static void *execer(void *a)
{
    (void)a;
    printf("execing thread: tid != pid: %s\n", yn(tid() != getpid()));
    fflush(stdout);
    char pid[16], fd[16];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    snprintf(fd, sizeof fd, "%d", kept_fd);
    execl("/proc/self/exe", "exec_thread", "again", pid, fd, (char *)NULL);
    perror("execl");
    exit(1);
}

static void *joinable(void *a)
{
    return (void *)((long)a * 3);
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "again") == 0) {
        printf("new image: argv[0]=%s, pid kept: %s, tid == pid: %s\n", argv[0],
               yn(atoi(argv[2]) == getpid()), yn(tid() == getpid()));
        char buf[8] = {0};
        ssize_t n = read(atoi(argv[3]), buf, 5);
        printf("descriptor kept across exec reads %zd: %s\n", n, buf);
        pthread_t t;
        void *r = NULL;
        int e = pthread_create(&t, NULL, joinable, (void *)14L);
        if (e == 0)
            pthread_join(t, &r);
        printf("a new thread in the new image: %d, returned %ld\n", e, (long)r);
        return 7;
    }
    int p[2];
    if (pipe(p) != 0)
        return 1;
    if (write(p[1], "hello", 5) != 5)
        return 1;
    kept_fd = p[0];
    pthread_t w, x;
    pthread_create(&w, NULL, waiter, NULL);
    pthread_create(&x, NULL, execer, NULL);
    for (;;)
        pause();
}
