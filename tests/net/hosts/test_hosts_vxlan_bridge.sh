#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# VXLAN between ustack and a Linux kernel with the kernel doing the
# tunnel on ustack's side too: on host a, ustack on tap:// (hxt0), bridged
# with a kernel vxlan device; on host b, a kernel vxlan device with the
# peer's addresses. Standard VXLAN on the veth both ways; pings both ways
# (IPv4, IPv6) and 32 MiB of TCP each way checked by SHA-256. This is the
# path that works while libvdeplug's own vxlan:// cannot send unicast
# (test_hosts_vxlan, docs/hosts.md).
. "$IOTH_TESTLIB"
need_root
need_cmd ip ping socat sha256sum
. "$(dirname "$0")/hostslib.sh"
hosts_pair
# an administratively scoped group, a port and a VNI of this test only
GRP=239.255.18.42 PORT=24842 VNI=4042
for h in a b; do
	ns=$(nsname $h)
	dev=hv$h
	ip -n "$ns" link add vx0 type vxlan id $VNI group $GRP dev $dev dstport $PORT ||
		fail "cannot create the kernel vxlan device"
done
ip -n "$A" link add br0 type bridge || fail "cannot create a bridge"
ip -n "$A" tuntap add dev hxt0 mode tap || fail "cannot create a tap device"
for d in vx0 hxt0; do ip -n "$A" link set $d master br0; ip -n "$A" link set $d up; done
ip -n "$A" link set br0 up
ip -n "$B" addr add 198.19.2.1/16 dev vx0
ip -n "$B" addr add fd00:16::2:1/64 dev vx0 nodad
ip -n "$B" link set vx0 up
digest_server b

# the inner MTU: 1500 of the veth less VXLAN's 50 bytes
node_bg "$A" "$TMP/a.out" -m 1450 1 tap://hxt0 \
	ping 198.19.2.1 ping fd00:16::2:1 tcp 198.19.2.1 7500 33554432 serve 100
node_tcp_done "$TMP/a.out" "ustack -> kernel across VXLAN"
ok "ustack pings the kernel across VXLAN (v4, v6) and sends it 32 MiB of TCP (sha256 agrees)"

kernel_pings "$B" 198.19.1.1 fd00:16::1:1
kernel_sends "$B" 198.19.1.1:7500
ok "the kernel pings ustack across VXLAN and sends it 32 MiB of TCP (sha256 agrees)"
node_stop "$NPID" "$TMP/a.out"
