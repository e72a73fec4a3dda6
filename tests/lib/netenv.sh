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
#   net_ns_bare NS             namespace $NS with only lo, up (add links yourself)
#   net_ns_addr NS ADDR...     the addresses on NS's tap0 (IPv6 ones without DAD)
#   net_wirefilter VAR LOG SW1:SW2 ARGS...
#                              wirefilter ARGS between two switches (-v), its
#                              commands from a FIFO held open, its output in
#                              LOG, its PID in $VAR, killed at exit
#   net_unwatch PID            a background PID the test waited for: not
#                              killed at exit (the number may be reused)
#   net_build_prog VAR REL     $IOTH_BUILD_DIR/REL in $VAR; fail unless executable
#   need_scapy                 skip unless /usr/bin/python3 imports scapy; $PY
#   same_data A B              true when files A and B hold the same bytes
#   need_plugin NAME...        skip unless the build has the plugin of stack NAME
#   check WHAT COMMAND...      a soft assertion: "ok: WHAT" when COMMAND succeeds,
#                              else "FAIL: WHAT" counted in $FAILS (the test ends
#                              with: [ "$FAILS" = 0 ] || fail ...)
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
FAILS=0

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

net_ns_bare() {
	local ns; ns=$(nsname "$1")
	ip netns add "$ns" || fail "cannot create namespace $ns"
	NET_NSS="$NET_NSS $ns"
	ip -n "$ns" link set lo up
}

net_ns() {
	local ns; ns=$(nsname "$1")
	net_ns_bare "$1"
	local ifname=${3:-tap0}
	net_bg ip netns exec "$ns" vde_plug "vde://$2" "tap://$ifname"
	wait_until 5 ip -n "$ns" link show "$ifname" || fail "$ifname did not appear in $ns"
	ip -n "$ns" link set "$ifname" up
}

net_ns_addr() {
	local ns; ns=$(nsname "$1"); shift
	local a
	for a in "$@"; do
		case "$a" in
		*:*) ip -n "$ns" addr add "$a" dev tap0 nodad || fail "cannot add $a in $ns" ;;
		*) ip -n "$ns" addr add "$a" dev tap0 || fail "cannot add $a in $ns" ;;
		esac
	done
}

net_wirefilter() {
	local var=$1 log=$2 wire=$3
	shift 3
	# wirefilter reads commands on stdin: one FIFO, held open by this shell
	# for the whole run, gives every wirefilter one that never ends (not
	# net_bg: a command put in the background without a redirection of
	# its own gets /dev/null as stdin)
	if [ -z "$NET_WF_FD" ]; then
		local wfdir
		net_tmpdir wfdir
		mkfifo "$wfdir/wf.in" || fail "cannot make a FIFO for wirefilter"
		exec {NET_WF_FD}<>"$wfdir/wf.in"
	fi
	wirefilter -v "$wire" "$@" <&"$NET_WF_FD" >"$log" 2>&1 &
	local pid=$!
	NET_PIDS="$NET_PIDS $pid"
	sleep 0.5
	kill -0 "$pid" 2>/dev/null || fail "wirefilter $* did not start: $(cat "$log")"
	eval "$var=\$pid"
}

net_unwatch() {
	NET_PIDS=$(echo " $NET_PIDS " | sed "s/ $1 / /")
}

net_build_prog() {
	local path="$IOTH_BUILD_DIR/$2"
	[ -x "$path" ] || fail "missing $path"
	eval "$1=\$path"
}

need_scapy() {
	PY=/usr/bin/python3
	if ! [ -x "$PY" ] || ! "$PY" -c "import scapy.all" 2>/dev/null; then
		skip "needs python3-scapy for /usr/bin/python3 (scripts/install-deps installs it)"
	fi
}

same_data() {
	[ "$(sha256sum <"$1" | cut -d' ' -f1)" = "$(sha256sum <"$2" | cut -d' ' -f1)" ]
}

need_plugin() {
	local p
	for p in "$@"; do
		ls "$IOTH_PLUGIN_PATH"/ioth_"$p"*.so >/dev/null 2>&1 || skip "no $p plugin in $IOTH_PLUGIN_PATH"
	done
}

check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else echo "FAIL: $what"; FAILS=$((FAILS + 1)); fi
}
