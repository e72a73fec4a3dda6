#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# "eth,dhcp" on STACK ($1): the lease dnsmasq offers, its default route and
# DNS (ioth_resolvconf), the FQDN/hostname in dnsmasq's lease file, the
# kernel in the namespace pings the leased address.
. "$(dirname "$0")/common.sh"
need_cmd dnsmasq ping
start_dnsmasq --dhcp-range=198.18.7.100,198.18.7.150,255.255.255.0,2m \
	--dhcp-option=option:router,198.18.7.1 --dhcp-option=option:dns-server,198.18.7.53,198.18.7.54 \
	--dhcp-option=option:domain-name,iothconf.test
probe newc "stack=$STACK,vnl=$VNL,eth,dhcp,fqdn=node4.iothconf.test$IFOPT" show resolv sleep 10 &
PID=$!
wait_until 20 grep -q ready "$TMPD/out" || { show_out; fail "probe did not configure"; }
expect 'newc ok' "ioth_newstackc failed"
expect "^addr $IF 198\.18\.7\.1[0-4][0-9]/24$" "no DHCP address in 198.18.7.100-150/24"
expect '^route default/0 via 198\.18\.7\.1 ' "no default route via 198.18.7.1"
expect '^search iothconf\.test$' "resolv.conf without the domain"
expect '^nameserver 198\.18\.7\.53$' "resolv.conf without the first DNS server"
expect '^nameserver 198\.18\.7\.54$' "resolv.conf without the second DNS server"
ADDR=$(sed -n "s|^addr $IF \(198\.18\.7\.[0-9]*\)/24$|\1|p" "$TMPD/out" | head -1)
grep -q " $ADDR node4 " "$TMPD/leases" || { cat "$TMPD/leases"; fail "lease file has no $ADDR node4"; }
ns_ping "$ADDR" || fail "the kernel cannot ping $ADDR"
wait $PID || { show_out; fail "probe exited with an error"; }
ok "eth,dhcp on $STACK: $ADDR, route, DNS, domain, ping"
