# Writers killed by SIGPIPE when the reader exits early.
yes | head -n 1000 | wc -l
seq 1 1000000 | head -n 2
yes hello | sed -n '5{p;q}'
cat /dev/zero | head -c 5 | od -An -tx1
sh -c 'yes | head -1'; echo "-> $?"
(trap '' PIPE; yes 2>/dev/null | head -1)
echo "done"
