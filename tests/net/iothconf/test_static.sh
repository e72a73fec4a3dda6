#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Static configuration on STACK ($1): ip=/gw= for IPv4 and IPv6 answer the
# kernel's ping; the seed's "ciao" over UDP; a malformed option changes
# nothing (EINVAL); a second ip= adds to the first (as the original
# iothconf: a stack configured over several calls keeps every address);
# -ip removes an address; resolv.conf from dns=/domain=.
. "$(dirname "$0")/common.sh"
need_cmd ping socat
net_nsbg srv socat -u UDP4-RECV:5000 "OPEN:$TMPD/ciao,creat"
wait_until 5 sh -c "ip netns exec $NS ss -uln | grep -q ':5000 '" || fail "socat did not start"
probe new "$STACK" "$VNL" \
	config "eth,ip=198.18.7.2/24,gw=198.18.7.1,ip=fd00:7::2/64,gw=fd00:7::1,dns=fd00:7::53,dns=198.18.7.53,domain=static.test$IFOPT" \
	show resolv resolv \
	config "eth,ip=198.18.7.3/24,bogus" config "ip=198.18.7.4/33" \
	config "ip=198.18.7.5/24$IFOPT" \
	udp 198.18.7.1 5000 ciao sleep 10 show \
	config "-ip=fd00:7::2/64$IFOPT" show &
PID=$!
wait_until 15 grep -q ready "$TMPD/out" || { show_out; fail "probe did not configure"; }
expect '^config rv=3 errno=0 ' "eth+static did not return IOTHCONF_ETH|IOTHCONF_STATIC"
expect "^addr $IF 198\.18\.7\.2/24$" "no static IPv4 address"
expect "^addr $IF fd00:7::2/64$" "no static IPv6 address"
expect '^route default/0 via 198\.18\.7\.1 ' "no IPv4 default route"
expect '^route default/0 via fd00:7::1 ' "no IPv6 default route"
expect '^nameserver fd00:7::53$' "no static IPv6 DNS"
expect '^resolv NULL errno=0$' "second ioth_resolvconf without changes must be NULL/0"
[ "$(grep -c '^config rv=-1 errno=EINVAL' "$TMPD/out")" = 2 ] || { show_out; fail "malformed options not EINVAL"; }
ns_ping 198.18.7.2 || fail "kernel cannot ping 198.18.7.2"
ns_ping fd00:7::2 || fail "kernel cannot ping fd00:7::2"
wait_until 5 grep -q ciao "$TMPD/ciao" || fail "ciao not received"
wait $PID || { show_out; fail "probe exited with an error"; }
# after the bad configs: neither 198.18.7.3 nor .4 appeared
expect_not '198\.18\.7\.[34]/' "a rejected configuration was applied"
expect "^addr $IF 198\.18\.7\.5/24$" "a second ip= was not added"
[ "$(grep -c "^addr $IF 198\.18\.7\.2/24$" "$TMPD/out")" = 3 ] || { show_out; fail "a second ip= replaced the first address"; }
[ "$(grep -c "^addr $IF fd00:7::2/64$" "$TMPD/out")" = 2 ] || { show_out; fail "-ip did not remove fd00:7::2 (or it vanished early)"; }
ok "static IPv4/IPv6 on $STACK: ping both, ciao, EINVAL, -ip"
