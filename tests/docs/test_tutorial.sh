#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# docs/tutorial.md walked as written (with a switch path of the test's own,
# and no IOTH_PLUGIN_PATH: the build tree's programs find its plugins):
# 2. a switch; 3. the ciao pair, and README's API example compiled as the
# tutorial says; 4. a vdens namespace on the switch pinging a ustack stack
# and talking to its TCP echo server; 5. curl under iothrun, static
# address, from an HTTP server in the namespace; 6. the same with DHCP from
# dnsmasq in the namespace, iothrun -d listing the leased address.
# Root: vdens needs user namespaces, which may be restricted otherwise.
. "$IOTH_TESTLIB"
need_root
need_cmd vde_plug vdens dnsmasq curl nc cc
[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3"
unset IOTH_PLUGIN_PATH
B=$IOTH_BUILD_DIR
EX=$B/examples/basic
IOTHRUN=$B/tools/iothrun/iothrun
[ -x "$EX/ciao_send" ] && [ -x "$IOTHRUN" ] || skip "examples or iothrun not built"
tmp=$(mktemp -d); NET_DIRS="$NET_DIRS $tmp"

# 2. Start a switch
net_switch SW
VNL="vde://$SW"

# 3. The ciao pair (their default addresses), and README's API example
net_bg "$EX/ciao_recv" ustack "$VNL" >"$tmp/recv" 2>&1
wait_until 10 grep -q listening "$tmp/recv" || { cat "$tmp/recv"; fail "ciao_recv"; }
"$EX/ciao_send" ustack "$VNL" || fail "ciao_send"
wait_until 5 grep -q "from 198.18.0.1:[0-9]*: ciao" "$tmp/recv" || { cat "$tmp/recv"; fail "no ciao"; }
ok "3. the ciao pair on ustack: $(tail -1 "$tmp/recv")"
awk '/^```c/ { n++; inb = 1; next } inb && /^```/ { inb = 0 } inb && n == 1' \
	"$IOTH_SOURCE_DIR/README.md" | sed "s#vde:///tmp/sw#$VNL#g" >"$tmp/ciao2.c"
grep -q "int main" "$tmp/ciao2.c" || fail "README's first C snippet is not the API example"
cc -o "$tmp/ciao2" "$tmp/ciao2.c" -I"$IOTH_SOURCE_DIR/include" -L"$B/src/libioth" -lioth \
	-Wl,-rpath,"$B/src/libioth" || fail "README's API example does not build as the tutorial says"
got=$(timeout 30 "$tmp/ciao2" 2>"$tmp/ciao2.err") || { cat "$tmp/ciao2.err"; fail "ciao2: '$got'"; }
[ "$got" = "b got ciao" ] || fail "ciao2 printed '$got'"
ok "3. README's API example: $got"

# 4. A Linux namespace on the same switch
net_bg "$EX/echo_server" ustack "$VNL" >"$tmp/echo" 2>&1
wait_until 10 grep -q "echo server" "$tmp/echo" || { cat "$tmp/echo"; fail "echo_server"; }
out=$(timeout 30 vdens "$VNL" sh -c 'ip link set vde0 up && ip addr add 198.18.0.10/24 dev vde0 &&
	ping -c 2 -W 2 198.18.0.1 >/dev/null && echo hello | nc -N 198.18.0.1 5000' 2>&1)
[ "$out" = hello ] || fail "4. the namespace: '$out'"
ok "4. a vdens namespace pings ustack and gets its echo: $out"

# 5. and 6.: an HTTP server and a DHCP server in a namespace
echo "ciao from the namespace" >"$tmp/index.html"
cat >"$tmp/ns.sh" <<NS
ip link set vde0 up
ip addr add 198.18.0.10/24 dev vde0
cd "$tmp" && /usr/bin/python3 -m http.server 8000 --bind 198.18.0.10 >"$tmp/http.log" 2>&1 &
echo \$! >"$tmp/pids"
dnsmasq -d --port=0 --interface=vde0 --bind-interfaces --dhcp-range=198.18.0.100,198.18.0.150,1h \
	--pid-file= --dhcp-leasefile="$tmp/leases" >"$tmp/dnsmasq.log" 2>&1 &
echo \$! >>"$tmp/pids"
echo \$\$ >>"$tmp/pids"
echo ready >"$tmp/ready"
exec sleep 100
NS
net_bg vdens "$VNL" sh "$tmp/ns.sh" >"$tmp/ns.out" 2>&1
wait_until 10 test -f "$tmp/ready" || fail "the namespace for step 5 did not start"
for p in $(cat "$tmp/pids"); do NET_PIDS="$NET_PIDS $p"; done
wait_until 10 grep -q "DHCP" "$tmp/dnsmasq.log" || { cat "$tmp/dnsmasq.log"; fail "dnsmasq"; }
page=$(timeout 30 "$IOTHRUN" stack=ustack,vnl="$VNL",eth,ip=198.18.0.5/24 \
	curl -s --retry 3 --retry-connrefused http://198.18.0.10:8000/index.html)
[ "$page" = "ciao from the namespace" ] || { cat "$tmp/http.log"; fail "5. curl under iothrun got '$page'"; }
ok "5. curl under iothrun, static address: $page"
page=$(timeout 60 "$IOTHRUN" -d stack=ustack,vnl="$VNL",eth,dhcp \
	curl -s http://198.18.0.10:8000/index.html 2>"$tmp/iothrun.log")
[ "$page" = "ciao from the namespace" ] || { cat "$tmp/iothrun.log" "$tmp/dnsmasq.log"; fail "6. curl with DHCP got '$page'"; }
addr=$(grep -o "vde0 198\.18\.0\.1[0-9][0-9]/24" "$tmp/iothrun.log" | head -1)
[ -n "$addr" ] || { cat "$tmp/iothrun.log"; fail "6. iothrun -d does not show the leased address"; }
ok "6. curl under iothrun, configured by DHCP ($addr)"
echo "6 passed, 0 failed"
