# dd, head -c, /dev/zero, /dev/null, truncation.
dd if=/dev/zero bs=1024 count=64 2>/dev/null | wc -c
head -c 12345 /dev/zero | wc -c
dd if=/dev/zero of=zeros bs=4096 count=3 2>/dev/null; wc -c < zeros
seq 1 1000 > nums
dd if=nums bs=1 skip=10 count=20 2>/dev/null | od -An -c | head -2
dd if=nums of=part bs=100 count=2 2>/dev/null; wc -c < part
cat nums > /dev/null && echo "devnull ok"
head -c 1000000 /dev/zero | tr '\0' 'a' | wc -c
yes abc | head -c 10; echo
truncate -s 100 zeros 2>/dev/null && wc -c < zeros
rm zeros nums part
