// ARGS: alpha beta-gamma 123 -x --long=value "" "two words"
/* args.c - prints argc and every argv[i]. argv[0] is printed as its last path
 * component only (the runner decides the directory part). The environment is
 * only checked for being NULL-terminated, never printed. */
#include <stdio.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv, char **envp)
{
    printf("argc=%d\n", argc);
    const char *slash = strrchr(argv[0], '/');
    printf("argv[0] basename=%s\n", slash ? slash + 1 : argv[0]);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=\"%s\" len=%zu\n", i, argv[i], strlen(argv[i]));
    printf("argv[argc] is %s\n", argv[argc] == NULL ? "NULL" : "not NULL");
    int n = 0;
    while (envp[n] != NULL)
        n++;
    printf("envp terminated: yes, same as environ: %s\n", envp == environ ? "yes" : "no");
    return 0;
}
