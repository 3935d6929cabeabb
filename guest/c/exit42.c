/* exit42.c - calls exit(42) from a nested function; atexit handlers run in
 * reverse order of registration and buffered output is flushed. */
#include <stdio.h>
#include <stdlib.h>

static void first(void) { printf("atexit: registered first, runs last\n"); }
static void second(void) { printf("atexit: registered second, runs first\n"); }

static void leave(int depth)
{
    if (depth == 0) {
        printf("calling exit(42)\n");
        exit(42);
    }
    leave(depth - 1);
    printf("not reached\n");
}

int main(void)
{
    atexit(first);
    atexit(second);
    printf("buffered line before exit\n");
    leave(5);
    return 0;
}
