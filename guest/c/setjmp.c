/* setjmp.c - setjmp/longjmp from nested calls, value 0 turning into 1,
 * volatile locals surviving, several jump buffers, re-entering via a loop,
 * sigsetjmp/siglongjmp restoring the signal mask, and callee-saved
 * registers restored after longjmp. */
#include <stdio.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

static jmp_buf env, env2;
static int depth_reached;

static void dive(int depth, int target, int val)
{
    depth_reached = depth;
    char pad[64];
    memset(pad, depth, sizeof pad);
    if (depth == target)
        longjmp(env, val);
    dive(depth + 1, target, val);
    printf("never printed %d\n", pad[0]);
}

static void inner(void) { longjmp(env2, 7); }
static void middle(void)
{
    if (setjmp(env) == 0) {
        inner();
    }
    printf("middle: not reached\n");
}

static sigjmp_buf senv;

static long crunch(long seed)
{
    /* lots of live values in callee-saved registers across setjmp */
    long a = seed, b = seed * 3, c = seed ^ 0x55, d = seed + 100, e = seed * seed, f = seed - 7;
    for (int i = 0; i < 3; i++) {
        if (setjmp(env) == 0) {
            a += 1; b += 2; c += 3; d += 4; e += 5; f += 6;
            dive(0, i + 2, i);
        }
    }
    return a + b + c + d + e + f;
}

int main(void)
{
    volatile int counter = 0;
    int r = setjmp(env);
    printf("setjmp returned %d (counter=%d)\n", r, counter);
    if (counter < 5) {
        counter++;
        dive(0, counter * 3, counter * 10);
    }

    r = setjmp(env);
    if (r == 0)
        longjmp(env, 0);
    printf("longjmp(env, 0) makes setjmp return %d\n", r);

    r = setjmp(env2);
    if (r == 0)
        middle();
    printf("jumped over middle with %d, depth_reached=%d\n", r, depth_reached);

    printf("callee-saved across setjmp: %ld\n", crunch(12345));

    /* sigsetjmp with mask saving */
    sigset_t set, old;
    sigemptyset(&set);
    sigprocmask(SIG_SETMASK, &set, NULL); /* do not depend on the inherited mask */
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_SETMASK, NULL, &old);
    printf("SIGUSR1 blocked at start: %d\n", sigismember(&old, SIGUSR1));
    if (sigsetjmp(senv, 1) == 0) {
        sigprocmask(SIG_BLOCK, &set, NULL);
        sigprocmask(SIG_SETMASK, NULL, &old);
        printf("blocked before siglongjmp: %d\n", sigismember(&old, SIGUSR1));
        siglongjmp(senv, 1);
    }
    sigprocmask(SIG_SETMASK, NULL, &old);
    printf("after siglongjmp(savemask=1): blocked=%d\n", sigismember(&old, SIGUSR1));
    if (sigsetjmp(senv, 0) == 0) {
        sigprocmask(SIG_BLOCK, &set, NULL);
        siglongjmp(senv, 1);
    }
    sigprocmask(SIG_SETMASK, NULL, &old);
    printf("after siglongjmp(savemask=0): blocked=%d\n", sigismember(&old, SIGUSR1));

    /* many jumps */
    volatile long total = 0;
    for (volatile int i = 0; i < 10000; i++) {
        if (setjmp(env) == 0)
            dive(0, i % 5, 1);
        else
            total += depth_reached;
    }
    printf("10000 longjmps, total depth %ld\n", (long)total);
    return 0;
}
