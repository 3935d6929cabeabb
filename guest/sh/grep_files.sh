# grep over files the script creates.
mkdir g
printf 'apple\nbanana\ncherry\napricot\n' > g/one
printf 'blueberry\navocado\nbanana split\n' > g/two
printf 'nothing here\n' > g/three
grep an g/one
grep -c a g/one
grep -v a g/one
grep -n '^a' g/one
grep -i APPLE g/one
grep -E 'ap+le|cherry' g/one
grep -w banana g/one g/two
grep -l banana g/* | sort
grep -L banana g/* | sort
grep -r avocado g
grep -o 'b[a-z]*' g/two
grep -x apple g/one
grep -q cherry g/one; echo "q found -> $?"
grep -q durian g/one; echo "q missing -> $?"
grep durian g/nonexistent 2>/dev/null; echo "missing file -> $?"
grep -h an g/one g/two | sort
grep -e apple -e cherry g/one
printf 'x1\ny2\nx3\n' | grep -A1 y
rm -r g
