# Nested shells, exec, sh -c with arguments.
sh -c "sh -c 'exit 4'"; echo "nested -> $?"
sh -c 'echo "$0 $1 $2"' zero one two
sh -c 'echo level1; sh -c "echo level2; sh -c \"echo level3\""'
(exec sh -c 'exit 6'); echo "exec in subshell -> $?"
sh -c 'exec echo "exec'"'"'d echo"'
echo 'echo from stdin script; exit 2' | sh; echo "sh stdin -> $?"
printf 'echo a\necho b\n' > scr; sh scr; sh < scr; rm scr
x=outer; export y=exported; sh -c 'echo "x=[$x] y=[$y]"'
z=prefix sh -c 'echo "z=$z"'; echo "z after=[$z]"
env -i PATH="$PATH" A=1 sh -c 'echo "A=$A"'
sh -c 'sh -c "kill -9 \$\$"; echo "inner killed -> \$?"'
