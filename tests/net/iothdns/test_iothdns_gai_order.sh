#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The order of getaddrinfo's results depends on the stack's own addresses
# (RFC 6724 section 6, rules 1, 2 and 5 through source address selection):
# a name with an IPv4 and an IPv6 address, listed in both orders in a hosts
# file, resolved by glibc and by iothdns in the same namespace:
# - IPv4 198.18.5.1/24 and only a link-local IPv6 address: the IPv4 first
#   (the IPv6 destination has no global source);
# - the same plus fd00:5::1/64: the IPv6 first (precedence, rule 6).
# `ip netns exec` puts /etc/netns/NS/hosts over /etc/hosts for glibc (and
# for iothdns, which reads /etc/hosts too).
set -u
. "$IOTH_TESTLIB"
need_root
need_cmd ip
T=$IOTH_BUILD_DIR/tests/net/iothdns/iothdns_gai_order
[ -x "$T" ] || skip "$T not built"

mkns() { # mkns NAME: lo up, a veth pair up, 198.18.5.1/24 on v0
	net_ns_bare "$1"
	local ns; ns=$(nsname "$1")
	mkdir -p "/etc/netns/$ns"
	NET_DIRS="$NET_DIRS /etc/netns/$ns"
	ip -n "$ns" link add v0 type veth peer name v1 || fail "no veth in $ns"
	ip -n "$ns" link set v0 up
	ip -n "$ns" link set v1 up
	ip -n "$ns" addr add 198.18.5.1/24 dev v0
}

mkns ll
mkns ula
ip -n "$(nsname ula)" addr add fd00:5::1/64 dev v0 nodad
# the link-local addresses leave their tentative state (DAD, about 1 s)
wait_until 10 sh -c "ip -n $(nsname ll) -6 addr show dev v0 scope link | grep -q inet6 &&
	! ip -n $(nsname ll) -6 addr show tentative | grep -q inet6" || fail "no link-local address"

check() { # check ENV ORDER FIRST
	local ns out; ns=$(nsname "$1")
	if [ "$2" = v4first ]; then
		printf '198.18.5.10 dual.test\nfd00:5::10 dual.test\n' >"/etc/netns/$ns/hosts"
	else
		printf 'fd00:5::10 dual.test\n198.18.5.10 dual.test\n' >"/etc/netns/$ns/hosts"
	fi
	out=$(ip netns exec "$ns" "$T" dual.test) || { echo "$out"; fail "$1, $2 in the hosts file: iothdns differs from glibc"; }
	first=$(echo "$out" | sed -n 's/^glibc: \([^ ]*\).*/\1/p')
	[ "$first" = "$3" ] || { echo "$out"; fail "$1, $2: glibc's first is $first, not $3 (the test's premise)"; }
	ok "$1 addresses, $2 in the hosts file: $(echo "$out" | tr '\n' ' ')"
}
check ll v4first 198.18.5.10
check ll v6first 198.18.5.10
check ula v4first fd00:5::10
check ula v6first fd00:5::10
echo "4 passed, 0 failed"
