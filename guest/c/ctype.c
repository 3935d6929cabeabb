/* ctype.c - the C locale character classes and case mappings for every
 * value 0..255 and EOF, printed as a table, plus toupper/tolower round trips
 * and atoi/abs/div helpers. */
#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>

int main(void)
{
    printf("  c  al di xd lo up sp pu pr gr cn bl   up lo\n");
    for (int c = -1; c < 256; c++) {
        printf("%3d  %d  %d  %d  %d  %d  %d  %d  %d  %d  %d  %d  %3d %3d\n", c, !!isalpha(c), !!isdigit(c),
               !!isxdigit(c), !!islower(c), !!isupper(c), !!isspace(c), !!ispunct(c), !!isprint(c), !!isgraph(c),
               !!iscntrl(c), !!isblank(c), toupper(c), tolower(c));
    }
    int rt = 0;
    for (int c = 0; c < 256; c++)
        rt += tolower(toupper(c)) == tolower(c);
    printf("round trips %d\n", rt);
    div_t d = div(-17, 5);
    ldiv_t ld = ldiv(123456789L, -1000L);
    printf("div(-17,5)=%d r %d ldiv=%ld r %ld abs=%d labs=%ld llabs=%lld\n", d.quot, d.rem, ld.quot, ld.rem, abs(-42),
           labs(-1234567L), llabs(-9000000000LL));
    return 0;
}
