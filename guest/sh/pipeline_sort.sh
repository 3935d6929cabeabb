# Pipelines of several applets.
seq 1 1000 | sort -rn | head -5 | tr '\n' ' '; echo
seq 1 100 | awk '{ s += $1 } END { print "sum", s }'
seq 1 50 | grep 7 | sort -r | tr '\n' ','; echo
seq 1 20 | sed -n '3,6p' | tac | paste -sd+ - | tee /dev/null
seq 1 200 | awk '$1 % 7 == 0' | wc -l
printf 'pear\napple\nfig\napple\nkiwi\npear\napple\n' | sort | uniq -c | sort -k1,1nr -k2 | head -3
seq 1 3000 | cat | cat | cat | cat | cat | cat | cat | cat | tail -1
echo "hello world from a pipe" | tr a-z A-Z | rev | cut -c1-10
