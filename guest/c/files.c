/* files.c - file and directory system calls inside the current directory
 * (the runner gives a fresh empty one): open/write/read/lseek/pread/pwrite/
 * ftruncate/O_APPEND, dup/dup2/pipe, stdio fopen/fprintf/fgets/fseek/ftell,
 * mkdir/opendir/readdir (sorted)/stat/fstat/rename/unlink/rmdir/access, and
 * the errno of common failures. Everything created is removed again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/types.h>

#define CHECK(x)                                                                 \
    do {                                                                         \
        if (!(x)) {                                                              \
            printf("FAILED line %d: %s (errno %d)\n", __LINE__, #x, errno);      \
        }                                                                        \
    } while (0)

/* evaluate first, then read errno (argument evaluation order is unspecified) */
#define TRY(label, expr)                                                         \
    do {                                                                         \
        errno = 0;                                                               \
        long rv_ = (long)(expr);                                                 \
        int e_ = errno;                                                          \
        printf("%s -> %ld errno=%d\n", label, rv_, e_);                          \
    } while (0)

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        printf("opendir(%s) failed errno=%d\n", path, errno);
        return;
    }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 64)
        names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmpstr);
    printf("dir %s (%d entries):", path, n);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static void show_stat(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("stat(%s) errno=%d\n", path, errno);
        return;
    }
    printf("stat %s: %s mode=%03o", path, S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "file" : "other",
           (unsigned)(st.st_mode & 0777));
    if (S_ISREG(st.st_mode))
        printf(" size=%lld nlink=%lu", (long long)st.st_size, (unsigned long)st.st_nlink);
    printf("\n");
}

int main(void)
{
    umask(022);
    char buf[4096];

    /* raw fd I/O */
    int fd = open("data.bin", O_CREAT | O_EXCL | O_RDWR, 0644);
    CHECK(fd >= 0);
    for (int i = 0; i < 100; i++) {
        int n = snprintf(buf, sizeof buf, "line %03d: %s\n", i, "the quick brown fox");
        CHECK(write(fd, buf, (size_t)n) == n);
    }
    off_t end = lseek(fd, 0, SEEK_CUR);
    printf("written, offset=%lld\n", (long long)end);
    printf("lseek SEEK_SET 10 -> %lld\n", (long long)lseek(fd, 10, SEEK_SET));
    ssize_t r = read(fd, buf, 20);
    printf("read 20 -> %zd \"%.*s\"\n", r, (int)r, buf);
    printf("lseek SEEK_CUR -5 -> %lld\n", (long long)lseek(fd, -5, SEEK_CUR));
    printf("lseek SEEK_END -30 -> %lld\n", (long long)lseek(fd, -30, SEEK_END));
    r = read(fd, buf, 100);
    printf("read 100 at end-30 -> %zd\n", r);
    r = read(fd, buf, 100);
    printf("read at EOF -> %zd\n", r);
    printf("lseek past end -> %lld\n", (long long)lseek(fd, 5000, SEEK_SET));
    CHECK(write(fd, "X", 1) == 1);
    struct stat st;
    CHECK(fstat(fd, &st) == 0);
    printf("fstat size after sparse write=%lld\n", (long long)st.st_size);
    CHECK(pread(fd, buf, 4, 4000) == 4);
    printf("hole reads as zeros: %d %d %d %d\n", buf[0], buf[1], buf[2], buf[3]);
    CHECK(pwrite(fd, "PW", 2, 0) == 2);
    printf("offset after pwrite unchanged=%lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    CHECK(ftruncate(fd, 50) == 0);
    CHECK(fstat(fd, &st) == 0);
    printf("after ftruncate size=%lld\n", (long long)st.st_size);
    CHECK(pread(fd, buf, 60, 0) == 50);
    printf("content: %.12s\n", buf);
    TRY("lseek negative", lseek(fd, -1, SEEK_SET));
    CHECK(close(fd) == 0);
    TRY("close again", close(fd));

    /* O_APPEND */
    fd = open("data.bin", O_WRONLY | O_APPEND);
    CHECK(fd >= 0);
    lseek(fd, 0, SEEK_SET);
    CHECK(write(fd, "APPENDED", 8) == 8);
    CHECK(close(fd) == 0);
    show_stat("data.bin");

    /* O_TRUNC, O_EXCL failure, O_RDONLY write failure */
    TRY("O_EXCL on existing", open("data.bin", O_CREAT | O_EXCL | O_WRONLY, 0644));
    fd = open("data.bin", O_RDONLY);
    TRY("write to O_RDONLY", write(fd, "x", 1));
    close(fd);
    fd = open("data.bin", O_WRONLY | O_TRUNC);
    close(fd);
    show_stat("data.bin");

    /* dup, dup2, pipe */
    fd = open("data.bin", O_RDWR);
    int fd2 = dup(fd);
    CHECK(write(fd, "abcdef", 6) == 6);
    printf("dup shares offset: %lld\n", (long long)lseek(fd2, 0, SEEK_CUR));
    int fd3 = dup2(fd, 20);
    printf("dup2 -> %d\n", fd3);
    close(fd);
    close(fd2);
    CHECK(lseek(20, 0, SEEK_SET) == 0);
    r = read(20, buf, 10);
    printf("read via dup2 fd -> %zd \"%.*s\"\n", r, (int)r, buf);
    close(20);
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK(write(p[1], "through the pipe", 16) == 16);
    r = read(p[0], buf, sizeof buf);
    printf("pipe read -> %zd \"%.*s\"\n", r, (int)r, buf);
    close(p[1]);
    printf("pipe read after close -> %zd\n", read(p[0], buf, sizeof buf));
    close(p[0]);
    int fl = fcntl(1, F_GETFD);
    printf("fcntl(1, F_GETFD) cloexec=%d\n", fl & FD_CLOEXEC);

    /* stdio */
    FILE *f = fopen("text.txt", "w");
    CHECK(f != NULL);
    for (int i = 0; i < 50; i++)
        fprintf(f, "%d squared is %d\n", i, i * i);
    fputs("no newline at end", f);
    CHECK(fclose(f) == 0);
    f = fopen("text.txt", "r");
    CHECK(f != NULL);
    int lines = 0;
    long sum = 0;
    char line[128];
    while (fgets(line, sizeof line, f)) {
        lines++;
        int a, b;
        if (sscanf(line, "%d squared is %d", &a, &b) == 2)
            sum += b;
    }
    printf("fgets lines=%d sum=%ld last=\"%s\" feof=%d\n", lines, sum, line, feof(f) != 0);
    fseek(f, -8, SEEK_END);
    printf("ftell=%ld fgetc=%c\n", ftell(f), fgetc(f));
    rewind(f);
    size_t got = fread(buf, 1, 10, f);
    printf("fread after rewind %zu \"%.10s\"\n", got, buf);
    fclose(f);
    f = fopen("text.txt", "a+");
    fprintf(f, "\nappended");
    fseek(f, 0, SEEK_SET);
    printf("a+ first char=%c\n", fgetc(f));
    fclose(f);
    show_stat("text.txt");
    errno = 0;
    f = fopen("missing.txt", "r");
    int e = errno;
    printf("fopen missing -> %s errno=%d\n", f ? "FILE" : "NULL", e);

    /* directories */
    CHECK(mkdir("dir1", 0755) == 0);
    CHECK(mkdir("dir1/sub", 0700) == 0);
    TRY("mkdir existing", mkdir("dir1", 0755));
    TRY("mkdir missing parent", mkdir("nope/sub", 0755));
    for (int i = 0; i < 5; i++) {
        snprintf(buf, sizeof buf, "dir1/file%d", 4 - i);
        fd = open(buf, O_CREAT | O_WRONLY, 0600);
        CHECK(fd >= 0);
        CHECK(write(fd, buf, (size_t)i * 100) == (ssize_t)i * 100);
        close(fd);
    }
    list_dir(".");
    list_dir("dir1");
    for (int i = 0; i < 5; i++) {
        snprintf(buf, sizeof buf, "dir1/file%d", i);
        show_stat(buf);
    }
    show_stat("dir1");
    show_stat("dir1/sub");
    TRY("stat missing", stat("dir1/none", &st));
    printf("access F_OK=%d R_OK=%d missing=%d\n", access("dir1/file0", F_OK), access("dir1/file0", R_OK),
           access("dir1/none", F_OK));

    /* rename */
    CHECK(rename("dir1/file0", "dir1/renamed") == 0);
    CHECK(rename("text.txt", "dir1/sub/moved.txt") == 0);
    TRY("rename missing", rename("nothing", "x"));
    CHECK(rename("dir1/file1", "dir1/file2") == 0); /* replaces */
    list_dir("dir1");
    list_dir("dir1/sub");
    show_stat("dir1/file2");

    /* chdir and relative paths */
    CHECK(chdir("dir1/sub") == 0);
    f = fopen("moved.txt", "r");
    printf("open after chdir: %s\n", f ? "ok" : "failed");
    if (f)
        fclose(f);
    CHECK(chdir("../..") == 0);

    /* failures */
    TRY("rmdir non-empty", rmdir("dir1"));
    TRY("unlink directory", unlink("dir1/sub"));
    TRY("rmdir file", rmdir("data.bin"));
    TRY("open dir for writing", open("dir1", O_WRONLY));
    TRY("open through file", open("data.bin/x", O_RDONLY));

    /* cleanup */
    CHECK(unlink("dir1/sub/moved.txt") == 0);
    CHECK(rmdir("dir1/sub") == 0);
    const char *rm[] = { "dir1/renamed", "dir1/file2", "dir1/file3", "dir1/file4" };
    for (size_t i = 0; i < 4; i++)
        CHECK(unlink(rm[i]) == 0);
    CHECK(rmdir("dir1") == 0);
    CHECK(unlink("data.bin") == 0);
    TRY("unlink missing", unlink("data.bin"));
    list_dir(".");
    return 0;
}
