#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# libiothdns against real peers, resolving through a user-space stack.
#
#   test_iothdns_net.sh STACK        (vdestack, ustack, ...)
#
# A namespace on the test's own VDE switch runs dnsmasq (records set with
# --host-record, --cname, --txt-record, --srv-host, --mx-host,
# --ptr-record), a silent UDP sink (timeouts and retries), an upstream
# for fail.test built on libiothdns's server functions (SERVFAIL), and
# unbound serving an authoritative zone (unb.test) from a zone file. From a
# STACK stack on the switch:
#  - iothdig (stack from an iothconf string) vs dig +short in the namespace;
#  - lookup_a/aaaa, CNAME chain, NXDOMAIN, SERVFAIL, IPv6 transport;
#  - getaddrinfo over families x socket types x flags and getnameinfo
#    (PTR), compared with glibc's own run in the namespace (ip netns exec
#    binds /etc/netns/NS/resolv.conf and hosts over /etc: same server,
#    same hosts file);
#  - TCP fallback for a reply larger than 1232 bytes (TCP through STACK);
#  - timeout and retry with a silent server;
#  - a DNS server on a STACK stack (iothdns_netserver) answering dig over
#    UDP and TCP, IPv4 and IPv6, with truncation.
set -u
STACK=${1:-vdestack}
. "$IOTH_TESTLIB"
need_root
need_cmd dnsmasq dig ip vde_plug socat

B=$IOTH_BUILD_DIR
CLIENT=$B/tests/net/iothdns/iothdns_netclient
SERVER=$B/tests/net/iothdns/iothdns_netserver
IOTHDIG=$B/tools/iothdig/iothdig
for p in "$CLIENT" "$SERVER" "$IOTHDIG"; do
	[ -x "$p" ] || skip "$p not built"
done
need_plugin "$STACK"

net_tmpdir TMP

net_switch SW
net_ns dns "$SW"
NS=$(nsname dns)
ip -n "$NS" addr add 198.18.0.1/24 dev tap0
ip -n "$NS" addr add 198.18.0.3/24 dev tap0
ip -n "$NS" addr add fd00::1/64 dev tap0 nodad

# glibc in the namespace sees these as /etc/resolv.conf and /etc/hosts
mkdir -p "/etc/netns/$NS"
NET_DIRS="$NET_DIRS /etc/netns/$NS"
printf 'nameserver 198.18.0.1\nsearch example.test\noptions timeout:1 attempts:1\n' > "/etc/netns/$NS/resolv.conf"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost\n198.18.0.77 filehost.example.test filehost\n' > "/etc/netns/$NS/hosts"
cp "/etc/netns/$NS/resolv.conf" "$TMP/resolv.conf"
cp "/etc/netns/$NS/hosts" "$TMP/hosts"

# upstream for fail.test: libiothdns's server on the namespace's kernel
net_nsbg dns "$SERVER" -s kernel -p 5300 -t 280 > "$TMP/upstream.log" 2>&1
wait_until 5 grep -q ready "$TMP/upstream.log" || fail "upstream server did not start"

BIG=()
for i in $(seq -w 1 30); do
	BIG+=("--txt-record=big.example.test,record $i of a reply larger than the EDNS0 payload")
done
# between 512 and 1232 bytes: fits with EDNS0, truncated without
for i in $(seq -w 1 12); do
	BIG+=("--txt-record=medium.example.test,record $i of a reply over 512 bytes")
done
net_nsbg dns dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
	--listen-address=198.18.0.1 --listen-address=fd00::1 --port=53 --pid-file="$TMP/dnsmasq.pid" \
	--local=/example.test/ --local=/in-addr.arpa/ --local=/ip6.arpa/ \
	--server=/fail.test/198.18.0.1#5300 \
	--host-record=host.example.test,198.18.0.10,fd00::10 \
	--host-record=v4only.example.test,198.18.0.11 \
	--host-record=v6only.example.test,fd00::11 \
	--host-record=multi.example.test,198.18.0.21 --host-record=multi.example.test,198.18.0.22 \
	--cname=alias.example.test,mid.example.test --cname=mid.example.test,host.example.test \
	--txt-record=txt.example.test,"hello world","second string" \
	--srv-host=_sip._udp.example.test,sip.example.test,5060,1,2 \
	--srv-host=_sip._udp.example.test,sip2.example.test,5061,3,4 \
	--mx-host=example.test,mail.example.test,10 \
	--ptr-record=99.0.18.198.in-addr.arpa,ptronly.example.test \
	"${BIG[@]}" --log-queries --log-facility="$TMP/dnsmasq.log"
wait_until 10 ip netns exec "$NS" dig +time=1 +tries=1 +short @198.18.0.1 host.example.test ||
	fail "dnsmasq does not answer"
net_nsbg dns socat -u UDP4-RECV:53,bind=198.18.0.3 OPEN:"$TMP/silent.bin",creat,append

N=100
client() { # a new STACK stack with fresh addresses for each run
	N=$((N + 1))
	"$CLIENT" -s "$STACK" -v "vde://$SW" -4 "198.18.0.$N/24" -6 "fd00::$N/64" \
		-H "$TMP/hosts" "$@"
}
iothdig() {
	N=$((N + 1))
	"$IOTHDIG" -s "stack=$STACK,vnl=vde://$SW,eth,ip=198.18.0.$N/24" "$@"
}
nsdig() { ip netns exec "$NS" dig +time=2 +tries=2 "$@"; }

# dig_vs_iothdig SERVER LABEL: for each query line of stdin, iothdig on a
# STACK stack answers as dig in the namespace (+short, sorted), and dig
# answers at all; the checks are named after LABEL
dig_vs_iothdig() {
	local q
	while read -r q; do
		# shellcheck disable=SC2086
		nsdig +short "@$1" $q | sort > "$TMP/dig.out"
		# shellcheck disable=SC2086
		iothdig "@$1" $q | sort > "$TMP/iothdig.out"
		check "$2iothdig $q same as dig ($(wc -l < "$TMP/dig.out") lines)" \
			cmp -s "$TMP/dig.out" "$TMP/iothdig.out"
		[ -s "$TMP/dig.out" ] || check "$2dig gave an answer for $q" false
	done
}

# ---- iothdig vs dig +short ----
dig_vs_iothdig 198.18.0.1 "" <<EOF
host.example.test A
host.example.test AAAA
alias.example.test A
multi.example.test A
example.test MX
txt.example.test TXT
_sip._udp.example.test SRV
-x 198.18.0.10
-x fd00::10
-x 198.18.0.99
big.example.test TXT
EOF
check "big TXT: 30 records through TCP fallback" test "$(wc -l < "$TMP/iothdig.out")" = 30
check "dnsmasq saw big.example.test over UDP and TCP" \
	test "$(grep -c 'query\[TXT\] big.example.test from 198.18.0' "$TMP/dnsmasq.log")" -ge 4
# over 512 bytes: one UDP query with EDNS0; without it TC, then TCP
printf 'nameserver 198.18.0.1\noptions no-edns0\n' > "$TMP/noedns.conf"
iothdig @198.18.0.1 medium.example.test TXT > "$TMP/o" 2>&1
check "medium TXT with EDNS0: 12 records in one UDP reply" \
	test "$(wc -l < "$TMP/o")" = 12 -a "$(grep -c 'query\[TXT\] medium.example.test from 198.18.0' "$TMP/dnsmasq.log")" = 1
iothdig -c "$TMP/noedns.conf" medium.example.test TXT > "$TMP/o" 2>&1
check "medium TXT without EDNS0: 12 records after TC and TCP" \
	test "$(wc -l < "$TMP/o")" = 12 -a "$(grep -c 'query\[TXT\] medium.example.test from 198.18.0' "$TMP/dnsmasq.log")" = 3
iothdig -t @198.18.0.1 host.example.test > "$TMP/o" 2>&1
check "iothdig -t (TCP only)" grep -qx 198.18.0.10 "$TMP/o"

# ---- lookup functions ----
client -c "$TMP/resolv.conf" a alias > "$TMP/o" 2>&1
check "lookup_a alias (search list, CNAME chain)" \
	test "$(cat "$TMP/o")" = "$(printf 'count 1\n198.18.0.10')"
client -c "$TMP/resolv.conf" aaaa host.example.test > "$TMP/o" 2>&1
check "lookup_aaaa" test "$(cat "$TMP/o")" = "$(printf 'count 1\nfd00::10')"
client -c "$TMP/resolv.conf" a v6only.example.test > "$TMP/o" 2>&1
check "lookup_a on a name without A: 0" test "$(cat "$TMP/o")" = "count 0"
client -c "$TMP/resolv.conf" a nx.example.test > "$TMP/o" 2>&1
check "NXDOMAIN: ENOENT" grep -qx "error ENOENT" "$TMP/o"
client -c "$TMP/resolv.conf" a x.fail.test > "$TMP/o" 2>&1
check "SERVFAIL: EAGAIN" grep -qx "error EAGAIN" "$TMP/o"
printf 'nameserver fd00::1\n' > "$TMP/resolv6.conf"
client -c "$TMP/resolv6.conf" a host.example.test > "$TMP/o" 2>&1
check "query over IPv6" test "$(cat "$TMP/o")" = "$(printf 'count 1\n198.18.0.10')"

# ---- getaddrinfo / getnameinfo vs glibc in the namespace ----
for args in "host.example.test" "alias.example.test domain" "v4only.example.test" \
		"v6only.example.test" "multi.example.test" "host" "filehost" "nx.example.test" \
		"x.fail.test." "198.18.0.10 http"; do
	# shellcheck disable=SC2086
	ip netns exec "$NS" "$CLIENT" -g gai $args > "$TMP/glibc.out" 2>&1
	# shellcheck disable=SC2086
	client -c "$TMP/resolv.conf" gai $args > "$TMP/iothdns.out" 2>&1
	check "getaddrinfo $args: 144 combinations as glibc" cmp -s "$TMP/glibc.out" "$TMP/iothdns.out"
	cmp -s "$TMP/glibc.out" "$TMP/iothdns.out" || diff "$TMP/glibc.out" "$TMP/iothdns.out" | head -8
done
for args in "198.18.0.10 53" "fd00::10 80" "198.18.0.99 0" "198.18.0.98 22" "198.18.0.77 53"; do
	# shellcheck disable=SC2086
	ip netns exec "$NS" "$CLIENT" -g gni $args > "$TMP/glibc.out" 2>&1
	# shellcheck disable=SC2086
	client -c "$TMP/resolv.conf" gni $args > "$TMP/iothdns.out" 2>&1
	# NI_NOFQDN (0x4): glibc strips the domain of the host's own name; a
	# context strips its first search domain (docs/iothdns.md)
	grep -v '^flags=0x4:' "$TMP/glibc.out" > "$TMP/glibc.cmp"
	grep -v '^flags=0x4:' "$TMP/iothdns.out" > "$TMP/iothdns.cmp"
	check "getnameinfo $args as glibc" cmp -s "$TMP/glibc.cmp" "$TMP/iothdns.cmp"
	cmp -s "$TMP/glibc.cmp" "$TMP/iothdns.cmp" || diff "$TMP/glibc.cmp" "$TMP/iothdns.cmp" | head -8
	[ "$args" = "198.18.0.10 53" ] &&
		check "getnameinfo NI_NOFQDN strips the search domain" grep -qx "flags=0x4: host domain" "$TMP/iothdns.out"
done

# ---- timeout and retry ----
printf 'nameserver 198.18.0.3\nnameserver 198.18.0.1\noptions timeout:1 attempts:1\n' > "$TMP/r2.conf"
client -c "$TMP/r2.conf" time-a host.example.test > "$TMP/o" 2>&1
read -r _ rv status addr _ ms < "$TMP/o"
check "silent first server: answer from the second ($status $addr after $ms ms)" \
	test "$rv" = 1 -a "$addr" = 198.18.0.10 -a "$ms" -ge 900
printf 'nameserver 198.18.0.3\noptions timeout:1 attempts:3\n' > "$TMP/r3.conf"
: > "$TMP/silent.bin"
client -c "$TMP/r3.conf" time-a host.example.test > "$TMP/o" 2>&1
read -r _ rv status addr _ ms < "$TMP/o"
check "silent server, 3 attempts: ETIMEDOUT after ~3 s ($status, $ms ms)" \
	test "$rv" = -1 -a "$status" = ETIMEDOUT -a "$ms" -ge 2900 -a "$ms" -lt 6000
# three queries reached the sink (each carries the name once)
check "the silent server received 3 queries" \
	test "$(grep -a -o 'example' "$TMP/silent.bin" | wc -l)" = 3

# ---- unbound as a local authoritative zone (a second server implementation) ----
if command -v unbound >/dev/null 2>&1; then
	ip -n "$NS" addr add 198.18.0.5/24 dev tap0
	ip -n "$NS" addr add fd00::5/64 dev tap0 nodad
	cat > "$TMP/unb.zone" <<'ZONE'
$ORIGIN unb.test.
$TTL 300
@ IN SOA ns.unb.test. admin.unb.test. 1 3600 600 86400 300
@ IN NS ns.unb.test.
@ IN MX 5 mx.unb.test.
ns IN A 198.18.0.5
host IN A 198.18.0.40
host IN AAAA fd00::40
alias IN CNAME mid.unb.test.
mid IN CNAME host.unb.test.
txt IN TXT "unbound says" "hello"
_ldap._tcp IN SRV 0 5 389 host.unb.test.
ZONE
	cat > "$TMP/unbound.conf" <<UNB
server:
  chroot: ""
  username: ""
  directory: "$TMP"
  pidfile: "$TMP/unbound.pid"
  do-daemonize: no
  use-syslog: no
  logfile: ""
  interface: 198.18.0.5
  interface: fd00::5
  access-control: 198.18.0.0/15 allow
  access-control: fd00::/8 allow
  module-config: "iterator"
  local-zone: "test." nodefault
remote-control:
  control-enable: no
auth-zone:
  name: "unb.test."
  zonefile: "$TMP/unb.zone"
  for-downstream: yes
  for-upstream: no
  fallback-enabled: no
UNB
	net_nsbg dns unbound -c "$TMP/unbound.conf" > "$TMP/unbound.log" 2>&1
	wait_until 10 ip netns exec "$NS" dig +time=1 +tries=1 +short @198.18.0.5 host.unb.test ||
		fail "unbound does not answer: $(cat "$TMP/unbound.log")"
	dig_vs_iothdig 198.18.0.5 "unbound: " <<EOF
host.unb.test A
host.unb.test AAAA
alias.unb.test A
unb.test MX
txt.unb.test TXT
_ldap._tcp.unb.test SRV
EOF
	printf 'nameserver fd00::5\nsearch unb.test\n' > "$TMP/unb.conf"
	client -c "$TMP/unb.conf" a alias > "$TMP/o" 2>&1
	check "unbound over IPv6: lookup_a alias (search, CNAME chain)" \
		test "$(cat "$TMP/o")" = "$(printf 'count 1\n198.18.0.40')"
	client -c "$TMP/unb.conf" a nx.unb.test > "$TMP/o" 2>&1
	check "unbound: NXDOMAIN is ENOENT" grep -qx "error ENOENT" "$TMP/o"
else
	echo "SKIP (part): unbound not installed, its checks did not run (scripts/install-deps installs it)"
fi

# ---- the server side on a STACK stack ----
net_bg "$SERVER" -s "$STACK" -v "vde://$SW" -4 198.18.0.53/24 -6 fd00::53/64 -p 53 -t 200 > "$TMP/server.log" 2>&1
wait_until 15 grep -q ready "$TMP/server.log" || fail "iothdns_netserver on $STACK did not start: $(cat "$TMP/server.log")"
check "dig over UDP to a server on $STACK" test "$(nsdig +short @198.18.0.53 www.srv.test)" = 198.18.0.53
check "dig over TCP" test "$(nsdig +tcp +short @198.18.0.53 www.srv.test)" = 198.18.0.53
check "dig over IPv6" test "$(nsdig +short @fd00::53 www.srv.test AAAA)" = fd00::53
check "dig over IPv6 TCP" test "$(nsdig +tcp +short @fd00::53 www.srv.test A)" = 198.18.0.53
nsdig @198.18.0.53 nx.srv.test > "$TMP/o"
check "NXDOMAIN from our server" grep -q "status: NXDOMAIN" "$TMP/o"
nsdig @198.18.0.53 x.fail.test > "$TMP/o"
check "SERVFAIL from our server" grep -q "status: SERVFAIL" "$TMP/o"
nsdig +ignore +noedns @198.18.0.53 big.srv.test TXT > "$TMP/o"
check "big reply over UDP: truncated (tc)" grep -q "flags:.* tc" "$TMP/o"
check "big reply: dig falls back to TCP, 40 records" \
	test "$(nsdig +short @198.18.0.53 big.srv.test TXT | wc -l)" = 40
check "iothdig through $STACK to the server on $STACK" \
	test "$(iothdig @198.18.0.53 www.srv.test)" = 198.18.0.53

[ "$FAILS" = 0 ] || fail "$FAILS checks failed"
ok "all iothdns checks on $STACK"
