# SHELLS: bash
# Bash arithmetic, let, (( )), bases, for ((;;)), select-free loops.
(( x = 5 * 4 )); echo $x
let "y = x / 3" "z = x % 3"; echo $y $z
echo $(( 16#ff )) $(( 2#1010 )) $(( 8#17 )) $(( 36#z ))
for (( i = 0; i < 5; i++ )); do printf '%d ' $((i*i)); done; echo
i=0; while (( i++ < 3 )); do echo "i=$i"; done
(( 0 )); echo "(( 0 )) -> $?"
(( 7 )); echo "(( 7 )) -> $?"
echo $(( 2 ** 10 )) $(( -17 / 5 )) $(( -17 % 5 ))
a=3; (( a += 4, a *= 2 )); echo $a
echo $(( a > 10 ? 1 : 0 ))
declare -i n=0; for v in 3 4 5; do n+=v; done; echo $n
echo $RANDOM >/dev/null; echo "random ok"
echo $(( (1 << 62) * 2 ))
