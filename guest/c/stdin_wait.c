/* stdin_wait.c - a process blocked reading stdin must not stop the others: a
 * child counts 5 ms sleeps in shared memory while the parent reads stdin to
 * EOF. stdout (compared by the fixture test, stdin = /dev/null) has only the
 * byte count; stderr reports how many ticks the child made while the parent
 * waited, which crates/puffer-cli/tests/cli.rs checks with a slow writer. */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    volatile int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED)
        return 1;
    pid_t c = fork();
    if (c == 0) {
        while (!shared[1] && shared[0] < 2000) {
            usleep(5000);
            shared[0]++;
        }
        _exit(0);
    }
    char buf[256];
    ssize_t n;
    long total = 0;
    while ((n = read(0, buf, sizeof buf)) > 0)
        total += n;
    int ticks = shared[0];
    shared[1] = 1;
    waitpid(c, NULL, 0);
    printf("read %ld bytes\n", total);
    fprintf(stderr, "ticks while reading: %d\n", ticks);
    return 0;
}
