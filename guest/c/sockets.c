/* sockets.c - socketpair(AF_UNIX) and eventfd: an echo server in a child,
 * a large transfer in both directions, sendto/recvfrom with no address,
 * sendmsg/recvmsg with iovecs, MSG_PEEK, MSG_DONTWAIT, shutdown(SHUT_WR/
 * SHUT_RD), EPIPE with MSG_NOSIGNAL, SOCK_SEQPACKET boundaries, socket
 * options; eventfd counting, EFD_SEMAPHORE, EFD_NONBLOCK, overflow and a child
 * blocked in read woken by its parent. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *en(int e)
{
    switch (e) {
    case 0:
        return "ok";
    case EAGAIN:
        return "EAGAIN";
    case EPIPE:
        return "EPIPE";
    case EINVAL:
        return "EINVAL";
    case ENOTSOCK:
        return "ENOTSOCK";
    case EBADF:
        return "EBADF";
    case EISCONN:
        return "EISCONN";
    default:
        return "other";
    }
}

static void echo(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        printf("socketpair failed\n");
        exit(1);
    }
    pid_t c = fork();
    if (c == 0) {
        close(sv[0]);
        char buf[8192];
        ssize_t n;
        long total = 0;
        while ((n = read(sv[1], buf, sizeof buf)) > 0) {
            for (ssize_t i = 0; i < n; i++)
                if (buf[i] >= 'a' && buf[i] <= 'z')
                    buf[i] -= 32;
            if (write(sv[1], buf, (size_t)n) != n)
                _exit(2);
            total += n;
        }
        _exit(total > 0 ? 0 : 3);
    }
    close(sv[1]);
    const char *msgs[] = {"hello", "socket pair", "echo server"};
    for (int i = 0; i < 3; i++) {
        send(sv[0], msgs[i], strlen(msgs[i]), 0);
        char buf[64] = {0};
        size_t got = 0;
        while (got < strlen(msgs[i])) {
            ssize_t n = recv(sv[0], buf + got, sizeof buf - 1 - got, 0);
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        printf("echo %d: %s\n", i, buf);
    }
    /* a large transfer, interleaving writes and reads so neither side fills up */
    static char out[300000], in[300000];
    for (size_t i = 0; i < sizeof out; i++)
        out[i] = (char)('a' + i % 26);
    size_t sent = 0, got = 0;
    while (got < sizeof out) {
        if (sent < sizeof out) {
            size_t n = sizeof out - sent > 16384 ? 16384 : sizeof out - sent;
            ssize_t w = write(sv[0], out + sent, n);
            if (w > 0)
                sent += (size_t)w;
        }
        ssize_t r = read(sv[0], in + got, sizeof in - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    int ok = 1;
    for (size_t i = 0; i < got; i++)
        if (in[i] != out[i] - 32)
            ok = 0;
    printf("bulk: sent %zu got %zu upper-cased ok=%d\n", sent, got, ok);
    shutdown(sv[0], SHUT_WR);
    char b;
    ssize_t r = read(sv[0], &b, 1);
    int st;
    waitpid(c, &st, 0);
    printf("after SHUT_WR: server saw EOF and closed, read -> %zd, status %d\n", r, WEXITSTATUS(st));
    close(sv[0]);
}

static void calls(void)
{
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv);
    printf("flags: cloexec=%d nonblock=%d rdwr=%d\n", fcntl(sv[0], F_GETFD), (fcntl(sv[0], F_GETFL) & O_NONBLOCK) != 0,
           (fcntl(sv[1], F_GETFL) & O_ACCMODE) == O_RDWR);
    char buf[64];
    errno = 0;
    ssize_t n = recv(sv[0], buf, sizeof buf, 0);
    printf("empty recv -> %zd %s\n", n, en(errno));
    n = sendto(sv[0], "datagram-ish", 12, 0, NULL, 0);
    printf("sendto NULL addr -> %zd\n", n);
    int avail = -1;
    ioctl(sv[1], FIONREAD, &avail);
    printf("FIONREAD %d\n", avail);
    n = recv(sv[1], buf, 4, MSG_PEEK);
    printf("peek %zd: %.4s\n", n, buf);
    struct sockaddr_un from;
    socklen_t fl = sizeof from;
    memset(&from, 0x55, sizeof from);
    n = recvfrom(sv[1], buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
    printf("recvfrom %zd: %.*s addrlen=%d family=%d\n", n, (int)n, buf, (int)fl, from.sun_family);
    /* The ends of a pair are unnamed: just the family, length 2. */
    struct sockaddr_un me;
    socklen_t ml = sizeof me;
    int g = getsockname(sv[0], (struct sockaddr *)&me, &ml);
    printf("getsockname -> %d family=%d len=%d\n", g, me.sun_family, (int)ml);
    ml = sizeof me;
    g = getpeername(sv[1], (struct sockaddr *)&me, &ml);
    printf("getpeername -> %d family=%d len=%d\n", g, me.sun_family, (int)ml);
    /* An address on a connected stream socket. */
    struct sockaddr_un to = {.sun_family = AF_UNIX};
    strcpy(to.sun_path, "/nonexistent/echo.sock");
    errno = 0;
    n = sendto(sv[0], "x", 1, 0, (struct sockaddr *)&to, sizeof to);
    printf("sendto with an address on a connected stream -> %zd %s\n", n, en(errno));

    struct iovec iov[3] = {{"one ", 4}, {"two ", 4}, {"three", 5}};
    struct msghdr m = {0};
    m.msg_iov = iov;
    m.msg_iovlen = 3;
    n = sendmsg(sv[1], &m, 0);
    char a[5] = {0}, b2[20] = {0};
    struct iovec rio[2] = {{a, 4}, {b2, sizeof b2 - 1}};
    struct msghdr rm = {0};
    rm.msg_iov = rio;
    rm.msg_iovlen = 2;
    ssize_t r = recvmsg(sv[0], &rm, 0);
    printf("sendmsg %zd recvmsg %zd: [%s][%s] flags=%d\n", n, r, a, b2, rm.msg_flags);

    int type = 0;
    socklen_t tl = sizeof type;
    getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &tl);
    printf("SO_TYPE=%d len=%d\n", type, (int)tl);
    struct stat st;
    fstat(sv[0], &st);
    printf("fstat: socket=%d\n", S_ISSOCK(st.st_mode));
    char path[64], link[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", sv[0]);
    n = readlink(path, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    printf("readlink socket:[ %d\n", strncmp(link, "socket:[", 8) == 0);

    errno = 0;
    n = send(0 + open("/dev/null", O_WRONLY), "x", 1, 0);
    printf("send on a non-socket -> %zd %s\n", n, en(errno));

    /* SHUT_RD: our reads see EOF at once, the peer's writes fail */
    shutdown(sv[0], SHUT_RD);
    n = read(sv[0], buf, sizeof buf);
    printf("read after SHUT_RD -> %zd\n", n);
    errno = 0;
    n = send(sv[1], "x", 1, MSG_NOSIGNAL);
    printf("peer send after SHUT_RD -> %zd %s\n", n, en(errno));
    close(sv[1]);
    errno = 0;
    n = send(sv[0], "x", 1, MSG_NOSIGNAL);
    printf("send to closed peer (MSG_NOSIGNAL) -> %zd %s\n", n, en(errno));
    close(sv[0]);

    /* MSG_DONTWAIT on a blocking socket */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    errno = 0;
    n = recv(sv[0], buf, sizeof buf, MSG_DONTWAIT);
    printf("MSG_DONTWAIT recv -> %zd %s\n", n, en(errno));
    close(sv[0]);
    close(sv[1]);

    /* SOCK_SEQPACKET keeps message boundaries */
    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
    send(sv[0], "first", 5, 0);
    send(sv[0], "second message", 14, 0);
    n = recv(sv[1], buf, sizeof buf, 0);
    printf("seqpacket 1: %zd %.*s\n", n, (int)n, buf);
    n = recv(sv[1], buf, 6, 0);
    printf("seqpacket 2 (short buffer): %zd %.*s\n", n, (int)n, buf);
    send(sv[0], "third", 5, 0);
    n = recv(sv[1], buf, sizeof buf, 0);
    printf("seqpacket 3: %zd %.*s (rest of 2 discarded)\n", n, (int)n, buf);
    close(sv[0]);
    n = recv(sv[1], buf, sizeof buf, 0);
    printf("seqpacket after close: %zd\n", n);
    close(sv[1]);
}

static void eventfds(void)
{
    int e = eventfd(5, 0);
    uint64_t v = 0;
    write(e, &(uint64_t){3}, 8);
    write(e, &(uint64_t){10}, 8);
    ssize_t n = read(e, &v, 8);
    printf("eventfd: read %zd value %llu\n", n, (unsigned long long)v);
    close(e);

    e = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
    int reads = 0;
    while (read(e, &v, 8) == 8) {
        reads++;
        if (v != 1)
            printf("semaphore read %llu\n", (unsigned long long)v);
    }
    int err = errno;
    printf("semaphore: %d reads of 1, then %s; cloexec=%d nonblock=%d\n", reads, en(err), fcntl(e, F_GETFD),
           (fcntl(e, F_GETFL) & O_NONBLOCK) != 0);
    errno = 0;
    n = read(e, &v, 4);
    printf("short read -> %zd %s\n", n, en(errno));
    errno = 0;
    n = write(e, &(uint64_t){UINT64_MAX}, 8);
    printf("write 2^64-1 -> %zd %s\n", n, en(errno));
    n = write(e, &(uint64_t){UINT64_MAX - 1}, 8);
    errno = 0;
    ssize_t n2 = write(e, &(uint64_t){1}, 8);
    printf("fill to max -> %zd, one more -> %zd %s\n", n, n2, en(errno));
    n = read(e, &v, 8);
    printf("read at max -> %zd value==max-1 %d\n", n, v == 1);
    close(e);

    /* a child blocks in read until the parent writes */
    e = eventfd(0, 0);
    pid_t c = fork();
    if (c == 0) {
        uint64_t got = 0;
        if (read(e, &got, 8) != 8)
            _exit(100);
        _exit((int)got);
    }
    for (int i = 0; i < 3; i++) {
        /* give the child time to block */
        usleep(10000);
        write(e, &(uint64_t){7}, 8);
    }
    int st;
    waitpid(c, &st, 0);
    printf("child read from eventfd: %d\n", WEXITSTATUS(st));
    close(e);
    errno = 0;
    int bad = eventfd(0, 0x1234);
    printf("eventfd bad flags -> %d %s\n", bad, en(errno));
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    echo();
    calls();
    eventfds();
    return 0;
}
