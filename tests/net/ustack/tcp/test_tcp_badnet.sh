#!/bin/bash
# The bad-network matrix: ustack's TCP through wirefilter (vde2), one
# condition at a time, against the Linux kernel (argument "kernel": a
# ustack client, IPv4, to socat in a namespace) or against another ustack
# stack (argument "ustack": a ustack client to a ustack server, IPv6).
# Each connection carries data both ways at once, compared by sha256:
#   loss      5% of the frames lost each way (-l 5)
#   dup       1% duplicated (-D 1)
#   reorder   a random delay of 0 to 4 ms per frame, not FIFO (-d 2+2 -N)
#   slow      50 ms each way and a 10 Mbit/s bottleneck (-d 50 -b 1250000)
#   noise     bit errors (-n 1: about one damaged bit per MB, one full
#             frame in 700, some 35 of the 23,000 each way): every damaged
#             segment must be caught by a checksum (the sha256 says so) and
#             the receivers' counters of checksum errors must have risen
#             (ustack's Tcp InCsumErrors from the stack option snmp=, the
#             namespace's TcpInCsumErrors). Not more noise: wirefilter
#             damages a frame again with the same chance as once (p^2 for
#             two bits), and two bits of one column of 16-bit words flipped
#             opposite ways cancel in the Internet checksum (RFC 1071), for
#             Linux as for ustack: at -n 32 Linux took 4 such segments of
#             32 MiB, a ustack server 2. At -n 1 such a frame comes in
#             under 1% of runs of both tests together.
#   blackhole a hop that drops every frame above 1294 bytes (IP packets
#             above 1280) without ICMP (-m 1294), with tcp_mtu_probing=1 on
#             ustack and net.ipv4.tcp_mtu_probing=1 in the namespace: both
#             must find the size (ustack's MSS ends above tcp_base_mss,
#             1024, and at most 1280 less the headers and timestamps, 52 or
#             72 bytes: probes passed, none beyond the hole; its
#             TCPMTUPSuccess > 0. A search that ran to its end stops within
#             tcp_probe_threshold, 8 bytes, below the hole: said, not
#             required, since a loaded or sanitized run may end first)
# Size: 32 MiB each way on every condition. On "slow" the two directions
# share nothing but the ACKs, each at 10 Mbit/s: 27 s at the least, 44-50
# s seen (slow start over 100 ms), the test 100-120 s in all
# (BADNET_SLOW_SIZE sets that condition's size, in bytes, for exploring).
# Every connection is bounded:
# tcp_peer fails with the connection's TCP_INFO after 20 s without
# progress or 90 s in all (the namespace's "ss -tin" is printed too).
# Needs root (namespaces, taps). For exploring: BADNET_ONLY="noise
# blackhole" runs only those conditions, BADNET_NOISE sets -n, BADNET_KEEP
# names a folder where the files of a transfer that differs are kept.
. "$IOTH_TESTLIB"
need_root
need_cmd ip socat vde_plug wirefilter sha256sum nstat awk
MODE=${1:-kernel}
case "$MODE" in kernel | ustack) ;; *) fail "usage: $0 kernel|ustack" ;; esac
net_build_prog PEER tests/net/ustack/tcp/tcp_peer
net_tmpdir TMP
net_deepbind_shim

BIG=$((32 * 1048576))
SLOW=${BADNET_SLOW_SIZE:-$BIG}
export TCP_PEER_STALL_S=20 TCP_PEER_DEADLINE_S=90

# SWA: the namespace and the ustack server; SWB: the ustack client; the
# wirefilter of each condition joins them
net_switch SWA
net_switch SWB
net_ns k "$SWA"
K=$(nsname k)
net_ns_addr k 198.18.14.1/24 fd00:14::1/64
ip netns exec "$K" sysctl -qw net.ipv4.tcp_mtu_probing=1 || fail "cannot set tcp_mtu_probing in the namespace"
# Linux's default congestion control, CUBIC, when the host lets a
# namespace choose it (a namespace starts with the host's choice and may
# only take one of tcp_allowed_congestion_control): the one in use is shown
ip netns exec "$K" sysctl -qw net.ipv4.tcp_congestion_control=cubic 2>/dev/null
LCC=$(ip netns exec "$K" sysctl -n net.ipv4.tcp_congestion_control)

for n in big slow; do
	sz=$BIG
	[ $n = big ] || sz=$SLOW
	head -c "$sz" /dev/urandom >"$TMP/$n.a"
	head -c "$sz" /dev/urandom >"$TMP/$n.b"
done

same() {
	same_data "$1" "$2" && return 0
	[ -z "$BADNET_KEEP" ] || cp "$1" "$2" "$BADNET_KEEP/"
	return 1
}
want() { [ -z "$BADNET_ONLY" ] || [[ " $BADNET_ONLY " == *" $1 "* ]]; }

WF=
wf_start() {   # TAG ARGS...
	local tag=$1
	shift
	net_wirefilter WF "$TMP/wf.$tag.log" "$SWB:$SWA" "$@"
}
wf_stop() {
	kill "$WF" 2>/dev/null
	wait "$WF" 2>/dev/null
	net_unwatch "$WF"
	WF=
}

# the namespace's counter NAME (nstat, absolute, history untouched)
kcount() { ip netns exec "$K" nstat -asz "$1" | awk -v n="$1" '$1 == n {print $2}'; }
# ustack's counter NAME of protocol PROTO from an snmp= file
ucount() {   # FILE PROTO NAME
	awk -v p="$2:" -v n="$3" '$1 == p { if (!h) { for (i = 2; i <= NF; i++) if ($i == n) c = i; h = 1 } else print $c }' "$1"
}

why() {   # TAG FILES...: what the logs and the namespace say
	local tag=$1
	shift
	echo "--- $tag"
	cat "$@" 2>/dev/null
	echo "--- the namespace: ss -tin"
	ip netns exec "$K" ss -tin 2>&1
}

# ustack client -> socat server in the namespace, IPv4
to_kernel() {   # TAG DATA UOPT
	local tag=$1 d=$TMP/$2 uopt=$3
	net_nsbg k timeout 120 socat -b 65536 -t 60 "TCP4-LISTEN:9000,reuseaddr" \
		"OPEN:$d.b!!OPEN:$TMP/$tag.k,creat,trunc"
	local kpid=$NET_LASTPID
	sleep 0.3
	"$PEER" "ustack,mac=02:00:00:00:14:02,snmp=$TMP/$tag.snmp$uopt" "vde://$SWB" 198.18.14.2/24 fd00:14::2/64 \
		client 198.18.14.1 9000 "$TMP/$tag.us" "$d.a" >"$TMP/$tag.cli" 2>&1 ||
		fail "$tag: the ustack client failed: $(why "$tag" "$TMP/$tag.cli")"
	wait "$kpid" || fail "$tag: the socat server failed: $(why "$tag" "$TMP/$tag.cli")"
	net_unwatch "$kpid"
	same "$d.a" "$TMP/$tag.k" || fail "$tag: ustack -> Linux differs"
	same "$d.b" "$TMP/$tag.us" || fail "$tag: Linux -> ustack differs"
}

# ustack client -> ustack server, IPv6
to_ustack() {   # TAG DATA UOPT
	local tag=$1 d=$TMP/$2 uopt=$3
	net_bg "$PEER" "ustack,mac=02:00:00:00:14:03,snmp=$TMP/$tag.srv.snmp$uopt" "vde://$SWA" 198.18.14.3/24 \
		fd00:14::3/64 serve 8000 1 "$TMP/$tag.srvout" "$d.b" >"$TMP/$tag.srv" 2>&1
	local spid=$NET_LASTPID
	wait_until 10 grep -q READY "$TMP/$tag.srv" || fail "$tag: the ustack server did not start: $(cat "$TMP/$tag.srv")"
	"$PEER" "ustack,mac=02:00:00:00:14:02,snmp=$TMP/$tag.snmp$uopt" "vde://$SWB" 198.18.14.2/24 fd00:14::2/64 \
		client fd00:14::3 8000 "$TMP/$tag.us" "$d.a" >"$TMP/$tag.cli" 2>&1 ||
		fail "$tag: the ustack client failed: $(why "$tag" "$TMP/$tag.cli" "$TMP/$tag.srv")"
	wait "$spid" || fail "$tag: the ustack server failed: $(why "$tag" "$TMP/$tag.cli" "$TMP/$tag.srv")"
	net_unwatch "$spid"
	same "$d.a" "$TMP/$tag.srvout.0" || fail "$tag: client -> server differs"
	same "$d.b" "$TMP/$tag.us" || fail "$tag: server -> client differs"
}

run() {   # TAG DATA UOPT WIREFILTER-ARGS...
	local tag=$1 data=$2 uopt=$3 t0=$SECONDS r0 lx=
	shift 3
	want "$tag" || return 1
	r0=$(kcount TcpRetransSegs)
	wf_start "$tag" "$@"
	if [ "$MODE" = kernel ]; then
		to_kernel "$tag" "$data" "$uopt"
	else
		to_ustack "$tag" "$data" "$uopt"
	fi
	wf_stop
	local sz
	sz=$(stat -c %s "$TMP/$data.a")
	[ "$MODE" = ustack ] || lx=" Linux ($LCC) resent $(($(kcount TcpRetransSegs) - r0)) segments;"
	ok "$MODE $tag (wirefilter $*): $((sz / 1048576)) MiB each way in $((SECONDS - t0)) s, sha256 equal;$lx ustack:" \
		"$(grep -h '^info' "$TMP/$tag.cli" "$TMP/$tag.srv" 2>/dev/null | tr '\n' ' ')"
}

run loss big "" -l 5
run dup big "" -D 1
run reorder big "" -d 2+2 -N
run slow slow "" -d 50 -b 1250000

if want noise; then
	k0=$(kcount TcpInCsumErrors)
	run noise big "" -n "${BADNET_NOISE:-1}"
	u=$(ucount "$TMP/noise.snmp" Tcp InCsumErrors)
	[ "${u:-0}" -gt 0 ] || fail "noise: ustack's client counted no checksum error: $(cat "$TMP/noise.snmp")"
	if [ "$MODE" = kernel ]; then
		k=$(($(kcount TcpInCsumErrors) - k0))
		[ "$k" -gt 0 ] || fail "noise: Linux counted no checksum error"
		ok "noise: checksum errors counted: ustack $u, Linux $k"
	else
		v=$(ucount "$TMP/noise.srv.snmp" Tcp InCsumErrors)
		[ "${v:-0}" -gt 0 ] || fail "noise: ustack's server counted no checksum error: $(cat "$TMP/noise.srv.snmp")"
		ok "noise: checksum errors counted: client $u, server $v"
	fi
fi

if want blackhole; then
	kp0=$(kcount TcpExtTCPMTUPSuccess)
	run blackhole big ",tcp_mtu_probing=1" -m 1294
	hdr=72   # IPv6 + TCP + timestamps
	[ "$MODE" = ustack ] || hdr=52
	for f in "$TMP/blackhole.cli" "$TMP/blackhole.srv"; do
		[ -e "$f" ] || continue
		mss=$(sed -n 's/^info .* mss=\([0-9]*\) .*/\1/p' "$f")
		# below the hole (what passes), and raised by the probes above
		# tcp_base_mss (1024), where the black hole's detection put it;
		# how close the search came depends on how many probes the
		# transfer's time allowed (8 bytes when it ends, as Linux's
		# tcp_probe_threshold; a loaded or sanitized run ends sooner)
		[ -n "$mss" ] && [ "$mss" -le $((1280 - hdr)) ] && [ "$mss" -gt 1024 ] ||
			fail "blackhole: ustack's MSS $mss, not above tcp_base_mss 1024 and at most $((1280 - hdr)): $(cat "$f")"
		[ "$mss" -gt $((1280 - hdr - 8)) ] ||
			echo "note: blackhole: the search stopped $((1280 - hdr - mss)) bytes below the hole (within 8 at its end)"
	done
	s=$(ucount "$TMP/blackhole.snmp" TcpExt TCPMTUPSuccess)
	[ "${s:-0}" -gt 0 ] || fail "blackhole: ustack's client had no probe succeed: $(cat "$TMP/blackhole.snmp")"
	if [ "$MODE" = kernel ]; then
		kp=$(($(kcount TcpExtTCPMTUPSuccess) - kp0))
		ok "blackhole: ustack's MSS $mss, its probes: $s passed, $(ucount "$TMP/blackhole.snmp" TcpExt TCPMTUPFail) failed; Linux's probes passed: $kp"
	else
		ok "blackhole: ustack's MSS $mss, the client's probes: $s passed, $(ucount "$TMP/blackhole.snmp" TcpExt TCPMTUPFail) failed"
	fi
fi
exit 0
