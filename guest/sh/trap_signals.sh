# trap on USR1/USR2/TERM/INT and kill to ourselves.
trap 'echo got USR1' USR1
trap 'echo got USR2' USR2
trap 'echo got TERM' TERM
trap 'echo got INT' INT
kill -USR1 $$
kill -USR2 $$
kill -TERM $$
kill -INT $$
kill -s USR1 $$
echo "still alive"
trap - USR1
trap '' USR2
kill -USR2 $$
echo "USR2 ignored"
trap 'echo count; n=$((n+1))' USR1
n=0
for i in 1 2 3; do kill -USR1 $$; done
echo "n=$n"
( kill -USR1 $$ ) ; echo "from subshell to parent -> n=$n"
