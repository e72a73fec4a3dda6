#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Differential conformance probe: crafted packets to one target, answers recorded.

  probe.py run --iface IF --out FILE      send the battery, write the answers (JSON)
  probe.py compare LINUX.json USTACK.json print the table, exit 1 on a difference
                                          not in ALLOWED

Both targets are configured alike (test_conformance.sh): MAC 02:cf:00:00:00:01,
198.18.9.1/24, fd00:9::1/64, MTU 1500, UDP echo on port 7, TCP listening on
port 80 (never accepting), everything else closed. The probe's own kernel has
no address on its interface (IPv6 off), so it never answers the targets:
this script answers their ARP and neighbour solicitations itself.

Each case is a named function sending a bounded number of frames. Answers are
matched to a case by a key carried in what we sent (TCP/UDP source port
40000+i, ICMP id 0x4000+i, also inside quoted datagrams of ICMP errors) or, for
answers without one (ARP, NDP), by the time window of the case. Each answer
is reduced to its meaningful fields; what legitimately differs between two
stacks (IP ID, ISNs, checksums, flow labels, fragment ids) is normalized away.
"""
import argparse
import hashlib
import re
import json
import struct
import sys
import threading
import time

from scapy.all import (ARP, ICMP, IP, UDP, TCP, Ether, Raw, IPv6, ICMPv6EchoRequest,
                       ICMPv6ND_NS, ICMPv6ND_NA, ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr,
                       ICMPv6PacketTooBig, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrRouting, HBHOptUnknown, PadN,
                       AsyncSniffer, conf, sendp)

conf.verb = 0

TMAC = '02:cf:00:00:00:01'
T4, T6 = '198.18.9.1', 'fd00:9::1'
TLL = 'fe80::cf:ff:fe00:1'
ME4, ME6 = '198.18.9.100', 'fd00:9::100'
MELL = 'fe80::cf:ff:fe00:64'   # the probe's link-local address (EUI-64 of MYMAC)
MYMAC = '02:cf:00:00:00:64'
BCAST4 = '198.18.9.255'
SPORT0, ID0 = 40000, 0x4000
OPEN, CLOSED = 80, 9
SEQ, ACKV = 1000000, 5000000   # our sequence number and the ack field we put in segments
GRACE = 0.3   # s: keyed answers later than a case's window still count

# Allowed differences. Keep them short; each says why.
# Fields ignored in every case (still printed):
ALLOWED_FIELDS = {
    'win': 'TCP receive window: buffer policy, not protocol. Linux derives it from tcp_rmem '
           '(131072) rounded to MSS multiples by its window selection; ustack advertises its free '
           'receive buffer (4 MiB by default), clamped to 65535 before scaling. Both are valid '
           'RFC 9293 windows that never shrink.',
}
# Whole cases allowed to differ: case -> why.
ALLOWED = {
}
# TCP option kinds and their order ("tcpopts") must be Linux's; the window
# scale value ("wsN") goes with the window above (buffer policy: Linux scales
# for tcp_rmem's maximum, ustack for its receive buffer) and is ignored.


def sha(b):
    return hashlib.sha256(bytes(b)).hexdigest()[:12]


def solicited(a6):
    import ipaddress
    b = ipaddress.IPv6Address(a6).packed
    return str(ipaddress.IPv6Address(bytes.fromhex('ff0200000000000000000001ff') + b[13:]))


def mcast_mac(a6):
    import ipaddress
    b = ipaddress.IPv6Address(a6).packed
    return '33:33:' + ':'.join('%02x' % x for x in b[12:])


# ---- keys: which case an answer belongs to --------------------------------

def v6_upper(raw):
    """(proto, offset) of the upper layer of an IPv6 packet given as bytes."""
    nh, off = raw[6], 40
    while nh in (0, 43, 60, 44) and off + 8 <= len(raw):
        if nh == 44:
            nh, off = raw[off], off + 8
        else:
            nh, off = raw[off], off + (raw[off + 1] + 1) * 8
    return nh, off


def quoted_key(q, v6):
    """The case key of a datagram quoted by an ICMP error."""
    try:
        if v6:
            proto, off = v6_upper(q)
        else:
            proto, off = q[9], (q[0] & 15) * 4
        if proto in (6, 17) and off + 2 <= len(q):
            return struct.unpack('!H', q[off:off + 2])[0] - SPORT0
        if proto in (1, 58) and off + 6 <= len(q):
            return struct.unpack('!H', q[off + 4:off + 6])[0] - ID0
    except IndexError:
        pass
    return None


def answer_key(p):
    raw = bytes(p)
    et = struct.unpack('!H', raw[12:14])[0]
    if et == 0x0800:
        ip = raw[14:]
        ihl = (ip[0] & 15) * 4
        frag = struct.unpack('!H', ip[6:8])[0] & 0x3fff
        if frag & 0x1fff:
            return None
        up = ip[ihl:]
        if ip[9] in (6, 17) and len(up) >= 4:
            return struct.unpack('!H', up[2:4])[0] - SPORT0
        if ip[9] == 1 and len(up) >= 8:
            if up[0] in (0, 14):
                return struct.unpack('!H', up[4:6])[0] - ID0
            if up[0] in (3, 11, 12):
                return quoted_key(up[8:], False)
    elif et == 0x86dd:
        ip = raw[14:]
        proto, off = v6_upper(ip)
        up = ip[off:]
        if proto in (6, 17) and len(up) >= 4:
            return struct.unpack('!H', up[2:4])[0] - SPORT0
        if proto == 58 and len(up) >= 8:
            if up[0] == 129:
                return struct.unpack('!H', up[4:6])[0] - ID0
            if up[0] < 128:
                return quoted_key(up[8:], True)
    return None


def is_noise(p):
    """What a target sends on its own: resolution and NUD, reports, RS."""
    raw = bytes(p)
    et = struct.unpack('!H', raw[12:14])[0]
    if et == 0x0806:
        return raw[21] == 1       # ARP request (resolution, NUD probe)
    if et == 0x0800:
        return raw[14 + 9] == 2   # IGMP
    if et == 0x86dd:
        proto, off = v6_upper(raw[14:])
        if proto == 58 and len(raw) > 14 + off:
            return raw[14 + off] in (130, 131, 132, 133, 135, 143)
    return False


# ---- answers reduced to fields --------------------------------------------

class Ctx:
    def __init__(self):
        self.isn = None

    def rel(self, v, syn=False):
        if syn:
            self.isn = v
            return 'ISN'
        if v == 0:
            return '0'
        # the nearest of the bases (an ISN may fall near our own numbers)
        best = None
        for name, base in (('SEQ', SEQ), ('ACKV', ACKV), ('ISN', self.isn)):
            if base is None:
                continue
            for d, sign in (((v - base) & 0xffffffff, '+'), ((base - v) & 0xffffffff, '-')):
                if d < 1 << 20 and (best is None or d < best[0]):
                    best = (d, f'{name}{sign}{d}')
        return best[1] if best else 'other'


def tcp_fields(t, data, ctx):
    flags = str(t.flags)
    d = {'tcp': flags, 'sport': t.sport, 'seq': ctx.rel(t.seq, 'S' in flags),
         'ack': ctx.rel(t.ack) if 'A' in flags else '-', 'win': t.window, 'urg': t.urgptr,
         'len': len(data)}
    kinds, vals = [], []
    for o in t.options:
        kinds.append(o[0])
        if o[0] == 'MSS':
            d['mss'] = o[1]
        elif o[0] == 'WScale':
            vals.append(f'ws{o[1]}')
    # reported apart: option kinds and order (another branch adds SACK/timestamps)
    d['tcpopts'] = ','.join(kinds + vals)
    return d


def icmp_err_fields(d, rest, quoted):
    d['rest'] = rest.hex()
    d['qlen'] = len(quoted)
    d['q'] = sha(quoted)


def describe(p, ctx):
    raw = bytes(p)
    d = {'edst': raw[0:6].hex(':')}
    et = struct.unpack('!H', raw[12:14])[0]
    if et == 0x0806:
        a = p[ARP]
        d.update({'arp': a.op, 'hwsrc': a.hwsrc, 'psrc': a.psrc, 'hwdst': a.hwdst, 'pdst': a.pdst})
        return d
    if et == 0x0800:
        ip = raw[14:]
        ihl = (ip[0] & 15) * 4
        tl = struct.unpack('!H', ip[2:4])[0]
        fo = struct.unpack('!H', ip[6:8])[0]
        d.update({'ip4': f'{".".join(map(str, ip[12:16]))}>{".".join(map(str, ip[16:20]))}',
                  'ttl': ip[8], 'tos': ip[1], 'df': (fo >> 14) & 1, 'tlen': tl,
                  'opts': ip[20:ihl].hex(), 'proto': ip[9]})
        up = ip[ihl:tl]
        if fo & 0x3fff:
            d.update({'mf': (fo >> 13) & 1, 'fo': (fo & 0x1fff) * 8})
            return d
        if ip[9] == 1 and len(up) >= 8:
            d.update({'icmp': up[0], 'code': up[1]})
            if up[0] in (0, 14):
                d.update({'id': struct.unpack('!H', up[4:6])[0], 'seq': struct.unpack('!H', up[6:8])[0],
                          'dlen': len(up) - 8, 'data': sha(up[8:]) if up[0] == 0 else '-'})
            else:
                icmp_err_fields(d, up[4:8], up[8:])
        elif ip[9] == 6:
            d.update(tcp_fields(TCP(up), bytes(TCP(up).payload), ctx))
        elif ip[9] == 17 and len(up) >= 8:
            d.update({'udp': struct.unpack('!H', up[0:2])[0], 'ulen': struct.unpack('!H', up[4:6])[0],
                      'data': sha(up[8:])})
        return d
    if et == 0x86dd:
        ip = raw[14:]
        import ipaddress
        d.update({'ip6': f'{ipaddress.IPv6Address(ip[8:24])}>{ipaddress.IPv6Address(ip[24:40])}',
                  'hlim': ip[7], 'tc': ((ip[0] & 15) << 4) | (ip[1] >> 4),
                  'plen': struct.unpack('!H', ip[4:6])[0]})
        proto, off = v6_upper(ip)
        if ip[6] == 44:
            fo = struct.unpack('!H', ip[42:44])[0]
            d.update({'frag6': f'{fo & 0xfff8}/{fo & 1}'})
            if fo & 0xfff8:
                return d
        up = ip[off:]
        if proto == 58 and len(up) >= 4:
            d.update({'icmp6': up[0], 'code': up[1]})
            if up[0] in (128, 129):
                d.update({'id': struct.unpack('!H', up[4:6])[0], 'seq': struct.unpack('!H', up[6:8])[0],
                          'dlen': len(up) - 8, 'data': sha(up[8:])})
            elif up[0] == 136:
                import ipaddress as ia
                d.update({'rso': f'{up[4] >> 5:03b}', 'tgt': str(ia.IPv6Address(up[8:24])),
                          'ndopts': up[24:].hex()})
            elif up[0] < 128:
                icmp_err_fields(d, up[4:8], up[8:])
        elif proto == 6:
            d.update(tcp_fields(TCP(up), bytes(TCP(up).payload), ctx))
        elif proto == 17 and len(up) >= 8:
            d.update({'udp': struct.unpack('!H', up[0:2])[0], 'ulen': struct.unpack('!H', up[4:6])[0],
                      'data': sha(up[8:])})
        return d
    d['ethertype'] = et
    return d


# ---- the prober -------------------------------------------------------------

class Prober:
    def __init__(self, iface):
        self.iface = iface
        self.lock = threading.Lock()
        self.got = []
        self.sn = AsyncSniffer(iface=iface, filter=f'ether src {TMAC}', prn=self._rx, store=False)

    def start(self):
        self.sn.start()
        time.sleep(0.5)

    def stop(self):
        self.sn.stop()

    def _rx(self, p):
        # answer the target's resolution of our addresses ourselves
        if ARP in p and p[ARP].op == 1 and p[ARP].pdst == ME4:
            sendp(Ether(src=MYMAC, dst=p.src) / ARP(op=2, hwsrc=MYMAC, psrc=ME4, hwdst=p.src,
                  pdst=p[ARP].psrc), iface=self.iface, verbose=0)
        elif ICMPv6ND_NS in p and p[ICMPv6ND_NS].tgt in (ME6, MELL):
            tgt = p[ICMPv6ND_NS].tgt
            sendp(Ether(src=MYMAC, dst=p.src) / IPv6(src=tgt, dst=p[IPv6].src, hlim=255) /
                  ICMPv6ND_NA(tgt=tgt, R=0, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr=MYMAC),
                  iface=self.iface, verbose=0)
        with self.lock:
            self.got.append(p)

    def send(self, frames):
        sendp(frames, iface=self.iface, verbose=0)

    def mark(self):
        with self.lock:
            return len(self.got)

    def since(self, m):
        with self.lock:
            return list(self.got[m:])


class Case:
    """What one case sees: send frames, wait, and the answers so far."""

    def __init__(self, pr, idx):
        self.pr, self.idx = pr, idx
        self.sport, self.id = SPORT0 + idx, ID0 + idx
        self.m = pr.mark()

    def step(self, frames, wait=0.5):
        self.pr.send(frames)
        time.sleep(wait)
        return self.answers()

    def close(self):
        """The case's window ends: later unkeyed frames are not its answers."""
        self.end_mark = self.pr.mark()
        self.t_end = time.time()

    def answers(self, final=False):
        """The answers so far; final (after the battery): with the keyed
        answers that came up to GRACE seconds after the window, so that a
        slow target (a loaded machine, a sanitizer build) is not misjudged."""
        out = []
        for n, p in enumerate(self.pr.since(self.m)):
            if is_noise(p):
                continue
            k = answer_key(p)
            if final and (n >= self.end_mark - self.m if k is None else p.time > self.t_end + GRACE):
                continue
            if k is None or k == self.idx:
                out.append(p)
        return out

    def synack(self, frames):
        """Send a SYN; the target's SYN-ACK (or None)."""
        for p in self.step(frames, 0.6):
            if TCP in p and p[TCP].flags == 'SA':
                return p
        return None


def E():
    return Ether(src=MYMAC, dst=TMAC)


def ip4(**kw):
    return E() / IP(src=ME4, dst=T4, **kw)


def ip6(**kw):
    return E() / IPv6(src=ME6, dst=T6, **kw)


# Each case: name -> function(c) sending frames. Order matters only at the
# end (the packet-too-big case changes the path MTU for later IPv6 cases).
CASES = []


def case(fn):
    CASES.append(fn)
    return fn


@case
def arp_request(c):
    c.step(Ether(src=MYMAC, dst='ff:ff:ff:ff:ff:ff') / ARP(op=1, hwsrc=MYMAC, psrc=ME4, pdst=T4))


@case
def arp_request_unicast(c):
    c.step(E() / ARP(op=1, hwsrc=MYMAC, psrc=ME4, hwdst=TMAC, pdst=T4))


@case
def arp_probe(c):
    # RFC 5227 probe: sender 0.0.0.0
    c.step(Ether(src=MYMAC, dst='ff:ff:ff:ff:ff:ff') / ARP(op=1, hwsrc=MYMAC, psrc='0.0.0.0', pdst=T4))


@case
def arp_gratuitous(c):
    c.step(Ether(src=MYMAC, dst='ff:ff:ff:ff:ff:ff') / ARP(op=1, hwsrc=MYMAC, psrc=ME4, pdst=ME4))


@case
def arp_other_address(c):
    c.step(Ether(src=MYMAC, dst='ff:ff:ff:ff:ff:ff') / ARP(op=1, hwsrc=MYMAC, psrc=ME4, pdst='198.18.9.77'))


def echo4(c, size, **kw):
    return ip4(**kw) / ICMP(id=c.id, seq=1) / Raw(bytes((i * 7) & 255 for i in range(size)))


@case
def echo_56(c):
    c.step(echo4(c, 56))


@case
def echo_0(c):
    c.step(echo4(c, 0))


@case
def echo_1472(c):
    c.step(echo4(c, 1472))


@case
def echo_tos(c):
    c.step(echo4(c, 56, tos=0x28))


@case
def echo_df(c):
    c.step(echo4(c, 56, flags='DF'))


@case
def echo_ttl1(c):
    c.step(echo4(c, 56, ttl=1))


@case
def echo_opt_rr(c):
    # record route, 9 empty slots
    c.step(echo4(c, 56, options=b'\x07\x27\x04' + b'\x00' * 36 + b'\x00'))


@case
def echo_opt_rr_one_slot(c):
    # room for the address recorded on reception only: Linux sends no reply
    c.step(echo4(c, 56, options=b'\x07\x0b\x08' + bytes([198, 18, 9, 50]) + b'\x00' * 4 + b'\x00'))


@case
def echo_opt_rr_full(c):
    c.step(echo4(c, 56, options=b'\x07\x07\x08' + bytes([198, 18, 9, 50]) + b'\x00'))


@case
def echo_opt_nop_ra(c):
    # NOPs and router alert: harmless options
    c.step(echo4(c, 56, options=b'\x01\x01\x01\x01\x94\x04\x00\x00'))


@case
def echo_opt_lsrr(c):
    c.step(echo4(c, 56, options=b'\x83\x07\x04' + bytes([198, 18, 9, 50]) + b'\x00'))


@case
def echo_opt_ssrr(c):
    c.step(echo4(c, 56, options=b'\x89\x07\x04' + bytes([198, 18, 9, 50]) + b'\x00'))


@case
def echo_opt_bad(c):
    # record route with a pointer below 4: malformed
    c.step(echo4(c, 56, options=b'\x07\x07\x02' + b'\x00' * 4 + b'\x00'))


@case
def echo_bcast_subnet(c):
    c.step(Ether(src=MYMAC, dst='ff:ff:ff:ff:ff:ff') / IP(src=ME4, dst=BCAST4) / ICMP(id=c.id, seq=1))


@case
def echo_bcast_limited(c):
    c.step(Ether(src=MYMAC, dst='ff:ff:ff:ff:ff:ff') / IP(src=ME4, dst='255.255.255.255') / ICMP(id=c.id, seq=1))


@case
def echo_multicast_all_hosts(c):
    c.step(Ether(src=MYMAC, dst='01:00:5e:00:00:01') / IP(src=ME4, dst='224.0.0.1') / ICMP(id=c.id, seq=1))


@case
def echo_ttl0(c):
    c.step(echo4(c, 16, ttl=0))


@case
def echo_src_multicast(c):
    c.step(E() / IP(src='224.0.0.5', dst=T4) / ICMP(id=c.id, seq=1))


@case
def echo_dst_loopback(c):
    c.step(E() / IP(src=ME4, dst='127.0.0.1') / ICMP(id=c.id, seq=1))


@case
def echo_badsum(c):
    c.step(ip4() / ICMP(id=c.id, seq=1, chksum=0x1234) / Raw(b'x' * 16))


@case
def timestamp_request(c):
    c.step(ip4() / ICMP(type=13, id=c.id, seq=1, ts_ori=1000, ts_rx=0, ts_tx=0))


@case
def timestamp_request_bcast(c):
    c.step(Ether(src=MYMAC, dst='ff:ff:ff:ff:ff:ff') / IP(src=ME4, dst=BCAST4) /
           ICMP(type=13, id=c.id, seq=1, ts_ori=1000, ts_rx=0, ts_tx=0))


@case
def ip_badsum(c):
    c.step(ip4(chksum=0x1234) / ICMP(id=c.id, seq=1))


@case
def ip_len_too_long(c):
    c.step(ip4(len=200) / ICMP(id=c.id, seq=1) / Raw(b'x' * 20))


@case
def ip_len_below_header(c):
    c.step(ip4(len=16) / ICMP(id=c.id, seq=1))


@case
def ip_version5(c):
    p = ip4() / ICMP(id=c.id, seq=1)
    raw = bytearray(bytes(p))
    raw[14] = 0x55
    c.step(Raw(bytes(raw)))


@case
def ip_ihl4(c):
    c.step(ip4(ihl=4) / ICMP(id=c.id, seq=1))


@case
def ip_proto_unknown(c):
    c.step(ip4(proto=253) / Raw(struct.pack('!HH', c.sport, 1) + b'x' * 20))


@case
def ip_frag_echo(c):
    p = IP(src=ME4, dst=T4, id=1000 + c.idx) / ICMP(id=c.id, seq=1) / Raw(bytes(range(256)) * 4)
    frags = [E() / f for f in p.fragment(400)]
    c.step(frags)


@case
def ip_frag_echo_reversed(c):
    p = IP(src=ME4, dst=T4, id=1000 + c.idx) / ICMP(id=c.id, seq=1) / Raw(bytes(range(256)) * 4)
    frags = [E() / f for f in p.fragment(400)]
    c.step(frags[::-1])


@case
def ip_frag_overlap(c):
    body = bytes(ICMP(id=c.id, seq=1) / Raw(b'A' * 64))
    c.step([ip4(id=2000 + c.idx, flags='MF', frag=0, proto=1) / Raw(body[:48]),
            ip4(id=2000 + c.idx, frag=4, proto=1) / Raw(body[32:])])


@case
def udp_echo(c):
    c.step(ip4() / UDP(sport=c.sport, dport=7) / Raw(b'hello'))


@case
def udp_echo_with_rr(c):
    # options reach the application only with IP_RECVOPTS: the echo has none
    c.step(ip4(options=b'\x07\x0f\x04' + b'\x00' * 12 + b'\x00') / UDP(sport=c.sport, dport=7) / Raw(b'rr'))


@case
def udp_zero_checksum(c):
    c.step(ip4() / UDP(sport=c.sport, dport=7, chksum=0) / Raw(b'zero'))


@case
def udp_bad_checksum(c):
    c.step(ip4() / UDP(sport=c.sport, dport=7, chksum=0x1234) / Raw(b'bad'))


@case
def udp_closed(c):
    c.step(ip4() / UDP(sport=c.sport, dport=CLOSED) / Raw(b'c' * 20))


@case
def udp_closed_tos(c):
    c.step(ip4(tos=0x2b) / UDP(sport=c.sport, dport=CLOSED) / Raw(b't' * 8))


@case
def udp_closed_rr(c):
    c.step(ip4(options=b'\x07\x0f\x04' + b'\x00' * 12 + b'\x00') / UDP(sport=c.sport, dport=CLOSED) / Raw(b'r' * 8))


@case
def udp_closed_big(c):
    c.step(ip4() / UDP(sport=c.sport, dport=CLOSED) / Raw(b'C' * 1200))


@case
def udp_closed_bcast(c):
    c.step(Ether(src=MYMAC, dst='ff:ff:ff:ff:ff:ff') / IP(src=ME4, dst=BCAST4) /
           UDP(sport=c.sport, dport=CLOSED) / Raw(b'b' * 8))


def tcp4(c, dport, flags, seq=SEQ, ack=ACKV, data=b'', **kw):
    p = ip4() / TCP(sport=c.sport, dport=dport, flags=flags, seq=seq, ack=ack, window=8192, **kw)
    return p / Raw(data) if data else p


# Flag combinations to a closed and to the listening port
for _name, _fl, _data in (('syn', 'S', b''), ('ack', 'A', b''), ('fin', 'F', b''), ('null', '', b''),
                          ('xmas', 'FPU', b''), ('synfin', 'SF', b''), ('synrst', 'SR', b''),
                          ('rst', 'R', b''), ('finack', 'FA', b''), ('psh_data', 'P', b'data'),
                          ('synack', 'SA', b'')):
    for _port, _pname in ((CLOSED, 'closed'), (OPEN, 'listen')):
        def _mk(fl=_fl, port=_port, data=_data):
            return lambda c: c.step(tcp4(c, port, fl, data=data), 0.6)
        f = _mk()
        f.__name__ = f'tcp_{_pname}_{_name}'
        CASES.append(f)


@case
def tcp_closed_syn_badsum(c):
    c.step(tcp4(c, CLOSED, 'S', ack=0, chksum=0x1234), 0.6)


@case
def tcp_closed_syn_bcast(c):
    c.step(Ether(src=MYMAC, dst='ff:ff:ff:ff:ff:ff') / IP(src=ME4, dst=BCAST4) /
           TCP(sport=c.sport, dport=CLOSED, flags='S', seq=SEQ), 0.6)


@case
def tcp_closed_syn_data(c):
    c.step(tcp4(c, CLOSED, 'S', ack=0, data=b'hello'), 0.6)


@case
def tcp_listen_syn_options(c):
    c.step(tcp4(c, OPEN, 'S', ack=0, options=[('MSS', 1400), ('SAckOK', b''), ('Timestamp', (12345, 0)),
                                               ('NOP', None), ('WScale', 5)]), 0.6)


@case
def tcp_listen_syn_data(c):
    c.step(tcp4(c, OPEN, 'S', ack=0, data=b'early'), 0.6)


def handshake(c):
    sa = c.synack(tcp4(c, OPEN, 'S', ack=0))
    if sa is None:
        return None
    return sa[TCP].seq


@case
def synrecv_ack_data(c):
    isn = handshake(c)
    if isn is not None:
        c.step(tcp4(c, OPEN, 'PA', seq=SEQ + 1, ack=isn + 1, data=b'abcd'), 0.6)


@case
def synrecv_bad_ack(c):
    isn = handshake(c)
    if isn is not None:
        c.step(tcp4(c, OPEN, 'A', seq=SEQ + 1, ack=isn + 1000), 0.6)


@case
def synrecv_rst_in_window(c):
    isn = handshake(c)
    if isn is not None:
        c.step(tcp4(c, OPEN, 'R', seq=SEQ + 1, ack=0), 0.3)
        c.step(tcp4(c, OPEN, 'PA', seq=SEQ + 1, ack=isn + 1, data=b'abcd'), 0.6)


@case
def synrecv_rst_out_of_window(c):
    isn = handshake(c)
    if isn is not None:
        c.step(tcp4(c, OPEN, 'R', seq=SEQ + 10000000, ack=0), 0.3)
        c.step(tcp4(c, OPEN, 'PA', seq=SEQ + 1, ack=isn + 1, data=b'abcd'), 0.6)


@case
def synrecv_rst_in_window_inexact(c):
    isn = handshake(c)
    if isn is not None:
        c.step(tcp4(c, OPEN, 'R', seq=SEQ + 100, ack=0), 0.3)
        c.step(tcp4(c, OPEN, 'PA', seq=SEQ + 1, ack=isn + 1, data=b'abcd'), 0.6)


@case
def synrecv_syn_in_window(c):
    isn = handshake(c)
    if isn is not None:
        c.step(tcp4(c, OPEN, 'S', seq=SEQ + 100, ack=0), 0.3)
        c.step(tcp4(c, OPEN, 'PA', seq=SEQ + 1, ack=isn + 1, data=b'abcd'), 0.6)


@case
def synrecv_syn_again(c):
    isn = handshake(c)
    if isn is not None:
        c.step(tcp4(c, OPEN, 'S', ack=0), 0.6)


def established(c):
    isn = handshake(c)
    if isn is None:
        return None
    c.step(tcp4(c, OPEN, 'A', seq=SEQ + 1, ack=isn + 1), 0.2)
    return isn


@case
def estab_rst_exact(c):
    isn = established(c)
    if isn is not None:
        c.step(tcp4(c, OPEN, 'R', seq=SEQ + 1, ack=0), 0.3)
        c.step(tcp4(c, OPEN, 'PA', seq=SEQ + 1, ack=isn + 1, data=b'abcd'), 0.6)


@case
def estab_rst_in_window(c):
    # RFC 5961 3.2: challenge ACK
    isn = established(c)
    if isn is not None:
        c.step(tcp4(c, OPEN, 'R', seq=SEQ + 100, ack=0), 0.6)


@case
def estab_rst_out_of_window(c):
    isn = established(c)
    if isn is not None:
        c.step(tcp4(c, OPEN, 'R', seq=SEQ + 10000000, ack=0), 0.6)


@case
def estab_syn(c):
    # RFC 5961 4.2: challenge ACK
    isn = established(c)
    if isn is not None:
        c.step(tcp4(c, OPEN, 'S', seq=SEQ + 50, ack=0), 0.6)


@case
def estab_data_out_of_window(c):
    isn = established(c)
    if isn is not None:
        c.step(tcp4(c, OPEN, 'PA', seq=SEQ + 10000000, ack=isn + 1, data=b'far'), 0.6)


@case
def estab_ack_in_future(c):
    # RFC 5961 5.2: an ACK of data never sent draws an ACK
    isn = established(c)
    if isn is not None:
        c.step(tcp4(c, OPEN, 'A', seq=SEQ + 1, ack=isn + 100000), 0.6)


@case
def estab_fin(c):
    isn = established(c)
    if isn is not None:
        c.step(tcp4(c, OPEN, 'FA', seq=SEQ + 1, ack=isn + 1), 0.6)


# ---- IPv6 --------------------------------------------------------------------

def ns(target, src=ME6, dst=None, hlim=255, slla=True):
    dst = dst or solicited(target)
    p = Ether(src=MYMAC, dst=mcast_mac(dst)) / IPv6(src=src, dst=dst, hlim=hlim) / ICMPv6ND_NS(tgt=target)
    return p / ICMPv6NDOptSrcLLAddr(lladdr=MYMAC) if slla else p


@case
def ns_global(c):
    c.step(ns(T6))


@case
def ns_linklocal(c):
    c.step(ns(TLL, src=MELL))


@case
def ns_unicast(c):
    c.step(E() / IPv6(src=ME6, dst=T6, hlim=255) / ICMPv6ND_NS(tgt=T6) / ICMPv6NDOptSrcLLAddr(lladdr=MYMAC))


@case
def ns_dad(c):
    c.step(ns(T6, src='::', slla=False))


@case
def ns_bad_hlim(c):
    c.step(ns(T6, hlim=64))


@case
def ns_other_target(c):
    c.step(ns('fd00:9::77'))


@case
def ns_from_unspecified_with_slla(c):
    # RFC 4861 7.1.1: source :: must not carry a source link-layer address
    c.step(ns(T6, src='::', slla=True))


@case
def ns_bad_code(c):
    p = ns(T6)
    p[ICMPv6ND_NS].code = 1
    c.step(p)


@case
def ns_without_slla(c):
    # multicast NS from a known neighbour, no source link-layer option
    c.step(ns(T6, slla=False))


@case
def ns_target_multicast(c):
    c.step(ns('ff02::1', dst=solicited(T6)))


def echo6(c, size, **kw):
    return ip6(**kw) / ICMPv6EchoRequest(id=c.id, seq=1, data=bytes((i * 5) & 255 for i in range(size)))


@case
def echo6_56(c):
    c.step(echo6(c, 56))


@case
def echo6_0(c):
    c.step(echo6(c, 0))


@case
def echo6_1452(c):
    c.step(echo6(c, 1452))


@case
def echo6_tc(c):
    c.step(echo6(c, 56, tc=0x28))


@case
def echo6_hlim1(c):
    c.step(echo6(c, 56, hlim=1))


@case
def echo6_badsum(c):
    c.step(ip6() / ICMPv6EchoRequest(id=c.id, seq=1, cksum=0x1234))


@case
def echo6_multicast_all_nodes(c):
    c.step(Ether(src=MYMAC, dst='33:33:00:00:00:01') / IPv6(src=ME6, dst='ff02::1') /
           ICMPv6EchoRequest(id=c.id, seq=1, data=b'm' * 16))


@case
def echo6_linklocal(c):
    c.step(E() / IPv6(src=MELL, dst=TLL) / ICMPv6EchoRequest(id=c.id, seq=1, data=b'l' * 16))


@case
def echo6_solicited_node(c):
    sn = solicited(T6)
    c.step(Ether(src=MYMAC, dst=mcast_mac(sn)) / IPv6(src=ME6, dst=sn) /
           ICMPv6EchoRequest(id=c.id, seq=1, data=b's' * 16))


@case
def echo6_plen_too_long(c):
    c.step(ip6(plen=200) / ICMPv6EchoRequest(id=c.id, seq=1, data=b'x' * 16))


@case
def echo6_src_multicast(c):
    c.step(E() / IPv6(src='ff02::1', dst=T6) / ICMPv6EchoRequest(id=c.id, seq=1))


@case
def ip6_version4(c):
    raw = bytearray(bytes(ip6() / ICMPv6EchoRequest(id=c.id, seq=1)))
    raw[14] = 0x40 | (raw[14] & 15)
    c.step(Raw(bytes(raw)))


@case
def ip6_next_header_unknown(c):
    c.step(ip6(nh=253) / Raw(struct.pack('!HH', c.sport, 1) + b'x' * 20))


@case
def ip6_no_next_header(c):
    c.step(ip6(nh=59) / Raw(b'x' * 8))


def hbh_opt(c, action, dst=T6, dest_opts=False):
    otype = (action << 6) | 0x1e
    opt = HBHOptUnknown(otype=otype, optdata=b'\x00\x00')
    ext = (IPv6ExtHdrDestOpt if dest_opts else IPv6ExtHdrHopByHop)(options=[opt])
    if dst == T6:
        e = E()
    else:
        e = Ether(src=MYMAC, dst=mcast_mac(dst))
    return e / IPv6(src=ME6, dst=dst) / ext / ICMPv6EchoRequest(id=c.id, seq=1, data=b'o' * 8)


for _act in range(4):
    for _mc in (False, True):
        for _dest in (False, True):
            def _mk(act=_act, mc=_mc, dest=_dest):
                return lambda c: c.step(hbh_opt(c, act, 'ff02::1' if mc else T6, dest))
            f = _mk()
            f.__name__ = f'{"dstopt" if _dest else "hbh"}_unknown_{_act:02b}_{"mcast" if _mc else "ucast"}'
            CASES.append(f)


@case
def hbh_not_first(c):
    # RFC 8200 4.1: a hop-by-hop header only right after the IPv6 header
    c.step(ip6() / IPv6ExtHdrDestOpt() / IPv6ExtHdrHopByHop() / ICMPv6EchoRequest(id=c.id, seq=1))


@case
def hbh_padn_long(c):
    c.step(ip6() / IPv6ExtHdrHopByHop(options=[PadN(optdata=b'\x00' * 4)]) / ICMPv6EchoRequest(id=c.id, seq=1))


@case
def frag6_atomic(c):
    # RFC 6946: a fragment header with offset 0 and M=0 is processed at once
    c.step(ip6() / IPv6ExtHdrFragment(id=3000 + c.idx, m=0, offset=0) / ICMPv6EchoRequest(id=c.id, seq=1, data=b'a' * 16))


def frags6(c, data_len, cut, ident):
    full = IPv6(src=ME6, dst=T6) / ICMPv6EchoRequest(id=c.id, seq=1,
                                                      data=(bytes(range(256)) * 8)[:data_len])
    payload = bytes(full)[40:]   # the checksum needs the IPv6 header: built whole
    return [ip6() / IPv6ExtHdrFragment(id=ident, m=1, offset=0, nh=58) / Raw(payload[:cut]),
            ip6() / IPv6ExtHdrFragment(id=ident, m=0, offset=cut // 8, nh=58) / Raw(payload[cut:])], payload


@case
def frag6_echo(c):
    f, _ = frags6(c, 1000, 504, 4000 + c.idx)
    c.step(f)


@case
def frag6_echo_reversed(c):
    f, _ = frags6(c, 1000, 504, 4000 + c.idx)
    c.step(f[::-1])


@case
def frag6_overlap(c):
    _, payload = frags6(c, 1000, 504, 4000 + c.idx)
    ident = 4000 + c.idx
    c.step([ip6() / IPv6ExtHdrFragment(id=ident, m=1, offset=0, nh=58) / Raw(payload[:504]),
            ip6() / IPv6ExtHdrFragment(id=ident, m=0, offset=62, nh=58) / Raw(payload[496:])])


@case
def frag6_tiny_first(c):
    # RFC 7112: the first fragment lacks the upper-layer header (it holds
    # only a destination options header); the rest follows in fragment 2
    dest = bytes(IPv6ExtHdrDestOpt(nh=58, options=[PadN(optdata=b'\x00' * 4)]))
    full = IPv6(src=ME6, dst=T6) / IPv6ExtHdrDestOpt(options=[PadN(optdata=b'\x00' * 4)]) / \
        ICMPv6EchoRequest(id=c.id, seq=1, data=b't' * 16)
    payload = bytes(full)[40:]
    ident = 5000 + c.idx
    c.step([ip6() / IPv6ExtHdrFragment(id=ident, m=1, offset=0, nh=60) / Raw(payload[:len(dest)]),
            ip6() / IPv6ExtHdrFragment(id=ident, m=0, offset=len(dest) // 8, nh=60) / Raw(payload[len(dest):])])


@case
def rh0_segments_left(c):
    # RFC 5095: type 0 with segments left: parameter problem at the type field
    c.step(ip6() / IPv6ExtHdrRouting(type=0, addresses=['fd00:9::50'], segleft=1) /
           ICMPv6EchoRequest(id=c.id, seq=1))


@case
def rh0_no_segments_left(c):
    c.step(ip6() / IPv6ExtHdrRouting(type=0, addresses=['fd00:9::50'], segleft=0) /
           ICMPv6EchoRequest(id=c.id, seq=1))


@case
def rh_unknown_type(c):
    c.step(ip6() / IPv6ExtHdrRouting(type=200, addresses=['fd00:9::50'], segleft=1) /
           ICMPv6EchoRequest(id=c.id, seq=1))


@case
def udp6_echo(c):
    c.step(ip6() / UDP(sport=c.sport, dport=7) / Raw(b'hello6'))


@case
def udp6_hlim1(c):
    c.step(ip6(hlim=1) / UDP(sport=c.sport, dport=7) / Raw(b'hop1'))


@case
def udp6_zero_checksum(c):
    c.step(ip6() / UDP(sport=c.sport, dport=7, chksum=0) / Raw(b'zero'))


@case
def udp6_closed(c):
    c.step(ip6() / UDP(sport=c.sport, dport=CLOSED) / Raw(b'c' * 20))


@case
def udp6_closed_big(c):
    c.step(ip6() / UDP(sport=c.sport, dport=CLOSED) / Raw(b'C' * 1400))


@case
def udp6_closed_multicast(c):
    c.step(Ether(src=MYMAC, dst='33:33:00:00:00:01') / IPv6(src=ME6, dst='ff02::1') /
           UDP(sport=c.sport, dport=CLOSED) / Raw(b'm' * 8))


def tcp6(c, dport, flags, seq=SEQ, ack=ACKV, **kw):
    return ip6() / TCP(sport=c.sport, dport=dport, flags=flags, seq=seq, ack=ack, window=8192, **kw)


@case
def tcp6_closed_syn(c):
    c.step(tcp6(c, CLOSED, 'S', ack=0), 0.6)


@case
def tcp6_closed_ack(c):
    c.step(tcp6(c, CLOSED, 'A'), 0.6)


@case
def tcp6_closed_xmas(c):
    c.step(tcp6(c, CLOSED, 'FPU'), 0.6)


@case
def tcp6_closed_syn_multicast(c):
    c.step(Ether(src=MYMAC, dst='33:33:00:00:00:01') / IPv6(src=ME6, dst='ff02::1') /
           TCP(sport=c.sport, dport=CLOSED, flags='S', seq=SEQ), 0.6)


@case
def tcp6_listen_syn(c):
    c.step(tcp6(c, OPEN, 'S', ack=0), 0.6)


@case
def tcp6_listen_syn_options(c):
    c.step(tcp6(c, OPEN, 'S', ack=0, options=[('MSS', 1400), ('SAckOK', b''), ('Timestamp', (12345, 0)),
                                               ('NOP', None), ('WScale', 5)]), 0.6)


@case
def udp_closed_burst(c):
    # Linux icmp_ratelimit: 1 s per peer, a burst of 6. Quiet first so that
    # the tokens are full, then 10 datagrams at once.
    time.sleep(6.5)
    c.step([ip4() / UDP(sport=c.sport, dport=CLOSED) / Raw(bytes([i]) * 8) for i in range(10)], 1.0)


@case
def udp6_closed_burst(c):
    # Linux icmpv6_xrlim_allow: 1 s per peer, shortened by the route's
    # prefix length (/64: 250 ms), a burst of 6
    time.sleep(6.5)
    c.step([ip6() / UDP(sport=c.sport, dport=CLOSED) / Raw(bytes([i]) * 8) for i in range(10)], 1.0)


@case
def ptb_then_big_echo(c):
    # RFC 8201: a packet too big (MTU 1280) about a reply of the target,
    # then an echo whose reply does not fit: fragmented at 1280. Last,
    # because the path MTU stays for later IPv6 cases.
    reply = IPv6(src=T6, dst=ME6) / ICMPv6EchoRequest(type=129, id=c.id, seq=1, data=b'r' * 1400)
    quoted = bytes(reply)[:1280 - 48]
    c.step(E() / IPv6(src='fd00:9::fe', dst=T6) / ICMPv6PacketTooBig(mtu=1280) / Raw(quoted), 0.3)
    c.step(echo6(c, 1400), 0.7)


@case
def frag_needed_then_big_echo(c):
    # RFC 1191: "fragmentation needed" (MTU 1000) about a reply of the
    # target, then an echo whose reply does not fit: fragmented at 1000.
    reply = IP(src=T4, dst=ME4, id=7) / ICMP(type=0, id=c.id, seq=1) / Raw(b'r' * 1372)
    c.step(E() / IP(src='198.18.9.254', dst=T4) / ICMP(type=3, code=4, nexthopmtu=1000) /
           Raw(bytes(reply)[:28]), 0.3)
    c.step(echo4(c, 1300), 0.7)


# ---- running and comparing ---------------------------------------------------

def warmup(pr):
    """Let the target learn us and answer once: resolution is not a case."""
    for _ in range(20):
        m = pr.mark()
        pr.send([Ether(src=MYMAC, dst='ff:ff:ff:ff:ff:ff') / ARP(op=1, hwsrc=MYMAC, psrc=ME4, pdst=T4),
                 ns(T6),
                 E() / IP(src=ME4, dst=T4) / ICMP(id=1, seq=1),
                 E() / IPv6(src=ME6, dst=T6) / ICMPv6EchoRequest(id=1, seq=1)])
        time.sleep(0.5)
        got = pr.since(m)
        if any(ICMP in p and p[ICMP].type == 0 for p in got) and \
                any(IPv6 in p and p[IPv6].nh == 58 and bytes(p[IPv6].payload)[:1] == b'\x81' for p in got):
            return True
    return False


def run(a):
    pr = Prober(a.iface)
    pr.start()
    if not warmup(pr):
        print('probe: the target does not answer ping (IPv4 and IPv6)')
        pr.stop()
        return 1
    time.sleep(1)
    results, done = {}, []
    only = set(a.only.split(',')) if a.only else None
    for idx, fn in enumerate(CASES):
        if only and fn.__name__ not in only:
            continue
        c = Case(pr, idx)
        fn(c)
        c.close()
        done.append((fn.__name__, c))
        # ends the half-open connections we made (their SYN-ACKs are keyed,
        # later cases ignore them anyway)
        for p in c.answers():
            if TCP in p and 'A' in str(p[TCP].flags):
                v6 = IPv6 in p
                l3 = (E() / IPv6(src=ME6, dst=T6)) if v6 else (E() / IP(src=ME4, dst=T4))
                pr.send(l3 / TCP(sport=p[TCP].dport, dport=p[TCP].sport, flags='R', seq=p[TCP].ack))
                break
    time.sleep(GRACE)
    pr.stop()
    for name, c in done:
        ctx = Ctx()
        results[name] = [describe(p, ctx) for p in c.answers(final=True)]
    with open(a.out, 'w') as f:
        json.dump({'cases': [fn.__name__ for fn in CASES], 'results': results}, f, indent=1)
    return 0


def short(answers, skip=()):
    if not answers:
        return '-'
    out = []
    for d in answers:
        keys = [k for k in d if k not in skip and k != 'edst']
        out.append(' '.join(f'{k}={d[k]}' for k in keys))
    return ' | '.join(out)


def brief(d):
    """One answer in a few words, for the table of docs/conformance.md."""
    if 'arp' in d:
        return f"ARP {'reply' if d['arp'] == 2 else d['arp']} to {d['pdst']}"
    head = ''
    if 'ip6' in d:
        head = 'v6 ' + (f"tc={d['tc']} " if d.get('tc') else '')
        if 'frag6' in d:
            head += f"frag {d['frag6']} "
    elif 'ip4' in d:
        head = (f"tos={d['tos']:#x} " if d.get('tos') else '') + (f"opts={d['opts'][:8]}.. " if d.get('opts') else '')
        if 'fo' in d:
            return head + f"fragment at {d['fo']}"
    if 'icmp' in d or 'icmp6' in d:
        t = d.get('icmp', d.get('icmp6'))
        names = {0: 'echo reply', 14: 'timestamp reply', 3: 'unreachable', 11: 'time exceeded',
                 12: 'param problem', 129: 'echo reply', 136: 'NA', 1: 'unreachable', 4: 'param problem'}
        if 'icmp6' in d and t in (1, 4):
            names = {1: 'unreachable', 4: 'param problem'}
        out = head + f"{names.get(t, t)}"
        if t in (3, 12, 11) and 'icmp' in d or t in (1, 4) and 'icmp6' in d:
            info = int(d['rest'], 16)
            if 'icmp' in d and t == 12:
                info >>= 24
            out += f" code {d['code']}" + (f" pointer {info}" if info else '') + f", quotes {d['qlen']} B"
        elif t == 136:
            out += f" rso={d['rso']}" + (' +TLLA' if d['ndopts'] else '')
        elif 'dlen' in d:
            out += f" {d['dlen']} B"
        return out
    if 'tcp' in d:
        return head + f"{d['tcp']} seq={d['seq']} ack={d['ack']}" + (f" {d['len']} B" if d['len'] else '')
    if 'udp' in d:
        return head + f"UDP {d['ulen'] - 8} B"
    return head + '?'


def compare(a):
    lx = json.load(open(a.linux))
    us = json.load(open(a.ustack))
    rows, bad, allowed = [], 0, 0
    for name in lx['cases']:
        if name not in lx['results'] or name not in us['results']:
            continue
        L, U = lx['results'][name], us['results'][name]
        # TCP options change the IP length: that goes with the options column
        optlen = ('tlen', 'plen')
        strip = lambda ans: [{k: v for k, v in d.items() if k != 'tcpopts' and k not in ALLOWED_FIELDS
                              and not ('tcp' in d and k in optlen)} for d in ans]
        opts = lambda ans: [re.sub(r',ws\d+', '', d['tcpopts']) for d in ans if 'tcpopts' in d]
        same_opts = opts(L) == opts(U)
        same = strip(L) == strip(U) and same_opts
        verdict = 'same' if same else 'DIFF'
        if not same and name in ALLOWED:
            verdict = 'allowed'
            allowed += 1
        elif not same:
            bad += 1
        rows.append((name, verdict, 'same' if same_opts else 'diff', L, U))
    if a.markdown:
        print('| case | Linux | ustack | verdict |')
        print('| --- | --- | --- | --- |')
        for name, verdict, so, L, U in rows:
            bl = '; '.join(brief(d) for d in L) or 'no answer'
            bu = '; '.join(brief(d) for d in U) or 'no answer'
            note = verdict + ('' if so == 'same' else ' (TCP options differ)')
            print(f'| {name} | {bl} | {"as Linux" if bl == bu else bu} | {note} |')
        return 1 if bad else 0
    print(f'{"case":34} {"verdict":8} {"tcpopts":7}')
    for name, verdict, so, L, U in rows:
        print(f'{name:34} {verdict:8} {so:7} linux: {short(L)}')
        if verdict != 'same' or so != 'same':
            print(f'{"":51} ustack: {short(U)}')
            if verdict == 'allowed':
                print(f'{"":51} allowed: {ALLOWED[name]}')
    print(f'{len(rows)} cases: {len(rows) - bad - allowed} same, {allowed} allowed differences, {bad} differences')
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('run')
    r.add_argument('--iface', required=True)
    r.add_argument('--out', required=True)
    r.add_argument('--only', help='comma-separated case names')
    c = sub.add_parser('compare')
    c.add_argument('linux')
    c.add_argument('ustack')
    c.add_argument('--markdown', action='store_true')
    sub.add_parser('list')
    a = ap.parse_args()
    if a.cmd == 'run':
        return run(a)
    if a.cmd == 'list':
        print('\n'.join(fn.__name__ for fn in CASES))
        return 0
    return compare(a)


if __name__ == '__main__':
    sys.exit(main())
