# tee, cat, head/tail variants.
seq 1 5 | tee t1 | tail -1
cat t1 | wc -l
seq 6 7 | tee -a t1 > /dev/null
cat -n t1 | tail -3
cat t1 t1 | wc -l
echo mid | cat t1 - t1 | sed -n '7,9p'
head -n -5 t1 2>/dev/null || head -n 2 t1
tail -n +6 t1
tail -c 4 t1 | od -An -c
seq 1 3 | tee t2 t3 >/dev/null; cat t2 t3 | tr '\n' ' '; echo
rm t1 t2 t3
