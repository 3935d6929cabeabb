# trap on EXIT with an explicit exit code.
trap 'echo "exit trap, status $?"' EXIT
echo start
f() { echo "in f"; return 4; }
f; echo "f -> $?"
( trap 'echo subshell exit trap' EXIT; echo in subshell; exit 2 ); echo "subshell -> $?"
exit 5
