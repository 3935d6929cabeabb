/* strings.c - string.h routines checked against simple reference loops over
 * lengths 0..300 and every source/destination alignment 0..15, plus fixed
 * cases of strtol/strtoul/strtod, sprintf/snprintf and sscanf. Checks run
 * in-program; the output is counts, checksums and the fixed-case results. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdint.h>
#include <limits.h>

#define MAXLEN 300
static unsigned char bufa[MAXLEN + 64], bufb[MAXLEN + 64], bufc[MAXLEN + 64];

static int sign(int x) { return (x > 0) - (x < 0); }

static void pattern(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (unsigned char)(1 + (seed >> 16) % 254); /* 1..254 */
    }
}

int main(void)
{
    long checks = 0, errors = 0;

    /* memcpy / memmove / memset / memcmp over lengths and alignments */
    for (size_t len = 0; len <= MAXLEN; len++) {
        for (size_t sa = 0; sa < 16; sa++) {
            for (size_t da = 0; da < 16; da += (len > 64 ? 5 : 1)) {
                pattern(bufa, sizeof bufa, (unsigned)(len * 7 + sa));
                memset(bufb, 0xcc, sizeof bufb);
                memcpy(bufb + da, bufa + sa, len);
                for (size_t i = 0; i < sizeof bufb; i++) {
                    unsigned char want = (i >= da && i < da + len) ? bufa[sa + i - da] : 0xcc;
                    if (bufb[i] != want) {
                        errors++;
                        break;
                    }
                }
                checks++;
                /* memcmp equal, then differ at the last byte and at the first */
                errors += memcmp(bufb + da, bufa + sa, len) != 0;
                if (len) {
                    bufb[da + len - 1] ^= 0x80;
                    int want = (bufb[da + len - 1] > bufa[sa + len - 1]) ? 1 : -1;
                    errors += sign(memcmp(bufb + da, bufa + sa, len)) != want;
                    bufb[da + len - 1] ^= 0x80;
                    bufb[da] += 1;
                    errors += sign(memcmp(bufb + da, bufa + sa, len)) != (bufb[da] > bufa[sa] ? 1 : -1);
                }
                checks += 3;
                /* memset */
                memset(bufc, 0x11, sizeof bufc);
                memset(bufc + da, (int)(len & 0xff) | 0x100, len); /* value is converted to unsigned char */
                for (size_t i = 0; i < sizeof bufc; i++) {
                    unsigned char want = (i >= da && i < da + len) ? (unsigned char)len : 0x11;
                    if (bufc[i] != want) {
                        errors++;
                        break;
                    }
                }
                checks++;
            }
            /* memmove overlapping both ways inside one buffer */
            if (len + sa + 16 < sizeof bufa) {
                for (int dir = 0; dir < 2; dir++) {
                    pattern(bufa, sizeof bufa, (unsigned)len);
                    memcpy(bufc, bufa, sizeof bufa);
                    size_t src = dir ? sa + 7 : sa, dst = dir ? sa : sa + 7;
                    memmove(bufa + dst, bufa + src, len);
                    /* reference: copy via a temporary */
                    memcpy(bufb, bufc + src, len);
                    memcpy(bufc + dst, bufb, len);
                    errors += memcmp(bufa, bufc, sizeof bufa) != 0;
                    checks++;
                }
            }
        }
    }
    printf("mem*: checks=%ld errors=%ld\n", checks, errors);

    /* strlen / strchr / strrchr / strcmp / strncmp / strcpy / strcat / strstr */
    checks = errors = 0;
    for (size_t len = 0; len <= MAXLEN; len++) {
        for (size_t al = 0; al < 16; al++) {
            char *s = (char *)bufa + al;
            pattern((unsigned char *)s, len, (unsigned)(len + al));
            s[len] = 0;
            errors += strlen(s) != len;
            /* strchr: the byte at len/2 and one that is absent */
            if (len) {
                char c = s[len / 2];
                char *want = NULL;
                for (size_t i = 0; i < len; i++)
                    if (s[i] == c) {
                        want = s + i;
                        break;
                    }
                errors += strchr(s, c) != want;
                char *last = NULL;
                for (size_t i = 0; i < len; i++)
                    if (s[i] == c)
                        last = s + i;
                errors += strrchr(s, c) != last;
            }
            errors += strchr(s, 0) != s + len;
            errors += strrchr(s, 0) != s + len;
            /* strcpy to another alignment, strcmp equal / different */
            char *d = (char *)bufb + (15 - al);
            strcpy(d, s);
            errors += strcmp(d, s) != 0;
            errors += strncmp(d, s, len + 5) != 0;
            if (len) {
                d[len - 1] = (char)((unsigned char)d[len - 1] + 1);
                errors += sign(strcmp(d, s)) != 1;
                errors += sign(strcmp(s, d)) != -1;
                errors += strncmp(d, s, len - 1) != 0;
                errors += sign(strncmp(d, s, len)) != 1;
            }
            /* strstr: a needle from the middle */
            if (len >= 8) {
                char needle[9];
                memcpy(needle, s + len - 8, 8);
                needle[8] = 0;
                char *want = NULL;
                for (size_t i = 0; i + 8 <= len; i++)
                    if (memcmp(s + i, needle, 8) == 0) {
                        want = s + i;
                        break;
                    }
                errors += strstr(s, needle) != want;
            }
            errors += strstr(s, "") != s;
            checks += 12;
        }
    }
    printf("str*: checks=%ld errors=%ld\n", checks, errors);

    /* strcat / strncpy / strncat / memchr / strspn / strcspn / strpbrk / strtok */
    char buf[512];
    strcpy(buf, "hello");
    strcat(buf, ", ");
    strncat(buf, "world!!!", 6);
    printf("strcat: \"%s\" len=%zu\n", buf, strlen(buf));
    memset(buf, 'x', 20);
    strncpy(buf, "abc", 8);
    printf("strncpy pads: %d %d %d %c\n", buf[3], buf[7], buf[8] == 'x', buf[8]);
    const char *text = "The quick brown fox jumps over the lazy dog";
    printf("memchr 'q' at %td, strspn=%zu strcspn=%zu strpbrk=%s\n", (const char *)memchr(text, 'q', 43) - text,
           strspn(text, "ehT"), strcspn(text, "xyz"), strpbrk(text, "jz"));
    strcpy(buf, "  a,b;;c , d  ");
    for (char *t = strtok(buf, " ,;"); t; t = strtok(NULL, " ,;"))
        printf("token [%s]\n", t);
    printf("strncmp n=0: %d, memcmp n=0: %d\n", strncmp("a", "b", 0), memcmp("a", "b", 0));
    printf("strcmp signs: %d %d %d %d\n", sign(strcmp("abc", "abd")), sign(strcmp("abc", "ab")),
           sign(strcmp("\x80", "\x01")), sign(strcmp("", "")));
    char *dup = strdup(text);
    printf("strdup equal=%d, strndup=%s\n", strcmp(dup, text) == 0, strndup(text, 9));
    free(dup);

    /* strtol / strtoul / strtoll */
    static const struct { const char *s; int base; } ls[] = {
        {"0", 10}, {"42", 10}, {"-42", 10}, {"  +17xyz", 10}, {"0x1A", 16}, {"0x1A", 0}, {"012", 0},
        {"012", 10}, {"0b101", 0}, {"zz", 36}, {"ZZ", 36}, {"9223372036854775807", 10},
        {"9223372036854775808", 10}, {"-9223372036854775808", 10}, {"-9223372036854775809", 10},
        {"18446744073709551615", 10}, {"18446744073709551616", 10}, {"-1", 10}, {"", 10}, {"   ", 10},
        {"abc", 10}, {"0x", 16}, {"0x", 0}, {"1e5", 10}, {"7fffffff", 16}, {"-0", 10}, {"+-1", 10},
        {"101010", 2}, {"777", 8}, {"12345678901234567890123", 10},
    };
    for (size_t i = 0; i < sizeof ls / sizeof ls[0]; i++) {
        char *end;
        errno = 0;
        long v = strtol(ls[i].s, &end, ls[i].base);
        int e1 = errno;
        errno = 0;
        unsigned long u = strtoul(ls[i].s, NULL, ls[i].base);
        int e2 = errno;
        errno = 0;
        long long ll = strtoll(ls[i].s, NULL, ls[i].base);
        printf("strtol(\"%s\", %d) = %ld end=%td errno=%d; strtoul = %lu errno=%d; strtoll = %lld\n", ls[i].s,
               ls[i].base, v, end - ls[i].s, e1, u, e2, ll);
    }
    printf("atoi(\" -123abc\")=%d atol=%ld\n", atoi(" -123abc"), atol("99999999999"));

    /* strtod / strtof */
    static const char *ds[] = {
        "0", "-0", "1", "0.1", "1e308", "1.7976931348623157e308", "1.7976931348623159e308", "1e309",
        "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-400",
        "2.2250738585072011e-308", "0x1.8p3", "0X1P-1074", "0x.8", "inf", "-Infinity", "nan", "NAN(123)",
        "  -12.5e-3xyz", ".5", "5.", "e5", "1e", "1e+", "-.e1", "123456789012345678901234567890",
        "0.000000000000000000000000000001", "3.14159265358979323846264338327950288", "9007199254740993",
        "1.00000000000000011102230246251565404236316680908203125", "+.1e+1",
    };
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        char *end;
        errno = 0;
        double d = strtod(ds[i], &end);
        int e = errno;
        errno = 0;
        float f = strtof(ds[i], NULL);
        printf("strtod(\"%s\") = %.17g %a end=%td errno=%d; strtof = %.9g\n", ds[i], d, d, end - ds[i], e, f);
    }

    /* sprintf into buffers of many sizes */
    uint32_t total = 0;
    for (int i = 0; i < 400; i++) {
        int n = snprintf(buf, (size_t)(i % 50), "%d|%x|%s|%.3f|%c", i * 37 - 5000, i * 1234567, "str" + i % 4,
                         i / 7.0, 'A' + i % 26);
        total = total * 31 + (uint32_t)n;
        for (size_t k = 0; k < (size_t)(i % 50) && buf[k]; k++)
            total = total * 31 + (unsigned char)buf[k];
    }
    printf("snprintf checksum=%08x\n", total);

    /* sscanf */
    int a, b, n = -1;
    unsigned x;
    double d;
    char w[32], set[32], c;
    int got = sscanf("  -17 0x1f 3.5e2 word q abcxyz rest", "%d %x %lf %31s %c %31[a-z]%n", &a, &x, &d, w, &c, set, &n);
    printf("sscanf got=%d a=%d x=%u d=%g w=%s c=%c set=%s n=%d\n", got, a, x, d, w, c, set, n);
    got = sscanf("12:34:56", "%d:%d:%d", &a, &b, &n);
    printf("sscanf time got=%d %d %d %d\n", got, a, b, n);
    got = sscanf("abc", "%d", &a);
    printf("sscanf fail got=%d\n", got);
    got = sscanf("", "%d", &a);
    printf("sscanf empty got=%d\n", got);
    long long big;
    short sh;
    char ch8;
    got = sscanf("123456789012 -5 200", "%lld %hd %hhd", &big, &sh, &ch8);
    printf("sscanf sizes got=%d %lld %d %d\n", got, big, sh, ch8);
    got = sscanf("1,2,,4", "%d,%d,%d", &a, &b, &n);
    printf("sscanf commas got=%d\n", got);
    got = sscanf("3.25 inf -nan", "%lf %lf %lf", &d, &d, &d);
    printf("sscanf floats got=%d\n", got);
    got = sscanf("   42", "%2d%d", &a, &b);
    printf("sscanf widths got=%d a=%d\n", got, a);
    return 0;
}
