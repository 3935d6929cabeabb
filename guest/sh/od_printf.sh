# printf escapes, od, hexdump.
printf 'A\tB\n\001\177\377' | od -An -tx1
printf '%s|%5s|%-5s|%.2s\n' x ab cd efgh
printf '%d %i %o %x %X %u\n' 42 -7 8 255 255 3000000000
printf '%5.2f %e %g\n' 3.14159 12345.678 0.0001
printf '%c%c%c\n' a b c
printf '%b\n' 'esc\tapes\\n'
printf '%%literal\n'
printf '%s\n' one two three
printf '%03d:%03d\n' 1 2 3 4
printf 'hello' | od -c | head -1
printf '\x41\x42\n' 2>/dev/null | od -An -c
printf 'abcdefghijklmnop' | hexdump -C
echo -n "no newline"; echo
echo -e 'e\tscape' 2>/dev/null | od -An -c
