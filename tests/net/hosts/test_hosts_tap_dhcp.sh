#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tap:// from a namespace's tap device: a ustack stack takes its address
# from dnsmasq (DHCP) in the namespace, then pings the kernel and sends it
# 32 MiB of TCP (sha256 agrees), and the kernel sends it 32 MiB back.
# (TCP over tap:// at both MTUs is the VNL matrix's: test_vnl_tcp_tap_*.)
. "$IOTH_TESTLIB"
need_root
need_cmd ip ping socat sha256sum dnsmasq
. "$(dirname "$0")/hostslib.sh"
net_ns_bare t
T=$(nsname t)
# the tap exists before the stack opens it, so dnsmasq can bind to it
ip -n "$T" tuntap add dev htap0 mode tap || fail "cannot create a tap device"
ip -n "$T" addr add 198.18.42.1/24 dev htap0
ip -n "$T" link set htap0 up
net_nsbg t dnsmasq --no-daemon --conf-file=/dev/null --pid-file="$TMP/dnsmasq.pid" \
	--dhcp-leasefile="$TMP/leases" --interface=htap0 --bind-interfaces --port=0 \
	--no-ping --dhcp-authoritative --log-dhcp --log-facility=- \
	--dhcp-range=198.18.42.100,198.18.42.150,255.255.255.0,2m >"$TMP/dnsmasq.log" 2>&1
wait_until 5 grep -q "started, version" "$TMP/dnsmasq.log" || { cat "$TMP/dnsmasq.log"; fail "dnsmasq did not start"; }
digest_server t 198.18.42.1

node_bg "$T" "$TMP/node.out" -d 3 tap://htap0 \
	ping 198.18.42.1 tcp 198.18.42.1 7500 33554432 serve 100
node_tcp_done "$TMP/node.out" "ustack on tap://" "$TMP/dnsmasq.log"

ADDR=$(sed -n 's/^dhcp \(198\.18\.42\.[0-9]*\)$/\1/p' "$TMP/node.out")
[ -n "$ADDR" ] || fail "no address in 198.18.42.0/24 from DHCP"
grep -q " $ADDR " "$TMP/leases" || fail "dnsmasq has no lease for $ADDR: $(cat "$TMP/leases")"
ok "ustack on tap:// leased $ADDR from dnsmasq, pinged the kernel, sent it 32 MiB of TCP (sha256 agrees)"

kernel_pings "$T" "$ADDR"
kernel_sends "$T" "$ADDR:7500"
ok "the kernel pings $ADDR and sends it 32 MiB of TCP (sha256 agrees)"
node_stop "$NPID" "$TMP/node.out"
