# Background jobs and wait with $! and exit statuses.
( sleep 0.05; exit 3 ) &
p1=$!
( exit 4 ) &
p2=$!
wait $p1; echo "job1 -> $?"
wait $p2; echo "job2 -> $?"
sleep 0.01 &
wait; echo "wait all -> $?"
for i in 1 2 3 4 5; do ( exit $i ) & eval "p$i=\$!"; done
for i in 1 2 3 4 5; do eval "wait \$p$i"; echo "job $i -> $?"; done
( echo bg-out > bgfile ) &
wait $!
cat bgfile; rm bgfile
sh -c 'exit 9' &
wait $!; echo "sh -c bg -> $?"
[ -n "$!" ] && echo "have \$!"
