/* ttyprobe.c - what a command-line tool asks about its terminal: isatty on the
 * three standard descriptors, stdin's termios, stdout's window size, stdin's
 * foreground process group and pending input, and, when stdin is a terminal, a
 * switch to raw mode and back (tcsetattr with TCSAFLUSH, then TCSADRAIN). It
 * prints facts that do not depend on the terminal's settings. The fixture
 * records a run without a terminal; a strace test runs it on a pseudo-terminal,
 * natively and in puffer, and compares the ioctl lines. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int fd = 0; fd < 3; fd++)
        printf("fd %d is a terminal: %s\n", fd, isatty(fd) ? "yes" : "no");
    struct termios t;
    if (tcgetattr(0, &t) == 0) {
        struct termios raw = t, now;
        cfmakeraw(&raw);
        int r = tcsetattr(0, TCSAFLUSH, &raw);
        tcgetattr(0, &now);
        printf("raw mode: %d, canonical input off: %s\n", r, now.c_lflag & ICANON ? "no" : "yes");
        r = tcsetattr(0, TCSADRAIN, &t);
        tcgetattr(0, &now);
        printf("restored: %d, same flags: %s\n", r,
               now.c_lflag == t.c_lflag && now.c_iflag == t.c_iflag ? "yes" : "no");
    } else {
        printf("tcgetattr(0): %s\n", strerror(errno));
    }
    struct winsize w;
    errno = 0;
    int r = ioctl(1, TIOCGWINSZ, &w);
    printf("TIOCGWINSZ(1): %s\n", r == 0 ? "ok" : strerror(errno));
    int pg = 0;
    errno = 0;
    r = ioctl(0, TIOCGPGRP, &pg);
    printf("TIOCGPGRP(0): %s\n", r == 0 ? (pg == getpgrp() ? "ours" : "another group") : strerror(errno));
    int n = -1;
    errno = 0;
    r = ioctl(0, FIONREAD, &n);
    printf("FIONREAD(0): %s\n", r == 0 ? "ok" : strerror(errno));
    return 0;
}
