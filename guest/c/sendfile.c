/* sendfile.c - sendfile(2): file to file with an offset pointer (the input's
 * offset stays) and without (it advances), the output's offset, EOF and count 0,
 * file to pipe (a reader child checksums a large transfer, which may take
 * several calls), a full O_NONBLOCK pipe (EAGAIN), file to socket, file to stdout, a
 * reader-less pipe (EPIPE), and the errors: EBADF, ESPIPE, EINVAL (O_APPEND
 * output, negative offset, a pipe or directory as input). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE 100000

static unsigned char pattern(long i)
{
    return (unsigned char)('a' + (i * 7 + i / 251) % 26);
}

static void show(const char *what, long r)
{
    int e = errno;
    if (r < 0)
        printf("%-40s -> -1 %s\n", what, strerror(e));
    else
        printf("%-40s -> %ld\n", what, r);
}

/* Does file `fd` hold pattern bytes [from, from+n) at [at, at+n)? */
static int check(int fd, long at, long from, long n)
{
    static unsigned char buf[SIZE];
    if (pread(fd, buf, n, at) != n)
        return 0;
    for (long i = 0; i < n; i++)
        if (buf[i] != pattern(from + i))
            return 0;
    return 1;
}

int main(void)
{
    static unsigned char data[SIZE];
    int in, out, p[2], sv[2];
    off_t off;
    long r;

    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGPIPE, SIG_IGN);
    for (long i = 0; i < SIZE; i++)
        data[i] = pattern(i);
    in = open("sf_in", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || write(in, data, SIZE) != SIZE)
        return 1;
    lseek(in, 0, SEEK_SET);
    out = open("sf_out", O_RDWR | O_CREAT | O_TRUNC, 0644);

    /* file -> file */
    off = 10;
    r = sendfile(out, in, &off, 1000);
    show("file->file, offset 10, count 1000", r);
    printf("  offset now %ld, input offset %ld, output offset %ld, data ok %d\n",
           (long)off, (long)lseek(in, 0, SEEK_CUR), (long)lseek(out, 0, SEEK_CUR),
           check(out, 0, 10, 1000));
    lseek(in, 500, SEEK_SET);
    r = sendfile(out, in, NULL, 200);
    show("file->file, no offset, from 500", r);
    printf("  input offset %ld, output offset %ld, data ok %d\n",
           (long)lseek(in, 0, SEEK_CUR), (long)lseek(out, 0, SEEK_CUR),
           check(out, 1000, 500, 200));
    r = sendfile(out, in, NULL, SIZE);
    show("file->file, rest of the input", r);
    printf("  input offset %ld, data ok %d\n", (long)lseek(in, 0, SEEK_CUR),
           check(out, 1200, 700, SIZE - 700));
    off = SIZE - 10;
    r = sendfile(out, in, &off, 100);
    show("file->file, 10 bytes before EOF", r);
    printf("  offset now %ld\n", (long)off);
    r = sendfile(out, in, &off, 100);
    show("file->file, at EOF", r);
    off = 0;
    r = sendfile(out, in, &off, 0);
    show("count 0", r);
    printf("  offset now %ld\n", (long)off);
    {
        struct stat st;
        fstat(out, &st);
        printf("  output size %ld\n", (long)st.st_size);
    }

    /* file -> pipe, small */
    if (pipe(p) < 0)
        return 1;
    off = 0;
    r = sendfile(p[1], in, &off, 5000);
    show("file->pipe, 5000", r);
    {
        static unsigned char buf[8192];
        long got = 0, n;
        while (got < 5000 && (n = read(p[0], buf + got, sizeof buf - got)) > 0)
            got += n;
        printf("  read back %ld, equal %d\n", got, memcmp(buf, data, 5000) == 0);
    }

    /* file -> pipe, large, with a reader child */
    {
        pid_t c = fork();
        if (c == 0) {
            static unsigned char buf[SIZE];
            long got = 0, n;
            close(p[1]);
            while ((n = read(p[0], buf + got, SIZE - got)) > 0)
                got += n;
            _exit(got == SIZE && memcmp(buf, data, SIZE) == 0 ? 0 : 1);
        }
        long total = 0;
        int calls = 0;
        off = 0;
        while (total < SIZE) {
            r = sendfile(p[1], in, &off, SIZE - total);
            if (r <= 0)
                break;
            total += r;
            calls++;
        }
        close(p[1]);
        int st;
        waitpid(c, &st, 0);
        /* How many calls it took depends on the pipe's buffers (page cache folio
         * sizes natively), so it is not printed. */
        printf("file->pipe, %d bytes through a reader: sent %ld, offset %ld, calls > 0 %d, "
               "child saw all %d\n",
               SIZE, total, (long)off, calls > 0, WIFEXITED(st) && WEXITSTATUS(st) == 0);
        close(p[0]);
    }

    /* a full O_NONBLOCK pipe */
    if (pipe2(p, O_NONBLOCK) < 0)
        return 1;
    {
        char page[4096];
        memset(page, 'x', sizeof page);
        while (write(p[1], page, sizeof page) > 0)
            ;
    }
    off = 0;
    r = sendfile(p[1], in, &off, 100);
    show("file->full nonblocking pipe", r);
    close(p[0]);
    off = 0;
    r = sendfile(p[1], in, &off, 100);
    show("file->pipe without reader", r);
    close(p[1]);

    /* file -> socket */
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        return 1;
    off = 1234;
    r = sendfile(sv[0], in, &off, 3000);
    show("file->socket, 3000", r);
    {
        static unsigned char buf[4096];
        long got = 0, n;
        while (got < 3000 && (n = recv(sv[1], buf + got, sizeof buf - got, 0)) > 0)
            got += n;
        printf("  received %ld, equal %d, offset now %ld\n", got,
               memcmp(buf, data + 1234, 3000) == 0, (long)off);
    }
    close(sv[0]);
    close(sv[1]);

    /* file -> stdout */
    printf("to stdout: [");
    off = 0;
    r = sendfile(1, in, &off, 26);
    printf("]\n");
    show("file->stdout", r);

    /* errors */
    int wo = open("sf_in", O_WRONLY);
    int ro = open("sf_out", O_RDONLY);
    int ap = open("sf_out", O_WRONLY | O_APPEND);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    off = 0;
    r = sendfile(out, 99, &off, 10);
    show("bad input fd", r);
    r = sendfile(99, in, &off, 10);
    show("bad output fd", r);
    r = sendfile(out, wo, &off, 10);
    show("input opened O_WRONLY", r);
    r = sendfile(ro, in, &off, 10);
    show("output opened O_RDONLY", r);
    r = sendfile(ap, in, &off, 10);
    show("output O_APPEND", r);
    off = -1;
    r = sendfile(out, in, &off, 10);
    show("negative offset", r);
    off = 0;
    r = sendfile(out, dir, &off, 10);
    show("directory as input", r);
    if (pipe(p) < 0)
        return 1;
    if (write(p[1], "abc", 3) != 3)
        return 1;
    off = 0;
    r = sendfile(out, p[0], &off, 3);
    show("pipe as input, with offset", r);
    r = sendfile(out, p[0], NULL, 3);
    show("pipe as input, no offset", r);
    close(p[0]);
    close(p[1]);
    close(wo);
    close(ro);
    close(ap);
    close(dir);
    close(in);
    close(out);
    unlink("sf_in");
    unlink("sf_out");
    return 0;
}
