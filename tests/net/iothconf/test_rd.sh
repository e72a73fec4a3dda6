#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Router discovery + SLAAC on STACK ($1) against radvd: the EUI-64 address
# in the advertised prefix, the default route via the router's link-local
# address, RDNSS/DNSSL in ioth_resolvconf; with fqdn= the hash-based
# address (checked against Python's MD5) and MAC.
. "$(dirname "$0")/common.sh"
start_radvd <<RADVD
interface tap0 {
	AdvSendAdvert on;
	MinRtrAdvInterval 30;
	MaxRtrAdvInterval 60;
	AdvDefaultLifetime 600;
	prefix fd00:7::/64 { AdvOnLink on; AdvAutonomous on; AdvValidLifetime 3600; AdvPreferredLifetime 1800; };
	RDNSS fd00:7::53 { AdvRDNSSLifetime 600; };
	DNSSL rd.iothconf.test { AdvDNSSLLifetime 600; };
};
RADVD
LL=$(ip -n "$NS" -6 addr show dev tap0 scope link | sed -n 's|.*inet6 \(fe80::[0-9a-f:]*\)/64.*|\1|p')
probe new "$STACK" "$VNL" config "eth,mac=02:00:00:00:00:07,rd,slaac$IFOPT" show resolv
expect '^config rv=18 errno=0' "eth,rd,slaac did not return IOTHCONF_ETH|IOTHCONF_RD"
expect "^addr $IF fd00:7::ff:fe00:7/64$" "no EUI-64 SLAAC address fd00:7::ff:fe00:7"
expect "^route default/0 via $LL " "no default route via the router $LL"
expect '^nameserver fd00:7::53$' "no RDNSS server in resolv.conf"
expect '^search rd\.iothconf\.test$' "no DNSSL domain in resolv.conf"
FQDN=node6.iothconf.test
WANT=$($PY -c "
import hashlib, ipaddress
h = hashlib.md5(b'$FQDN').digest()
iid = bytearray(h[:8]); iid[0] &= 0xfc
print(ipaddress.IPv6Address(bytes.fromhex('fd000007000000000000000000000000')[:8] + bytes(iid)))
mac = bytearray(h[0:3] + h[5:8]); mac[0] = (mac[0] | 2) & 0xfe
print(':'.join('%02x' % b for b in mac))")
WANTADDR=$(echo "$WANT" | head -1)
WANTMAC=$(echo "$WANT" | tail -1)
probe new "$STACK" "$VNL" config "eth,rd,slaac,fqdn=$FQDN.$IFOPT" show sleep 10 &
PID=$!
wait_until 15 grep -q ready "$TMPD/out" || { show_out; fail "probe did not configure"; }
ns_ping "$WANTADDR" || { show_out; fail "the kernel cannot ping $WANTADDR"; }
wait $PID || { show_out; fail "probe exited with an error"; }
expect "^addr $IF $WANTADDR/64$" "no hash-based address $WANTADDR"
expect "^link $IF [0-9]+ up $WANTMAC$" "no hash-based MAC $WANTMAC"
ok "rd,slaac on $STACK: EUI-64 and hash addresses, router, RDNSS, DNSSL"
