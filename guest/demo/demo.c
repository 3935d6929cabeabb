/* The program `puffer run` executes when no ELF is given: a small tour of what the
 * emulator does (stdio, integer and floating-point work, heap, files). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

static int is_prime(unsigned n) {
    if (n < 2) return 0;
    for (unsigned d = 2; d * d <= n; d++)
        if (n % d == 0) return 0;
    return 1;
}

int main(int argc, char **argv) {
    printf("Hello from puffer: an x86-64 CPU interpreter with its own Linux kernel.\n");
    printf("argv[0] = %s, argc = %d\n", argv[0], argc);
    unsigned count = 0, last = 0;
    for (unsigned n = 0; n < 100000; n++)
        if (is_prime(n)) { count++; last = n; }
    printf("primes below 100000: %u (the largest is %u)\n", count, last);
    double x = 0;
    for (int i = 1; i <= 1000; i++) x += 1.0 / ((double)i * i);
    printf("sum 1/n^2 for n<=1000 = %.12f, pi^2/6 = %.12f, sqrt(2) = %.15g\n", x, M_PI * M_PI / 6, sqrt(2.0));
    char *buf = malloc(1 << 20);
    memset(buf, 'x', 1 << 20);
    printf("a 1 MiB heap block holds %zu bytes of 'x'\n", strspn(buf, "x"));
    free(buf);
    return 0;
}
