#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# A tiny DHCPv4 server for the renewal test: one pool, short leases
# (dnsmasq's minimum is 2 minutes). Answers DISCOVER with OFFER and REQUEST
# (SELECTING, RENEWING, REBINDING) with ACK; logs one line per message.
# usage: dhcp4_server.py IFACE SERVER_IP FIRST_IP LEASE_SECONDS LOGFILE [RENEW_DELAY]
# RENEW_DELAY: seconds to wait before answering a renewal (to catch the
# client in the middle of one).
import socket, struct, sys, time
from scapy.all import BOOTP, DHCP

iface, server, first, lease, logname = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
renew_delay = float(sys.argv[6]) if len(sys.argv) > 6 else 0
log = open(logname, "a", buffering=1)
leases = {}
nexthost = int(first.split(".")[3])
prefix = ".".join(first.split(".")[:3]) + "."

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
s.bind(("0.0.0.0", 67))
log.write("ready\n")

def opt(pkt, name):
    for o in pkt[DHCP].options:
        if isinstance(o, tuple) and o[0] == name:
            return o[1]
    return None

while True:
    data, peer = s.recvfrom(2048)
    try:
        p = BOOTP(data)
        mtype = opt(p, "message-type")
    except Exception:
        continue
    mac = p.chaddr[:6]
    if mac not in leases:
        leases[mac] = prefix + str(nexthost)
        nexthost += 1
    addr = leases[mac]
    if mtype == 1:
        reply = "offer"
    elif mtype == 3:
        reply = "ack"
    else:
        continue
    kind = {1: "DISCOVER"}.get(mtype, "REQUEST")
    if mtype == 3:
        kind = "RENEW" if p.ciaddr != "0.0.0.0" else "REQUEST"
    log.write("%.1f %s ciaddr=%s from=%s -> %s %s\n" % (time.time(), kind, p.ciaddr, peer[0], reply, addr))
    if kind == "RENEW" and renew_delay:
        time.sleep(renew_delay)
    r = (BOOTP(op=2, xid=p.xid, yiaddr=addr, ciaddr=p.ciaddr, chaddr=p.chaddr) /
         DHCP(options=[("message-type", reply), ("server_id", server), ("lease_time", lease),
                       ("subnet_mask", "255.255.255.0"), ("router", server), "end"]))
    s.sendto(bytes(r), ("255.255.255.255", 68))
