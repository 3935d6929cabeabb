/* 300 cycles of fork + execve + exit + wait of a small static program (this one,
 * re-executed with the argument "child", which exits at once). Measures process
 * creation, address-space copy and teardown, ELF loading and reaping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return 7;
    int ok = 0;
    for (int i = 0; i < 300; i++) {
        pid_t p = fork();
        if (p < 0) { perror("fork"); return 1; }
        if (p == 0) {
            char *args[] = { argv[0], "child", NULL };
            char *envp[] = { NULL };
            execve("/proc/self/exe", args, envp);
            _exit(127);
        }
        int st;
        if (waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 7)
            ok++;
    }
    printf("fork+exec+exit+wait cycles completed: %d of 300\n", ok);
    return ok == 300 ? 0 : 1;
}
