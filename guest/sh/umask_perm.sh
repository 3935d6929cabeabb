# umask, chmod, permissions, date with fixed inputs.
umask 022; touch f1; mkdir d1; stat -c '%a %F' f1 d1
umask 077; touch f2; mkdir d2; stat -c '%a' f2 d2
umask 022
chmod 751 f1; stat -c %a f1
chmod u-x,g+w f1; stat -c %A f1
chmod +x f2; [ -x f2 ] && echo "executable"
touch -d '2020-02-29 12:34:56' f1; date -u -r f1 '+%Y-%m-%d %H:%M:%S'
date -u -d @0 '+%Y-%m-%d %H:%M:%S %A'
date -u -d @1700000000 '+%s %j %U'
find . -name 'f*' -perm -u+x | sort
rm -r f1 f2 d1 d2
