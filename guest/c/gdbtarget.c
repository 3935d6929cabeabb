/* A small unstripped program for the gdb remote-protocol test (crates/puffer-cli/tests/gdb.rs):
 * a breakpoint on main, and one in a second thread (thread_fn) for `info threads`.
 * Built with: musl-gcc -static -O0 -g -o fixtures/gdbtarget.musl guest/c/gdbtarget.c */
#include <pthread.h>
#include <unistd.h>

static int add(int a, int b) { return a + b; }

static void *thread_fn(void *arg) {
    write(1, "thread\n", 7);
    return arg;
}

int main(void) {
    pthread_t t;
    int x = add(20, 22);
    write(1, "gdbtarget\n", 10);
    if (pthread_create(&t, 0, thread_fn, 0) != 0)
        return 1;
    pthread_join(t, 0);
    return x - 35;
}
