/* hello.c - the smallest libc program: puts and printf to stdout. */
#include <stdio.h>

int main(void)
{
    puts("Hello, world!");
    printf("%s %d%c\n", "printf works:", 42, '!');
    return 0;
}
