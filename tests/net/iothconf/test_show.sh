#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The example program iothconf-show on STACK ($1): creates the stack from
# its ioth_newstackc string, prints interfaces, addresses, routes and
# resolv.conf, waits, exits 0; rejects a bad string with EINVAL.
. "$(dirname "$0")/common.sh"
SHOW="$IOTH_BUILD_DIR/examples/iothconf/iothconf-show"
[ -x "$SHOW" ] || fail "missing $SHOW"
run_show() {
	if [ -n "$PROBE_NS" ]; then ip netns exec "$PROBE_NS" "$SHOW" "$@"; else "$SHOW" "$@"; fi
}
run_show -w 1 "stack=$STACK,vnl=$VNL,eth,ip=198.18.7.9/24,gw=198.18.7.1,dns=198.18.7.53,domain=show.test$IFOPT" \
	> "$TMPD/out" 2>&1 || { show_out; fail "iothconf-show failed"; }
expect "^link $IF [0-9]+ up " "no interface line"
expect "^addr $IF 198\.18\.7\.9/24$" "no address line"
expect '^route default/0 via 198\.18\.7\.1 ' "no route line"
expect '^search show\.test$' "no resolv.conf"
run_show -w 1 "stack=$STACK,vnl=$VNL,eth,ip=198.18.7.9/99" > "$TMPD/out" 2>&1 && { show_out; fail "a bad string was accepted"; }
expect 'ioth_newstackc: Invalid argument' "no EINVAL message"
ok "iothconf-show on $STACK"
