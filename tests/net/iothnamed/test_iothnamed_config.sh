#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# iothnamed refuses a bad configuration file: exit status 1 and a message
# naming the file, the line and why, for each kind of mistake. (The file
# is checked before any stack or socket is made: no root needed.)
set -u
. "$IOTH_TESTLIB"
NAMED=$IOTH_BUILD_DIR/tools/iothnamed/iothnamed
[ -x "$NAMED" ] || skip "$NAMED not built"
TMP=$(mktemp -d /tmp/iothnamed-conf.XXXXXX)
NET_DIRS="$NET_DIRS $TMP"
FAILS=0
bad() { # bad LINE EXPECTED-REGEX: a file whose line 3 is LINE
	printf '# comment\nnet world ::/0\n%s\n' "$1" > "$TMP/rc"
	timeout 10 "$NAMED" "$TMP/rc" > "$TMP/out" 2>&1
	local rv=$?
	if [ $rv = 1 ] && grep -Eq "rc:3: .*$2" "$TMP/out"; then
		ok "'$1' -> $(cat "$TMP/out")"
	else
		echo "FAIL: '$1' (exit $rv): $(cat "$TMP/out")"
		FAILS=$((FAILS + 1))
	fi
}
bad "frobnicate yes" "unknown directive"
bad "static A one.test 300.1.1.1" "static A NAME IPV4ADDR"
bad "static AAAA one.test 198.18.0.1" "static AAAA"
bad "static MX one.test ten mail.test" "static MX"
bad "static SRV one.test x" "unknown record type"
bad "static TXT t.test \"unclosed" "unclosed quote"
bad "auth static nowhere .test" "unknown net name"
bad "auth hash world .h.test" "auth hash NETS NAME BASEADDR"
bad "auth otip world .o.test fc00::" "auth otip"
bad "auth bogus world x" "unknown auth type"
bad "net n 198.18.0.0/33" "bad address or prefix"
bad "dns not-an-address" "dns takes one"
bad "option hrevmode sometimes" "hrevmode is"
bad "option tcptimeout soon" "must be a number"
bad "option colour blue" "unknown option"
bad "=x" "syntax error"
printf 'dns 198.18.0.1\ndns 198.18.0.2\ndns 198.18.0.3\ndns 198.18.0.4\n' > "$TMP/rc4"
timeout 10 "$NAMED" "$TMP/rc4" > "$TMP/out" 2>&1
if [ $? = 1 ] && grep -q 'rc4:4: dns: up to three' "$TMP/out"; then ok "a fourth dns"; else
	echo "FAIL: a fourth dns: $(cat "$TMP/out")"; FAILS=$((FAILS + 1)); fi
printf 'stack stack=kernel\nrstack stack=kernel\n' > "$TMP/rc5"
timeout 10 "$NAMED" "$TMP/rc5" > "$TMP/out" 2>&1
if [ $? = 1 ] && grep -q 'rc5:2: rstack: stack and rstack/fstack' "$TMP/out"; then ok "stack with rstack"; else
	echo "FAIL: stack with rstack: $(cat "$TMP/out")"; FAILS=$((FAILS + 1)); fi
timeout 10 "$NAMED" "$TMP/missing.rc" > "$TMP/out" 2>&1
[ $? = 1 ] && grep -q 'missing.rc' "$TMP/out" && ok "a missing file" || { echo "FAIL: missing file"; FAILS=$((FAILS + 1)); }
[ "$FAILS" = 0 ] || fail "$FAILS bad configurations not reported as expected"
ok "configuration errors give the line and why"
