# base64, uuencode, bzip2, cpio, fold, nl, expand.
printf 'hello base64 world\n' | base64
printf 'hello base64 world\n' | base64 | base64 -d
seq 1 3000 > n; base64 n | base64 -d | cmp - n && echo "base64 round trip"
bzip2 -c n | bunzip2 -c | md5sum
bzip2 -c n | wc -c
echo "abcdefghijklmnopqrstuvwxyz" | fold -w 10
printf 'a\nb\n\nc\n' | nl
printf 'a\tb\n' | expand | od -An -c
ls n | cpio -o -H newc 2>/dev/null | wc -c
mkdir c; (ls n | cpio -o -H newc 2>/dev/null) | (cd c && cpio -i 2>/dev/null); cmp n c/n && echo "cpio ok"
printf 'x' | uuencode name | head -1
rm -r n c
