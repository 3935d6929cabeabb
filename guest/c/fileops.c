/* fileops.c - file metadata and descriptors: chmod/fchmod/fchmodat, chown to
 * one's own ids, utimensat/futimens/utimes with fixed times (UTIME_OMIT,
 * UTIME_NOW), truncate/ftruncate (shrink, grow with zeros, errors),
 * fsync/fdatasync/sync/syncfs, statfs/fstatfs (file system types of /proc and
 * pipes), link/linkat, /proc/self/fd (listing with getdents, readlink,
 * re-opening with a fresh offset, even after unlink), /proc listings, /dev/tty
 * (opens or ENXIO), MAP_SHARED anonymous memory shared with a child, and
 * umask. Only deterministic facts are printed; files are created in the
 * current directory and removed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *en(int e)
{
    switch (e) {
    case 0:
        return "ok";
    case EINVAL:
        return "EINVAL";
    case EISDIR:
        return "EISDIR";
    case ENOENT:
        return "ENOENT";
    case EBADF:
        return "EBADF";
    case EPERM:
        return "EPERM";
    case EACCES:
        return "EACCES";
    case ENXIO:
        return "ENXIO";
    case EEXIST:
        return "EEXIST";
    default:
        return "other";
    }
}

static mode_t mode_of(const char *p)
{
    struct stat st;
    if (stat(p, &st) != 0)
        return (mode_t)-1;
    return st.st_mode & 07777;
}

static void modes(void)
{
    int fd = open("f1.txt", O_CREAT | O_TRUNC | O_RDWR, 0666);
    printf("created with umask 022: %o\n", mode_of("f1.txt"));
    chmod("f1.txt", 0600);
    printf("chmod 600: %o\n", mode_of("f1.txt"));
    fchmod(fd, 0741);
    printf("fchmod 741: %o\n", mode_of("f1.txt"));
    fchmodat(AT_FDCWD, "f1.txt", 04755, 0);
    printf("fchmodat 4755: %o\n", mode_of("f1.txt"));
    chmod("f1.txt", 0644);
    errno = 0;
    int r = chmod("no-such-file", 0644);
    printf("chmod missing -> %d %s\n", r, en(errno));
    symlink("f1.txt", "l1");
    chmod("l1", 0640);
    printf("chmod through symlink: %o\n", mode_of("f1.txt"));
    chmod("f1.txt", 0644);

    /* chown to one's own ids is allowed and changes nothing */
    errno = 0;
    r = chown("f1.txt", getuid(), getgid());
    int r2 = fchown(fd, (uid_t)-1, (gid_t)-1);
    int r3 = lchown("l1", getuid(), (gid_t)-1);
    int r4 = fchownat(AT_FDCWD, "f1.txt", (uid_t)-1, getgid(), AT_SYMLINK_NOFOLLOW);
    struct stat st;
    stat("f1.txt", &st);
    printf("chown to self: %d %d %d %d owner unchanged=%d\n", r, r2, r3, r4, st.st_uid == getuid());
    unlink("l1");
    close(fd);
}

static void times(void)
{
    int fd = open("f2.txt", O_CREAT | O_TRUNC | O_RDWR, 0644);
    struct timespec ts[2] = {{1000000000, 123456789}, {1100000000, 987654321}};
    int r = utimensat(AT_FDCWD, "f2.txt", ts, 0);
    struct stat st;
    stat("f2.txt", &st);
    printf("utimensat -> %d atime=%ld.%09ld mtime=%ld.%09ld\n", r, (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    struct timespec omit[2] = {{0, UTIME_OMIT}, {1200000000, 0}};
    futimens(fd, omit);
    stat("f2.txt", &st);
    printf("futimens omit atime: atime=%ld mtime=%ld\n", (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
    struct timeval tv[2] = {{1300000000, 500000}, {1400000000, 250000}};
    utimes("f2.txt", tv);
    stat("f2.txt", &st);
    printf("utimes: atime=%ld.%09ld mtime=%ld.%09ld\n", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    time_t before = time(NULL);
    struct timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    utimensat(AT_FDCWD, "f2.txt", now, 0);
    stat("f2.txt", &st);
    printf("UTIME_NOW: recent=%d\n", st.st_mtim.tv_sec >= before && st.st_mtim.tv_sec <= time(NULL) + 1);
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    errno = 0;
    r = utimensat(AT_FDCWD, "f2.txt", bad, 0);
    printf("bad nsec -> %d %s\n", r, en(errno));
    /* a symlink's own times with AT_SYMLINK_NOFOLLOW leave the target alone */
    symlink("f2.txt", "l2");
    struct timespec old[2] = {{1000, 0}, {2000, 0}};
    utimensat(AT_FDCWD, "l2", old, AT_SYMLINK_NOFOLLOW);
    struct stat ls;
    lstat("l2", &ls);
    stat("f2.txt", &st);
    printf("nofollow: link mtime=%ld target changed=%d\n", (long)ls.st_mtim.tv_sec, st.st_mtim.tv_sec == 2000);
    unlink("l2");
    close(fd);
    unlink("f2.txt");
}

static void truncation(void)
{
    int fd = open("f3.txt", O_CREAT | O_TRUNC | O_RDWR, 0644);
    write(fd, "0123456789abcdef", 16);
    int r = ftruncate(fd, 5);
    struct stat st;
    fstat(fd, &st);
    printf("ftruncate 5 -> %d size=%ld\n", r, (long)st.st_size);
    r = truncate("f3.txt", 12);
    stat("f3.txt", &st);
    char buf[16];
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    int zeros = 1;
    for (int i = 5; i < 12; i++)
        zeros &= buf[i] == 0;
    printf("truncate 12 -> %d size=%ld read=%zd kept=%.5s zero-filled=%d\n", r, (long)st.st_size, n, buf, zeros);
    errno = 0;
    r = ftruncate(fd, -1);
    printf("negative -> %d %s\n", r, en(errno));
    int ro = open("f3.txt", O_RDONLY);
    errno = 0;
    r = ftruncate(ro, 0);
    printf("read-only fd -> %d %s\n", r, en(errno));
    errno = 0;
    r = truncate(".", 0);
    printf("directory -> %d %s\n", r, en(errno));
    int p[2];
    pipe(p);
    errno = 0;
    r = ftruncate(p[1], 0);
    printf("pipe -> %d %s\n", r, en(errno));

    printf("fsync=%d fdatasync=%d syncfs=%d\n", fsync(fd), fdatasync(fd), syncfs(fd));
    sync();
    errno = 0;
    r = fsync(p[0]);
    printf("fsync pipe -> %d %s\n", r, en(errno));
    errno = 0;
    r = fsync(99);
    printf("fsync bad fd -> %d %s\n", r, en(errno));

    struct statfs sf;
    r = statfs(".", &sf);
    printf("statfs . -> %d bsize>0=%d namelen>0=%d\n", r, sf.f_bsize > 0, sf.f_namelen > 0);
    struct statfs sf2;
    fstatfs(fd, &sf2);
    printf("fstatfs same fs=%d\n", sf.f_type == sf2.f_type);
    statfs("/proc", &sf);
    printf("statfs /proc type=%#lx\n", (unsigned long)sf.f_type);
    fstatfs(p[0], &sf);
    printf("fstatfs pipe type=%#lx\n", (unsigned long)sf.f_type);
    errno = 0;
    r = statfs("no/such/dir", &sf);
    printf("statfs missing -> %d %s\n", r, en(errno));
    close(p[0]);
    close(p[1]);
    close(ro);
    close(fd);

    r = link("f3.txt", "f3-link.txt");
    stat("f3.txt", &st);
    printf("link -> %d nlink=%ld\n", r, (long)st.st_nlink);
    symlink("f3.txt", "l3");
    r = linkat(AT_FDCWD, "l3", AT_FDCWD, "f3-link2.txt", AT_SYMLINK_FOLLOW);
    struct stat l2;
    lstat("f3-link2.txt", &l2);
    printf("linkat follow -> %d regular=%d nlink=%ld\n", r, S_ISREG(l2.st_mode), (long)l2.st_nlink);
    errno = 0;
    r = link("f3.txt", "f3-link.txt");
    printf("link existing -> %d %s\n", r, en(errno));
    unlink("l3");
    unlink("f3-link.txt");
    unlink("f3-link2.txt");
    unlink("f3.txt");
}

static int cmp(const void *a, const void *b)
{
    return atoi(*(char *const *)a) - atoi(*(char *const *)b);
}

static void proc_fds(void)
{
    int fd = open("f4.txt", O_CREAT | O_TRUNC | O_RDWR, 0644);
    write(fd, "proc-reopen", 11);
    DIR *d = opendir("/proc/self/fd");
    char *names[64];
    int n = 0;
    struct dirent *e;
    int dots = 0;
    while ((e = readdir(d)) && n < 64) {
        if (e->d_name[0] == '.') {
            dots++;
            continue;
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp);
    /* descriptors 0-4: stdio, the file, the directory being read (a harness may
     * leave others open, higher up) */
    printf("/proc/self/fd:");
    for (int i = 0; i < n; i++) {
        if (atoi(names[i]) <= 4)
            printf(" %s", names[i]);
        free(names[i]);
    }
    printf(" (and %d dot entries)\n", dots);

    char path[64], link[256];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t len = readlink(path, link, sizeof link - 1);
    link[len > 0 ? len : 0] = 0;
    const char *base = strrchr(link, '/');
    printf("readlink names the file: %s\n", base ? base + 1 : link);
    int fd2 = open(path, O_RDONLY);
    char buf[16] = {0};
    ssize_t r = read(fd2, buf, sizeof buf - 1);
    printf("re-opened: own offset, read %zd \"%s\", original offset %ld\n", r, buf, (long)lseek(fd, 0, SEEK_CUR));
    close(fd2);
    unlink("f4.txt");
    fd2 = open(path, O_RDWR);
    memset(buf, 0, sizeof buf);
    r = pread(fd2, buf, 5, 0);
    printf("re-opened after unlink: ok=%d read %zd \"%s\"\n", fd2 >= 0, r, buf);
    close(fd2);
    close(fd);
    errno = 0;
    fd2 = open(path, O_RDONLY);
    printf("closed descriptor's link -> %d %s\n", fd2, en(errno));

    d = opendir("/proc/self");
    int has_fd = 0, has_exe = 0, has_cmdline = 0, fd_is_dir = 0;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, "fd")) {
            has_fd = 1;
            fd_is_dir = e->d_type == DT_DIR;
        }
        has_exe |= !strcmp(e->d_name, "exe");
        has_cmdline |= !strcmp(e->d_name, "cmdline");
    }
    closedir(d);
    printf("/proc/self has fd=%d (dir=%d) exe=%d cmdline=%d\n", has_fd, fd_is_dir, has_exe, has_cmdline);
    d = opendir("/proc");
    char me[16];
    snprintf(me, sizeof me, "%d", (int)getpid());
    int has_self = 0, has_me = 0;
    while ((e = readdir(d))) {
        has_self |= !strcmp(e->d_name, "self");
        has_me |= !strcmp(e->d_name, me);
    }
    closedir(d);
    printf("/proc lists self=%d and our pid=%d\n", has_self, has_me);

    errno = 0;
    int t = open("/dev/tty", O_RDWR);
    int te = errno;
    printf("/dev/tty opens or ENXIO: %d\n", t >= 0 || te == ENXIO);
    if (t >= 0)
        close(t);
}

static void shared_anon(void)
{
    int *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t c = fork();
    if (c == 0) {
        m[0] = 11;      /* pages first touched after the fork */
        m[1024] = 22;
        m[2048] = m[2048] + 5;
        _exit(0);
    }
    waitpid(c, NULL, 0);
    printf("shared anonymous memory after fork: %d %d %d\n", m[0], m[1024], m[2048]);
    munmap(m, 3 * 4096);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    umask(022);
    modes();
    times();
    truncation();
    proc_fds();
    shared_anon();
    unlink("f1.txt");
    printf("umask was %o\n", umask(0));
    return 0;
}
