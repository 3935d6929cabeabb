/* mkfifo.c - mknod and FIFOs (fifo(7)): mkfifo and mknod of FIFOs, regular
 * files and socket names with the umask, the EEXIST/EPERM/EINVAL cases that do
 * not depend on privilege; opening a FIFO: O_NONBLOCK reads succeed at once (and
 * read EOF), O_NONBLOCK writes without a reader are ENXIO, blocking opens wait for
 * a partner in another process (both directions), O_RDWR never waits; poll shows
 * no POLLHUP before the first writer, only after one left; data flows
 * like a pipe, fstat shows the FIFO's inode, lseek is ESPIPE, unread data goes
 * when the last end closes, a signal interrupts a waiting open (EINTR) without
 * leaving a reader behind, or with SA_RESTART the open goes on waiting, and a
 * reader killed while waiting in open leaves no reader either. Prints no pids, times or paths. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void show(const char *what, long r)
{
    int e = errno;
    if (r < 0)
        printf("%-44s -> -1 %s\n", what, strerror(e));
    else
        printf("%-44s -> ok\n", what);
}

static const char *type(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return "missing";
    if (S_ISFIFO(st.st_mode))
        return "fifo";
    if (S_ISREG(st.st_mode))
        return "regular";
    if (S_ISSOCK(st.st_mode))
        return "socket";
    return "other";
}

static void describe(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        printf("  %s: missing\n", path);
        return;
    }
    printf("  %s: %s %04o size %ld\n", path, type(path), (unsigned)(st.st_mode & 07777),
           (long)st.st_size);
}

static void pause_ms(int ms)
{
    struct timespec d = {0, ms * 1000000L};
    nanosleep(&d, NULL);
}

/* poll's POLLIN and POLLHUP for `fd`, without waiting. */
static void poll_now(const char *when, int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    int n = poll(&p, 1, 0);
    printf("  poll %s: %d, IN %d, HUP %d\n", when, n, !!(p.revents & POLLIN),
           !!(p.revents & POLLHUP));
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

int main(void)
{
    char buf[64];
    long n;
    int r, w;

    setvbuf(stdout, NULL, _IONBF, 0);
    umask(022);

    /* Making names. */
    show("mkfifo ff 0666", mkfifo("ff", 0666));
    describe("ff");
    show("mkfifo ff again", mkfifo("ff", 0600));
    show("mknod reg, type 0, 0600", mknod("reg", 0600, 0));
    describe("reg");
    show("mknod reg2, S_IFREG|0640", mknod("reg2", S_IFREG | 0640, 0));
    describe("reg2");
    show("mknod sock, S_IFSOCK|0777", mknod("sock", S_IFSOCK | 0777, 0));
    describe("sock");
    show("mknod d, S_IFDIR", mknod("d", S_IFDIR | 0755, 0));
    show("mknod bad type 0170000", mknod("bad", 0170000 | 0644, 0));
    show("mknod of an existing name as a char device",
         mknod("ff", S_IFCHR | 0600, makedev(1, 3)));
    show("mknodat(AT_FDCWD, ff2, S_IFIFO)", mknodat(AT_FDCWD, "ff2", S_IFIFO | 0600, 0));
    describe("ff2");
    show("open of a socket name", open("sock", O_RDONLY));

    /* Non-blocking opens. */
    show("open ff O_WRONLY|O_NONBLOCK, no reader", open("ff", O_WRONLY | O_NONBLOCK));
    r = open("ff", O_RDONLY | O_NONBLOCK);
    show("open ff O_RDONLY|O_NONBLOCK", r);
    n = read(r, buf, sizeof buf);
    printf("  read with no writer: %ld\n", n);
    poll_now("before any writer", r);
    w = open("ff", O_WRONLY | O_NONBLOCK);
    show("open ff O_WRONLY|O_NONBLOCK, with a reader", w);
    printf("  write: %ld\n", (long)write(w, "hello", 5));
    n = read(r, buf, sizeof buf);
    printf("  read: %ld \"%.*s\"\n", n, (int)(n > 0 ? n : 0), buf);
    n = read(r, buf, sizeof buf);
    printf("  read of an empty fifo with a writer: %ld %s\n", n, n < 0 ? strerror(errno) : "");
    {
        struct stat a, b;
        fstat(r, &a);
        stat("ff", &b);
        printf("  fstat: fifo %d, same inode as the name %d, mode %04o\n", S_ISFIFO(a.st_mode),
               a.st_ino == b.st_ino && a.st_dev == b.st_dev, (unsigned)(a.st_mode & 07777));
        printf("  fcntl F_GETFL: accmode %d, O_NONBLOCK %d\n", fcntl(r, F_GETFL) & O_ACCMODE,
               !!(fcntl(r, F_GETFL) & O_NONBLOCK));
    }
    {
        long ls = (long)lseek(r, 0, SEEK_SET);
        int e = errno;
        printf("  lseek: %ld %s\n", ls, ls < 0 ? strerror(e) : "");
    }
    poll_now("with a writer, empty", r);
    close(w);
    poll_now("after the writer closed", r);
    n = read(r, buf, sizeof buf);
    printf("  read after the writer closed: %ld\n", n);
    close(r);

    /* A blocking reader waits for a writer in another process. */
    pid_t c = fork();
    if (c == 0) {
        pause_ms(50);
        int fd = open("ff", O_WRONLY);
        if (fd < 0 || write(fd, "from child", 10) != 10)
            _exit(1);
        _exit(0);
    }
    r = open("ff", O_RDONLY);
    show("blocking open O_RDONLY (child writes)", r);
    {
        long got = 0;
        while ((n = read(r, buf + got, sizeof buf - got)) > 0)
            got += n;
        printf("  read \"%.*s\", then EOF %ld\n", (int)got, buf, n);
    }
    close(r);
    waitpid(c, NULL, 0);

    /* A blocking writer waits for a reader. */
    c = fork();
    if (c == 0) {
        char b[64];
        long got = 0, k;
        pause_ms(50);
        int fd = open("ff", O_RDONLY);
        while (fd >= 0 && (k = read(fd, b + got, sizeof b - got)) > 0)
            got += k;
        _exit(got == 8 && memcmp(b, "to child", 8) == 0 ? 0 : 1);
    }
    w = open("ff", O_WRONLY);
    show("blocking open O_WRONLY (child reads)", w);
    printf("  write: %ld\n", (long)write(w, "to child", 8));
    close(w);
    {
        int st;
        waitpid(c, &st, 0);
        printf("  child read it: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }

    /* O_RDWR never waits; unread data goes with the last close. */
    w = open("ff", O_RDWR);
    show("open ff O_RDWR", w);
    printf("  write: %ld\n", (long)write(w, "self", 4));
    n = read(w, buf, sizeof buf);
    printf("  read back: %ld \"%.*s\"\n", n, (int)(n > 0 ? n : 0), buf);
    printf("  write stale: %ld\n", (long)write(w, "stale", 5));
    close(w);
    r = open("ff", O_RDONLY | O_NONBLOCK);
    n = read(r, buf, sizeof buf);
    printf("  after the last close, reopened: read %ld\n", n);
    close(r);

    /* A signal interrupts a waiting open. */
    {
        struct sigaction sa;
        struct itimerval it = {{0, 0}, {0, 50000}};
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_alarm;
        sigaction(SIGALRM, &sa, NULL);
        setitimer(ITIMER_REAL, &it, NULL);
        show("blocking open O_RDONLY, SIGALRM", open("ff", O_RDONLY));
        show("then O_WRONLY|O_NONBLOCK (no reader left)", open("ff", O_WRONLY | O_NONBLOCK));
    }

    /* With SA_RESTART the open goes on waiting after the handler. */
    {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_alarm;
        sa.sa_flags = SA_RESTART;
        sigaction(SIGALRM, &sa, NULL);
        alarms = 0;
        c = fork();
        if (c == 0) {
            pause_ms(50);
            kill(getppid(), SIGALRM);
            pause_ms(50);
            int fd = open("ff", O_WRONLY);
            if (fd < 0 || write(fd, "late", 4) != 4)
                _exit(1);
            _exit(0);
        }
        r = open("ff", O_RDONLY);
        show("blocking open O_RDONLY, SIGALRM, SA_RESTART", r);
        n = read(r, buf, sizeof buf);
        printf("  handler ran %d, read %ld \"%.*s\"\n", alarms, n, (int)(n > 0 ? n : 0), buf);
        close(r);
        waitpid(c, NULL, 0);
    }

    /* A reader killed while it waits in open leaves no reader behind. */
    c = fork();
    if (c == 0) {
        open("ff", O_RDONLY);
        _exit(0);
    }
    {
        char path[64], st[256];
        snprintf(path, sizeof path, "/proc/%d/stat", (int)c);
        for (int i = 0; i < 2000; i++) {
            int fd = open(path, O_RDONLY);
            long k = fd < 0 ? -1 : read(fd, st, sizeof st - 1);
            if (fd >= 0)
                close(fd);
            if (k > 0) {
                st[k] = 0;
                char *p = strrchr(st, ')');
                if (p && p[1] == ' ' && p[2] == 'S')
                    break;
            }
            pause_ms(1);
        }
    }
    kill(c, SIGKILL);
    waitpid(c, NULL, 0);
    show("O_WRONLY|O_NONBLOCK after the reader was killed", open("ff", O_WRONLY | O_NONBLOCK));

    show("unlink ff", unlink("ff"));
    unlink("ff2");
    unlink("reg");
    unlink("reg2");
    unlink("sock");
    return 0;
}
