# Parameter expansion and string manipulation.
path=/usr/local/lib/libfoo.so.1.2
echo "${path##*/}"
echo "${path#*/}"
echo "${path%/*}"
echo "${path%%.*}"
echo "${path%.*}"
echo "${#path}"
unset u; e=""
echo "[${u:-default}] [${e:-empty-default}] [${e-set-but-empty}]"
echo "[${u:+alt}] [${path:+alt}]"
echo "[${u:=assigned}] u=$u"
(echo "${missing:?is missing}") 2>/dev/null || echo "error expansion -> nonzero"
file=archive.tar.gz
echo "base=${file%%.*} ext=${file#*.} last=${file##*.}"
s="The quick brown fox"
set -- $s; echo "$# words, third=$3"
upper=$(echo "$s" | tr a-z A-Z); echo "$upper"
echo "$(echo "$s" | cut -c5-9)"
v=abcabc; echo "${v#a*c} ${v##a*c} ${v%b*} ${v%%b*}"
num=42; echo $((num + 1))
a=foo; b=bar; echo "$a$b ${a}_$b ${a}${b}"
echo "${#u}"
x='single $quoted'; echo "$x"; echo '$x'; echo "\$x \"q\" \\"
