#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Hostile traffic against a stack under test, from a network namespace.

Usage: hostile.py CASE --iface IF --mac MAC --ip4 A --ip6 A6 [--ref-ip4 L --ref-mac M]

Every case is bounded in count; cases that can check an answer do so and
exit 1 on a wrong one. The caller checks, after each case, that the stack
still answers ping and UDP, and that its memory stayed bounded.
"""
import argparse
import random
import sys
import time

from scapy.all import (ARP, ICMP, IP, UDP, TCP, Ether, Raw, IPv6, ICMPv6EchoRequest,
                       ICMPv6ND_NS, ICMPv6ND_NA, ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr,
                       ICMPv6PacketTooBig, ICMPv6ND_Redirect, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrRouting,
                       AsyncSniffer, conf, get_if_hwaddr, sendp, srp1, fragment)

conf.verb = 0
rnd = random.Random(20261127)  # reproducible


def send(frames, a):
    sendp(frames, iface=a.iface, verbose=0)


def eth(a, dst=None):
    return Ether(src=a.mymac, dst=dst or a.mac)


def case_random(a):
    """Random bytes as frames: to us, as IPv4/IPv6/ARP payloads, any length."""
    frames = []
    for i in range(3000):
        n = rnd.randint(0, 1500)
        body = bytes(rnd.getrandbits(8) for _ in range(n))
        kind = i % 4
        if kind == 0:
            frames.append(Raw(bytes.fromhex(a.mac.replace(':', '')) + body))
        else:
            etype = (0x0800, 0x86dd, 0x0806)[kind - 1]
            frames.append(Ether(src=a.mymac, dst=a.mac, type=etype) / Raw(body))
    send(frames, a)
    return 0


def valid_packets(a):
    e = eth(a)
    return [
        e / IP(src=a.me4, dst=a.ip4) / ICMP(id=7, seq=1) / Raw(b'x' * 40),
        e / IP(src=a.me4, dst=a.ip4) / UDP(sport=4000, dport=7) / Raw(b'y' * 40),
        e / IP(src=a.me4, dst=a.ip4, options=b'\x94\x04\x00\x00') / UDP(sport=4000, dport=7) / Raw(b'o' * 8),
        e / IP(src=a.me4, dst=a.ip4) / TCP(sport=4000, dport=80, flags='S', options=[('MSS', 1460), ('WScale', 7), ('SAckOK', b''), ('Timestamp', (1, 0))]),
        Ether(src=a.mymac, dst=a.mac) / ARP(op=1, hwsrc=a.mymac, psrc=a.me4, pdst=a.ip4),
        e / IPv6(src=a.me6, dst=a.ip6) / ICMPv6EchoRequest(id=7, seq=1, data=b'z' * 40),
        e / IPv6(src=a.me6, dst=a.ip6) / UDP(sport=4000, dport=7) / Raw(b'w' * 40),
        e / IPv6(src=a.me6, dst=a.ip6) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / UDP(sport=4000, dport=7) / Raw(b'h' * 8),
        e / IPv6(src=a.me6, dst=a.ip6) / IPv6ExtHdrRouting(addresses=[a.ip6], segleft=0) / UDP(sport=4000, dport=7),
        e / IPv6(src=a.me6, dst=a.ip6) / TCP(sport=4000, dport=80, flags='S'),
        e / IPv6(src=a.me6, dst=a.ip6) / ICMPv6ND_NS(tgt=a.ip6) / ICMPv6NDOptSrcLLAddr(lladdr=a.mymac),
    ]


def case_truncated(a):
    """Valid packets cut at every length, and headers whose lengths lie."""
    frames = []
    for p in valid_packets(a):
        raw = bytes(p)
        for cut in range(14, len(raw)):
            frames.append(Raw(raw[:cut]))
    e = eth(a)
    for ihl in (0, 1, 4, 6, 15):
        frames.append(e / IP(src=a.me4, dst=a.ip4, ihl=ihl) / UDP(dport=7) / Raw(b'i' * 20))
    for tl in (0, 1, 19, 20, 28, 9000, 65535):
        frames.append(e / IP(src=a.me4, dst=a.ip4, len=tl) / UDP(dport=7) / Raw(b'l' * 20))
    for ul in (0, 1, 7, 9, 2000):
        frames.append(e / IP(src=a.me4, dst=a.ip4) / UDP(dport=7, len=ul) / Raw(b'u' * 20))
    for pl in (0, 1, 7, 39, 2000, 65535):
        frames.append(e / IPv6(src=a.me6, dst=a.ip6, plen=pl) / UDP(dport=7) / Raw(b'p' * 20))
    # Options that claim more bytes than the header has.
    frames.append(e / IP(src=a.me4, dst=a.ip4, options=b'\x07\x28\x04') / ICMP())
    frames.append(e / IP(src=a.me4, dst=a.ip4, options=b'\x44\x00\x05\x00') / ICMP())
    frames.append(e / IPv6(src=a.me6, dst=a.ip6, nh=0) / Raw(b'\x11\xff' + b'\x00' * 6))
    send(frames, a)
    return 0


def expect_no_answer(a, pkt, what, filt):
    sn = AsyncSniffer(iface=a.iface, filter=filt, store=True)
    sn.start()
    time.sleep(0.2)
    send(pkt, a)
    time.sleep(0.8)
    got = sn.stop()
    if got:
        print(f"FAIL: {what}: got an answer: {got[0].summary()}")
        return 1
    print(f"ok: {what}: dropped")
    return 0


def expect_answer(a, pkt, what, filt):
    sn = AsyncSniffer(iface=a.iface, filter=filt, store=True)
    sn.start()
    time.sleep(0.2)
    send(pkt, a)
    time.sleep(0.8)
    got = sn.stop()
    if not got:
        print(f"FAIL: {what}: no answer")
        return 1
    print(f"ok: {what}: answered")
    return 0


def case_badsum(a):
    """Bad checksums are dropped; the same packets with good ones answered."""
    e = eth(a)
    fails = 0
    icmp4 = f"icmp and src host {a.ip4} and icmp[icmptype] == icmp-echoreply"
    udp4 = f"udp and src host {a.ip4} and src port 7"
    icmp6 = f"icmp6 and src host {a.ip6} and ip6[40] == 129"
    udp6 = f"ip6 and udp and src host {a.ip6} and src port 7"
    fails += expect_answer(a, e / IP(src=a.me4, dst=a.ip4) / ICMP(id=9), "ICMP echo", icmp4)
    fails += expect_no_answer(a, e / IP(src=a.me4, dst=a.ip4) / ICMP(id=9, chksum=0x1234), "ICMP echo, bad ICMP checksum", icmp4)
    fails += expect_no_answer(a, e / IP(src=a.me4, dst=a.ip4, chksum=0x1234) / ICMP(id=9), "ICMP echo, bad IPv4 header checksum", icmp4)
    fails += expect_answer(a, e / IP(src=a.me4, dst=a.ip4) / UDP(sport=4001, dport=7) / Raw(b'good'), "UDP echo", udp4)
    fails += expect_no_answer(a, e / IP(src=a.me4, dst=a.ip4) / UDP(sport=4001, dport=7, chksum=0x1234) / Raw(b'bad'), "UDP, bad checksum", udp4)
    # A zero UDP checksum means "none" on IPv4 (RFC 768), and is invalid on IPv6 (RFC 8200).
    fails += expect_answer(a, e / IP(src=a.me4, dst=a.ip4) / UDP(sport=4001, dport=7, chksum=0) / Raw(b'zero'), "UDP/IPv4, zero checksum", udp4)
    fails += expect_answer(a, e / IPv6(src=a.me6, dst=a.ip6) / ICMPv6EchoRequest(id=9), "ICMPv6 echo", icmp6)
    fails += expect_no_answer(a, e / IPv6(src=a.me6, dst=a.ip6) / ICMPv6EchoRequest(id=9, cksum=0x1234), "ICMPv6 echo, bad checksum", icmp6)
    fails += expect_no_answer(a, e / IPv6(src=a.me6, dst=a.ip6) / UDP(sport=4001, dport=7, chksum=0x1234) / Raw(b'bad'), "UDP/IPv6, bad checksum", udp6)
    fails += expect_no_answer(a, e / IPv6(src=a.me6, dst=a.ip6) / UDP(sport=4001, dport=7, chksum=0) / Raw(b'zero'), "UDP/IPv6, zero checksum", udp6)
    return 1 if fails else 0


def case_frags(a):
    """Overlapping fragments, and floods of fragments that never complete."""
    e = eth(a)
    frames = []
    # Overlap: the second fragment rewrites bytes of the first.
    payload = bytes(UDP(sport=4002, dport=7) / Raw(b'A' * 64))
    frames.append(e / IP(src=a.me4, dst=a.ip4, id=111, flags='MF', frag=0, proto=17) / Raw(payload[:48]))
    frames.append(e / IP(src=a.me4, dst=a.ip4, id=111, flags=0, frag=4, proto=17) / Raw(b'B' * 40))
    f6 = bytes(UDP(sport=4002, dport=7) / Raw(b'C' * 64))
    frames.append(e / IPv6(src=a.me6, dst=a.ip6) / IPv6ExtHdrFragment(id=222, m=1, offset=0, nh=17) / Raw(f6[:48]))
    frames.append(e / IPv6(src=a.me6, dst=a.ip6) / IPv6ExtHdrFragment(id=222, m=0, offset=4, nh=17) / Raw(b'D' * 40))
    # Fragments beyond 64 KiB, zero-length and misaligned ones.
    frames.append(e / IP(src=a.me4, dst=a.ip4, id=333, flags='MF', frag=8189, proto=17) / Raw(b'E' * 64))
    frames.append(e / IP(src=a.me4, dst=a.ip4, id=334, flags='MF', frag=10, proto=17))
    frames.append(e / IPv6(src=a.me6, dst=a.ip6) / IPv6ExtHdrFragment(id=444, m=1, offset=8191, nh=17) / Raw(b'F' * 64))
    frames.append(e / IPv6(src=a.me6, dst=a.ip6) / IPv6ExtHdrFragment(id=445, m=1, offset=0, nh=17) / Raw(b'G' * 13))
    # Endless: first fragments of datagrams that never complete.
    for i in range(4000):
        frames.append(e / IP(src=a.me4, dst=a.ip4, id=1000 + i, flags='MF', frag=0, proto=17) / Raw(b'H' * 1000))
        frames.append(e / IPv6(src=a.me6, dst=a.ip6) / IPv6ExtHdrFragment(id=1000 + i, m=1, offset=0, nh=17) / Raw(b'I' * 1000))
    send(frames, a)
    return 0


def case_mtu(a):
    """Path MTU claims that are tiny, zero or huge."""
    e = eth(a)
    frames = []
    inner4 = IP(src=a.ip4, dst=a.me4) / UDP(sport=7, dport=4003)
    for mtu in (0, 1, 67, 68, 576, 1500, 65535):
        frames.append(e / IP(src=a.me4, dst=a.ip4) / ICMP(type=3, code=4, nexthopmtu=mtu) / inner4)
    inner6 = IPv6(src=a.ip6, dst=a.me6) / UDP(sport=7, dport=4003)
    for mtu in (0, 100, 1279, 1280, 1500, 65535, 0xffffffff):
        frames.append(e / IPv6(src=a.me6, dst=a.ip6) / ICMPv6PacketTooBig(mtu=mtu) / inner6)
    send(frames, a)
    return 0


def case_spoof(a):
    """ARP and NDP claims of the stack's own addresses by someone else."""
    e = eth(a)
    fake = '02:66:66:66:66:66'
    frames = []
    for op in (1, 2):
        frames.append(Ether(src=fake, dst=a.mac) / ARP(op=op, hwsrc=fake, psrc=a.ip4, hwdst=a.mac, pdst=a.ip4))
        frames.append(Ether(src=fake, dst='ff:ff:ff:ff:ff:ff') / ARP(op=op, hwsrc=fake, psrc=a.ip4, pdst=a.ip4))
    frames.append(Ether(src=fake, dst=a.mac) / IPv6(src=a.ip6, dst='ff02::1') /
                  ICMPv6ND_NA(tgt=a.ip6, R=0, S=0, O=1) / ICMPv6NDOptDstLLAddr(lladdr=fake))
    frames.append(Ether(src=fake, dst=a.mac) / IPv6(src='fe80::6666', dst=a.ip6) /
                  ICMPv6ND_NA(tgt=a.ip6, R=0, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr=fake))
    # And a claim on the tester's address, to redirect the stack's answers.
    frames.append(Ether(src=fake, dst=a.mac) / ARP(op=2, hwsrc=fake, psrc=a.me4, hwdst=a.mac, pdst=a.ip4))
    send(frames * 5, a)
    return 0


def case_redirect(a):
    """Redirects from a host that is not the stack's next hop are ignored."""
    e = eth(a)
    inner4 = IP(src=a.ip4, dst=a.me4) / UDP(sport=7, dport=4004)
    frames = [e / IP(src='198.18.8.99', dst=a.ip4) / ICMP(type=5, code=1, gw='198.18.8.250') / inner4]
    inner6 = IPv6(src=a.ip6, dst=a.me6) / UDP(sport=7, dport=4004)
    frames.append(e / IPv6(src='fe80::99', dst=a.ip6, hlim=255) /
                  ICMPv6ND_Redirect(tgt='fe80::250', dst=a.me6) / Raw(bytes(inner6)[:0]))
    send(frames * 3, a)
    return 0


def tcp_answers(a, dst_ip, dst_mac, sport_base):
    sn = AsyncSniffer(iface=a.iface, filter=f"tcp and src host {dst_ip}", store=True)
    sn.start()
    time.sleep(0.3)
    frames = []
    for flags in range(256):
        frames.append(Ether(src=a.mymac, dst=dst_mac) /
                      IP(src=a.me4, dst=dst_ip) /
                      TCP(sport=sport_base + flags, dport=9, flags=flags, seq=1000, ack=5000, window=1024) /
                      (Raw(b'data') if flags & 0x08 else Raw(b'')))
    send(frames, a)
    time.sleep(1.5)
    got = sn.stop()
    answers = {}
    for p in got:
        if TCP in p:
            t = p[TCP]
            answers[t.dport - sport_base] = (int(t.flags), t.seq, t.ack, t.window)
    return answers


def case_tcpflags(a):
    """Every TCP flag combination to a closed port: our answers against Linux's."""
    ours = tcp_answers(a, a.ip4, a.mac, 20000)
    linux = tcp_answers(a, a.ref_ip4, a.ref_mac, 30000)
    diffs = 0
    for flags in range(256):
        if ours.get(flags) != linux.get(flags):
            diffs += 1
            if diffs <= 10:
                print(f"FAIL: flags 0x{flags:02x}: ours {ours.get(flags)} linux {linux.get(flags)}")
    print(f"tcpflags: {len(ours)} answers from us, {len(linux)} from Linux, {diffs} differences")
    return 1 if diffs else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('case')
    ap.add_argument('--iface', required=True)
    ap.add_argument('--mac', required=True)
    ap.add_argument('--ip4', required=True)
    ap.add_argument('--ip6', required=True)
    ap.add_argument('--me4', required=True)
    ap.add_argument('--me6', required=True)
    ap.add_argument('--ref-ip4')
    ap.add_argument('--ref-mac')
    a = ap.parse_args()
    a.mymac = get_if_hwaddr(a.iface)
    fn = globals().get('case_' + a.case)
    if fn is None:
        print(f"unknown case {a.case}")
        return 2
    t0 = time.time()
    rc = fn(a)
    print(f"case {a.case}: done in {time.time() - t0:.1f} s")
    return rc


if __name__ == '__main__':
    sys.exit(main())
