# File manipulation: mkdir, mv, cp, ln, rm, ls, stat sizes.
mkdir -p a/b
echo content > a/file
cp a/file a/b/copy
mv a/b/copy a/b/moved
ln a/file a/hard
ln -s file a/soft
readlink a/soft
cat a/soft
ls a | tr '\n' ' '; echo
ls -a a | tr '\n' ' '; echo
ls -R a
stat -c '%s %n' a/file a/b/moved | sort
[ a/file -ef a/hard ] && echo "hard link same file"
cp -r a c; ls c/b
rm a/file; cat a/hard
basename /x/y/z.txt .txt; dirname /x/y/z.txt
touch -c nothere; [ -e nothere ] || echo "touch -c did not create"
mkdir e; rmdir e; [ -d e ] || echo "rmdir ok"
rm -r a c
ls
