/* sort.c - insertion, shell, heap, merge, quick (3-way) and LSD radix sort
 * on the same pseudo-random arrays (with many duplicates, sorted, reversed),
 * checked against each other; also a stable sort of records and qsort of
 * strings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

static uint32_t state = 12345;
static uint32_t rnd(void)
{
    state = state * 1664525u + 1013904223u;
    return state >> 8;
}

static void insertion(int *a, int n)
{
    for (int i = 1; i < n; i++) {
        int v = a[i], j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}
static void shell(int *a, int n)
{
    static const int gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
    for (int g = 0; g < 8; g++)
        for (int i = gaps[g]; i < n; i++) {
            int v = a[i], j = i;
            while (j >= gaps[g] && a[j - gaps[g]] > v) {
                a[j] = a[j - gaps[g]];
                j -= gaps[g];
            }
            a[j] = v;
        }
}
static void sift(int *a, int start, int end)
{
    int root = start;
    while (2 * root + 1 <= end) {
        int child = 2 * root + 1, sw = root;
        if (a[sw] < a[child])
            sw = child;
        if (child + 1 <= end && a[sw] < a[child + 1])
            sw = child + 1;
        if (sw == root)
            return;
        int t = a[root];
        a[root] = a[sw];
        a[sw] = t;
        root = sw;
    }
}
static void heap(int *a, int n)
{
    for (int s = (n - 2) / 2; s >= 0; s--)
        sift(a, s, n - 1);
    for (int end = n - 1; end > 0; end--) {
        int t = a[end];
        a[end] = a[0];
        a[0] = t;
        sift(a, 0, end - 1);
    }
}
static void merge_rec(int *a, int *tmp, int lo, int hi)
{
    if (hi - lo < 2)
        return;
    int mid = lo + (hi - lo) / 2;
    merge_rec(a, tmp, lo, mid);
    merge_rec(a, tmp, mid, hi);
    int i = lo, j = mid, k = lo;
    while (i < mid && j < hi)
        tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
    while (i < mid)
        tmp[k++] = a[i++];
    while (j < hi)
        tmp[k++] = a[j++];
    memcpy(a + lo, tmp + lo, (size_t)(hi - lo) * sizeof *a);
}
static void merge(int *a, int n)
{
    int *tmp = malloc((size_t)n * sizeof *tmp);
    merge_rec(a, tmp, 0, n);
    free(tmp);
}
static void quick(int *a, int lo, int hi) /* [lo, hi] inclusive, 3-way partition */
{
    while (lo < hi) {
        int p = a[lo + (hi - lo) / 2], lt = lo, gt = hi, i = lo;
        while (i <= gt) {
            if (a[i] < p) {
                int t = a[lt]; a[lt] = a[i]; a[i] = t;
                lt++; i++;
            } else if (a[i] > p) {
                int t = a[gt]; a[gt] = a[i]; a[i] = t;
                gt--;
            } else {
                i++;
            }
        }
        if (lt - lo < hi - gt) {
            quick(a, lo, lt - 1);
            lo = gt + 1;
        } else {
            quick(a, gt + 1, hi);
            hi = lt - 1;
        }
    }
}
static void radix(int *a, int n)
{
    uint32_t *x = malloc((size_t)n * 4), *y = malloc((size_t)n * 4);
    for (int i = 0; i < n; i++)
        x[i] = (uint32_t)a[i] ^ 0x80000000u;
    for (int shift = 0; shift < 32; shift += 8) {
        int cnt[257] = { 0 };
        for (int i = 0; i < n; i++)
            cnt[((x[i] >> shift) & 255) + 1]++;
        for (int b = 0; b < 256; b++)
            cnt[b + 1] += cnt[b];
        for (int i = 0; i < n; i++)
            y[cnt[(x[i] >> shift) & 255]++] = x[i];
        uint32_t *t = x; x = y; y = t;
    }
    for (int i = 0; i < n; i++)
        a[i] = (int)(x[i] ^ 0x80000000u);
    free(x);
    free(y);
}
static void quick_entry(int *a, int n) { quick(a, 0, n - 1); }

static uint64_t digest(const int *a, int n)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < n; i++)
        h = (h ^ (uint32_t)a[i]) * 1099511628211ULL;
    return h;
}

struct rec { int key; int seq; };
static int cmp_rec(const void *x, const void *y)
{
    const struct rec *a = x, *b = y;
    return (a->key > b->key) - (a->key < b->key);
}
static int cmp_str(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

int main(void)
{
    struct { const char *name; void (*fn)(int *, int); int maxn; } algos[] = {
        { "insertion", insertion, 3000 }, { "shell", shell, 1 << 30 }, { "heap", heap, 1 << 30 },
        { "merge", merge, 1 << 30 },      { "quick", quick_entry, 1 << 30 }, { "radix", radix, 1 << 30 },
    };
    const int sizes[] = { 0, 1, 2, 3, 10, 100, 1000, 3000, 20000 };
    const char *kinds[] = { "random", "dups", "sorted", "reversed", "organ" };
    for (int k = 0; k < 5; k++)
        for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
            int n = sizes[si];
            int *orig = malloc((size_t)(n ? n : 1) * sizeof(int)), *a = malloc((size_t)(n ? n : 1) * sizeof(int));
            for (int i = 0; i < n; i++) {
                switch (k) {
                case 0: orig[i] = (int)(rnd() ^ (rnd() << 16)); break;
                case 1: orig[i] = (int)(rnd() % 10) - 5; break;
                case 2: orig[i] = i * 3; break;
                case 3: orig[i] = n - i; break;
                default: orig[i] = i < n / 2 ? i : n - i; break;
                }
            }
            printf("%-8s n=%-5d", kinds[k], n);
            uint64_t ref = 0;
            for (size_t al = 0; al < sizeof algos / sizeof algos[0]; al++) {
                if (n > algos[al].maxn)
                    continue;
                memcpy(a, orig, (size_t)n * sizeof(int));
                algos[al].fn(a, n);
                int ok = 1;
                for (int i = 1; i < n; i++)
                    if (a[i - 1] > a[i])
                        ok = 0;
                uint64_t d = digest(a, n);
                if (al == 1)
                    ref = d;
                printf(" %s=%s", algos[al].name, ok && (al < 1 || d == ref) ? "ok" : "BAD");
            }
            printf(" digest=%016llx\n", (unsigned long long)ref);
            free(orig);
            free(a);
        }

    /* qsort of records by key (qsort is not stable: only the order of keys is checked) */
    enum { R = 5000 };
    struct rec *r = malloc(R * sizeof *r);
    for (int i = 0; i < R; i++) {
        r[i].key = (int)(rnd() % 50);
        r[i].seq = i;
    }
    qsort(r, R, sizeof *r, cmp_rec);
    int ordered = 1;
    long keysum = 0;
    for (int i = 1; i < R; i++) {
        if (r[i - 1].key > r[i].key)
            ordered = 0;
        keysum += r[i].key * (long)i;
    }
    printf("qsort records ordered=%d keysum=%ld\n", ordered, keysum);
    free(r);

    /* strings */
    static const char *words[] = { "pear", "apple", "fig", "banana", "cherry", "date", "elderberry", "grape",
                                   "kiwi", "lemon", "mango", "apple", "Zebra", "zebra", "", "a", "ab", "abc" };
    const char *w[sizeof words / sizeof words[0]];
    memcpy(w, words, sizeof words);
    qsort(w, sizeof w / sizeof w[0], sizeof w[0], cmp_str);
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        printf("%s[%s]", i ? " " : "", w[i]);
    printf("\n");
    return 0;
}
