# SIGSTOP/SIGCONT on a background job, kill -0.
rm -f ready
( : > ready; while [ ! -f go ]; do sleep 0.01; done; exit 5 ) &
p=$!
while [ ! -f ready ]; do sleep 0.01; done
kill -0 $p && echo "alive"
kill -STOP $p
kill -CONT $p
: > go
wait $p; echo "job -> $?"
kill -0 $p 2>/dev/null || echo "gone after wait"
rm -f ready go
sh -c 'trap "" INT; kill -INT $$; echo "survived ignored INT"'
sh -c 'trap "echo caught HUP" HUP; kill -HUP $$; echo after HUP'
