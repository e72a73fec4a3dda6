#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole story of "configured by name alone", every daemon on ustack,
# one VDE switch: iothradvd advertises the on-link prefix, iothnamed serves
# a hash domain (and static A/TXT records for IPv4), namedhcp and
# namedhcp4 answer from it. Two nodes configured only with iothconf
# "eth,rd,dhcp6,fqdn=h1.hash.test" / "h2.hash.test" get their hash
# addresses (computed here too: MD5 of the name on the /64), the DNS server
# from DHCPv6, find each other by name and exchange a line over TCP (the
# listener checks the connection comes from the address of the name).
# The same over IPv4 with namedhcp4 and "eth,dhcp,fqdn=h1.test".
set -u
. "$IOTH_TESTLIB"
need_root
need_cmd vde_plug python3
B=$IOTH_BUILD_DIR
NAMED=$B/tools/iothnamed/iothnamed
DHCP6=$B/tools/namedhcp/namedhcp
DHCP4=$B/tools/namedhcp/namedhcp4
RADVD=$B/tools/iothradvd/iothradvd
NODE=$B/tests/net/namedhcp/story_node
for x in "$NAMED" "$DHCP6" "$DHCP4" "$RADVD" "$NODE"; do [ -x "$x" ] || skip "$x not built"; done
need_plugin ustack

net_tmpdir TMP
net_switch SW

cat > "$TMP/named.rc" <<RC
rstack    stack=ustack,vnl=vde://$SW,eth
rstack    ip=fd00:16::53/64
rstack    ip=198.18.16.53/24
net       local fd00:16::/64
net       local 198.18.16.0/24
auth      accept local
auth      static local hash.test
static    AAAA hash.test fd00:16::
auth      hash local .hash.test hash.test
auth      static local .test
static    A   h1.test 198.18.16.101
static    TXT h1.test "mask=255.255.255.0,broadcast=198.18.16.255,router=198.18.16.1,dns=198.18.16.53"
static    A   h2.test 198.18.16.102
static    TXT h2.test "mask=255.255.255.0,broadcast=198.18.16.255,router=198.18.16.1,dns=198.18.16.53"
RC
net_bg "$NAMED" "$TMP/named.rc"
net_bg "$RADVD" -s "vde://$SW" -P 5 -p "$TMP/radvd.pid" fd00:16::/64/L/3600/1800
net_bg "$DHCP6" -s "stack=ustack,vnl=vde://$SW,eth,ip=fd00:16::547/64" -n fd00:16::53 \
	-D fd00:16::53 -p "$TMP/dhcp6.pid"
net_bg "$DHCP4" -s "stack=ustack,vnl=vde://$SW,eth,ip=198.18.16.67/24" -n 198.18.16.53 \
	-p "$TMP/dhcp4.pid"
for p in radvd dhcp6 dhcp4; do
	wait_until 10 test -s "$TMP/$p.pid" || fail "$p did not start"
done

hashaddr() {
	python3 -c "
import hashlib, ipaddress
h = hashlib.md5(b'$1').digest()
iid = bytearray(h[:8]); iid[0] &= 0xfc
print(ipaddress.IPv6Address(bytes.fromhex('fd000016000000000000000000000000')[:8] + bytes(iid)))"
}

story() { # story FAMILY CONFIG1 NAME1 CONFIG2 NAME2
	local fam=$1 c1=$2 n1=$3 c2=$4 n2=$5
	timeout 60 "$NODE" "vde://$SW" "$c1" "$fam" listen "$n2" > "$TMP/n1.out" 2>&1 &
	local p1=$!
	timeout 60 "$NODE" "vde://$SW" "$c2" "$fam" connect "$n1" "$n2" > "$TMP/n2.out" 2>&1
	local r2=$?
	wait $p1
	local r1=$?
	[ $r1 = 0 ] && [ $r2 = 0 ] && return 0
	echo "---- $n1 (exit $r1)"; cat "$TMP/n1.out"; echo "---- $n2 (exit $r2)"; cat "$TMP/n2.out"
	return 1
}

W1=$(hashaddr h1.hash.test)
W2=$(hashaddr h2.hash.test)
check "IPv6: h1.hash.test and h2.hash.test find each other by name and talk" \
	story 6 "eth,rd,dhcp6,fqdn=h1.hash.test" h1.hash.test "eth,rd,dhcp6,fqdn=h2.hash.test" h2.hash.test
check "h1 got its hash address $W1 by DHCPv6" grep -q "^addr $W1$" "$TMP/n1.out"
check "h2 got its hash address $W2 by DHCPv6" grep -q "^addr $W2$" "$TMP/n2.out"
check "h1 found h2 at $W2" grep -q "^peer $W2$" "$TMP/n1.out"
check "h2 found h1 at $W1" grep -q "^peer $W1$" "$TMP/n2.out"
check "the DNS server came from DHCPv6" grep -q "nameserver fd00:16::53" "$TMP/n1.out"
check "h1 heard h2 from h2's address" grep -q "^from $W2$" "$TMP/n1.out"

check "IPv4: h1.test and h2.test find each other by name and talk" \
	story 4 "eth,dhcp,fqdn=h1.test" h1.test "eth,dhcp,fqdn=h2.test" h2.test
check "h1 got 198.18.16.101 by DHCPv4" grep -q "^addr 198.18.16.101$" "$TMP/n1.out"
check "h2 got 198.18.16.102 by DHCPv4" grep -q "^addr 198.18.16.102$" "$TMP/n2.out"
check "h2 found h1" grep -q "^peer 198.18.16.101$" "$TMP/n2.out"
check "the DNS server came from the TXT record" grep -q "nameserver 198.18.16.53" "$TMP/n1.out"

[ $FAILS = 0 ] || fail "$FAILS checks failed"
ok "configured by name alone: the whole story"
