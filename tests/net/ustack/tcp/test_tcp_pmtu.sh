#!/bin/bash
# TCP path MTU discovery against real routers: a ustack client on a VDE
# switch sends to socat in a Linux namespace K through a Linux router R
# (namespace, forwarding on) whose route toward K has MTU 1280. Both ends'
# interfaces are 1500 bytes, so the MSS of the handshake (1460) is too
# large for the path: R drops each full segment (DF) and answers ICMP
# "fragmentation needed" (IPv4) or "packet too big" (IPv6) with 1280;
# ustack must shrink its segments (TCP_INFO's snd_mss 1280 - 40/60 - 12
# for the timestamps) and finish: 2 MB each way compared by sha256. Without
# it the connection stalls and tcp_peer gives up.
. "$IOTH_TESTLIB"
need_root
need_cmd ip socat vde_plug sha256sum
net_build_prog PEER tests/net/ustack/tcp/tcp_peer
net_tmpdir TMP
net_deepbind_shim

net_switch SW
net_ns r "$SW"
R=$(nsname r)
net_ns_bare k
K=$(nsname k)
ip -n "$R" link add v0 type veth peer name v1 netns "$K" || fail "cannot make the veth pair"
net_ns_addr r 198.18.11.1/24 fd00:11::1/64
ip -n "$R" addr add 198.18.12.1/24 dev v0
ip -n "$R" addr add fd00:12::1/64 dev v0 nodad
ip -n "$R" link set v0 up
ip -n "$K" addr add 198.18.12.2/24 dev v1
ip -n "$K" addr add fd00:12::2/64 dev v1 nodad
ip -n "$K" link set v1 up
ip -n "$K" route add default via 198.18.12.1
ip -n "$K" -6 route add default via fd00:12::1
# the narrow hop: R's routes toward K carry MTU 1280, locked (forwarding
# honours a locked route MTU, IPv6 only a locked one)
ip -n "$R" route replace 198.18.12.0/24 dev v0 mtu lock 1280
ip -n "$R" -6 route replace fd00:12::/64 dev v0 proto kernel metric 256 mtu lock 1280
ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 ||
	fail "cannot turn forwarding on in $R"

head -c 2000000 /dev/urandom >"$TMP/a"
head -c 2000000 /dev/urandom >"$TMP/b"
port=9100
for dst in 198.18.12.2 fd00:12::2; do
	listen=TCP4-LISTEN want=1228
	case "$dst" in *:*) listen=TCP6-LISTEN want=1208 ;; esac
	tag=${dst%%.*}; tag=${tag%%:*}-$port
	net_nsbg k timeout 60 socat -b 65536 -t 30 "$listen:$port,reuseaddr" \
		"OPEN:$TMP/b!!OPEN:$TMP/$tag.k,creat,trunc"
	kpid=$NET_LASTPID
	sleep 0.3
	TCP_PEER_GW4=198.18.11.1 TCP_PEER_GW6=fd00:11::1 timeout 60 "$PEER" "ustack,mac=02:00:00:00:0b:02" "vde://$SW" \
		198.18.11.2/24 fd00:11::2/64 client "$dst" "$port" "$TMP/$tag.us" "$TMP/a" >"$TMP/$tag.cli" 2>&1 ||
		fail "$dst: the transfer through the 1280-byte hop failed (stalled?): $(cat "$TMP/$tag.cli")"
	wait "$kpid" || fail "$dst: socat in K failed"
	same_data "$TMP/a" "$TMP/$tag.k" || fail "$dst: ustack -> Linux differs"
	same_data "$TMP/b" "$TMP/$tag.us" || fail "$dst: Linux -> ustack differs"
	grep -q "^info .* mss=$want " "$TMP/$tag.cli" ||
		fail "$dst: ustack's MSS is not the path's ($want): $(grep '^info' "$TMP/$tag.cli")"
	ok "$dst (${SECONDS}s): 2 MB each way through a 1280-byte hop, sha256 equal, $(grep -o 'mss=[0-9]*' "$TMP/$tag.cli")"
	port=$((port + 1))
done
exit 0
