#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# iothrun on ustack: what a forked child on its parent's stack
# (tools/iothrun/shared.c) gets as a process on Linux does
# (tests/net/iothrun/iothrun_share.c):
#
#  - a child's blocking recv under a repeating SIGALRM: with SA_RESTART the
#    call goes on and gets the datagram its parent sends later; without
#    SA_RESTART EINTR; with SA_RESTART and SO_RCVTIMEO set EINTR;
#  - a child's blocking connect (its SYN dropped by a full accept queue)
#    under a repeating SIGALRM: with SA_RESTART it goes on and connects;
#    without, EINTR, then EALREADY (non-blocking), 0 once connected (blocking:
#    it waits), EISCONN; with SA_RESTART and SO_SNDTIMEO, EINTR;
#  - a child's socket ioctls (FIONREAD, SIOCOUTQ, SIOCINQ, SIOCGIFCONF,
#    SIOCGIFINDEX, SIOCGSTAMP, SIOCATMARK, SIOCGARP, FIOCLEX, FIONBIO) give
#    what its parent's give, bad argument pointers (NULL, an unmapped page)
#    included: EFAULT as Linux, no crash; read-only memory to the requests
#    that write it: EFAULT; a child's SIOCGSTAMPNS after its recv gives the
#    datagram's time, and so does its parent's;
#  - bad data buffers (unmapped, NULL, read-only, half read-only) given to
#    a child's send, sendto, sendmsg, writev, recv, recvfrom, recvmsg,
#    readv: what Linux gives (the same program on Linux's sockets);
#  - the owner exits while its child waits in a blocking recv: the child's
#    calls end with ENETDOWN (no hang, no SIGPIPE); another child waiting
#    in its own poll is woken (POLLHUP);
#  - a child's getifaddrs, if_nametoindex, if_nameindex and if_indextoname
#    give what its parent's give; python3's socket.if_nameindex lists the
#    stack's links in the owner, a forked child and an exec'd program;
#  - a child's recvmsg gets IP_PKTINFO (MSG_CTRUNC when its room is too
#    small), its sendmsg's IP_PKTINFO picks the source address;
#  - ip addr / ip -6 route in a shell's command (it joins the shell's
#    stack): rtnetlink through the owner;
#  - a child resolves names (getaddrinfo, getnameinfo, gethostbyname) with
#    the stack's resolver: dnsmasq in the namespace sees its queries.
#
# Root: the stack's VDE switch is reached by a namespace's tap (net_ns).
set -u
. "$IOTH_TESTLIB"
need_root
need_cmd ip vde_plug dnsmasq
RUN="$IOTH_BUILD_DIR/tools/iothrun/iothrun"
SHARE="$IOTH_BUILD_DIR/tests/net/iothrun/iothrun_share"
[ -x "$RUN" ] || skip "$RUN not built"
[ -x "$SHARE" ] || skip "$SHARE not built"
[ -e "$IOTH_PLUGIN_PATH/ioth_ustack-r.so" ] || [ -e "$IOTH_PLUGIN_PATH/ioth_ustack.so" ] ||
	skip "no ustack plugin in $IOTH_PLUGIN_PATH"

TMP=$(mktemp -d /tmp/iothrun_share.XXXXXX)
NET_DIRS="$NET_DIRS $TMP"
FAILS=0
check() { # check DESCRIPTION COMMAND...
	local what=$1; shift
	if "$@"; then ok "$what"; else echo "FAIL: $what"; FAILS=$((FAILS + 1)); fi
}
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"

net_switch SW
net_ns peer "$SW"
NS=$(nsname peer)
ip -n "$NS" addr add 198.18.43.1/24 dev tap0
CONF="stack=ustack,vnl=vde://$SW,eth,mac=02:00:00:00:43:05,ip=198.18.43.5/24,ip=fd00:43::5/64,gw=198.18.43.1"

timeout 60 "$RUN" "$CONF" "$SHARE" restart 9300 >"$TMP/restart.log" 2>&1
rc=$?
cat "$TMP/restart.log"
check "a forked child's blocking recv, SA_RESTART / none / with SO_RCVTIMEO: as Linux (status $rc)" test "$rc" = 0
check "... the SA_RESTART call went on and got the later datagram" grep -q "^SA_RESTART: recv -> 5 (data).*as Linux$" "$TMP/restart.log"
check "... without SA_RESTART: EINTR" grep -q "^no SA_RESTART: recv -> -1 (Interrupted system call).*as Linux$" "$TMP/restart.log"
check "... SA_RESTART with SO_RCVTIMEO: EINTR" grep -q "^SA_RESTART + SO_RCVTIMEO: recv -> -1 (Interrupted system call).*as Linux$" "$TMP/restart.log"

timeout 60 "$RUN" "$CONF" "$SHARE" connect 9320 >"$TMP/connect.log" 2>&1
rc=$?
cat "$TMP/connect.log"
check "a forked child's blocking connect, SA_RESTART / none / with SO_SNDTIMEO: as Linux (status $rc)" test "$rc" = 0
check "... the SA_RESTART connect went on and connected" grep -q "^SA_RESTART: connect -> 0 (connected).*as Linux$" "$TMP/connect.log"
check "... without SA_RESTART: EINTR, then EALREADY, then 0 once connected, then EISCONN" \
	eval 'grep -q "^no SA_RESTART: connect -> -1 (Interrupted system call).*as Linux$" "$TMP/connect.log" &&
		grep -q "^no SA_RESTART: non-blocking connect again -> -1 (Operation already in progress): as Linux$" "$TMP/connect.log" &&
		grep -q "^no SA_RESTART: blocking connect again -> 0 (connected): as Linux$" "$TMP/connect.log" &&
		grep -q "^no SA_RESTART: connect once connected -> -1 (Transport endpoint is already connected): as Linux$" "$TMP/connect.log"'
check "... SA_RESTART with SO_SNDTIMEO: EINTR" grep -q "^SA_RESTART + SO_SNDTIMEO: connect -> -1 (Interrupted system call).*as Linux$" "$TMP/connect.log"
check "... a blocking connect to a port without a listener: ECONNREFUSED" grep -q "^no listener: connect -> -1 (Connection refused): as Linux$" "$TMP/connect.log"

timeout 60 "$RUN" "$CONF" "$SHARE" ioctl 9330 >"$TMP/ioctl.log" 2>&1
rc=$?
cat "$TMP/ioctl.log"
child_ioctl() { sed -n "/^child:/,\$p" "$TMP/ioctl.log" | grep -Eq "$1"; }
check "a forked child's socket ioctls give what its parent's give (status $rc)" test "$rc" = 0
check "... FIONREAD (the datagram's 7 bytes), SIOCOUTQ, SIOCINQ of a listener EINVAL" \
	eval 'child_ioctl "^FIONREAD 0 7 ok$" && child_ioctl "^SIOCOUTQ 0 0 ok$" &&
		child_ioctl "^listener SIOCINQ -1 Invalid argument$"'
check "... SIOCGIFCONF: lo and vde0 with their addresses, the length alone, a room for one entry" \
	eval 'child_ioctl "^SIOCGIFCONF 0 ok len 80: lo 127.0.0.1 vde0 198.18.43.5$" &&
		child_ioctl "^SIOCGIFCONF NULL 0 ok len 80$" && child_ioctl "^SIOCGIFCONF room for one 0 ok len 40 lo$"'
check "... SIOCGIFINDEX of vde0; SIOCGARP (not a ustack ioctl): ENOTTY" \
	eval 'child_ioctl "^SIOCGIFINDEX vde0 0 [1-9][0-9]* ok$" && child_ioctl "^SIOCGARP -1 Inappropriate ioctl for device$"'
check "... FIOCLEX/FIONCLEX set and clear the descriptor's FD_CLOEXEC, FIONBIO its O_NONBLOCK" \
	eval 'child_ioctl "^FIOCLEX 0 1 FIONCLEX 0 0$" && child_ioctl "^FIONBIO 0 1 0 0$"'
check "... SIOCATMARK: 0 on a TCP socket (no urgent mark), ENOTTY on UDP; SIOCGSTAMP before a read: ENOENT" \
	eval 'child_ioctl "^listener SIOCATMARK 0 0 ok$" && child_ioctl "^SIOCATMARK -1 Inappropriate ioctl for device$" &&
		child_ioctl "^SIOCGSTAMP -1 No such file or directory$"'
efault_ok=1
for w in NULL hole; do
	for req in FIONREAD FIONBIO SIOCGIFADDR SIOCGIFFLAGS SIOCGIFCONF SIOCATMARK "listener SIOCATMARK" \
			bind connect setsockopt; do
		child_ioctl "^$w $req -1 Bad address$" || { echo "not EFAULT: $w $req"; efault_ok=0; }
	done
	child_ioctl "^$w listener SIOCINQ -1 Invalid argument$" || { echo "not EINVAL: $w listener SIOCINQ"; efault_ok=0; }
	child_ioctl "^$w SIOCGSTAMP -1 No such file or directory$" || { echo "not ENOENT: $w SIOCGSTAMP"; efault_ok=0; }
done
child_ioctl "^NULL ifc_buf SIOCGIFCONF 0 ok$" || { echo "not 0: SIOCGIFCONF's NULL ifc_buf"; efault_ok=0; }
child_ioctl "^hole ifc_buf SIOCGIFCONF -1 Bad address$" || { echo "not EFAULT: SIOCGIFCONF's unmapped ifc_buf"; efault_ok=0; }
check "... bad argument pointers (NULL, unmapped) of FIONREAD, FIONBIO, SIOCGIFADDR, SIOCGIFFLAGS, SIOCGIFCONF (and its ifc_buf), SIOCATMARK, and of bind, connect, setsockopt: EFAULT in the child; SIOCINQ of a listener EINVAL, SIOCGSTAMP ENOENT first" \
	test "$efault_ok" = 1
ro_ok=1
for req in FIONREAD SIOCGIFADDR SIOCGIFFLAGS SIOCGIFINDEX "ifc_buf SIOCGIFCONF"; do
	child_ioctl "^read-only $req -1 Bad address$" || { echo "not EFAULT: read-only $req"; ro_ok=0; }
done
child_ioctl "^read-only SIOCGSTAMP -1 No such file or directory$" || { echo "not ENOENT: read-only SIOCGSTAMP"; ro_ok=0; }
check "... read-only memory given to FIONREAD, SIOCGIFADDR, SIOCGIFFLAGS, SIOCGIFINDEX, SIOCGIFCONF's ifc_buf: EFAULT in the owner (ustack) and in the child, no crash; SIOCGSTAMP ENOENT first" \
	test "$ro_ok" = 1
check "... the child's SIOCGSTAMPNS after its recv, and then its parent's: the datagram's time" \
	eval 'grep -q "^child after its recv SIOCGSTAMPNS: 0, the datagram.s time$" "$TMP/ioctl.log" &&
		grep -q "^parent SIOCGSTAMPNS: 0, the datagram.s time$" "$TMP/ioctl.log"'

# bad data buffers in a child: the same program on Linux's own sockets (no
# iothrun) gives the reference lines
"$SHARE" data 9350 >"$TMP/data-linux.log" 2>&1
rc=$?
check "iothrun_share data on Linux's own sockets (status $rc)" test "$rc" = 0
timeout 60 "$RUN" "$CONF" "$SHARE" data 9350 >"$TMP/data.log" 2>&1
rc=$?
cat "$TMP/data.log"
check "bad data buffers (unmapped, NULL, read-only, half read-only) in a forked child's send, sendto, sendmsg, writev, recv, recvfrom, recvmsg, readv: no crash, the parent's sockets go on (status $rc)" \
	test "$rc" = 0
check "... the child's results are Linux's: EFAULT, a UDP datagram not written is lost, TCP data stays and arrives whole" \
	eval 'diff <(sed -n "/^child:/,\$p" "$TMP/data-linux.log") <(sed -n "/^child:/,\$p" "$TMP/data.log") &&
		[ "$(grep -c " -1 Bad address$" "$TMP/data.log")" -ge 15 ] && grep -q "^tcp got .stream.$" "$TMP/data.log"'

# the owner exits while its child waits in recv (the child goes on alone)
timeout 60 "$RUN" "$CONF" "$SHARE" orphan 9340 >"$TMP/orphan.log" 2>&1
rc=$?
check "the owner of the stack exits while its child waits (status $rc)" test "$rc" = 0
wait_until 25 eval 'grep -q "^orphan done" "$TMP/orphan.log" && grep -q "^orphan poll" "$TMP/orphan.log"'
for OPID in $(sed -n "s/^orphan \(child\|poller\) \([0-9]*\)$/\2/p" "$TMP/orphan.log"); do
	kill -9 "$OPID" 2>/dev/null
done
cat "$TMP/orphan.log"
check "... the child's blocking recv ends with ENETDOWN, its sendto, socket, getifaddrs too (no hang, no SIGPIPE), its close succeeds" \
	eval 'grep -q "^orphan recv -> -1 Network is down$" "$TMP/orphan.log" &&
		grep -q "^orphan sendto -> -1 Network is down$" "$TMP/orphan.log" &&
		grep -q "^orphan socket -> Network is down$" "$TMP/orphan.log" &&
		grep -q "^orphan getifaddrs -> -1 Network is down$" "$TMP/orphan.log" &&
		grep -q "^orphan close -> 0$" "$TMP/orphan.log" &&
		grep -q "^orphan done: every call failed with ENETDOWN$" "$TMP/orphan.log"'
check "... another child waiting in its own poll is woken (POLLHUP), its recv is ENETDOWN" \
	grep -q "^orphan poll -> 1 POLLHUP, recv -> -1 Network is down: woken$" "$TMP/orphan.log"

timeout 60 "$RUN" "$CONF" "$SHARE" ifaddrs >"$TMP/ifaddrs.log" 2>&1
rc=$?
cat "$TMP/ifaddrs.log"
check "a forked child's getifaddrs lists what its parent's does (status $rc)" test "$rc" = 0
check "... the stack's vde0 with its IPv4 and IPv6 addresses, in the child" \
	eval 'sed -n "/^child:/,\$p" "$TMP/ifaddrs.log" | grep -q "^vde0 2 198.18.43.5 255.255.255.0 " &&
		sed -n "/^child:/,\$p" "$TMP/ifaddrs.log" | grep -q "^vde0 10 fd00:43::5 ffff:ffff:ffff:ffff:: "'
check "... and lo, and the links (AF_PACKET)" \
	eval 'sed -n "/^child:/,\$p" "$TMP/ifaddrs.log" | grep -q "^lo 2 127.0.0.1 255.0.0.0 " &&
		sed -n "/^child:/,\$p" "$TMP/ifaddrs.log" | grep -q "^vde0 17 "'
check "... if_nametoindex in the child: lo and vde0 have their indexes, an unknown name ENODEV" \
	eval 'sed -n "/^child:/,\$p" "$TMP/ifaddrs.log" | grep -q "^index lo [1-9][0-9]* vde0 [1-9][0-9]* nosuch0 0 No such device$"'

check "... if_nameindex in the child: lo and vde0, consistent with getifaddrs, if_nametoindex, if_indextoname" \
	eval 'sed -n "/^child:/,\$p" "$TMP/ifaddrs.log" | grep -Eq "^nameindex [1-9][0-9]* lo [1-9][0-9]* vde0, as getifaddrs \(2 links\)$"'
check "... if_indextoname of an index without a link in the child: ENXIO" \
	eval 'sed -n "/^child:/,\$p" "$TMP/ifaddrs.log" | grep -q "^indextoname 9999 NULL No such device or address$"'

# python3's socket.if_nameindex/if_indextoname (libc's if_nameindex and
# if_indextoname) in the stack's owner, in a forked child and in a program
# a shell ran: the stack's links (lo, vde0), not the host's
cat >"$TMP/nameindex.py" <<'EOF_'
import errno, os, socket, sys
def show(who):
    l = socket.if_nameindex()
    good = sorted(n for i, n in l) == ["lo", "vde0"] and all(
        socket.if_indextoname(i) == n and socket.if_nametoindex(n) == i for i, n in l)
    try:
        socket.if_indextoname(9999)
    except OSError as e:
        good = good and e.errno == errno.ENXIO
    else:
        good = False
    print(who, " ".join("%d:%s" % x for x in l), "ok" if good else "BAD", flush=True)
    return good
good = show(sys.argv[1])
if sys.argv[1] == "owner":
    pid = os.fork()
    if pid == 0:
        os._exit(0 if show("child") else 1)
    good = os.waitpid(pid, 0)[1] == 0 and good
sys.exit(0 if good else 1)
EOF_
timeout 60 "$RUN" "$CONF" python3 "$TMP/nameindex.py" owner >"$TMP/nameindex.log" 2>&1
rc=$?
timeout 60 "$RUN" "$CONF" /bin/sh -c "python3 '$TMP/nameindex.py' exec; exit \$?" >>"$TMP/nameindex.log" 2>&1
rc=$((rc + $?))
cat "$TMP/nameindex.log"
check "python3's socket.if_nameindex/if_indextoname: the stack's links, in the owner, a forked child, an exec'd program (status $rc)" \
	eval '[ "$rc" = 0 ] && grep -Eq "^owner [0-9]+:lo [0-9]+:vde0 ok$" "$TMP/nameindex.log" &&
		grep -Eq "^child [0-9]+:lo [0-9]+:vde0 ok$" "$TMP/nameindex.log" &&
		grep -Eq "^exec [0-9]+:lo [0-9]+:vde0 ok$" "$TMP/nameindex.log"'

timeout 60 "$RUN" "$CONF" "$SHARE" cmsg 9310 198.18.43.5 >"$TMP/cmsg.log" 2>&1
rc=$?
cat "$TMP/cmsg.log"
check "a forked child's ancillary data: recvmsg's IP_PKTINFO and MSG_CTRUNC, sendmsg's IP_PKTINFO source (status $rc)" \
	test "$rc" = 0
check "... the parent received the child's datagram from the address its IP_PKTINFO named" \
	grep -q "^parent recvfrom: 3 bytes from 198.18.43.5:9311$" "$TMP/cmsg.log"

# iproute2 in a shell's command (fork + exec: it joins the shell's stack):
# rtnetlink through the owner
IOTHRUN_DEBUG=1 timeout 60 "$RUN" "$CONF" /bin/sh -c 'ip addr show; ip -6 route show; true' \
	>"$TMP/ip.log" 2>&1
grep -v "^iothrun" "$TMP/ip.log"
check "ip addr in a process sharing the stack lists the stack's addresses" \
	eval 'grep -q "inet 198.18.43.5/24" "$TMP/ip.log" && grep -q "inet6 fd00:43::5/64" "$TMP/ip.log"'
check "ip -6 route in a process sharing the stack lists the stack's routes" \
	grep -q "^fd00:43::/64 dev vde0" "$TMP/ip.log"
check "... both commands joined the shell's stack (one stack made)" \
	eval '[ "$(grep -c "joined the stack of process" "$TMP/ip.log")" = 2 ] && [ "$(grep -c "stack \".*\" ready" "$TMP/ip.log")" = 1 ]'

# dnsmasq in the namespace is the stack's resolver (dns=)
net_nsbg peer dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
	--listen-address=198.18.43.1 --host-record=child.test,198.18.43.77 \
	--log-queries --log-facility="$TMP/dnsmasq.log"
wait_until 10 grep -q "started" "$TMP/dnsmasq.log" || fail "dnsmasq did not start"
timeout 60 "$RUN" "$CONF,dns=198.18.43.1" "$SHARE" resolve child.test 198.18.43.77 nosuch.test \
	>"$TMP/resolve.log" 2>&1
rc=$?
cat "$TMP/resolve.log"
check "a forked child's getaddrinfo, getnameinfo, gethostbyname through the stack's resolver (status $rc)" \
	test "$rc" = 0
check "... dnsmasq saw the child's queries (A and PTR) from the stack's address" \
	eval "grep -q 'query\[A\] child.test from 198.18.43.5' '$TMP/dnsmasq.log' &&
		grep -q 'query\[PTR\] 77.43.18.198.in-addr.arpa from 198.18.43.5' '$TMP/dnsmasq.log'"

echo "$FAILS failed"
[ "$FAILS" = 0 ]
