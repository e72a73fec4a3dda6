#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Debian's iproute2 on a ustack through iothrun: changes and listings as on
# Linux. Every iothrun program gets a stack of its own, so the changes and
# the listings that check them run in one `ip -batch` process.
#  - ip addr add/del (a secondary address promoted when the primary goes,
#    the connected route's source following it), ip route add/replace/del
#    (IPv4 and IPv6), ip link set mtu/address/down/up, ip neigh
#    add/show/del, ip -s link (counters), each checked in ip's own output;
#  - ip addr add, then the Linux kernel of a namespace on the test's switch
#    pings the new address, while `ip monitor` (rtnetlink notifications)
#    in the same process shows the neighbour the stack learned from it.
set -u
. "$IOTH_TESTLIB"
need_root
need_cmd ip vde_plug ping
RUN="$IOTH_BUILD_DIR/tools/iothrun/iothrun"
[ -x "$RUN" ] || skip "$RUN not built"
[ -e "$IOTH_PLUGIN_PATH/ioth_ustack-r.so" ] || skip "no ustack plugin in $IOTH_PLUGIN_PATH"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"

TMP=$(mktemp -d /tmp/iothrun-ip.XXXXXX)
NET_DIRS="$NET_DIRS $TMP"
FAILS=0
PASSES=0
check() { # check DESCRIPTION COMMAND...
	local what=$1; shift
	if "$@"; then ok "$what"; PASSES=$((PASSES + 1)); else echo "FAIL: $what"; FAILS=$((FAILS + 1)); fi
}
# the Nth block of output (blocks separated by lines "=== N")
block() { awk -v n="$2" '/^=== /{b=$2; next} b==n' "$1"; }
has() { block "$1" "$2" | grep -qE -- "$3"; }
hasnt() { ! block "$1" "$2" | grep -qE -- "$3"; }

net_switch SW
net_ns peer "$SW"
NS=$(nsname peer)
ip -n "$NS" addr add 198.18.42.1/24 dev tap0
ip -n "$NS" addr add fd00:42::1/64 dev tap0 nodad

CONF="stack=ustack,vnl=vde://$SW,eth,mac=02:00:00:00:42:05,ip=198.18.42.5/24,ip=fd00:42::5/64"
iothrun() { timeout 60 "$RUN" "$CONF" "$@"; }

# ---- IPv4 changes, each followed by the listing that shows it. `ip -b`
# has no "echo": a failing lookup of a made-up device marks the blocks.
# (`ip link show` in a batch leaves the family at AF_PACKET for the
# commands after it, a quirk of ip itself: `ip addr show` lists links.)
mark() { echo "addr show dev mark$1"; }
{
	echo "addr add 198.18.42.9/24 dev vde0"
	mark 1; echo "addr show dev vde0"
	echo "addr del 198.18.42.5/24 dev vde0"
	mark 2; echo "addr show dev vde0"
	mark 3; echo "route show"
	echo "route add 198.18.50.0/24 via 198.18.42.1"
	echo "route add 198.18.51.0/24 dev vde0 metric 7"
	echo "route replace 198.18.50.0/24 via 198.18.42.2"
	mark 4; echo "route show"
	echo "route del 198.18.51.0/24 dev vde0 metric 7"
	mark 5; echo "route show"
	echo "link set vde0 mtu 1400"
	echo "link set vde0 address 02:00:00:00:42:99"
	echo "link set vde0 down"
	mark 6; echo "addr show dev vde0"
	mark 7; echo "route show"
	echo "link set vde0 up"
	mark 8; echo "addr show dev vde0"
	mark 11; echo "route show"
	echo "neigh add 198.18.42.77 lladdr 02:00:00:00:42:77 dev vde0"
	echo "neigh replace 198.18.42.78 lladdr 02:00:00:00:42:78 dev vde0 nud reachable"
	mark 9; echo "neigh show dev vde0"
	echo "neigh del 198.18.42.77 dev vde0"
	mark 10; echo "neigh show dev vde0"
} >"$TMP/b4.txt"
# -force: go on after the markers' errors
iothrun ip -force -b "$TMP/b4.txt" >"$TMP/b4.raw" 2>&1
sed -E 's/^Device "mark([0-9]+)" does not exist\.$/=== \1/' "$TMP/b4.raw" >"$TMP/b4.out"
check "ip -b ran every command: no error but the markers'" \
	test "$(grep -c '^Device "mark[0-9]*" does not exist' "$TMP/b4.raw")" = 11 -a \
	"$(grep -v 'Command failed .*b4.txt' "$TMP/b4.raw" | grep -ciE 'error|answers|failed|cannot')" = 0
check "ip addr add: a second address, secondary, with its lifetimes" \
	has "$TMP/b4.out" 1 'inet 198.18.42.9/24 brd 198.18.42.255 scope global secondary vde0'
check "ip addr show: valid_lft forever on IPv4 too" has "$TMP/b4.out" 1 'valid_lft forever preferred_lft forever'
check "ip addr del: the primary goes, the secondary becomes primary" \
	eval "has $TMP/b4.out 2 'inet 198.18.42.9/24 brd 198.18.42.255 scope global vde0' &&
	hasnt $TMP/b4.out 2 198.18.42.5"
check "the connected route's source follows the promoted address" \
	has "$TMP/b4.out" 3 '^198.18.42.0/24 dev vde0 proto kernel scope link src 198.18.42.9'
check "ip route add via a gateway, then replace: the new gateway" \
	has "$TMP/b4.out" 4 '^198.18.50.0/24 via 198.18.42.2 dev vde0'
check "ip route add dev ... metric" has "$TMP/b4.out" 4 '^198.18.51.0/24 dev vde0 scope link metric 7'
check "ip route replace leaves one route" test "$(block "$TMP/b4.out" 4 | grep -c '^198.18.50.0/24')" = 1
check "ip route del" hasnt "$TMP/b4.out" 5 '^198.18.51.0/24'
check "ip link set mtu/address/down" \
	eval "has $TMP/b4.out 6 'vde0: <BROADCAST,MULTICAST> mtu 1400 .*state DOWN' &&
	has $TMP/b4.out 6 'link/ether 02:00:00:00:42:99 brd ff:ff:ff:ff:ff:ff'" 
check "a link down has no routes; up, the connected route is back" \
	eval "hasnt $TMP/b4.out 7 vde0 && has $TMP/b4.out 11 '^198.18.42.0/24 dev vde0 proto kernel scope link src 198.18.42.9'"
check "ip link set up" has "$TMP/b4.out" 8 'vde0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 .*state UP'
check "ip neigh add (permanent) and replace (reachable)" \
	eval "has $TMP/b4.out 9 '^198.18.42.77 lladdr 02:00:00:00:42:77 PERMANENT' &&
	has $TMP/b4.out 9 '^198.18.42.78 lladdr 02:00:00:00:42:78 REACHABLE'" 
check "ip neigh del" eval "hasnt $TMP/b4.out 10 198.18.42.77 && has $TMP/b4.out 10 198.18.42.78" 
if [ "$FAILS" != 0 ]; then echo "--- ip said:"; cat "$TMP/b4.raw"; fi

# ---- IPv6 routes (ip -6 -b: the family of every command)
printf '%s\n' "route add fd00:50::/64 via fd00:42::1" "route replace fd00:50::/64 via fd00:42::2" \
	"route show" "route del fd00:50::/64" "addr del fd00:42::5/64 dev vde0" "route show" >"$TMP/b6.txt"
iothrun ip -6 -b "$TMP/b6.txt" >"$TMP/b6.out" 2>&1
check "ip -6 route add and replace: one route, the new gateway" \
	test "$(grep -c '^fd00:50::/64 via fd00:42::2 dev vde0 metric 1024' "$TMP/b6.out")" = 1 -a \
	"$(grep -c '^fd00:50::/64' "$TMP/b6.out")" = 1
check "ip -6 addr del takes its prefix route" \
	test "$(grep -c '^fd00:42::/64 dev vde0 proto kernel' "$TMP/b6.out")" = 1

# ---- ip -s link: the interface's counters (what the stack sent at start:
# ARP announcement, MLD reports, DAD)
iothrun ip -s -s link show vde0 >"$TMP/s.out" 2>&1
txp=$(awk '/^ *TX: /{getline; print $2; exit}' "$TMP/s.out")
check "ip -s -s link: RX/TX counters and the error lines (tx packets: ${txp:-none})" \
	eval "grep -q 'RX errors:' $TMP/s.out && [ ${txp:-0} -gt 0 ]" 

# ---- ip addr add, then the namespace pings the new address; ip monitor
# in the same process shows the neighbour the stack learned from it
printf '%s\n' "addr add 198.18.42.33/24 dev vde0" "monitor" >"$TMP/m.txt"
net_bg timeout 30 "$RUN" "$CONF" ip -b "$TMP/m.txt" >"$TMP/m.out" 2>&1
MON=$NET_LASTPID
check "the namespace pings the address added by ip addr add" \
	wait_until 10 ip netns exec "$NS" ping -c 1 -W 1 198.18.42.33
check "ip monitor shows the namespace as a neighbour of vde0" \
	wait_until 5 grep -q '^198.18.42.1 dev vde0 lladdr ' "$TMP/m.out"
check "ip monitor: no request of its refused" sh -c "! grep -q 'RTNETLINK answers' '$TMP/m.out'"
kill "$MON" 2>/dev/null

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
