/* recursion.c - deep and branching recursion: fib, Ackermann, Hanoi, 8 and
 * 10 queens, permutations, a 60000-deep recursive sum (stack growth), mutual
 * recursion and function pointers / indirect calls. */
#include <stdio.h>
#include <stdint.h>

static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static long ack(long m, long n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}
static long hanoi_moves;
static void hanoi(int n, int from, int to, int via)
{
    if (!n)
        return;
    hanoi(n - 1, from, via, to);
    hanoi_moves++;
    hanoi(n - 1, via, to, from);
}
static int queens(int n, int row, unsigned cols, unsigned d1, unsigned d2)
{
    if (row == n)
        return 1;
    int count = 0;
    for (int c = 0; c < n; c++) {
        if ((cols >> c & 1) || (d1 >> (row + c) & 1) || (d2 >> (row - c + n) & 1))
            continue;
        count += queens(n, row + 1, cols | 1u << c, d1 | 1u << (row + c), d2 | 1u << (row - c + n));
    }
    return count;
}
static uint64_t perm_hash;
static long perm_count;
static void permute(char *a, int k, int n)
{
    if (k == n) {
        perm_count++;
        for (int i = 0; i < n; i++)
            perm_hash = perm_hash * 131 + (uint64_t)a[i];
        return;
    }
    for (int i = k; i < n; i++) {
        char t = a[k]; a[k] = a[i]; a[i] = t;
        permute(a, k + 1, n);
        t = a[k]; a[k] = a[i]; a[i] = t;
    }
}
/* not a tail call: the addition happens after the call returns */
static __attribute__((noinline)) long deep(long n, volatile char *prev)
{
    volatile char frame[32];
    frame[0] = (char)n;
    if (n == 0)
        return prev ? prev[0] : 0;
    return n + deep(n - 1, frame) + frame[0] * 0;
}
static int is_even(unsigned n);
static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }
static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }

typedef long (*binop)(long, long);
static long op_add(long a, long b) { return a + b; }
static long op_sub(long a, long b) { return a - b; }
static long op_mul(long a, long b) { return a * b; }
static long op_max(long a, long b) { return a > b ? a : b; }
static long fold(binop f, const long *v, int n) { return n == 1 ? v[0] : f(fold(f, v, n - 1), v[n - 1]); }

int main(void)
{
    for (int i = 0; i <= 30; i += 5)
        printf("fib(%d) = %ld\n", i, fib(i));
    for (int m = 0; m <= 3; m++)
        for (int n = 0; n <= 4; n++)
            printf("ack(%d,%d)=%ld%s", m, n, ack(m, n), n == 4 ? "\n" : " ");
    printf("ack(2,300)=%ld\n", ack(2, 300));
    hanoi(20, 1, 3, 2);
    printf("hanoi(20) moves = %ld\n", hanoi_moves);
    for (int n = 4; n <= 10; n++)
        printf("queens(%d) = %d\n", n, queens(n, 0, 0, 0, 0));
    char letters[] = "abcdefghi";
    permute(letters, 0, 9);
    printf("permutations(9) = %ld hash=%016llx\n", perm_count, (unsigned long long)perm_hash);
    printf("deep(60000) = %ld\n", deep(60000, NULL));
    printf("is_even(100001) = %d is_odd(77777) = %d\n", is_even(100001), is_odd(77777));
    long v[] = { 3, -7, 12, 5, 9, -2, 8 };
    binop ops[] = { op_add, op_sub, op_mul, op_max };
    const char *names[] = { "add", "sub", "mul", "max" };
    for (int i = 0; i < 4; i++)
        printf("fold %s = %ld\n", names[i], fold(ops[i], v, 7));
    return 0;
}
