# Named pipes between processes.
mkfifo p
( echo "through the fifo"; seq 1 3 ) > p &
cat p
wait $!; echo "writer -> $?"
( cat p | wc -l > count ) &
seq 1 5000 > p
wait; cat count
exec 3<>p
echo "rw fifo" >&3
read -r l <&3; echo "$l"
exec 3>&-
[ -p p ] && echo "is a fifo"
rm p count
