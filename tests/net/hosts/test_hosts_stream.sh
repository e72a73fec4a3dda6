#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A switch reached through a command's byte stream (libvdeplug's cmd://,
# the way "ssh HOST vde_plug" joins a remote switch): host b runs a VDE
# switch and a node on it; host a's node opens
#   cmd://ip netns exec B vde_plug vde://SWITCH
# (ssh replaced by ip netns exec: the stream is the same) and pings b over
# IPv4 and IPv6, uses its UDP echo and sends it 32 MiB of TCP (sha256).
. "$IOTH_TESTLIB"
need_root
need_cmd ip vde_plug
. "$(dirname "$0")/hostslib.sh"
hosts_pair
SW="$TMP/sw"
net_nsbg b vde_plug null:// "switch://$SW"
wait_until 5 test -S "$SW/ctl" || fail "switch $SW did not start"
net_nsbg b "$NODE" 2 "vde://$SW" serve 200 >"$TMP/b.out" 2>&1
node_wait_ready "$TMP/b.out" "$NET_LASTPID"

ip netns exec "$A" timeout 120 "$NODE" 1 "cmd://ip netns exec $B vde_plug vde://$SW" \
	ping 198.19.2.1 ping fd00:16::2:1 udp 198.19.2.1 7 udp fd00:16::2:1 7 \
	tcp 198.19.2.1 7500 33554432 >"$TMP/a.out" 2>&1
rc=$?
cat "$TMP/a.out"
[ $rc = 0 ] || fail "host a (rc $rc); host b said: $(cat "$TMP/b.out")"
grep -q '^ok tcp' "$TMP/a.out" || fail "host a did not run every step"
ok "cmd:// stream to a remote switch: ping v4/v6, UDP v4/v6, 32 MiB TCP (sha256)"
