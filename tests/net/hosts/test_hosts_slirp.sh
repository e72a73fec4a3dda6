#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# slirp:// (libvdeplug's slirp plugin: a user-mode NAT): a ustack stack
# takes its address from slirp's own DHCP server, sends 32 MiB of TCP to a
# server on 127.0.0.1 (slirp maps its gateway address to the host's
# loopback) and receives 32 MiB through slirp's TCP forwarding (tcpfwd=).
# The process runs in a namespace of its own with only lo: nothing can
# leave this machine. slirp's addresses are set to 198.18.43.0/24.
. "$IOTH_TESTLIB"
need_root
need_cmd ip socat sha256sum
. "$(dirname "$0")/hostslib.sh"
found=""
for f in /usr/lib/*/vdeplug/libvdeplug_slirp.so /usr/lib/vdeplug/libvdeplug_slirp.so \
	/usr/local/lib/vdeplug/libvdeplug_slirp.so; do
	[ -e "$f" ] && found=$f
done
[ -n "$found" ] ||
	skip "needs libvdeplug's slirp plugin (libvdeplug-slirp; scripts/install-deps installs it)"
net_ns_bare s
S=$(nsname s)
digest_server s 127.0.0.1
# gateway 198.18.43.2, first DHCP address .15, DNS proxy .3; the host's
# 127.0.0.1:7501 is forwarded to the stack's port 7500
SL="slirp:///v4/addr=198.18.43.2/dhcp=198.18.43.15/vnameserver=198.18.43.3/tcpfwd=127.0.0.1:7501:198.18.43.15:7500"

node_bg "$S" "$TMP/node.out" -d 3 "$SL" tcp 198.18.43.2 7500 33554432 serve 100
node_tcp_done "$TMP/node.out" "ustack on slirp://"
grep -qx 'dhcp 198.18.43.15' "$TMP/node.out" || fail "not slirp's first DHCP address 198.18.43.15"
ok "ustack on slirp:// leased 198.18.43.15 from slirp, sent 32 MiB of TCP to 127.0.0.1 (sha256 agrees)"

kernel_sends "$S" 127.0.0.1:7501
ok "32 MiB of TCP into ustack through slirp's forwarding (sha256 agrees)"
node_stop "$NPID" "$TMP/node.out"
