/* threads.c - POSIX threads: create/join with return values, a mutex-
 * protected counter, a condition-variable producer/consumer queue, a
 * barrier, thread-local storage, pthread_once, and atomics. All output is
 * printed by the main thread after joins, so it is deterministic. */
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdint.h>

#define NT 4

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static __thread long tls_value = 5;
static long tls_seen[NT];

static void *worker(void *arg)
{
    long id = (long)(intptr_t)arg;
    uint64_t sum = 0;
    for (long i = 0; i < 200000; i++)
        sum += (uint64_t)(i * (id + 1)) % 7;
    for (int i = 0; i < 10000; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    tls_value += id * 100;
    tls_seen[id] = tls_value;
    return (void *)(uintptr_t)sum;
}

/* bounded queue */
#define QN 8
static int queue[QN], qhead, qtail, qcount, done;
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t notfull = PTHREAD_COND_INITIALIZER, notempty = PTHREAD_COND_INITIALIZER;
static long consumed_sum[2], consumed_n[2];

static void *producer(void *arg)
{
    (void)arg;
    for (int i = 1; i <= 5000; i++) {
        pthread_mutex_lock(&qlock);
        while (qcount == QN)
            pthread_cond_wait(&notfull, &qlock);
        queue[qtail] = i;
        qtail = (qtail + 1) % QN;
        qcount++;
        pthread_cond_signal(&notempty);
        pthread_mutex_unlock(&qlock);
    }
    pthread_mutex_lock(&qlock);
    done = 1;
    pthread_cond_broadcast(&notempty);
    pthread_mutex_unlock(&qlock);
    return NULL;
}
static void *consumer(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (;;) {
        pthread_mutex_lock(&qlock);
        while (qcount == 0 && !done)
            pthread_cond_wait(&notempty, &qlock);
        if (qcount == 0 && done) {
            pthread_mutex_unlock(&qlock);
            return NULL;
        }
        int v = queue[qhead];
        qhead = (qhead + 1) % QN;
        qcount--;
        pthread_cond_signal(&notfull);
        pthread_mutex_unlock(&qlock);
        consumed_sum[id] += v;
        consumed_n[id]++;
    }
}

static pthread_barrier_t barrier;
static int phase_data[NT];
static long phase_check[NT];
static void *phased(void *arg)
{
    long id = (long)(intptr_t)arg;
    phase_data[id] = (int)(id + 1) * 10;
    pthread_barrier_wait(&barrier);
    long s = 0;
    for (int i = 0; i < NT; i++)
        s += phase_data[i];
    phase_check[id] = s;
    return NULL;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;
static void init_once(void) { once_runs++; }
static long atomic_counter;
static void *oncer(void *arg)
{
    (void)arg;
    pthread_once(&once, init_once);
    for (int i = 0; i < 50000; i++)
        __atomic_fetch_add(&atomic_counter, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

int main(void)
{
    pthread_t t[NT];
    for (long i = 0; i < NT; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i) != 0) {
            printf("pthread_create failed\n");
            return 1;
        }
    for (int i = 0; i < NT; i++) {
        void *ret;
        pthread_join(t[i], &ret);
        printf("worker %d returned %lu, tls=%ld\n", i, (unsigned long)(uintptr_t)ret, tls_seen[i]);
    }
    printf("mutex counter=%ld main tls=%ld\n", counter, tls_value);

    pthread_t p, c[2];
    pthread_create(&p, NULL, producer, NULL);
    for (long i = 0; i < 2; i++)
        pthread_create(&c[i], NULL, consumer, (void *)(intptr_t)i);
    pthread_join(p, NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(c[i], NULL);
    printf("queue: consumed %ld items, sum %ld\n", consumed_n[0] + consumed_n[1], consumed_sum[0] + consumed_sum[1]);

    pthread_barrier_init(&barrier, NULL, NT);
    for (long i = 0; i < NT; i++)
        pthread_create(&t[i], NULL, phased, (void *)(intptr_t)i);
    for (int i = 0; i < NT; i++)
        pthread_join(t[i], NULL);
    printf("barrier sums: %ld %ld %ld %ld\n", phase_check[0], phase_check[1], phase_check[2], phase_check[3]);
    pthread_barrier_destroy(&barrier);

    for (long i = 0; i < NT; i++)
        pthread_create(&t[i], NULL, oncer, NULL);
    for (int i = 0; i < NT; i++)
        pthread_join(t[i], NULL);
    printf("once ran %d time(s), atomic counter=%ld\n", once_runs, atomic_counter);

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int state;
    pthread_attr_getdetachstate(&attr, &state);
    printf("detached attr state ok=%d\n", state == PTHREAD_CREATE_DETACHED);
    pthread_attr_destroy(&attr);
    printf("self equal=%d\n", pthread_equal(pthread_self(), pthread_self()));
    return 0;
}
