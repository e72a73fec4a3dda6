#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# TCP between two "hosts" over vxvde:// beside the raw frame ceiling of the
# same path (docs/hosts.md). The hosts are two network namespaces joined by
# a veth pair (as in tests/net/hosts); each figure is the median of RUNS.
#   bench/hosts_bench.sh [BUILD_DIR [RUNS]]      (root: namespaces)
# Nothing here asserts a speed.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
runs=${2:-3}
export IOTH_BUILD_DIR=$build IOTH_PLUGIN_PATH="$build/plugins"
. "$here/tests/lib/netenv.sh"
need_root
. "$here/tests/net/hosts/hostslib.sh"
PUMP="$build/bench/frame_pump"
[ -x "$PUMP" ] || fail "missing $PUMP"
hosts_pair
VX="vxvde://239.255.18.44/port=24844"
median() { sort -g | awk '{a[NR]=$1; s = s " " $1} END {print a[int((NR+1)/2)], "(runs:" s ")"}'; }

echo "machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%d)"
echo "path: $VX between two namespaces over a veth pair (underlay MTU 1500)"
NET_DIRS="$NET_DIRS /tmp/$NET_ID-rx /tmp/$NET_ID-b.out"
# MTU 1500: a 1514-byte frame is a 1550-byte datagram, in two IP fragments
# on the veth; MTU 1450: 1464-byte frames, 1500-byte datagrams, unfragmented
for mtu in 1500 1450; do
	echo "-- ustack MTU $mtu (frames of $((mtu + 14)) bytes)"
	for r in $(seq "$runs"); do
		ip netns exec "$B" "$PUMP" rx "$VX/if=hvb" 3 >"/tmp/$NET_ID-rx" &
		rx=$!
		ip netns exec "$A" "$PUMP" tx "$VX/if=hva" 3 $((mtu + 14)) >/dev/null
		wait $rx
		sed -n 's/.*: \([0-9.]*\) Gbit\/s/\1/p' "/tmp/$NET_ID-rx"
	done | median | awk '{printf "ceiling (raw frames, one sender, one receiver): %.3f Gbit/s of frames (median; each run:", $1; for (i = 3; i <= NF; i++) printf " %s", $i; print ""}'

	net_nsbg b "$NODE" -m $mtu 2 "$VX/if=hvb" serve 600 >"/tmp/$NET_ID-b.out" 2>&1
	bpid=$NET_LASTPID
	node_wait_ready "/tmp/$NET_ID-b.out" "$bpid"
	for r in $(seq "$runs"); do
		ip netns exec "$A" "$NODE" -m $mtu 1 "$VX/if=hva" tcp 198.19.2.1 7500 268435456 |
			sed -n 's/.*(\([0-9.]*\) Mbit\/s)/\1/p'
	done | median | awk '{printf "ustack TCP (256 MiB, one connection, one process a host): %.3f Gbit/s of payload (median; Mbit/s of each run:", $1 / 1000; for (i = 3; i <= NF; i++) printf " %s", $i; print ""}'
	kill "$bpid"
	wait "$bpid" 2>/dev/null
done
