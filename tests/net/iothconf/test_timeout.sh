#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Nobody answers on STACK ($1): DHCPv4, DHCPv6 and router discovery each
# fail with ETIMEDOUT in bounded time, eth still succeeds, nothing is
# configured, and the stack deletes cleanly.
. "$(dirname "$0")/common.sh"
probe new "$STACK" "$VNL" config "eth,dhcp$IFOPT" config "dhcp6$IFOPT" config "rd$IFOPT" show del
expect '^config rv=2 errno=ETIMEDOUT' "unanswered dhcp: want IOTHCONF_ETH only and ETIMEDOUT"
expect '^config rv=0 errno=ETIMEDOUT' "unanswered dhcp6/rd: want 0 and ETIMEDOUT"
for ms in $(sed -n 's/^config rv=[0-9]* errno=ETIMEDOUT ms=\([0-9]*\)$/\1/p' "$TMPD/out"); do
	[ "$ms" -lt 15000 ] || { show_out; fail "a failure took $ms ms"; }
done
expect_not "^addr $IF (198|fd00)" "an address appeared"
expect_not '^route default' "a route appeared"
expect '^del rv=0' "ioth_delstack failed"
ok "unanswered DHCP/DHCPv6/RD on $STACK: ETIMEDOUT in bounded time"
