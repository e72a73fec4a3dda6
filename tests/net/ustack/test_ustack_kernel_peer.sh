#!/bin/bash
# ustack against the Linux kernel on one VDE switch: the kernel (in a
# namespace, through a tap) pings our stack and we ping it, with and
# without fragments, over IPv4 and IPv6 (global and link-local: NDP);
# UDP both ways with socat over both, 30-60 KB datagrams in fragments
# both ways; the seed's ciao_send on ustack reaches the kernel.
. "$IOTH_TESTLIB"
need_root
need_cmd ip ping socat vde_plug
PEER="$IOTH_BUILD_DIR/tests/net/ustack/ustack_peer"
CIAO="$IOTH_BUILD_DIR/examples/basic/ciao_send"
[ -x "$PEER" ] || fail "missing $PEER"
TMP=$(mktemp -d)
NET_DIRS="$NET_DIRS $TMP"

net_switch SW
net_ns k "$SW"
K=$(nsname k)
ip -n "$K" addr add 198.18.5.1/24 dev tap0
ip -n "$K" addr add fd00:5::1/64 dev tap0 nodad

# kernel listeners: the ciao, a text datagram and a 60 KB one
net_nsbg k socat -u UDP4-RECV:6000 OPEN:"$TMP/ciao",creat,append
net_nsbg k socat -u UDP4-RECV:6001 OPEN:"$TMP/text",creat,append
net_nsbg k socat -u -b 70000 UDP4-RECV:6002 OPEN:"$TMP/big",creat,append
net_nsbg k socat -u UDP6-RECV:6003 OPEN:"$TMP/text6",creat,append
sleep 0.3

# our stack: ping the kernel (small, fragmented), send to it, then wait
# for the kernel's datagrams and pings
net_bg "$PEER" "ustack,mac=02:00:00:00:05:02" "vde://$SW" 198.18.5.2/24 addr6 fd00:5::2/64 \
	ping 198.18.5.1 56 ping 198.18.5.1 4000 \
	ping6 fd00:5::1 56 ping6 fd00:5::1 4000 \
	udp-send 198.18.5.1 6001 hello-kernel \
	udp6-send fd00:5::1 6003 hello-kernel6 \
	udp-sendbig 198.18.5.1 6002 60000 \
	udp-recv 7000 14 15 udp-recv 7001 30000 15 udp6-recv 7002 15 15 serve 4 >"$TMP/peer.out" 2>"$TMP/peer.err"
PEERPID=$NET_LASTPID
wait_until 10 grep -q READY "$TMP/peer.out" || fail "ustack peer did not start: $(cat "$TMP/peer.err")"
wait_until 15 grep -q "ok udp-sendbig" "$TMP/peer.out" || fail "ustack -> kernel steps: $(cat "$TMP/peer.out" "$TMP/peer.err")"
ok "ustack pings the kernel (56 and 4000 bytes, IPv4 and IPv6) and sends UDP"

# the kernel pings our stack, small and fragmented
ip netns exec "$K" ping -c 3 -i 0.2 -W 2 198.18.5.2 >/dev/null || fail "kernel ping to ustack"
ip netns exec "$K" ping -c 2 -i 0.2 -W 2 -s 5000 198.18.5.2 >/dev/null || fail "kernel fragmented ping to ustack"
ok "kernel pings ustack (56 and 5000 bytes)"
ip netns exec "$K" ping -6 -c 3 -i 0.2 -W 2 fd00:5::2 >/dev/null || fail "kernel ping6 to ustack"
ip netns exec "$K" ping -6 -c 2 -i 0.2 -W 2 -s 5000 fd00:5::2 >/dev/null || fail "kernel fragmented ping6 to ustack"
# the link-local address from the MAC (EUI-64), found through NDP
ip netns exec "$K" ping -6 -c 2 -i 0.2 -W 2 fe80::ff:fe00:502%tap0 >/dev/null || fail "kernel ping6 to ustack's link-local"
ok "kernel pings ustack over IPv6 (global, fragmented, link-local)"

# nothing listens on port 80: the connection is refused at once (RST), as by a closed Linux port
for dst in TCP4:198.18.5.2:80 "TCP6:[fd00:5::2]:80"; do
	out=$(ip netns exec "$K" timeout 5 socat -u /dev/null "$dst" 2>&1)
	echo "$out" | grep -q "Connection refused" || fail "TCP to $dst: $out"
done
ok "TCP connections refused with RST (IPv4, IPv6)"

# kernel -> ustack UDP: text, and 30000 bytes in fragments
printf 'ciao-da-linux\n' | ip netns exec "$K" socat -u STDIN UDP4-SENDTO:198.18.5.2:7000
python3 -c "import sys; sys.stdout.write(''.join(chr(97 + i % 26) for i in range(30000)))" >"$TMP/pattern"
ip netns exec "$K" socat -u -b 70000 OPEN:"$TMP/pattern" UDP4-SENDTO:198.18.5.2:7001
printf 'ciao-over-ipv6\n' | ip netns exec "$K" socat -u STDIN UDP6-SENDTO:[fd00:5::2]:7002
wait "$PEERPID"
rc=$?
[ $rc = 0 ] || fail "ustack peer failed ($rc): $(cat "$TMP/peer.out" "$TMP/peer.err")"
grep -q "received ciao-da-linux" "$TMP/peer.out" || fail "ustack did not get the kernel's datagram"
grep -q "received ciao-over-ipv6 from fd00:5::1" "$TMP/peer.out" || fail "ustack did not get the kernel IPv6 datagram: $(cat "$TMP/peer.out" "$TMP/peer.err")"
ok "kernel -> ustack UDP (14 and 30000 bytes over IPv4, IPv6)"

[ "$(cat "$TMP/text")" = "hello-kernel" ] || fail "kernel got '$(cat "$TMP/text")'"
[ "$(cat "$TMP/text6")" = "hello-kernel6" ] || fail "kernel got '$(cat "$TMP/text6")' over IPv6"
size=$(stat -c %s "$TMP/big")
[ "$size" = 60000 ] || fail "kernel got $size bytes of the 60000-byte datagram"
python3 -c "
import sys
d = open('$TMP/big','rb').read()
sys.exit(0 if d == bytes(97 + i % 26 for i in range(60000)) else 1)" || fail "60000-byte datagram corrupted"
ok "ustack -> kernel UDP (text and 60000 bytes in fragments)"

# the seed's example on ustack (in sanitizer builds with the DEEPBIND shim)
net_deepbind_shim
"$CIAO" ustack "vde://$SW" 198.18.5.3/24 198.18.5.1 6000 || fail "ciao_send failed"
unset LD_PRELOAD
wait_until 5 grep -q ciao "$TMP/ciao" || fail "the kernel did not receive ciao"
[ "$(cat "$TMP/ciao")" = "ciao" ] || fail "kernel got '$(cat "$TMP/ciao")'"
ok "ciao_send on ustack reaches the kernel"

# the kernel's ARP cache learned our MAC
ip -n "$K" neigh show 198.18.5.2 | grep -q 02:00:00:00:05:02 || fail "kernel ARP entry"
ip -n "$K" -6 neigh show fd00:5::2 | grep -q 02:00:00:00:05:02 || fail "kernel NDP entry"
ok "ARP and NDP entries"
