/* spin_threads.c - threads that wait for each other without a syscall: the main
 * thread spins until a new thread has started, two threads hand a token back and
 * forth through an atomic variable (each spinning until its turn), a
 * pthread_spin_lock guards a counter both increment, and a lock-free atomic
 * counter is incremented by both; then one thread fills a large buffer over and
 * over (memset and memcpy: REP STOS and REP MOVS in musl) while the main thread
 * spins until it is done. Only a scheduler that preempts a spinning
 * thread lets the other one run on a single CPU. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int started;
static int turn;
static long handoffs;
static pthread_spinlock_t lock;
static long locked_count;
static long atomic_count;

#define ROUNDS 12
#define ADDS 20000

static void *starter(void *arg)
{
    (void)arg;
    __atomic_store_n(&started, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void *pong(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != 1)
            ;
        handoffs++;
        __atomic_store_n(&turn, 0, __ATOMIC_RELEASE);
    }
    return NULL;
}

static void *adder(void *arg)
{
    (void)arg;
    for (int i = 0; i < ADDS; i++) {
        pthread_spin_lock(&lock);
        locked_count++;
        pthread_spin_unlock(&lock);
        __atomic_fetch_add(&atomic_count, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

#define BIG (8 << 20)
static unsigned char *big;
static int filled;

static void *filler(void *arg)
{
    (void)arg;
    for (int k = 1; k <= 160; k++) {
        memset(big, k, BIG / 2);
        memcpy(big + BIG / 2, big, BIG / 2);
    }
    __atomic_store_n(&filled, 1, __ATOMIC_RELEASE);
    return NULL;
}

int main(void)
{
    pthread_t t, u;
    pthread_create(&t, NULL, starter, NULL);
    while (!__atomic_load_n(&started, __ATOMIC_ACQUIRE))
        ;
    pthread_join(t, NULL);
    printf("the main thread saw the new thread start\n");

    pthread_create(&t, NULL, pong, NULL);
    for (int i = 0; i < ROUNDS; i++) {
        while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != 0)
            ;
        handoffs++;
        __atomic_store_n(&turn, 1, __ATOMIC_RELEASE);
    }
    while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != 0)
        ;
    pthread_join(t, NULL);
    printf("token handed back and forth: %ld handoffs\n", handoffs);

    pthread_spin_init(&lock, PTHREAD_PROCESS_PRIVATE);
    pthread_create(&t, NULL, adder, NULL);
    pthread_create(&u, NULL, adder, NULL);
    adder(NULL);
    pthread_join(t, NULL);
    pthread_join(u, NULL);
    printf("spinlock counter %ld, atomic counter %ld (expected %d)\n", locked_count,
           atomic_count, 3 * ADDS);

    big = malloc(BIG);
    if (!big)
        return 1;
    pthread_create(&t, NULL, filler, NULL);
    while (!__atomic_load_n(&filled, __ATOMIC_ACQUIRE))
        ;
    pthread_join(t, NULL);
    long wrong = 0;
    for (long i = 0; i < BIG; i++)
        wrong += big[i] != 160;
    printf("buffer filled by the other thread: %ld bytes differ\n", wrong);
    return 0;
}
