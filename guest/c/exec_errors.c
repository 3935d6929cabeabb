/* exec_errors.c - execve failures and #! scripts. A failing execve returns
 * to the caller with errno set (printed with strerror) and must leave the
 * process untouched: globals, heap, open descriptors, pid. Then #! scripts
 * whose interpreter is this program itself (its absolute path from
 * readlink("/proc/self/exe")) are run in forked children; the program, started
 * as an interpreter (an argument is "--from-script"), prints the argv the kernel
 * built (paths shown by basename only). Every file is created in the current
 * directory and removed again. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int global = 1234;
static char *heap_text;

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static int interp_main(int argc, char **argv)
{
    printf("  interpreter run: argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("  argv[%d]: %s\"%s\"\n", i, argv[i][0] == '/' ? "absolute, basename " : "",
               argv[i][0] == '/' ? base(argv[i]) : argv[i]);
    const char *e = getenv("SCRIPT_ENV");
    printf("  SCRIPT_ENV=%s\n", e ? e : "(unset)");
    return 3;
}

static void write_file(const char *name, const char *text, mode_t mode)
{
    int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, mode); /* umask is 022 */
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        printf("cannot write %s: %s\n", name, strerror(errno));
        exit(1);
    }
    close(fd);
}

static void try_exec(const char *what, const char *path, char **argv)
{
    char *envp[] = {"SCRIPT_ENV=from-execve", NULL};
    errno = 0;
    int r = execve(path, argv, envp);
    int e = errno;
    printf("%-34s -> %d, %s\n", what, r, strerror(e));
}

/* Runs the script in a forked child; prints the child's status. */
static void run_script(const char *what, const char *path, char **argv)
{
    printf("%s:\n", what);
    pid_t c = fork();
    if (c == 0) {
        char *envp[] = {"SCRIPT_ENV=from-execve", NULL};
        execve(path, argv, envp);
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
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--from-script") == 0)
            return interp_main(argc, argv);

    umask(022);
    pid_t me = getpid();
    heap_text = strdup("heap survives");
    write_file("data.txt", "descriptor survives\n", 0644);
    int keep_fd = open("data.txt", O_RDONLY);

    char *args[] = {"prog", "arg", NULL};
    try_exec("missing file", "./no-such-file", args);
    try_exec("missing directory component", "./no-such-dir/prog", args);
    try_exec("empty path", "", args);
    try_exec("directory", ".", args);
    try_exec("directory /", "/", args);

    write_file("plain.txt", "just text\n", 0644);
    try_exec("regular file, mode 0644", "./plain.txt", args);
    try_exec("regular file as a directory", "./plain.txt/x", args);

    write_file("noshebang.sh", "echo hello\n", 0755);
    try_exec("executable text without #!", "./noshebang.sh", args);

    write_file("garbage.bin", "\177ELF garbage that is not a valid ELF header", 0755);
    try_exec("truncated ELF", "./garbage.bin", args);

    write_file("empty.bin", "", 0755);
    try_exec("empty executable file", "./empty.bin", args);

    write_file("badinterp.sh", "#!/no/such/interpreter\necho hi\n", 0755);
    try_exec("#! with a missing interpreter", "./badinterp.sh", args);

    char longname[5000];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    try_exec("path longer than PATH_MAX", longname, args);

    if (symlink("loop2", "loop1") != 0 || symlink("loop1", "loop2") != 0)
        printf("symlink failed: %s\n", strerror(errno));
    try_exec("symlink loop", "./loop1", args);

    /* One argument longer than MAX_ARG_STRLEN (128 KiB). */
    size_t big = 200000;
    char *huge = malloc(big + 1);
    memset(huge, 'a', big);
    huge[big] = 0;
    char *args_huge[] = {"prog", huge, NULL};
    try_exec("one 200000-byte argument", "/proc/self/exe", args_huge);

    /* 100 arguments of 100000 bytes: 10 MB, above any stack-based limit. */
    huge[100000] = 0;
    char **many = malloc(102 * sizeof *many);
    many[0] = "prog";
    for (int i = 1; i <= 100; i++)
        many[i] = huge;
    many[101] = NULL;
    try_exec("100 arguments of 100000 bytes", "/proc/self/exe", many);
    free(many);
    free(huge);

    /* The caller is untouched. */
    char buf[64] = {0};
    ssize_t n = read(keep_fd, buf, sizeof buf - 1);
    printf("after the failures: pid unchanged: %s, global=%d, heap=\"%s\", fd read %d bytes: %s",
           getpid() == me ? "yes" : "no", global, heap_text, (int)n, buf);
    close(keep_fd);

    /* #! scripts whose interpreter is this program. */
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) {
        printf("readlink /proc/self/exe failed: %s\n", strerror(errno));
        return 1;
    }
    exe[len] = 0;
    char text[PATH_MAX + 64];
    snprintf(text, sizeof text, "#!%s --from-script\nthis line is not read\n", exe);
    write_file("script.sh", text, 0755);
    char *sargs[] = {"script-argv0", "one", "two words", NULL};
    run_script("#!<this program> --from-script", "./script.sh", sargs);

    snprintf(text, sizeof text, "#! %s\t\n", exe);
    write_file("noarg.sh", text, 0755);
    char *nargs[] = {"noarg", "--from-script", NULL};
    run_script("#! <this program> (spaces, no argument)", "./noarg.sh", nargs);

    /* A script used as another script's interpreter (nested #!). */
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) {
        printf("getcwd failed\n");
        return 1;
    }
    snprintf(text, sizeof text, "#!%s/script.sh outer-arg\n", cwd);
    write_file("outer.sh", text, 0755);
    char *oargs[] = {"outer", "x", NULL};
    run_script("#!<a #! script> (nested)", "./outer.sh", oargs);

    /* A script that is not executable. */
    snprintf(text, sizeof text, "#!%s --from-script\n", exe);
    write_file("script644.sh", text, 0644);
    try_exec("#! script, mode 0644", "./script644.sh", sargs);

    const char *files[] = {"data.txt", "plain.txt", "noshebang.sh", "garbage.bin", "empty.bin",
                           "badinterp.sh", "loop1", "loop2", "script.sh", "noarg.sh", "outer.sh", "script644.sh"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        if (unlink(files[i]) != 0)
            printf("unlink %s: %s\n", files[i], strerror(errno));
    printf("done\n");
    return 0;
}
