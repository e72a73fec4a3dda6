#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# "eth,dhcp6" on STACK ($1) against dnsmasq: an IA_NA address of the range,
# DNS server and search list from DHCPv6, the FQDN in dnsmasq's lease
# file.
. "$(dirname "$0")/common.sh"
need_cmd dnsmasq ping
start_dnsmasq --dhcp-range=fd00:7::100,fd00:7::1ff,64,2m \
	--dhcp-option=option6:dns-server,[fd00:7::53] --dhcp-option=option6:domain-search,v6.iothconf.test
probe new "$STACK" "$VNL" config "eth,dhcp6,fqdn=node6.iothconf.test$IFOPT" show resolv sleep 6 &
PID=$!
wait_until 25 grep -q ready "$TMPD/out" || { show_out; fail "probe did not configure"; }
expect '^config rv=10 errno=0' "eth,dhcp6 did not return IOTHCONF_ETH|IOTHCONF_DHCPV6"
expect "^addr $IF fd00:7::1[0-9a-f]{2}/128$" "no IA_NA address in fd00:7::100-1ff"
expect '^nameserver fd00:7::53$' "no DHCPv6 DNS server"
expect '^search v6\.iothconf\.test$' "no DHCPv6 domain search list"
ADDR=$(sed -n "s|^addr $IF \(fd00:7::1[0-9a-f]*\)/128$|\1|p" "$TMPD/out" | head -1)
grep -q "$ADDR node6" "$TMPD/leases" || { cat "$TMPD/leases"; fail "lease file has no $ADDR node6"; }
# no ping here: a /128 without router advertisements has no route back
# (RFC 8415 18.2.10.1); test_auto.sh pings the IA_NA address
wait $PID || { show_out; fail "probe exited with an error"; }
ok "eth,dhcp6 on $STACK: $ADDR, DNS, search list, lease file"
