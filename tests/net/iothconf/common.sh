# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared setup of the iothconf network tests: usage  script.sh STACK
# A VDE switch, a namespace "srv" joined to it with tap0 =
# 198.18.7.1/24 and fd00:7::1/64, and $PROBE (iothconf_probe) to drive the
# stack under test.
. "$IOTH_TESTLIB"
STACK=${1:-vdestack}
need_root
need_cmd vde_plug ip
PROBE="$IOTH_BUILD_DIR/tests/net/iothconf/iothconf_probe"
[ -x "$PROBE" ] || fail "missing $PROBE"
if [ -n "$IOTH_PLUGIN_PATH" ] && ! ls "$IOTH_PLUGIN_PATH"/ioth_"$STACK"*.so >/dev/null 2>&1; then
	skip "stack plugin $STACK not built"
fi
PY=/usr/bin/python3
TMPD=$(mktemp -d /tmp/iothconf-test.XXXXXX)
NET_DIRS="$NET_DIRS $TMPD"
net_switch SW
net_ns srv "$SW"
NS=$(nsname srv)
ip netns exec "$NS" sysctl -q -w net.ipv6.conf.tap0.accept_dad=0
ip -n "$NS" addr add 198.18.7.1/24 dev tap0
ip -n "$NS" addr add fd00:7::1/64 dev tap0 nodad
VNL="vde://$SW"

# the probe's output is kept in $TMPD/out (shown on failure)
probe() {
	"$PROBE" "$@" > "$TMPD/out" 2>&1
	local rv=$?
	return $rv
}
show_out() { echo "---- probe output"; cat "$TMPD/out"; echo "----"; }
expect() {   # expect REGEX MESSAGE
	grep -Eq -- "$1" "$TMPD/out" || { show_out; fail "$2 (no line matching '$1')"; }
}
expect_not() {
	! grep -Eq -- "$1" "$TMPD/out" || { show_out; fail "$2 (unexpected '$1')"; }
}

start_dnsmasq() {   # extra dnsmasq options
	net_nsbg srv dnsmasq --no-daemon --conf-file=/dev/null --pid-file="$TMPD/dnsmasq.pid" \
		--dhcp-leasefile="$TMPD/leases" --interface=tap0 --bind-interfaces --port=0 \
		--no-ping --dhcp-authoritative --log-dhcp --log-facility=- "$@" > "$TMPD/dnsmasq.log" 2>&1
	wait_until 5 grep -q "started, version" "$TMPD/dnsmasq.log" || { cat "$TMPD/dnsmasq.log"; fail "dnsmasq did not start"; }
}
