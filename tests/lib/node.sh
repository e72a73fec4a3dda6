# Shell side of the test nodes that obey commands on stdin and answer on
# stdout (tests/net/hostile/nodelib.h). Source after netenv.sh: the node
# runs as a coprocess NODE and is killed with the test's other processes.

# node_start BIN ARGS...: start the node, wait for its "ready"
node_start() {
	coproc NODE { exec "$@" 2>&1; }
	# bash unsets NODE_PID once the coprocess ends: keep the pid to wait for it
	NODE_PROC=$NODE_PID
	NET_PIDS="$NET_PIDS $NODE_PROC"
	local line
	read -t 20 -r line <&"${NODE[0]}" || fail "node did not start"
	[ "$line" = ready ] || fail "node: $line"
}

# node_alive NS ADDR4 ADDR6: from namespace NS the node answers ping and its
# UDP echo (port 7), IPv4 and IPv6; otherwise says what failed
node_alive() {
	ip netns exec "$1" ping -c 1 -W 2 "$2" >/dev/null || { echo "no IPv4 ping answer"; return 1; }
	ip netns exec "$1" ping -6 -c 1 -W 2 "$3" >/dev/null || { echo "no IPv6 ping answer"; return 1; }
	local r
	r=$(echo udp4 | ip netns exec "$1" timeout 5 socat -T2 - "UDP4:$2:7")
	[ "$r" = udp4 ] || { echo "no IPv4 UDP echo"; return 1; }
	r=$(echo udp6 | ip netns exec "$1" timeout 5 socat -T2 - "UDP6:[$3]:7")
	[ "$r" = udp6 ] || { echo "no IPv6 UDP echo"; return 1; }
}

# node_quit: the node deletes its stack and exits 0
node_quit() {
	echo quit >&"${NODE[1]}"
	wait "$NODE_PROC" || fail "node did not delete its stack cleanly"
}
