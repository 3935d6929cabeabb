# Arbitrary precision arithmetic with busybox bc and dc.
echo '2^200' | bc
echo 'scale=40; 4*a(1)' | bc -l
echo 'scale=30; sqrt(2)' | bc
echo 'scale=20; e(1); l(10); s(1); c(1)' | bc -l
echo 'define f(n) { if (n < 2) return 1; return n * f(n-1); }; f(40)' | bc
echo 'obase=16; 255; 65535' | bc
echo 'ibase=2; 101010' | bc
echo '12345678901234567890 * 98765432109876543210' | bc
echo '1 2 + p' | dc
echo '2 64 ^ p' | dc
echo '10 k 1 3 / p' | dc
