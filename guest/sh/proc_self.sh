# /proc/self as seen by busybox applets; uname.
cat /proc/self/cmdline | tr '\0' ' '; echo
readlink /proc/self/exe
cut -d' ' -f2,3 /proc/self/stat
grep -E '^(Name|State):' /proc/self/status | tr -s '\t ' ' '
uname -s -m
[ -d /proc/$$ ] && echo "own /proc entry exists"
[ "$PPID" != "$$" ] && echo "PPID differs from \$\$"
sh -c '[ "$PPID" = "$1" ] && echo "child PPID is parent"' sh $$
