# exit codes of commands, scripts, and the script itself.
true; echo "true $?"
false; echo "false $?"
nonexistent_command_xyz 2>/dev/null; echo "not found $?"
: > noexec; chmod -x noexec; ./noexec 2>/dev/null; echo "not executable $?"; rm noexec
printf '#!/bin/busybox sh\nexit 13\n' > s; chmod +x s; ./s; echo "script $?"
printf 'exit 14\n' > s2; sh s2; echo "sh script $?"
rm s s2
sh -c 'exit 1' && echo no || echo "or-branch $?"
sh -c 'return 3' 2>/dev/null; echo "return outside function -> $([ $? -ne 0 ] && echo nonzero || echo zero)"
f() { exit 8; }; (f); echo "exit in function in subshell $?"
exit 42
