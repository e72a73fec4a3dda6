#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ustack on vxlan:// (standard VXLAN, RFC 7348) on host a
# against a Linux kernel "vxlan" device on host b, across the veth: pings
# both ways (IPv4, IPv6), 32 MiB of TCP each way checked by SHA-256.
# $1: the network under the tunnel, v4 (an IPv4 group, the default) or v6
# (IPv6 group and addresses on the veth).
#
# ustack's vxlan:// is its own (src/ustack/link/vxlan.c): libvdeplug
# 4.0.1's module cannot send unicast frames (docs/hosts.md); this test
# fails on it (ustack's unicast frames counted in tx_errors, no answer).
. "$IOTH_TESTLIB"
need_root
need_cmd ip ping socat sha256sum ethtool
. "$(dirname "$0")/hostslib.sh"
hosts_pair
# an administratively scoped group, a port and a VNI of this test only;
# the inner MTU is the veth's 1500 less VXLAN's overhead (50 or 70 bytes)
PORT=24841 VNI=4041
case "${1:-v4}" in
v4) GRP=239.255.18.41 MTU=1450 ;;
v6)
	GRP=ff15::18:41 MTU=1430 PORT=24843 VNI=4043
	ip -n "$A" addr add fd00:40::1/64 dev hva nodad
	ip -n "$B" addr add fd00:40::2/64 dev hvb nodad
	;;
*) fail "usage: $0 [v4|v6]" ;;
esac
ip -n "$B" link add vx0 type vxlan id $VNI group $GRP dev hvb dstport $PORT ||
	fail "cannot create the kernel vxlan device"
# The kernel leaves the inner TCP/UDP checksum for the NIC to fill in
# (checksum offload); a veth never fills it, and a VXLAN endpoint in user
# space would receive it blank. Real NICs fill it: so must this "host".
ip netns exec "$B" ethtool -K vx0 tx off >/dev/null || fail "cannot turn off vx0's checksum offload"
ip -n "$B" addr add 198.19.2.1/16 dev vx0
ip -n "$B" addr add fd00:16::2:1/64 dev vx0 nodad
ip -n "$B" link set vx0 up
# the kernel's digest server: the SHA-256 of what it reads, back on the connection
digest_server b

node_bg "$A" "$TMP/a.out" -m $MTU 1 "vxlan://$GRP/port=$PORT/vni=$VNI/if=hva" \
	ping 198.19.2.1 ping fd00:16::2:1 tcp 198.19.2.1 7500 33554432 serve 100
node_tcp_done "$TMP/a.out" "ustack -> kernel over vxlan"
ok "ustack pings the kernel across vxlan over ${1:-v4} (v4, v6) and sends it 32 MiB of TCP (sha256 agrees)"

kernel_pings "$B" 198.19.1.1 fd00:16::1:1
kernel_sends "$B" 198.19.1.1:7500
ok "the kernel pings ustack and sends it 32 MiB of TCP (sha256 agrees)"
node_stop "$NPID" "$TMP/a.out"
