/* process.c - fork, pipes between parent and child, waitpid exit statuses
 * and a child killed by a signal, getppid consistency, and file descriptors
 * shared across fork. The parent waits before printing, so the output order
 * is fixed. No pids are printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/wait.h>
#include <fcntl.h>

int main(void)
{
    fflush(stdout);
    int p[2];
    if (pipe(p) != 0) {
        printf("pipe failed\n");
        return 1;
    }
    pid_t self = getpid();
    pid_t child = fork();
    if (child == 0) {
        close(p[0]);
        char msg[64];
        int n = snprintf(msg, sizeof msg, "hello from child, parent ok=%d", getppid() == self);
        if (write(p[1], msg, (size_t)n) != n)
            _exit(99);
        close(p[1]);
        _exit(5);
    }
    close(p[1]);
    char buf[128];
    ssize_t total = 0, r;
    while ((r = read(p[0], buf + total, sizeof buf - 1 - (size_t)total)) > 0)
        total += r;
    buf[total] = 0;
    close(p[0]);
    int status;
    pid_t w = waitpid(child, &status, 0);
    printf("child said: \"%s\"\n", buf);
    printf("waitpid matched=%d exited=%d status=%d\n", w == child, WIFEXITED(status), WEXITSTATUS(status));

    /* child killed by a signal */
    child = fork();
    if (child == 0) {
        raise(SIGKILL);
        _exit(0);
    }
    waitpid(child, &status, 0);
    printf("signaled=%d termsig=%d\n", WIFSIGNALED(status), WTERMSIG(status));

    /* several children, reaped in order */
    pid_t kids[4];
    for (int i = 0; i < 4; i++) {
        kids[i] = fork();
        if (kids[i] == 0)
            _exit(10 + i);
    }
    int sum = 0;
    for (int i = 0; i < 4; i++) {
        waitpid(kids[i], &status, 0);
        sum += WEXITSTATUS(status);
    }
    printf("four children exit sum=%d\n", sum);
    printf("wait with no children -> %d\n", (int)wait(&status));

    /* a file offset shared across fork */
    int fd = open("shared.txt", O_CREAT | O_TRUNC | O_RDWR, 0644);
    child = fork();
    if (child == 0) {
        if (write(fd, "child-", 6) != 6)
            _exit(1);
        _exit(0);
    }
    waitpid(child, &status, 0);
    if (write(fd, "parent", 6) != 6)
        printf("write failed\n");
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("shared file: \"%s\"\n", buf);
    close(fd);
    unlink("shared.txt");

    /* memory is copied, not shared */
    static int value = 1;
    child = fork();
    if (child == 0) {
        value = 2;
        _exit(value);
    }
    waitpid(child, &status, 0);
    printf("child saw %d, parent still has %d\n", WEXITSTATUS(status), value);

    /* stdout buffering: a flushed line is printed once, not twice */
    printf("before fork (flushed)\n");
    fflush(stdout);
    child = fork();
    if (child == 0)
        _exit(0);
    waitpid(child, &status, 0);
    printf("done\n");
    return 0;
}
