# awk with arrays, printf, BEGIN/END, fields.
cat > sales <<END
north apples 10 1.5
south pears 4 2.25
north pears 7 2.25
east apples 3 1.5
south apples 12 1.5
east figs 1 9.75
END
awk '{ t[$1] += $3 * $4 } END { for (k in t) printf "%-6s %8.2f\n", k, t[k] }' sales | sort
awk '{ n[$2] += $3 } END { for (k in n) print k, n[k] }' sales | sort -k2,2nr
awk 'NR % 2 == 1 { print NR": "$0 }' sales
awk -v x=3 '$3 > x { c++ } END { print "count", c }' sales
awk 'BEGIN { FS=" " } { print length($2), toupper($2), substr($1, 1, 2) }' sales
awk 'BEGIN { for (i = 1; i <= 5; i++) s = s i "," ; print s; print int(7.9), 2^10, 17 % 5; printf "%05d|%-4s|%x\n", 42, "ab", 255 }'
awk 'BEGIN { n = split("a:b:c:d", parts, ":"); print n, parts[1] parts[4]; s = "hello world"; gsub(/o/, "0", s); print s; print index("abcdef", "cd"), match("xxabc", /ab/), RSTART }'
echo "1,2,3" | awk -F, '{ print $2 + $3, NF }'
awk 'END { print NR }' sales
rm sales
