/* mmap.c - anonymous mappings, mprotect, munmap of part of a mapping,
 * MAP_FIXED, madvise(DONTNEED), file-backed MAP_PRIVATE and MAP_SHARED
 * mappings of a file this program creates, msync, mremap (grow in place or
 * moving, shrink), mapping past EOF, and mmap errors. Files are created in
 * the current directory and removed. No addresses are printed. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define PAGE 4096

static uint32_t sum(const unsigned char *p, size_t n)
{
    uint32_t h = 0;
    for (size_t i = 0; i < n; i++)
        h = h * 31 + p[i];
    return h;
}

int main(void)
{
    long pagesize = sysconf(_SC_PAGESIZE);
    printf("page size %ld\n", pagesize);

    /* anonymous private mapping: zero-filled, writable */
    size_t len = 16 * PAGE;
    unsigned char *a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED) {
        printf("mmap failed\n");
        return 1;
    }
    printf("anon aligned=%d zero-sum=%u\n", ((uintptr_t)a % PAGE) == 0, sum(a, len));
    for (size_t i = 0; i < len; i++)
        a[i] = (unsigned char)(i * 7 + 1);
    printf("anon written sum=%08x\n", sum(a, len));

    /* mprotect read-only then back */
    printf("mprotect ro -> %d\n", mprotect(a, 4 * PAGE, PROT_READ));
    printf("read after ro: %u\n", a[PAGE + 5]);
    printf("mprotect rw -> %d\n", mprotect(a, 4 * PAGE, PROT_READ | PROT_WRITE));
    a[PAGE + 5] = 99;
    printf("write after rw: %u\n", a[PAGE + 5]);
    errno = 0;
    int rc = mprotect(a + 1, PAGE, PROT_READ);
    printf("mprotect unaligned -> %d errno=%d\n", rc, errno);
    mprotect(a, 2 * PAGE, PROT_READ | PROT_WRITE); /* musl rounds the address down */

    /* madvise DONTNEED on private anonymous memory zero-fills it */
    rc = madvise(a + 2 * PAGE, 2 * PAGE, MADV_DONTNEED);
    printf("madvise -> %d, page 2 sum=%u, page 4 first=%u\n", rc, sum(a + 2 * PAGE, 2 * PAGE), a[4 * PAGE]);

    /* unmap a hole in the middle, then MAP_FIXED a new page into it */
    rc = munmap(a + 8 * PAGE, 2 * PAGE);
    printf("munmap middle -> %d\n", rc);
    unsigned char *f = mmap(a + 8 * PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED at hole: same address=%d zero=%u\n", f == a + 8 * PAGE, sum(f, PAGE));
    memset(f, 0xab, PAGE);
    printf("after hole: page 10 first=%u page 7 last=%u\n", a[10 * PAGE], a[8 * PAGE - 1]);
    /* MAP_FIXED over existing memory replaces it */
    f = mmap(a, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED over data: zero=%u next page first=%u\n", sum(f, PAGE), a[PAGE]);
    munmap(a, 8 * PAGE);
    munmap(a + 8 * PAGE, PAGE);
    munmap(a + 10 * PAGE, 6 * PAGE);

    /* mremap: grow a mapping (may move), contents preserved */
    unsigned char *g = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 2 * PAGE; i++)
        g[i] = (unsigned char)(i ^ (i >> 8));
    uint32_t before = sum(g, 2 * PAGE);
    unsigned char *g2 = mremap(g, 2 * PAGE, 64 * PAGE, MREMAP_MAYMOVE);
    if (g2 == MAP_FAILED) {
        printf("mremap failed errno=%d\n", errno);
        return 1;
    }
    printf("mremap grow: preserved=%d new part zero=%u\n", sum(g2, 2 * PAGE) == before, sum(g2 + 2 * PAGE, 62 * PAGE));
    memset(g2 + 60 * PAGE, 0x5a, 4 * PAGE);
    unsigned char *g3 = mremap(g2, 64 * PAGE, 3 * PAGE, 0);
    printf("mremap shrink: same=%d preserved=%d\n", g3 == g2, sum(g3, 2 * PAGE) == before);
    munmap(g3, 3 * PAGE);

    /* mremap without MREMAP_MAYMOVE: grows in place into space we just freed,
     * fails (ENOMEM) when the pages after it are mapped */
    unsigned char *r = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    r[0] = 42;
    munmap(r + 3 * PAGE, 5 * PAGE);
    unsigned char *r2 = mremap(r, 3 * PAGE, 8 * PAGE, 0);
    printf("mremap in place: ok=%d same=%d kept=%u\n", r2 != MAP_FAILED, r2 == r, r[0]);
    r[7 * PAGE] = 1;
    errno = 0;
    void *bad = mremap(r, 2 * PAGE, 3 * PAGE, 0);
    int err = errno;
    printf("mremap into mapped pages: failed=%d errno=%d\n", bad == MAP_FAILED, err);
    munmap(r, 8 * PAGE);

    /* file-backed mappings of a file we create */
    int fd = open("mapped.dat", O_CREAT | O_TRUNC | O_RDWR, 0644);
    if (fd < 0) {
        printf("open failed\n");
        return 1;
    }
    unsigned char block[PAGE];
    for (int pg = 0; pg < 3; pg++) {
        for (int i = 0; i < PAGE; i++)
            block[i] = (unsigned char)('A' + pg + (i % 7));
        if (write(fd, block, PAGE) != PAGE)
            printf("write failed\n");
    }
    if (write(fd, "tail", 4) != 4) /* file size is 3 pages + 4 bytes */
        printf("write failed\n");

    unsigned char *priv = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    unsigned char *shr = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    unsigned char *off = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 2 * PAGE);
    if (priv == MAP_FAILED || shr == MAP_FAILED || off == MAP_FAILED) {
        printf("file mmap failed errno=%d\n", errno);
        return 1;
    }
    printf("file map: priv[0]=%c shr[PAGE]=%c off[0]=%c tail=%.4s past-eof=%u\n", priv[0], shr[PAGE], off[0],
           priv + 3 * PAGE, priv[3 * PAGE + 100]);
    /* private write is not visible in the file or the shared mapping */
    memcpy(priv, "PRIVATE", 7);
    unsigned char rb[16];
    pread(fd, rb, 7, 0);
    printf("after private write: file=%.7s shared=%.7s private=%.7s\n", rb, shr, priv);
    /* shared write is visible through read() and the other shared mapping */
    memcpy(shr + 2 * PAGE, "SHARED!", 7);
    printf("msync -> %d\n", msync(shr, 4 * PAGE, MS_SYNC));
    pread(fd, rb, 7, 2 * PAGE);
    printf("after shared write: file=%.7s offset-map=%.7s\n", rb, off);
    /* a private mapping sees file changes on pages it has not written */
    printf("private sees shared page 2: %.7s\n", priv + 2 * PAGE);
    /* write() to the file is visible in the shared mapping */
    pwrite(fd, "WRITTEN", 7, PAGE + 10);
    printf("after pwrite: shared=%.7s\n", shr + PAGE + 10);
    /* write in the tail page beyond EOF does not extend the file */
    shr[3 * PAGE + 10] = 'Z';
    struct stat st;
    fstat(fd, &st);
    printf("file size after write past EOF in map: %lld\n", (long long)st.st_size);
    munmap(priv, 4 * PAGE);
    munmap(shr, 4 * PAGE);
    munmap(off, PAGE);

    /* mapping stays valid after close */
    unsigned char *m = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, PAGE);
    close(fd);
    printf("after close: %.7s\n", m + 10);
    munmap(m, PAGE);

    /* errors */
    errno = 0;
    void *e1 = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int err1 = errno;
    errno = 0;
    void *e2 = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 12345, 0);
    int err2 = errno;
    errno = 0;
    fd = open("mapped.dat", O_RDONLY);
    void *e3 = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int err3 = errno;
    errno = 0;
    void *e4 = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100);
    int err4 = errno;
    close(fd);
    printf("errors: len0=%d/%d badfd=%d/%d rw-on-rdonly=%d/%d unaligned-off=%d/%d\n", e1 == MAP_FAILED, err1,
           e2 == MAP_FAILED, err2, e3 == MAP_FAILED, err3, e4 == MAP_FAILED, err4);
    printf("munmap unaligned -> %d\n", munmap((void *)(uintptr_t)1, PAGE));

    unlink("mapped.dat");
    printf("done\n");
    return 0;
}
