# Command substitution, nesting, exit status.
a=$(echo one)
b=`echo two`
c=$(echo $(echo $(echo three)))
echo "$a $b $c"
n=$(seq 1 10 | wc -l); echo "lines=$n"
x=$(exit 7); echo "status=$?"
y=$(printf 'a\n\n\n'); echo "[$y]"
z="$(printf 'x y\tz')"; echo "[$z]"
multi=$(for i in 1 2 3; do echo "i$i"; done); echo "$multi" | tr '\n' ' '; echo
echo "len=${#multi}"
echo "$(echo "$(echo "inner quotes")")"
v=$(false) || echo "false in subst -> $?"
cnt=0; for w in $(echo a b c d); do cnt=$((cnt+1)); done; echo "words=$cnt"
