#!/bin/bash
# ustack configures IPv6 from radvd's advertisements by itself, as a Linux
# host with accept_ra=1 and autoconf=1 (no libiothconf): router
# solicitations answered by radvd (its periodic interval is 30-60 s, so an
# address within seconds comes from the answer to one), the EUI-64 SLAAC
# address, the default route (proto ra) and the prefix route (proto
# kernel) with their lifetimes in the netlink dumps (ustack_ra_probe
# checks them), the kernel pings the SLAAC address, and with accept_ra=0
# nothing is configured.
. "$IOTH_TESTLIB"
need_root
need_cmd ip ping vde_plug radvd
PROBE="$IOTH_BUILD_DIR/tests/net/ustack/ustack_ra_probe"
[ -x "$PROBE" ] || fail "missing $PROBE"
TMP=$(mktemp -d)
NET_DIRS="$NET_DIRS $TMP"

net_switch SW
net_ns r "$SW"
R=$(nsname r)
ip netns exec "$R" sysctl -q -w net.ipv6.conf.all.forwarding=1
ip netns exec "$R" sysctl -q -w net.ipv6.conf.tap0.accept_dad=0
ip -n "$R" addr add fd00:6::1/64 dev tap0 nodad
cat > "$TMP/radvd.conf" <<RADVD
interface tap0 {
	AdvSendAdvert on;
	MinRtrAdvInterval 30;
	MaxRtrAdvInterval 60;
	AdvDefaultLifetime 600;
	prefix fd00:6::/64 { AdvOnLink on; AdvAutonomous on; AdvValidLifetime 3600; AdvPreferredLifetime 1800; };
};
RADVD
net_nsbg r radvd -n -C "$TMP/radvd.conf" -p "$TMP/radvd.pid" -m stderr
wait_until 5 test -s "$TMP/radvd.pid" || fail "radvd did not start"
# let radvd's first unsolicited advertisements pass
sleep 1

net_bg "$PROBE" "ustack,mac=02:00:00:00:06:02" "vde://$SW" fd00:6:: fd00:6::1 4 >"$TMP/out" 2>"$TMP/err"
PID=$NET_LASTPID
wait_until 25 grep -q READY "$TMP/out" || fail "no SLAAC configuration: $(cat "$TMP/out" "$TMP/err")"
grep -q '^READY fd00:6::ff:fe00:602$' "$TMP/out" || fail "not the EUI-64 address: $(cat "$TMP/out")"
ok "ustack: RS answered, SLAAC address, default and prefix routes as Linux dumps them"
ip netns exec "$R" ping -6 -c 2 -i 0.2 -W 2 fd00:6::ff:fe00:602 >/dev/null || fail "kernel ping to the SLAAC address"
ok "the kernel pings the SLAAC address"
wait "$PID" || fail "probe: $(cat "$TMP/out" "$TMP/err")"

# accept_ra=0: no route, no address
timeout 20 "$PROBE" "ustack,accept_ra=0,mac=02:00:00:00:06:03" "vde://$SW" fd00:6:: fd00:6::1 0 >"$TMP/out0" 2>&1 &&
	fail "accept_ra=0 still configured: $(cat "$TMP/out0")"
grep -q 'FAIL.*f.addr_ok' "$TMP/out0" && grep -q 'FAIL.*f.defrt_ok' "$TMP/out0" || fail "accept_ra=0: $(cat "$TMP/out0")"
ok "accept_ra=0: nothing configured"
