# Pathname expansion, quoting, word splitting.
mkdir gl; cd gl
touch a.txt b.txt c.log .hidden 'with space.txt'
echo *.txt
echo *
echo .*h*
echo ?.log
echo [ab].txt
echo [!a].txt
echo nomatch*
echo "*.txt"
for f in *.txt; do printf '<%s>' "$f"; done; echo
set -f; echo *.txt; set +f
v="x   y  z"; echo $v; echo "$v"
IFS=: ; v2="a:b::c"; for p in $v2; do printf '(%s)' "$p"; done; echo; unset IFS
e=""; set -- $e; echo "empty splits to $#"
set -- "$e"; echo "quoted empty is $#"
cd ..; rm -r gl
