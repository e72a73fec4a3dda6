#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Seeds for fuzz_iothnamed_query: a control byte (client, TCP, clock) and a
# DNS request. Files are named by the SHA-1 of their content.
import hashlib, os, struct, sys

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "query")
os.makedirs(out, exist_ok=True)

def name(n):
    b = b""
    for label in n.rstrip(".").split("."):
        if label:
            b += bytes([len(label)]) + label.encode()
    return b + b"\0"

def query(qname, qtype, qid=0x1234, flags=0x0100, edns=None, qd=1):
    m = struct.pack("!HHHHHH", qid, flags, qd, 0, 0, 1 if edns else 0)
    m += name(qname) + struct.pack("!HH", qtype, 1)
    if edns:
        m += b"\0" + struct.pack("!HHIH", 41, edns, 0, 0)
    return m

A, NS, CNAME, PTR, MX, TXT, AAAA, ANY = 1, 2, 5, 12, 15, 16, 28, 255
seeds = [
    (0, query("one.foo.test", A)),
    (2, query("one.foo.test", AAAA)),
    (0, query("1.5.18.198.in-addr.arpa", PTR)),
    (0, query("alias.foo.test", A)),
    (0, query("sub.foo.test", NS)),
    (0, query("foo.test", MX)),
    (0, query("txt.foo.test", TXT, edns=1232)),
    (4, query("txt.foo.test", TXT)),
    (0, query("h1.hash.local", AAAA)),
    (0, query("x.err.test", A)),
    (8, query("node.otip", AAAA)),
    (0, query("www.example.test", A)),
    (1, query("one.foo.test", A)),
    (0, query("one.foo.test", ANY)),
    (0, query("nothing.foo.test", A)),
    (0, query("one.foo.test", A, qd=2)),
    (0, query("one.foo.test", A, flags=0x8100)),
    (0, query("one.foo.test", A)[:15]),
    (0, struct.pack("!HHHHHH", 1, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c\0\1\0\1"),
]
for ctl, msg in seeds:
    data = bytes([ctl]) + msg
    with open(os.path.join(out, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)
print(len(seeds), "seeds in", out)
