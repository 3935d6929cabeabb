/* intmath.c - 64-bit and 128-bit integer arithmetic: signed/unsigned
 * multiply, divide and remainder with negative operands, __int128 multiply,
 * divide and shifts, overflow builtins, bit tricks (popcount, clz, ctz,
 * parity, bswap, rotates) compiled for baseline x86-64, and a bignum
 * factorial. */
#include <stdio.h>
#include <stdint.h>
#include <inttypes.h>
#include <limits.h>

typedef unsigned __int128 u128;
typedef __int128 i128;

static uint64_t s = 88172645463325252ULL;
static uint64_t rnd(void)
{
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
}

static void p128(const char *label, u128 v)
{
    printf("%s%016" PRIx64 "%016" PRIx64, label, (uint64_t)(v >> 64), (uint64_t)v);
}

static void pdec128(i128 v)
{
    char buf[64];
    int i = 63;
    buf[i] = 0;
    int neg = v < 0;
    u128 u = neg ? -(u128)v : (u128)v;
    do {
        buf[--i] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    if (neg)
        buf[--i] = '-';
    printf("%s", buf + i);
}

/* keep the compiler from folding constants */
static volatile int64_t vs[] = {
    0, 1, -1, 2, -2, 3, 7, -7, 10, 100, -1000, 65536, 2147483647, -2147483648LL, 4294967296LL,
    1234567890123LL, -987654321987LL, INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1,
};

static uint64_t rotl(uint64_t x, int r) { return (x << (r & 63)) | (x >> ((-r) & 63)); }

int main(void)
{
    const int n = sizeof vs / sizeof vs[0];
    uint64_t h = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            int64_t a = vs[i], b = vs[j];
            uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
            uint64_t prod = ua * ub;
            i128 wide = (i128)a * b;
            u128 uwide = (u128)ua * ub;
            printf("%" PRId64 " %" PRId64 ": mul=%" PRIx64, a, b, prod);
            p128(" smul128=", (u128)wide);
            p128(" umul128=", uwide);
            if (b != 0 && !(a == INT64_MIN && b == -1))
                printf(" sdiv=%" PRId64 " smod=%" PRId64, a / b, a % b);
            if (ub != 0)
                printf(" udiv=%" PRIu64 " umod=%" PRIu64, ua / ub, ua % ub);
            if ((int32_t)b != 0 && !((int32_t)a == INT32_MIN && (int32_t)b == -1))
                printf(" div32=%d mod32=%d", (int32_t)a / (int32_t)b, (int32_t)a % (int32_t)b);
            int64_t r;
            int of = __builtin_add_overflow(a, b, &r);
            printf(" addo=%d", of);
            of = __builtin_sub_overflow(a, b, &r);
            printf(" subo=%d", of);
            of = __builtin_mul_overflow(a, b, &r);
            printf(" mulo=%d", of);
            uint64_t ur;
            of = __builtin_add_overflow(ua, ub, &ur);
            printf(" uaddo=%d\n", of);
            h = h * 31 + prod;
        }
    printf("hash %016" PRIx64 "\n", h);

    /* 128-bit division by random values */
    uint64_t acc = 0;
    for (int i = 0; i < 2000; i++) {
        u128 x = ((u128)rnd() << 64) | rnd();
        u128 y = (i % 3 == 0) ? rnd() : ((u128)(rnd() >> (i % 60)) << 64) | rnd();
        if (y == 0)
            y = 1;
        u128 q = x / y, rm = x % y;
        if (q * y + rm != x || rm >= y)
            printf("u128 division mismatch at %d\n", i);
        i128 sx = (i128)x, sy = (i128)y >> (i % 7);
        if (sy == 0)
            sy = -3;
        i128 sq = sx / sy, sr = sx % sy;
        if (sq * sy + sr != sx)
            printf("i128 division mismatch at %d\n", i);
        acc = acc * 1000003 + (uint64_t)q + (uint64_t)(q >> 64) + (uint64_t)sr;
        if (i < 5) {
            p128("x=", x);
            p128(" y=", y);
            p128(" q=", q);
            p128(" r=", rm);
            printf("\n");
        }
    }
    printf("128-bit division checksum %016" PRIx64 "\n", acc);
    printf("i128 max = ");
    pdec128((i128)(~(u128)0 >> 1));
    printf("\ni128 min = ");
    pdec128(-(i128)(~(u128)0 >> 1) - 1);
    printf("\n2^100 / 3 = ");
    pdec128((i128)(((u128)1 << 100) / 3));
    printf("\n");
    for (int sh = 0; sh < 128; sh += 17) {
        u128 v = ((u128)0x0123456789abcdefULL << 64) | 0xfedcba9876543210ULL;
        i128 sv = (i128)v | ((i128)1 << 127);
        p128("shl=", v << sh);
        p128(" shr=", v >> sh);
        p128(" sar=", (u128)(sv >> sh));
        printf("\n");
    }

    /* bit tricks */
    uint64_t bits = 0;
    for (int i = 0; i < 64; i++) {
        uint64_t x = rnd() >> (i % 64);
        uint32_t x32 = (uint32_t)x;
        printf("%016" PRIx64 " pop=%d clz=%d ctz=%d par=%d pop32=%d clz32=%d ctz32=%d bswap=%016" PRIx64
               " bswap32=%08x rotl13=%016" PRIx64 " ffs=%d\n",
               x, __builtin_popcountll(x), x ? __builtin_clzll(x) : 64, x ? __builtin_ctzll(x) : 64,
               __builtin_parityll(x), __builtin_popcount(x32), x32 ? __builtin_clz(x32) : 32,
               x32 ? __builtin_ctz(x32) : 32, __builtin_bswap64(x), __builtin_bswap32(x32), rotl(x, 13),
               __builtin_ffsll((long long)x));
        bits += x & -x; /* lowest set bit */
        bits ^= x & (x - 1);
    }
    printf("bits %016" PRIx64 "\n", bits);
    printf("bswap16=%04x\n", __builtin_bswap16(0x1234));

    /* signed shifts and conversions */
    for (int i = 0; i < n; i++) {
        int64_t a = vs[i];
        printf("%" PRId64 ": sar7=%" PRId64 " shr7=%" PRIu64 " (int8)=%d (uint16)=%u (int32)=%d abs=%" PRIu64 "\n", a,
               a >> 7, (uint64_t)a >> 7, (int8_t)a, (uint16_t)a, (int32_t)a,
               a < 0 ? -(uint64_t)a : (uint64_t)a);
    }

    /* factorial of 100 with 32-bit limbs */
    uint32_t limb[64] = { 1 };
    int len = 1;
    for (uint32_t k = 2; k <= 100; k++) {
        uint64_t carry = 0;
        for (int i = 0; i < len; i++) {
            uint64_t t = (uint64_t)limb[i] * k + carry;
            limb[i] = (uint32_t)t;
            carry = t >> 32;
        }
        if (carry)
            limb[len++] = (uint32_t)carry;
    }
    /* print in decimal by repeated division by 10^9 */
    char dec[200];
    int dl = 0;
    while (len > 0) {
        uint64_t rem = 0;
        for (int i = len - 1; i >= 0; i--) {
            uint64_t cur = (rem << 32) | limb[i];
            limb[i] = (uint32_t)(cur / 1000000000u);
            rem = cur % 1000000000u;
        }
        for (int d = 0; d < 9; d++) {
            dec[dl++] = (char)('0' + rem % 10);
            rem /= 10;
        }
        while (len > 0 && limb[len - 1] == 0)
            len--;
    }
    while (dl > 1 && dec[dl - 1] == '0')
        dl--;
    printf("100! = ");
    for (int i = dl - 1; i >= 0; i--)
        putchar(dec[i]);
    printf("\n");
    return 0;
}
