/* A small unstripped program for the gdb remote-protocol test (crates/puffer-cli/tests/gdb.rs).
 * Built with: musl-gcc -static -O0 -g -o fixtures/gdbtarget.musl guest/c/gdbtarget.c */
#include <unistd.h>

static int add(int a, int b) { return a + b; }

int main(void) {
    int x = add(20, 22);
    write(1, "gdbtarget\n", 10);
    return x - 35;
}
