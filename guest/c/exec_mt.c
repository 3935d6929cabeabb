/* exec_mt.c - execve and what survives it. (1) A secondary thread execs this
 * program while the main thread is blocked in pthread_join and another
 * thread sleeps: the other threads vanish, the new image runs with the
 * process's pid (passed in argv and compared, never printed) as its only
 * thread. (2) Descriptors: one opened with O_CLOEXEC is closed in the new
 * image, one without stays open with its file offset, FD_CLOEXEC set later
 * with fcntl is honoured. (3) The parent/child relation and the process
 * group survive exec. Each exec runs in a forked child; the parent waits. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *yn(int c) { return c ? "yes" : "no"; }

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

/* The re-executed image: argv = {name, "--after", old pid, ppid, pgrp,
 * fd kept, fd cloexec, fd fcntl-cloexec}. */
static int after(int argc, char **argv)
{
    if (argc != 8) {
        printf("  bad argc %d\n", argc);
        return 1;
    }
    pid_t old = atoi(argv[2]);
    printf("  new image: same pid as before the exec: %s\n", yn(getpid() == old));
    printf("  gettid() == getpid(): %s\n", yn(syscall(SYS_gettid) == getpid()));
    printf("  threads in /proc/self/status: %d\n", threads_in_status());
    printf("  same parent: %s\n", yn(getppid() == atoi(argv[3])));
    printf("  same process group: %s\n", yn(getpgrp() == atoi(argv[4])));
    int keep = atoi(argv[5]), cloexec = atoi(argv[6]), later = atoi(argv[7]);
    errno = 0;
    int r = fcntl(cloexec, F_GETFD);
    printf("  O_CLOEXEC descriptor: fcntl %d, %s\n", r, r < 0 ? strerror(errno) : "open");
    errno = 0;
    r = fcntl(later, F_GETFD);
    printf("  F_SETFD FD_CLOEXEC descriptor: fcntl %d, %s\n", r, r < 0 ? strerror(errno) : "open");
    r = fcntl(keep, F_GETFD);
    printf("  plain descriptor: open: %s, FD_CLOEXEC clear: %s\n", yn(r >= 0),
           yn(r >= 0 && !(r & FD_CLOEXEC)));
    char buf[64] = {0};
    ssize_t n = read(keep, buf, sizeof buf - 1);
    printf("  read from it at the inherited offset: %d bytes \"%s\"\n", (int)n, buf);
    return 40;
}

static pthread_barrier_t barrier;
static char *exec_args[9];

static void *sleeper(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&barrier);
    struct timespec ts = {30, 0};
    nanosleep(&ts, NULL);
    return NULL;
}

static void *execer(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&barrier);
    char *env[] = {NULL};
    execve("/proc/self/exe", exec_args, env);
    printf("  execve failed: %s\n", strerror(errno));
    exit(127);
}

static void report(pid_t c)
{
    int st;
    pid_t w = waitpid(c, &st, 0);
    if (w == c && WIFEXITED(st))
        printf("  exit code %d\n", WEXITSTATUS(st));
    else if (w == c && WIFSIGNALED(st))
        printf("  killed by signal %d\n", WTERMSIG(st));
    else
        printf("  waitpid failed\n");
}

/* In a forked child: set up descriptors and arguments, then exec from the
 * main thread (threaded == 0) or from a secondary thread. */
static void child(int threaded)
{
    int fd = open("data.txt", O_RDONLY);
    int fd_cloexec = open("data.txt", O_RDONLY | O_CLOEXEC);
    int fd_later = open("data.txt", O_RDONLY);
    fcntl(fd_later, F_SETFD, FD_CLOEXEC);
    char skip[7];
    if (read(fd, skip, 6) != 6) /* the new image continues at offset 6 */
        _exit(2);
    static char nums[6][16];
    snprintf(nums[0], 16, "%d", (int)getpid());
    snprintf(nums[1], 16, "%d", (int)getppid());
    snprintf(nums[2], 16, "%d", (int)getpgrp());
    snprintf(nums[3], 16, "%d", fd);
    snprintf(nums[4], 16, "%d", fd_cloexec);
    snprintf(nums[5], 16, "%d", fd_later);
    exec_args[0] = "exec_mt";
    exec_args[1] = "--after";
    for (int i = 0; i < 6; i++)
        exec_args[2 + i] = nums[i];
    exec_args[8] = NULL;
    if (!threaded) {
        char *env[] = {NULL};
        execve("/proc/self/exe", exec_args, env);
        _exit(127);
    }
    pthread_barrier_init(&barrier, NULL, 3);
    pthread_t a, b;
    pthread_create(&a, NULL, sleeper, NULL);
    pthread_create(&b, NULL, execer, NULL);
    pthread_barrier_wait(&barrier);
    pthread_join(b, NULL); /* never returns: the exec replaces us */
    _exit(126);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && strcmp(argv[1], "--after") == 0)
        return after(argc, argv);

    int fd = open("data.txt", O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0 || write(fd, "SKIPMEinherited offset", 22) != 22) {
        printf("cannot create data.txt\n");
        return 1;
    }
    close(fd);

    printf("exec from the main thread:\n");
    pid_t c = fork();
    if (c == 0)
        child(0);
    report(c);

    printf("exec from a secondary thread (main in pthread_join, another asleep):\n");
    c = fork();
    if (c == 0)
        child(1);
    report(c);

    unlink("data.txt");
    return 0;
}
