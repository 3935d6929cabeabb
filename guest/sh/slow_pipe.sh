# Readers blocking on slow writers; sleep; timeout.
( for i in 1 2 3; do echo "tick $i"; sleep 0.05; done ) | while read l; do echo "got $l"; done
( sleep 0.1; echo late ) | cat
timeout 0.2 sleep 5; echo "timeout -> $?"
timeout 5 sh -c 'exit 3'; echo "timeout inner -> $?"
timeout -s KILL 0.1 sleep 5; echo "timeout KILL -> $?"
sleep 0.05 & sleep 0.1 & wait; echo "two sleeps"
(sleep 0.2; echo "background finished") & echo "foreground first"; wait
