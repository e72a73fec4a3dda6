#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Floods for the resource-limit test, from a network namespace.

Usage: limits.py CASE --iface IF --mac MAC --ip4 A --ip6 A6 [--count N]

  arp   N ARP requests for A from N spoofed senders 198.19.x.y (own MACs)
  ns    N neighbour solicitations for A6 from N spoofed fd00:8::2:0:i
  udp   N UDP datagrams of 100 bytes to A port 9 (a socket nobody reads)

Every case is bounded in count; nothing leaves the test's own switch.
"""
import argparse
import sys

from scapy.all import (ARP, IP, UDP, Ether, Raw, IPv6, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr,
                       conf, get_if_hwaddr, in6_getnsma, in6_getnsmac, inet_pton, inet_ntop,
                       socket, sendp)

conf.verb = 0


def spoofed_mac(i):
    return '02:55:%02x:%02x:%02x:%02x' % ((i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255)


def case_arp(a):
    frames = []
    for i in range(a.count):
        src = '198.19.%d.%d' % (i // 250, 2 + i % 250)
        frames.append(Ether(src=spoofed_mac(i), dst='ff:ff:ff:ff:ff:ff') /
                      ARP(op=1, hwsrc=spoofed_mac(i), psrc=src, pdst=a.ip4))
    sendp(frames, iface=a.iface, verbose=0)


def case_ns(a):
    snma = inet_ntop(socket.AF_INET6, in6_getnsma(inet_pton(socket.AF_INET6, a.ip6)))
    mac = in6_getnsmac(inet_pton(socket.AF_INET6, snma))
    frames = []
    for i in range(a.count):
        src = 'fd00:8::2:0:%x:%x' % (i >> 16, i & 0xffff)
        frames.append(Ether(src=spoofed_mac(i), dst=mac) /
                      IPv6(src=src, dst=snma, hlim=255) / ICMPv6ND_NS(tgt=a.ip6) /
                      ICMPv6NDOptSrcLLAddr(lladdr=spoofed_mac(i)))
    sendp(frames, iface=a.iface, verbose=0)


def case_udp(a):
    me = get_if_hwaddr(a.iface)
    frame = Ether(src=me, dst=a.mac) / IP(src=a.me4, dst=a.ip4) / UDP(sport=4009, dport=9) / Raw(b'q' * 100)
    sendp([frame] * a.count, iface=a.iface, verbose=0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('case', choices=['arp', 'ns', 'udp'])
    p.add_argument('--iface', required=True)
    p.add_argument('--mac', required=True)
    p.add_argument('--ip4', required=True)
    p.add_argument('--ip6', required=True)
    p.add_argument('--me4', default='198.18.8.100')
    p.add_argument('--count', type=int, default=3000)
    a = p.parse_args()
    a.count = min(a.count, 20000)  # bounded whatever the caller asks
    {'arp': case_arp, 'ns': case_ns, 'udp': case_udp}[a.case](a)
    return 0


if __name__ == '__main__':
    sys.exit(main())
