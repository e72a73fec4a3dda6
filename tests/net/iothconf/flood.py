#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Hostile peer for the flood test: answers every DHCPDISCOVER/REQUEST and
# every Router Solicitation it sees on IFACE with a burst of malformed or
# invalid replies (matching xid and MAC, so only the client's checks stand
# between them and the configuration), and sprays junk meanwhile.
# usage: flood.py IFACE SECONDS LOGFILE
import random, sys, time
import warnings
warnings.filterwarnings("ignore")
from scapy.all import (Ether, IP, UDP, BOOTP, DHCP, IPv6, ICMPv6ND_RA, ICMPv6ND_RS,
    ICMPv6NDOptPrefixInfo, ICMPv6NDOptRDNSS, ICMPv6NDOptMTU, Raw, AsyncSniffer, sendp,
    get_if_hwaddr, conf)

iface, seconds, logname = sys.argv[1], float(sys.argv[2]), sys.argv[3]
conf.verb = 0
log = open(logname, "a", buffering=1)
mymac = get_if_hwaddr(iface)
random.seed(1)
sent = 0

def out(pkts):
    global sent
    sendp(pkts, iface=iface, verbose=0)
    sent += len(pkts)

def dhcp_bursts(req):
    mac, xid, ch = req[Ether].src, req[BOOTP].xid, req[BOOTP].chaddr
    good = [("message-type", "offer"), ("server_id", "198.18.7.1"), ("lease_time", 60),
            ("subnet_mask", "255.255.255.0"), ("router", "198.18.7.1"), "end"]
    def mk(bootp_kw=None, opts=good, ip_kw=None, udp_kw=None):
        b = dict(op=2, xid=xid, yiaddr="198.18.7.66", chaddr=ch)
        b.update(bootp_kw or {})
        return (Ether(src=mymac, dst=mac) / IP(src="198.18.7.1", dst="255.255.255.255", **(ip_kw or {})) /
                UDP(sport=67, dport=68, **(udp_kw or {})) / BOOTP(**b) / DHCP(options=opts))
    pk = []
    pk.append(mk(opts=[("message-type", "offer"), "end"]))                       # no server id
    pk.append(mk(bootp_kw=dict(yiaddr="0.0.0.0")))                               # no address
    pk.append(mk(udp_kw=dict(chksum=0x1234)))                                   # bad UDP checksum
    pk.append(mk(ip_kw=dict(flags="MF")))                                        # a fragment
    pk.append(mk(bootp_kw=dict(op=1)))                                          # a request
    pk.append(mk(bootp_kw=dict(chaddr=b"\x02\x66\x66\x66\x66\x66")))            # not our MAC
    pk.append(mk(bootp_kw=dict(xid=xid ^ 1)))                                   # not our xid
    pk.append(mk(opts=[("message-type", "offer"), ("server_id", "198.18.7.1"),
                       ("domain", b"evil\nnameserver 6.6.6.6"), "end"]))          # injection
    pk.append(mk(opts=[("message-type", "offer"), ("server_id", "198.18.7.1"),
                       ("client_id", b"\x01\x02\x66\x66\x66\x66\x66"), "end"]))   # someone else's id
    pk.append(mk(opts=[("message-type", "ack")] + good[1:]))                    # ACK while selecting
    raw = bytes(mk())
    pk.append(Ether(raw[:14 + 28 + 240 + 6]))                                   # truncated
    cut = bytearray(raw); cut[14 + 28 + 236] = 0                                # bad cookie
    pk.append(Ether(bytes(cut)))
    over = bytearray(raw); over[14 + 28 + 240 + 1] = 200                        # option past the end
    pk.append(Ether(bytes(over)))
    for _ in range(20):                                                         # random options
        junk = bytes(random.getrandbits(8) for _ in range(random.randint(0, 80)))
        pk.append(Ether(src=mymac, dst=mac) / IP(src="198.18.7.1", dst="255.255.255.255") /
                  UDP(sport=67, dport=68) / BOOTP(op=2, xid=xid, yiaddr="198.18.7.66", chaddr=ch) /
                  Raw(b"\x63\x82\x53\x63\x35\x01\x02" + junk))
    out(pk)
    log.write("dhcp burst %d packets xid %08x\n" % (len(pk), xid))

def ra_bursts(rs):
    mac = rs[Ether].src
    lladdr = "fe80::66"
    pfx = ICMPv6NDOptPrefixInfo(prefix="fd00:66::", prefixlen=64, validlifetime=600, preferredlifetime=300)
    base = ICMPv6ND_RA(routerlifetime=600) / pfx / ICMPv6NDOptRDNSS(lifetime=600, dns=["fd00:66::53"])
    pk = []
    pk.append(Ether(src=mymac, dst=mac) / IPv6(src=lladdr, dst="ff02::1", hlim=64) / base)     # off-link hop limit
    pk.append(Ether(src=mymac, dst=mac) / IPv6(src="fd00:7::66", dst="ff02::1", hlim=255) / base)  # not link-local
    bad = bytearray(bytes(base)); bad[17] = 0                                   # option length 0
    pk.append(Ether(src=mymac, dst=mac) / IPv6(src=lladdr, dst="ff02::1", hlim=255, nh=58) / Raw(bytes(bad)))
    bad = bytearray(bytes(base)); bad[1] = 1                                    # code 1
    pk.append(Ether(src=mymac, dst=mac) / IPv6(src=lladdr, dst="ff02::1", hlim=255, nh=58) / Raw(bytes(bad)))
    pk.append(Ether(src=mymac, dst=mac) / IPv6(src=lladdr, dst="ff02::1", hlim=255, nh=58) /
              Raw(bytes(base)[:12]))                                            # truncated
    bad = bytearray(bytes(base)); bad[17] = 3                                   # prefix option length 3
    pk.append(Ether(src=mymac, dst=mac) / IPv6(src=lladdr, dst="ff02::1", hlim=255, nh=58) / Raw(bytes(bad)))
    pk.append(Ether(src=mymac, dst=mac) / IPv6(src=lladdr, dst="ff02::1", hlim=255) /
              ICMPv6ND_RA(routerlifetime=600, cksum=0x4242) / pfx)               # bad checksum
    out(pk)
    log.write("ra burst %d packets\n" % len(pk))

def handle(p):
    try:
        if p[Ether].src == mymac:
            return
        if p.haslayer(BOOTP) and p[BOOTP].op == 1:
            dhcp_bursts(p)
        elif p.haslayer(ICMPv6ND_RS):
            ra_bursts(p)
    except Exception as e:
        log.write("error %r\n" % (e,))

sn = AsyncSniffer(iface=iface, prn=handle, store=False,
                  lfilter=lambda p: p.haslayer(BOOTP) or p.haslayer(ICMPv6ND_RS))
sn.start()
log.write("ready\n")
end = time.time() + seconds
while time.time() < end:
    # unsolicited junk: random UDP to port 68 and random ICMPv6 type 134
    junk = bytes(random.getrandbits(8) for _ in range(random.randint(0, 300)))
    out([Ether(src=mymac, dst="ff:ff:ff:ff:ff:ff") / IP(src="198.18.7.1", dst="255.255.255.255") /
         UDP(sport=67, dport=68) / Raw(junk),
         Ether(src=mymac, dst="33:33:00:00:00:01") / IPv6(src="fe80::66", dst="ff02::1", hlim=255, nh=58) /
         Raw(b"\x86\x00\x00\x00" + junk)])
    time.sleep(0.02)
sn.stop()
log.write("sent %d\n" % sent)
