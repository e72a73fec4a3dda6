#!/bin/bash
# Differential conformance test (docs/conformance.md): a scapy probe in a
# namespace sends a battery of crafted packets to two targets configured
# alike, the Linux kernel (namespace lx, switch SWL) and a ustack node
# (switch SWU), and compares their answers field by field. The probe
# namespace has a tap on each switch, without addresses (IPv6 off), so its
# kernel never answers the targets: probe.py answers their ARP/NDP itself.
#   test_conformance.sh [CASE,CASE...]   run only these cases
. "$IOTH_TESTLIB"
need_root
need_cmd vde_plug ip
PY=/usr/bin/python3   # Debian's, where python3-scapy is
"$PY" -c 'import scapy.all' 2>/dev/null || skip "needs python3-scapy"
NODE_BIN="$IOTH_BUILD_DIR/tests/net/hostile/hostile-node"
[ -x "$NODE_BIN" ] || fail "missing $NODE_BIN"
PROBE="$IOTH_SOURCE_DIR/tests/net/conformance/probe.py"
ONLY=${1:+--only $1}
TMAC=02:cf:00:00:00:01
PMAC=02:cf:00:00:00:64
OUT=$(mktemp -d /tmp/ioth-conf.XXXXXX)
NET_DIRS="$NET_DIRS $OUT"

net_switch SWL
net_switch SWU
# the probe: silent kernel (no IPv4 address, IPv6 off) on both switches
net_ns probe "$SWL" tap0
PR=$(nsname probe)
ip netns exec "$PR" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
	net.ipv6.conf.tap0.disable_ipv6=1
net_nsbg probe vde_plug "vde://$SWU" tap://tap1
wait_until 5 ip -n "$PR" link show tap1 || fail "tap1 did not appear in $PR"
for i in tap0 tap1; do
	ip -n "$PR" link set "$i" down
	ip -n "$PR" link set "$i" address "$PMAC"
	ip -n "$PR" link set "$i" up
done

# target (a): Linux, defaults of a fresh namespace
net_ns lx "$SWL" tap0
LX=$(nsname lx)
ip -n "$LX" link set tap0 down
ip -n "$LX" link set tap0 address "$TMAC" mtu 1500
ip -n "$LX" link set tap0 up
ip -n "$LX" addr add 198.18.9.1/24 dev tap0
ip -n "$LX" addr add fd00:9::1/64 dev tap0 nodad
net_nsbg lx "$PY" -c '
import select, socket
s = []
for fam, any_ in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
    u = socket.socket(fam, socket.SOCK_DGRAM)
    t = socket.socket(fam, socket.SOCK_STREAM)
    if fam == socket.AF_INET6:
        for x in (u, t):
            x.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    u.bind((any_, 7))
    t.bind((any_, 80))
    t.listen(16)
    s += [u, t]
print("ready", flush=True)
while True:
    for u in select.select(s[0::2], [], [])[0]:
        d, a = u.recvfrom(65536)
        u.sendto(d, a)
' > "$OUT/lx.log"
wait_until 5 grep -q ready "$OUT/lx.log" || fail "Linux target servers did not start"

# target (b): ustack, the same MAC, MTU, addresses and ports
coproc NODE { exec "$NODE_BIN" "ustack,mac=$TMAC,mtu=1500" "vde://$SWU" 198.18.9.1/24 fd00:9::1/64 80 2>&1; }
NODE_PROC=$NODE_PID
NET_PIDS="$NET_PIDS $NODE_PROC"
read -t 20 -r line <&"${NODE[0]}" || fail "ustack node did not start"
[ "$line" = ready ] || fail "ustack node: $line"

# link-local DAD (1 s) and the first router solicitations of both go first
sleep 3
ip netns exec "$PR" timeout 400 "$PY" "$PROBE" run --iface tap0 --out "$OUT/linux.json" $ONLY ||
	fail "probe against Linux failed"
ip netns exec "$PR" timeout 400 "$PY" "$PROBE" run --iface tap1 --out "$OUT/ustack.json" $ONLY ||
	fail "probe against ustack failed"
kill -0 "$NODE_PROC" 2>/dev/null || fail "the ustack node died"
[ -n "$CONF_KEEP" ] && cp "$OUT/linux.json" "$OUT/ustack.json" "$CONF_KEEP"/
"$PY" "$PROBE" compare "$OUT/linux.json" "$OUT/ustack.json" || fail "ustack answers differently from Linux (table above)"
echo quit >&"${NODE[1]}"
wait "$NODE_PROC" || fail "node did not delete its stack cleanly"
ok "ustack answers the battery as Linux does"
