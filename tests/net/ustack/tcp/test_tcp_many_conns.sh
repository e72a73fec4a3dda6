#!/bin/bash
# 10,000 established TCP connections on one ustack stack: a Linux client in
# a namespace (many_conns_client.py, kernel sockets) opens them one after
# the other to a ustack listener (many_conns_node, through libioth); with
# all of them idle the stack's heap must have grown by less than 4 KiB per
# connection (glibc's count of blocks in use; not under ASan, whose
# allocator pads and quarantines every block, so there the figure means
# nothing: the bound is skipped, the rest runs, and ASan's leak check at
# exit is the "nothing leaked"); then 64 KiB each way on every 100th,
# pattern-checked, then the client closes all, the node reads EOF on each
# and closes it, deletes the stack, and must be left with exactly the fds
# it had before the stack (/proc/self/fd). Needs root (a namespace, a tap).
. "$IOTH_TESTLIB"
need_root
need_cmd ip vde_plug
PY=/usr/bin/python3
[ -x "$PY" ] || skip "needs /usr/bin/python3"
net_build_prog NODE tests/net/ustack/tcp/many_conns_node
HERE=$(dirname "$0")
net_tmpdir TMP
net_deepbind_shim
N=${MANY_CONNS:-10000}
BASE=20000
SAMPLE=100
SBYTES=65536
US=198.18.12.1
MAC=02:00:00:00:0c:01

net_switch SW
net_ns k "$SW"
K=$(nsname k)
net_ns_addr k 198.18.12.2/24
net_bg "$NODE" "vde://$SW" "$MAC" "$US" 8000 "$N" $BASE $SAMPLE $SBYTES "$TMP/idle" >"$TMP/node" 2>&1
NODEPID=$NET_LASTPID
wait_until 10 grep -q READY "$TMP/node" || fail "ustack node did not start: $(cat "$TMP/node")"
# without CAP_SYS_RESOURCE (a container) the fd limit may hold fewer
N=$(sed -n 's/^READY conns=\([0-9]*\).*/\1/p' "$TMP/node")
[ -n "$N" ] || fail "no connection count from the node: $(cat "$TMP/node")"
ip netns exec "$K" timeout 120 "$PY" "$HERE/many_conns_client.py" "$US" 8000 "$N" $BASE $SAMPLE $SBYTES "$TMP/idle" \
	>"$TMP/client" 2>&1 || fail "the Linux client failed: $(cat "$TMP/client"); node: $(cat "$TMP/node")"
wait "$NODEPID" || fail "the ustack node failed: $(cat "$TMP/node")"
grep -q "^sampled $(((N + SAMPLE - 1) / SAMPLE)) connections" "$TMP/node" || fail "not every sampled connection moved its data: $(cat "$TMP/node")"
grep -q "^eof on $N of $N" "$TMP/node" || fail "$(cat "$TMP/node")"
fds=$(grep "^open fds before=" "$TMP/node")
before=$(echo "$fds" | sed 's/.*before=\([0-9]*\).*/\1/')
after=$(echo "$fds" | sed 's/.*after=\([0-9]*\).*/\1/')
[ -n "$before" ] && [ "$before" = "$after" ] || fail "fds left open after the stack was deleted: $fds"
idle=$(grep "^idle" "$TMP/node")
if echo "$idle" | grep -q "skipped"; then
	echo "memory bound skipped: $idle"
else
	per=$(echo "$idle" | sed 's/.*bytes_per_conn=\([0-9]*\).*/\1/')
	[ -n "$per" ] && [ "$per" -lt 4096 ] || fail "an idle connection costs $per bytes of heap (bound: 4096): $idle"
	# with the stack deleted, no connection's memory remains (the
	# process-wide fd table, sized by the highest fd, stays: 16 bytes or
	# so per fd)
	left=$(sed -n 's/^heap after=.* left_per_conn=\([0-9]*\).*/\1/p' "$TMP/node")
	[ -n "$left" ] && [ "$left" -lt 64 ] || fail "$left bytes per connection left on the heap after all were closed and the stack deleted: $(grep '^heap after' "$TMP/node")"
	idle="$idle; $(grep '^heap after' "$TMP/node")"
fi
note=$(grep "^RLIMIT_NOFILE" "$TMP/node")
ok "$N connections from Linux${note:+ ($note)}, $(head -1 "$TMP/client"); $idle; $(grep "^open fds with" "$TMP/node"); $(((N + SAMPLE - 1) / SAMPLE)) carried $SBYTES bytes each way intact; all closed ($fds)"
