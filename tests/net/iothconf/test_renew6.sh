#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# DHCPv6 renewal on STACK ($1): with dnsmasq's shortest lease (2 minutes,
# T1 one minute) the client sends RENEW in the background and dnsmasq
# answers it; the address stays.
. "$(dirname "$0")/common.sh"
need_cmd dnsmasq
start_dnsmasq --dhcp-range=fd00:7::100,fd00:7::1ff,64,2m
probe new "$STACK" "$VNL" config "eth,dhcp6$IFOPT" sleep 75 show del &
PID=$!
wait_until 80 grep -q DHCPRENEW "$TMPD/dnsmasq.log" || { grep DHCP "$TMPD/dnsmasq.log"; fail "no RENEW reached dnsmasq"; }
wait $PID || { show_out; fail "probe exited with an error"; }
grep -q 'DHCPREPLY(tap0) fd00:7::1' "$TMPD/dnsmasq.log" || { grep DHCP "$TMPD/dnsmasq.log"; fail "dnsmasq did not reply"; }
expect '^log [0-9] dhcp6: lease on ifindex [0-9]+ extended' "the client did not take the renewal"
expect "^addr $IF fd00:7::1[0-9a-f]{2}/128$" "the address is gone after the renewal"
expect '^del rv=0' "ioth_delstack failed"
ok "DHCPv6 RENEW at T1 on $STACK"
