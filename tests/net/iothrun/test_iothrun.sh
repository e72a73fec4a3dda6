#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# iothrun: unmodified Debian programs on an ioth stack, against the Linux
# kernel of a namespace on the test's own VDE switch.
#
#   test_iothrun.sh STACK        (ustack, vdestack)
#
# The namespace runs python3's http.server, dnsmasq (name.test) and socat
# peers. Through iothrun on a STACK stack:
#  - curl downloads a file by IPv4, IPv6 and by name (resolved by curl's
#    getaddrinfo through dnsmasq, over the stack), sha256 compared (python3's
#    urllib in sanitizer builds: curl hangs with libasan preloaded);
#  - socat TCP and UDP both ways (client and server under iothrun), nc
#    (netcat-openbsd) as TCP client and as listening server;
#  - python3's http.server under iothrun serves curl in the namespace;
#  - the program's sockets are the stack's (getsockname, the servers' logs,
#    `ip addr` through rtnetlink, if_nameindex);
#  - a child of fork+exec gets a fresh stack of its own;
#  - a stack that cannot be made stops the program (exit status 125).
set -u
STACK=${1:-ustack}
. "$IOTH_TESTLIB"
need_root
need_cmd ip vde_plug curl socat nc dnsmasq sha256sum
PY=/usr/bin/python3
[ -x "$PY" ] || skip "needs Debian's python3 (scripts/install-deps installs it)"
RUN="$IOTH_BUILD_DIR/tools/iothrun/iothrun"
[ -x "$RUN" ] || skip "$RUN not built"
[ -e "$IOTH_PLUGIN_PATH/ioth_$STACK-r.so" ] || [ -e "$IOTH_PLUGIN_PATH/ioth_$STACK.so" ] ||
	skip "no $STACK plugin in $IOTH_PLUGIN_PATH"

TMP=$(mktemp -d /tmp/iothrun.XXXXXX)
NET_DIRS="$NET_DIRS $TMP"
FAILS=0
PASSES=0
check() { # check DESCRIPTION COMMAND...
	local what=$1; shift
	if "$@"; then ok "$what"; PASSES=$((PASSES + 1)); else echo "FAIL: $what"; FAILS=$((FAILS + 1)); fi
}
grep_both() { grep -q "$1" "$3" && grep -q "$2" "$3"; }
same() { [ -s "$2" ] && [ "$(sha256sum <"$1" | cut -d' ' -f1)" = "$(sha256sum <"$2" | cut -d' ' -f1)" ]; }

# Under a sanitizer build, iothrun preloads the sanitizer runtime into the
# (uninstrumented) programs: report our errors, not the programs' leaks.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"

net_switch SW
net_ns peer "$SW"
NS=$(nsname peer)
ip -n "$NS" addr add 198.18.40.1/24 dev tap0
ip -n "$NS" addr add fd00:40::1/64 dev tap0 nodad
inns() { ip netns exec "$NS" "$@"; }

# the stack of every program below: one address of each family, the
# namespace as gateway and DNS server. A fixed MAC, as a host has: every
# program gets a new stack, and with a new random MAC each time the
# namespace's neighbour cache would point at the previous one.
A4=198.18.40.5
A6=fd00:40::5
CONF="stack=$STACK,vnl=vde://$SW,eth,mac=02:00:00:00:40:05,ip=$A4/24,ip=$A6/64,gw=198.18.40.1,dns=198.18.40.1"
iothrun() { timeout 60 "$RUN" "$CONF" "$@"; }
# The HTTP client: curl; in a sanitizer build python3's urllib, because
# curl deadlocks in setlocale whenever libasan is preloaded into it (with
# or without iothrun: LD_PRELOAD=libasan.so.8 curl ... hangs the same).
PYGET='import sys, urllib.request
open(sys.argv[2], "wb").write(urllib.request.urlopen(sys.argv[1], timeout=30).read())'
if ldd "$RUN" | grep -q libasan; then
	CLIENT=urllib
	echo "sanitizer build: python3 urllib instead of curl as the HTTP client"
else
	CLIENT=curl
fi
fetch() { # URL FILE
	if [ "$CLIENT" = curl ]; then iothrun curl -sS -g -o "$2" "$1"; else iothrun "$PY" -c "$PYGET" "$1" "$2"; fi
}
# a socat peer in the namespace, in background; returns once it listens
peer_socat() { # LOG ADDRESS...
	local log=$1; shift
	net_nsbg peer timeout 60 socat -d -d "$@" 2>"$log"
	SRV=$NET_LASTPID
	wait_until 20 grep -q "listening on\|receiving on" "$log" || { cat "$log"; fail "socat $* in the namespace"; }
}

mkdir "$TMP/www"
head -c 3000000 /dev/urandom >"$TMP/www/file.bin"
head -c 700000 /dev/urandom >"$TMP/a.bin"
head -c 700000 /dev/urandom >"$TMP/b.bin"

net_nsbg peer "$PY" -m http.server 8080 --bind :: --directory "$TMP/www" >"$TMP/http.log" 2>&1
net_nsbg peer dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
	--listen-address=198.18.40.1 --port=53 --pid-file="$TMP/dnsmasq.pid" --local=/test/ \
	--host-record=name.test,198.18.40.1 --log-queries --log-facility="$TMP/dnsmasq.log"
wait_until 10 inns curl -s -o /dev/null http://198.18.40.1:8080/file.bin || fail "http.server did not start"
wait_until 10 grep -q "started" "$TMP/dnsmasq.log" || fail "dnsmasq did not start"

# ---- curl: IPv4, IPv6, by name
fetch http://198.18.40.1:8080/file.bin "$TMP/c4.bin"
check "$CLIENT over $STACK by IPv4: sha256 equal" same "$TMP/www/file.bin" "$TMP/c4.bin"
fetch "http://[fd00:40::1]:8080/file.bin" "$TMP/c6.bin"
check "$CLIENT over $STACK by IPv6: sha256 equal" same "$TMP/www/file.bin" "$TMP/c6.bin"
fetch http://name.test:8080/file.bin "$TMP/cn.bin"
check "$CLIENT over $STACK by name (dnsmasq through the stack): sha256 equal" \
	same "$TMP/www/file.bin" "$TMP/cn.bin"
check "dnsmasq was asked name.test by the stack's address" \
	grep -q "query\[A\] name.test from $A4" "$TMP/dnsmasq.log"
# the server saw the stack's address, not the host's
check "http.server saw the stack's addresses" \
	grep -Eq "^(::ffff:)?$A4 .*GET /file.bin" "$TMP/http.log"

# ---- socat TCP: client under iothrun, then server under iothrun
peer_socat "$TMP/p1.log" -u TCP4-LISTEN:9001,reuseaddr OPEN:"$TMP/t_out.bin",creat,trunc
iothrun socat -u OPEN:"$TMP/a.bin" TCP4:198.18.40.1:9001
wait "$SRV"
check "socat TCP client over $STACK -> kernel: sha256 equal" same "$TMP/a.bin" "$TMP/t_out.bin"

iothrun socat -d -d -u TCP6-LISTEN:9002,reuseaddr OPEN:"$TMP/t_in.bin",creat,trunc 2>"$TMP/t_in.log" &
SRV=$!
NET_PIDS="$NET_PIDS $SRV"
wait_until 20 grep -q "listening on" "$TMP/t_in.log" || { cat "$TMP/t_in.log"; fail "socat server under iothrun"; }
inns timeout 60 socat -u OPEN:"$TMP/b.bin" "TCP6:[$A6]:9002"
wait "$SRV"
check "socat TCP server over $STACK (IPv6) <- kernel client: sha256 equal" same "$TMP/b.bin" "$TMP/t_in.bin"

# ---- socat TCP by name (getaddrinfo through the stack)
peer_socat "$TMP/p2.log" -u TCP4-LISTEN:9003,reuseaddr OPEN:"$TMP/t_name.bin",creat,trunc
iothrun socat -u OPEN:"$TMP/a.bin" TCP4:name.test:9003
wait "$SRV"
check "socat TCP client over $STACK to name.test: sha256 equal" same "$TMP/a.bin" "$TMP/t_name.bin"

# ---- socat UDP both ways
peer_socat "$TMP/p3.log" -u UDP4-RECVFROM:9010 OPEN:"$TMP/u_out.txt",creat,trunc
# socat exits right after sendto, while the stack still resolves 198.18.40.1:
# iothrun's exit waits for the datagram to leave (docs/iothrun.md)
echo "datagram from $STACK" | iothrun socat -u - UDP4-SENDTO:198.18.40.1:9010
wait "$SRV"
check "socat UDP over $STACK -> kernel" grep -qx "datagram from $STACK" "$TMP/u_out.txt"

iothrun socat -d -d -u UDP6-RECVFROM:9011 OPEN:"$TMP/u_in.txt",creat,trunc 2>"$TMP/u_in.log" &
SRV=$!
NET_PIDS="$NET_PIDS $SRV"
wait_until 20 grep -q "receiving\|listening" "$TMP/u_in.log" || { cat "$TMP/u_in.log"; fail "socat UDP receiver under iothrun"; }
for i in 1 2 3; do   # until it lands (the first may wait for neighbour discovery)
	echo "datagram to $STACK" | inns socat -u - "UDP6-SENDTO:[$A6]:9011"
	wait_until 2 test -s "$TMP/u_in.txt" && break
done
wait "$SRV"
check "socat UDP kernel -> $STACK (IPv6)" grep -qx "datagram to $STACK" "$TMP/u_in.txt"

# ---- netcat-openbsd: client, then listening server, under iothrun
peer_socat "$TMP/p4.log" -u TCP4-LISTEN:9020,reuseaddr OPEN:"$TMP/n_out.bin",creat,trunc
iothrun nc -N 198.18.40.1 9020 <"$TMP/a.bin"
wait "$SRV"
check "nc client over $STACK -> kernel: sha256 equal" same "$TMP/a.bin" "$TMP/n_out.bin"

iothrun nc -v -l -N 9021 >"$TMP/n_in.bin" 2>"$TMP/n_in.log" </dev/null &
SRV=$!
NET_PIDS="$NET_PIDS $SRV"
wait_until 20 grep -qi "listening" "$TMP/n_in.log" || { cat "$TMP/n_in.log"; fail "nc -l under iothrun"; }
inns timeout 60 socat -u OPEN:"$TMP/b.bin" TCP4:$A4:9021
wait "$SRV"
check "nc -l over $STACK <- kernel client: sha256 equal" same "$TMP/b.bin" "$TMP/n_in.bin"

# ---- python3's http.server under iothrun, curl in the namespace
iothrun "$PY" -m http.server 8081 --bind $A4 --directory "$TMP/www" >"$TMP/http2.log" 2>&1 &
SRV=$!
NET_PIDS="$NET_PIDS $SRV"
wait_until 30 inns curl -s -o /dev/null "http://$A4:8081/" || { cat "$TMP/http2.log"; fail "http.server under iothrun"; }
inns curl -sS -o "$TMP/h_in.bin" "http://$A4:8081/file.bin"
check "http.server over $STACK serves curl in the namespace: sha256 equal" same "$TMP/www/file.bin" "$TMP/h_in.bin"
kill "$SRV"

# ---- the stack, not the host: what the program's sockets are bound to
iothrun "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("198.18.40.1", 9))
print(s.getsockname()[0])' >"$TMP/name.txt"
check "getsockname shows the stack's address $A4" grep -qx "$A4" "$TMP/name.txt"

# ---- rtnetlink goes to the stack: iproute2 lists the stack's interfaces
iothrun ip addr show >"$TMP/ipaddr.txt" 2>&1
check "ip addr under iothrun shows the stack's vde0 with $A4 and $A6" \
	grep_both "inet $A4/24" "inet6 $A6/64" "$TMP/ipaddr.txt"
# if_nameindex/if_indextoname (python3's socket module: libc's) list the
# stack's links, those ip addr shows, not the host's
iothrun "$PY" -c '
import socket
print(" ".join("%d:%s" % x for x in socket.if_nameindex()))
print(socket.if_indextoname(socket.if_nametoindex("vde0")))' >"$TMP/nameindex.txt" 2>&1
LINKS=$(sed -n 's/^\([0-9]*\): \([^:@]*\)[:@].*/\1:\2/p' "$TMP/ipaddr.txt" | tr '\n' ' ' | sed 's/ $//')
cat "$TMP/nameindex.txt"
check "if_nameindex under iothrun lists the stack's links as ip addr does ($LINKS), if_indextoname names vde0" \
	eval '[ -n "$LINKS" ] && [ "$(sed -n 1p "$TMP/nameindex.txt")" = "$LINKS" ] &&
		[ "$(sed -n 2p "$TMP/nameindex.txt")" = vde0 ]'

# ---- fork + exec: the child gets a fresh stack from the inherited
# environment (here the shell gives it another address: one stack each)
CONF_CHILD="stack=$STACK,vnl=vde://$SW,eth,mac=02:00:00:00:40:06,ip=198.18.40.6/24"
if [ "$CLIENT" = curl ]; then
	CHILD=(curl -sS -o "$TMP/fe.bin" http://198.18.40.1:8080/file.bin)
else
	CHILD=("$PY" -c "$PYGET" http://198.18.40.1:8080/file.bin "$TMP/fe.bin")
fi
IOTHRUN_CHILD_CONF="$CONF_CHILD" iothrun /bin/sh -c 'IOTHRUN_CONF="$IOTHRUN_CHILD_CONF" "$@"; exit $?' sh "${CHILD[@]}"
check "a child of fork+exec gets a stack of its own: sha256 equal" same "$TMP/www/file.bin" "$TMP/fe.bin"
check "... and the server saw the child's address 198.18.40.6" \
	grep -Eq "^(::ffff:)?198.18.40.6 .*GET /file.bin" "$TMP/http.log"

# ---- fork without exec: vdestack sockets are kernel sockets, the child
# keeps using its parent's (not supported on ustack: no event thread there)
if [ "$STACK" = vdestack ]; then
	peer_socat "$TMP/p5.log" -u UDP4-RECVFROM:9030 OPEN:"$TMP/fork.txt",creat,trunc
	iothrun "$PY" -c '
import os, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("198.18.40.1", 9030))
pid = os.fork()
if pid == 0:
    s.send(b"from the child\n")
    os._exit(0)
os.waitpid(pid, 0)'
	wait "$SRV"
	check "a forked child sends on its parent's vdestack socket" grep -qx "from the child" "$TMP/fork.txt"
fi

# ---- a wrong configuration stops the program before it runs
timeout 30 "$RUN" "stack=nosuchstack,vnl=vde://$SW,eth" true 2>"$TMP/bad.log"
rc=$?
check "an unknown stack ends the program with 125 and a message (got $rc)" \
	test "$rc" = 125 -a -s "$TMP/bad.log"

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
