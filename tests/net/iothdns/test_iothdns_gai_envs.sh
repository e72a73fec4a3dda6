#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# getaddrinfo/getnameinfo against glibc where the host's addresses decide
# the answer (AI_ADDRCONFIG, the order of the loopback pair): the glibc
# differential unit test run again in three namespaces -- loopback only,
# IPv4 only (IPv6 disabled), IPv6 only.
set -u
. "$IOTH_TESTLIB"
need_root
need_cmd ip
T=$IOTH_BUILD_DIR/tests/unit/iothdns/test_iothdns_gai
[ -x "$T" ] || skip "$T not built"

mkns() { # mkns NAME: a namespace with lo up and a veth pair up, no addresses
	net_ns_bare "$1"
	local ns; ns=$(nsname "$1")
	ip -n "$ns" link add v0 type veth peer name v1 || fail "no veth in $ns"
	ip -n "$ns" link set v0 up
	ip -n "$ns" link set v1 up
}

mkns lo
mkns v4
ip -n "$(nsname v4)" addr add 198.18.5.1/24 dev v0
ip netns exec "$(nsname v4)" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.lo.disable_ipv6=1
mkns v6
ip -n "$(nsname v6)" addr add fd00:5::1/64 dev v0 nodad

FAILS=0
for env in lo v4 v6; do
	if ip netns exec "$(nsname "$env")" "$T" > "/tmp/$NET_ID-gai-$env.log" 2>&1; then
		ok "glibc differential with $env addresses: $(grep -o '[0-9]* cases, [0-9]* mismatches' "/tmp/$NET_ID-gai-$env.log")"
	else
		echo "FAIL: glibc differential with $env addresses"
		grep -E "MISMATCH|ERROR|LINE" -A2 "/tmp/$NET_ID-gai-$env.log" | head -20
		FAILS=$((FAILS + 1))
	fi
	rm -f "/tmp/$NET_ID-gai-$env.log"
done
[ "$FAILS" = 0 ] || fail "$FAILS environments differ from glibc"
ok "getaddrinfo/getnameinfo as glibc in every address environment"
