#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# iothradvd on a STACK stack ($1: ustack, vdestack) on a VDE switch.
# Phase 1, answers only (--period 0), options on the command line, the
# stack given as an iothconf string that contains "://":
#  - rdisc6 in a namespace reads the same advertisement (flags, hop limit,
#    lifetimes, timers, MTU, prefix) as from radvd with the same settings
#    on a switch of its own (rdisc6 and Linux drop hop limits != 255);
#  - a Linux namespace brought up later gets its SLAAC address and the
#    default route by soliciting;
#  - an iothconf ustack node with eth,rd,slaac gets its EUI-64 address,
#    and the DNS servers and search list of --dns/--dnssearch (RFC 8106
#    RDNSS and DNSSL options, which rdisc6 compares with radvd's too).
# Phase 2, the configuration file (daemon mode), the stack as a bare VNL
# (a ustack), --period 2: a namespace that never solicits gets its address from the
# periodic advertisements, and loses the default route when iothradvd
# stops (the last advertisement has router lifetime 0); dns and dnssearch
# of the file reach rdisc6.
# Phase 3, the library's iothradvd_vdestart (a stack of its own on a VNL,
# the original's entry) and iothradvd_setdns (tests/net/iothradvd/radvd_vde.c):
# rdisc6 reads its prefix, MAC and DNS options.
set -u
STACK=${1:-ustack}
. "$IOTH_TESTLIB"
need_root
need_cmd vde_plug ip rdisc6 radvd
B=$IOTH_BUILD_DIR
RADVD=$B/tools/iothradvd/iothradvd
PROBE=$B/tests/net/iothconf/iothconf_probe
[ -x "$RADVD" ] || skip "$RADVD not built"
[ -x "$PROBE" ] || skip "$PROBE not built"
need_plugin "$STACK"
need_plugin ustack

net_tmpdir TMP
tries() { # tries N COMMAND...: up to N times, for commands that wait themselves
	local n=$1; shift
	while [ "$n" -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; n=$((n - 1)); sleep 0.5; done
	return 1
}
quiet_ns() { # a namespace whose kernel does not autoconfigure (rdisc6 reads)
	local ns; ns=$(nsname "$1")
	ip netns exec "$ns" sysctl -q -w net.ipv6.conf.tap0.accept_ra=0
}
net_switch SW
net_switch SWR
net_ns cli "$SW"
net_ns ref "$SWR"
net_ns rcli "$SWR"
CLI=$(nsname cli)
REF=$(nsname ref)
RCLI=$(nsname rcli)
quiet_ns cli
quiet_ns rcli

# the same settings for radvd and iothradvd
cat > "$TMP/radvd.conf" <<RC
interface tap0 {
	AdvSendAdvert on;
	MinRtrAdvInterval 100;
	MaxRtrAdvInterval 300;
	AdvCurHopLimit 64;
	AdvOtherConfigFlag on;
	AdvDefaultPreference high;
	AdvDefaultLifetime 1200;
	AdvReachableTime 30000;
	AdvRetransTimer 1000;
	AdvLinkMTU 1400;
	prefix fd00:16::/64 { AdvOnLink on; AdvAutonomous on; AdvValidLifetime 7200; AdvPreferredLifetime 3600; };
	prefix fd00:17::/64 { AdvOnLink on; AdvAutonomous off; AdvValidLifetime 600; AdvPreferredLifetime 300; };
	RDNSS fd00:16::53 fd00:16::54 { AdvRDNSSLifetime 900; };
	DNSSL radvd.test ioth.radvd.test { AdvDNSSLLifetime 900; };
};
RC
ip netns exec "$REF" sysctl -q -w net.ipv6.conf.all.forwarding=1
net_nsbg ref radvd -n -C "$TMP/radvd.conf" -p "$TMP/radvd.pid" -m stderr 2> "$TMP/radvd.log"
wait_until 5 test -s "$TMP/radvd.pid" || fail "radvd did not start"

# rdisc6's report without what differs between two routers: their
# addresses and the order of the lines
rdisc() { # rdisc NS
	ip netns exec "$1" rdisc6 -n -1 -w 1500 -r 4 tap0 > "$TMP/rdisc.raw" 2>&1
	local rv=$?
	grep -v -e '^ from ' -e 'Source link-layer' -e '^Soliciting' -e '^$' "$TMP/rdisc.raw" | sort
	return $rv
}
tries 8 ip netns exec "$RCLI" rdisc6 -n -1 -w 1000 -r 1 tap0 || fail "rdisc6 gets nothing from radvd"
rdisc "$RCLI" > "$TMP/ref.out" || { cat "$TMP/rdisc.raw"; fail "rdisc6 against radvd"; }
grep -q 'Prefix.*fd00:16::/64' "$TMP/ref.out" || { cat "$TMP/ref.out"; fail "radvd's reference has no prefix"; }
grep -q 'Recursive DNS server.*fd00:16::54' "$TMP/ref.out" || { cat "$TMP/ref.out"; fail "radvd's reference has no RDNSS"; }
grep -q 'DNS search list.*ioth.radvd.test' "$TMP/ref.out" || { cat "$TMP/ref.out"; fail "radvd's reference has no DNSSL"; }

# phase 1: answers only
STACKCONF="stack=$STACK,vnl=vde://$SW,eth,mac=02:00:00:00:16:01"
net_bg "$RADVD" -v -s "$STACKCONF" -P 0 -H 64 -F Oh -L 1200 -r 30000 -R 1000 -M 1400 \
	-D fd00:16::53,fd00:16::54 -S radvd.test,ioth.radvd.test --dnslifetime 900 \
	-p "$TMP/iothradvd.pid" fd00:16::/64/LA/7200/3600 fd00:17::1/64/L/600/300
RPID=$NET_LASTPID
wait_until 10 test -s "$TMP/iothradvd.pid" || fail "iothradvd did not start"
tries 8 ip netns exec "$CLI" rdisc6 -n -1 -w 1000 -r 1 tap0 || fail "rdisc6 gets no answer from iothradvd"
rdisc "$CLI" > "$TMP/ioth.out" || { cat "$TMP/rdisc.raw"; fail "rdisc6 against iothradvd"; }
cat "$TMP/rdisc.raw"
check "rdisc6 reads the same advertisement from iothradvd as from radvd" \
	diff -u "$TMP/ref.out" "$TMP/ioth.out"
check "rdisc6 reads iothradvd's RDNSS" grep -q 'Recursive DNS server.*fd00:16::54' "$TMP/ioth.out"
check "rdisc6 reads iothradvd's DNSSL" grep -q 'DNS search list.*radvd.test.*ioth.radvd.test' "$TMP/ioth.out"
check "the advertisement comes from iothradvd's link-local address" \
	grep -q '^ from fe80::ff:fe00:1601' "$TMP/rdisc.raw"
check "with its link-layer address" grep -qi 'Source link-layer address: *02:00:00:00:16:01' "$TMP/rdisc.raw"

# Linux solicits when its link comes up and autoconfigures
net_ns lin "$SW"
LIN=$(nsname lin)
check "Linux gets a SLAAC address by soliciting" \
	wait_until 10 sh -c "ip -n $LIN -6 addr show dev tap0 | grep -q 'inet6 fd00:16::'"
check "Linux has the default route via iothradvd" \
	wait_until 5 sh -c "ip -n $LIN -6 route show default | grep -q 'via fe80::ff:fe00:1601'"
check "Linux took the MTU" wait_until 5 sh -c "ip -n $LIN -6 route get fd00:99::1 | grep -q 'mtu 1400'"
check "no address from the prefix without the A flag" \
	sh -c "! ip -n $LIN -6 addr show dev tap0 | grep -q 'inet6 fd00:17::'"

# an iothconf node (ustack) with router discovery and SLAAC
"$PROBE" new ustack "vde://$SW" config "eth,mac=02:00:00:00:16:02,rd,slaac" show resolv > "$TMP/probe.out" 2>&1
check "iothconf eth,rd,slaac gets fd00:16::ff:fe00:1602 from iothradvd" \
	grep -q '^addr vde0 fd00:16::ff:fe00:1602/64$' "$TMP/probe.out"
check "iothconf has the default route via iothradvd" \
	grep -q '^route default/0 via fe80::ff:fe00:1601 ' "$TMP/probe.out"
check "iothconf takes the RDNSS servers" sh -c "grep -q '^nameserver fd00:16::53$' '$TMP/probe.out' && grep -q '^nameserver fd00:16::54$' '$TMP/probe.out'"
check "iothconf takes the DNSSL search list" grep -q '^search radvd.test ioth.radvd.test$' "$TMP/probe.out"
[ $FAILS = 0 ] || cat "$TMP/probe.out"
kill "$RPID"
wait "$RPID" 2>/dev/null
check "iothradvd removes its pidfile" test ! -e "$TMP/iothradvd.pid"

# phase 2: configuration file, bare VNL, periodic advertisements
net_ns quiet "$SW"
QUIET=$(nsname quiet)
ip netns exec "$QUIET" sysctl -q -w net.ipv6.conf.tap0.router_solicitations=0
ip -n "$QUIET" link set tap0 down
ip -n "$QUIET" link set tap0 up
cat > "$TMP/iothradvd.rc" <<RC
# phase 2
stack      vde://$SW
macaddr    02:00:00:00:16:03
period     2
lifetime   600
prefix     fd00:18::/64/LA/3600/1800
dns        fd00:18::53
dnssearch  p2.test
daemon
pidfile    $TMP/p2.pid
# the command line wins over this one
period     1000
RC
"$RADVD" -f "$TMP/iothradvd.rc" -P 2 || fail "iothradvd -f (daemon) failed"
wait_until 5 test -s "$TMP/p2.pid" || fail "the daemon wrote no pidfile"
RPID=$(cat "$TMP/p2.pid")
NET_PIDS="$NET_PIDS $RPID"
check "the daemon runs in the background" kill -0 "$RPID"
check "a namespace that never solicits gets an address from the periodic advertisements" \
	wait_until 12 sh -c "ip -n $QUIET -6 addr show dev tap0 | grep -q 'inet6 fd00:18::'"
check "and the default route via the bare VNL's ustack" \
	wait_until 5 sh -c "ip -n $QUIET -6 route show default | grep -q 'via fe80::ff:fe00:1603'"
tries 8 ip netns exec "$CLI" rdisc6 -n -1 -w 1000 -r 1 tap0
ip netns exec "$CLI" rdisc6 -n -1 -w 1500 -r 3 tap0 > "$TMP/p2.rdisc" 2>&1
check "the file's dns reaches rdisc6" grep -q 'Recursive DNS server.*fd00:18::53' "$TMP/p2.rdisc"
check "the file's dnssearch reaches rdisc6" grep -q 'DNS search list.*p2.test' "$TMP/p2.rdisc"
kill "$RPID"
wait_until 5 sh -c "! kill -0 $RPID" || echo "iothradvd $RPID still runs"
check "the daemon removes its pidfile" test ! -e "$TMP/p2.pid"
check "the last advertisement (router lifetime 0) removes the default route" \
	wait_until 5 sh -c "! ip -n $QUIET -6 route show default | grep -q via"

# phase 3: iothradvd_vdestart and iothradvd_setdns
VDE=$B/tests/net/iothradvd/radvd_vde
if [ -x "$VDE" ]; then
	"$VDE" "vde://$SW" 8 > "$TMP/vde.out" 2>&1 &
	VPID=$!
	NET_PIDS="$NET_PIDS $VPID"
	wait_until 10 grep -q started "$TMP/vde.out" || { cat "$TMP/vde.out"; fail "radvd_vde did not start"; }
	tries 8 ip netns exec "$CLI" rdisc6 -n -1 -w 1000 -r 1 tap0
	ip netns exec "$CLI" rdisc6 -n -1 -w 1500 -r 3 tap0 > "$TMP/p3.rdisc" 2>&1
	check "vdestart: rdisc6 reads the prefix" grep -q 'Prefix.*fd00:19::/64' "$TMP/p3.rdisc"
	check "vdestart: from the MAC given" grep -qi 'Source link-layer address: *02:00:00:00:16:04' "$TMP/p3.rdisc"
	check "vdestart: from that MAC's link-local address" grep -q '^ from fe80::ff:fe00:1604' "$TMP/p3.rdisc"
	check "setdns: RDNSS" grep -q 'Recursive DNS server.*fd00:19::53' "$TMP/p3.rdisc"
	check "setdns: DNSSL" grep -q 'DNS search list.*vde.test' "$TMP/p3.rdisc"
	check "radvd_vde stops cleanly" wait "$VPID"
	[ $FAILS = 0 ] || { cat "$TMP/p3.rdisc"; cat "$TMP/vde.out"; }
else
	check "radvd_vde built" false
fi

# errors of the command line and of the configuration file
check "a bad prefix is refused" sh -c "! '$RADVD' fd00::/64/LX/10/5 2>/dev/null"
check "preferred > valid is refused" sh -c "! '$RADVD' fd00::/64/LA/10/50 2>/dev/null"
printf 'period 2\nbogus 1\n' > "$TMP/bad.rc"
check "a bad --dns is refused" sh -c "! '$RADVD' -D 198.18.0.1 fd00::/64 2>/dev/null"
check "a bad --dnssearch is refused" sh -c "! '$RADVD' -s 'vde://$SW' -S a..b fd00::/64 2>/dev/null"
check "an unknown tag gives its line" sh -c "'$RADVD' -f '$TMP/bad.rc' 2>&1 | grep -q 'bad.rc:2: unknown tag'"

[ $FAILS = 0 ] || fail "$FAILS checks failed"
ok "iothradvd on $STACK"
