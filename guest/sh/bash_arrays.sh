# SHELLS: bash
# Bash arrays, associative arrays, [[ ]], regex, case modification.
arr=(one two "three four" five)
echo "${#arr[@]} ${arr[2]} ${arr[-1]}"
arr+=(six); echo "${arr[@]}"
for x in "${arr[@]}"; do printf '[%s]' "$x"; done; echo
echo "${arr[@]:1:2}"
echo "${!arr[@]}"
unset 'arr[1]'; echo "${#arr[@]} ${!arr[@]}"
declare -A m
m[apple]=red; m[banana]=yellow; m[kiwi]=green
for k in $(printf '%s\n' "${!m[@]}" | sort); do echo "$k=${m[$k]}"; done
echo "${#m[@]}"
s="Hello World"
echo "${s^^} ${s,,} ${s//o/0} ${s/World/There} ${s:6} ${s:0:5} ${s: -3}"
[[ $s == Hello* ]] && echo "glob in [["
[[ "abc123" =~ ^([a-z]+)([0-9]+)$ ]] && echo "regex: ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
[[ -n $s && ! -z $s ]] && echo "logic in [["
read -ra parts <<< "x y z"; echo "${parts[1]}"
mapfile -t lines < <(seq 1 4); echo "${lines[@]}"
printf -v pv '%05d' 42; echo "$pv"
declare -i num=5; num+=10; echo "$num"
echo {1..5} {a..e} {01..03}
echo pre{x,y,z}post
