# case statements with patterns.
classify() {
  case $1 in
    [0-9]|[0-9][0-9]) echo "$1: small number";;
    *[!0-9]*) case $1 in
        *.txt) echo "$1: text file";;
        [aeiou]*) echo "$1: vowel word";;
        ''|' ') echo "blank";;
        *) echo "$1: other word";;
      esac;;
    *) echo "$1: big number";;
  esac
}
for w in 5 42 1234 notes.txt apple zebra ""; do classify "$w"; done
x=hello
case $x in h*o) echo "glob match";; esac
case $x in HELLO) echo no;; hel*|wor*) echo "alt match";; esac
case "a b" in "a b") echo "quoted match";; esac
case x in y) echo no;; esac; echo "no match status $?"
case abc in a?c) echo "question mark";; esac
case abc in *) echo "default";; esac
case '*' in '*') echo "literal star";; esac
case foo in f[o]o) echo "bracket";; esac
