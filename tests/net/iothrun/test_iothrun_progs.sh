#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# iothrun on ustack: programs people run, each against a peer in a
# namespace on the test's own VDE switch (Linux's stack there):
#  - dig (BIND 9, libuv: sends with syscall(SYS_sendmmsg)) asks dnsmasq in
#    the namespace over IPv4 and IPv6, and over TCP;
#  - ping and ping -6 reach the namespace;
#  - wget downloads a file from python3's http.server: sha256 compared;
#    again with the stack's capture (iothrun -o pcap=FILE): tcpdump -r shows
#    the TCP handshake;
#  - python3 asyncio: a server under iothrun echoes a file to a client in the
#    namespace, a client under iothrun sends a file to a server there;
#    sha256 compared;
#  - iperf3 as client and as server, both directions (-R): the bytes
#    received, from iperf3's report;
#  - ssh under iothrun runs a command on sshd in the namespace, and ssh in
#    the namespace on sshd under iothrun (re-exec, privilege separation and
#    the session's shell on the one shared stack): a key made by the test,
#    the command's output checked, 2 MB through it by sha256.
# Covered elsewhere: ip addr add then ping (test_iothrun_ip), ss -tan
# (test_iothrun_ss), SIGINT ending nc -l (test_iothrun_calls), nginx and
# forking servers (test_iothrun_fork).
set -u
. "$IOTH_TESTLIB"
need_root
need_cmd ip vde_plug dnsmasq sha256sum
PY=/usr/bin/python3
[ -x "$PY" ] || skip "needs Debian's python3 (scripts/install-deps installs it)"
RUN="$IOTH_BUILD_DIR/tools/iothrun/iothrun"
[ -x "$RUN" ] || skip "$RUN not built"
[ -e "$IOTH_PLUGIN_PATH/ioth_ustack-r.so" ] || [ -e "$IOTH_PLUGIN_PATH/ioth_ustack.so" ] ||
	skip "no ustack plugin in $IOTH_PLUGIN_PATH"

TMP=$(mktemp -d /tmp/iothrun_progs.XXXXXX)
NET_DIRS="$NET_DIRS $TMP"
FAILS=0
PASSES=0
check() { # check DESCRIPTION COMMAND...
	local what=$1; shift
	if "$@"; then ok "$what"; PASSES=$((PASSES + 1)); else echo "FAIL: $what"; FAILS=$((FAILS + 1)); fi
}
same() { [ -s "$2" ] && [ "$(sha256sum <"$1" | cut -d' ' -f1)" = "$(sha256sum <"$2" | cut -d' ' -f1)" ]; }
has() { command -v "$1" >/dev/null 2>&1; }
# a part whose program is missing: reported, and the whole test then ends as
# skipped (77), not as passed
SKIPPED=""
skipped() { echo "SKIP (part): $*"; SKIPPED="$SKIPPED; $*"; }
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"

net_switch SW
net_ns peer "$SW"
NS=$(nsname peer)
ip -n "$NS" addr add 198.18.44.1/24 dev tap0
ip -n "$NS" addr add fd00:44::1/64 dev tap0 nodad
inns() { ip netns exec "$NS" "$@"; }
A4=198.18.44.5
A6=fd00:44::5
CONF="stack=ustack,vnl=vde://$SW,eth,mac=02:00:00:00:44:05,ip=$A4/24,ip=$A6/64,gw=198.18.44.1,dns=198.18.44.1"
iothrun() { timeout 60 "$RUN" "$CONF" "$@"; }

head -c 2000000 /dev/urandom >"$TMP/a.bin"
head -c 3000000 /dev/urandom >"$TMP/b.bin"

# --- dig
if has dig; then
	net_nsbg peer dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
		--listen-address=198.18.44.1 --listen-address=fd00:44::1 --port=53 \
		--host-record=name.test,198.18.44.77 --log-queries --log-facility="$TMP/dnsmasq.log"
	wait_until 10 grep -q "started" "$TMP/dnsmasq.log" || fail "dnsmasq did not start"
	iothrun dig +time=3 +tries=2 +short @198.18.44.1 name.test >"$TMP/dig4.out" 2>&1
	check "dig over ustack (IPv4) gets name.test's address from dnsmasq" grep -qx 198.18.44.77 "$TMP/dig4.out"
	iothrun dig +time=3 +tries=2 +short @fd00:44::1 name.test AAAA name.test A >"$TMP/dig6.out" 2>&1
	check "dig over ustack (IPv6) gets name.test's address from dnsmasq" grep -qx 198.18.44.77 "$TMP/dig6.out"
	iothrun dig +tcp +time=3 +tries=2 +short @198.18.44.1 name.test >"$TMP/dig4t.out" 2>&1
	check "dig +tcp over ustack (IPv4; BIND sets TCP_USER_TIMEOUT) gets name.test's address" grep -qx 198.18.44.77 "$TMP/dig4t.out"
	check "dnsmasq saw the queries from the stack's addresses" \
		eval "grep -q 'query\[A\] name.test from $A4' '$TMP/dnsmasq.log' && grep -q 'query\[A\] name.test from $A6' '$TMP/dnsmasq.log'"
else
	skipped "dig not installed (bind9-dnsutils)"
fi

# --- ping, ping -6
if has ping; then
	iothrun ping -n -c 3 -i 0.2 -W 3 198.18.44.1 >"$TMP/ping4.out" 2>&1
	check "ping over ustack: 3 replies from the namespace" grep -q "3 packets transmitted, 3 received" "$TMP/ping4.out"
	iothrun ping -6 -n -c 3 -i 0.2 -W 3 fd00:44::1 >"$TMP/ping6.out" 2>&1
	check "ping -6 over ustack: 3 replies from the namespace" grep -q "3 packets transmitted, 3 received" "$TMP/ping6.out"
else
	skipped "ping not installed (iputils-ping)"
fi

# --- wget
mkdir "$TMP/www"
cp "$TMP/a.bin" "$TMP/www/file.bin"
net_nsbg peer "$PY" -m http.server 8080 --bind :: --directory "$TMP/www" >"$TMP/http.log" 2>&1
wait_until 10 inns "$PY" -c 'import socket; socket.create_connection(("198.18.44.1", 8080), 1)' ||
	fail "http.server did not start"
if has wget; then
	iothrun wget -q -O "$TMP/wget4.bin" http://198.18.44.1:8080/file.bin
	check "wget over ustack (IPv4): sha256 equal" same "$TMP/a.bin" "$TMP/wget4.bin"
	iothrun wget -q -O "$TMP/wget6.bin" "http://[fd00:44::1]:8080/file.bin"
	check "wget over ustack (IPv6): sha256 equal" same "$TMP/a.bin" "$TMP/wget6.bin"
	# the stack's capture (iothrun -o pcap=FILE) read by tcpdump
	if has tcpdump; then
		timeout 60 "$RUN" -o "pcap=$TMP/cap.pcap" "$CONF" wget -q -O "$TMP/wgetc.bin" http://198.18.44.1:8080/file.bin
		check "wget with a capture (iothrun -o pcap=): sha256 equal" same "$TMP/a.bin" "$TMP/wgetc.bin"
		tcpdump -r "$TMP/cap.pcap" -nn -c 3 tcp port 8080 >"$TMP/cap.txt" 2>/dev/null
		handshake() {
			sed -n 1p "$TMP/cap.txt" | grep -q "IP $A4\.[0-9]* > 198\.18\.44\.1\.8080: Flags \[S\]," &&
				sed -n 2p "$TMP/cap.txt" | grep -q "IP 198\.18\.44\.1\.8080 > $A4\.[0-9]*: Flags \[S\.\]," &&
				sed -n 3p "$TMP/cap.txt" | grep -q "IP $A4\.[0-9]* > 198\.18\.44\.1\.8080: Flags \[\.\],"
		}
		check "tcpdump -r of the stack's capture shows the TCP handshake (SYN, SYN-ACK, ACK)" handshake
		handshake || cat "$TMP/cap.txt"
	else
		skipped "tcpdump not installed"
	fi
else
	skipped "wget not installed"
fi

# --- python3 asyncio, server and client
cat >"$TMP/aserver.py" <<'EOF_'
import asyncio, sys
async def echo(r, w):
    while True:
        b = await r.read(65536)
        if not b:
            break
        w.write(b)
        await w.drain()
    w.close()
    await w.wait_closed()
    done.set()
async def main():
    global done
    done = asyncio.Event()
    srv = await asyncio.start_server(echo, sys.argv[1], int(sys.argv[2]))
    print("listening", flush=True)
    await asyncio.wait_for(done.wait(), 60)
    srv.close()
asyncio.run(main())
EOF_
cat >"$TMP/aclient.py" <<'EOF_'
import asyncio, sys
async def main():
    r, w = await asyncio.open_connection(sys.argv[1], int(sys.argv[2]))
    data = open(sys.argv[3], "rb").read()
    async def send():
        w.write(data)
        await w.drain()
        w.write_eof()
    t = asyncio.create_task(send())
    got = bytearray()
    while True:
        b = await r.read(65536)
        if not b:
            break
        got += b
    await t
    open(sys.argv[4], "wb").write(got)
    w.close()
asyncio.run(asyncio.wait_for(main(), 60))
EOF_
iothrun "$PY" "$TMP/aserver.py" "$A4" 7000 >"$TMP/as.log" 2>&1 &
AS=$!
NET_PIDS="$NET_PIDS $AS"
wait_until 30 grep -q listening "$TMP/as.log" || { cat "$TMP/as.log"; fail "asyncio server under iothrun"; }
inns timeout 60 "$PY" "$TMP/aclient.py" "$A4" 7000 "$TMP/a.bin" "$TMP/as_echo.bin"
wait "$AS"
check "python3 asyncio server over ustack echoes 2 MB to a client in the namespace: sha256 equal" \
	same "$TMP/a.bin" "$TMP/as_echo.bin"
net_nsbg peer timeout 60 "$PY" "$TMP/aserver.py" 198.18.44.1 7001 >"$TMP/ap.log" 2>&1
wait_until 10 grep -q listening "$TMP/ap.log" || fail "asyncio server in the namespace"
iothrun "$PY" "$TMP/aclient.py" 198.18.44.1 7001 "$TMP/b.bin" "$TMP/ac_echo.bin"
check "python3 asyncio client over ustack: 3 MB echoed by the namespace, sha256 equal" \
	same "$TMP/b.bin" "$TMP/ac_echo.bin"

# --- iperf3: client and server under iothrun, both directions. iperf3 ends
# a test when the sender has sent its count and drops what is still in
# flight (on Linux too), so its data is not compared: the client's report
# (JSON) must show the bytes received by the receiving side, at least 4 MB
# in 2 seconds, and both ends must exit with 0.
if has iperf3; then
	iperf_ok() { # JSON: the receiver got >= 4 MB
		"$PY" -c 'import json, sys
e = json.load(open(sys.argv[1]))["end"]
sys.exit(0 if e["sum_received"]["bytes"] >= 4000000 and e["sum_sent"]["bytes"] > 0 else 1)' "$1"
	}
	iperf_case() { # NAME SERVER-SIDE(ns|ioth) ADDR REVERSE(0|1) PORT
		local name=$1 side=$2 addr=$3 r= port=$5 rc
		[ "$4" = 1 ] && r=-R
		if [ "$side" = ns ]; then
			net_nsbg peer timeout 60 iperf3 -s -1 -p "$port"
			local spid=$NET_LASTPID
			wait_until 10 inns sh -c "ss -tln | grep -q ':$port '" || { echo "iperf3 -s in the namespace did not start"; return 1; }
			iothrun iperf3 -c "$addr" -p "$port" $r -t 2 -J >"$TMP/ip-$name.json" 2>"$TMP/ip-$name.err"
			rc=$?
		else
			iothrun iperf3 -s -1 --forceflush -p "$port" >"$TMP/ips-$name.log" 2>&1 &
			local spid=$!
			NET_PIDS="$NET_PIDS $spid"
			wait_until 30 grep -q "Server listening" "$TMP/ips-$name.log" || { cat "$TMP/ips-$name.log"; return 1; }
			inns timeout 60 iperf3 -c "$addr" -p "$port" $r -t 2 -J >"$TMP/ip-$name.json" 2>"$TMP/ip-$name.err"
			rc=$?
		fi
		wait "$spid" || { echo "iperf3 -s exited with $?"; return 1; }
		[ "$rc" = 0 ] && iperf_ok "$TMP/ip-$name.json" || { cat "$TMP/ip-$name.err"; head -c 2000 "$TMP/ip-$name.json"; return 1; }
	}
	check "iperf3 client over ustack sends to iperf3 -s in the namespace" \
		iperf_case c-send ns 198.18.44.1 0 5201
	check "iperf3 client over ustack -R receives from the namespace" \
		iperf_case c-recv ns 198.18.44.1 1 5202
	check "iperf3 -s over ustack receives from a client in the namespace (IPv6)" \
		iperf_case s-recv ioth "$A6" 0 5203
	check "iperf3 -s over ustack sends to a client in the namespace (-R)" \
		iperf_case s-send ioth "$A4" 1 5204
else
	skipped "iperf3 not installed"
fi

# --- ssh under iothrun to sshd in the namespace
if has ssh && [ -x /usr/sbin/sshd ] && has ssh-keygen; then
	mkdir -m 700 "$TMP/ssh"
	ssh-keygen -q -t ed25519 -N '' -f "$TMP/ssh/host" </dev/null
	ssh-keygen -q -t ed25519 -N '' -f "$TMP/ssh/user" </dev/null
	cp "$TMP/ssh/user.pub" "$TMP/ssh/authorized_keys"
	chmod 600 "$TMP/ssh/authorized_keys"
	mkdir -p /run/sshd
	cat >"$TMP/ssh/sshd_config" <<EOF_
Port 2222
ListenAddress 198.18.44.1
HostKey $TMP/ssh/host
AuthorizedKeysFile $TMP/ssh/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $TMP/ssh/sshd.pid
EOF_
	net_nsbg peer /usr/sbin/sshd -D -e -f "$TMP/ssh/sshd_config"
	wait_until 10 inns sh -c "ss -tln | grep -q ':2222 '" || fail "sshd in the namespace did not start"
	iothrun ssh -F none -i "$TMP/ssh/user" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o BatchMode=yes -p 2222 root@198.18.44.1 "echo ran-on-\$(cat /proc/sys/kernel/hostname)-\$SSH_CLIENT" \
		>"$TMP/ssh.out" 2>"$TMP/ssh.err"
	check "ssh over ustack runs a command on sshd in the namespace, from the stack's address" \
		grep -q "^ran-on-.*-$A4 " "$TMP/ssh.out"
	[ -s "$TMP/ssh.out" ] || cat "$TMP/ssh.err"

	# sshd under iothrun: its default re-exec of itself for each connection,
	# the privilege-separated child (forked, seccomp-sandboxed) and the
	# session's shell (exec'd) all join the listener's stack
	sed -e "s/^Port 2222/Port 2223/" -e "s/^ListenAddress .*/ListenAddress $A4/" \
		-e "s|^PidFile .*|PidFile $TMP/ssh/sshd-ioth.pid|" "$TMP/ssh/sshd_config" >"$TMP/ssh/sshd_ioth_config"
	timeout 120 "$RUN" "$CONF" /usr/sbin/sshd -D -e -f "$TMP/ssh/sshd_ioth_config" >"$TMP/sshd-ioth.log" 2>&1 &
	SSHD=$!
	NET_PIDS="$NET_PIDS $SSHD"
	wait_until 30 grep -q "Server listening" "$TMP/sshd-ioth.log" || { cat "$TMP/sshd-ioth.log"; fail "sshd under iothrun did not start"; }
	for i in 1 2; do
		inns timeout 30 ssh -F none -i "$TMP/ssh/user" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
			-o BatchMode=yes -p 2223 root@$A4 "echo session-$i; echo \$SSH_CONNECTION; sha256sum" \
			<"$TMP/a.bin" >"$TMP/sshd$i.out" 2>"$TMP/sshd$i.err"
	done
	want=$(sha256sum <"$TMP/a.bin" | cut -d' ' -f1)
	sshd_ok() {
		local i
		for i in 1 2; do
			grep -qx "session-$i" "$TMP/sshd$i.out" &&
				grep -q "^198.18.44.1 [0-9]* $A4 2223\$" "$TMP/sshd$i.out" &&
				grep -q "^$want " "$TMP/sshd$i.out" || return 1
		done
	}
	check "ssh from the namespace to sshd over ustack, twice: the command's output, 2 MB through it (sha256)" \
		sshd_ok
	[ -s "$TMP/sshd1.out" ] || cat "$TMP/sshd1.err" "$TMP/sshd-ioth.log"
	kill "$SSHD"
else
	skipped "ssh/sshd not installed (openssh-client, openssh-server)"
fi

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ] || exit 1
[ -z "$SKIPPED" ] || skip "parts not run${SKIPPED}"
