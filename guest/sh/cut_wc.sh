# cut, wc, paste, tr, head, tail on files.
printf 'root:x:0:0:root:/root:/bin/sh\nbin:x:1:1:bin:/bin:/sbin/nologin\nuser:x:1000:1000:User Name:/home/user:/bin/bash\n' > pw
cut -d: -f1 pw
cut -d: -f1,3 pw
cut -d: -f5- pw
cut -c1-4 pw
wc -l < pw; wc -w < pw; wc -c < pw
wc pw | awk '{print $1, $2, $3}'
cut -d: -f7 pw | sort | uniq | tr '\n' ' '; echo
cut -d: -f1 pw > c1; cut -d: -f3 pw > c3; paste c1 c3; paste -d= c1 c3
head -n 2 pw | tail -n 1 | cut -d: -f6
tail -c 10 pw
echo "Hello, World" | tr -d ',' | tr -s 'l' | tr '[:lower:]' '[:upper:]'
echo "a  b   c" | tr -s ' ' | cut -d' ' -f2
rm pw c1 c3
