#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# iothnamed on a STACK stack ($1: ustack, vdestack) answering dig.
#
# Switch A: iothnamed's request stack (rstack, split over three lines:
# every ip= must stay) and two namespaces of clients, "cli"
# (198.18.0.0/24, fd00:a::/64: allowed) and "far" (198.18.9.0/24: no
# auth line names it, so REFUSED, and no TCP). Switch B: the forwarding
# stack (fstack) and a namespace with dnsmasq, the upstream.
#  - static A, AAAA, PTR (v4 and v6), CNAME, NS, MX, TXT; NXDOMAIN;
#    auth error (REFUSED);
#  - hash names (the README's vectors: the same address libiothaddr and
#    iothconf's fqdn= give) and their reverse (hrev);
#  - OTIP: the address of the current 32 s step, computed here with
#    Python's hashlib from the same name, password and step;
#  - forwarding to dnsmasq over the other stack; the second ask comes
#    from the cache (dnsmasq logs one query, the TTL went down);
#  - TCP queries, TCP fallback for a truncated answer (dig +notcp sees
#    TC, dig over TCP the whole answer), EDNS0 (our OPT in the reply);
#  - malformed queries: FORMERR or dropped, the server still answers.
set -u
STACK=${1:-ustack}
. "$IOTH_TESTLIB"
need_root
need_cmd dnsmasq dig ip vde_plug python3

B=$IOTH_BUILD_DIR
NAMED=$B/tools/iothnamed/iothnamed
[ -x "$NAMED" ] || skip "$NAMED not built"
need_plugin "$STACK"

net_tmpdir TMP

net_switch SWA
net_switch SWB
net_ns cli "$SWA"
net_ns far "$SWA"
net_ns up "$SWB"
CLI=$(nsname cli)
FAR=$(nsname far)
UP=$(nsname up)
ip -n "$CLI" addr add 198.18.0.1/24 dev tap0
ip -n "$CLI" addr add fd00:a::1/64 dev tap0 nodad
ip -n "$FAR" addr add 198.18.0.200/24 dev tap0
ip -n "$UP" addr add 198.18.1.1/24 dev tap0

BIG=()
for i in $(seq -w 1 40); do
	BIG+=("--txt-record=big.up.test,record $i of an answer larger than 512 bytes")
done
net_nsbg up dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
	--listen-address=198.18.1.1 --port=53 --local=/up.test/ --local-ttl=600 \
	--host-record=www.up.test,198.18.1.80 --host-record=short.up.test,198.18.1.81 \
	--txt-record=txt.up.test,"from upstream" "${BIG[@]}" \
	--log-queries --log-facility="$TMP/dnsmasq.log"
wait_until 10 ip netns exec "$UP" dig +time=1 +tries=1 +short @198.18.1.1 www.up.test ||
	fail "dnsmasq does not answer"

cat > "$TMP/named.rc" <<RC
# request stack, split over lines: the ip= of every line stays
rstack    stack=$STACK,vnl=vde://$SWA
rstack    eth
rstack    ip=198.18.0.53/24
rstack    ip=fd00:a::53/64
fstack    stack=$STACK,vnl=vde://$SWB,eth,ip=198.18.1.53/24

dns       198.18.1.1

net       local 198.18.0.0/25
net       local fd00:a::/64
net       farnet 198.18.0.128/25

auth      accept local
auth      error local .err.test
auth      static local foo.test
auth      static local .foo.test
auth      static local 198.18.5.0/24
auth      static local fd00:5::/64
auth      static local hash.local
static    AAAA hash.local fc00::
auth      hash local .hash.local hash.local
auth      hrev local hash.local/64
auth      hash local .v2.cs.unibo.it 2000:760::
auth      otip local .otip 2001:760:2e00:ff00:: mypassword
auth      cache local .
auth      fwd local .

static    A     one.foo.test 198.18.5.1
static    AAAA  one.foo.test fd00:5::1
static    PTR   198.18.5.1 one.foo.test
static    PTR   fd00:5::1 one.foo.test
static    CNAME alias.foo.test one.foo.test
static    NS    sub.foo.test ns.foo.test
static    MX    foo.test 10 mail.foo.test
static    TXT   txt.foo.test "sempre caro mi fu" "quest'ermo colle"

option    hrevmode always
option    hashttl 300
option    tcptimeout 3
RC
net_bg "$NAMED" "$TMP/named.rc"
NAMED_PID=$NET_LASTPID
q() { ip netns exec "$CLI" dig +time=2 +tries=1 @198.18.0.53 "$@"; }
wait_until 15 q +short one.foo.test || fail "iothnamed does not answer on $STACK"

echo "iothnamed pid $NAMED_PID"
# static records of every type, over IPv4 and IPv6
check "A" test "$(q +short one.foo.test)" = 198.18.5.1
# the stack's IPv6 address may still be tentative (DAD)
wait_until 5 sh -c "ip netns exec $CLI dig +time=1 +tries=1 @fd00:a::53 +short AAAA one.foo.test | grep -q ."
check "AAAA over IPv6" test "$(ip netns exec "$CLI" dig +time=2 +tries=1 @fd00:a::53 +short AAAA one.foo.test)" = fd00:5::1
check "PTR IPv4" test "$(q +short -x 198.18.5.1)" = one.foo.test.
check "PTR IPv6" test "$(q +short -x fd00:5::1)" = one.foo.test.
check "CNAME and its target" test "$(q +short alias.foo.test | tr '\n' ' ')" = "one.foo.test. 198.18.5.1 "
check "NS" test "$(q +short NS sub.foo.test)" = ns.foo.test.
check "MX" test "$(q +short MX foo.test)" = "10 mail.foo.test."
check "TXT" test "$(q +short TXT txt.foo.test)" = "\"sempre caro mi fu\" \"quest'ermo colle\""
check "static answers are authoritative" sh -c "ip netns exec $CLI dig +time=2 +tries=1 @198.18.0.53 one.foo.test | grep -q 'flags: qr aa'"
check "NXDOMAIN for a missing static name" sh -c "ip netns exec $CLI dig +time=2 +tries=1 @198.18.0.53 none.foo.test | grep -q 'status: NXDOMAIN'"
check "auth error: REFUSED" sh -c "ip netns exec $CLI dig +time=2 +tries=1 @198.18.0.53 x.err.test | grep -q 'status: REFUSED'"

# hash names: the original README's and libiothaddr's vectors
check "hash AAAA (base from a static record)" test "$(q +short AAAA renzo.hash.local)" = fc00::4cc:8049:6765:d03a
check "hash AAAA as libiothaddr" test "$(q +short AAAA test.v2.cs.unibo.it)" = 2000:760::68d6:2fac:95a:5a2e
check "hash TTL from option hashttl" sh -c "ip netns exec $CLI dig +time=2 +tries=1 @198.18.0.53 AAAA renzo.hash.local | grep -q '300.IN.AAAA'"
check "hash reverse (hrev)" test "$(q +short -x fc00::4cc:8049:6765:d03a)" = renzo.hash.local.
check "hrev of a name never asked: NXDOMAIN" sh -c "ip netns exec $CLI dig +time=2 +tries=1 @198.18.0.53 -x fc00::1:2:3:4 | grep -q 'status: NXDOMAIN'"

# OTIP: the same inputs give the same address in this 32 s step
otip() { # otip NAME PASSWORD STEP
	python3 -c '
import hashlib, ipaddress, sys
name, pwd, step = sys.argv[1], sys.argv[2], int(sys.argv[3])
h = hashlib.md5(name.encode() + pwd.encode() + step.to_bytes(4, "big")).digest()
a = bytearray(ipaddress.IPv6Address("2001:760:2e00:ff00::").packed)
for i in range(8):
    a[8 + i] ^= h[i]
a[8] &= 0xfc
print(ipaddress.IPv6Address(bytes(a)))' "$@"
}
S1=$(( $(date +%s) / 32 ))
GOT=$(q +short AAAA renzo.otip)
S2=$(( $(date +%s) / 32 ))
check "OTIP address of the current step" sh -c "[ '$GOT' = '$(otip renzo.otip mypassword "$S1")' ] || [ '$GOT' = '$(otip renzo.otip mypassword "$S2")' ]"
check "OTIP with another password differs" test "$GOT" != "$(otip renzo.otip other "$S1")"
# ... and the address moves with the step: wait for the next one (at most
# 32 s; on one stack only, the code is the same on both)
if [ "$STACK" = ustack ]; then
	sleep $(( 32 - $(date +%s) % 32 + 1 ))
	S3=$(( $(date +%s) / 32 ))
	GOT3=$(q +short AAAA renzo.otip)
	check "OTIP address of the next step ($S3), not the last one's" sh -c \
		"[ '$GOT3' = '$(otip renzo.otip mypassword "$S3")' ] && [ '$GOT3' != '$GOT' ]"
fi

# forwarding over the other stack, then the cache
check "forwarded A" test "$(q +short www.up.test)" = 198.18.1.80
sleep 2
T2=$(q www.up.test | awk '/^www.up.test.*IN.*A/ {print $2}')
sleep 0.5
NQ=$(grep -c 'query\[A\] www.up.test from 198.18.1.53' "$TMP/dnsmasq.log")
check "second ask from the cache (dnsmasq saw $NQ queries)" test "$NQ" = 1
check "cached TTL went down ($T2)" sh -c "[ ${T2:-0} -lt 600 ] && [ ${T2:-0} -gt 500 ]"
check "forwarded TXT" test "$(q +short TXT txt.up.test)" = '"from upstream"'
check "upstream NXDOMAIN passes" sh -c "ip netns exec $CLI dig +time=2 +tries=1 @198.18.0.53 nope.up.test | grep -q 'status: NXDOMAIN'"

# TCP, truncation and fallback, EDNS0
check "TCP query" test "$(q +tcp +short one.foo.test)" = 198.18.5.1
check "forwarded over TCP" test "$(q +tcp +short short.up.test)" = 198.18.1.81
check "EDNS0: our OPT in the reply" sh -c "ip netns exec $CLI dig +time=2 +tries=1 +edns=0 @198.18.0.53 one.foo.test | grep -q 'EDNS: version: 0'"
check "UDP without EDNS0: big answer truncated" sh -c "ip netns exec $CLI dig +time=2 +tries=1 +noedns +notcp +ignore @198.18.0.53 TXT big.up.test | grep -Eq 'flags:[a-z ]* tc'"
check "TCP fallback: the whole answer" test "$(q +noedns +short TXT big.up.test | wc -l)" = 40
check "TCP: the whole answer when the upstream truncated" test "$(q +tcp +noedns +short TXT big.up.test | wc -l)" = 40

# access control: the far range is refused, and may not use TCP
check "far range REFUSED" sh -c "ip netns exec $FAR dig +time=2 +tries=1 @198.18.0.53 one.foo.test | grep -q 'status: REFUSED'"
check "far range: no TCP" sh -c "! ip netns exec $FAR dig +time=2 +tries=1 +tcp +short @198.18.0.53 one.foo.test | grep -qx 198.18.5.1"

# malformed queries: FORMERR or dropped, the server lives on
ip netns exec "$CLI" python3 - > "$TMP/garbage.out" <<'PY'
import random, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.2)
random.seed(16)
cases = [b"", b"\0" * 5, bytes.fromhex("123401000002000000000000"),
         bytes.fromhex("12340100000100000000000003616263"),
         bytes.fromhex("123401000001000000000000c00c00010001")]
cases += [bytes(random.randrange(256) for _ in range(random.randrange(60))) for _ in range(200)]
formerr = 0
for c in cases:
    s.sendto(c, ("198.18.0.53", 53))
    try:
        r = s.recv(4096)
        formerr += (r[3] & 15) == 1
    except socket.timeout:
        pass
print("formerr", formerr)
PY
check "malformed queries got FORMERR" grep -q 'formerr [1-9]' "$TMP/garbage.out"
check "still answering after the garbage" test "$(q +short one.foo.test)" = 198.18.5.1
check "iothnamed still running" kill -0 "$NAMED_PID"

[ "$FAILS" = 0 ] || fail "$FAILS checks failed on $STACK"
ok "iothnamed on $STACK"
