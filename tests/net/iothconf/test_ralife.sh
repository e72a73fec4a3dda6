#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Router advertisement lifetimes on STACK ($1): radvd advertises a router
# lifetime of 8 s and a prefix valid for 12 s. The library solicits again
# before they end (the route is still there at 14 s, beyond the first
# lifetime); once radvd is gone the route, the SLAAC address and the RDNSS
# server are removed when their lifetimes end, and the log says so.
. "$(dirname "$0")/common.sh"
start_radvd <<RADVD
interface tap0 {
	AdvSendAdvert on;
	MinRtrAdvInterval 3;
	MaxRtrAdvInterval 4;
	AdvDefaultLifetime 8;
	prefix fd00:7::/64 { AdvOnLink on; AdvAutonomous on; AdvValidLifetime 12; AdvPreferredLifetime 8; };
	RDNSS fd00:7::53 { AdvRDNSSLifetime 8; };
};
RADVD
probe new "$STACK" "$VNL" config "eth,mac=02:00:00:00:00:0a,rd,slaac$IFOPT" watch 40 2 resolv del &
PID=$!
wait_until 10 grep -q '^tick 0' "$TMPD/out" || { show_out; fail "probe did not configure"; }
sleep 15
kill -9 "$RADVD_PID"   # no final advertisement: only lifetimes end things now
{ wait "$RADVD_PID"; } 2>/dev/null
wait $PID || { show_out; fail "probe exited with an error"; }
expect '^config rv=18 ' "eth,rd,slaac failed"
# the lines of tick N
at() { awk -v t="tick $1" '$0 == t {on = 1; next} /^tick /{on = 0} on' "$TMPD/out"; }
at 14 | grep -q '^route default/0 via fe80' || { show_out; fail "the route lapsed at 14 s while the router was there"; }
at 14 | grep -q "^addr $IF fd00:7::ff:fe00:a/64$" || { show_out; fail "the address lapsed at 14 s"; }
at 40 | grep -q '^route default' && { show_out; fail "the route outlived its lifetime"; }
at 40 | grep -q "^addr $IF fd00:7::" && { show_out; fail "the address outlived its lifetime"; }
expect '^log [0-9] rd lifetime over: route via fe80' "no log line for the route"
expect "^log [0-9] rd lifetime over: address fd00:7::ff:fe00:a" "no log line for the address"
expect '^log [0-9] rd lifetime over: dns fd00:7::53' "no log line for the DNS server"
expect '^del rv=0' "ioth_delstack failed"
ok "RA lifetimes on $STACK: refreshed while the router is there, removed after"
