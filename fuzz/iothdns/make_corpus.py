#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Write the seed corpora of the libiothdns fuzzers: DNS messages built by
# hand (RFC 1035 4.1) -- queries, answers of every record type we parse,
# compressed names, CNAME chains, EDNS0, NXDOMAIN, truncation -- and a few
# hostile ones (pointer loops, forward pointers, lying counts).
#   fuzz/iothdns/make_corpus.py   (rewrites corpus/codec and corpus/response)
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))


def name(n, comp=None, at=0):
    """wire form of n; comp maps known suffixes to offsets (compression)"""
    out = b''
    labels = [l for l in n.split('.') if l]
    for i in range(len(labels)):
        suffix = '.'.join(labels[i:]).lower()
        if comp is not None and suffix in comp:
            return out + struct.pack('!H', 0xc000 | comp[suffix])
        if comp is not None and at + len(out) < 0x3fff:
            comp[suffix] = at + len(out)
        out += bytes([len(labels[i])]) + labels[i].encode()
    return out + b'\0'


class Msg:
    def __init__(self, id, flags, qname=None, qtype=1):
        self.id, self.flags = id, flags
        self.comp = {}
        self.body = b''
        self.counts = [0, 0, 0, 0]
        if qname is not None:
            self.body += name(qname, self.comp, 12) + struct.pack('!HH', qtype, 1)
            self.counts[0] = 1

    def rr(self, sec, owner, type, rdata_fn, ttl=300, cls=1):
        head = name(owner, self.comp, 12 + len(self.body)) + struct.pack('!HHI', type, cls, ttl)
        start = 12 + len(self.body) + len(head) + 2
        rdata = rdata_fn(start)
        self.body += head + struct.pack('!H', len(rdata)) + rdata
        self.counts[sec] += 1
        return self

    def n(self, text):
        return lambda at: name(text, self.comp, at)

    def bytes(self):
        return struct.pack('!6H', self.id, self.flags, *self.counts) + self.body


def a(addr):
    return lambda at: bytes(int(x) for x in addr.split('.'))


def aaaa(hexstr):
    return lambda at: bytes.fromhex(hexstr)


def txt(*strings):
    return lambda at: b''.join(bytes([len(s)]) + s.encode() for s in strings)


seeds = {}
q = Msg(0x1234, 0x0100, 'www.example.test', 1)
seeds['query_a'] = q.bytes()
m = Msg(0x1234, 0x8180, 'www.example.test', 1)
m.rr(1, 'www.example.test', 1, a('198.18.0.10'))
seeds['answer_a'] = m.bytes()
m = Msg(0x2222, 0x8180, 'www.example.test', 28)
m.rr(1, 'www.example.test', 28, aaaa('fd000000000000000000000000000010'))
seeds['answer_aaaa'] = m.bytes()
m = Msg(0x3333, 0x8180, 'alias.example.test', 1)
m.rr(1, 'alias.example.test', 5, m.n('mid.example.test'))
m.rr(1, 'mid.example.test', 5, m.n('host.example.test'))
m.rr(1, 'host.example.test', 1, a('198.18.0.10'))
m.rr(1, 'host.example.test', 1, a('198.18.0.11'))
seeds['cname_chain'] = m.bytes()
m = Msg(0x4444, 0x8180, 'example.test', 15)
m.rr(1, 'example.test', 15, lambda at: struct.pack('!H', 10) + name('mail.example.test', m.comp, at + 2))
m.rr(2, 'example.test', 2, m.n('ns1.example.test'))
m.rr(3, 'ns1.example.test', 1, a('198.18.0.53'))
m.rr(3, '', 41, lambda at: b'', ttl=0, cls=1232)
seeds['mx_ns_glue_opt'] = m.bytes()
m = Msg(0x5555, 0x8180, 'txt.example.test', 16)
m.rr(1, 'txt.example.test', 16, txt('hello world', 'second string', ''))
seeds['txt'] = m.bytes()
m = Msg(0x6666, 0x8180, '_sip._udp.example.test', 33)
m.rr(1, '_sip._udp.example.test', 33, lambda at: struct.pack('!HHH', 1, 2, 5060) + name('sip.example.test'))
seeds['srv'] = m.bytes()
m = Msg(0x7777, 0x8183, 'nx.example.test', 1)
m.rr(2, 'example.test', 6, lambda at: name('ns1.example.test', m.comp, at) +
     name('hostmaster.example.test', m.comp, at + len(name('ns1.example.test', dict(m.comp), at))) +
     struct.pack('!5I', 2026112701, 3600, 600, 86400, 60))
seeds['nxdomain_soa'] = m.bytes()
m = Msg(0x8888, 0x8180, '10.0.18.198.in-addr.arpa', 12)
m.rr(1, '10.0.18.198.in-addr.arpa', 12, m.n('host.example.test'))
seeds['ptr'] = m.bytes()
seeds['truncated_tc'] = Msg(0x9999, 0x8380, 'big.example.test', 16).bytes()
seeds['servfail'] = Msg(0xaaaa, 0x8182, 'fail.test', 1).bytes()
seeds['formerr_noq'] = struct.pack('!6H', 0xbbbb, 0x8181, 0, 0, 0, 0)
# hostile
seeds['ptr_loop'] = struct.pack('!6H', 1, 0x8180, 1, 0, 0, 0) + b'\xc0\x0c\x00\x01\x00\x01'
seeds['ptr_forward'] = struct.pack('!6H', 1, 0x8180, 1, 0, 0, 0) + b'\xc0\x12\x00\x01\x00\x01\x01x\x00'
m = Msg(0xcccc, 0x8180, 'lie.example.test', 1)
m.rr(1, 'lie.example.test', 1, a('198.18.0.1'))
b = bytearray(m.bytes())
b[6:8] = struct.pack('!H', 9)
seeds['count_lies'] = bytes(b)
b = bytearray(seeds['answer_a'])
b[-6:-4] = struct.pack('!H', 200)
seeds['rdlength_lies'] = bytes(b)

for target, prefix in (('codec', b''), ('response', b'\x00\x01')):
    d = os.path.join(here, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    for k, v in sorted(seeds.items()):
        p = prefix
        if target == 'response':
            # first byte: 1 = AAAA, 2 = PTR; second: 1 = EDNS, 2 = TCP
            p = bytes([1 if 'aaaa' in k else 2 if k == 'ptr' else 0, 1])
        with open(os.path.join(d, k), 'wb') as f:
            f.write(p + v)
