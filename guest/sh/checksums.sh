# md5sum, sha1sum, sha256sum, cksum, sum on created files.
printf 'abc' > abc
printf '' > empty
seq 1 10000 > big
md5sum abc empty big
sha1sum abc
sha256sum abc big
sha512sum abc | cut -c1-32
cksum abc big
md5sum abc big > sums
md5sum -c sums
echo x >> abc
md5sum -c sums 2>/dev/null; echo "check after change -> $?"
cat big big | md5sum
rm abc empty big sums
