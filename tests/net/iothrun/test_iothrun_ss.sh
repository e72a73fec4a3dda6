#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Debian's ss on a ustack through iothrun (NETLINK_SOCK_DIAG). Every
# iothrun program has a stack of its own: a preloaded helper
# (libss_sockets.so) makes, before ss's main, a TCP listener (port 9001,
# backlog 7), a loopback connection to it (accepted, 5 bytes unread), another
# from port 9002 left in the accept queue with 3 bytes, a TCP connection to socat in a namespace on the test's switch and a UDP socket
# (port 9003), all with plain libc calls on ss's own stack. Then:
#  - ss -tan lists the listener (Recv-Q: its accept queue, Send-Q: the
#    backlog) and the five established sockets with their addresses and
#    ports (Recv-Q where bytes wait), the one not accepted too;
#  - ss -tuanp adds the UDP socket (UNCONN);
#  - ss -ti shows the TCP_INFO of each connection (rtt, cwnd, mss);
#  - state filters (ss -tn state listening) are applied.
set -u
. "$IOTH_TESTLIB"
need_root
need_cmd ip vde_plug ss socat
RUN="$IOTH_BUILD_DIR/tools/iothrun/iothrun"
HELPER="$IOTH_BUILD_DIR/tests/net/iothrun/libss_sockets.so"
[ -x "$RUN" ] || skip "$RUN not built"
[ -e "$HELPER" ] || skip "$HELPER not built"
[ -e "$IOTH_PLUGIN_PATH/ioth_ustack-r.so" ] || skip "no ustack plugin in $IOTH_PLUGIN_PATH"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"

TMP=$(mktemp -d /tmp/iothrun-ss.XXXXXX)
NET_DIRS="$NET_DIRS $TMP"
FAILS=0
PASSES=0
check() { # check DESCRIPTION COMMAND...
	local what=$1; shift
	if "$@"; then ok "$what"; PASSES=$((PASSES + 1)); else echo "FAIL: $what"; FAILS=$((FAILS + 1)); fi
}
# a line of FILE whose fields (blanks squeezed) match the extended regex
line() { tr -s ' \t' ' ' <"$1" | grep -qE -- "$2"; }

net_switch SW
net_ns peer "$SW"
NS=$(nsname peer)
ip -n "$NS" addr add 198.18.43.1/24 dev tap0
# each connection gets a child that holds it for a while
net_nsbg peer timeout 60 socat TCP-LISTEN:9043,reuseaddr,fork SYSTEM:"sleep 30"
peer_listens() { ip netns exec "$NS" ss -tln | grep -q ':9043 '; }
wait_until 5 peer_listens || fail "socat did not listen in the namespace"

CONF="stack=ustack,vnl=vde://$SW,eth,mac=02:00:00:00:43:05,ip=198.18.43.5/24"
export SS_SOCKETS_PEER=198.18.43.1:9043
# (in a sanitizer build the helper, preloaded into the launcher as well,
# comes before the sanitizer's runtime: allowed, as iothrun allows it)
ssrun() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" LD_PRELOAD="$HELPER" \
		timeout 30 "$RUN" "$CONF" ss "$@"
}

ssrun -tan >"$TMP/tan.out" 2>"$TMP/tan.err"
check "ss -tan runs" test $? = 0
check "ss -tan: the listener, one connection queued, its backlog as Send-Q" \
	line "$TMP/tan.out" '^LISTEN 1 7 0\.0\.0\.0:9001 0\.0\.0\.0:\*'
check "ss -tan: the connection not accepted yet, its 3 bytes as Recv-Q" \
	line "$TMP/tan.out" '^ESTAB 3 0 127\.0\.0\.1:9001 127\.0\.0\.1:9002'
check "ss -tan: its client" line "$TMP/tan.out" '^ESTAB 0 0 127\.0\.0\.1:9002 127\.0\.0\.1:9001'
check "ss -tan: the connection to the namespace, established" \
	line "$TMP/tan.out" '^ESTAB 0 0 198\.18\.43\.5:[0-9]+ 198\.18\.43\.1:9043'
check "ss -tan: the accepted side, its 5 unread bytes as Recv-Q" \
	line "$TMP/tan.out" '^ESTAB 5 0 127\.0\.0\.1:9001 127\.0\.0\.1:[0-9]+'
check "ss -tan: the loopback client" line "$TMP/tan.out" '^ESTAB 0 0 127\.0\.0\.1:[0-9]+ 127\.0\.0\.1:9001'
check "ss -tan: nothing of the host (only the 6 sockets of the stack)" \
	test "$(tail -n +2 "$TMP/tan.out" | grep -c .)" = 6

ssrun -tuanp >"$TMP/tuanp.out" 2>&1
check "ss -tuanp runs" test $? = 0
check "ss -tuanp: the UDP socket, unconnected" line "$TMP/tuanp.out" '^udp UNCONN 0 0 0\.0\.0\.0:9003 0\.0\.0\.0:\*'
check "ss -tuanp: TCP too" line "$TMP/tuanp.out" '^tcp LISTEN 1 7 0\.0\.0\.0:9001'

ssrun -tin >"$TMP/ti.out" 2>&1
check "ss -ti: TCP_INFO of the connections (rtt, cwnd, mss)" \
	test "$(grep -cE 'rtt:[0-9.]+/[0-9.]+ .*mss:1448 .*cwnd:[0-9]+' "$TMP/ti.out")" = 1 -a \
	"$(grep -c 'cwnd:' "$TMP/ti.out")" = 4

ssrun -tn state listening >"$TMP/listen.out" 2>&1
check "ss -tn state listening: the listener only" \
	test "$(tail -n +2 "$TMP/listen.out" | grep -c .)" = 1 -a "$(grep -c ':9001' "$TMP/listen.out")" = 1

if [ "$FAILS" != 0 ]; then
	for f in tan tuanp ti listen; do echo "--- ss $f:"; cat "$TMP/$f.out"; done
	cat "$TMP/tan.err"
fi
echo "$PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
