/* sieve.c - sieve of Eratosthenes up to 5,000,000 (byte array) and a
 * segmented bit sieve up to 20,000,000; prints counts, sums, twin primes,
 * the largest gap and the last primes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

int main(void)
{
    const int N = 5000000;
    unsigned char *comp = calloc((size_t)N + 1, 1);
    comp[0] = comp[1] = 1;
    for (long i = 2; i * i <= N; i++)
        if (!comp[i])
            for (long j = i * i; j <= N; j += i)
                comp[j] = 1;
    long count = 0, twins = 0, maxgap = 0, gapstart = 0, prev = 0;
    uint64_t sum = 0;
    for (long i = 2; i <= N; i++) {
        if (comp[i])
            continue;
        count++;
        sum += (uint64_t)i;
        if (prev && i - prev == 2)
            twins++;
        if (prev && i - prev > maxgap) {
            maxgap = i - prev;
            gapstart = prev;
        }
        prev = i;
    }
    printf("primes <= %d: %ld, sum %llu, twin pairs %ld, max gap %ld after %ld\n", N, count,
           (unsigned long long)sum, twins, maxgap, gapstart);
    printf("last primes:");
    int shown = 0;
    for (long i = N; i > 0 && shown < 10; i--)
        if (!comp[i]) {
            printf(" %ld", i);
            shown++;
        }
    printf("\n");
    long pi[] = { 10, 100, 1000, 10000, 100000, 1000000 };
    for (int k = 0; k < 6; k++) {
        long c = 0;
        for (long i = 2; i <= pi[k]; i++)
            c += !comp[i];
        printf("pi(%ld) = %ld\n", pi[k], c);
    }

    /* segmented odd-only bit sieve up to 20,000,000 using the small primes */
    const long M = 20000000, SEG = 1 << 16;
    uint64_t *bits = malloc(SEG / 64 * sizeof *bits);
    long total = 1; /* the prime 2 */
    uint64_t xsum = 2;
    for (long lo = 1; lo < M; lo += 2 * SEG) {
        /* bit k of this segment represents the odd number lo + 2k */
        memset(bits, 0, SEG / 8);
        for (long p = 3; p * p < lo + 2 * SEG && p <= N; p += 2) {
            if (comp[p])
                continue;
            long start = p * p;
            if (start < lo) {
                start = (lo + p - 1) / p * p;
                if (start % 2 == 0)
                    start += p;
            }
            for (long m = start; m < lo + 2 * SEG; m += 2 * p)
                bits[((m - lo) / 2) >> 6] |= 1ULL << (((m - lo) / 2) & 63);
        }
        for (long k = 0; k < SEG; k++) {
            long v = lo + 2 * k;
            if (v > M)
                break;
            if (v == 1)
                continue;
            if (!(bits[k >> 6] >> (k & 63) & 1)) {
                total++;
                xsum ^= (uint64_t)v * 2654435761u;
            }
        }
    }
    printf("primes <= %ld: %ld (xor-hash %016llx)\n", M, total, (unsigned long long)xsum);
    free(bits);
    free(comp);
    return 0;
}
