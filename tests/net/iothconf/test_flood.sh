#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A scapy peer floods STACK ($1) with malformed and invalid DHCP replies and
# router advertisements (matching xid and MAC): the client neither crashes
# nor takes any of it: no address, no route, no DNS; DHCP and router
# discovery fail with ETIMEDOUT.
. "$(dirname "$0")/common.sh"
$PY -c "import scapy" 2>/dev/null || skip "needs python3-scapy"
net_nsbg srv $PY "$(dirname "$0")/flood.py" tap0 40 "$TMPD/flood.log"
wait_until 20 grep -q ready "$TMPD/flood.log" || fail "flood.py did not start"
probe new "$STACK" "$VNL" config "eth,rd,slaac,dhcp$IFOPT" show resolv del
grep -q '^dhcp burst' "$TMPD/flood.log" || { cat "$TMPD/flood.log"; fail "the client's DHCP requests got no hostile answers"; }
grep -q '^ra burst' "$TMPD/flood.log" || { cat "$TMPD/flood.log"; fail "the client's solicitations got no hostile answers"; }
echo "hostile bursts: $(grep -c burst "$TMPD/flood.log")"
grep -q '^error' "$TMPD/flood.log" && { cat "$TMPD/flood.log"; fail "flood.py failed"; }
expect '^config rv=2 errno=ETIMEDOUT' "want only IOTHCONF_ETH, and ETIMEDOUT"
expect_not "^addr $IF (198|fd00)" "a hostile address was configured"
expect_not '^route default' "a hostile route was configured"
expect '^resolv NULL errno=0' "a hostile DNS server was configured"
expect '^del rv=0' "ioth_delstack failed"
ok "flood of malformed DHCP/RA on $STACK: nothing taken"
