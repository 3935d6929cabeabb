/* polling.c - poll, ppoll, select and pselect over pipes, a socketpair, an
 * eventfd, regular files and /dev/null: readiness (POLLIN/POLLOUT/POLLHUP/
 * POLLERR/POLLNVAL), timeouts that expire (and select's timeval set to zero),
 * a wakeup by a child writing after a delay while the parent sleeps in poll,
 * fd_set results, bad descriptors (EBADF for select) and argument errors.
 * Only deterministic facts are printed (no times beyond "expired"). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *ev(short r)
{
    static char buf[8][64];
    static int k;
    char *b = buf[k++ % 8];
    b[0] = 0;
    if (r & POLLIN)
        strcat(b, "IN ");
    if (r & POLLPRI)
        strcat(b, "PRI ");
    if (r & POLLOUT)
        strcat(b, "OUT ");
    if (r & POLLERR)
        strcat(b, "ERR ");
    if (r & POLLHUP)
        strcat(b, "HUP ");
    if (r & POLLNVAL)
        strcat(b, "NVAL ");
    if (r & POLLRDHUP)
        strcat(b, "RDHUP ");
    if (!b[0])
        strcpy(b, "- ");
    return b;
}

static long ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void pipes(void)
{
    int p[2];
    pipe(p);
    struct pollfd f[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
    int n = poll(f, 2, 0);
    printf("empty pipe: n=%d r=%s w=%s\n", n, ev(f[0].revents), ev(f[1].revents));
    write(p[1], "x", 1);
    f[0].revents = f[1].revents = 0;
    n = poll(f, 2, 0);
    printf("one byte: n=%d r=%s w=%s\n", n, ev(f[0].revents), ev(f[1].revents));
    /* fill it: the write end is no longer writable */
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    char buf[4096] = {0};
    while (write(p[1], buf, sizeof buf) > 0)
        ;
    n = poll(&f[1], 1, 0);
    printf("full pipe: n=%d w=%s\n", n, ev(f[1].revents));
    close(p[1]);
    n = poll(f, 1, 0);
    printf("writer closed with data: n=%d r=%s\n", n, ev(f[0].revents));
    while (read(p[0], buf, sizeof buf) > 0)
        ;
    n = poll(f, 1, 0);
    printf("writer closed, drained: n=%d r=%s\n", n, ev(f[0].revents));
    close(p[0]);

    pipe(p);
    close(p[0]);
    struct pollfd g = {p[1], POLLOUT, 0};
    n = poll(&g, 1, 0);
    printf("reader closed: n=%d w=%s\n", n, ev(g.revents));
    close(p[1]);

    /* events not asked for are not reported, except ERR/HUP/NVAL */
    pipe(p);
    write(p[1], "y", 1);
    struct pollfd h[3] = {{p[0], 0, 0}, {-1, POLLIN, 0}, {p[1] + 100, POLLIN, 0}};
    n = poll(h, 3, 0);
    printf("no events asked: n=%d r=%s negative fd=%s closed fd=%s\n", n, ev(h[0].revents), ev(h[1].revents),
           ev(h[2].revents));
    close(p[0]);
    close(p[1]);
}

static void timeouts(void)
{
    int p[2];
    pipe(p);
    struct pollfd f = {p[0], POLLIN, 0};
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int n = poll(&f, 1, 50);
    long el = ms_since(&t0);
    printf("poll 50ms timeout: n=%d waited>=50ms %d\n", n, el >= 49);

    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct timespec ts = {0, 30 * 1000000};
    n = ppoll(&f, 1, &ts, NULL);
    el = ms_since(&t0);
    printf("ppoll 30ms timeout: n=%d waited>=30ms %d left=%ld.%09ld\n", n, el >= 29, (long)ts.tv_sec, ts.tv_nsec);

    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    struct timeval tv = {0, 40000};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    n = select(p[0] + 1, &rs, NULL, NULL, &tv);
    el = ms_since(&t0);
    printf("select 40ms timeout: n=%d waited>=40ms %d isset=%d tv=%ld.%06ld\n", n, el >= 39, FD_ISSET(p[0], &rs),
           (long)tv.tv_sec, (long)tv.tv_usec);

    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    ts.tv_sec = 0;
    ts.tv_nsec = 20 * 1000000;
    n = pselect(p[0] + 1, &rs, NULL, NULL, &ts, NULL);
    printf("pselect 20ms timeout: n=%d isset=%d\n", n, FD_ISSET(p[0], &rs));

    /* select with only a timeout sleeps */
    tv.tv_sec = 0;
    tv.tv_usec = 20000;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    n = select(0, NULL, NULL, NULL, &tv);
    el = ms_since(&t0);
    printf("select as sleep: n=%d waited>=20ms %d\n", n, el >= 19);

    /* a child writes after 30 ms: the parent's infinite poll wakes */
    pid_t c = fork();
    if (c == 0) {
        struct timespec d = {0, 30 * 1000000};
        nanosleep(&d, NULL);
        write(p[1], "wake", 4);
        _exit(0);
    }
    f.revents = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    n = poll(&f, 1, -1);
    el = ms_since(&t0);
    char buf[8] = {0};
    read(p[0], buf, sizeof buf - 1);
    printf("woken by child: n=%d r=%s waited>=25ms %d data=%s\n", n, ev(f.revents), el >= 25, buf);
    waitpid(c, NULL, 0);

    /* a child closes its write end: select's read set reports EOF */
    close(p[1]);
    pipe(p + 0);
    int q[2];
    pipe(q);
    c = fork();
    if (c == 0) {
        close(q[0]);
        struct timespec d = {0, 20 * 1000000};
        nanosleep(&d, NULL);
        _exit(0); /* closes q[1] */
    }
    close(q[1]);
    FD_ZERO(&rs);
    FD_SET(q[0], &rs);
    FD_SET(p[0], &rs);
    int maxfd = q[0] > p[0] ? q[0] : p[0];
    n = select(maxfd + 1, &rs, NULL, NULL, NULL);
    printf("select after child exit: n=%d q-ready=%d other-ready=%d read->%zd\n", n, FD_ISSET(q[0], &rs),
           FD_ISSET(p[0], &rs), read(q[0], buf, 1));
    waitpid(c, NULL, 0);
    close(q[0]);
    close(p[0]);
    close(p[1]);
}

static void others(void)
{
    int fd = open("poll_file.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    int nul = open("/dev/null", O_RDONLY);
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    int efd = eventfd(0, EFD_NONBLOCK);
    struct pollfd f[5] = {
        {fd, POLLIN | POLLOUT, 0},
        {nul, POLLIN | POLLOUT, 0},
        {sv[0], POLLIN | POLLOUT, 0},
        {efd, POLLIN | POLLOUT, 0},
        {sv[1], POLLIN, 0},
    };
    int n = poll(f, 5, 0);
    printf("file=%s null=%s sock=%s eventfd=%s peer=%s n=%d\n", ev(f[0].revents), ev(f[1].revents), ev(f[2].revents),
           ev(f[3].revents), ev(f[4].revents), n);
    write(sv[0], "hi", 2);
    uint64_t one = 1;
    write(efd, &one, 8);
    n = poll(f, 5, 0);
    printf("after writes: eventfd=%s peer=%s n=%d\n", ev(f[3].revents), ev(f[4].revents), n);
    shutdown(sv[0], SHUT_WR);
    f[4].events = POLLIN | POLLRDHUP;
    n = poll(&f[4], 1, 0);
    printf("peer after SHUT_WR: %s\n", ev(f[4].revents));
    close(sv[0]);
    f[4].events = POLLIN | POLLOUT;
    n = poll(&f[4], 1, 0);
    printf("peer after close: %s\n", ev(f[4].revents));

    fd_set rs, ws;
    FD_ZERO(&rs);
    FD_ZERO(&ws);
    FD_SET(fd, &rs);
    FD_SET(fd, &ws);
    FD_SET(nul, &ws);
    n = select((fd > nul ? fd : nul) + 1, &rs, &ws, NULL, NULL);
    printf("select file+null: n=%d r=%d w=%d nullw=%d\n", n, FD_ISSET(fd, &rs), FD_ISSET(fd, &ws), FD_ISSET(nul, &ws));

    close(sv[1]);
    close(efd);
    close(nul);
    FD_ZERO(&rs);
    FD_SET(nul, &rs);
    errno = 0;
    struct timeval tv = {0, 0};
    n = select(nul + 1, &rs, NULL, NULL, &tv);
    printf("select closed fd -> %d %s\n", n, errno == EBADF ? "EBADF" : strerror(errno));
    errno = 0;
    n = select(-1, NULL, NULL, NULL, &tv);
    printf("select nfds<0 -> %d %s\n", n, errno == EINVAL ? "EINVAL" : strerror(errno));
    tv.tv_sec = -1;
    errno = 0;
    n = select(0, NULL, NULL, NULL, &tv);
    printf("select negative timeval -> %d %s\n", n, errno == EINVAL ? "EINVAL" : "other");
    struct timespec bad = {0, 1000000000};
    errno = 0;
    n = ppoll(f, 1, &bad, NULL);
    printf("ppoll bad timespec -> %d %s\n", n, errno == EINVAL ? "EINVAL" : strerror(errno));
    errno = 0;
    n = poll((struct pollfd *)8, 1, 0);
    printf("poll bad pointer -> %d %s\n", n, errno == EFAULT ? "EFAULT" : strerror(errno));
    n = poll(NULL, 0, 10);
    printf("poll nothing with 10ms -> %d\n", n);
    close(fd);
    unlink("poll_file.txt");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    pipes();
    timeouts();
    others();
    return 0;
}
