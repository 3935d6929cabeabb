# xargs.
seq 1 10 | xargs echo
seq 1 10 | xargs -n 3 echo
seq 1 5 | xargs -I{} echo "item {}"
printf 'a b\nc\n' | xargs printf '<%s>'; echo
printf 'one\0two words\0three\0' | xargs -0 -n1 echo
seq 1 4 | xargs sh -c 'echo "$#: $*"' sh
mkdir x; for i in 1 2 3; do echo $i > x/f$i; done
find x -type f | sort | xargs cat | paste -sd' ' -
ls x | xargs -n1 | wc -l
seq 1 3 | xargs -n1 sh -c 'exit $0'; echo "xargs with failing cmd -> $?"
echo | xargs echo "empty input:"
rm -r x
