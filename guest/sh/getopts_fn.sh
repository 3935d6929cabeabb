# getopts option parsing inside a function.
parse() {
  OPTIND=1; verbose=0; out=none
  while getopts "vo:x" opt; do
    case $opt in
      v) verbose=$((verbose+1));;
      o) out=$OPTARG;;
      x) echo "x flag";;
      \?) echo "bad option"; return 2;;
    esac
  done
  shift $((OPTIND-1))
  echo "verbose=$verbose out=$out rest=$*"
}
parse -v -v -o file a b
parse -vx -ofoo -- -notopt
parse plain
parse -z 2>/dev/null; echo "-> $?"
