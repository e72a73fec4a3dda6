#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Error messages that say what to do:
# - a switch that is not running: ioth_newstack (IOTH_DEBUG=1) and iothrun
#   name the path and how to start a switch;
# - an unknown plugin: IOTH_DEBUG=1 lists the directories searched, iothrun
#   says how to set the plugin path;
# - iothrun -d lists the addresses the stack got;
# - iothdig reports a DNS REFUSED as such (not as "Connection refused").
. "$IOTH_TESTLIB"
need_cmd vde_plug
[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3 (Debian's, not a wrapper)"
B=$IOTH_BUILD_DIR
SEND=$B/examples/basic/ciao_send
IOTHRUN=$B/tools/iothrun/iothrun
IOTHDIG=$B/tools/iothdig/iothdig
[ -x "$SEND" ] || skip "$SEND not built"
tmp=$(mktemp -d); NET_DIRS="$NET_DIRS $tmp"
nosw="$tmp/no-switch"

IOTH_DEBUG=1 "$SEND" ustack "vde://$nosw" 198.18.13.1/24 198.18.13.2 5000 >/dev/null 2>"$tmp/e1" &&
	fail "ciao_send without a switch succeeded"
grep -q "no VDE switch at $nosw: start one, e.g. vde_plug null:// switch://$nosw" "$tmp/e1" ||
	{ cat "$tmp/e1"; fail "ioth_newstack without a switch: no hint"; }
ok "ioth_newstack without a switch names it and says how to start one (IOTH_DEBUG=1)"

IOTH_DEBUG=1 "$SEND" nosuchplugin "vde://$nosw" 198.18.13.1/24 198.18.13.2 5000 >/dev/null 2>"$tmp/e2" &&
	fail "ciao_send on a plugin that does not exist succeeded"
grep -q "no plugin named nosuchplugin (ioth_nosuchplugin-r.so or ioth_nosuchplugin.so) in: $IOTH_PLUGIN_PATH, " "$tmp/e2" ||
	{ cat "$tmp/e2"; fail "unknown plugin: the directories searched are not listed"; }
ok "an unknown plugin: IOTH_DEBUG=1 lists the directories searched"

# a program of the build tree finds the build tree's plugins by itself
env -u IOTH_PLUGIN_PATH IOTH_DEBUG=1 "$SEND" ustack "vde://$nosw" 198.18.13.1/24 198.18.13.2 5000 \
	>/dev/null 2>"$tmp/e2b"
grep -q "no VDE switch at $nosw" "$tmp/e2b" && ! grep -q "no plugin named" "$tmp/e2b" ||
	{ cat "$tmp/e2b"; fail "without IOTH_PLUGIN_PATH a build-tree program does not find ustack"; }
ok "without IOTH_PLUGIN_PATH, a build-tree program finds the build tree's plugins"

if [ -x "$IOTHRUN" ]; then
	"$IOTHRUN" "stack=ustack,vnl=vde://$nosw,eth" /bin/true 2>"$tmp/e3" && fail "iothrun without a switch succeeded"
	grep -q "no VDE switch at $nosw: start one" "$tmp/e3" || { cat "$tmp/e3"; fail "iothrun without a switch: no hint"; }
	ok "iothrun without a switch names it and says how to start one"
	"$IOTHRUN" "stack=nosuchplugin,vnl=vde://$nosw,eth" /bin/true 2>"$tmp/e4" && fail "iothrun on no plugin succeeded"
	grep -q "set IOTH_PLUGIN_PATH.*IOTH_DEBUG=1 lists the directories searched" "$tmp/e4" ||
		{ cat "$tmp/e4"; fail "iothrun on an unknown plugin: no hint"; }
	ok "iothrun on an unknown plugin says how to find the plugins"
fi

net_switch SW
if [ -x "$IOTHRUN" ]; then
	"$IOTHRUN" -d "stack=ustack,vnl=vde://$SW,eth,ip=198.18.13.5/24" /bin/true 2>"$tmp/e5" ||
		{ cat "$tmp/e5"; fail "iothrun -d on a switch"; }
	grep -q "vde0 198.18.13.5/24" "$tmp/e5" && grep -q "vde0 fe80::.*/64" "$tmp/e5" ||
		{ cat "$tmp/e5"; fail "iothrun -d does not list the stack's addresses"; }
	ok "iothrun -d lists the addresses of the stack (static and link-local)"
fi

if [ -x "$IOTHRUN" ] && [ -x "$IOTHDIG" ]; then
	# a name server that answers REFUSED to everything, on a stack of its own
	cat >"$tmp/refuse.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.13.1", 53))
print("listening", flush=True)
while True:
    q, peer = s.recvfrom(4096)
    i = 12
    while i < len(q) and q[i] != 0:
        i += q[i] + 1
    question = q[12:i + 5]
    s.sendto(q[:2] + bytes([0x80 | (q[2] & 0x79), 0x05]) + q[4:6] + bytes(6) + question, peer)
PY
	net_bg "$IOTHRUN" "stack=ustack,vnl=vde://$SW,eth,ip=198.18.13.1/24" /usr/bin/python3 "$tmp/refuse.py" >"$tmp/srv" 2>&1
	wait_until 10 grep -q listening "$tmp/srv" || { cat "$tmp/srv"; fail "the REFUSED server did not start"; }
	"$IOTHDIG" -s "stack=ustack,vnl=vde://$SW,eth,ip=198.18.13.2/24" @198.18.13.1 www.example.test A \
		>"$tmp/out" 2>"$tmp/e6"
	rc=$?
	grep -q ";; www.example.test: REFUSED" "$tmp/e6" && ! grep -qi "connection refused" "$tmp/e6" ||
		{ cat "$tmp/e6"; fail "iothdig does not report REFUSED as a DNS answer"; }
	[ "$rc" = 0 ] || fail "iothdig exit status $rc on REFUSED (a server answered: 0, as dig)"
	ok "iothdig reports a DNS REFUSED as REFUSED, exit status 0"
fi
echo "done, 0 failed"
