/* exec_rewrite: exec a program, change its file, exec it again.
 * Program text is shared through the kernel's page cache, so a rewritten
 * (or deleted and re-created) executable must run its new contents, and a
 * copy that is written to through a private mapping must not change the
 * file or the next exec. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char marker[] = "MARKER-AAAA-exec-rewrite";

static char *slurp(const char *path, size_t *len) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) { perror("open"); exit(2); }
    struct stat st;
    fstat(fd, &st);
    char *buf = malloc(st.st_size);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, st.st_size - got);
        if (n <= 0) { perror("read"); exit(2); }
        got += n;
    }
    close(fd);
    *len = got;
    return buf;
}

static void spit(const char *path, const char *buf, size_t len) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    if (fd < 0) { perror("create"); exit(2); }
    size_t put = 0;
    while (put < len) {
        ssize_t n = write(fd, buf + put, len - put);
        if (n <= 0) { perror("write"); exit(2); }
        put += n;
    }
    close(fd);
}

static char *find(char *buf, size_t len) {
    for (size_t i = 0; i + sizeof marker <= len; i++)
        if (memcmp(buf + i, marker, sizeof marker - 1) == 0) return buf + i;
    return NULL;
}

static void run(const char *path) {
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        execl(path, path, "child", (char *)NULL);
        perror("execl");
        _exit(127);
    }
    int st;
    waitpid(p, &st, 0);
    printf("  exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int main(int argc, char **argv) {
    if (argc > 1) {
        printf("child says %.11s\n", marker);
        return 0;
    }
    size_t len;
    char *self = slurp("/proc/self/exe", &len);
    char *m = find(self, len);
    if (!m) { puts("no marker"); return 1; }

    spit("prog", self, len);
    run("./prog");

    /* Patch the marker in place (same inode): the next exec sees it. */
    int fd = open("prog", O_WRONLY);
    pwrite(fd, "MARKER-BBBB", 11, m - self);
    close(fd);
    run("./prog");

    /* Delete it and write a new file (which may get the same inode number). */
    unlink("prog");
    memcpy(m, "MARKER-CCCC", 11);
    spit("prog", self, len);
    run("./prog");

    /* A private writable mapping of the file: writes stay private. */
    fd = open("prog", O_RDONLY);
    long pg = sysconf(_SC_PAGESIZE);
    off_t off = (m - self) & ~(pg - 1);
    char *map = mmap(NULL, pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, off);
    if (map == MAP_FAILED) { perror("mmap"); return 1; }
    char *mm = map + ((m - self) - off);
    printf("mapped %.11s\n", mm);
    memcpy(mm, "MARKER-DDDD", 11);
    printf("mapped after write %.11s\n", mm);
    close(fd);
    run("./prog");
    munmap(map, pg * 2);

    unlink("prog");
    puts("done");
    return 0;
}
