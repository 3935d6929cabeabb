# Moderately large data through pipes and sort (kept small: puffer interprets).
seq 1 20000 | sort -rn | head -3
seq 1 10000 | awk '{ s += $1 * $1 } END { print s }'
head -c 1000000 /dev/zero | md5sum
seq 1 5000 | sed 's/$/ line/' | grep -c '7 line'
seq 1 10000 | gzip -1 | gunzip | wc -l
