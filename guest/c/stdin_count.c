/* stdin_count.c - reads stdin to EOF with read(2), then again with stdio, and
 * prints byte/line/word counts. In the tests stdin is /dev/null. */
#include <stdio.h>
#include <unistd.h>
#include <ctype.h>

int main(void)
{
    char buf[4096];
    long bytes = 0, lines = 0, words = 0;
    int inword = 0;
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0) {
            printf("read error\n");
            return 1;
        }
        if (n == 0)
            break;
        for (ssize_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)buf[i];
            bytes++;
            if (c == '\n')
                lines++;
            if (isspace(c))
                inword = 0;
            else if (!inword) {
                inword = 1;
                words++;
            }
        }
    }
    printf("read(2): bytes=%ld lines=%ld words=%ld\n", bytes, lines, words);
    int c = getchar();
    printf("getchar after EOF: %s\n", c == EOF ? "EOF" : "data");
    printf("feof(stdin)=%d\n", feof(stdin) ? 1 : 0);
    char line[64];
    printf("fgets: %s\n", fgets(line, sizeof line, stdin) == NULL ? "NULL" : "line");
    printf("read again: %zd\n", read(0, buf, sizeof buf));
    return 0;
}
