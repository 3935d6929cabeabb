/* fork_cow_big.c - copy-on-write on a 16 MiB heap block. The parent fills it
 * with a pattern and forks; right after the fork the parent overwrites the
 * first half, while the child checksums the block (it must see the fork-time
 * contents however the two are scheduled), then writes every page and
 * checksums again. After the child has exited the parent checksums its own
 * copy, which must hold only its own changes. Also: a MAP_PRIVATE anonymous
 * mapping and a MAP_SHARED one, where the child's writes do reach the parent. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE (16u << 20)
#define WORDS (SIZE / sizeof(uint32_t))
#define PAGE 4096u
#define WORDS_PER_PAGE (PAGE / sizeof(uint32_t))

static uint32_t checksum(const uint32_t *p, size_t n)
{
    uint64_t h = 0x12345678;
    for (size_t i = 0; i < n; i++) {
        h = (h + p[i]) * 0x9e3779b97f4a7c15ull;
        h ^= h >> 29;
    }
    return (uint32_t)(h ^ (h >> 32));
}

static void fill(uint32_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint32_t)i * 2654435761u;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);

    uint32_t *block = malloc(SIZE);
    if (!block) {
        printf("malloc failed\n");
        return 1;
    }
    fill(block, WORDS);
    uint32_t before = checksum(block, WORDS);
    printf("parent: checksum before fork %08x\n", before);

    /* What the parent's copy will hold after its own writes, computed on a
     * scratch copy beforehand so the comparison needs no second block. */
    for (size_t pg = 0; pg < WORDS / WORDS_PER_PAGE / 2; pg++)
        block[pg * WORDS_PER_PAGE + 7] ^= 0xdeadbeef;
    uint32_t parent_expected = checksum(block, WORDS);
    for (size_t pg = 0; pg < WORDS / WORDS_PER_PAGE / 2; pg++)
        block[pg * WORDS_PER_PAGE + 7] ^= 0xdeadbeef;

    pid_t c = fork();
    if (c < 0) {
        printf("fork failed: %s\n", strerror(errno));
        return 1;
    }
    if (c == 0) {
        uint32_t seen = checksum(block, WORDS);
        printf("child: checksum right after fork %08x, equals the parent's before fork: %s\n",
               seen, seen == before ? "yes" : "no");
        for (size_t pg = 0; pg < WORDS / WORDS_PER_PAGE; pg++)
            block[pg * WORDS_PER_PAGE + (pg % WORDS_PER_PAGE)] = (uint32_t)pg;
        uint32_t after = checksum(block, WORDS);
        printf("child: wrote one word in each of %u pages, checksum now %08x\n",
               (unsigned)(WORDS / WORDS_PER_PAGE), after);
        exit(seen == before ? 0 : 1);
    }
    /* Parent: write the first half of the pages while the child may still
     * be reading them. */
    for (size_t pg = 0; pg < WORDS / WORDS_PER_PAGE / 2; pg++)
        block[pg * WORDS_PER_PAGE + 7] ^= 0xdeadbeef;
    int st;
    pid_t w = waitpid(c, &st, 0);
    printf("parent: reaped the child: %s, exit code %d\n", w == c ? "yes" : "no",
           WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    uint32_t mine = checksum(block, WORDS);
    printf("parent: checksum after the child exited %08x, holds exactly the parent's own "
           "changes: %s\n",
           mine, mine == parent_expected ? "yes" : "no");
    for (size_t pg = 0; pg < WORDS / WORDS_PER_PAGE / 2; pg++)
        block[pg * WORDS_PER_PAGE + 7] ^= 0xdeadbeef;
    printf("parent: undoing its changes restores the original: %s\n",
           checksum(block, WORDS) == before ? "yes" : "no");
    free(block);

    /* Anonymous private and shared mappings, 1 MiB each. */
    size_t len = 1u << 20;
    uint32_t *priv = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint32_t *shared = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (priv == MAP_FAILED || shared == MAP_FAILED) {
        printf("mmap failed\n");
        return 1;
    }
    fill(priv, len / 4);
    fill(shared, len / 4);
    uint32_t orig = checksum(priv, len / 4);
    c = fork();
    if (c == 0) {
        for (size_t i = 0; i < len / 4; i += WORDS_PER_PAGE)
            priv[i] = 1, shared[i] = 1;
        _exit(0);
    }
    waitpid(c, &st, 0);
    printf("MAP_PRIVATE: child's writes invisible to the parent: %s\n",
           checksum(priv, len / 4) == orig ? "yes" : "no");
    int all = 1;
    for (size_t i = 0; i < len / 4; i += WORDS_PER_PAGE)
        all &= shared[i] == 1;
    printf("MAP_SHARED: child's writes visible to the parent: %s\n", all ? "yes" : "no");
    printf("MAP_SHARED: checksum %08x\n", checksum(shared, len / 4));

    /* A page first touched by the child after the fork (never populated in
     * the parent) stays zero in the parent. */
    uint8_t *fresh = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    c = fork();
    if (c == 0) {
        memset(fresh, 0x5a, 8 * PAGE);
        _exit(fresh[8 * PAGE - 1] == 0x5a ? 0 : 1);
    }
    waitpid(c, &st, 0);
    int zero = 1;
    for (size_t i = 0; i < 8 * PAGE; i++)
        zero &= fresh[i] == 0;
    printf("untouched pages written only by the child are still zero in the parent: %s (child "
           "code %d)\n",
           zero ? "yes" : "no", WEXITSTATUS(st));
    munmap(priv, len);
    munmap(shared, len);
    munmap(fresh, 8 * PAGE);
    return 0;
}
