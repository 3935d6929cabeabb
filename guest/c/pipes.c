/* pipes.c - pipes between processes: a multi-megabyte transfer checked by a
 * hash, EOF when the last writer closes (also in another process), EPIPE and
 * SIGPIPE's default action (the writer dies, the parent sees signal 13),
 * O_NONBLOCK and EAGAIN, the 64 KiB capacity (4096-byte and 1000-byte
 * writes), F_GETPIPE_SZ/F_SETPIPE_SZ, PIPE_BUF atomicity with two writers,
 * FIONREAD, fstat (S_IFIFO), /proc/self/fd readlink and re-open, pipe2 flags,
 * fcntl F_GETFL/F_SETFL/F_GETFD/F_DUPFD_CLOEXEC, and a three-process pipeline
 * built with dup2. No pids or inode numbers are printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <unistd.h>

static uint32_t hash_step(uint32_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static unsigned char pattern(size_t i)
{
    return (unsigned char)((i * 131) ^ (i >> 9));
}

static void big_transfer(void)
{
    enum { TOTAL = 3 * 1024 * 1024 + 777 };
    int p[2];
    if (pipe(p) != 0) {
        printf("pipe failed\n");
        exit(1);
    }
    pid_t c = fork();
    if (c == 0) {
        close(p[0]);
        static unsigned char buf[100000];
        size_t sent = 0;
        while (sent < TOTAL) {
            size_t n = sizeof buf;
            if (n > TOTAL - sent)
                n = TOTAL - sent;
            for (size_t i = 0; i < n; i++)
                buf[i] = pattern(sent + i);
            ssize_t w = write(p[1], buf, n);
            if (w != (ssize_t)n)
                _exit(2); /* a blocking pipe write writes everything */
            sent += n;
        }
        _exit(0);
    }
    close(p[1]);
    static unsigned char rb[70000];
    size_t got = 0, reads = 0, bad = 0;
    uint32_t h = 2166136261u, want = 2166136261u;
    ssize_t r;
    while ((r = read(p[0], rb, sizeof rb)) > 0) {
        for (ssize_t i = 0; i < r; i++)
            if (rb[i] != pattern(got + (size_t)i))
                bad++;
        h = hash_step(h, rb, (size_t)r);
        got += (size_t)r;
        reads++;
    }
    for (size_t i = 0; i < TOTAL; i++) {
        unsigned char b = pattern(i);
        want = hash_step(want, &b, 1);
    }
    int st;
    waitpid(c, &st, 0);
    printf("transfer: %zu bytes, hash ok=%d, mismatches=%zu, more than one read=%d, eof r=%zd\n", got, h == want,
           bad, reads > 1, r);
    printf("writer exited=%d status=%d\n", WIFEXITED(st), WEXITSTATUS(st));
    close(p[0]);
}

static void eof_and_epipe(void)
{
    int p[2];
    pipe(p);
    /* a child holds the write end too: EOF only after both are closed */
    pid_t c = fork();
    if (c == 0) {
        close(p[0]);
        write(p[1], "late", 4);
        close(p[1]);
        _exit(0);
    }
    close(p[1]);
    char buf[16];
    ssize_t total = 0, r;
    while ((r = read(p[0], buf + total, sizeof buf - (size_t)total)) > 0)
        total += r;
    waitpid(c, NULL, 0);
    printf("eof after child closed: read %zd bytes \"%.*s\", last r=%zd\n", total, (int)total, buf, r);
    r = read(p[0], buf, sizeof buf);
    printf("read at eof again -> %zd\n", r);
    close(p[0]);

    /* no readers: the writer gets SIGPIPE (default action: it dies) */
    pipe(p);
    close(p[0]);
    c = fork();
    if (c == 0) {
        write(p[1], "x", 1);
        _exit(0); /* not reached */
    }
    close(p[1]);
    int st;
    waitpid(c, &st, 0);
    printf("writer with no reader: signaled=%d sig=%d\n", WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : 0);

    /* the reader closes while the writer is blocked on a full pipe */
    pipe(p);
    c = fork();
    if (c == 0) {
        close(p[0]);
        static char big[200000];
        write(p[1], big, sizeof big);
        _exit(3);
    }
    close(p[1]);
    char small[1000];
    size_t got = 0;
    while (got < 3000) {
        ssize_t n = read(p[0], small, sizeof small);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(p[0]);
    waitpid(c, &st, 0);
    printf("blocked writer after reader closed: signaled=%d sig=%d\n", WIFSIGNALED(st),
           WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static void nonblocking(void)
{
    int p[2];
    if (pipe2(p, O_NONBLOCK) != 0) {
        printf("pipe2 failed\n");
        return;
    }
    char buf[4096];
    memset(buf, 'a', sizeof buf);
    errno = 0;
    ssize_t r = read(p[0], buf, 10);
    printf("empty nonblocking read -> %zd errno=%s\n", r, errno == EAGAIN ? "EAGAIN" : strerror(errno));
    printf("F_GETPIPE_SZ = %d\n", fcntl(p[1], F_GETPIPE_SZ));
    long total = 0;
    int writes = 0;
    while ((r = write(p[1], buf, 4096)) > 0) {
        total += r;
        writes++;
    }
    int e = errno;
    printf("4096-byte writes until full: %d writes, %ld bytes, then errno=%s\n", writes, total,
           e == EAGAIN ? "EAGAIN" : strerror(e));
    int avail = -1;
    ioctl(p[0], FIONREAD, &avail);
    printf("FIONREAD = %d\n", avail);
    /* a small write into a full pipe is not split */
    errno = 0;
    r = write(p[1], buf, 10);
    e = errno;
    printf("small write into full pipe -> %zd errno=%s\n", r, e == EAGAIN ? "EAGAIN" : strerror(e));
    /* drain */
    long drained = 0;
    while ((r = read(p[0], buf, sizeof buf)) > 0)
        drained += r;
    printf("drained %ld\n", drained);

    /* 1000-byte writes: four share a page, the fifth takes a new one */
    total = 0;
    writes = 0;
    while ((r = write(p[1], buf, 1000)) > 0) {
        total += r;
        writes++;
    }
    printf("1000-byte writes until full: %d writes, %ld bytes\n", writes, total);
    while (read(p[0], buf, sizeof buf) > 0)
        ;
    /* a large write into a pipe with room for part of it is partial */
    r = write(p[1], buf, 4096);
    static char huge[100000];
    ssize_t w = write(p[1], huge, sizeof huge);
    printf("100000-byte nonblocking write after 4096 -> %zd\n", w);
    while (read(p[0], buf, sizeof buf) > 0)
        ;

    /* F_SETPIPE_SZ rounds up to a power of two pages */
    int set = fcntl(p[1], F_SETPIPE_SZ, 10000);
    int now = fcntl(p[0], F_GETPIPE_SZ);
    printf("F_SETPIPE_SZ(10000) -> %d, now %d\n", set, now);
    total = 0;
    while ((r = write(p[1], buf, 4096)) > 0)
        total += r;
    printf("capacity after resize: %ld\n", total);
    errno = 0;
    r = fcntl(p[1], F_SETPIPE_SZ, 4096);
    e = errno;
    printf("shrink below contents -> %zd errno=%s\n", r, e == EBUSY ? "EBUSY" : strerror(e));
    errno = 0;
    r = fcntl(p[1], F_SETPIPE_SZ, 1 << 21);
    e = errno;
    printf("grow past pipe-max-size refused unless privileged: %d\n",
           (r < 0 && e == EPERM) || (getuid() == 0 && r == 1 << 21));
    errno = 0;
    r = fcntl(p[1], F_SETPIPE_SZ, 0x90000000u);
    e = errno;
    printf("F_SETPIPE_SZ past 2^31 -> %zd errno=%s\n", r, e == EINVAL ? "EINVAL" : strerror(e));
    close(p[0]);
    close(p[1]);
}

static void flags_and_names(void)
{
    int p[2];
    pipe2(p, O_CLOEXEC);
    printf("pipe2(O_CLOEXEC): FD_CLOEXEC r=%d w=%d\n", fcntl(p[0], F_GETFD), fcntl(p[1], F_GETFD));
    int fl0 = fcntl(p[0], F_GETFL), fl1 = fcntl(p[1], F_GETFL);
    printf("F_GETFL r=%#o w=%#o\n", fl0, fl1);
    fcntl(p[0], F_SETFL, fl0 | O_NONBLOCK);
    printf("after F_SETFL O_NONBLOCK: r=%#o\n", fcntl(p[0], F_GETFL));
    char c;
    errno = 0;
    ssize_t r = read(p[0], &c, 1);
    printf("read -> %zd %s\n", r, errno == EAGAIN ? "EAGAIN" : strerror(errno));
    fcntl(p[0], F_SETFL, fl0);
    int d = fcntl(p[1], F_DUPFD_CLOEXEC, 10);
    printf("F_DUPFD_CLOEXEC >= 10: %d, cloexec=%d, shares flags=%d\n", d >= 10, fcntl(d, F_GETFD),
           fcntl(d, F_GETFL) == fl1);
    int d2 = fcntl(p[1], F_DUPFD, 0);
    printf("F_DUPFD cloexec=%d\n", fcntl(d2, F_GETFD));
    fcntl(d2, F_SETFD, FD_CLOEXEC);
    printf("F_SETFD -> cloexec=%d\n", fcntl(d2, F_GETFD));

    struct stat st;
    fstat(p[0], &st);
    printf("fstat: fifo=%d mode=%o nlink=%ld size=%ld\n", S_ISFIFO(st.st_mode), st.st_mode & 0777,
           (long)st.st_nlink, (long)st.st_size);
    struct stat st2;
    fstat(p[1], &st2);
    printf("both ends same inode=%d\n", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
    char path[64], link[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
    ssize_t n = readlink(path, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    char want[64];
    snprintf(want, sizeof want, "pipe:[%lu]", (unsigned long)st.st_ino);
    printf("readlink starts with pipe:[ %d, names the inode %d\n", strncmp(link, "pipe:[", 6) == 0,
           strcmp(link, want) == 0);
    struct stat st3;
    stat(path, &st3);
    printf("stat through /proc/self/fd: same inode=%d\n", st3.st_ino == st.st_ino);

    /* re-open the write end through /proc/self/fd and write through it */
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
    int w2 = open(path, O_WRONLY);
    printf("re-open write end: ok=%d\n", w2 >= 0);
    write(w2, "via proc", 8);
    char buf[16] = {0};
    n = read(p[0], buf, sizeof buf - 1);
    printf("read back: %zd \"%s\"\n", n, buf);
    close(p[1]);
    close(d);
    close(d2);
    /* the re-opened description still counts as a writer */
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    errno = 0;
    n = read(p[0], buf, 1);
    printf("with the re-opened writer: %zd %s\n", n, errno == EAGAIN ? "EAGAIN" : "other");
    close(w2);
    n = read(p[0], buf, 1);
    printf("after closing it: %zd (EOF)\n", n);
    errno = 0;
    off_t o = lseek(p[0], 0, SEEK_CUR);
    int e = errno;
    printf("lseek on pipe -> %ld errno=%s\n", (long)o, e == ESPIPE ? "ESPIPE" : strerror(e));
    errno = 0;
    n = pread(p[0], buf, 1, 0);
    e = errno;
    printf("pread on pipe -> %zd errno=%s\n", n, e == ESPIPE ? "ESPIPE" : strerror(e));
    close(p[0]);
}

static void atomic_writers(void)
{
    int p[2];
    pipe(p);
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            close(p[0]);
            char msg[PIPE_BUF];
            memset(msg, k ? 'B' : 'A', sizeof msg);
            for (int i = 0; i < 40; i++)
                if (write(p[1], msg, sizeof msg) != sizeof msg)
                    _exit(1);
            _exit(0);
        }
    }
    close(p[1]);
    static char all[2 * 40 * PIPE_BUF];
    size_t got = 0;
    ssize_t r;
    while ((r = read(p[0], all + got, sizeof all - got)) > 0)
        got += (size_t)r;
    close(p[0]);
    int torn = 0, as = 0, bs = 0;
    for (size_t i = 0; i < got; i += PIPE_BUF) {
        char c0 = all[i];
        for (size_t j = 1; j < PIPE_BUF; j++)
            if (all[i + j] != c0)
                torn++;
        if (c0 == 'A')
            as++;
        else
            bs++;
    }
    for (int k = 0; k < 2; k++)
        waitpid(kids[k], NULL, 0);
    printf("two writers of PIPE_BUF blocks: %zu bytes, A=%d B=%d torn=%d\n", got, as, bs, torn);
}

/* producer | filter | parent: numbers, squared by the filter, summed */
static void pipeline(void)
{
    int a[2], b[2];
    pipe(a);
    pipe(b);
    pid_t p1 = fork();
    if (p1 == 0) {
        dup2(a[1], 1);
        close(a[0]);
        close(a[1]);
        close(b[0]);
        close(b[1]);
        for (int i = 1; i <= 2000; i++)
            printf("%d\n", i);
        fflush(stdout);
        _exit(0);
    }
    pid_t p2 = fork();
    if (p2 == 0) {
        dup2(a[0], 0);
        dup2(b[1], 1);
        close(a[0]);
        close(a[1]);
        close(b[0]);
        close(b[1]);
        char line[64];
        long n = 0;
        while (fgets(line, sizeof line, stdin)) {
            long v = atol(line);
            printf("%ld\n", v * v);
            n++;
        }
        fprintf(stdout, "lines %ld\n", n);
        fflush(stdout);
        _exit(0);
    }
    close(a[0]);
    close(a[1]);
    close(b[1]);
    FILE *in = fdopen(b[0], "r");
    char line[64];
    long long sum = 0;
    long count = 0;
    char last[64] = "";
    while (fgets(line, sizeof line, in)) {
        if (strncmp(line, "lines", 5) == 0) {
            strcpy(last, line);
            continue;
        }
        sum += atoll(line);
        count++;
    }
    fclose(in);
    int s1, s2;
    waitpid(p1, &s1, 0);
    waitpid(p2, &s2, 0);
    printf("pipeline: %ld squares, sum %lld, filter said %s", count, sum, last);
    printf("pipeline statuses %d %d\n", WEXITSTATUS(s1), WEXITSTATUS(s2));
}

/* RLIMIT_NOFILE bounds the descriptor numbers: allocation stops with EMFILE at
 * it, pipe(2) needing two with only one free fails and leaves the free one
 * free, dup2 and F_DUPFD beyond it fail with EBADF and EINVAL. */
static void descriptor_limit(void)
{
    struct rlimit old, rl;
    getrlimit(RLIMIT_NOFILE, &old);
    rl = old;
    rl.rlim_cur = 32;
    setrlimit(RLIMIT_NOFILE, &rl);
    int base = open("/dev/null", O_RDONLY);
    int fds[40], n = 0, fd;
    errno = 0;
    while (n < 40 && (fd = dup(base)) >= 0)
        fds[n++] = fd;
    printf("dup up to the limit: stopped with %s, highest %d\n",
           errno == EMFILE ? "EMFILE" : strerror(errno), n ? fds[n - 1] : -1);
    close(fds[--n]);
    int p[2];
    errno = 0;
    int r = pipe(p);
    printf("pipe with one descriptor free -> %d errno=%s\n", r,
           errno == EMFILE ? "EMFILE" : strerror(errno));
    fd = dup(base);
    printf("the free descriptor is still free: %s\n", fd == 31 ? "yes" : "no");
    if (fd >= 0)
        fds[n++] = fd;
    errno = 0;
    r = dup2(base, 32);
    printf("dup2 to the limit -> %d errno=%s\n", r, errno == EBADF ? "EBADF" : strerror(errno));
    errno = 0;
    r = fcntl(base, F_DUPFD, 32);
    printf("F_DUPFD from the limit -> %d errno=%s\n", r,
           errno == EINVAL ? "EINVAL" : strerror(errno));
    errno = 0;
    r = fcntl(base, F_DUPFD, 31);
    printf("F_DUPFD with none free -> %d errno=%s\n", r,
           errno == EMFILE ? "EMFILE" : strerror(errno));
    while (n > 0)
        close(fds[--n]);
    close(base);
    setrlimit(RLIMIT_NOFILE, &old);
    r = pipe(p);
    printf("after restoring the limit, pipe -> %d\n", r);
    if (r == 0) {
        close(p[0]);
        close(p[1]);
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    big_transfer();
    eof_and_epipe();
    nonblocking();
    flags_and_names();
    atomic_writers();
    pipeline();
    int p[2];
    errno = 0;
    int r = pipe2(p, 0x40000000);
    printf("pipe2 bad flags -> %d errno=%s\n", r, errno == EINVAL ? "EINVAL" : strerror(errno));
    errno = 0;
    r = pipe((int *)8);
    printf("pipe bad pointer -> %d errno=%s\n", r, errno == EFAULT ? "EFAULT" : strerror(errno));
    descriptor_limit();
    return 0;
}
