#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Write the seed corpora of the iothconf fuzzers (fuzz/iothconf/corpus/<target>/)
# with scapy: typical server messages plus a few edge cases.
import os, sys
from scapy.all import (IP, UDP, BOOTP, DHCP, DHCP6_Advertise, DHCP6_Reply, DHCP6OptClientId,
    DHCP6OptServerId, DHCP6OptIA_NA, DHCP6OptIAAddress, DHCP6OptDNSServers, DHCP6OptDNSDomains,
    DHCP6OptStatusCode, DUID_LL, DUID_LLT, ICMPv6ND_RA, ICMPv6NDOptSrcLLAddr, ICMPv6NDOptMTU,
    ICMPv6NDOptPrefixInfo, ICMPv6NDOptRDNSS, ICMPv6NDOptDNSSL, raw)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
mac = "02:00:00:00:00:01"
chaddr = bytes.fromhex("020000000001") + bytes(10)

def write(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes(data))

def dhcp4(mtype, extra=()):
    opts = [("message-type", mtype), ("server_id", "198.18.5.1"),
            ("subnet_mask", "255.255.255.0"), ("router", "198.18.5.1"),
            ("name_server", "198.18.5.53", "198.18.5.54"), ("domain", b"example.test"),
            ("lease_time", 60), ("renewal_time", 30), ("rebinding_time", 52),
            ("interface-mtu", 1500), ("client_id", b"\x01" + bytes.fromhex("020000000001"))]
    opts += list(extra) + ["end"]
    return (IP(src="198.18.5.1", dst="255.255.255.255") / UDP(sport=67, dport=68) /
            BOOTP(op=2, xid=0x12345678, yiaddr="198.18.5.10", chaddr=chaddr) / DHCP(options=opts))

write("dhcp4", "offer", dhcp4("offer"))
write("dhcp4", "ack", dhcp4("ack"))
write("dhcp4", "nak", IP(dst="255.255.255.255") / UDP(sport=67, dport=68) /
      BOOTP(op=2, xid=1, chaddr=chaddr) / DHCP(options=[("message-type", "nak"), ("server_id", "198.18.5.1"), "end"]))
write("dhcp4", "ack-overload", dhcp4("ack", [(52, b"\x03")]))
write("dhcp4", "bare-ack", BOOTP(op=2, xid=0x12345678, yiaddr="198.18.5.10", chaddr=chaddr) /
      DHCP(options=[("message-type", "ack"), ("server_id", "198.18.5.1"), "end"]))

cid = DHCP6OptClientId(duid=DUID_LL(lladdr=mac))
sid = DHCP6OptServerId(duid=DUID_LLT(lladdr="52:54:00:00:00:01", timeval=12345))
ia = DHCP6OptIA_NA(iaid=1, T1=30, T2=48, ianaopts=[DHCP6OptIAAddress(addr="fd00:5::1234", preflft=60, validlft=90)])
dns = DHCP6OptDNSServers(dnsservers=["fd00:5::53"])
dom = DHCP6OptDNSDomains(dnsdomains=["example.test.", "lab."])
write("dhcp6", "advertise", DHCP6_Advertise(trid=0x010203) / cid / sid / ia / dns / dom)
write("dhcp6", "reply", DHCP6_Reply(trid=0x010203) / cid / sid / ia / dns / dom)
write("dhcp6", "noaddrs", DHCP6_Advertise(trid=1) / cid / sid / DHCP6OptStatusCode(statuscode=2, statusmsg="none"))

ra = (ICMPv6ND_RA(routerlifetime=1800) / ICMPv6NDOptSrcLLAddr(lladdr="52:54:00:00:00:01") /
      ICMPv6NDOptMTU(mtu=1500) /
      ICMPv6NDOptPrefixInfo(prefix="fd00:7::", prefixlen=64, validlifetime=100, preferredlifetime=50) /
      ICMPv6NDOptRDNSS(lifetime=120, dns=["fd00:7::53", "fd00:7::54"]) /
      ICMPv6NDOptDNSSL(lifetime=120, searchlist=["example.test.", "lab."]))
write("ra", "full", ra)
write("ra", "minimal", ICMPv6ND_RA(routerlifetime=0))
write("ra", "two-prefixes", ICMPv6ND_RA() / ICMPv6NDOptPrefixInfo(prefix="fd00:1::") / ICMPv6NDOptPrefixInfo(prefix="fd00:2::", L=0))

for i, s in enumerate([b"eth,dhcp", b"auto,fqdn=host.example.test", b"eth,ip=10.0.0.1/24,gw=10.0.0.254",
                       b"stack=vdestack,vnl=vde:///tmp/sw,eth,rd,slaac,dhcp6",
                       b"-ip=fd00::1/64,-dns=fd00::53,domain=example.test,debug,mac=10:a1:b2:c3:d4:e5"]):
    write("config", "seed%d" % i, s)
