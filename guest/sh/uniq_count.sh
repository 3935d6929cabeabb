# sort / uniq on generated files.
for w in b a c a b a d e a c; do echo $w; done > words
sort words | uniq
echo ---
sort words | uniq -c
echo ---
sort words | uniq -d
echo ---
sort words | uniq -u
echo ---
sort -u words | wc -l
seq 1 30 | awk '{print $1 % 4}' | sort -n | uniq -c
rm words
