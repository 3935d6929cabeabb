/* printf_float.c - %f %e %g %a (and upper-case forms) on many doubles
 * (negative, zero, tiny, subnormal, huge, inf, nan, ties), flags, widths,
 * precisions, plus long double %Lf %Le %Lg %La and float->double values. */
#include <stdio.h>
#include <float.h>
#include <math.h>
#include <string.h>

static const char *fmts[] = {
    "%f", "%.0f", "%.1f", "%.2f", "%.3f", "%.10f", "%.20f", "%#.0f", "%+f", "% f",
    "%15.4f|", "%-15.4f|", "%015.4f", "%+015.4f",
    "%e", "%.0e", "%.1e", "%.3e", "%.16e", "%E", "%#.0e", "%+.2e", "%20.5e|", "%-20.5E|", "%020.5e",
    "%g", "%.0g", "%.1g", "%.2g", "%.3g", "%.6g", "%.10g", "%.17g", "%G", "%#g", "%#.3g",
    "%+g", "%12g|", "%-12g|", "%012g",
    "%a", "%A", "%.0a", "%.1a", "%.3a", "%.13a", "%20a|", "%#a",
};
#define NF (sizeof fmts / sizeof fmts[0])

int main(void)
{
    volatile double zero = 0.0;
    double vals[] = {
        0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, 3.5, 0.125, 0.375,
        0.05, 0.15, 0.25, 0.35, 0.45, 1.005, 2.675, 9.5, 99.5, 999.9999, 9.9999999,
        0.1, 0.2, 0.3, 1.0 / 3.0, 2.0 / 3.0, -1.0 / 7.0,
        3.141592653589793, -2.718281828459045, 1.4142135623730951,
        1e-5, 1.5e-5, 0.0001, 0.00012345, 123456.789, 1234567.0, 12345678.9,
        1e15, 1e16, 1e17, 9007199254740993.0, 1e21, 1e22, 1e23, -1e23, 1e100, 1e300,
        4.35e-10, 6.02214076e23, 1.602176634e-19,
        DBL_MAX, -DBL_MAX, DBL_MIN, DBL_EPSILON, 4.9406564584124654e-324, 2.2250738585072009e-308,
        1e-310, 5e-324 * 3,
        (double)0.1f, (double)16777217.0f, (double)FLT_MAX, (double)FLT_MIN,
        INFINITY, -INFINITY, NAN, -NAN, 0.0 / 0.0,
    };
    vals[sizeof vals / sizeof vals[0] - 1] = zero / zero; /* runtime NaN: sign from the CPU */
    char buf[512];

    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        double v = vals[i];
        printf("value #%zu (%.17g)\n", i, v);
        for (size_t f = 0; f < NF; f++) {
            int n = snprintf(buf, sizeof buf, fmts[f], v);
            printf("  [%s] %s (%d)\n", fmts[f], buf, n);
        }
    }

    /* huge precision and long expansions */
    printf("%.60f\n", 0.1);
    printf("%.70e\n", 1.0 / 3.0);
    printf("%.40g\n", 2.0 / 3.0);
    printf("%f\n", 1e300);
    printf("%.1080f\n", 4.9406564584124654e-324);
    printf("%*.*f|%-*.*e|\n", 12, 3, 3.14159, 14, 2, -271.828);

    /* long double */
    long double lvals[] = {
        0.0L, -0.0L, 1.0L, -1.0L, 0.1L, 1.0L / 3.0L, -2.0L / 3.0L,
        3.14159265358979323846264338327950288L, 2.5L, 3.5L, 1e-20L, 1e20L,
        123456789012345678.0L, 1e300L * 1e300L, 1e-4000L, LDBL_MAX, LDBL_MIN,
        LDBL_EPSILON, LDBL_TRUE_MIN, (long double)DBL_MAX * 16,
        (long double)INFINITY, -(long double)INFINITY, (long double)NAN,
    };
    const char *lfmts[] = { "%Lf", "%.0Lf", "%.3Lf", "%.25Lf", "%Le", "%.0Le", "%.20Le", "%Lg",
                            "%.18Lg", "%#Lg", "%+20.4Lf|", "%-20.4Le|", "%La", "%.3La" };
    for (size_t i = 0; i < sizeof lvals / sizeof lvals[0]; i++) {
        printf("long double #%zu\n", i);
        for (size_t f = 0; f < sizeof lfmts / sizeof lfmts[0]; f++) {
            int n = snprintf(buf, sizeof buf, lfmts[f], lvals[i]);
            if (n >= (int)sizeof buf)
                strcpy(buf + 40, "...(truncated)");
            printf("  [%s] %s (%d)\n", lfmts[f], buf, n);
        }
    }
    long double third = 1.0L / 3.0L;
    printf("1/3L %%.30Lf %.30Lf\n", third);
    printf("LDBL_MAX %%Lf length %d\n", snprintf(NULL, 0, "%Lf", LDBL_MAX));

    /* float arguments are promoted to double */
    float fl[] = { 0.1f, 1.0f / 3.0f, 3.4028235e38f, 1.1754944e-38f, 1e-45f, -2.5f };
    for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++)
        printf("float %.9g %a %e\n", fl[i], fl[i], fl[i]);
    return 0;
}
