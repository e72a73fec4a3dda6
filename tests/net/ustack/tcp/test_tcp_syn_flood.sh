#!/bin/bash
# SYN cookies (RFC 4987) against a real SYN flood: scapy in one namespace
# sends 20,000 SYNs with spoofed sources (198.18.9.10-250, nobody answers
# for them) to a ustack listener (backlog 8: a SYN queue of 128) while a
# Linux client in another namespace opens 200 connections one after the
# other, each sending a line and reading the server's reply. Every one
# must succeed with the reply intact: the flood fills the SYN queue at
# once and keeps it full (each spoofed SYN-ACK is retried for a minute),
# so without cookies the client's SYNs are dropped and its connects time
# out. Needs root (namespaces, taps) and python3-scapy.
. "$IOTH_TESTLIB"
need_root
need_cmd ip socat vde_plug cmp
need_scapy
net_build_prog PEER tests/net/ustack/tcp/tcp_peer
net_tmpdir TMP
net_deepbind_shim
N=200
FLOOD=20000
US=198.18.9.1
MAC=02:00:00:00:09:01

net_switch SW
net_ns k "$SW"
net_ns f "$SW"
K=$(nsname k)
net_ns_addr k 198.18.9.2/24
net_ns_addr f 198.18.9.3/24

echo "the server's reply" >"$TMP/reply"
echo "a line from the client" >"$TMP/req"
net_bg "$PEER" "ustack,mac=$MAC" "vde://$SW" "$US/24" "fd00:9::1/64" serve 8000 "$N" "$TMP/in" "$TMP/reply" \
	>"$TMP/srv" 2>&1
SRV=$NET_LASTPID
wait_until 10 grep -q READY "$TMP/srv" || fail "ustack server did not start: $(cat "$TMP/srv")"

# the flood: raw frames to the listener's MAC, sources and ISNs random
cat >"$TMP/flood.py" <<PYEOF
import random, sys
from scapy.all import Ether, IP, TCP, conf
s = conf.L2socket(iface="tap0")
sent = 0
while sent < $FLOOD:
    for i in range(500):
        p = Ether(dst="$MAC") / IP(src="198.18.9.%d" % random.randint(10, 250), dst="$US") / \
            TCP(sport=random.randint(1024, 65535), dport=8000, flags="S", seq=random.getrandbits(32),
                options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (random.getrandbits(32), 0)), ("WScale", 7)])
        s.send(p)
    sent += 500
    if sent == 2000:
        print("flooding", flush=True)
print("sent", sent, flush=True)
PYEOF
net_nsbg f "$PY" "$TMP/flood.py" >"$TMP/flood.log" 2>&1
wait_until 60 grep -q flooding "$TMP/flood.log" || fail "the flood did not start: $(cat "$TMP/flood.log")"

bad=0
for i in $(seq 0 $((N - 1))); do
	if ! ip netns exec "$K" timeout 20 socat -t 5 "TCP4:$US:8000,connect-timeout=5" "OPEN:$TMP/req!!OPEN:$TMP/out.$i,creat,trunc" \
			2>"$TMP/cli.$i"; then
		bad=$((bad + 1))
		echo "connection $i failed: $(cat "$TMP/cli.$i")"
		[ $bad -lt 3 ] || fail "connections fail under the SYN flood (SYN cookies?): $bad of $((i + 1))"
		continue
	fi
	cmp -s "$TMP/reply" "$TMP/out.$i" || fail "connection $i: the reply differs"
done
[ $bad -eq 0 ] || fail "$bad of $N connections failed under the SYN flood"
wait "$SRV" || fail "ustack server failed: $(cat "$TMP/srv")"
for i in $(seq 0 $((N - 1))); do
	cmp -s "$TMP/req" "$TMP/in.$i" || fail "connection $i: the request differs at the server"
done
ok "$N connections from Linux all succeeded under a SYN flood of $FLOOD spoofed SYNs (flood: $(tail -1 "$TMP/flood.log"))"
