# SPDX-License-Identifier: LGPL-2.1-or-later
# Two "hosts" for the tests across hosts: namespaces a and b joined by a
# veth pair (hva in a: 198.18.40.1/24, hvb in b: 198.18.40.2/24), with the
# multicast range routed on it and no other interface but lo. Source after
# netenv.sh.
NODE="$IOTH_BUILD_DIR/tests/net/hosts/hosts_node"
[ -x "$NODE" ] || fail "missing $NODE"

# hosts_ns NAME: an empty namespace of this test (lo up), removed at exit
hosts_ns() {
	local ns; ns=$(nsname "$1")
	ip netns add "$ns" || fail "cannot create namespace $ns"
	NET_NSS="$NET_NSS $ns"
	ip -n "$ns" link set lo up
}

hosts_pair() {
	hosts_ns a
	hosts_ns b
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
