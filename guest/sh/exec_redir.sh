# exec redirecting the whole shell's output, /dev/fd, /dev/stdin.
exec 3>&1
exec > out.txt
echo "into the file"
echo "second line"
exec 1>&3 3>&-
echo "back on stdout"
cat out.txt
cat /dev/fd/4 4<out.txt | wc -l
echo "via stdin" | cat /dev/stdin
echo "via fd 0" | cat /dev/fd/0
exec 5<out.txt; cat <&5 | head -1; exec 5<&-
{ echo a; echo b >&2; } 2>err.txt; cat err.txt
ls /dev/fd/ >/dev/null && echo "dev fd listable"
rm out.txt err.txt
