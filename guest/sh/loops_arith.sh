# Loops with arithmetic.
i=0; s=0
while [ $i -lt 100 ]; do i=$((i+1)); s=$((s+i*i)); done
echo "sum squares $s"
n=27; steps=0
until [ $n -eq 1 ]; do
  if [ $((n % 2)) -eq 0 ]; then n=$((n/2)); else n=$((3*n+1)); fi
  steps=$((steps+1))
done
echo "collatz 27: $steps"
for i in 1 2 3; do for j in a b; do printf '%s%s ' $i $j; done; done; echo
a=0; b=1; for k in $(seq 1 40); do t=$((a+b)); a=$b; b=$t; done; echo "fib $a"
echo $(( 7/2 )) $(( -7/2 )) $(( 7%3 )) $(( -7%3 )) $(( 1<<10 )) $(( 255 & 15 )) $(( 5 ^ 3 )) $(( 2 | 4 ))
echo $(( 0x1f )) $(( 010 )) $(( 3 > 2 )) $(( 3 == 4 )) $(( !0 )) $(( ~0 )) $(( 1 ? 10 : 20 ))
x=5; x=$((x*=3)); echo $x
echo $(( 9223372036854775807 + 1 ))
i=0; while :; do i=$((i+1)); [ $i -ge 10 ] && break; [ $((i%2)) -eq 0 ] && continue; printf '%d ' $i; done; echo
p=2; primes=""; while [ $p -lt 60 ]; do d=2; ok=1; while [ $((d*d)) -le $p ]; do [ $((p%d)) -eq 0 ] && { ok=0; break; }; d=$((d+1)); done; [ $ok = 1 ] && primes="$primes $p"; p=$((p+1)); done; echo "primes:$primes"
