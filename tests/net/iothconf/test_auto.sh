#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# "auto" (eth+dhcp+dhcp6+rd) plus slaac on STACK ($1), all from one dnsmasq
# serving DHCPv4, DHCPv6 and router advertisements with RDNSS:
# IPv4 lease and route, IA_NA address, SLAAC address, IPv6 default route,
# and ioth_resolvconf listing dnsmasq's servers and domain; the kernel
# pings all three addresses.
. "$(dirname "$0")/common.sh"
need_cmd dnsmasq
start_dnsmasq --enable-ra --ra-param=tap0,10,600 \
	--dhcp-range=198.18.7.100,198.18.7.150,255.255.255.0,2m \
	--dhcp-range=fd00:7::100,fd00:7::1ff,slaac,64,2m \
	--dhcp-option=option:router,198.18.7.1 --dhcp-option=option:dns-server,198.18.7.53 \
	--dhcp-option=option6:dns-server,[fd00:7::53] \
	--domain=auto.iothconf.test --dhcp-option=option:domain-name,auto.iothconf.test \
	--dhcp-option=option6:domain-search,auto.iothconf.test
LL=$(ip -n "$NS" -6 addr show dev tap0 scope link | sed -n 's|.*inet6 \(fe80::[0-9a-f:]*\)/64.*|\1|p')
probe newc "stack=$STACK,vnl=$VNL,auto,slaac,mac=02:00:00:00:00:09$IFOPT" show resolv sleep 10 &
PID=$!
wait_until 40 grep -q ready "$TMPD/out" || { show_out; fail "probe did not configure"; }
expect '^newc ok' "ioth_newstackc(auto) failed"
expect "^addr $IF 198\.18\.7\.1[0-4][0-9]/24$" "no DHCPv4 address"
expect '^route default/0 via 198\.18\.7\.1 ' "no IPv4 default route"
expect "^addr $IF fd00:7::1[0-9a-f]{2}/128$" "no DHCPv6 IA_NA address"
expect "^addr $IF fd00:7::ff:fe00:9/64$" "no SLAAC address"
expect "^route default/0 via $LL " "no IPv6 default route via $LL"
expect '^search auto\.iothconf\.test$' "resolv.conf without dnsmasq's domain"
expect '^nameserver fd00:7::53$' "resolv.conf without the IPv6 DNS server"
expect '^nameserver 198\.18\.7\.53$' "resolv.conf without the IPv4 DNS server"
V4=$(sed -n "s|^addr $IF \(198\.18\.7\.[0-9]*\)/24$|\1|p" "$TMPD/out" | head -1)
V6=$(sed -n "s|^addr $IF \(fd00:7::1[0-9a-f]*\)/128$|\1|p" "$TMPD/out" | head -1)
for a in $V4 $V6 fd00:7::ff:fe00:9; do
	ns_ping "$a" || { show_out; fail "the kernel cannot ping $a"; }
done
wait $PID || { show_out; fail "probe exited with an error"; }
ok "auto on $STACK: DHCPv4, DHCPv6, RA/SLAAC, resolv.conf"
