# Here-documents.
name=world
cat <<END
hello $name
sum $((2+3))
cmd $(echo subst)
END
cat <<'END'
literal $name $(echo no)
END
cat <<"END"
also literal $name
END
	cat <<-END
	tabs stripped $name
		inner tab kept once
	END
wc -l <<END
1
2
3
END
while read a b; do echo "[$b|$a]"; done <<END
x 1
y 2
END
f() { cat; }
f <<END | tr a-z A-Z
piped heredoc
END
cat <<A; cat <<B
first
A
second
B
cat <<END > hd.txt
to a file
END
cat hd.txt; rm hd.txt
