/* libm.c - libm functions on ordinary and special arguments, printed with
 * %.17g (and %a for exactness). float variants with %.9g. */
#include <stdio.h>
#include <math.h>
#include <float.h>

#define P1(fn, x) printf("%-6s(%.17g) = %.17g %a\n", #fn, (double)(x), fn(x), fn(x))
#define P2(fn, x, y) printf("%-6s(%.17g, %.17g) = %.17g %a\n", #fn, (double)(x), (double)(y), fn(x, y), fn(x, y))

int main(void)
{
    static const double trig[] = {
        0.0, -0.0, 1e-300, 1e-10, 0.1, 0.5, 0.7853981633974483, 1.0, 1.5707963267948966,
        2.0, 3.0, 3.141592653589793, -3.141592653589793, 4.0, 6.283185307179586, 10.0, -10.0,
        100.0, 1000.5, 1e6, 1e10, 1e22, 1.7976931348623157e308, INFINITY, -INFINITY, NAN,
    };
    for (size_t i = 0; i < sizeof trig / sizeof trig[0]; i++) {
        double x = trig[i];
        P1(sin, x); P1(cos, x); P1(tan, x);
        P1(atan, x); P1(sinh, x); P1(cosh, x); P1(tanh, x);
    }
    static const double unit[] = { -1.0, -0.9, -0.5, -1e-20, 0.0, 0.3, 0.5, 0.99999, 1.0, 1.5, NAN };
    for (size_t i = 0; i < sizeof unit / sizeof unit[0]; i++) {
        P1(asin, unit[i]); P1(acos, unit[i]); P1(atanh, unit[i]); P1(erf, unit[i]);
    }
    static const double ex[] = {
        -1000.0, -745.2, -708.5, -20.0, -1.0, -1e-10, 0.0, 1e-10, 0.5, 1.0, 2.0, 10.0,
        88.7, 700.0, 709.78, 710.0, INFINITY, -INFINITY, NAN,
    };
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        P1(exp, ex[i]); P1(exp2, ex[i]); P1(expm1, ex[i]);
    }
    static const double lg[] = {
        -1.0, -0.0, 0.0, 4.9406564584124654e-324, 1e-300, 0.001, 0.5, 0.9999999, 1.0, 1.0000001,
        2.0, 2.718281828459045, 10.0, 1024.0, 1e15, 1e300, DBL_MAX, INFINITY, NAN,
    };
    for (size_t i = 0; i < sizeof lg / sizeof lg[0]; i++) {
        P1(log, lg[i]); P1(log2, lg[i]); P1(log10, lg[i]); P1(log1p, lg[i]);
        P1(sqrt, lg[i]); P1(cbrt, lg[i]); P1(cbrt, -lg[i]);
    }
    static const double pw[][2] = {
        {2, 10}, {2, 0.5}, {2, -1074}, {2, 1023}, {2, 1024}, {-2, 3}, {-2, 0.5}, {-8, 1.0 / 3},
        {0, -1}, {-0.0, -1}, {0, 0}, {10, -300}, {10, 308}, {1.0000001, 1e7}, {0.5, 1075},
        {INFINITY, 0}, {NAN, 0}, {1, NAN}, {-1, INFINITY}, {0.9, -INFINITY}, {1.5, INFINITY},
        {-INFINITY, 3}, {-INFINITY, -2}, {3.7, 2.5}, {123.456, 7.89},
    };
    for (size_t i = 0; i < sizeof pw / sizeof pw[0]; i++)
        P2(pow, pw[i][0], pw[i][1]);
    static const double two[][2] = {
        {5.5, 2}, {-5.5, 2}, {5.5, -2}, {1e300, 3}, {7, 0}, {INFINITY, 2}, {3, INFINITY},
        {0.1, 0.01}, {1, 0}, {0, 1}, {-1, -0.0}, {1, 1}, {-1, -1}, {0.0, -0.0}, {-0.0, -0.0},
        {3, 4}, {1e300, 1e300}, {1e-300, 1e-300}, {NAN, 1},
    };
    for (size_t i = 0; i < sizeof two / sizeof two[0]; i++) {
        double x = two[i][0], y = two[i][1];
        P2(fmod, x, y); P2(remainder, x, y); P2(atan2, x, y); P2(hypot, x, y);
        P2(copysign, x, y); P2(fmax, x, y); P2(fmin, x, y); P2(fdim, x, y);
    }
    static const double rnd[] = {
        0.0, -0.0, 0.4, 0.5, 0.6, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999999999999996, 1e15 + 0.5,
        4503599627370495.5, 4503599627370497.0, 1e300, -7.999, INFINITY, NAN,
    };
    for (size_t i = 0; i < sizeof rnd / sizeof rnd[0]; i++) {
        double x = rnd[i];
        P1(floor, x); P1(ceil, x); P1(round, x); P1(trunc, x); P1(rint, x); P1(nearbyint, x);
        if (isfinite(x) && fabs(x) < 1e18)
            printf("lrint(%.17g) = %ld  lround = %ld  llround = %lld\n", x, lrint(x), lround(x), llround(x));
        int e;
        double m = frexp(x, &e);
        double ip;
        double fp = modf(x, &ip);
        printf("frexp(%.17g) = %.17g * 2^%d  modf = %.17g + %.17g  ldexp(x,-3) = %.17g\n", x, m,
               isfinite(x) ? e : 0, ip, fp, ldexp(x, -3));
        printf("fpclassify=%d signbit=%d isnan=%d isinf=%d\n", fpclassify(x), signbit(x) != 0, isnan(x) != 0,
               isinf(x) != 0);
    }
    /* gamma-family and misc */
    static const double gm[] = { 0.5, 1.0, 2.5, 5.0, 10.0, 20.5, 171.5, -0.5, -2.5 };
    for (size_t i = 0; i < sizeof gm / sizeof gm[0]; i++) {
        P1(tgamma, gm[i]); P1(lgamma, gm[i]); P1(erfc, gm[i]);
    }
    printf("nextafter(1,2) = %a  nextafter(0,-1) = %a\n", nextafter(1.0, 2.0), nextafter(0.0, -1.0));
    printf("ilogb(1e300) = %d logb(1e-310) = %g scalbn(1,-1074) = %a\n", ilogb(1e300), logb(1e-310), scalbn(1.0, -1074));
    printf("fma(0.1, 10, -1) = %a\n", fma(0.1, 10.0, -1.0));
    /* float variants */
    static const float fv[] = { 0.0f, 0.1f, 0.5f, 1.0f, 2.0f, 3.14159265f, 10.0f, 100.0f, 1e-30f, 88.0f, 89.0f };
    for (size_t i = 0; i < sizeof fv / sizeof fv[0]; i++) {
        float x = fv[i];
        printf("f(%.9g): sinf %.9g cosf %.9g expf %.9g logf %.9g sqrtf %.9g powf %.9g atan2f %.9g\n", x,
               sinf(x), cosf(x), expf(x), logf(x), sqrtf(x), powf(x, 1.5f), atan2f(x, 2.0f));
    }
    return 0;
}
