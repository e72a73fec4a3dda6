#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ioth_delstack on STACK ($1) while a DHCPv4 renewal is in progress (the
# test server holds its answer to the RENEW for 2 s): the delstack hook
# waits for the renewal to end and close its sockets, ioth_delstack
# returns 0 (no EBUSY from the library's socket, no use after free), in
# bounded time.
. "$(dirname "$0")/common.sh"
$PY -c "import scapy" 2>/dev/null || skip "needs python3-scapy"
net_nsbg srv $PY "$(dirname "$0")/dhcp4_server.py" tap0 198.18.7.1 198.18.7.30 10 "$TMPD/server.log" 2
wait_until 10 grep -q ready "$TMPD/server.log" || fail "test DHCP server did not start"
# lease 10 s: T1 at 5 s; the probe deletes the stack at 6 s
probe new "$STACK" "$VNL" config "eth,dhcp$IFOPT" sleep 6 del
cat "$TMPD/server.log"
grep -q RENEW "$TMPD/server.log" || { show_out; fail "no renewal was in progress at deletion"; }
expect '^config rv=6 ' "eth,dhcp failed"
expect '^del rv=0 errno=0' "ioth_delstack failed during a renewal"
MS=$(sed -n 's/^del rv=0 errno=0 ms=\([0-9]*\)$/\1/p' "$TMPD/out")
[ "$MS" -lt 6000 ] || { show_out; fail "ioth_delstack took $MS ms"; }
ok "ioth_delstack during a renewal on $STACK: waited ${MS} ms, returned 0"
