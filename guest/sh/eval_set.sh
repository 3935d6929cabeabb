# eval, set --, shift, "$@" vs "$*".
set -- a "b c" d
echo "$#"
for x in "$@"; do printf '[%s]' "$x"; done; echo
for x in "$*"; do printf '[%s]' "$x"; done; echo
for x in $*; do printf '[%s]' "$x"; done; echo
shift; echo "after shift: $# $1"
shift 2; echo "after shift 2: $#"
cmd='echo evaluated'; eval "$cmd"
var=name; eval "$var=value"; echo "name=$name"
for i in 1 2 3; do eval "v$i=\$((i*i))"; done; echo "$v1 $v2 $v3"
eval 'f() { echo "defined by eval"; }'; f
IFS=,; set -- $(echo "p,q,r"); IFS=' '; echo "$2 $#"
set -- "$@" s; echo "appended: $*"
OLDIFS=$IFS; IFS=:; echo "$*"; IFS=$OLDIFS
q="a'b"; eval "echo \"$q\""
eval exit 0; echo never
