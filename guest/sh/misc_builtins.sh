# kill -l, trap listing, set -x, exec, command, type, alias-free builtins.
kill -l 9; kill -l 15; kill -l 1
trap 'echo bye' EXIT; trap 'true' USR2
trap | sort
trap - EXIT USR2
(set -x; echo traced) 2>&1 | sed 's/^+* *//'
command -v sort >/dev/null && echo "sort found"
command -v no_such_cmd_zz >/dev/null || echo "no_such_cmd_zz missing"
type cd | head -1 | grep -q builtin && echo "cd is builtin"
f=$(mktemp ./tmp.XXXXXX); [ -f "$f" ] && echo "mktemp created"; rm "$f"
flock lk -c 'echo "locked run"'; rm lk
ln -s loop loop; cat loop 2>/dev/null; echo "symlink loop -> $?"; rm loop
echo $(( $(printf '%s\n' $(seq 1 3000) | wc -l) ))
echo "$(seq 1 20000)" | wc -c
sh -c 'echo $#' sh $(seq 1 5000)
x=$(printf 'y%.0s' $(seq 1 100000)); echo ${#x}
sh -c 'echo ${#1}' sh "$x"
hash >/dev/null 2>&1; echo "hash ok"
exec sh -c 'echo "replaced by exec"; exit 9'
echo never
