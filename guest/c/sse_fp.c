/* sse_fp.c - scalar SSE float and double arithmetic (add sub mul div sqrt
 * min max), comparisons with NaN, conversions int<->float<->double (incl.
 * out-of-range -> "integer indefinite", unsigned 64-bit), rounding modes via
 * fesetround (MXCSR), exception flags via fetestexcept, subnormals, and a
 * few accumulated series. Results are printed as bit patterns. Results
 * are stored to volatiles before the exception flags are read, so the
 * compiler cannot move the operation past fetestexcept. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <fenv.h>
#include <float.h>

static uint64_t dbits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

static volatile double dv[] = {
    0.0, -0.0, 1.0, -1.0, 0.1, 1.0 / 3.0, 1e300, -1e-300, 4.9406564584124654e-324, 2.2250738585072014e-308,
    1.7976931348623157e308, 123456789.0, 9007199254740993.0, 0.5, 2.5, -2.5, INFINITY, -INFINITY, NAN,
};
static volatile float fv[] = {
    0.0f, -0.0f, 1.0f, -1.0f, 0.1f, 1.0f / 3.0f, 1e30f, -1e-30f, 1e-45f, 1.17549435e-38f, 3.40282347e38f,
    16777217.0f, 0.5f, 2.5f, -2.5f, INFINITY, NAN,
};
#define ND (int)(sizeof dv / sizeof dv[0])
#define NFV (int)(sizeof fv / sizeof fv[0])

static const char *exc(void)
{
    static char s[64];
    s[0] = 0;
    if (fetestexcept(FE_INVALID)) strcat(s, "I");
    if (fetestexcept(FE_DIVBYZERO)) strcat(s, "Z");
    if (fetestexcept(FE_OVERFLOW)) strcat(s, "O");
    if (fetestexcept(FE_UNDERFLOW)) strcat(s, "U");
    if (fetestexcept(FE_INEXACT)) strcat(s, "P");
    if (!s[0]) strcat(s, "-");
    return s;
}

int main(void)
{
    /* double binary operations */
    for (int i = 0; i < ND; i++)
        for (int j = 0; j < ND; j++) {
            double a = dv[i], b = dv[j];
            feclearexcept(FE_ALL_EXCEPT);
            volatile double s = a + b;
            printf("d %016llx %016llx add=%016llx[%s]", (unsigned long long)dbits(a), (unsigned long long)dbits(b),
                   (unsigned long long)dbits(s), exc());
            feclearexcept(FE_ALL_EXCEPT);
            volatile double d = a - b;
            printf(" sub=%016llx[%s]", (unsigned long long)dbits(d), exc());
            feclearexcept(FE_ALL_EXCEPT);
            volatile double m = a * b;
            printf(" mul=%016llx[%s]", (unsigned long long)dbits(m), exc());
            feclearexcept(FE_ALL_EXCEPT);
            volatile double q = a / b;
            printf(" div=%016llx[%s]", (unsigned long long)dbits(q), exc());
            printf(" lt=%d le=%d eq=%d ne=%d gt=%d un=%d\n", a < b, a <= b, a == b, a != b, a > b, isunordered(a, b));
        }
    /* float binary operations */
    for (int i = 0; i < NFV; i++)
        for (int j = 0; j < NFV; j++) {
            float a = fv[i], b = fv[j];
            feclearexcept(FE_ALL_EXCEPT);
            volatile float s = a + b, d = a - b, m = a * b, q = a / b;
            printf("f %08x %08x add=%08x sub=%08x mul=%08x div=%08x [%s] lt=%d eq=%d\n", fbits(a), fbits(b), fbits(s),
                   fbits(d), fbits(m), fbits(q), exc(), a < b, a == b);
        }
    /* sqrt, min/max (SSE minsd/maxsd semantics via the ternary operator), fabs, neg */
    for (int i = 0; i < ND; i++) {
        double a = dv[i];
        feclearexcept(FE_ALL_EXCEPT);
        volatile double r = sqrt(a);
        printf("sqrt(%016llx)=%016llx[%s]", (unsigned long long)dbits(a), (unsigned long long)dbits(r), exc());
        double mn = a < 1.0 ? a : 1.0, mx = a > 1.0 ? a : 1.0;
        printf(" min1=%016llx max1=%016llx fabs=%016llx neg=%016llx", (unsigned long long)dbits(mn),
               (unsigned long long)dbits(mx), (unsigned long long)dbits(fabs(a)), (unsigned long long)dbits(-a));
        float f = (float)a;
        printf(" tofloat=%08x sqrtf=%08x\n", fbits(f), fbits(sqrtf(f)));
    }
    /* conversions */
    static volatile double cv[] = {
        0.0, -0.0, 0.4, 0.5, 0.6, -0.5, -1.5, 1.5, 2.5, 2147483647.0, 2147483647.5, 2147483648.0,
        -2147483648.0, -2147483649.0, 4294967295.0, 4294967296.0, 9.2233720368547758e18, -9.2233720368547758e18,
        1.8446744073709552e19, 1e19, 1e300, -1e300, INFINITY, NAN,
    };
    for (int i = 0; i < (int)(sizeof cv / sizeof cv[0]); i++) {
        double a = cv[i];
        feclearexcept(FE_ALL_EXCEPT);
        volatile int32_t i32 = (int32_t)a; /* cvttsd2si 32 */
        const char *e1 = exc();
        char e1s[8];
        strcpy(e1s, e1);
        feclearexcept(FE_ALL_EXCEPT);
        volatile int64_t i64 = (int64_t)a; /* cvttsd2si 64 */
        printf("cvt %.17g: i32=%08x[%s] i64=%016llx[%s]", a, (uint32_t)i32, e1s, (unsigned long long)i64, exc());
        if (a >= 0 && a < 1.8446744073709552e19)
            printf(" u64=%llu", (unsigned long long)(uint64_t)a);
        printf(" lrint=%ld", (long)lrint(a));
        printf(" f=%08x\n", fbits((float)a));
    }
    static volatile int64_t iv[] = { 0, 1, -1, 16777217, 9007199254740993LL, INT64_MAX, INT64_MIN, 123456789012345LL };
    for (int i = 0; i < 8; i++) {
        int64_t x = iv[i];
        printf("i2f %lld: d=%016llx f=%08x ud=%016llx i32d=%016llx\n", (long long)x, (unsigned long long)dbits((double)x),
               fbits((float)x), (unsigned long long)dbits((double)(uint64_t)x),
               (unsigned long long)dbits((double)(int32_t)x));
    }
    static volatile uint64_t uv[] = { 0x8000000000000000ULL, 0xffffffffffffffffULL, 0x8000000000000401ULL,
                                      0x7fffffffffffffffULL, 0x0020000000000001ULL };
    for (int i = 0; i < 5; i++)
        printf("u2f %016llx: d=%016llx f=%08x\n", (unsigned long long)uv[i], (unsigned long long)dbits((double)uv[i]),
               fbits((float)uv[i]));

    /* rounding modes */
    static const int modes[] = { FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO };
    static const char *mnames[] = { "nearest", "up", "down", "zero" };
    static volatile double rv[] = { 2.5, 3.5, -2.5, 0.1, -0.1, 1.0000000000000002, 1e308 };
    for (int m = 0; m < 4; m++) {
        fesetround(modes[m]);
        printf("round %-7s getround-ok=%d:", mnames[m], fegetround() == modes[m]);
        for (int i = 0; i < 7; i++) {
            double x = rv[i];
            printf(" %g>%ld/%016llx", x, lrint(x), (unsigned long long)dbits(rint(x)));
        }
        volatile double third = 1.0, three = 3.0;
        double t = third / three;
        volatile double big = 1e308;
        double ov = big * 10.0;
        volatile float ff = 1.0f, fthree = 3.0f;
        printf(" 1/3=%016llx f1/3=%08x ovf=%016llx sqrt2=%016llx\n", (unsigned long long)dbits(t), fbits(ff / fthree),
               (unsigned long long)dbits(ov), (unsigned long long)dbits(sqrt(dv[2] * 2)));
    }
    fesetround(FE_TONEAREST);

    /* subnormal arithmetic */
    volatile double tiny = 4.9406564584124654e-324;
    double acc = 0;
    for (int i = 0; i < 100; i++)
        acc += tiny * i;
    printf("subnormal sum=%016llx half=%016llx\n", (unsigned long long)dbits(acc),
           (unsigned long long)dbits(tiny / 2));
    volatile float ftiny = 1e-45f;
    printf("float subnormal *3=%08x /2=%08x\n", fbits(ftiny * 3), fbits(ftiny / 2));

    /* series: harmonic and Leibniz, float and double */
    double h = 0;
    float hf = 0;
    for (int i = 1; i <= 200000; i++) {
        h += 1.0 / i;
        hf += 1.0f / (float)i;
    }
    double pi4 = 0;
    for (int i = 0; i < 200000; i++)
        pi4 += (i & 1 ? -1.0 : 1.0) / (2 * i + 1);
    printf("harmonic=%.17g (%016llx) float=%.9g leibniz=%.17g\n", h, (unsigned long long)dbits(h), hf, 4 * pi4);

    /* float <-> double round trip and double rounding */
    volatile double dd = 1.0000000596046448; /* halfway-ish for float */
    printf("d2f %08x %08x %08x\n", fbits((float)dd), fbits((float)0.1), fbits((float)-1e-40));
    return 0;
}
