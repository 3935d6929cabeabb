# Signals arriving while the shell waits for a foreground child.
trap 'echo "USR1 handled"' USR1
( sleep 0.1; kill -USR1 $$ ) &
sleep 0.5
echo "after sleep"
wait
rm -f ready
trap 'echo "TERM handled"' TERM
( while [ ! -f ready ]; do sleep 0.01; done; kill -TERM $$ ) &
: > ready
wait $!
echo "after wait"
sleep 0.05
rm -f ready
trap - USR1 TERM
echo end
