#!/bin/bash
# ustack TCP against the Linux kernel on VDE: socat in a namespace (through
# a tap) as client of a ustack server and as server of a ustack client, IPv4
# and IPv6, MBs both ways at once, compared with sha256; then the same
# through wirefilter with 5% loss each way, which must complete intact;
# and two ustack stacks through that lossy link (IPv4, IPv6), once with
# each congestion control (CUBIC, ustack's default as Linux's, and NewReno
# chosen with the stack option cc=reno; TCP_CONGESTION must name it), each
# connection resending at most 300 segments of its ~1040. Every
# connection must have timestamps, SACK and window scaling on, as ustack's
# TCP_INFO tells; on the clean link Linux's own view (ss -ti in the
# namespace, while tcp_peer holds the new connection) must say the same.
# ECN: the namespace's Linux then asks for it (tcp_ecn=1): ustack as server
# accepts it (Linux's default tcp_ecn=2) on the clean link, and as client
# never asks, so the connections to Linux's servers have none, unless the
# stack option tcp_ecn=1 says so (then Linux's server agrees).
. "$IOTH_TESTLIB"
need_root
need_cmd ip socat vde_plug wirefilter sha256sum
net_build_prog PEER tests/net/ustack/tcp/tcp_peer
net_tmpdir TMP
net_deepbind_shim

net_switch SW
net_switch SWL
net_ns k "$SW"
K=$(nsname k)
net_ns_addr k 198.18.7.1/24 fd00:7::1/64
# the lossy side joins SW through wirefilter (it reads commands on stdin)
net_wirefilter WF "$TMP/wf.log" "$SWL:$SW" -l 5

# ustack's view: every "info" line of tcp_peer shows the three options
our_opts() {   # TAG FILE COUNT
	local n
	n=$(grep -c '^info opts=ts,sack,wscale ' "$2")
	[ "$n" -ge "$3" ] || fail "$1: ustack's TCP_INFO lacks ts/sack/wscale: $(grep '^info' "$2")"
}

nconn() { [ "$(grep -c CONNECTED "$1")" -ge "$2" ]; }

# Linux's view of the connection that tcp_peer holds open (the COUNT-th):
# ss prints "ts" and "sack" only with -o (iproute2 6.1)
linux_opts() {   # TAG FILE COUNT
	wait_until 20 nconn "$2" "$3" || fail "$1: no connection $3: $(cat "$2")"
	local ss
	ss=$(ip netns exec "$K" ss -tinoH 2>&1)
	echo "$ss" >"$TMP/$1.ss.$3"
	echo "$ss" | grep -qw ts || fail "$1: Linux did not agree timestamps: $ss"
	echo "$ss" | grep -qw sack || fail "$1: Linux did not agree SACK: $ss"
	echo "$ss" | grep -qE 'wscale:7,[0-9]+' || fail "$1: Linux did not take our window scale 7: $ss"
}

# kernel clients -> ustack server (IPv4 then IPv6 on one dual-stack listener)
kernel_to_ustack() {   # TAG SWITCH ADDR4 ADDR6 MAC SIZE_A SIZE_B
	local tag=$1 sw=$2 a4=$3 a6=$4 mac=$5
	head -c "$6" /dev/urandom >"$TMP/$tag.a"
	head -c "$7" /dev/urandom >"$TMP/$tag.b"
	TCP_PEER_HOLD_MS=$HOLD_MS net_bg "$PEER" "ustack,mac=$mac" "vde://$sw" "$a4/24" "$a6/64" serve 8000 2 "$TMP/$tag.us" "$TMP/$tag.b" \
		>"$TMP/$tag.srv" 2>&1
	local pid=$NET_LASTPID
	wait_until 10 grep -q READY "$TMP/$tag.srv" || fail "$tag: ustack server did not start: $(cat "$TMP/$tag.srv")"
	ip netns exec "$K" timeout 90 socat -b 65536 -t 60 "TCP4:$a4:8000" \
		"OPEN:$TMP/$tag.a!!OPEN:$TMP/$tag.k4,creat,trunc" &
	local cpid=$!
	[ -z "$HOLD_MS" ] || linux_opts "$tag-4" "$TMP/$tag.srv" 1
	wait "$cpid" || fail "$tag: socat TCP4 client failed"
	ip netns exec "$K" timeout 90 socat -b 65536 -t 60 "TCP6:[$a6]:8000" \
		"OPEN:$TMP/$tag.a!!OPEN:$TMP/$tag.k6,creat,trunc" &
	cpid=$!
	[ -z "$HOLD_MS" ] || linux_opts "$tag-6" "$TMP/$tag.srv" 2
	wait "$cpid" || fail "$tag: socat TCP6 client failed"
	wait "$pid" || fail "$tag: ustack server failed: $(cat "$TMP/$tag.srv")"
	our_opts "$tag" "$TMP/$tag.srv" 2
	same_data "$TMP/$tag.a" "$TMP/$tag.us.0" || fail "$tag: kernel -> ustack (IPv4) differs"
	same_data "$TMP/$tag.a" "$TMP/$tag.us.1" || fail "$tag: kernel -> ustack (IPv6) differs"
	same_data "$TMP/$tag.b" "$TMP/$tag.k4" || fail "$tag: ustack -> kernel (IPv4) differs"
	same_data "$TMP/$tag.b" "$TMP/$tag.k6" || fail "$tag: ustack -> kernel (IPv6) differs"
	ok "$tag (${SECONDS}s): kernel socat clients <-> ustack server, $6 + $7 bytes, IPv4 and IPv6, sha256 equal"
}

# ustack client -> kernel socat server
ustack_to_kernel() {   # TAG SWITCH ADDR4 ADDR6 MAC SIZE_A SIZE_B DST PORT
	local tag=$1 sw=$2 a4=$3 a6=$4 mac=$5 dst=$8 port=$9 listen=TCP4-LISTEN
	case "$dst" in *:*) listen=TCP6-LISTEN ;; esac
	head -c "$6" /dev/urandom >"$TMP/$tag.a"
	head -c "$7" /dev/urandom >"$TMP/$tag.b"
	net_nsbg k timeout 90 socat -b 65536 -t 60 "$listen:$port,reuseaddr" \
		"OPEN:$TMP/$tag.b!!OPEN:$TMP/$tag.k,creat,trunc"
	local kpid=$NET_LASTPID
	sleep 0.3
	TCP_PEER_HOLD_MS=$HOLD_MS "$PEER" "ustack,mac=$mac${UOPT:+,$UOPT}" "vde://$sw" "$a4/24" "$a6/64" client "$dst" "$port" \
		"$TMP/$tag.us" "$TMP/$tag.a" >"$TMP/$tag.cli" 2>&1 &
	local upid=$!
	[ -z "$HOLD_MS" ] || linux_opts "$tag" "$TMP/$tag.cli" 1
	wait "$upid" || fail "$tag: ustack client failed: $(cat "$TMP/$tag.cli")"
	wait "$kpid" || fail "$tag: socat server failed"
	our_opts "$tag" "$TMP/$tag.cli" 1
	same_data "$TMP/$tag.a" "$TMP/$tag.k" || fail "$tag: ustack -> kernel differs"
	same_data "$TMP/$tag.b" "$TMP/$tag.us" || fail "$tag: kernel -> ustack differs"
	ok "$tag (${SECONDS}s): ustack client <-> kernel socat server ($dst), $6 + $7 bytes, sha256 equal"
}

# two ustack stacks through the lossy link: a server on SWL, clients on SW
ustack_to_ustack() {   # TAG SIZE_A SIZE_B CC
	local tag=$1 cc=$4 opt=
	[ "$cc" = cubic ] || opt=",cc=$cc"   # cubic: the default, no option
	head -c "$2" /dev/urandom >"$TMP/$tag.a"
	head -c "$3" /dev/urandom >"$TMP/$tag.b"
	net_bg "$PEER" "ustack,mac=02:00:00:00:07:04$opt" "vde://$SWL" 198.18.7.4/24 fd00:7::4/64 serve 8000 2 \
		"$TMP/$tag.us" "$TMP/$tag.b" >"$TMP/$tag.srv" 2>&1
	local pid=$NET_LASTPID
	wait_until 10 grep -q READY "$TMP/$tag.srv" || fail "$tag: ustack server did not start: $(cat "$TMP/$tag.srv")"
	local i=0 dst
	for dst in 198.18.7.4 fd00:7::4; do
		"$PEER" "ustack,mac=02:00:00:00:07:05$opt" "vde://$SW" 198.18.7.5/24 fd00:7::5/64 client "$dst" 8000 \
			"$TMP/$tag.c$i" "$TMP/$tag.a" >"$TMP/$tag.cli$i" 2>&1 ||
			fail "$tag: ustack client to $dst failed: $(cat "$TMP/$tag.cli$i")"
		same_data "$TMP/$tag.b" "$TMP/$tag.c$i" || fail "$tag: server -> client ($dst) differs"
		our_opts "$tag-client-$dst" "$TMP/$tag.cli$i" 1
		i=$((i + 1))
	done
	wait "$pid" || fail "$tag: ustack server failed: $(cat "$TMP/$tag.srv")"
	same_data "$TMP/$tag.a" "$TMP/$tag.us.0" || fail "$tag: client -> server (IPv4) differs"
	same_data "$TMP/$tag.a" "$TMP/$tag.us.1" || fail "$tag: client -> server (IPv6) differs"
	our_opts "$tag-server" "$TMP/$tag.srv" 2
	local n
	n=$(cat "$TMP/$tag.srv" "$TMP/$tag".cli* | grep -c "^info .* cc=$cc\$")
	[ "$n" -eq 4 ] || fail "$tag: not every connection ran $cc: $(grep -h '^info' "$TMP/$tag.srv" "$TMP/$tag".cli*)"
	# about 1040 segments each way, 5% lost: recovery resends what was
	# lost, near 50 (23-85 seen); a timeout that resent the whole window,
	# or resends of resends, made 600-1400
	local r
	for r in $(grep -h '^info' "$TMP/$tag.srv" "$TMP/$tag".cli* | sed 's/.*retrans=\([0-9]*\).*/\1/'); do
		[ "$r" -le 300 ] || fail "$tag: $r segments resent for about 1040 sent through 5% loss (at most 300 expected): $(grep -h '^info' "$TMP/$tag.srv" "$TMP/$tag".cli*)"
	done
	ok "$tag (${SECONDS}s): ustack <-> ustack with $cc through 5% loss, $2 + $3 bytes, IPv4 and IPv6, sha256 equal, ts/sack/wscale; retransmissions: $(grep -h '^info' "$TMP/$tag.srv" "$TMP/$tag".cli* | sed 's/.*retrans=\([0-9]*\).*/\1/' | tr '\n' ' ')"
}

HOLD_MS=1000
[ -n "$LOSSY_ONLY" ] || kernel_to_ustack clean "$SW" 198.18.7.2 fd00:7::2 02:00:00:00:07:02 4000000 3000000
[ -n "$LOSSY_ONLY" ] || ustack_to_kernel clean4 "$SW" 198.18.7.2 fd00:7::2 02:00:00:00:07:02 3000000 4000000 198.18.7.1 9000
[ -n "$LOSSY_ONLY" ] || ustack_to_kernel clean6 "$SW" 198.18.7.2 fd00:7::2 02:00:00:00:07:02 3000000 4000000 fd00:7::1 9001

ecn_count() { grep -c "^info .* ecn=$2 " "$1"; }
[ -n "$LOSSY_ONLY" ] || [ "$(ecn_count "$TMP/clean.srv" 0)" -eq 2 ] ||
	fail "clean: ECN on without Linux asking: $(grep -h '^info' "$TMP/clean.srv")"

HOLD_MS=
ip netns exec "$K" sysctl -qw net.ipv4.tcp_ecn=1 || fail "cannot set tcp_ecn in the namespace"
# on the clean link first: through loss, a SYN that Linux has to send again
# goes without ECE/CWR (RFC 3168 6.1.1, Linux's tcp_ecn_fallback), so only
# the clean link can require ECN on every connection
kernel_to_ustack ecn "$SW" 198.18.7.2 fd00:7::2 02:00:00:00:07:02 300000 200000
[ "$(ecn_count "$TMP/ecn.srv" 1)" -eq 2 ] ||
	fail "ecn: Linux asked for ECN, ustack's TCP_INFO shows none: $(grep -h '^info' "$TMP/ecn.srv")"
kernel_to_ustack lossy "$SWL" 198.18.7.3 fd00:7::3 02:00:00:00:07:03 600000 500000
ustack_to_kernel lossy4 "$SWL" 198.18.7.3 fd00:7::3 02:00:00:00:07:03 600000 500000 198.18.7.1 9002
ustack_to_kernel lossy6 "$SWL" 198.18.7.3 fd00:7::3 02:00:00:00:07:03 600000 500000 fd00:7::1 9003
[ "$(cat "$TMP/lossy4.cli" "$TMP/lossy6.cli" | grep -c '^info .* ecn=0 ')" -eq 2 ] ||
	fail "lossy: ustack as client asked for ECN: $(grep -h '^info' "$TMP/lossy4.cli" "$TMP/lossy6.cli")"
# with the stack option tcp_ecn=1 ustack asks, and Linux's server agrees
UOPT=tcp_ecn=1 ustack_to_kernel ecncli "$SW" 198.18.7.2 fd00:7::2 02:00:00:00:07:02 300000 200000 198.18.7.1 9004
[ "$(grep -c '^info .* ecn=1 ' "$TMP/ecncli.cli")" -eq 1 ] ||
	fail "ecncli: ustack with tcp_ecn=1 did not get ECN from Linux: $(grep -h '^info' "$TMP/ecncli.cli")"
ok "ECN: accepted from Linux clients with tcp_ecn=1 ($(ecn_count "$TMP/lossy.srv" 1) of 2 through 5% loss, where a lost SYN is sent again without it), never asked for as client unless tcp_ecn=1, then agreed by Linux"
ustack_to_ustack lossyus 1500000 1500000 cubic
ustack_to_ustack lossyreno 1500000 1500000 reno

# gro=1 (receive offload: in-order data read in one batch acknowledged
# once) against Linux on the clean link: 8 MB both ways at once, IPv4 and
# IPv6 (sha256); then Linux alone sends 8 MB to ustack, once with gro=1
# and once without: ustack's segments out (its snmp= counters: SYN, FIN
# and the ACKs, as it sends no data) against the data segments in.
# Without gro, about an ACK every second segment (3,041-3,766 per 5,526
# seen: window updates and quick ACKs add some); with it, fewer ACKs than
# segments (552-2,102 per 5,527 seen: how many frames a read finds
# waiting depends on the machine's load, so no finer bound is required)
# and at least one per 32 frames (a VNL batch's most).
UOPT=gro=1 ustack_to_kernel gro4 "$SW" 198.18.7.2 fd00:7::2 02:00:00:00:07:02 8000000 8000000 198.18.7.1 9005
UOPT=gro=1 ustack_to_kernel gro6 "$SW" 198.18.7.2 fd00:7::2 02:00:00:00:07:02 8000000 8000000 fd00:7::1 9006
IN=() OUT=()
tcpcount() { awk -v n="$2" '$1 == "Tcp:" { if (!h) { for (i = 2; i <= NF; i++) if ($i == n) c = i; h = 1 } else print $c }' "$1"; }
for g in 0 1; do
	UOPT="gro=$g,snmp=$TMP/gro$g.snmp" ustack_to_kernel "grorx$g" "$SW" 198.18.7.2 fd00:7::2 02:00:00:00:07:02 0 8000000 198.18.7.1 $((9007 + g))
	in=$(tcpcount "$TMP/gro$g.snmp" InSegs)
	out=$(tcpcount "$TMP/gro$g.snmp" OutSegs)
	[ -n "$in" ] && [ -n "$out" ] && [ "$in" -ge 5525 ] || fail "gro=$g: no counters, or fewer segments in than 8 MB takes: $(cat "$TMP/gro$g.snmp")"
	IN[g]=$in OUT[g]=$out
done
[ "${OUT[0]}" -ge $((IN[0] / 2 - 10)) ] && [ "${OUT[0]}" -lt "${IN[0]}" ] ||
	fail "gro=0: ${OUT[0]} segments out for ${IN[0]} in: not about an ACK every second segment"
[ "${OUT[1]}" -lt "${IN[1]}" ] && [ "${OUT[1]}" -ge $((IN[1] / 32)) ] ||
	fail "gro=1: ${OUT[1]} segments out for ${IN[1]} in: not fewer ACKs than segments, or fewer than one per 32 frames"
ok "gro=1 with Linux: 8 MB both ways sha256 equal (IPv4, IPv6); receiving 8 MB, segments out (ACKs) per data segment in: gro=1 ${OUT[1]}/${IN[1]}, gro=0 ${OUT[0]}/${IN[0]}"
exit 0
