# find over a tree created in cwd.
mkdir -p t/a/b/c t/d t/e
for f in t/x.txt t/a/y.txt t/a/b/z.log t/a/b/c/w.txt t/d/v.log; do echo "$f" > "$f"; done
: > t/e/empty
find t | sort
echo "--- files"
find t -type f | sort
echo "--- txt"
find t -name '*.txt' | sort
echo "--- dirs"
find t -type d | sort | wc -l
echo "--- empty"
find t -empty | sort
echo "--- depth"
find t -maxdepth 1 | sort
echo "--- exec"
find t -name '*.log' -exec cat {} \; | sort
find t -type f | xargs wc -l | sort | tail -1
rm -r t
