# tar create/list/extract with busybox.
mkdir -p src/sub
seq 1 500 > src/numbers
echo hello > src/sub/greeting
printf 'x%.0s' $(seq 1 3000) > src/sub/xs
tar cf arch.tar src
tar tf arch.tar | sort
mkdir out
tar xf arch.tar -C out
cmp src/numbers out/src/numbers && cmp src/sub/xs out/src/sub/xs && echo "extract identical"
tar czf arch.tgz src
tar tzf arch.tgz | sort | wc -l
mkdir out2; (cd out2 && tar xzf ../arch.tgz) && cat out2/src/sub/greeting
tar cf - src | (cd out && tar tf - | wc -l)
rm -r src out out2 arch.tar arch.tgz
