/* exec_self_env.c - execve of this same program (/proc/self/exe) with
 * unusual argument vectors and environments: an empty environment, 500
 * variables, empty strings and strings with spaces, tabs and newlines, 1000
 * arguments, a 100000-byte argument and variable, and an empty argv (the
 * kernel then supplies argc 1 with an empty argv[0]). The re-executed
 * program prints what it received (long strings summarized) and AT_EXECFN.
 * Each exec runs in a forked child; the parent waits before printing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void show_string(const char *s)
{
    size_t n = strlen(s);
    if (n > 60) {
        int same = 1;
        for (size_t i = 1; i < n; i++)
            same &= s[i] == s[0];
        printf("<%zu bytes%s%c>", n, same ? ", all " : ", starting ", s[0]);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '\n')
            printf("\\n");
        else if (*s == '\t')
            printf("\\t");
        else
            putchar(*s);
    }
    putchar('"');
}

static int show(int argc, char **argv)
{
    printf("  argc=%d\n", argc);
    if (argc <= 12) {
        for (int i = 0; i < argc; i++) {
            printf("  argv[%d]=", i);
            show_string(argv[i]);
            putchar('\n');
        }
    } else {
        /* Many arguments: check the pattern "arg<i>" instead of printing. */
        int ok = 1;
        char want[32];
        for (int i = 2; i < argc; i++) {
            snprintf(want, sizeof want, "arg%d", i);
            ok &= strcmp(argv[i], want) == 0;
        }
        printf("  argv[2..%d] are arg2..arg%d: %s\n", argc - 1, argc - 1, ok ? "yes" : "no");
    }
    printf("  argv[argc] is NULL: %s\n", argv[argc] == NULL ? "yes" : "no");
    int n = 0;
    while (environ[n])
        n++;
    printf("  environment: %d entries\n", n);
    if (n <= 6) {
        for (int i = 0; i < n; i++) {
            printf("  env[%d]=", i);
            show_string(environ[i]);
            putchar('\n');
        }
    } else {
        int ok = 1;
        char want[64];
        for (int i = 0; i < n; i++) {
            snprintf(want, sizeof want, "VAR%03d=value-%d", i, i * i);
            ok &= strcmp(environ[i], want) == 0;
        }
        printf("  env[i] == \"VAR<i>=value-<i*i>\" for all: %s\n", ok ? "yes" : "no");
        const char *v = getenv("VAR250");
        printf("  getenv(\"VAR250\")=%s\n", v ? v : "(null)");
    }
    const char *fn = (const char *)getauxval(AT_EXECFN);
    printf("  AT_EXECFN=%s\n", fn ? fn : "(none)");
    return argc % 256;
}

static void run(const char *title, char **argv, char **envp)
{
    printf("%s:\n", title);
    pid_t c = fork();
    if (c == 0) {
        execve("/proc/self/exe", argv, envp);
        printf("  execve failed: %s\n", strerror(errno));
        _exit(127);
    }
    int st;
    waitpid(c, &st, 0);
    if (WIFEXITED(st))
        printf("  exit code %d\n", WEXITSTATUS(st));
    else
        printf("  killed by signal %d\n", WTERMSIG(st));
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if ((argc > 1 && strcmp(argv[1], "--show") == 0) || getenv("EXEC_SELF_ARGC0"))
        return show(argc, argv);

    char *empty_env[] = {NULL};
    char *a1[] = {"exec_self_env", "--show", NULL};
    run("empty environment", a1, empty_env);

    char *a2[] = {"", "--show", "", " ", "a b", "  two  spaces  ", "\ttab", "new\nline", "", NULL};
    char *env2[] = {"EMPTY=", "=starts-with-equals", "NOEQUALS", "SPACE= x ", NULL};
    run("empty and blank arguments, odd variables", a2, env2);

    static char *env3[501];
    static char envbuf[500][32];
    for (int i = 0; i < 500; i++) {
        snprintf(envbuf[i], sizeof envbuf[i], "VAR%03d=value-%d", i, i * i);
        env3[i] = envbuf[i];
    }
    env3[500] = NULL;
    run("500 environment variables", a1, env3);

    static char *a4[1001];
    static char argbuf[1000][16];
    a4[0] = "many";
    a4[1] = "--show";
    for (int i = 2; i < 1000; i++) {
        snprintf(argbuf[i], sizeof argbuf[i], "arg%d", i);
        a4[i] = argbuf[i];
    }
    a4[1000] = NULL;
    run("1000 arguments", a4, empty_env);

    char *big = malloc(100001);
    memset(big, 'q', 100000);
    big[100000] = 0;
    char *bigvar = malloc(100001 + 4);
    strcpy(bigvar, "BIG=");
    memset(bigvar + 4, 'v', 100000);
    bigvar[100004] = 0;
    char *a5[] = {"big", "--show", big, NULL};
    char *env5[] = {bigvar, NULL};
    run("a 100000-byte argument and variable", a5, env5);
    free(big);
    free(bigvar);

    char *a6[] = {NULL};
    char *env6[] = {"EXEC_SELF_ARGC0=1", NULL};
    run("empty argv", a6, env6);

    printf("done\n");
    return 0;
}
