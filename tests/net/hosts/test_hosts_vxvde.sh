#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ustack across two "hosts" on vxvde:// (libvdeplug's distributed VDE:
# frames in UDP multicast, no switch process): ping IPv4 and IPv6, UDP
# echo on both families, 32 MiB of TCP checked by SHA-256 (and 1 MiB over
# IPv6), then 100 stacks on each host, each pinging its twin on the other.
# $1: the network under it, v4 (an IPv4 group, the default) or v6 (an IPv6
# group and addresses on the veth).
. "$IOTH_TESTLIB"
need_root
need_cmd ip ping
. "$(dirname "$0")/hostslib.sh"
hosts_pair
# an administratively scoped group and a port of this test only
case "${1:-v4}" in
v4) VX="vxvde://239.255.18.40/port=24840" ;;
v6)
	VX="vxvde://ff15::18:40/port=24846"
	ip -n "$A" addr add fd00:40::1/64 dev hva nodad
	ip -n "$B" addr add fd00:40::2/64 dev hvb nodad
	;;
*) fail "usage: $0 [v4|v6]" ;;
esac

net_nsbg b "$NODE" -n 100 2 "$VX/if=hvb" serve 200 >"$TMP/b.out" 2>&1
node_wait_ready "$TMP/b.out" "$NET_LASTPID"
ok "host b: 100 stacks on $VX"

ip netns exec "$A" timeout 180 "$NODE" -n 100 1 "$VX/if=hva" \
	ping 198.19.2.1 ping fd00:16::2:1 udp 198.19.2.1 7 udp fd00:16::2:1 7 \
	tcp 198.19.2.1 7500 33554432 tcp fd00:16::2:1 7500 1048576 many 2 noerr >"$TMP/a.out" 2>&1
rc=$?
cat "$TMP/a.out"
[ $rc = 0 ] || fail "host a (rc $rc); host b said: $(cat "$TMP/b.out")"
grep -q '^ok noerr' "$TMP/a.out" || fail "host a did not run every step"
ok "vxvde: ping v4/v6, UDP v4/v6, 32 MiB TCP (sha256), 100 stacks each pinging the other host, no receive or transmit error counted"
