/* intcompute.c - integer compute benchmark for `cargo xtask bench`.
 *
 * About a billion x86-64 instructions of ordinary integer C, in seven phases:
 *   sieve    sieve of Eratosthenes over a byte array
 *   hash     open-addressing hash table (linear probing, tombstones)
 *   qsort    quicksort (median of three + insertion sort) on three arrays
 *   crc32    bitwise CRC-32 (no table) over a pseudo-random buffer
 *   collatz  Collatz sequence lengths
 *   search   naive and Boyer-Moore-Horspool substring search
 *   vm       a stack bytecode interpreter with switch dispatch
 * Each phase prints one result line and folds it into a final checksum, so
 * nothing can be optimised away. Output is deterministic.
 *
 * No floating point and no printf: the output is formatted by hand and
 * written with write(2). This keeps the benchmark about the compute kernels
 * (and independent of libc's printf, which in musl zeroes its locals with
 * SSE). Build flags: see BENCHES in xtask/src/main.rs. */
#include <stdint.h>
#include <unistd.h>

/* ---- output ----------------------------------------------------------- */

static char outbuf[4096];
static unsigned outlen;

static void put_str(const char *s)
{
    while (*s && outlen < sizeof outbuf)
        outbuf[outlen++] = *s++;
}

static void put_u64(uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n && outlen < sizeof outbuf)
        outbuf[outlen++] = tmp[--n];
}

static void put_hex(uint64_t v, int digits)
{
    while (digits-- && outlen < sizeof outbuf)
        outbuf[outlen++] = "0123456789abcdef"[(v >> (4 * digits)) & 15];
}

static void flush_out(void)
{
    unsigned off = 0;
    while (off < outlen) {
        ssize_t n = write(1, outbuf + off, outlen - off);
        if (n <= 0)
            _exit(2);
        off += (unsigned)n;
    }
    outlen = 0;
}

static uint64_t checksum = 1469598103934665603ull;

static void fold(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        checksum ^= (v >> (8 * i)) & 0xff;
        checksum *= 1099511628211ull;
    }
}

static void result(const char *phase, uint64_t a, uint64_t b)
{
    put_str(phase);
    put_str(": ");
    put_u64(a);
    put_str(" ");
    put_hex(b, 16);
    put_str("\n");
    fold(a);
    fold(b);
}

/* ---- pseudo-random numbers (xorshift64*) ------------------------------ */

static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
    rng_state = s ? s : 0x9e3779b97f4a7c15ull;
}

static uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 2685821657736338717ull;
}

/* ---- 1. sieve ---------------------------------------------------------- */

#define SIEVE_N 3000000
static uint8_t composite[SIEVE_N + 1];

static void phase_sieve(void)
{
    uint64_t count = 0, sum = 0;
    for (int round = 0; round < 2; round++) {
        uint32_t n = SIEVE_N - round * 1000;
        for (uint32_t i = 0; i <= n; i++)
            composite[i] = 0;
        composite[0] = composite[1] = 1;
        for (uint32_t p = 2; p * p <= n; p++)
            if (!composite[p])
                for (uint32_t m = p * p; m <= n; m += p)
                    composite[m] = 1;
        for (uint32_t i = 0; i <= n; i++)
            if (!composite[i]) {
                count++;
                sum = sum * 31 + i;
            }
    }
    result("sieve", count, sum);
}

/* ---- 2. hash table ----------------------------------------------------- */

#define HT_BITS 17
#define HT_SIZE (1u << HT_BITS)
#define HT_EMPTY 0
#define HT_TOMB 1 /* keys are always >= 2 */

static uint64_t ht_keys[HT_SIZE];
static uint32_t ht_vals[HT_SIZE];
static uint32_t ht_used; /* live + tombstones */

static uint32_t ht_hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (uint32_t)(k >> (64 - HT_BITS));
}

/* Returns the slot holding `k`, or -1. */
static int32_t ht_find(uint64_t k)
{
    uint32_t i = ht_hash(k);
    for (;;) {
        uint64_t s = ht_keys[i];
        if (s == k)
            return (int32_t)i;
        if (s == HT_EMPTY)
            return -1;
        i = (i + 1) & (HT_SIZE - 1);
    }
}

static void ht_add(uint64_t k, uint32_t v)
{
    uint32_t i = ht_hash(k);
    int32_t tomb = -1;
    for (;;) {
        uint64_t s = ht_keys[i];
        if (s == k) {
            ht_vals[i] += v;
            return;
        }
        if (s == HT_EMPTY)
            break;
        if (s == HT_TOMB && tomb < 0)
            tomb = (int32_t)i;
        i = (i + 1) & (HT_SIZE - 1);
    }
    if (tomb >= 0) {
        i = (uint32_t)tomb;
    } else {
        ht_used++;
    }
    ht_keys[i] = k;
    ht_vals[i] = v;
}

static int ht_remove(uint64_t k)
{
    int32_t i = ht_find(k);
    if (i < 0)
        return 0;
    ht_keys[i] = HT_TOMB;
    return 1;
}

static void ht_rebuild(void)
{
    /* Drop tombstones: reinsert live entries into a clean table. */
    static uint64_t k2[HT_SIZE];
    static uint32_t v2[HT_SIZE];
    uint32_t n = 0;
    for (uint32_t i = 0; i < HT_SIZE; i++)
        if (ht_keys[i] > HT_TOMB) {
            k2[n] = ht_keys[i];
            v2[n] = ht_vals[i];
            n++;
        }
    for (uint32_t i = 0; i < HT_SIZE; i++)
        ht_keys[i] = HT_EMPTY;
    ht_used = 0;
    for (uint32_t i = 0; i < n; i++)
        ht_add(k2[i], v2[i]);
}

static void phase_hash(void)
{
    uint64_t found = 0, sum = 0, removed = 0;
    rng_seed(12345);
    for (uint32_t op = 0; op < 2400000; op++) {
        uint64_t r = rng();
        uint64_t key = 2 + (r >> 40) % 90000; /* ~90k distinct keys */
        switch ((r >> 8) & 7) {
        case 0:
        case 1:
        case 2:
            ht_add(key, (uint32_t)(r & 0xff));
            break;
        case 3:
            removed += (uint64_t)ht_remove(key);
            break;
        default: {
            int32_t i = ht_find(key);
            if (i >= 0) {
                found++;
                sum += ht_vals[i] ^ (uint32_t)key;
            }
        }
        }
        if (ht_used > HT_SIZE / 4 * 3)
            ht_rebuild();
    }
    for (uint32_t i = 0; i < HT_SIZE; i++)
        if (ht_keys[i] > HT_TOMB)
            sum = sum * 1000003 + ht_keys[i] * 7 + ht_vals[i];
    result("hash", found * 1000000 + removed, sum);
}

/* ---- 3. quicksort ------------------------------------------------------ */

#define SORT_N 250000
static uint32_t arr[SORT_N];

static void insertion_sort(uint32_t *a, int32_t n)
{
    for (int32_t i = 1; i < n; i++) {
        uint32_t v = a[i];
        int32_t j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void quicksort(uint32_t *a, int32_t n)
{
    while (n > 16) {
        uint32_t x = a[0], y = a[n / 2], z = a[n - 1], pivot;
        if (x < y)
            pivot = y < z ? y : (x < z ? z : x);
        else
            pivot = x < z ? x : (y < z ? z : y);
        int32_t i = 0, j = n - 1;
        for (;;) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i >= j)
                break;
            uint32_t t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        /* Recurse into the smaller half, loop on the larger. */
        int32_t left = j + 1;
        if (left < n - left) {
            quicksort(a, left);
            a += left;
            n -= left;
        } else {
            quicksort(a + left, n - left);
            n = left;
        }
    }
    insertion_sort(a, n);
}

static void phase_qsort(void)
{
    uint64_t bad = 0, sum = 0;
    for (int kind = 0; kind < 3; kind++) {
        rng_seed(777 + kind);
        for (uint32_t i = 0; i < SORT_N; i++) {
            uint64_t r = rng();
            if (kind == 0)
                arr[i] = (uint32_t)(r >> 32); /* random */
            else if (kind == 1)
                arr[i] = (uint32_t)(r >> 32) % 100; /* few distinct */
            else
                arr[i] = i * 4 + (uint32_t)((r >> 32) % 64); /* nearly sorted */
        }
        quicksort(arr, SORT_N);
        for (uint32_t i = 1; i < SORT_N; i++)
            if (arr[i - 1] > arr[i])
                bad++;
        for (uint32_t i = 0; i < SORT_N; i += 97)
            sum = sum * 131 + arr[i];
    }
    result("qsort", bad, sum);
}

/* ---- 4. CRC-32 --------------------------------------------------------- */

#define CRC_LEN (256 * 1024)
static uint8_t crcbuf[CRC_LEN];

static uint32_t crc32_bitwise(uint32_t crc, const uint8_t *p, uint32_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

static void phase_crc32(void)
{
    rng_seed(4242);
    for (uint32_t i = 0; i < CRC_LEN; i += 8) {
        uint64_t r = rng();
        for (int k = 0; k < 8; k++)
            crcbuf[i + k] = (uint8_t)(r >> (8 * k));
    }
    uint32_t crc = 0;
    uint64_t acc = 0;
    for (int pass = 0; pass < 8; pass++) {
        crcbuf[pass * 1000] ^= (uint8_t)pass;
        crc = crc32_bitwise(crc, crcbuf, CRC_LEN);
        acc = acc * 65599 + crc;
    }
    /* Known answer: CRC-32 of "123456789" is cbf43926. */
    uint32_t check = crc32_bitwise(0, (const uint8_t *)"123456789", 9);
    result("crc32", check, acc);
}

/* ---- 5. Collatz -------------------------------------------------------- */

static void phase_collatz(void)
{
    uint64_t total = 0, best = 0, best_n = 0;
    for (uint64_t n = 1; n <= 200000; n++) {
        uint64_t x = n, steps = 0;
        while (x != 1) {
            x = (x & 1) ? 3 * x + 1 : x >> 1;
            steps++;
        }
        total += steps;
        if (steps > best) {
            best = steps;
            best_n = n;
        }
    }
    result("collatz", best_n * 1000 + best, total);
}

/* ---- 6. string search -------------------------------------------------- */

#define TEXT_LEN (1 << 20)
static char text[TEXT_LEN + 1];
static char pattern[32];

static uint32_t search_naive(const char *t, uint32_t n, const char *p, uint32_t m)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i + m <= n; i++) {
        uint32_t j = 0;
        while (j < m && t[i + j] == p[j])
            j++;
        if (j == m)
            count++;
    }
    return count;
}

static uint32_t search_horspool(const char *t, uint32_t n, const char *p, uint32_t m)
{
    static uint32_t shift[256];
    uint32_t count = 0;
    for (int c = 0; c < 256; c++)
        shift[c] = m;
    for (uint32_t k = 0; k + 1 < m; k++)
        shift[(uint8_t)p[k]] = m - 1 - k;
    uint32_t i = 0;
    while (i + m <= n) {
        uint8_t last = (uint8_t)t[i + m - 1];
        if (last == (uint8_t)p[m - 1]) {
            uint32_t j = 0;
            while (j + 1 < m && t[i + j] == p[j])
                j++;
            if (j + 1 >= m)
                count++;
        }
        i += shift[last];
    }
    return count;
}

static void phase_search(void)
{
    static const char alphabet[] = "acgt";
    rng_seed(99);
    for (uint32_t i = 0; i < TEXT_LEN; i++)
        text[i] = alphabet[(rng() >> 33) & 3];
    text[TEXT_LEN] = 0;
    uint64_t hits = 0, mism = 0;
    for (int q = 0; q < 8; q++) {
        uint64_t r = rng();
        uint32_t m = 5 + (uint32_t)(r % 12);
        uint32_t at = (uint32_t)((r >> 20) % (TEXT_LEN - m));
        for (uint32_t k = 0; k < m; k++)
            pattern[k] = text[at + k];
        if (q & 1) /* a pattern that may not occur */
            pattern[m / 2] = alphabet[(r >> 50) & 3];
        uint32_t a = search_naive(text, TEXT_LEN, pattern, m);
        uint32_t b = search_horspool(text, TEXT_LEN, pattern, m);
        if (a != b)
            mism++;
        hits = hits * 1000 + a;
    }
    result("search", mism, hits);
}

/* ---- 7. bytecode VM ---------------------------------------------------- */

enum {
    OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_MOD, OP_AND,
    OP_XOR, OP_SHR, OP_LT, OP_JZ, OP_JMP, OP_DUP, OP_POP, OP_HALT
};

static int64_t vm_run(const int32_t *code, int64_t *vars, uint64_t *executed)
{
    int64_t stack[64];
    int sp = 0;
    uint32_t pc = 0;
    uint64_t n = 0;
    for (;;) {
        int32_t op = code[pc++];
        n++;
        switch (op) {
        case OP_PUSH: stack[sp++] = code[pc++]; break;
        case OP_LOAD: stack[sp++] = vars[code[pc++]]; break;
        case OP_STORE: vars[code[pc++]] = stack[--sp]; break;
        case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case OP_MOD: sp--; stack[sp - 1] %= stack[sp]; break;
        case OP_AND: sp--; stack[sp - 1] &= stack[sp]; break;
        case OP_XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
        case OP_SHR: sp--; stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] >> (stack[sp] & 63)); break;
        case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case OP_JZ: pc = stack[--sp] ? pc + 1 : (uint32_t)code[pc]; break;
        case OP_JMP: pc = (uint32_t)code[pc]; break;
        case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case OP_POP: sp--; break;
        case OP_HALT: *executed += n; return sp ? stack[sp - 1] : 0;
        default: *executed += n; return -1;
        }
    }
}

static void phase_vm(void)
{
    /* vars: 0 = i, 1 = acc, 2 = limit, 3 = h
     *   i = 0; acc = 0
     *   while (i < limit) {
     *     h = (i * -1640531535) & 0xffffffff
     *     acc = (acc ^ (h >> 7)) + (i % 13) * 3
     *     i = i + 1
     *   }
     *   return acc */
    static const int32_t prog[] = {
        OP_PUSH, 0, OP_STORE, 0,
        OP_PUSH, 0, OP_STORE, 1,
        /* 8: loop head */
        OP_LOAD, 0, OP_LOAD, 2, OP_LT, OP_JZ, 58,
        OP_LOAD, 0, OP_PUSH, (int32_t)2654435761u, OP_MUL,
        OP_PUSH, 0x7fffffff, OP_DUP, OP_ADD, OP_PUSH, 1, OP_ADD, OP_AND, OP_STORE, 3,
        OP_LOAD, 1, OP_LOAD, 3, OP_PUSH, 7, OP_SHR, OP_XOR,
        OP_LOAD, 0, OP_PUSH, 13, OP_MOD, OP_PUSH, 3, OP_MUL, OP_ADD, OP_STORE, 1,
        OP_LOAD, 0, OP_PUSH, 1, OP_ADD, OP_STORE, 0,
        /* 56 */ OP_JMP, 8,
        /* 58: loop exit */
        OP_LOAD, 1, OP_HALT,
    };
    int64_t vars[4];
    uint64_t executed = 0;
    int64_t acc = 0;
    for (int run = 0; run < 3; run++) {
        vars[0] = vars[1] = vars[3] = 0;
        vars[2] = 110000 + run * 1000;
        acc = acc * 31 + vm_run(prog, vars, &executed);
    }
    result("vm", executed, (uint64_t)acc);
}

int main(void)
{
    phase_sieve();
    phase_hash();
    phase_qsort();
    phase_crc32();
    phase_collatz();
    phase_search();
    phase_vm();
    put_str("checksum: ");
    put_hex(checksum, 16);
    put_str("\n");
    flush_out();
    return 0;
}
