#!/bin/bash
# TCP Fast Open (RFC 7413) between ustack and the Linux kernel (in a
# namespace of the test's own, net.ipv4.tcp_fastopen=3 there; the sysctl
# is per namespace), both ways. Each client connects twice with
# sendto(MSG_FASTOPEN): the first time it has no cookie (the SYN asks for
# one, the data follows the handshake), the second time its SYN carries
# the cookie and the data, which the server takes (TCPI_OPT_SYN_DATA on
# both ends).
. "$IOTH_TESTLIB"
need_root
need_cmd ip python3 vde_plug
PEER="$IOTH_BUILD_DIR/tests/net/ustack/ustack_peer"
[ -x "$PEER" ] || fail "missing $PEER"
TMP=$(mktemp -d)
NET_DIRS="$NET_DIRS $TMP"

net_switch SW
net_ns k "$SW"
K=$(nsname k)
ip -n "$K" addr add 198.18.6.1/24 dev tap0
ip netns exec "$K" sysctl -q -w net.ipv4.tcp_fastopen=3 || fail "net.ipv4.tcp_fastopen in the namespace"

cat >"$TMP/tfo.py" <<'PY'
import socket, struct, sys, select

def syn_data(s):
    ti = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    return 1 if ti[5] & 32 else 0   # tcpi_options, TCPI_OPT_SYN_DATA

def read_line(s):
    buf = b""
    while not buf.endswith(b"\n"):
        r, _, _ = select.select([s], [], [], 10)
        if not r:
            sys.exit("timeout")
        d = s.recv(256)
        if not d:
            sys.exit("eof")
        buf += d
    return buf

if sys.argv[1] == "serve":
    l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 5)
    l.bind(("0.0.0.0", int(sys.argv[2])))
    l.listen(5)
    print("LISTENING", flush=True)
    for i in range(int(sys.argv[3])):
        r, _, _ = select.select([l], [], [], 20)
        if not r:
            sys.exit("no connection")
        c, _ = l.accept()
        line = read_line(c)
        print("accept %s syn_data=%d" % (line.decode().strip(), syn_data(c)), flush=True)
        c.sendall(line)
        c.close()
else:
    for text in sys.argv[4:]:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        line = (text + "\n").encode()
        # blocking: without a cookie the data follows the handshake
        s.sendto(line, socket.MSG_FASTOPEN, (sys.argv[2], int(sys.argv[3])))
        if read_line(s) != line:
            sys.exit("bad echo")
        print("sent %s syn_data=%d" % (text, syn_data(s)), flush=True)
        s.close()
PY

# the kernel's server, and ustack: its Fast Open server, then its client
net_nsbg k python3 "$TMP/tfo.py" serve 8000 2 >"$TMP/k-serve.out" 2>"$TMP/k-serve.err"
wait_until 5 grep -q LISTENING "$TMP/k-serve.out" || fail "kernel server: $(cat "$TMP/k-serve.err")"
net_bg "$PEER" "ustack,tcp_fastopen=3,mac=02:00:00:00:06:02" "vde://$SW" 198.18.6.2/24 \
	tfo-serve 7000 2 tfo-send 198.18.6.1 8000 first tfo-send 198.18.6.1 8000 second \
	>"$TMP/peer.out" 2>"$TMP/peer.err"
PEERPID=$NET_LASTPID
wait_until 10 grep -q READY "$TMP/peer.out" || fail "ustack peer did not start: $(cat "$TMP/peer.err")"

# kernel client -> ustack server
ip netns exec "$K" timeout 30 python3 "$TMP/tfo.py" send 198.18.6.2 7000 one two >"$TMP/k-send.out" 2>"$TMP/k-send.err" ||
	fail "kernel client: $(cat "$TMP/k-send.err" "$TMP/peer.out" "$TMP/peer.err")"
wait_until 10 grep -q "tfo-accept two" "$TMP/peer.out" || fail "ustack server: $(cat "$TMP/peer.out" "$TMP/peer.err")"
grep -q "tfo-accept one syn_data=0" "$TMP/peer.out" || fail "first connection: $(cat "$TMP/peer.out")"
grep -q "tfo-accept two syn_data=1" "$TMP/peer.out" || fail "second connection, no SYN data taken: $(cat "$TMP/peer.out")"
grep -q "sent two syn_data=1" "$TMP/k-send.out" || fail "the kernel's SYN data not acknowledged: $(cat "$TMP/k-send.out")"
ok "kernel client -> ustack server: a cookie, then data in the SYN taken"

# ustack client -> kernel server
wait "$PEERPID"
rc=$?
[ $rc = 0 ] || fail "ustack peer failed ($rc): $(cat "$TMP/peer.out" "$TMP/peer.err")"
wait_until 5 grep -q "accept second" "$TMP/k-serve.out" || fail "kernel server: $(cat "$TMP/k-serve.out" "$TMP/k-serve.err")"
grep -q "accept first syn_data=0" "$TMP/k-serve.out" || fail "kernel, first: $(cat "$TMP/k-serve.out")"
grep -q "accept second syn_data=1" "$TMP/k-serve.out" || fail "kernel took no SYN data: $(cat "$TMP/k-serve.out")"
[ "$(grep -c "tfo-sent syn_data=1" "$TMP/peer.out")" = 1 ] || fail "ustack client: $(cat "$TMP/peer.out")"
ok "ustack client -> kernel server: a cookie, then data in the SYN taken"
