# SPDX-License-Identifier: LGPL-2.1-or-later
# The blind attacker of test_tcp_inject.sh (scapy, on its own namespace's
# tap): it knows the connection's 4-tuple and, from the ustack node's
# status file, roughly where the receive window is, never the exact
# sequence numbers of the moment. Against the transfer (connection 1) it
# sends, round after round, segments that RFC 5961 must stop:
#   rst_in   RST in the window, not at rcv_nxt        -> challenge ACK
#   syn_in   SYN in the window                        -> challenge ACK
#   old_ack  data in the window, ACK older than the
#            window (or than all ever sent)           -> challenge ACK, dropped
#   new_ack  data in the window, ACK beyond snd_nxt   -> dropped
#   rst_out, syn_out, data_out: out of the window     -> dropped (SYN: challenged)
# Then against the idle connection 2: an RST in the window (the
# connection must live on), then one exactly at rcv_nxt (it must reset).
# usage: inject_attack.py IFACE USMAC USIP PEERIP PORT SPORT1 SPORT2 STATUS
import os, random, sys, time
from scapy.all import Ether, IP, IPv6, TCP, Raw, conf

iface, usmac, usip, peerip = sys.argv[1:5]
port, sport1, sport2 = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
status = sys.argv[8]
M = 1 << 32
FAR = 64 << 20   # beyond any receive window of ustack (4 MiB at most)
sock = conf.L2socket(iface=iface)
print("ready", flush=True)
count = {k: 0 for k in ("rst_in", "syn_in", "old_ack", "new_ack", "rst_out", "syn_out", "data_out")}


def state():
    try:
        with open(status) as f:
            return {k: int(v) for k, v in (w.split("=") for w in f.read().split())}
    except (OSError, ValueError):
        return None


def wait_for(conn, secs):
    end = time.time() + secs
    while time.time() < end:
        st = state()
        if st and st["conn"] == conn and st["state"] == 1:
            return st
        time.sleep(0.01)
    sys.exit("FAIL: connection %d never showed up in %s" % (conn, status))


# IPv4 or IPv6, as the addresses are
net = IPv6(src=peerip, dst=usip) if ":" in usip else IP(src=peerip, dst=usip)


def send(sport, flags, seq, ack=0, data=b""):
    p = Ether(dst=usmac) / net / TCP(sport=sport, dport=port, flags=flags, seq=seq % M, ack=ack % M, window=502)
    if data:
        p = p / Raw(load=data)
    sock.send(p)


def junk():
    return os.urandom(random.randint(100, 1000))


# connection 1: rounds until the transfer is over (bounded: 30 s, 2,000 rounds)
st = wait_for(1, 60)
print("attacking", flush=True)
start = time.time()
end = start + 30
rounds = 0
while time.time() < end and rounds < 2000:
    st = state()
    if not st or st["conn"] != 1 or st["state"] != 1:
        break
    r, w, una, nxt, maxw = st["rcv_nxt"], st["rwnd"], st["snd_una"], st["snd_nxt"], st["max_snd_wnd"]
    if w < 8192:
        time.sleep(0.005)
        continue
    # "in the window": the status is a few ms old, rcv_nxt has moved on
    # since; aim at the upper half of the window, never at rcv_nxt itself
    inw = lambda: r + w // 2 + random.randint(1, w // 4)
    send(sport1, "R", inw()); count["rst_in"] += 1
    send(sport1, "S", inw()); count["syn_in"] += 1
    send(sport1, "PA", inw(), una - maxw - 1000 - random.randint(0, 100000), junk()); count["old_ack"] += 1
    send(sport1, "PA", inw(), nxt + 100000 + random.randint(0, 100000), junk()); count["new_ack"] += 1
    # "out of the window": far from it, as the window may have grown
    # since the status was written (data there with an acceptable ACK
    # would be a real injection, which no check of RFC 5961 can stop)
    send(sport1, "R", r + FAR + random.randint(0, 1 << 20)); count["rst_out"] += 1
    send(sport1, "R", r - FAR - random.randint(0, 1 << 20)); count["rst_out"] += 1
    send(sport1, "S", r + FAR + random.randint(0, 1 << 20)); count["syn_out"] += 1
    send(sport1, "PA", r + FAR + random.randint(0, 1 << 20), una, junk()); count["data_out"] += 1
    send(sport1, "PA", r - FAR - random.randint(0, 1 << 20), una, junk()); count["data_out"] += 1
    rounds += 1
    time.sleep(0.02)
print("sent", " ".join("%s=%d" % kv for kv in count.items()), "rounds=%d" % rounds,
      "ms=%d" % int((time.time() - start) * 1000), flush=True)

# connection 2: idle, so the status is exact
st = wait_for(2, 60)
time.sleep(0.5)
st = state()
send(sport2, "R", st["rcv_nxt"] + 1000)
time.sleep(1.0)
st2 = state()
if not st2 or st2["conn"] != 2 or st2["state"] != 1:
    sys.exit("FAIL: an RST in the window but not at rcv_nxt ended connection 2: %s" % st2)
print("alive after an in-window RST", flush=True)
send(sport2, "R", st2["rcv_nxt"])
print("exact RST sent", flush=True)
