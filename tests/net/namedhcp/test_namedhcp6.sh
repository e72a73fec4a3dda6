#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# namedhcp (DHCPv6) on ustack, configured by name: one VDE switch with
# iothnamed (static names and a hash domain), iothradvd (the on-link
# prefix) and namedhcp asking iothnamed, every daemon on ustack.
#  - iothconf eth,dhcp6,fqdn=h1.test gets the static AAAA of h1.test;
#  - iothconf eth,dhcp6,fqdn=h2.hash.test gets the hash address iothnamed
#    gives for that name (also computed here: base + MD5 of the name);
#  - dhclient -6 (ISC, Linux's own client) in a namespace sending the FQDN
#    h3.test gets the same address as iothconf asking for h3.test, and the
#    DNS servers and search list of --dns and --dnssearch;
#  - a name DNS does not know gets NoAddrsAvail: no address.
set -u
. "$IOTH_TESTLIB"
need_root
need_cmd vde_plug ip dig dhclient python3
B=$IOTH_BUILD_DIR
NAMED=$B/tools/iothnamed/iothnamed
DHCP=$B/tools/namedhcp/namedhcp
RADVD=$B/tools/iothradvd/iothradvd
PROBE=$B/tests/net/iothconf/iothconf_probe
for x in "$NAMED" "$DHCP" "$RADVD" "$PROBE"; do [ -x "$x" ] || skip "$x not built"; done
need_plugin ustack

net_tmpdir TMP
net_switch SW
net_ns lin "$SW"
LIN=$(nsname lin)
ip netns exec "$LIN" sysctl -q -w net.ipv6.conf.tap0.accept_ra=0
ip -n "$LIN" addr add fd00:16::9/64 dev tap0 nodad

cat > "$TMP/named.rc" <<RC
rstack    stack=ustack,vnl=vde://$SW,eth,ip=fd00:16::53/64
fstack    stack=ustack,vnl=vde://$SW,eth
net       local fd00:16::/64
net       local fe80::/10
auth      accept local
# the first auth line that matches a name decides
auth      static local hash.test
static    AAAA hash.test fd00:16::
auth      hash local .hash.test hash.test
auth      static local .test
static    AAAA h1.test fd00:16::101
static    AAAA h3.test fd00:16::103
RC
net_bg "$NAMED" "$TMP/named.rc"
q() { ip netns exec "$LIN" dig +time=1 +tries=1 @fd00:16::53 +short "$@"; }
wait_until 15 sh -c "ip netns exec $LIN dig +time=1 +tries=1 @fd00:16::53 +short AAAA h1.test | grep -q ." ||
	fail "iothnamed does not answer"
net_bg "$RADVD" -s "vde://$SW" -P 5 fd00:16::/64/L/3600/1800
net_bg "$DHCP" -v -s "stack=ustack,vnl=vde://$SW,eth,ip=fd00:16::547/64" -n fd00:16::53 \
	-D fd00:16::53 -S test,hash.test -p "$TMP/namedhcp.pid"
wait_until 10 test -s "$TMP/namedhcp.pid" || fail "namedhcp did not start"

probe() { # probe FQDN: iothconf eth,dhcp6,fqdn=FQDN on ustack
	"$PROBE" new ustack "vde://$SW" config "eth,dhcp6,fqdn=$1" show resolv > "$TMP/probe.out" 2>&1
	sed -n 's|^addr vde0 \(fd00:16:[0-9a-f:]*\)/.*|\1|p' "$TMP/probe.out" | head -1
}
A1=$(probe h1.test)
check "iothconf fqdn=h1.test gets fd00:16::101 (got '$A1')" test "$A1" = fd00:16::101
check "and the DNS server of --dns" grep -q '^nameserver fd00:16::53$' "$TMP/probe.out"
check "and the search list of --dnssearch" grep -q '^search test hash.test$' "$TMP/probe.out"
[ $FAILS = 0 ] || cat "$TMP/probe.out"

WANT=$(python3 -c "
import hashlib, ipaddress
h = hashlib.md5(b'h2.hash.test').digest()
iid = bytearray(h[:8]); iid[0] &= 0xfc
print(ipaddress.IPv6Address(bytes.fromhex('fd000016000000000000000000000000')[:8] + bytes(iid)))")
DNSH2=$(q AAAA h2.hash.test)
check "iothnamed gives h2.hash.test its hash address $WANT (got '$DNSH2')" test "$DNSH2" = "$WANT"
A2=$(probe h2.hash.test)
check "iothconf fqdn=h2.hash.test gets $WANT by DHCPv6 (got '$A2')" test "$A2" = "$WANT"

A0=$(probe nobody.test)
check "a name without AAAA gets no address (got '$A0')" test -z "$A0"

# Linux's own DHCPv6 client
cat > "$TMP/dhclient.conf" <<CONF
send fqdn.fqdn "h3.test";
CONF
cat > "$TMP/script" <<SCRIPT
#!/bin/sh
env | grep -E '^(reason|new_)' >> "$TMP/dhclient.env"
SCRIPT
chmod +x "$TMP/script"
wait_until 5 sh -c "! ip -n $LIN -6 addr show dev tap0 | grep -q tentative"
timeout 40 ip netns exec "$LIN" dhclient -6 -1 -v -cf "$TMP/dhclient.conf" -lf "$TMP/dhclient.leases" -pf "$TMP/dhclient.pid" \
	-sf "$TMP/script" tap0 > "$TMP/dhclient.log" 2>&1
[ -s "$TMP/dhclient.pid" ] && kill "$(cat "$TMP/dhclient.pid")" 2>/dev/null
check "dhclient -6 sending h3.test gets fd00:16::103" grep -q '^new_ip6_address=fd00:16::103$' "$TMP/dhclient.env"
check "dhclient -6 gets the DNS server" grep -q '^new_dhcp6_name_servers=fd00:16::53$' "$TMP/dhclient.env"
check "dhclient -6 gets the search list" grep -q '^new_dhcp6_domain_search=test. hash.test.$' "$TMP/dhclient.env"
[ $FAILS = 0 ] || { cat "$TMP/dhclient.log"; cat "$TMP/dhclient.env"; }
A3=$(probe h3.test)
check "iothconf asking for h3.test gets the same (got '$A3')" test "$A3" = fd00:16::103

[ $FAILS = 0 ] || fail "$FAILS checks failed"
ok "namedhcp: configured by name alone"
