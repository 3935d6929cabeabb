# gzip/gunzip round trips via busybox applets.
seq 1 20000 > data.txt
md5sum data.txt
gzip -c data.txt > data.gz
gunzip -c data.gz | md5sum
gzip data.txt
ls data.* | sort | tr '\n' ' '; echo
gunzip data.txt.gz
md5sum data.txt
zcat data.gz | tail -2
gzip -9 -c data.txt | gzip -d | wc -l
printf '' | gzip | gunzip | wc -c
head -c 100000 /dev/zero | gzip | gunzip | wc -c
gzip -t data.gz && echo "test ok"
echo garbage > bad.gz; gunzip -c bad.gz >/dev/null 2>&1; echo "bad gzip -> nonzero $([ $? -ne 0 ] && echo yes)"
rm -f data.txt data.gz bad.gz
