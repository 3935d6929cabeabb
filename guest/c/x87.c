/* x87.c - long double (80-bit x87) arithmetic: add sub mul div with exact
 * 64-bit mantissas, sqrtl, fmodl/remainderl (FPREM/FPREM1), rintl/floorl/
 * ceill/truncl, ldexpl/frexpl, conversions to and from 64-bit integers,
 * comparisons with NaN, and series sums. Only IEEE-exact operations are
 * used (no transcendental x87 instructions, whose results vary by CPU). */
#include <stdio.h>
#include <math.h>
#include <float.h>
#include <stdint.h>
#include <string.h>

static void bits(const char *label, long double x)
{
    unsigned char b[16] = { 0 };
    memcpy(b, &x, 10);
    uint64_t mant;
    uint16_t se;
    memcpy(&mant, b, 8);
    memcpy(&se, b + 8, 2);
    printf("%s %04x:%016llx", label, se, (unsigned long long)mant);
}

static volatile long double lv[] = {
    0.0L, -0.0L, 1.0L, -1.0L, 0.1L, 3.0L, 1.0L / 3.0L, 1e4000L, -1e-4000L, 18446744073709551615.0L,
    9223372036854775807.0L, 0.5L, 2.5L, -2.5L, 1.0000000000000000001L, LDBL_MIN, LDBL_MAX,
};
#define NL (int)(sizeof lv / sizeof lv[0])

int main(void)
{
    for (int i = 0; i < NL; i++)
        for (int j = 0; j < NL; j += 2) {
            long double a = lv[i], b = lv[j];
            printf("#%d #%d:", i, j);
            bits(" add", a + b);
            bits(" sub", a - b);
            bits(" mul", a * b);
            bits(" div", a / b);
            printf(" lt=%d eq=%d\n", a < b, a == b);
        }
    for (int i = 0; i < NL; i++) {
        long double a = lv[i];
        printf("#%d %.21Lg", i, a);
        bits(" sqrt", sqrtl(a));
        bits(" fabs", fabsl(a));
        bits(" rint", rintl(a));
        bits(" floor", floorl(a));
        bits(" ceil", ceill(a));
        bits(" trunc", truncl(a));
        bits(" fmod3", fmodl(a, 3.0L));
        bits(" rem3", remainderl(a, 3.0L));
        int e;
        long double m = frexpl(a, &e);
        bits(" frexp", m);
        printf(" e=%d", isfinite(a) ? e : 0);
        bits(" ldexp-5", ldexpl(a, -5));
        if (fabsl(a) < 9.2e18L)
            printf(" i64=%lld", (long long)a);
        printf(" d=%a\n", (double)a);
    }
    static volatile int64_t iv[] = { 0, 1, -1, INT64_MAX, INT64_MIN, 123456789123456789LL };
    for (int i = 0; i < 6; i++) {
        long double x = (long double)iv[i];
        bits("from int", x);
        bits(" from uint", (long double)(uint64_t)iv[i]);
        printf(" back=%lld\n", (long long)x);
    }
    long double h = 0;
    for (int i = 1; i <= 100000; i++)
        h += 1.0L / i;
    bits("harmonic", h);
    printf(" %.21Lg\n", h);
    long double f = 1;
    for (int i = 1; i <= 25; i++)
        f *= i;
    bits("25!", f);
    printf(" %.0Lf\n", f);
    long double nan = lv[0] / lv[0];
    printf("nan: eq=%d ne=%d lt=%d unordered=%d\n", nan == nan, nan != nan, nan < 1.0L, isunordered(nan, 1.0L));
    printf("sizeof(long double)=%zu LDBL_MANT_DIG=%d\n", sizeof(long double), LDBL_MANT_DIG);
    return 0;
}
