#!/bin/bash
# The seed's examples on vdestack stacks joined to a VDE switch: the UDP
# "ciao" from sender to receiver, and the TCP echo server answering the
# terminal client (fed from a pipe instead of a keyboard).
. "$IOTH_TESTLIB"
need_cmd vde_plug
EX="$IOTH_BUILD_DIR/examples/basic"
out=$(mktemp -d); NET_DIRS="$NET_DIRS $out"

net_switch SW
VNL="vde://$SW"

net_bg timeout 20 "$EX/ciao_recv" vdestack "$VNL" 198.18.5.2/24 5000 1 >"$out/recv" 2>&1
recv=$NET_LASTPID
wait_until 10 grep -q listening "$out/recv" ||
	{ cat "$out/recv"; skip "vdestack unavailable here (needs user namespaces)"; }
timeout 20 "$EX/ciao_send" vdestack "$VNL" 198.18.5.1/24 198.18.5.2 5000 || fail "ciao_send failed"
wait "$recv"
grep -q "from 198.18.5.1:[0-9]*: ciao" "$out/recv" || { cat "$out/recv"; fail "ciao not received"; }
ok "ciao_recv got: $(tail -1 "$out/recv")"

net_bg timeout 30 "$EX/echo_server" vdestack "$VNL" 198.18.5.10/24 5000 >"$out/server" 2>&1
wait_until 10 grep -q "echo server" "$out/server" || { cat "$out/server"; fail "server did not start"; }
reply=$(printf 'hello, echo\nsecond line\n' | timeout 20 "$EX/echo_client" vdestack "$VNL" \
	198.18.5.11/24 198.18.5.10 5000) || fail "echo_client failed"
[ "$reply" = "$(printf 'hello, echo\nsecond line')" ] || fail "echo_client got '$reply'"
ok "echo_client got its lines back"
wait_until 5 grep -q "closed" "$out/server" || fail "server did not log the close"
ok "server log: $(tr '\n' ';' <"$out/server")"
echo "2 passed, 0 failed"
