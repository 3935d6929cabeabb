# Redirections to files and between descriptors.
echo one > f1
echo two >> f1
cat f1
{ echo out; echo err >&2; } > f2 2>&1
sort f2
{ echo out2; echo err2 >&2; } 2>&1 >/dev/null | cat
exec 3> f3
echo "via fd3" >&3
echo "again" >&3
exec 3>&-
cat f3
exec 4< f1
read l <&4; echo "read: $l"
read l <&4; echo "read: $l"
exec 4<&-
echo hidden 2>/dev/null >&- || echo "write to closed stdout failed"
( exec >&-; echo x ) 2>/dev/null; echo "closed-stdout status nonzero: $([ $? -ne 0 ] && echo yes || echo no)"
cat < f1 > f4; cmp f1 f4 && echo same
: > f1; wc -c < f1
echo data 1<>f5; cat f5
exec 5>&1
echo "through dup fd5" >&5
exec 5>&-
ls f* | tr '\n' ' '; echo
rm -f f1 f2 f3 f4 f5
echo "noclobber:"; set -C; echo a > g; (echo b > g) 2>/dev/null || echo refused; echo c >| g; cat g; set +C; rm g
