#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ioth-demo killed (SIGTERM, SIGINT) while it runs removes the directory of
# its embedded switch (under /tmp) before it exits.
. "$IOTH_TESTLIB"
DEMO=$IOTH_BUILD_DIR/tools/demo/ioth-demo
[ -x "$DEMO" ] || skip "$DEMO not built"
tmp=$(mktemp -d); NET_DIRS="$NET_DIRS $tmp"
for sig in TERM INT; do
	# killed as soon as it has made its switch (step 1 of about a second)
	net_bg "$DEMO" ustack >"$tmp/out.$sig" 2>&1
	pid=$NET_LASTPID
	wait_until 10 grep -q "This process became a VDE switch" "$tmp/out.$sig" ||
		{ cat "$tmp/out.$sig"; fail "the demo did not start"; }
	dir=$(sed -n 's|.*a VDE switch: vde://||p' "$tmp/out.$sig")
	NET_DIRS="$NET_DIRS $dir"
	kill -"$sig" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if ! grep -q "^6. Done" "$tmp/out.$sig"; then
		[ ! -e "$dir" ] || { ls -la "$dir"; fail "SIG$sig: $dir left behind"; }
		ok "SIG$sig during the demo: $dir removed"
	else
		# the demo ended before the signal: it removed the switch itself
		[ ! -e "$dir" ] || fail "$dir left behind by a completed demo"
		ok "SIG$sig came after the end of the demo: $dir removed"
	fi
done
echo "2 passed, 0 failed"
