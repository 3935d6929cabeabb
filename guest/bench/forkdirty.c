/* fork with a 64 MiB dirty heap whose child writes every page: the cost of
 * copy-on-write (marking pages shared at fork, one copy per page in the child). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#define SIZE (64u << 20)

int main(void) {
    unsigned char *heap = malloc(SIZE);
    if (!heap) return 1;
    unsigned long expect = 0;
    for (unsigned i = 0; i < SIZE; i += 4096) { heap[i] = (unsigned char)(i >> 12); expect += heap[i]; }
    unsigned long sum = 0;
    for (int round = 0; round < 4; round++) {
        pid_t p = fork();
        if (p == 0) {
            unsigned long s = 0;
            for (unsigned i = 0; i < SIZE; i += 4096) { heap[i] ^= 0xff; s += heap[i]; }
            _exit((int)(s & 0x7f));
        }
        int st;
        waitpid(p, &st, 0);
        sum += WEXITSTATUS(st);
    }
    unsigned long check = 0;
    for (unsigned i = 0; i < SIZE; i += 4096) check += heap[i];
    printf("child sums %lu, parent's heap unchanged: %s\n", sum, check == expect ? "yes" : "no");
    return 0;
}
