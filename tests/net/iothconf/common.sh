# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared setup of the iothconf network tests: usage  script.sh STACK
# A VDE switch, a namespace "srv" joined to it with tap0 =
# 198.18.7.1/24 and fd00:7::1/64, and $PROBE (iothconf_probe) to drive the
# stack under test, whose interface is $IF ($IFOPT selects it in configs).
#
# STACK "kernel": the probe runs in a second namespace "cli" (tap0 joined to
# the same switch) on the kernel plugin, never on the host's own stack.
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
IF=vde0
IFOPT=""
PROBE_NS=""
if [ "$STACK" = kernel ]; then
	net_ns cli "$SW"
	PROBE_NS=$(nsname cli)
	# the library, not the namespace's kernel, must act on RAs
	for k in accept_ra=0 autoconf=0 accept_dad=0; do
		ip netns exec "$PROBE_NS" sysctl -q -w "net.ipv6.conf.tap0.$k"
	done
	IF=tap0
	IFOPT=",iface=tap0"
	export PROBE_RESOLV="iface=tap0"
fi

# the probe's output is kept in $TMPD/out (shown on failure); a non zero
# exit fails the test (in the background: through wait $PID)
probe() {
	local rv
	if [ -n "$PROBE_NS" ]; then
		ip netns exec "$PROBE_NS" "$PROBE" "$@" > "$TMPD/out" 2>&1
	else
		"$PROBE" "$@" > "$TMPD/out" 2>&1
	fi
	rv=$?
	# a crash, a sanitizer report or a leak fails the test
	[ $rv = 0 ] || { show_out; fail "iothconf_probe exited with status $rv"; }
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

# start_radvd: radvd in the server namespace, forwarding on (a router),
# its configuration from stdin; RADVD_PID its pid
start_radvd() {
	need_cmd radvd
	ip netns exec "$NS" sysctl -q -w net.ipv6.conf.all.forwarding=1
	cat > "$TMPD/radvd.conf"
	net_nsbg srv radvd -n -C "$TMPD/radvd.conf" -p "$TMPD/radvd.pid" -m stderr 2> "$TMPD/radvd.log"
	RADVD_PID=$NET_LASTPID
	wait_until 5 test -s "$TMPD/radvd.pid" || fail "radvd did not start"
}

# ping ADDR from the server namespace; a new IPv6 address is tentative
# during DAD (RFC 4862 5.4, about 1 s on Linux), so try for a few seconds
ns_ping() {
	wait_until 6 ip netns exec "$NS" ping -c 1 -W 1 "$1"
}
