#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# namedhcp and namedhcp4: --dnsstack, --resolvconf and --ntp, with Linux's
# own clients. Two VDE switches: A, the clients' (namespace "lin"), and
# B, where iothnamed is the only name server. Both servers answer on A and
# ask DNS over a second stack on B (--dnsstack), learning the server from
# a resolv.conf file (--resolvconf, no --nameserver): a client on A can
# get its address only through that path.
#  - busybox udhcpc -F h4.test: the A record of h4.test and the NTP server
#    of --ntp (option 42);
#  - dhclient -6 sending h6.test and asking for SNTP servers: the AAAA of
#    h6.test and the SNTP server of --ntp (option 31);
#  - with a resolv.conf naming a server that does not exist, no address.
set -u
. "$IOTH_TESTLIB"
need_root
need_cmd vde_plug ip busybox dhclient
B=$IOTH_BUILD_DIR
NAMED=$B/tools/iothnamed/iothnamed
DHCP6=$B/tools/namedhcp/namedhcp
DHCP4=$B/tools/namedhcp/namedhcp4
for x in "$NAMED" "$DHCP6" "$DHCP4"; do [ -x "$x" ] || skip "$x not built"; done
need_plugin ustack

net_tmpdir TMP
net_switch SWA
net_switch SWB
net_ns lin "$SWA"
LIN=$(nsname lin)
ip netns exec "$LIN" sysctl -q -w net.ipv6.conf.tap0.accept_ra=0

cat > "$TMP/named.rc" <<RC
rstack    stack=ustack,vnl=vde://$SWB,eth,ip=198.18.17.53/24
fstack    stack=ustack,vnl=vde://$SWB,eth
net       local 198.18.17.0/24
auth      accept local
auth      static local .test
static    A    h4.test 198.18.16.104
static    TXT  h4.test "mask=255.255.255.0,router=198.18.16.1"
static    A    h5.test 198.18.16.105
static    AAAA h6.test fd00:16::106
static    AAAA h7.test fd00:16::107
RC
net_bg "$NAMED" "$TMP/named.rc"
printf 'nameserver 198.18.17.53\n' > "$TMP/resolv.conf"
printf 'nameserver 198.18.17.99\n' > "$TMP/nowhere.conf"

# namedhcp4: its clients on A, DNS over B
net_bg "$DHCP4" -s "stack=ustack,vnl=vde://$SWA,eth,ip=198.18.16.67/24" \
	-R "stack=ustack,vnl=vde://$SWB,eth,ip=198.18.17.67/24" -r "$TMP/resolv.conf" \
	-N 198.18.16.123,198.18.16.124 -p "$TMP/d4.pid"
D4=$NET_LASTPID
wait_until 10 test -s "$TMP/d4.pid" || fail "namedhcp4 did not start"
cat > "$TMP/udhcpc.sh" <<SCRIPT
#!/bin/sh
[ "\$1" = bound ] && env | grep -E '^(ip|subnet|router|ntpsrv)=' > "$TMP/udhcpc.env"
exit 0
SCRIPT
chmod +x "$TMP/udhcpc.sh"
udhcpc() { # udhcpc FQDN
	rm -f "$TMP/udhcpc.env"
	timeout 30 ip netns exec "$LIN" busybox udhcpc -i tap0 -f -q -n -t 5 -T 2 -F "$1" \
		-O ntpsrv -s "$TMP/udhcpc.sh" > "$TMP/udhcpc.log" 2>&1
}
udhcpc h4.test
check "--dnsstack + --resolvconf: udhcpc -F h4.test gets 198.18.16.104" grep -q '^ip=198.18.16.104$' "$TMP/udhcpc.env"
check "and the router of its TXT record" grep -q '^router=198.18.16.1$' "$TMP/udhcpc.env"
check "--ntp: option 42 with both NTP servers" grep -q '^ntpsrv=198.18.16.123 198.18.16.124$' "$TMP/udhcpc.env"
[ $FAILS = 0 ] || { cat "$TMP/udhcpc.log"; cat "$TMP/udhcpc.env"; }
kill "$D4"; wait "$D4" 2>/dev/null

# the same server with a resolv.conf that names nobody: no offer
net_bg "$DHCP4" -s "stack=ustack,vnl=vde://$SWA,eth,ip=198.18.16.67/24" \
	-R "stack=ustack,vnl=vde://$SWB,eth,ip=198.18.17.67/24" -r "$TMP/nowhere.conf" -p "$TMP/d4b.pid"
D4=$NET_LASTPID
wait_until 10 test -s "$TMP/d4b.pid" || fail "namedhcp4 (nowhere) did not start"
udhcpc h5.test
check "--resolvconf is what namedhcp4 asks: a server that is not there, no address" \
	test ! -s "$TMP/udhcpc.env"
kill "$D4"; wait "$D4" 2>/dev/null

# namedhcp (DHCPv6): the same
net_bg "$DHCP6" -s "stack=ustack,vnl=vde://$SWA,eth,ip=fd00:16::547/64" \
	-R "stack=ustack,vnl=vde://$SWB,eth,ip=198.18.17.68/24" -r "$TMP/resolv.conf" \
	-N fd00:16::123 -p "$TMP/d6.pid"
D6=$NET_LASTPID
wait_until 10 test -s "$TMP/d6.pid" || fail "namedhcp did not start"
cat > "$TMP/dhclient.sh" <<SCRIPT
#!/bin/sh
env | grep -E '^(reason|new_)' >> "$TMP/dhclient.env"
SCRIPT
chmod +x "$TMP/dhclient.sh"
dhclient6() { # dhclient6 FQDN
	rm -f "$TMP/dhclient.env" "$TMP/dhclient.leases"
	printf 'send fqdn.fqdn "%s";\nalso request dhcp6.sntp-servers;\n' "$1" > "$TMP/dhclient.conf"
	timeout 40 ip netns exec "$LIN" dhclient -6 -1 -v -cf "$TMP/dhclient.conf" -lf "$TMP/dhclient.leases" \
		-pf "$TMP/dhclient.pid" -sf "$TMP/dhclient.sh" tap0 > "$TMP/dhclient.log" 2>&1
	[ -s "$TMP/dhclient.pid" ] && kill "$(cat "$TMP/dhclient.pid")" 2>/dev/null
	rm -f "$TMP/dhclient.pid"
}
wait_until 5 sh -c "! ip -n $LIN -6 addr show dev tap0 | grep -q tentative"
dhclient6 h6.test
check "--dnsstack + --resolvconf: dhclient -6 sending h6.test gets fd00:16::106" \
	grep -q '^new_ip6_address=fd00:16::106$' "$TMP/dhclient.env"
check "--ntp: option 31 with the SNTP server" grep -q '^new_dhcp6_sntp_servers=fd00:16::123$' "$TMP/dhclient.env"
[ $FAILS = 0 ] || { cat "$TMP/dhclient.log"; cat "$TMP/dhclient.env"; }
kill "$D6"; wait "$D6" 2>/dev/null

net_bg "$DHCP6" -s "stack=ustack,vnl=vde://$SWA,eth,ip=fd00:16::547/64" \
	-R "stack=ustack,vnl=vde://$SWB,eth,ip=198.18.17.68/24" -r "$TMP/nowhere.conf" -p "$TMP/d6b.pid"
D6=$NET_LASTPID
wait_until 10 test -s "$TMP/d6b.pid" || fail "namedhcp (nowhere) did not start"
dhclient6 h7.test
check "--resolvconf is what namedhcp asks: a server that is not there, no address" \
	sh -c "! grep -q '^new_ip6_address=' '$TMP/dhclient.env' 2>/dev/null"
kill "$D6"; wait "$D6" 2>/dev/null

[ $FAILS = 0 ] || fail "$FAILS checks failed"
ok "namedhcp, namedhcp4: --dnsstack, --resolvconf, --ntp"
