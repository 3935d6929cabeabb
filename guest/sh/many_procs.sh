# Many short-lived processes.
n=0
for i in $(seq 1 60); do n=$((n + $(echo 1))); done
echo "substs: $n"
for i in $(seq 1 30); do sh -c "exit $((i % 5))"; s=$((s + $?)); done
echo "sum of statuses: $s"
for i in $(seq 1 20); do ( exit 1 ) & done
wait; echo "waited for 20"
i=0; while [ $i -lt 25 ]; do true | cat | cat >/dev/null; i=$((i+1)); done; echo "25 pipelines"
seq 1 40 | while read x; do expr $x \* 2; done | awk '{s+=$1} END {print s}'
