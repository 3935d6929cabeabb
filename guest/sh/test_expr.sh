# test / [ ] / expr.
mkdir d; echo x > f; : > z; ln -s f l
t() { if "$@"; then echo "yes: $*"; else echo "no:  $*"; fi; }
t [ -e f ]; t [ -f d ]; t [ -d d ]; t [ -s f ]; t [ -s z ]; t [ -L l ]; t [ -h f ]
t [ -r f ]; t [ -e nothere ]
t [ abc = abc ]; t [ abc != abd ]; t [ -z "" ]; t [ -n "" ]
t [ 3 -lt 10 ]; t [ 10 -le 3 ]; t [ 5 -eq 5 ]; t [ 5 -ne 5 ]; t [ -3 -gt -4 ]; t [ 7 -ge 8 ]
t [ a \< b ]; t [ ! -e nothere ]; t [ -e f -a -d d ]; t [ -e nothere -o -d d ]
t test f -nt nothere
t [ "(" 1 -eq 1 ")" ]
expr 3 + 4; expr 10 / 3; expr 10 % 3; expr 6 \* 7
expr length "hello"; expr substr "hello world" 7 5; expr index abcdef d
expr "abc123" : '[a-z]*'; expr "abc123" : '\([a-z]*\)'
expr 2 \< 3; expr 0 \& 1; expr 0 \| 5
expr 1 = 2; echo "expr false -> $?"
rm -r d f z l
