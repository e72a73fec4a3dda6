#!/bin/bash
# Resource limits of a stack (argument: its plugin name) under floods, on
# the test's own switch: sends to thousands of unresolved on-link
# addresses (IPv4 and IPv6), ARP requests and neighbour solicitations from
# thousands of spoofed senders (scapy), and a UDP flood into sockets nobody
# reads (UDP, raw, packet). After each: the neighbour tables hold at most
# gc_thresh3 (1024) entries, the drops are counted, memory stays bounded,
# and the stack still answers ping and UDP over IPv4 and IPv6.
. "$IOTH_TESTLIB"
. "$(dirname "$IOTH_TESTLIB")/node.sh"
STACK=${1:-ustack}
need_root
need_cmd socat ping
PY=/usr/bin/python3   # Debian's, where python3-scapy is
"$PY" -c 'import scapy.all' 2>/dev/null || skip "needs python3-scapy"
NODE_BIN="$IOTH_BUILD_DIR/tests/net/hostile/limits-node"
FLOODS="$IOTH_SOURCE_DIR/tests/net/hostile/limits.py"
RSS_BOUND_KIB=${RSS_BOUND_KIB:-32768}
# Under ASan freed memory waits in a quarantine (256 MiB by default): the
# neighbour entries a flood makes and evicts would count as growth. A
# small one keeps the bound about what the stack holds.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=2"
MAXNEIGH=1024

net_switch SW
net_ns atk "$SW"
ATK=$(nsname atk)
ip -n "$ATK" addr add 198.18.8.100/15 dev tap0
ip -n "$ATK" addr add fd00:8::100/64 dev tap0 nodad

node_start "$NODE_BIN" "$STACK" "vde://$SW" 198.18.8.1/15 fd00:8::1/64

alive() {
	node_alive "$ATK" 198.18.8.1 fd00:8::1
}

# node CMD: send a command, the answer's first line in REPLY
node() {
	echo "$*" >&"${NODE[1]}"
	read -t 60 -r REPLY <&"${NODE[0]}" || fail "node did not answer '$*'"
}

# stats: sets RSS, RXDROP, TXDROP, N4, N6
stats() {
	echo stats >&"${NODE[1]}"
	RSS=0; RXDROP=0; TXDROP=0; N4=-1; N6=-1
	while read -t 30 -r key a b; do
		case "$key" in
			rss_kib) RSS=$a ;;
			vde0) RXDROP=$a; TXDROP=$b ;;
			neigh4) N4=$a ;;
			neigh6) N6=$a ;;
			end) return 0 ;;
		esac
	done <&"${NODE[0]}"
	fail "node did not answer stats"
}

check_mem() {
	[ $((RSS - RSS0)) -lt "$RSS_BOUND_KIB" ] || fail "after $1: rss grew from $RSS0 to $RSS KiB"
}

flood() {
	ip netns exec "$ATK" timeout 120 "$PY" "$FLOODS" "$1" --iface tap0 --mac "$MAC" \
		--ip4 198.18.8.1 --ip6 fd00:8::1 --count "$2" || fail "scapy flood $1 failed"
}

wait_until 10 alive || fail "$STACK does not answer before the floods: $(alive)"
MAC=$(ip -n "$ATK" neigh show 198.18.8.1 | awk '{print $5; exit}')
[ -n "$MAC" ] || fail "no MAC learned for the node"
stats
RSS0=$RSS
ok "baseline: rss $RSS0 KiB, neighbours $N4 IPv4, $N6 IPv6"

# 1. The node sends to 4000 unresolved on-link addresses, 40 datagrams of
#    1000 bytes each: unbounded queues would hold 1024 x 40 x 2 KiB.
for fam in 4 6; do
	stats
	TX0=$TXDROP
	node "flood$fam 4000 40 1000"
	read -r _ sent _ failed _ peak <<<"$REPLY"
	[ "$((sent + failed))" = 160000 ] || fail "flood$fam: $REPLY"
	stats
	n=$N4
	[ "$fam" = 6 ] && n=$N6
	[ "$n" -le "$MAXNEIGH" ] || fail "flood$fam: $n IPv$fam neighbours, more than $MAXNEIGH"
	[ "$peak" -le "$MAXNEIGH" ] || fail "flood$fam: $peak IPv$fam neighbours during the flood, more than $MAXNEIGH"
	[ "$peak" -ge $((MAXNEIGH / 2)) ] || fail "flood$fam: at most $peak IPv$fam neighbours during the flood: did it run?"
	[ $((TXDROP - TX0)) -ge 80000 ] || fail "flood$fam: only $((TXDROP - TX0)) drops counted"
	check_mem "flood$fam"
	ok "sends to 4000 unresolved IPv$fam addresses: $sent sent, $failed refused, $peak neighbours at most ($n after), $((TXDROP - TX0)) dropped (tx_dropped), rss $RSS KiB"
	wait_until 20 alive || fail "after flood$fam: $(alive)"
	ok "after flood$fam: still answers ping and UDP"
done

# 2. ARP requests and solicitations from 3000 spoofed senders each.
for c in arp ns; do
	flood $c 3000
	stats
	n=$N4
	[ "$c" = ns ] && n=$N6
	[ "$n" -le "$MAXNEIGH" ] || fail "$c flood: $n neighbours, more than $MAXNEIGH"
	[ "$n" -ge $((MAXNEIGH / 2)) ] || fail "$c flood: only $n neighbours: were the senders learned?"
	check_mem "$c flood"
	ip -n "$ATK" neigh flush dev tap0
	wait_until 20 alive || fail "after the $c flood: $(alive)"
	ok "$c requests from 3000 spoofed senders: $n neighbours, rss $RSS KiB, still answers"
done

# 3. 3000 UDP datagrams into sockets nobody reads (UDP port 9, raw UDP,
#    packet ETH_P_ALL): each queue within SO_RCVBUF, drops counted and
#    reported by SO_RXQ_OVFL with the next datagram.
for k in udp raw packet; do
	node "drain $k"   # what earlier cases left (ARP, NDP, UDP echo)
done
flood udp 3000
stats
check_mem "udp flood"
declare -A QCOUNT
for k in udp raw packet; do
	node "drain $k"
	read -r _ count _ bytes _ rcvbuf _ ovfl <<<"$REPLY"
	[ "$count" -gt 0 ] || fail "$k sink: nothing queued: $REPLY"
	[ "$bytes" -le "$rcvbuf" ] || fail "$k sink: $bytes bytes queued, more than SO_RCVBUF $rcvbuf"
	[ "$count" -lt 3000 ] || fail "$k sink: all 3000 queued ($REPLY): SO_RCVBUF not enforced"
	QCOUNT[$k]=$count
done
flood udp 1
for k in udp raw packet; do
	node "drain $k"
	read -r _ count _ bytes _ rcvbuf _ ovfl <<<"$REPLY"
	[ "$count" -ge 1 ] || fail "$k sink: the last datagram did not arrive: $REPLY"
	[ "$ovfl" -gt 0 ] || fail "$k sink: no drop reported by SO_RXQ_OVFL: $REPLY"
	if [ "$k" != packet ]; then
		# the packet socket also sees ARP and NDP; the others only these
		[ $((QCOUNT[$k] + ovfl)) -le 3000 ] || fail "$k sink: ${QCOUNT[$k]} queued + $ovfl dropped > 3000 sent"
	fi
	ok "$k socket nobody read: ${QCOUNT[$k]} datagrams queued within SO_RCVBUF $rcvbuf, $ovfl dropped (SO_RXQ_OVFL)"
done
wait_until 20 alive || fail "after the UDP flood: $(alive)"
ok "after the UDP flood: still answers"

node_quit
echo "7 passed, 0 failed"
