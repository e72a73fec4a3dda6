#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Nodes configured by iothconf alone (on STACK, $1), found through
# iothnamed (on ustack). One VDE switch: iothnamed with a hash domain and
# an OTIP domain on fd00:17::/64, iothradvd advertising that prefix, and a
# namespace "lin" (Linux) that asks and pings.
#  - eth,rd,slaac,fqdn=h1.hash.test: the node's SLAAC address is the one
#    iothnamed answers for h1.hash.test (as the original iothconf computes
#    it: MD5 of the name in the interface id), and it answers ping there;
#  - eth,rd,slaac,fqdn=o1.otip.test,otip=PASSWORD: the node answers ping
#    on the address iothnamed gives for that name now (the same password),
#    also computed here (MD5 of name, password and 32 s step); at the next
#    step both move: the new address answers, the old one no longer.
set -u
STACK=${1:-ustack}
. "$IOTH_TESTLIB"
need_root
need_cmd vde_plug ip dig ping python3
B=$IOTH_BUILD_DIR
NAMED=$B/tools/iothnamed/iothnamed
RADVD=$B/tools/iothradvd/iothradvd
PROBE=$B/tests/net/iothconf/iothconf_probe
for x in "$NAMED" "$RADVD" "$PROBE"; do [ -x "$x" ] || skip "$x not built"; done
need_plugin ustack "$STACK"

net_tmpdir TMP
net_switch SW
net_ns lin "$SW"
LIN=$(nsname lin)
ip netns exec "$LIN" sysctl -q -w net.ipv6.conf.tap0.accept_ra=0
ip -n "$LIN" addr add fd00:17::9/64 dev tap0 nodad
PW=pw-of-issue-16

cat > "$TMP/named.rc" <<RC
rstack    stack=ustack,vnl=vde://$SW,eth,ip=fd00:17::53/64
net       local fd00:17::/64
auth      accept local
auth      hash local .hash.test fd00:17::
auth      otip local .otip.test fd00:17:: $PW
RC
net_bg "$NAMED" "$TMP/named.rc"
q() { ip netns exec "$LIN" dig +time=1 +tries=1 @fd00:17::53 +short AAAA "$1"; }
wait_until 15 sh -c "ip netns exec $LIN dig +time=1 +tries=1 @fd00:17::53 +short AAAA x.hash.test | grep -q ." ||
	fail "iothnamed does not answer"
net_bg "$RADVD" -s "vde://$SW" -P 5 fd00:17::/64/LA/3600/1800
lin_ping() { ip netns exec "$LIN" ping -c 1 -W 1 "$1" > /dev/null 2>&1; }

# a node named by hash
"$PROBE" new "$STACK" "vde://$SW" config "eth,rd,slaac,fqdn=h1.hash.test" show sleep 30 \
	> "$TMP/h1.out" 2>&1 &
H1=$!
NET_PIDS="$NET_PIDS $H1"
wait_until 20 grep -q "show end" "$TMP/h1.out" || { cat "$TMP/h1.out"; fail "the hash node did not configure"; }
A=$(q h1.hash.test)
check "iothnamed answers h1.hash.test ($A)" test -n "$A"
check "the node's SLAAC address is iothnamed's answer" grep -q "^addr vde0 $A/64$" "$TMP/h1.out"
check "the hash node answers ping on $A" wait_until 6 lin_ping "$A"

# a node with a one-time address
otip() { # otip NAME PASSWORD STEP
	python3 -c '
import hashlib, ipaddress, sys
name, pwd, step = sys.argv[1], sys.argv[2], int(sys.argv[3])
h = hashlib.md5(name.encode() + pwd.encode() + step.to_bytes(4, "big")).digest()
a = bytearray(ipaddress.IPv6Address("fd00:17::").packed)
for i in range(8):
    a[8 + i] ^= h[i]
a[8] &= 0xfc
print(ipaddress.IPv6Address(bytes(a)))' "$@"
}
"$PROBE" new "$STACK" "vde://$SW" config "eth,rd,slaac,fqdn=o1.otip.test,otip=$PW" show sleep 80 \
	> "$TMP/o1.out" 2>&1 &
O1=$!
NET_PIDS="$NET_PIDS $O1"
wait_until 20 grep -q "show end" "$TMP/o1.out" || { cat "$TMP/o1.out"; fail "the OTIP node did not configure"; }
grep -q "^config rv=18 errno=0" "$TMP/o1.out" || { cat "$TMP/o1.out"; fail "eth,rd,slaac,otip= failed"; }
# ask and ping within one step: near its end the step may change between
# the two (then ask again, at most three times)
pinged_in_step() { # -> X (the address), S (its step)
	local i s2
	for i in 1 2 3; do
		S=$(( $(date +%s) / 32 ))
		X=$(q o1.otip.test)
		[ -n "$X" ] && wait_until 6 lin_ping "$X" || continue
		s2=$(( $(date +%s) / 32 ))
		[ "$s2" = "$S" ] && return 0
	done
	return 1
}
check "the OTIP node answers ping on iothnamed's address (step $(( $(date +%s) / 32 )))" pinged_in_step
X1=$X S1=$S
check "that address is MD5(name, password, step) ($X1)" test "$X1" = "$(otip o1.otip.test "$PW" "$S1")"
check "not the hash address of the name alone" test "$X1" != "$(q o1.hash.test)"
# the next step: iothnamed and the node move together
sleep $(( 32 - $(date +%s) % 32 + 2 ))
check "at the next step the node answers on the new address" pinged_in_step
X2=$X S2=$S
check "the new address ($X2) is the new step's ($S2 > $S1)" sh -c \
	"[ '$S2' -gt '$S1' ] && [ '$X2' = '$(otip o1.otip.test "$PW" "$S2")' ] && [ '$X2' != '$X1' ]"
check "the old address ($X1) no longer answers" sh -c "! ip netns exec $LIN ping -c 2 -W 1 $X1 > /dev/null 2>&1"

kill "$H1" "$O1" 2>/dev/null
[ "$FAILS" = 0 ] || { echo "---- h1"; cat "$TMP/h1.out"; echo "---- o1"; cat "$TMP/o1.out"; fail "$FAILS checks failed"; }
ok "nodes named by hash and by OTIP on $STACK, found through iothnamed"
