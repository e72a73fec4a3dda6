#!/bin/bash
# Blind in-window injection against a live transfer (RFC 5961): a ustack
# node (inject_node) and the Linux kernel in a namespace move 6 MiB each
# way at about 1.6 MB/s, while scapy in a third namespace on the same
# switch, knowing the 4-tuple and, from the node's status file, roughly
# where the window is, injects RSTs and SYNs in the window (not at
# rcv_nxt), data in the window with an ACK too old or beyond what was
# sent, and the same out of the window (inject_attack.py). The transfer
# must complete byte-exact (sha256), the attacker's data never reach
# either side, and ustack's counter of challenge ACKs (ChallengeACKs, as
# Linux's TcpExt TCPChallengeACK) must have risen, with those it held back
# by its rate limit (ACKSkippedChallenge, one per 500 ms as Linux's
# tcp_invalid_ratelimit) accounting for most of the in-window RSTs, SYNs
# and old ACKs. Then, on a second, idle connection: an in-window RST
# leaves it alive, an RST exactly at rcv_nxt resets it (ECONNRESET), as
# on Linux. Needs root (namespaces, taps) and python3-scapy.
# usage: test_tcp_inject.sh [4|6]: the connections over IPv4 (198.18.11.0/24,
# the default) or IPv6 (fd00:18:11::/64, addresses without DAD).
. "$IOTH_TESTLIB"
need_root
need_cmd ip vde_plug sha256sum cmp
need_scapy
net_build_prog NODE tests/net/ustack/tcp/inject_node
HERE=$(dirname "$0")
net_tmpdir TMP
net_deepbind_shim
SIZE=6291456
FAM=${1:-4}
MAC=02:00:00:00:0b:01
case "$FAM" in
4) US=198.18.11.1 LX=198.18.11.2 ATT=198.18.11.3 PLEN=24 ;;
6) US=fd00:18:11::1 LX=fd00:18:11::2 ATT=fd00:18:11::3 PLEN=64 ;;
*) fail "usage: $0 [4|6]" ;;
esac
SPORT1=40001
SPORT2=40002

net_switch SW
net_ns k "$SW"
net_ns a "$SW"
K=$(nsname k)
net_ns_addr k "$LX/$PLEN"
net_ns_addr a "$ATT/$PLEN"

head -c $SIZE /dev/urandom >"$TMP/to_us"
head -c $SIZE /dev/urandom >"$TMP/to_linux"
net_bg "$NODE" "vde://$SW" "$MAC" "$US/$PLEN" 8000 "$TMP/to_linux" "$TMP/at_us" "$TMP/status" >"$TMP/node" 2>&1
NODEPID=$NET_LASTPID
wait_until 10 grep -q READY "$TMP/node" || fail "ustack node did not start: $(cat "$TMP/node")"

net_nsbg a "$PY" "$HERE/inject_attack.py" tap0 "$MAC" "$US" "$LX" 8000 $SPORT1 $SPORT2 "$TMP/status" \
	>"$TMP/attack" 2>&1
ATTACK=$NET_LASTPID
# scapy takes a second or two to load: the transfer waits for it
wait_until 60 grep -q "^ready" "$TMP/attack" || fail "the attacker did not start: $(cat "$TMP/attack")"
ip netns exec "$K" timeout 90 "$PY" "$HERE/inject_client.py" transfer "$US" 8000 $SPORT1 "$TMP/to_us" "$TMP/at_linux" \
	>"$TMP/client" 2>&1 || fail "the Linux client failed: $(cat "$TMP/client"); node: $(cat "$TMP/node"); attacker: $(cat "$TMP/attack")"
wait_until 30 grep -q "^counters" "$TMP/node" || fail "the ustack node did not finish the transfer: $(cat "$TMP/node")"
grep -q "^transfer ok" "$TMP/node" || fail "the ustack node's transfer failed: $(cat "$TMP/node")"
grep -q "^attacking" "$TMP/attack" || fail "the attacker never attacked: $(cat "$TMP/attack")"
differs() { echo "$(stat -c %s "$2") bytes, first difference: $(cmp "$1" "$2" 2>&1 | head -1), $(cmp -l "$1" "$2" 2>/dev/null | wc -l) bytes differ"; }
same_data "$TMP/to_us" "$TMP/at_us" || fail "Linux -> ustack: the data differs ($(differs "$TMP/to_us" "$TMP/at_us")); node: $(cat "$TMP/node"); attacker: $(cat "$TMP/attack")"
same_data "$TMP/to_linux" "$TMP/at_linux" || fail "ustack -> Linux: the data differs ($(differs "$TMP/to_linux" "$TMP/at_linux")); node: $(cat "$TMP/node"); attacker: $(cat "$TMP/attack")"

wait_until 20 grep -q "^sent" "$TMP/attack" || fail "the attacker did not report: $(cat "$TMP/attack")"
sent=$(grep "^sent" "$TMP/attack")
num() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }
rounds=$(num rounds "$sent")
[ "$rounds" -ge 20 ] || fail "only $rounds rounds of injection during the transfer: $sent"
cnt=$(grep "^counters" "$TMP/node" | head -1)
ch=$(num challenge "$cnt")
sk=$(num skipped "$cnt")
resets=$(num estabresets "$cnt")
[ "$resets" -eq 0 ] || fail "an injected RST reset the transfer: $cnt"
[ "$ch" -ge 2 ] || fail "ustack sent $ch challenge ACKs for $sent"
# at most one per 500 ms on the connection (the attack's span, plus the
# first ACK and one for the last status read)
ms=$(num ms "$sent")
[ "$ch" -le $((ms / 500 + 2)) ] || fail "$ch challenge ACKs in $ms ms: not rate limited (one per 500 ms, as Linux): $cnt"
# each round has three in-window segments that call for a challenge (and
# an out-of-window SYN): most must meet the rate limiter, sent or held back
inwin=$(( $(num rst_in "$sent") + $(num syn_in "$sent") + $(num old_ack "$sent") ))
[ $((ch + sk)) -ge $((inwin / 2)) ] || fail "only $((ch + sk)) challenges (sent + held back) for $inwin in-window injections: $cnt; $sent"
ok "the transfer survived $rounds rounds of blind injection, $SIZE bytes each way sha256 equal; $cnt; $sent"

# the idle connection: in-window RST (survives), then the exact one
net_nsbg k timeout 60 "$PY" "$HERE/inject_client.py" idle "$US" 8000 $SPORT2 30 >"$TMP/idle" 2>&1
IDLE=$NET_LASTPID
wait_until 30 grep -q "^exact RST sent\|FAIL" "$TMP/attack" || fail "the attacker did not finish: $(cat "$TMP/attack")"
grep -q "^alive after an in-window RST" "$TMP/attack" || fail "$(cat "$TMP/attack")"
wait_until 10 grep -q "^second:" "$TMP/node" || fail "the exact RST did not end connection 2: $(cat "$TMP/node")"
grep -q "^second: ECONNRESET" "$TMP/node" || fail "connection 2 ended without ECONNRESET: $(cat "$TMP/node")"
kill "$IDLE" 2>/dev/null
wait "$NODEPID" || fail "ustack node failed: $(cat "$TMP/node")"
wait "$ATTACK" || fail "attacker failed: $(cat "$TMP/attack")"
cnt2=$(grep "^counters" "$TMP/node" | tail -1)
[ "$(num challenge "$cnt2")" -gt "$ch" ] || fail "no challenge ACK for the in-window RST on connection 2: $cnt2"
[ "$(num estabresets "$cnt2")" -eq 1 ] || fail "the exact RST should be the only reset: $cnt2"
ok "idle connection: an in-window RST got a challenge ACK, the RST at rcv_nxt reset it (ECONNRESET)"
