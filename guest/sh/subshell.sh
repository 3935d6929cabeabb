# Subshells, groups and their exit codes.
v=outer
( v=inner; echo "in: $v" )
echo "out: $v"
{ v=group; }
echo "after group: $v"
(exit 3); echo "exit3 -> $?"
( (exit 5) ); echo "nested -> $?"
(false); echo "false -> $?"
(true); echo "true -> $?"
( cd /; echo "cd in subshell" ); echo "pwd unchanged: $(basename "$(pwd)")"
r=$( (echo out; exit 2) ); echo "r=$r status=$?"
( exit 300 ); echo "300 -> $?"
{ echo a; echo b; } | sort -r | tr '\n' ' '; echo
( echo x; echo y ) | wc -l
if (exit 0); then echo "if ok"; fi
if ! (exit 1); then echo "negated"; fi
( set -- p q r; echo "$# $2" ); echo "args outside: $#"
