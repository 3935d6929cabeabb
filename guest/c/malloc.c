/* malloc.c - allocator stress: many malloc/free/realloc/calloc of varied
 * sizes with content checks, a linked list, a chained hash table with string
 * keys, and qsort of 100000 ints with a checksum. No addresses are printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed + i * 31);
}
static int check(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(seed + i * 31))
            return 0;
    return 1;
}

struct node {
    struct node *next;
    long value;
    char tag[12];
};

struct entry {
    struct entry *next;
    char *key;
    long value;
};
#define NBUCKETS 1024
static struct entry *buckets[NBUCKETS];

static unsigned hash(const char *s)
{
    unsigned h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}
static void put(const char *key, long value)
{
    unsigned b = hash(key) % NBUCKETS;
    for (struct entry *e = buckets[b]; e; e = e->next)
        if (strcmp(e->key, key) == 0) {
            e->value = value;
            return;
        }
    struct entry *e = malloc(sizeof *e);
    e->key = strdup(key);
    e->value = value;
    e->next = buckets[b];
    buckets[b] = e;
}
static struct entry *get(const char *key)
{
    for (struct entry *e = buckets[hash(key) % NBUCKETS]; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e;
    return NULL;
}
static int del(const char *key)
{
    struct entry **pp = &buckets[hash(key) % NBUCKETS];
    for (; *pp; pp = &(*pp)->next)
        if (strcmp((*pp)->key, key) == 0) {
            struct entry *e = *pp;
            *pp = e->next;
            free(e->key);
            free(e);
            return 1;
        }
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    /* 1. random malloc/free/realloc with content verification */
    enum { SLOTS = 2000 };
    static unsigned char *slot[SLOTS];
    static size_t size[SLOTS];
    static unsigned seed[SLOTS];
    long ops = 0, bad = 0, reallocs = 0, frees = 0;
    for (int round = 0; round < 40000; round++) {
        int i = (int)(next() % SLOTS);
        uint64_t r = next();
        if (slot[i] && (r & 3) == 0) {
            bad += !check(slot[i], size[i], seed[i]);
            free(slot[i]);
            slot[i] = NULL;
            frees++;
        } else if (slot[i] && (r & 3) == 1) {
            size_t ns = (r >> 8) % ((r & 64) ? 9000 : 600);
            bad += !check(slot[i], size[i], seed[i]);
            unsigned char *p = realloc(slot[i], ns ? ns : 1);
            if (!p) {
                printf("realloc failed\n");
                return 1;
            }
            size_t keep = ns < size[i] ? ns : size[i];
            bad += !check(p, keep, seed[i]);
            slot[i] = p;
            size[i] = ns;
            fill(p, ns, seed[i]);
            reallocs++;
        } else if (!slot[i]) {
            size_t ns = (r >> 8) % ((r & 128) ? 30000 : 300);
            if (r & 4) {
                slot[i] = calloc(ns ? ns : 1, 1);
                for (size_t k = 0; k < ns; k++)
                    bad += slot[i][k] != 0;
            } else {
                slot[i] = malloc(ns);
            }
            if (!slot[i] && ns) {
                printf("malloc failed\n");
                return 1;
            }
            size[i] = ns;
            seed[i] = (unsigned)r;
            if (slot[i])
                fill(slot[i], ns, seed[i]);
        }
        ops++;
    }
    size_t live = 0, livebytes = 0;
    for (int i = 0; i < SLOTS; i++)
        if (slot[i]) {
            bad += !check(slot[i], size[i], seed[i]);
            live++;
            livebytes += size[i];
            free(slot[i]);
        }
    printf("random ops=%ld frees=%ld reallocs=%ld live=%zu livebytes=%zu bad=%ld\n", ops, frees, reallocs, live,
           livebytes, bad);

    /* 2. aligned allocation */
    int misaligned = 0;
    for (size_t al = 8; al <= 4096; al *= 2) {
        void *p = aligned_alloc(al, al * 3);
        void *q = NULL;
        if (posix_memalign(&q, al, 100) != 0)
            misaligned++;
        misaligned += ((uintptr_t)p % al) != 0;
        misaligned += ((uintptr_t)q % al) != 0;
        free(p);
        free(q);
    }
    printf("aligned allocations misaligned=%d\n", misaligned);
    /* malloc results are 16-byte aligned on x86-64 */
    int mis16 = 0;
    for (int i = 1; i < 200; i++) {
        void *p = malloc((size_t)i * 3);
        mis16 += ((uintptr_t)p & 15) != 0;
        free(p);
    }
    printf("malloc 16-byte misaligned=%d\n", mis16);

    /* 3. linked list: build, reverse, filter, sum */
    struct node *head = NULL;
    for (long i = 0; i < 50000; i++) {
        struct node *n = malloc(sizeof *n);
        n->value = (long)(next() % 1000000) - 500000;
        snprintf(n->tag, sizeof n->tag, "n%ld", i);
        n->next = head;
        head = n;
    }
    struct node *rev = NULL;
    while (head) {
        struct node *n = head;
        head = n->next;
        n->next = rev;
        rev = n;
    }
    long sum = 0, count = 0, removed = 0;
    struct node **pp = &rev;
    while (*pp) {
        if ((*pp)->value % 3 == 0) {
            struct node *dead = *pp;
            *pp = dead->next;
            free(dead);
            removed++;
        } else {
            pp = &(*pp)->next;
        }
    }
    unsigned taghash = 0;
    for (struct node *n = rev; n; n = n->next) {
        sum += n->value;
        count++;
        taghash = taghash * 31 + hash(n->tag);
    }
    printf("list count=%ld removed=%ld sum=%ld taghash=%08x first=%s\n", count, removed, sum, taghash, rev->tag);
    while (rev) {
        struct node *n = rev;
        rev = n->next;
        free(n);
    }

    /* 4. hash table */
    char key[32];
    for (long i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "key-%ld-%lx", i % 15000, i * 2654435761UL % 1000);
        put(key, i);
    }
    long found = 0, fsum = 0;
    for (long i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "key-%ld-%lx", i % 15000, i * 2654435761UL % 1000);
        struct entry *e = get(key);
        if (e) {
            found++;
            fsum += e->value;
        }
    }
    long deleted = 0;
    for (long i = 0; i < 20000; i += 7) {
        snprintf(key, sizeof key, "key-%ld-%lx", i % 15000, i * 2654435761UL % 1000);
        deleted += del(key);
    }
    long entries = 0, longest = 0;
    for (int b = 0; b < NBUCKETS; b++) {
        long len = 0;
        for (struct entry *e = buckets[b]; e; e = e->next)
            len++;
        entries += len;
        if (len > longest)
            longest = len;
    }
    printf("hash found=%ld fsum=%ld deleted=%ld entries=%ld longest=%ld\n", found, fsum, deleted, entries, longest);
    for (int b = 0; b < NBUCKETS; b++)
        while (buckets[b]) {
            struct entry *e = buckets[b];
            buckets[b] = e->next;
            free(e->key);
            free(e);
        }

    /* 5. qsort 100000 ints */
    enum { N = 100000 };
    int *a = malloc(N * sizeof *a);
    for (int i = 0; i < N; i++)
        a[i] = (int)(next() % 2000001) - 1000000;
    qsort(a, N, sizeof *a, cmp_int);
    int sorted = 1;
    uint64_t ck = 0;
    for (int i = 0; i < N; i++) {
        if (i && a[i - 1] > a[i])
            sorted = 0;
        ck = ck * 1000003 + (uint32_t)a[i];
    }
    printf("qsort sorted=%d min=%d max=%d median=%d checksum=%016llx\n", sorted, a[0], a[N - 1], a[N / 2],
           (unsigned long long)ck);
    free(a);

    /* 6. many tiny allocations held at once */
    enum { T = 100000 };
    void **tiny = malloc(T * sizeof *tiny);
    for (int i = 0; i < T; i++) {
        tiny[i] = malloc(1 + i % 48);
        memset(tiny[i], i & 0xff, 1 + i % 48);
    }
    long tbad = 0;
    for (int i = 0; i < T; i++) {
        unsigned char *p = tiny[i];
        for (int k = 0; k < 1 + i % 48; k++)
            tbad += p[k] != (i & 0xff);
        free(p);
    }
    free(tiny);
    printf("tiny allocations=%d bad=%ld\n", T, tbad);
    return 0;
}
