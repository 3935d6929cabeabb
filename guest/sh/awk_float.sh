# Floating point in awk, printf and seq.
awk 'BEGIN { printf "%.10f %.10f %.10f %.10f\n", sin(1), cos(1), atan2(1, 2), exp(1) }'
awk 'BEGIN { printf "%.10f %.10f %.6e\n", log(10), sqrt(2), 1/3 }'
awk 'BEGIN { x = 0.1 + 0.2; print (x == 0.3) ? "equal" : "not equal"; printf "%.17g\n", x }'
awk 'BEGIN { print 1e300 * 1e10, -1e300 * 1e10, int(-3.7), int(3.7) }'
awk 'BEGIN { s = 0; for (i = 1; i <= 100000; i++) s += 1 / i; printf "%.12f\n", s }'
awk 'BEGIN { printf "%d %d\n", 2^53, 2^53 + 1; print 7 / 2, -7 / 2, 2 ** 0.5 }'
awk 'BEGIN { srand(1); print "srand ok" }'
seq 0 0.25 1 | tr '\n' ' '; echo
seq 1.5 1 4 | tr '\n' ' '; echo
printf '%.3f %.0f %.0f %g %g\n' 2.0005 0.5 1.5 1e-5 123456789
echo "3.7 2.1 9.9 -1.5" | tr ' ' '\n' | sort -g | tr '\n' ' '; echo
