# Exit status of pipelines and negation.
false | true; echo "false|true $?"
true | false; echo "true|false $?"
! false; echo "!false $?"
! true; echo "!true $?"
sh -c 'exit 3' | sh -c 'exit 5'; echo "3|5 $?"
echo x | grep -q y; echo "grep miss $?"
seq 1 100000 | head -1; echo "head early $?"
yes | head -n 3 | wc -l; echo "yes|head $?"
echo abc | { read v; echo "read in pipeline: $v"; }
v=unchanged; echo changed | read v; echo "after: v=$v"
