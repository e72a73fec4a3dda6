#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# "eth,dhcp6" on STACK ($1) right after the link comes up, while the
# interface's link-local address is still tentative (DAD, RFC 4862 5.4):
# every DHCPv6 message leaves from that link-local address (RFC 8415
# 13.1), never from :: or another address, and the client does not give
# up: it gets its IA_NA address. tcpdump in the server's namespace
# captures what reaches port 547.
. "$(dirname "$0")/common.sh"
need_cmd dnsmasq tcpdump
start_dnsmasq --dhcp-range=fd00:7::100,fd00:7::1ff,64,2m
net_nsbg srv tcpdump -n -l -i tap0 -Q in 'udp dst port 547' > "$TMPD/cap" 2> "$TMPD/tcpdump.err"
TCPDUMP=$NET_LASTPID
wait_until 5 grep -q "listening on" "$TMPD/tcpdump.err" || fail "tcpdump did not start"
# a fresh stack: eth brings the link up and the link-local address is
# tentative when dhcp6 starts (on "kernel" common.sh turns DAD off: there
# the check is only that the source is the link-local address)
probe new "$STACK" "$VNL" config "eth,dhcp6,fqdn=src6.iothconf.test$IFOPT" show
sleep 1
kill "$TCPDUMP" 2>/dev/null; wait "$TCPDUMP" 2>/dev/null
expect '^config rv=10 errno=0' "eth,dhcp6 did not return IOTHCONF_ETH|IOTHCONF_DHCPV6"
expect "^addr $IF fd00:7::1[0-9a-f]{2}/128$" "no IA_NA address"
LL=$(sed -n "s|^addr $IF \(fe80::[0-9a-f:]*\)/64$|\1|p" "$TMPD/out" | head -1)
[ -n "$LL" ] || { show_out; fail "no link-local address on $IF"; }
N=$(grep -c '\.546 > ff02::1:2\.547' "$TMPD/cap")
[ "$N" -ge 2 ] || { cat "$TMPD/cap"; fail "tcpdump saw $N DHCPv6 messages (want SOLICIT and REQUEST)"; }
BAD=$(grep '\.546 > ff02::1:2\.547' "$TMPD/cap" | grep -v "IP6 $LL\.546 >" || true)
[ -z "$BAD" ] || { cat "$TMPD/cap"; fail "DHCPv6 messages not from the link-local $LL: $BAD"; }
grep -q 'dhcp6 solicit' "$TMPD/cap" || { cat "$TMPD/cap"; fail "no SOLICIT captured"; }
ok "eth,dhcp6 on $STACK: $N messages, all from $LL, none from ::"
