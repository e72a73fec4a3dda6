#!/bin/bash
# Hostile traffic against a stack (argument: its plugin name), from scapy in
# a namespace on the test's own switch: random and truncated frames, bad
# checksums, overlapping and endless fragments, absurd MTU claims, ARP/NDP
# spoofing of the stack's own addresses, redirects from strangers, and every
# TCP flag combination compared with Linux's answers. After each case the
# stack must still answer ping and UDP over IPv4 and IPv6, its memory must
# stay bounded, and its counters must show what it dropped.
. "$IOTH_TESTLIB"
. "$(dirname "$IOTH_TESTLIB")/node.sh"
STACK=${1:-ustack}
need_root
need_cmd socat ping
PY=/usr/bin/python3   # Debian's, where python3-scapy is (not a pyenv in PATH)
"$PY" -c 'import scapy.all' 2>/dev/null || skip "needs python3-scapy"
NODE_BIN="$IOTH_BUILD_DIR/tests/net/hostile/hostile-node"
HOSTILE="$IOTH_SOURCE_DIR/tests/net/hostile/hostile.py"
RSS_BOUND_KIB=${RSS_BOUND_KIB:-16384}

net_switch SW
net_ns atk "$SW"
net_ns lx "$SW"
ATK=$(nsname atk)
LX=$(nsname lx)
ip -n "$ATK" addr add 198.18.8.100/24 dev tap0
ip -n "$ATK" addr add fd00:8::100/64 dev tap0 nodad
ip -n "$LX" addr add 198.18.8.3/24 dev tap0

node_start "$NODE_BIN" "$STACK" "vde://$SW" 198.18.8.1/24 fd00:8::1/64

alive() {
	node_alive "$ATK" 198.18.8.1 fd00:8::1
}

# stats: sets RSS and DROPS (rx_dropped + rx_errors of vde0).
stats() {
	echo stats >&"${NODE[1]}"
	RSS=0; DROPS=0
	while read -t 10 -r key a b c d e f g h i; do
		case "$key" in
			rss_kib) RSS=$a ;;
			vde0) DROPS=$((d + f)) ;;
			end) return 0 ;;
		esac
	done <&"${NODE[0]}"
	fail "node did not answer stats"
}

wait_until 10 alive || fail "$STACK does not answer before any hostile traffic: $(alive)"
ok "$STACK answers ping and UDP echo, IPv4 and IPv6"
MAC=$(ip -n "$ATK" neigh show 198.18.8.1 | awk '{print $5; exit}')
ip netns exec "$ATK" ping -c 1 -W 2 198.18.8.3 >/dev/null || fail "Linux reference unreachable"
REFMAC=$(ip -n "$ATK" neigh show 198.18.8.3 | awk '{print $5; exit}')
stats
RSS0=$RSS
DROPS0=$DROPS
ok "baseline: rss ${RSS0} KiB, $DROPS0 frames dropped"

passed=0
for case in random truncated badsum frags mtu spoof redirect tcpflags; do
	ip netns exec "$ATK" timeout 120 "$PY" "$HOSTILE" "$case" --iface tap0 --mac "$MAC" \
		--ip4 198.18.8.1 --ip6 fd00:8::1 --me4 198.18.8.100 --me6 fd00:8::100 \
		--ref-ip4 198.18.8.3 --ref-mac "$REFMAC" || fail "case $case: wrong answers (above)"
	# Undo what the spoofing case may have taught the tester's own kernel.
	ip -n "$ATK" neigh flush dev tap0
	why=$(alive) || fail "after $case: $why"
	kill -0 "$NODE_PROC" 2>/dev/null || fail "after $case: the node died"
	stats
	[ $((RSS - RSS0)) -lt "$RSS_BOUND_KIB" ] || fail "after $case: rss grew from $RSS0 to $RSS KiB"
	ok "after $case: still answers; rss $RSS KiB; $((DROPS - DROPS0)) frames dropped so far"
	passed=$((passed + 1))
done
[ "$DROPS" -gt "$DROPS0" ] || fail "counters show no dropped frame after all that"
node_quit
echo "$passed passed, 0 failed"
