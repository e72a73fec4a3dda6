#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Seed corpora of the ustack fuzz targets (run with Debian's python3 + scapy)."""
import os
import struct
from scapy.all import (ARP, ICMP, IP, UDP, TCP, Ether, Raw, IPv6, ICMPv6EchoRequest,
                       ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr, IPv6ExtHdrFragment, fragment)

HERE = os.path.dirname(os.path.abspath(__file__))
US, PEER = '02:00:00:00:00:01', '02:00:00:00:00:02'
ME4, PEER4, ME6, PEER6 = '198.18.0.1', '198.18.0.2', 'fd00::1', 'fd00::2'


def op(kind, payload):
    return struct.pack('!BH', kind, len(payload)) + payload


def frame(p):
    return op(0, bytes(Ether(src=PEER, dst=US) / p))


def nl(msgtype, flags, body=b''):
    return op(2, struct.pack('=IHHII', 16 + len(body), msgtype, flags, 1, 0) + body)


def write(dirname, name, data):
    d = os.path.join(HERE, 'corpus', dirname)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def main():
    arp = op(1, bytes(Ether(src=PEER, dst='ff:ff:ff:ff:ff:ff') / ARP(op=1, hwsrc=PEER, psrc=PEER4, pdst=ME4)))
    write('stack', 'arp_then_ping', arp + frame(IP(src=PEER4, dst=ME4) / ICMP() / Raw(b'x' * 32)))
    ns = frame(IPv6(src=PEER6, dst='ff02::1:ff00:1') / ICMPv6ND_NS(tgt=ME6) / ICMPv6NDOptSrcLLAddr(lladdr=PEER))
    write('stack', 'udp_echo_port', arp + frame(IP(src=PEER4, dst=ME4) / UDP(sport=9, dport=7) / Raw(b'ciao')))
    write('stack', 'udp_closed_port', arp + frame(IP(src=PEER4, dst=ME4) / UDP(sport=9, dport=9) / Raw(b'x')))
    write('stack', 'tcp_syn', arp + frame(IP(src=PEER4, dst=ME4) / TCP(sport=9, dport=80, flags='S')))
    frags = fragment(IP(src=PEER4, dst=ME4, id=7) / UDP(sport=9, dport=7) / Raw(b'F' * 3000), fragsize=1000)
    write('stack', 'fragments', arp + b''.join(frame(f) for f in frags) + op(3, b'\x80'))
    write('stack', 'ndp_then_ping6', ns + frame(IPv6(src=PEER6, dst=ME6) / ICMPv6EchoRequest(data=b'y' * 16)))
    f6 = bytes(UDP(sport=9, dport=7) / Raw(b'G' * 2000))
    write('stack', 'fragments6', ns +
          frame(IPv6(src=PEER6, dst=ME6) / IPv6ExtHdrFragment(id=9, m=1, offset=0, nh=17) / Raw(f6[:1000])) +
          frame(IPv6(src=PEER6, dst=ME6) / IPv6ExtHdrFragment(id=9, m=0, offset=125, nh=17) / Raw(f6[1000:])))
    write('stack', 'netlink_dumps', nl(18, 0x301) + nl(22, 0x301) + nl(26, 0x301) + nl(30, 0x301))
    addr = struct.pack('=BBBBI', 2, 24, 0, 0, 2) + struct.pack('=HH', 8, 2) + bytes([198, 18, 1, 1])
    write('stack', 'netlink_newaddr', nl(20, 0x605, addr) + nl(22, 0x301))
    # TCP to the listener on port 80 (the stack's ISN is 0x01000000 here)
    isn = 0x01000000
    t4 = lambda **k: frame(IP(src=PEER4, dst=ME4) / TCP(sport=4000, dport=80, window=65535, **k))
    hs = arp + t4(flags='S', seq=1000, options=[('MSS', 1460), ('WScale', 7)])
    est = hs + t4(flags='A', seq=1001, ack=isn + 1)
    write('stack', 'tcp_handshake_data_fin', est +
          frame(IP(src=PEER4, dst=ME4) / TCP(sport=4000, dport=80, flags='PA', seq=1001, ack=isn + 1) / Raw(b'GET /\r\n')) +
          t4(flags='FA', seq=1008, ack=isn + 1) + op(3, b'\x01'))
    write('stack', 'tcp_out_of_order', est +
          frame(IP(src=PEER4, dst=ME4) / TCP(sport=4000, dport=80, flags='A', seq=1101, ack=isn + 1) / Raw(b'B' * 100)) +
          frame(IP(src=PEER4, dst=ME4) / TCP(sport=4000, dport=80, flags='A', seq=1001, ack=isn + 1) / Raw(b'A' * 100)))
    write('stack', 'tcp_rst_challenge', est + t4(flags='R', seq=1500) + t4(flags='S', seq=5000) +
          t4(flags='R', seq=1001) + op(3, b'\x08'))
    write('stack', 'tcp_retransmit_timeouts', hs + op(3, b'\x04') + op(3, b'\x10') + op(3, b'\xff'))
    s6 = lambda **k: frame(IPv6(src=PEER6, dst=ME6) / TCP(sport=4001, dport=80, window=1000, **k))
    write('stack', 'tcp6_handshake', ns + s6(flags='S', seq=7, options=[('MSS', 1220)]) +
          s6(flags='A', seq=8, ack=isn + 1) +
          frame(IPv6(src=PEER6, dst=ME6) / TCP(sport=4001, dport=80, flags='PA', seq=8, ack=isn + 1) / Raw(b'x' * 50)) +
          op(3, b'\x02') + s6(flags='FA', seq=58, ack=isn + 1))
    # timestamps and SACK as Linux offers them: SACK blocks from out-of-order
    # data, an old TSval (PAWS), ACKs carrying SACK blocks
    lx = [('MSS', 1460), ('SAckOK', b''), ('Timestamp', (1000, 0)), ('NOP', None), ('WScale', 7)]
    t5 = lambda **k: frame(IP(src=PEER4, dst=ME4) / TCP(sport=4002, dport=80, window=65535, **k))
    ts = lambda v: [('NOP', None), ('NOP', None), ('Timestamp', (v, 1))]
    est5 = arp + t5(flags='S', seq=2000, options=lx) + t5(flags='A', seq=2001, ack=isn + 1, options=ts(1001))
    write('stack', 'tcp_ts_sack_ooo', est5 +
          frame(IP(src=PEER4, dst=ME4) / TCP(sport=4002, dport=80, flags='A', seq=2301, ack=isn + 1,
                                             options=ts(1002)) / Raw(b'C' * 100)) +
          frame(IP(src=PEER4, dst=ME4) / TCP(sport=4002, dport=80, flags='A', seq=2101, ack=isn + 1,
                                             options=ts(1003)) / Raw(b'B' * 100)) +
          frame(IP(src=PEER4, dst=ME4) / TCP(sport=4002, dport=80, flags='A', seq=2001, ack=isn + 1,
                                             options=ts(500)) / Raw(b'A' * 100)) +
          frame(IP(src=PEER4, dst=ME4) / TCP(sport=4002, dport=80, flags='A', seq=2001, ack=isn + 1,
                                             options=ts(1004)) / Raw(b'A' * 100)) + op(3, b'\x01'))
    sack = lambda l, r: ts(1005) + [('NOP', None), ('NOP', None), ('SAck', (l, r))]
    write('stack', 'tcp_sack_blocks', est5 + t5(flags='A', seq=2001, ack=isn + 1, options=sack(isn + 100, isn + 200)) +
          t5(flags='A', seq=2001, ack=isn + 1, options=sack(isn - 100, isn + 1)) + op(3, b'\x04'))
    write('stack', 'timers', arp + op(3, b'\xff') + op(3, b'\xff'))
    for name, text in [('empty', ''), ('mac', 'mac=02:00:00:00:00:01'), ('mtu', 'mtu=9000'),
                       ('both', 'mac=02:11:22:33:44:55,mtu=65535'), ('bad', 'mtu=0,mac=zz'),
                       ('two_macs', 'mac=02:00:00:00:00:01,mac=02:00:00:00:00:02')]:
        write('options', name, text.encode())


if __name__ == '__main__':
    main()
