/* sigframe_cow.c - the bytes of a signal frame's FPU area that no FXSAVE/XSAVE
 * writes (the image's reserved tail, bytes 416..463). Linux saves the FPU state
 * straight into the frame with page faults disabled; when that faults, because a
 * page of the area is copy-on-write since a fork (or not present yet), it clears
 * the whole area and saves again, so those bytes read zero. Otherwise they keep
 * the stack's old bytes.
 *
 * The frame goes on an alternate signal stack whose top is 256 bytes into a page:
 * whatever the size of the CPU's FPU area (512 bytes for FXSAVE, some 2.7 KiB with
 * AVX-512), it then reaches into that last page, which nothing writes between the
 * fork and the signal. Each round fills the stack with a pattern, forks or not
 * (the child exits at once), and raises SIGUSR1; the handler reports the tail. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

static unsigned char tail[48];
static int on_alt;

static void on_usr1(int sig, siginfo_t *si, void *u)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = u;
    memcpy(tail, (const char *)uc->uc_mcontext.fpregs + 416, sizeof tail);
    stack_t ss;
    on_alt = sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK);
}

static void round_(unsigned char *alt, size_t len, int do_fork, int pat)
{
    memset(tail, 0x5a, sizeof tail);
    memset(alt, pat, len);
    int reaped = 1;
    if (do_fork) {
        pid_t c = fork();
        if (c == 0)
            _exit(0);
        int st = 0;
        reaped = c > 0 && waitpid(c, &st, 0) == c && WIFEXITED(st);
    }
    raise(SIGUSR1);
    int zeros = 0, same = 0;
    for (size_t i = 0; i < sizeof tail; i++) {
        zeros += tail[i] == 0;
        same += tail[i] == (unsigned char)pat;
    }
    printf("fork %d, pattern %#04x: on the alternate stack: %s; reserved tail: %d zero bytes, "
           "%d pattern bytes%s\n",
           do_fork, pat, on_alt ? "yes" : "no", zeros, same, reaped ? "" : " (child not reaped)");
}

int main(void)
{
    const size_t page = 4096;
    unsigned char *alt = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (alt == MAP_FAILED)
        return 1;
    stack_t ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_sp = alt;
    ss.ss_size = 3 * page + 256;
    if (sigaltstack(&ss, NULL) != 0)
        return 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) != 0)
        return 1;
    round_(alt, ss.ss_size, 0, 0xff);
    round_(alt, ss.ss_size, 1, 0xff);
    round_(alt, ss.ss_size, 0, 0xa5);
    round_(alt, ss.ss_size, 1, 0xa5);
    round_(alt, ss.ss_size, 1, 0x3c);
    round_(alt, ss.ss_size, 0, 0x3c);
    return 0;
}
