# SPDX-License-Identifier: LGPL-2.1-or-later
# Two "hosts" for the tests across hosts: namespaces a and b joined by a
# veth pair (hva in a: 198.18.40.1/24, hvb in b: 198.18.40.2/24), with the
# multicast range routed on it and no other interface but lo. Source after
# netenv.sh.
# Every script: . "$IOTH_TESTLIB", need_root, need_cmd ..., then this file,
# which gives $NODE, a scratch directory $TMP (removed at exit) and the
# helpers below.
net_build_prog NODE tests/net/hosts/hosts_node
net_tmpdir TMP

# hosts_pair: namespaces a and b, the veth pair between them (above)
hosts_pair() {
	net_ns_bare a
	net_ns_bare b
	A=$(nsname a)
	B=$(nsname b)
	ip link add hva netns "$A" type veth peer name hvb netns "$B" || fail "cannot create the veth pair"
	ip -n "$A" addr add 198.18.40.1/24 dev hva
	ip -n "$B" addr add 198.18.40.2/24 dev hvb
	ip -n "$A" link set hva up
	ip -n "$B" link set hvb up
	ip -n "$A" route add 224.0.0.0/4 dev hva
	ip -n "$B" route add 224.0.0.0/4 dev hvb
	wait_until 5 ip netns exec "$A" ping -c 1 -W 1 198.18.40.2 || fail "the veth pair does not carry traffic"
}

# node_wait_ready FILE PID: the node printed "ready" (fails if it died)
node_wait_ready() {
	local n=300
	while [ $n -gt 0 ]; do
		grep -q '^ready$' "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || fail "node died before ready: $(cat "$1")"
		sleep 0.1
		n=$((n - 1))
	done
	fail "node not ready in 30 s: $(cat "$1")"
}

# listening NSNAME PORT: a TCP socket listens on PORT in that namespace
listening() {
	ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q LISTEN
}

# digest_server NAME [ADDR]: in namespace NAME a TCP server on port 7500
# (of ADDR, or every address) that answers with the SHA-256 of what it read
digest_server() {
	local ns bind=""; ns=$(nsname "$1")
	[ -n "${2:-}" ] && bind=",bind=$2"
	net_nsbg "$1" socat "TCP-LISTEN:7500$bind,reuseaddr,fork" EXEC:sha256sum
	wait_until 5 listening "$ns" 7500 || fail "socat did not listen"
}

# node_bg NSNAME OUT NODE-ARGS...: hosts_node in namespace NSNAME (a name
# from nsname), at most 120 s, its output in OUT; NPID its pid
node_bg() {
	local ns=$1 out=$2; shift 2
	ip netns exec "$ns" timeout 120 "$NODE" "$@" >"$out" 2>&1 &
	NPID=$!
	NET_PIDS="$NET_PIDS $NPID"
}

# node_tcp_done OUT WHAT [LOG]: the node's steps up to its TCP transfer
# ended (within 60 s) and succeeded; its output is shown either way, LOG
# (a peer's) on failure
node_tcp_done() {
	wait_until 60 grep -q '^ok tcp\|^fail' "$1"
	cat "$1"
	grep -q '^ok tcp' "$1" && return 0
	[ -n "${3:-}" ] && cat "$3"
	fail "$2"
}

# node_stop PID OUT: the node ends on SIGTERM with status 0
node_stop() {
	kill "$1"
	wait "$1" || fail "the node exited with an error: $(cat "$2")"
}

# kernel_pings NSNAME ADDR...: the namespace's kernel pings each address
kernel_pings() {
	local ns=$1 a; shift
	for a in "$@"; do
		ip netns exec "$ns" ping -c 2 -i 0.2 -W 2 "$a" >/dev/null || fail "kernel ping to ustack's $a"
	done
}

# kernel_sends NSNAME HOST:PORT: from the namespace's kernel, 32 MiB of
# random bytes to a digest server of the node; its SHA-256 must agree
kernel_sends() {
	head -c 33554432 /dev/urandom >"$TMP/data"
	local want got
	want=$(sha256sum <"$TMP/data" | cut -c1-64)
	got=$(ip netns exec "$1" timeout 60 socat -t 30 -T 30 - "TCP:$2" <"$TMP/data")
	[ "$got" = "$want" ] || fail "kernel -> ustack 32 MiB: ustack's digest '$got', sent $want"
}
