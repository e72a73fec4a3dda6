#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every C snippet of the documentation compiles against the tree's headers:
# the ```c blocks of README.md and docs/*.md, and the blocks (.EX/.EE,
# .nf/.fi) of the EXAMPLE and EXAMPLES sections of the library man pages
# (section 3) in docs/man, troff escapes undone (the examples of commands
# and daemons, sections 1 and 8, are shell lines and files).
# - A snippet with an #include is a whole file: compiled, and linked with
#   the build tree's libioth, libiothconf and libiothdns when it has a
#   main (a program), or as a shared object when it has none (a plugin).
# - A snippet without one is a fragment of a function body: compiled in a
#   function, after the headers of the project and of the sockets API.
# Warnings are errors, but for unused variables and functions.
. "$IOTH_TESTLIB"
need_cmd cc awk
tmp=$(mktemp -d); NET_DIRS="$NET_DIRS $tmp"
B=$IOTH_BUILD_DIR
CFLAGS=(-std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-unused-variable
	-Wno-unused-but-set-variable -Wno-unused-function -Werror -I"$IOTH_SOURCE_DIR/include")
LIBS=(-L"$B/src/libioth" -L"$B/src/iothconf" -L"$B/src/iothdns" -L"$B/src/iothradvd" -liothradvd -liothdns
	-liothconf -liothaddr -lioth -lpthread)

# markdown: ```c ... ```
for f in "$IOTH_SOURCE_DIR"/README.md "$IOTH_SOURCE_DIR"/docs/*.md; do
	awk -v out="$tmp/$(basename "$f")" '
		/^```c[ \t]*$/ { n++; inb = 1; line = NR; file = sprintf("%s.%d.c", out, n);
			printf "" > file; print file ":" line > (out ".list"); next }
		inb && /^```/ { inb = 0; close(file); next }
		inb { print > file }' "$f"
done
# man pages: .EX/.EE or .nf/.fi inside .SH EXAMPLE or .SH EXAMPLES
for f in "$IOTH_SOURCE_DIR"/docs/man/*.3; do
	awk -v out="$tmp/$(basename "$f")" '
		/^\.SH/ { sect = $0; next }
		sect ~ /^\.SH "?EXAMPLES?"?$/ && /^\.(EX|nf)$/ { n++; inb = 1; line = NR;
			file = sprintf("%s.%d.c", out, n); printf "" > file; print file ":" line > (out ".list"); next }
		inb && /^\.(EE|fi)$/ { inb = 0; close(file); next }
		inb {
			gsub(/\\-/, "-"); gsub(/\\e/, "\\"); gsub(/\\\\/, "\\"); gsub(/\\\(dq/, "\"")
			print > file
		}' "$f"
done

PRELUDE='#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <ioth.h>
#include <iothconf.h>
#include <iothdns.h>
#include <iothaddr.h>'

total=0; bad=0
for list in "$tmp"/*.list; do
	[ -f "$list" ] || continue
	while IFS= read -r entry; do
		file=${entry%:*}; line=${entry##*:}
		src=$(basename "${file%.*.c}")
		where="$src, the snippet at line $line"
		# man pages name only C examples EXAMPLE(S) when they have C in them
		case "$src" in *.1) grep -q '#include\|;$' "$file" || continue ;; esac
		total=$((total + 1))
		if grep -q '^[ \t]*#include' "$file"; then
			if grep -q '\bmain[ \t]*(' "$file"; then
				cmd=(cc "${CFLAGS[@]}" -o "$file.bin" "$file" "${LIBS[@]}")
			else
				cmd=(cc "${CFLAGS[@]}" -shared -fPIC -o "$file.so" "$file")
			fi
		else
			{ echo "$PRELUDE"; echo "void snippet(void);"; echo "void snippet(void) {";
				echo "#line $((line + 1)) \"$src\""; cat "$file"; echo "}"; } >"$file.frag.c"
			cmd=(cc "${CFLAGS[@]}" -c -o "$file.o" "$file.frag.c")
		fi
		if "${cmd[@]}" >"$file.log" 2>&1; then
			ok "$where compiles"
		else
			echo "FAIL: $where does not compile:"
			sed 's/^/    /' "$file" | head -40
			sed 's/^/  | /' "$file.log" | head -20
			bad=$((bad + 1))
		fi
	done <"$list"
done
[ "$total" -gt 0 ] || fail "no snippet found"
[ "$bad" = 0 ] || fail "$bad of $total snippets do not compile"
echo "$total passed, 0 failed"
