# SHELLS: bash
# Bash functions: local -n namerefs, FUNCNAME, return, declare -f, traps ERR/RETURN.
f() { echo "${FUNCNAME[0]} called from ${FUNCNAME[1]:-main}"; }
g() { f; }
g
setref() { local -n ref=$1; ref="set via nameref"; }
setref target; echo "$target"
counter() { local c=${1:-0}; (( c < 3 )) && counter $((c+1)); echo "depth $c"; }
counter
trap 'echo "ERR trap at status $?"' ERR
false
trap - ERR
h() { return 17; }; h; echo "h -> $?"
declare -f h | head -1
sum() { local s=0 a; for a; do (( s += a )); done; echo $s; }
sum 1 2 3 4 5
type -t sum; type -t echo; type -t sort
shopt -s extglob; v=aaabbb; echo "${v##+(a)}"
