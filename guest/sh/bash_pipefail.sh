# SHELLS: bash
# PIPESTATUS, pipefail, process substitution, here-strings.
true | false | true; echo "${PIPESTATUS[@]}"
sh -c 'exit 3' | sh -c 'exit 0'; echo "status $? pipestatus ${PIPESTATUS[*]}"
set -o pipefail
sh -c 'exit 3' | true; echo "pipefail -> $?"
true | true; echo "pipefail ok -> $?"
set +o pipefail
diff <(seq 1 3) <(seq 1 3) && echo "procsubst equal"
paste <(seq 1 3) <(seq 4 6)
cat <<< "here string"
wc -w <<< "one two three"
while read l; do echo "got $l"; done < <(printf 'a\nb\n')
exec {fd}> fdfile; echo "named fd" >&$fd; exec {fd}>&-; cat fdfile; rm fdfile
{ echo out; echo err >&2; } |& sort
coproc cat; echo "to coproc" >&"${COPROC[1]}"; exec {COPROC[1]}>&-; read -r line <&"${COPROC[0]}"; echo "$line"; wait
