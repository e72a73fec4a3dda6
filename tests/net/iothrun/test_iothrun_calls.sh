#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# iothrun: the calls the kernel serves on its own sockets and iothrun must
# carry to a stack's, against the Linux kernel of a namespace on the
# test's own VDE switch.
#
#   test_iothrun_calls.sh STACK        (ustack, vdestack)
#
#  - dup, dup2 (onto a free number and onto a socket in use), dup3,
#    fcntl(F_DUPFD_CLOEXEC): one stream through every descriptor, closes in
#    any order, the last one (fclose of an fdopen stream) ends it; a line
#    read through fdopen (tests/net/iothrun/iothrun_calls.c);
#  - sendfile (with and without an offset) and splice (file -> pipe ->
#    socket) of a 2 MB file, python3's socket.sendfile: sha256 compared;
#  - sendmmsg / recvmmsg of three datagrams against a UDP echo;
#  - signals: SIGINT ends Debian's `nc -l` blocked in accept, and python3
#    blocked in accept gets KeyboardInterrupt (its handler has no
#    SA_RESTART: the call must fail with EINTR for python to raise).
set -u
STACK=${1:-ustack}
. "$IOTH_TESTLIB"
need_root
need_cmd ip vde_plug socat nc sha256sum
PY=/usr/bin/python3
[ -x "$PY" ] || skip "needs Debian's python3 (scripts/install-deps installs it)"
RUN="$IOTH_BUILD_DIR/tools/iothrun/iothrun"
CALLS="$IOTH_BUILD_DIR/tests/net/iothrun/iothrun_calls"
[ -x "$RUN" ] || skip "$RUN not built"
[ -x "$CALLS" ] || skip "$CALLS not built"
[ -e "$IOTH_PLUGIN_PATH/ioth_$STACK-r.so" ] || [ -e "$IOTH_PLUGIN_PATH/ioth_$STACK.so" ] ||
	skip "no $STACK plugin in $IOTH_PLUGIN_PATH"

TMP=$(mktemp -d /tmp/iothrun_calls.XXXXXX)
NET_DIRS="$NET_DIRS $TMP"
FAILS=0
check() { # check DESCRIPTION COMMAND...
	local what=$1; shift
	if "$@"; then ok "$what"; else echo "FAIL: $what"; FAILS=$((FAILS + 1)); fi
}
same() { [ -s "$2" ] && [ "$(sha256sum <"$1" | cut -d' ' -f1)" = "$(sha256sum <"$2" | cut -d' ' -f1)" ]; }
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"

net_switch SW
net_ns peer "$SW"
NS=$(nsname peer)
ip -n "$NS" addr add 198.18.41.1/24 dev tap0
P=198.18.41.1
CONF="stack=$STACK,vnl=vde://$SW,eth,mac=02:00:00:00:41:05,ip=198.18.41.5/24"
iothrun() { timeout 60 "$RUN" "$CONF" "$@"; }
peer_socat() { # LOG ADDRESS...
	local log=$1; shift
	net_nsbg peer timeout 60 socat -d -d "$@" 2>"$log"
	SRV=$NET_LASTPID
	wait_until 20 grep -q "listening on\|receiving on" "$log" || { cat "$log"; fail "socat $* in the namespace"; }
}
head -c 2000000 /dev/urandom >"$TMP/f.bin"

# ---- dup and friends, fdopen
printf 'hello\n' >"$TMP/hello.txt"
peer_socat "$TMP/d.log" TCP4-LISTEN:9101,reuseaddr SYSTEM:"cat $TMP/hello.txt; cat >$TMP/d_out.txt"
iothrun "$CALLS" dup $P 9101
check "dup/dup2/dup3/F_DUPFD/fdopen over $STACK: the program's checks" [ $? = 0 ]
wait "$SRV"
check "dup/dup2/dup3/F_DUPFD/fdopen over $STACK: one stream, ended by the last close" \
	[ "$(cat "$TMP/d_out.txt")" = "abcdefg-stdio" ]

# ---- sendfile, splice
peer_socat "$TMP/s.log" -u TCP4-LISTEN:9102,reuseaddr OPEN:"$TMP/s_out.bin",creat,trunc
iothrun "$CALLS" sendfile $P 9102 "$TMP/f.bin"
check "sendfile over $STACK: the program's checks" [ $? = 0 ]
wait "$SRV"
check "sendfile over $STACK: sha256 equal" same "$TMP/f.bin" "$TMP/s_out.bin"

peer_socat "$TMP/p.log" -u TCP4-LISTEN:9103,reuseaddr OPEN:"$TMP/p_out.bin",creat,trunc
iothrun "$CALLS" splice $P 9103 "$TMP/f.bin"
check "splice file -> pipe -> socket over $STACK: the program's checks" [ $? = 0 ]
wait "$SRV"
check "splice over $STACK: sha256 equal" same "$TMP/f.bin" "$TMP/p_out.bin"

peer_socat "$TMP/y.log" -u TCP4-LISTEN:9104,reuseaddr OPEN:"$TMP/y_out.bin",creat,trunc
iothrun "$PY" -c 'import socket, sys
s = socket.create_connection((sys.argv[1], 9104))
with open(sys.argv[2], "rb") as f:
    n = s.sendfile(f)
s.close()
sys.exit(0 if n == 2000000 else 1)' $P "$TMP/f.bin"
check "python3 socket.sendfile over $STACK: all sent" [ $? = 0 ]
wait "$SRV"
check "python3 socket.sendfile over $STACK: sha256 equal" same "$TMP/f.bin" "$TMP/y_out.bin"

# ---- sendmmsg / recvmmsg against a UDP echo of three datagrams
net_nsbg peer timeout 60 "$PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.41.1", 9105))
print("ready", flush=True)
for _ in range(3):
    d, a = s.recvfrom(2048)
    s.sendto(d, a)' >"$TMP/echo.log" 2>&1
ECHO=$NET_LASTPID
wait_until 20 grep -q ready "$TMP/echo.log" || fail "UDP echo in the namespace"
iothrun "$CALLS" mmsg $P 9105
check "sendmmsg/recvmmsg over $STACK" [ $? = 0 ]
wait "$ECHO"

# ---- SIGINT (a background job of a script starts with SIGINT ignored:
# env gives it the default disposition, as a terminal's foreground job has)
env --default-signal=INT "$RUN" "$CONF" nc -n -v -l 9106 </dev/null >/dev/null 2>"$TMP/nc.log" &
NC=$!
NET_PIDS="$NET_PIDS $NC"
wait_until 20 grep -qi "listening" "$TMP/nc.log" || { cat "$TMP/nc.log"; fail "nc -l under iothrun"; }
sleep 0.5
kill -INT "$NC"
wait_until 10 sh -c "! kill -0 $NC 2>/dev/null"
kill -0 "$NC" 2>/dev/null && kill -KILL "$NC"
wait "$NC"
rc=$?
check "SIGINT ends nc -l blocked in accept over $STACK (status $rc)" [ "$rc" = 130 ]

env --default-signal=INT "$RUN" "$CONF" "$PY" -c 'import socket, sys
l = socket.socket()
l.bind(("0.0.0.0", 9107))
l.listen()
print("listening", flush=True)
try:
    l.accept()
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)' >"$TMP/py.log" 2>&1 &
PYP=$!
NET_PIDS="$NET_PIDS $PYP"
wait_until 20 grep -q listening "$TMP/py.log" || { cat "$TMP/py.log"; fail "python3 under iothrun"; }
sleep 0.5
kill -INT "$PYP"
wait_until 10 sh -c "! kill -0 $PYP 2>/dev/null"
kill -0 "$PYP" 2>/dev/null && kill -KILL "$PYP"
wait "$PYP"
rc=$?
check "SIGINT interrupts python3's accept over $STACK: KeyboardInterrupt (status $rc)" \
	[ "$rc" = 3 ] && grep -q interrupted "$TMP/py.log"

[ "$FAILS" = 0 ] || fail "$FAILS check(s) failed"
ok "iothrun calls over $STACK"
