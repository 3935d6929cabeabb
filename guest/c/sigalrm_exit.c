/* sigalrm_exit.c - the program itself dies of SIGALRM's default action while it
 * sleeps in pause(), with no other process around (status "signal 14"). */
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>
#include <unistd.h>

int main(void)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGALRM, SIG_DFL);
    struct itimerval it = {{0, 0}, {0, 50000}};
    setitimer(ITIMER_REAL, &it, NULL);
    printf("waiting for SIGALRM\n");
    fflush(stdout);
    pause();
    printf("not reached\n");
    return 0;
}
