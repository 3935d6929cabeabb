/* bigalloc.c - large allocations: a 64 MiB malloc with every page touched and
 * a checksum over all of it, a 16 MiB calloc that must read as zeros, a
 * realloc growing 64 MiB to 96 MiB that keeps the contents, and many 1 MiB
 * blocks allocated and freed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

int main(void)
{
    const size_t MiB = 1024 * 1024;
    size_t n = 64 * MiB;
    unsigned char *p = malloc(n);
    if (!p) {
        printf("malloc 64 MiB failed\n");
        return 1;
    }
    /* touch every page with a value derived from its index */
    for (size_t off = 0; off < n; off += 4096)
        p[off] = (unsigned char)(off >> 12);
    uint64_t pagesum = 0;
    for (size_t off = 0; off < n; off += 4096)
        pagesum += p[off];
    printf("64 MiB: pages=%zu page-sum=%llu\n", n / 4096, (unsigned long long)pagesum);

    /* fill all of it with 64-bit words and checksum */
    uint64_t *w = (uint64_t *)p;
    size_t nw = n / 8;
    for (size_t i = 0; i < nw; i++)
        w[i] = i * 0x9e3779b97f4a7c15ULL;
    uint64_t ck = 0;
    for (size_t i = 0; i < nw; i++)
        ck = (ck ^ w[i]) * 0x100000001b3ULL;
    printf("64 MiB word checksum=%016llx\n", (unsigned long long)ck);

    /* grow, keeping the contents */
    unsigned char *q = realloc(p, 96 * MiB);
    if (!q) {
        printf("realloc failed\n");
        return 1;
    }
    w = (uint64_t *)q;
    size_t bad = 0;
    for (size_t i = 0; i < nw; i += 511)
        bad += w[i] != i * 0x9e3779b97f4a7c15ULL;
    memset(q + n, 0x7f, 32 * MiB);
    uint64_t tail = 0;
    for (size_t off = n; off < 96 * MiB; off += 4096)
        tail += q[off];
    printf("realloc 96 MiB: bad=%zu tail-sum=%llu\n", bad, (unsigned long long)tail);
    free(q);

    /* calloc must be zero */
    unsigned char *z = calloc(16 * MiB, 1);
    size_t nonzero = 0;
    for (size_t i = 0; i < 16 * MiB; i += 64)
        nonzero += z[i] != 0;
    printf("calloc 16 MiB nonzero=%zu\n", nonzero);
    free(z);

    /* repeated big blocks */
    unsigned char *blocks[40];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 40; i++) {
            blocks[i] = malloc(MiB + (size_t)i * 4096);
            memset(blocks[i], i + round, MiB);
        }
        uint64_t s = 0;
        for (int i = 0; i < 40; i++) {
            s += blocks[i][i * 1000] + blocks[i][MiB - 1];
            free(blocks[i]);
        }
        printf("round %d: 40 x 1 MiB sum=%llu\n", round, (unsigned long long)s);
    }
    return 0;
}
