# comm, diff, cmp, join, paste.
printf 'a\nb\nc\nd\n' > l1
printf 'b\nd\ne\n' > l2
comm l1 l2
comm -12 l1 l2
comm -23 l1 l2
diff l1 l2 > /dev/null; echo "diff differs -> $?"
diff l1 l1; echo "diff same -> $?"
diff -u l1 l2 | tail -n +3
cmp l1 l2 >/dev/null 2>&1; echo "cmp -> $?"
printf '1 one\n2 two\n3 three\n' > j1
printf '1 uno\n3 tres\n4 cuatro\n' > j2
join j1 j2
paste l1 l2
paste -s l1
rm l1 l2 j1 j2
