# /proc/self/fd and /proc/$$/fd: which descriptors a shell and its commands have
# (the harness starts the shell with only 0, 1 and 2), redirections and exec.
ls /proc/self/fd
ls /proc/self/fd 5</dev/null 8>&1
exec 7>out.txt
ls /proc/self/fd
echo "via fd 7" >&7
cat out.txt
readlink /proc/self/fd/0
basename "$(readlink /proc/self/fd/7)"
exec 7>&-
[ -e /proc/self/fd/7 ] || echo "fd 7 closed"
ls /proc/self/fd/ 2>/dev/null | wc -l
echo data | ls /proc/self/fd
( exec 3</dev/null; ls /proc/self/fd )
ls -d /proc/self/fd/0 /proc/self/fd/1
rm out.txt
