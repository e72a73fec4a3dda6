#!/bin/bash
# IP_RECVERR / IPV6_RECVERR and path MTU discovery of ustack against the
# Linux kernel and crafted ICMP: the kernel's port unreachable (IPv4 and
# IPv6) in the error queue, a "fragmentation needed" (MTU 1200) and a
# "packet too big" (MTU 1300) crafted with scapy lower the path MTU, and
# 1400-byte datagrams then reach the kernel in fragments (ustack_err_probe
# checks the socket side).
. "$IOTH_TESTLIB"
need_root
need_cmd ip vde_plug socat
PY=/usr/bin/python3
$PY -c 'import scapy.all' 2>/dev/null || skip "python3-scapy not installed"
PROBE="$IOTH_BUILD_DIR/tests/net/ustack/ustack_err_probe"
[ -x "$PROBE" ] || fail "missing $PROBE"
TMP=$(mktemp -d)
NET_DIRS="$NET_DIRS $TMP"

net_switch SW
net_ns k "$SW"
K=$(nsname k)
ip -n "$K" addr add 198.18.8.1/24 dev tap0
ip -n "$K" addr add fd00:8::1/64 dev tap0 nodad
net_nsbg k socat -u -b 4000 UDP4-RECV:7778 OPEN:"$TMP/got4",creat,append
net_nsbg k socat -u -b 4000 UDP6-RECV:7777 OPEN:"$TMP/got6",creat,append

net_bg "$PROBE" "vde://$SW" >"$TMP/out" 2>"$TMP/err"
PID=$NET_LASTPID
wait_until 20 grep -q PMTU-READY "$TMP/out" || fail "probe: $(cat "$TMP/out" "$TMP/err")"
grep -q "ok port unreachable" "$TMP/out" || fail "port unreachable: $(cat "$TMP/out" "$TMP/err")"
ok "the kernel's port unreachable (IPv4, IPv6) in ustack's error queues"

ip netns exec "$K" $PY - <<PYEOF || fail "scapy"
from scapy.all import *
conf.verb = 0
mac = "02:00:00:00:08:02"
inner4 = IP(src="198.18.8.2", dst="198.18.8.1", flags="DF", len=1428) / UDP(sport=5556, dport=7778, len=1408) / Raw(b"x" * 8)
sendp(Ether(dst=mac) / IP(src="198.18.8.1", dst="198.18.8.2") / ICMP(type=3, code=4, nexthopmtu=1200) / inner4, iface="tap0")
inner6 = IPv6(src="fd00:8::2", dst="fd00:8::1", plen=1408) / UDP(sport=5555, dport=7777, len=1408) / Raw(b"x" * 8)
sendp(Ether(dst=mac) / IPv6(src="fd00:8::1", dst="fd00:8::2") / ICMPv6PacketTooBig(mtu=1300) / inner6, iface="tap0")
PYEOF
wait "$PID" || fail "probe: $(cat "$TMP/out" "$TMP/err")"
ok "frag needed and packet too big lower ustack's path MTU (IP_MTU, IPV6_MTU, ee_info)"
wait_until 5 test "$(stat -c %s "$TMP/got4" 2>/dev/null)" = 1400 || fail "kernel got $(stat -c %s "$TMP/got4" 2>/dev/null) bytes over IPv4"
wait_until 5 test "$(stat -c %s "$TMP/got6" 2>/dev/null)" = 1400 || fail "kernel got $(stat -c %s "$TMP/got6" 2>/dev/null) bytes over IPv6"
ok "1400-byte datagrams fragmented at the path MTU reach the kernel whole"
