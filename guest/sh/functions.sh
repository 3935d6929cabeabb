# Functions, local variables, return codes, recursion.
g=global
f() { local g=local; echo "in f: $g"; return 3; }
f; echo "f -> $? g=$g"
fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(($1-1))) )); fi; }
echo "10! = $(fact 10)"
fib() { local n=$1; if [ $n -lt 2 ]; then r=$n; return; fi; fib $((n-1)); local a=$r; fib $((n-2)); r=$((a+r)); }
fib 15; echo "fib 15 = $r"
count() { echo $#; }
count; count a; count "a b" c; count "$@"
args() { for a; do printf '<%s>' "$a"; done; echo; }
args 1 "2 3" '' "4"
ret() { return $1; }
for c in 0 1 42 255; do ret $c; echo "ret $c -> $?"; done
outer() { local x=1; inner; echo "outer x=$x"; }
inner() { x=2; }
outer
noret() { false; }
noret; echo "implicit -> $?"
recur() { local d=$1; [ $d -eq 0 ] && return 0; recur $((d-1)); }
recur 100; echo "deep recursion ok"
f2() { echo "f2 body"; }; unset -f f2; (f2) 2>/dev/null || echo "f2 unset"
