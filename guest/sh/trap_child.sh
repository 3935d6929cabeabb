# A background subshell with a TERM trap, killed by its parent.
rm -f ready
( trap 'echo "child got TERM"; rm -f ready; exit 7' TERM; : > ready; while :; do sleep 0.01; done ) &
p=$!
while [ ! -f ready ]; do sleep 0.01; done
kill $p
wait $p; echo "child -> $?"
sleep 5 &
p=$!
kill $p
wait $p; echo "killed sleep -> $?"
sleep 5 &
p=$!
kill -9 $p
wait $p; echo "kill -9 sleep -> $?"
