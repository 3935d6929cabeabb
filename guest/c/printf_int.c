/* printf_int.c - integer, character and string conversions of printf with
 * flags, widths, precisions, * arguments and every length modifier. */
#include <stdio.h>
#include <stdint.h>
#include <stddef.h>
#include <limits.h>
#include <string.h>

static const long long vals[] = {
    0, 1, -1, 7, -7, 42, 99, 100, -100, 127, 128, -128, -129, 255, 256,
    32767, -32768, 65535, 65536, 1000000, 2147483647, -2147483647 - 1,
    4294967295LL, 4294967296LL, 1234567890123LL, -987654321098LL,
    LLONG_MAX, LLONG_MIN,
};
#define NV (sizeof vals / sizeof vals[0])

static const char *intfmts[] = {
    "%d", "%i", "%5d", "%-5d|", "%05d", "%+d", "% d", "%+5d", "%-+7d|",
    "%.3d", "%8.3d", "%-8.3d|", "%08.3d", "%.0d", "%5.0d|", "%+.0d",
    "%u", "%10u", "%x", "%X", "%#x", "%#X", "%08x", "%#010x", "%#.5x",
    "%-#10x|", "%o", "%#o", "%#.0o", "%.0o", "%#5o", "%c",
};

static const char *longfmts[] = {
    "%ld", "%li", "%lu", "%lx", "%lX", "%lo", "%#lx", "%+ld", "%25ld", "%-25ld|",
    "%.20ld", "%025ld",
};

static const char *llfmts[] = { "%lld", "%llu", "%llx", "%#llo", "%+lli", "%30lld" };
static const char *hfmts[] = { "%hd", "%hu", "%hx", "%#ho", "%+hi", "%08hd" };
static const char *hhfmts[] = { "%hhd", "%hhu", "%hhx", "%#hho", "%+hhi", "%5hhd" };

int main(void)
{
    char buf[256];
    for (size_t i = 0; i < NV; i++) {
        long long v = vals[i];
        printf("value %lld\n", v);
        for (size_t f = 0; f < sizeof intfmts / sizeof intfmts[0]; f++) {
            if (strcmp(intfmts[f], "%c") == 0)
                continue;
            printf("  [%s] ", intfmts[f]);
            int n = printf(intfmts[f], (int)v);
            printf(" (%d)\n", n);
        }
        for (size_t f = 0; f < sizeof longfmts / sizeof longfmts[0]; f++) {
            printf("  [%s] ", longfmts[f]);
            printf(longfmts[f], (long)v);
            printf("\n");
        }
        for (size_t f = 0; f < sizeof llfmts / sizeof llfmts[0]; f++) {
            printf("  [%s] ", llfmts[f]);
            printf(llfmts[f], v);
            printf("\n");
        }
        for (size_t f = 0; f < sizeof hfmts / sizeof hfmts[0]; f++) {
            printf("  [%s] ", hfmts[f]);
            printf(hfmts[f], (int)v);
            printf("\n");
        }
        for (size_t f = 0; f < sizeof hhfmts / sizeof hhfmts[0]; f++) {
            printf("  [%s] ", hhfmts[f]);
            printf(hhfmts[f], (int)v);
            printf("\n");
        }
        printf("  [%%zu] %zu [%%zd] %zd [%%zx] %zx\n", (size_t)v, (ssize_t)v, (size_t)v);
        printf("  [%%jd] %jd [%%ju] %ju [%%td] %td\n", (intmax_t)v, (uintmax_t)v, (ptrdiff_t)v);
    }

    /* characters */
    for (int c = 32; c < 127; c++)
        printf("%c", c);
    printf("\n");
    printf("[%c][%5c][%-5c][%c]\n", 'a', 'b', 'c', 0x41);
    printf("[%%][%%%%]\n");

    /* strings */
    const char *strs[] = { "", "a", "hello", "hello, world", "0123456789abcdefghij" };
    const char *sfmts[] = { "%s", "%10s", "%-10s|", "%.3s", "%10.3s", "%-10.3s|", "%.0s", "%.*s" };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        for (size_t f = 0; f < sizeof sfmts / sizeof sfmts[0]; f++) {
            printf("[%s] [", sfmts[f]);
            if (strcmp(sfmts[f], "%.*s") == 0)
                printf(sfmts[f], 4, strs[i]);
            else
                printf(sfmts[f], strs[i]);
            printf("]\n");
        }
    }

    /* * width and precision, including negative width */
    for (int w = -6; w <= 6; w += 3)
        for (int p = -1; p <= 4; p += 2)
            printf("[%*.*d] [%*.*s] [%-*d]\n", w, p, 42, w, p, "abcdef", w, -3);

    /* positional arguments */
    printf("%2$s %1$s %3$d\n", "world", "hello", 7);

    /* %n */
    int count = 0;
    printf("abc%n", &count);
    printf(" -> %%n stored %d\n", count);

    /* snprintf truncation and return values */
    for (size_t sz = 0; sz < 12; sz++) {
        memset(buf, '#', sizeof buf);
        int n = snprintf(buf, sz, "%d-%s-%x", 12345, "abc", 0xbeef);
        printf("snprintf(%zu) = %d \"%s\"\n", sz, n, sz ? buf : "(no buffer)");
    }
    int n = snprintf(NULL, 0, "%0100d", 5);
    printf("snprintf(NULL, 0) = %d\n", n);
    n = sprintf(buf, "%-20s|%+08.3d|%#o", "left", -5, 8);
    printf("sprintf = %d \"%s\"\n", n, buf);
    return 0;
}
