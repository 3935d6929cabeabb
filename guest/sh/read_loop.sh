# read loops with IFS, -r, and fds.
printf 'alice:30:paris\nbob:25:rome\ncarol:35:oslo\n' > people
while IFS=: read name age city; do echo "$name is $age and lives in $city"; done < people
total=0
while IFS=: read _ age _; do total=$((total+age)); done < people
echo "total age $total"
printf 'a b c d e\n' | { read x y rest; echo "x=$x y=$y rest=$rest"; }
printf 'back\\slash\n' | { read -r l; echo "raw: $l"; }
printf 'back\\slash\n' | { read l; echo "cooked: $l"; }
printf '  lead and trail  \n' | { IFS= read -r l; echo "[$l]"; }
printf 'no newline' | { read l; echo "status $? [$l]"; }
n=0; while read l; do n=$((n+1)); done < /dev/null; echo "empty -> $n"
exec 3< people
read -r first <&3
read -r second <&3
exec 3<&-
echo "$first / $second"
seq 1 5 | while read i; do echo "line $i"; done | tail -2
cnt=0; while read l; do cnt=$((cnt+1)); done <<EOT
$(seq 1 42)
EOT
echo "cnt=$cnt"
rm people
