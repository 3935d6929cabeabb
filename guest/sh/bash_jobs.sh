# SHELLS: bash
# bash: wait -n, jobs, read -t, disown-free job tables.
( sleep 0.2; exit 2 ) &
( exit 7 ) &
wait -n; echo "first done -> $?"
wait -n; echo "second done -> $?"
sleep 0.1 & sleep 0.1 &
jobs | wc -l
wait
read -t 0.1 line < <(sleep 1); echo "read -t -> $(( $? > 128 ? 1 : 0 ))"
read -t 1 line < <(echo quick); echo "read -t fast: $line"
f() { ( exit $1 ) & wait $!; }
f 12; echo "f -> $?"
