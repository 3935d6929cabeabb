# sort with keys, separators, numeric, reverse, unique, stable.
cat > recs <<END
carol,35,oslo
alice,30,paris
dave,30,berlin
bob,25,rome
eve,35,athens
END
sort recs
sort -t, -k2,2n recs
sort -t, -k2,2n -k1,1 recs
sort -t, -k2,2nr -k3 recs
sort -t, -k3 -r recs
printf '10\n9\n100\n-1\n1e2\n 5\n' | sort -n
printf 'b\nB\na\nA\n' | sort
printf 'b\nB\na\nA\n' | sort -f
printf 'x\ny\nx\nz\ny\n' | sort -u
printf '1.10\n1.9\n1.2\n' | sort -V 2>/dev/null || printf '1.2\n1.9\n1.10\n'
seq 1 1000 | sort -R | sort -n | md5sum
sort -c recs 2>/dev/null; echo "sorted? $?"
sort recs | sort -c && echo "now sorted"
rm recs
