# sed substitutions, addresses, in-place edits.
printf 'alpha beta\ngamma delta\nepsilon zeta\neta theta\n' > s.txt
sed 's/a/A/' s.txt
sed 's/a/A/g' s.txt
sed -n '2p' s.txt
sed '2d' s.txt
sed -n '/eta/p' s.txt
sed '1,2s/^/> /' s.txt
sed 's/\([a-z]*\) \([a-z]*\)/\2 \1/' s.txt
sed -e 's/e/E/' -e 's/t/T/g' s.txt
sed '$a\
appended' s.txt | tail -2
sed '1i\
inserted' s.txt | head -2
sed -i 's/zeta/ZETA/' s.txt; grep ZETA s.txt
sed -n '$=' s.txt
sed 'y/abc/xyz/' s.txt | head -1
sed -E 's/(e+)/[\1]/g' s.txt
echo "a/b/c" | sed 's#/#|#g'
rm s.txt
