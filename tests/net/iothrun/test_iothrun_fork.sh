#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# iothrun on ustack: one stack for a process and the children it forks
# (without exec), against the Linux kernel of a namespace on the test's own
# VDE switch.
#
#  - python3: the parent listens, two forked children accept on the
#    inherited socket and send a file each; a child makes a new socket and
#    connects to the namespace; a grandchild (a child's child) sends on a
#    socket its grandparent made; a child's blocking recv is interrupted by
#    a signal (EINTR); sha256 compared;
#  - exec: a program python3 spawns (subprocess: vfork, no fork handler)
#    accepts on the listening socket passed to it; a shell's two commands
#    (python3's urllib) download through the shell's stack; each joins the stack (no
#    stack of its own); sha256 compared;
#  - nginx (Debian's, default master + 2 worker processes: the master binds
#    and listens, the workers accept) serves a 16 MiB file to curl in the
#    namespace, with `sendfile off` and `sendfile on`; sha256 compared.
set -u
. "$IOTH_TESTLIB"
need_root
need_cmd ip vde_plug curl socat sha256sum
PY=/usr/bin/python3
[ -x "$PY" ] || skip "needs Debian's python3 (scripts/install-deps installs it)"
RUN="$IOTH_BUILD_DIR/tools/iothrun/iothrun"
[ -x "$RUN" ] || skip "$RUN not built"
[ -e "$IOTH_PLUGIN_PATH/ioth_ustack-r.so" ] || [ -e "$IOTH_PLUGIN_PATH/ioth_ustack.so" ] ||
	skip "no ustack plugin in $IOTH_PLUGIN_PATH"
# In an AddressSanitizer build too: libiothrun takes libasan's allocator,
# thread registry and stack depot locks around fork (tools/iothrun/asanfork.c),
# which GCC 12's libasan does not do itself (docs/iothrun.md, Limits).

TMP=$(mktemp -d /tmp/iothrun_fork.XXXXXX)
NET_DIRS="$NET_DIRS $TMP"
FAILS=0
PASSES=0
SKIPPED=""
check() { # check DESCRIPTION COMMAND...
	local what=$1; shift
	if "$@"; then ok "$what"; PASSES=$((PASSES + 1)); else echo "FAIL: $what"; FAILS=$((FAILS + 1)); fi
}
same() { [ -s "$2" ] && [ "$(sha256sum <"$1" | cut -d' ' -f1)" = "$(sha256sum <"$2" | cut -d' ' -f1)" ]; }
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"

net_switch SW
net_ns peer "$SW"
NS=$(nsname peer)
ip -n "$NS" addr add 198.18.42.1/24 dev tap0
inns() { ip netns exec "$NS" "$@"; }
A4=198.18.42.5
CONF="stack=ustack,vnl=vde://$SW,eth,mac=02:00:00:00:42:05,ip=$A4/24,gw=198.18.42.1"

head -c 1000000 /dev/urandom >"$TMP/a.bin"
head -c 1000000 /dev/urandom >"$TMP/b.bin"
head -c 700000 /dev/urandom >"$TMP/c.bin"
head -c 500000 /dev/urandom >"$TMP/d.bin"

# --- python3: accept in two children, a new socket in a child, a grandchild
net_nsbg peer timeout 60 socat -u TCP4-LISTEN:9101,reuseaddr OPEN:"$TMP/c_out.bin",creat,trunc
C_SRV=$NET_LASTPID
net_nsbg peer timeout 60 socat -u TCP4-LISTEN:9102,reuseaddr OPEN:"$TMP/d_out.bin",creat,trunc
D_SRV=$NET_LASTPID
wait_until 10 inns sh -c "ss -tln | grep -q :9102" || fail "socat peers did not start"

cat >"$TMP/fork.py" <<'EOF_'
import os, signal, socket, sys, time
tmp, peer = sys.argv[1], sys.argv[2]
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("0.0.0.0", 9100))
ls.listen(8)
out = socket.create_connection((peer, 9102))   # made by the parent
def child(name):
    c, _ = ls.accept()
    c.sendall(open(os.path.join(tmp, name), "rb").read())
    c.close()
    os._exit(0)
kids = []
for name in ("a.bin", "b.bin"):
    pid = os.fork()
    if pid == 0:
        child(name)
    kids.append(pid)
pid = os.fork()
if pid == 0:
    # a new socket in a child, and a grandchild on the grandparent's socket
    s = socket.create_connection((peer, 9101))
    s.sendall(open(os.path.join(tmp, "c.bin"), "rb").read())
    s.close()
    g = os.fork()
    if g == 0:
        out.sendall(open(os.path.join(tmp, "d.bin"), "rb").read())
        out.close()
        os._exit(0)
    os.waitpid(g, 0)
    # a blocking recv interrupted by a signal handler: EINTR reaches python
    # (PEP 475 retries unless the handler raises)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("0.0.0.0", 9103))
    class Alarm(Exception): pass
    def h(sig, frame): raise Alarm()
    signal.signal(signal.SIGALRM, h)
    signal.alarm(1)
    try:
        u.recv(10)
        print("recv returned", flush=True)
    except Alarm:
        print("interrupted", flush=True)
    os._exit(0)
kids.append(pid)
out.close()
print("ready", flush=True)
for k in kids:
    _, st = os.waitpid(k, 0)
    print("child", k, st, flush=True)
EOF_
timeout 60 "$RUN" "$CONF" "$PY" "$TMP/fork.py" "$TMP" 198.18.42.1 >"$TMP/fork.log" 2>&1 &
PYPID=$!
NET_PIDS="$NET_PIDS $PYPID"
wait_until 30 grep -qx ready "$TMP/fork.log" || { cat "$TMP/fork.log"; fail "the python3 forking server did not start"; }
inns timeout 30 socat -u TCP4:$A4:9100 OPEN:"$TMP/r1.bin",creat,trunc
inns timeout 30 socat -u TCP4:$A4:9100 OPEN:"$TMP/r2.bin",creat,trunc
wait "$PYPID"
rc=$?
check "the forking python3 exits with 0 after its children (got $rc)" test "$rc" = 0
cat "$TMP/fork.log"
if same "$TMP/a.bin" "$TMP/r1.bin"; then
	check "two forked children accept on the inherited listener: sha256 equal" same "$TMP/b.bin" "$TMP/r2.bin"
else
	check "two forked children accept on the inherited listener: sha256 equal" \
		eval 'same "$TMP/b.bin" "$TMP/r1.bin" && same "$TMP/a.bin" "$TMP/r2.bin"'
fi
wait "$C_SRV"
check "a forked child's own new socket connects and sends: sha256 equal" same "$TMP/c.bin" "$TMP/c_out.bin"
wait "$D_SRV"
check "a grandchild sends on its grandparent's socket: sha256 equal" same "$TMP/d.bin" "$TMP/d_out.bin"
check "a signal handler interrupts a forked child's blocking recv" grep -qx interrupted "$TMP/fork.log"
check "every child exited with 0" eval '[ "$(grep -c "^child [0-9]* 0$" "$TMP/fork.log")" = 3 ]'

# --- exec: programs executed by a process on the stack join it
# python3's subprocess (vfork + exec: no fork handler runs) passes its
# listening socket to a program that accepts on it and sends a file; a
# shell's command (fork + exec) downloads through the stack. IOTHRUN_DEBUG
# says which process joined the stack of which.
cat >"$TMP/spawn.py" <<'EOF_'
import socket, subprocess, sys
tmp = sys.argv[1]
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("0.0.0.0", 9104))
ls.listen(4)
child = """
import os, socket, sys
ls = socket.socket(fileno=int(sys.argv[1]))
c, _ = ls.accept()
c.sendall(open(sys.argv[2], "rb").read())
c.close()
"""
p = subprocess.Popen([sys.executable, "-c", child, str(ls.fileno()), tmp + "/a.bin"],
                     pass_fds=[ls.fileno()])
print("ready", flush=True)
sys.exit(p.wait())
EOF_
IOTHRUN_DEBUG=1 timeout 60 "$RUN" "$CONF" "$PY" "$TMP/spawn.py" "$TMP" >"$TMP/spawn.log" 2>&1 &
SP=$!
NET_PIDS="$NET_PIDS $SP"
# the line "ready" alone: IOTHRUN_DEBUG's 'stack "..." ready' comes when the
# stack is made, before python3 has even listened (a connection then is
# refused and the spawned program waits in accept for nothing: it was seen
# so in AddressSanitizer builds, where python3 starts slower)
wait_until 30 grep -qx ready "$TMP/spawn.log" || { cat "$TMP/spawn.log"; fail "the spawning python3 did not start"; }
inns timeout 30 socat -u TCP4:$A4:9104 OPEN:"$TMP/r3.bin",creat,trunc
wait "$SP"
rc=$?
check "a program spawned by python3 (subprocess) accepts on the socket passed to it: sha256 equal (status $rc)" \
	same "$TMP/a.bin" "$TMP/r3.bin"
same "$TMP/a.bin" "$TMP/r3.bin" || grep -v "^iothrun\[[0-9]*\]: \(lo\|vde0\) " "$TMP/spawn.log"
check "... it joined the stack of python3 (no stack of its own)" \
	eval 'grep -q "joined the stack of process" "$TMP/spawn.log" && [ "$(grep -c "stack \".*\" ready" "$TMP/spawn.log")" = 1 ]'
net_nsbg peer "$PY" -m http.server 8090 --bind 198.18.42.1 --directory "$TMP"
wait_until 10 inns "$PY" -c 'import socket; socket.create_connection(("198.18.42.1", 8090), 1)' ||
	fail "http.server in the namespace did not start"
# (python3's urllib, not curl: curl hangs in setlocale with libasan
# preloaded, in sanitizer builds)
GET='import sys, urllib.request
open(sys.argv[2], "wb").write(urllib.request.urlopen(sys.argv[1], timeout=30).read())'
IOTHRUN_DEBUG=1 timeout 60 "$RUN" "$CONF" /bin/sh -c \
	"$PY -c '$GET' http://198.18.42.1:8090/b.bin '$TMP/sh1.bin'; $PY -c '$GET' http://198.18.42.1:8090/c.bin '$TMP/sh2.bin'; true" \
	>"$TMP/sh.log" 2>&1
check "two commands of a shell download through the shell's stack: sha256 equal" \
	eval 'same "$TMP/b.bin" "$TMP/sh1.bin" && same "$TMP/c.bin" "$TMP/sh2.bin"'
check "... both joined the shell's stack (one stack made)" \
	eval '[ "$(grep -c "joined the stack of process" "$TMP/sh.log")" = 2 ] && [ "$(grep -c "stack \".*\" ready" "$TMP/sh.log")" = 1 ]'

# --- nginx: master + workers, sendfile off and on
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
	echo "SKIP (part): nginx not installed (scripts/install-deps installs nginx-light)"
	SKIPPED="; nginx not installed"
else
	NGINX=$(command -v nginx || echo /usr/sbin/nginx)
	mkdir -p "$TMP/www" "$TMP/ng"
	head -c $((16 * 1024 * 1024)) /dev/urandom >"$TMP/www/big.bin"
	# the workers run as an unprivileged user (nginx's default)
	chmod a+rx "$TMP" "$TMP/www"
	chmod a+r "$TMP/www/big.bin"
	for sf in off on; do
		cat >"$TMP/ng/nginx-$sf.conf" <<EOF_
daemon off;
master_process on;
worker_processes 2;
pid $TMP/ng/nginx-$sf.pid;
error_log $TMP/ng/error-$sf.log info;
events { worker_connections 64; }
http {
	access_log $TMP/ng/access-$sf.log;
	client_body_temp_path $TMP/ng;
	proxy_temp_path $TMP/ng;
	fastcgi_temp_path $TMP/ng;
	uwsgi_temp_path $TMP/ng;
	scgi_temp_path $TMP/ng;
	sendfile $sf;
	server {
		listen $A4:8080;
		root $TMP/www;
	}
}
EOF_
		timeout 90 "$RUN" "$CONF" "$NGINX" -c "$TMP/ng/nginx-$sf.conf" -e "$TMP/ng/error-$sf.log" \
			>"$TMP/ng/out-$sf.log" 2>&1 &
		NG=$!
		NET_PIDS="$NET_PIDS $NG"
		wait_until 30 inns curl -s -o /dev/null "http://$A4:8080/" ||
			{ cat "$TMP/ng/out-$sf.log" "$TMP/ng/error-$sf.log"; fail "nginx (sendfile $sf) under iothrun did not answer"; }
		check "nginx runs a master and 2 worker processes (sendfile $sf)" \
			eval '[ "$(pgrep -c -P "$(cat "$TMP/ng/nginx-$sf.pid")")" -ge 2 ]'
		for i in 1 2 3; do
			inns timeout 60 curl -sS -o "$TMP/ng/got-$sf-$i.bin" "http://$A4:8080/big.bin"
		done
		check "nginx (workers, sendfile $sf) serves 16 MiB to curl 3 times: sha256 equal" \
			eval 'same "$TMP/www/big.bin" "$TMP/ng/got-$sf-1.bin" && same "$TMP/www/big.bin" "$TMP/ng/got-$sf-2.bin" && same "$TMP/www/big.bin" "$TMP/ng/got-$sf-3.bin"'
		check "nginx's access log has the 3 requests from the namespace (sendfile $sf)" \
			eval '[ "$(grep -c "^198.18.42.1 .*GET /big.bin HTTP/1.1\" 200 16777216" "$TMP/ng/access-$sf.log")" = 3 ]'
		kill -QUIT "$NG" 2>/dev/null
		kill -QUIT "$(cat "$TMP/ng/nginx-$sf.pid" 2>/dev/null)" 2>/dev/null
		wait_until 20 sh -c "! kill -0 $NG" || kill -9 "$NG"
		wait "$NG" 2>/dev/null
	done
fi

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ] || exit 1
[ -z "$SKIPPED" ] || skip "parts not run${SKIPPED}"
