#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# namedhcp4 (DHCPv4) on ustack, configured by name: iothnamed serves the A
# and TXT ("mask=,broadcast=,router=,dns=") records of each name, namedhcp4
# asks it, every daemon on ustack, one VDE switch.
#  - iothconf eth,dhcp,fqdn=h1.test gets h1's A record, the mask, the
#    router (default route) and the DNS server of its TXT record;
#  - busybox udhcpc -F h2.test (Linux's own client in a namespace) gets
#    h2's address, mask, router, broadcast and DNS, from a server that
#    names itself (option 54: udhcpc ignores offers without it), and
#    iothconf asking for h2.test gets the same address;
#  - a name without an A record gets no offer;
#  - options from the configuration file, the command line winning.
set -u
. "$IOTH_TESTLIB"
need_root
need_cmd vde_plug ip dig busybox
B=$IOTH_BUILD_DIR
NAMED=$B/tools/iothnamed/iothnamed
DHCP=$B/tools/namedhcp/namedhcp4
PROBE=$B/tests/net/iothconf/iothconf_probe
for x in "$NAMED" "$DHCP" "$PROBE"; do [ -x "$x" ] || skip "$x not built"; done
need_plugin ustack

net_tmpdir TMP
net_switch SW
net_ns lin "$SW"
LIN=$(nsname lin)

cat > "$TMP/named.rc" <<RC
rstack    stack=ustack,vnl=vde://$SW,eth,ip=198.18.16.53/24
fstack    stack=ustack,vnl=vde://$SW,eth
net       local 198.18.16.0/24
auth      accept local
auth      static local .test
static    A   h1.test 198.18.16.101
static    TXT h1.test "mask=255.255.255.0,broadcast=198.18.16.255,router=198.18.16.1,dns=198.18.16.53"
static    A   h2.test 198.18.16.102
static    TXT h2.test "mask=255.255.255.0,broadcast=198.18.16.255,router=198.18.16.2,dns=198.18.16.53"
RC
net_bg "$NAMED" "$TMP/named.rc"
# the options in the configuration file; the command line wins (dnssearch)
cat > "$TMP/namedhcp4.rc" <<RC
# namedhcp4 configuration
stack      stack=ustack,vnl=vde://$SW,eth,ip=198.18.16.67/24
nameserver 198.18.16.53
dnssearch  wrong.example
pidfile    $TMP/namedhcp4.pid
verbose
RC
net_bg "$DHCP" -f "$TMP/namedhcp4.rc" -S test
wait_until 10 test -s "$TMP/namedhcp4.pid" || fail "namedhcp4 did not start"

probe() { # probe FQDN: iothconf eth,dhcp,fqdn=FQDN on ustack
	"$PROBE" new ustack "vde://$SW" config "eth,dhcp,fqdn=$1" show resolv > "$TMP/probe.out" 2>&1
	sed -n 's|^addr vde0 \(198\.18\.16\.[0-9]*/[0-9]*\)$|\1|p' "$TMP/probe.out" | head -1
}
A1=$(probe h1.test)
check "iothconf fqdn=h1.test gets 198.18.16.101/24 (got '$A1')" test "$A1" = 198.18.16.101/24
check "and the router of the TXT record" grep -q '^route default/0 via 198.18.16.1 ' "$TMP/probe.out"
check "and its DNS server" grep -q '^nameserver 198.18.16.53$' "$TMP/probe.out"
[ $FAILS = 0 ] || cat "$TMP/probe.out"

A0=$(probe nobody.test)
check "a name without A gets no address (got '$A0')" test -z "$A0"

# Linux's own DHCPv4 client: busybox udhcpc
cat > "$TMP/script" <<SCRIPT
#!/bin/sh
[ "\$1" = bound ] && env | grep -E '^(ip|subnet|router|broadcast|dns|serverid|domain|lease)=' > "$TMP/udhcpc.env"
exit 0
SCRIPT
chmod +x "$TMP/script"
timeout 30 ip netns exec "$LIN" busybox udhcpc -i tap0 -f -q -n -t 5 -T 2 -F h2.test \
	-s "$TMP/script" > "$TMP/udhcpc.log" 2>&1
check "udhcpc -F h2.test gets 198.18.16.102" grep -q '^ip=198.18.16.102$' "$TMP/udhcpc.env"
check "with the mask" grep -q '^subnet=255.255.255.0$' "$TMP/udhcpc.env"
check "the router" grep -q '^router=198.18.16.2$' "$TMP/udhcpc.env"
check "the broadcast address" grep -q '^broadcast=198.18.16.255$' "$TMP/udhcpc.env"
check "the DNS server" grep -q '^dns=198.18.16.53$' "$TMP/udhcpc.env"
check "the domain of --dnssearch" grep -q '^domain=test$' "$TMP/udhcpc.env"
check "from the server that names itself (option 54)" grep -q '^serverid=198.18.16.67$' "$TMP/udhcpc.env"
[ $FAILS = 0 ] || { cat "$TMP/udhcpc.log"; cat "$TMP/udhcpc.env"; }
A2=$(probe h2.test)
check "iothconf asking for h2.test gets the same (got '$A2')" test "$A2" = 198.18.16.102/24

printf 'iface vde0\nnameservers 198.18.16.53\n' > "$TMP/bad.rc"
check "an unknown tag gives its line" sh -c "'$DHCP' -f '$TMP/bad.rc' 2>&1 | grep -q 'bad.rc:2: unknown tag'"
check "a bad address list is refused" sh -c "! '$DHCP' --dns 198.18.16.x 2>/dev/null"

[ $FAILS = 0 ] || fail "$FAILS checks failed"
ok "namedhcp4: configured by name alone"
