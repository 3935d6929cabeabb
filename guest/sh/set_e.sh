# set -e and set -u behaviour.
( set -e; echo a; false; echo "not reached" ); echo "set -e subshell -> $?"
( set -e; false || echo "|| protects"; echo continued ); echo "-> $?"
( set -e; if false; then :; fi; echo "if protects" ); echo "-> $?"
( set -e; ! true; echo "! protects" ); echo "-> $?"
( set -e; false && true; echo "&& protects" ); echo "-> $?"
( set -e; f() { false; echo "in f after false"; }; f; echo "after f" ); echo "function -> $?"
( set -e; x=$(false); echo "not reached either" ); echo "assignment subst -> $?"
( set -e; (exit 4); echo no ); echo "subshell exit -> $?"
( set -u; echo "${undefined_var}"; echo no ) 2>/dev/null; echo "set -u -> nonzero $([ $? -ne 0 ] && echo yes)"
( set -u; echo "${undefined_var:-fallback}" ); echo "-> $?"
( set -u; set -- ; echo "$#"; echo "${1-none}" ); echo "-> $?"
( set -eu; v=1; echo "v=$v" ); echo "-> $?"
set -e
echo "top level set -e"
false || true
echo "end"
