# SPDX-License-Identifier: LGPL-2.1-or-later
# netenv.sh: real switches, namespaces and taps for network tests.
#
# Source it from a test script:   . "$IOTH_TESTLIB"
# Everything it makes is named after this test run (NET_ID) and removed on
# exit, processes by PID. Test hosts use 198.18.0.0/15 and fd00::/8 only.
#
#   need_root                  skip (exit 77) unless root: namespaces and taps
#   need_cmd CMD...            skip unless every command exists
#   skip MSG / fail MSG        exit 77 / exit 1 with a message
#   net_switch VAR             start a VDE switch, store its path in $VAR
#   net_ns NS SWITCHPATH [IF]  namespace $NS with tap IF (tap0) joined to the switch, up
#   net_bg CMD...              run CMD in background, killed at exit ($NET_LASTPID)
#   net_nsbg NS CMD...         the same, inside namespace NS
#   wait_until SECS CMD...     retry CMD every 0.1 s until it succeeds or SECS pass
#   net_tmpdir VAR             a temporary folder, removed at exit, in $VAR
#   net_deepbind_shim          in sanitizer builds, preload the build's
#                              libnodeepbind.so (libvdeplug's VNL modules are
#                              loaded with RTLD_DEEPBIND, which the sanitizers
#                              refuse: tests/lib/nodeepbind.c)
#
# Namespace names are "$NET_ID-NS" (use "$(nsname NS)" for ip -n / ip netns exec).

NET_ID="ioth$$"
NET_PIDS=""
NET_NSS=""
NET_DIRS=""

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root to create network namespaces and tap devices"
}

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "needs $c (scripts/install-deps installs it)"
	done
}

nsname() { echo "$NET_ID-$1"; }

net_cleanup() {
	local p ns d
	for p in $NET_PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for p in $NET_PIDS; do
		kill -9 "$p" 2>/dev/null
		{ wait "$p"; } 2>/dev/null
	done
	for ns in $NET_NSS; do ip netns del "$ns" 2>/dev/null; done
	for d in $NET_DIRS; do rm -rf "$d"; done
}
trap net_cleanup EXIT
trap 'exit 1' INT TERM

wait_until() {
	local secs=$1; shift
	local n=$((secs * 10))
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

net_tmpdir() {
	local d; d=$(mktemp -d) || fail "cannot make a temporary folder"
	NET_DIRS="$NET_DIRS $d"
	eval "$1=\$d"
}

net_deepbind_shim() {
	local shim="$IOTH_BUILD_DIR/tests/net/ustack/libnodeepbind.so"
	if [ -e "$shim" ]; then
		export LD_PRELOAD="$shim" ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0"
	fi
}

net_bg() {
	"$@" &
	NET_LASTPID=$!
	NET_PIDS="$NET_PIDS $NET_LASTPID"
}

net_nsbg() {
	local ns; ns=$(nsname "$1"); shift
	net_bg ip netns exec "$ns" "$@"
}

net_switch() {
	local path="/tmp/$NET_ID-sw-$1"
	NET_DIRS="$NET_DIRS $path"
	net_bg vde_plug null:// "switch://$path"
	wait_until 5 test -S "$path/ctl" || fail "switch $path did not start"
	eval "$1=\$path"
}

net_ns() {
	local ns; ns=$(nsname "$1")
	ip netns add "$ns" || fail "cannot create namespace $ns"
	NET_NSS="$NET_NSS $ns"
	ip -n "$ns" link set lo up
	local ifname=${3:-tap0}
	net_bg ip netns exec "$ns" vde_plug "vde://$2" "tap://$ifname"
	wait_until 5 ip -n "$ns" link show "$ifname" || fail "$ifname did not appear in $ns"
	ip -n "$ns" link set "$ifname" up
}
