#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# DHCPv4 lease renewal on STACK ($1) with a 20 s lease from our own test
# server: the client renews at T1 in the background (the server logs a
# REQUEST with ciaddr) and keeps the address past the first lease's end;
# with the server stopped the address is removed when the lease ends and
# the library says so; the stack is then deleted cleanly.
. "$(dirname "$0")/common.sh"
need_cmd "$PY"
$PY -c "import scapy" 2>/dev/null || skip "needs python3-scapy"
net_nsbg srv $PY "$(dirname "$0")/dhcp4_server.py" tap0 198.18.7.1 198.18.7.20 20 "$TMPD/server.log"
SERVER=$NET_LASTPID
wait_until 10 grep -q ready "$TMPD/server.log" || fail "test DHCP server did not start"
probe new "$STACK" "$VNL" config "eth,dhcp$IFOPT" watch 44 2 del &
PID=$!
wait_until 25 grep -q RENEW "$TMPD/server.log" || { show_out; cat "$TMPD/server.log"; fail "no renewal at T1"; }
kill "$SERVER"
wait $PID || { show_out; fail "probe exited with an error"; }
expect '^config rv=6 errno=0' "eth,dhcp did not succeed"
# tick N: the addresses after N seconds
addr_at() { awk -v t="tick $1" '$0 == t {on = 1; next} /^tick /{on = 0} on' "$TMPD/out" | grep -c "^addr $IF 198\.18\.7\.20/24$"; }
[ "$(addr_at 24)" = 1 ] || { show_out; fail "address gone at 24 s: the renewal did not extend the lease"; }
[ "$(addr_at 44)" = 0 ] || { show_out; fail "address still there at 44 s, after the lease ended"; }
expect '^log [0-9] dhcp: lease on ifindex [0-9]+ expired' "no log line for the expired lease"
expect '^del rv=0' "ioth_delstack failed after the lease ended"
ok "DHCPv4 renewal at T1, removal at lease end on $STACK"
