# SPDX-License-Identifier: LGPL-2.1-or-later
# The Linux end of test_tcp_many_conns.sh (kernel sockets in a namespace):
#   many_conns_client.py HOST PORT N BASE SAMPLE SAMPLEBYTES IDLEFILE
# opens N connections to HOST:PORT, connection i from source port BASE+i,
# one after the other; once all are up and the server has measured them
# idle (IDLEFILE exists), on every SAMPLE-th connection sends SAMPLEBYTES
# of its pattern (byte k: (k * 7 + i * 13) & 0xff) and reads as many back,
# checked against the server's (k * 11 + i * 5) & 0xff; then closes all.
import os, resource, socket, sys, time

host, port, n, base = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sample, sbytes, idlefile = int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
need = n + 256
resource.setrlimit(resource.RLIMIT_NOFILE, (max(need, soft), max(need, hard)))
socks = []
t0 = time.time()
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", base + i))
    s.settimeout(30)
    s.connect((host, port))
    socks.append(s)
print("connected %d in %.1f s" % (n, time.time() - t0), flush=True)
end = time.time() + 60
while not os.path.exists(idlefile):
    if time.time() > end:
        sys.exit("the server never reported the idle measure")
    time.sleep(0.05)


def pattern(a, b):
    return bytes(((k * a + b) & 0xff) for k in range(sbytes))


bad = 0
for i in range(0, n, sample):
    s = socks[i]
    s.sendall(pattern(7, i * 13))
    got = bytearray()
    while len(got) < sbytes:
        b = s.recv(sbytes - len(got))
        if not b:
            break
        got += b
    if bytes(got) != pattern(11, i * 5):
        print("connection %d: the server's data differs (%d bytes)" % (i, len(got)), flush=True)
        bad += 1
for s in socks:
    s.close()
print("closed %d, %d bad" % (n, bad), flush=True)
sys.exit(1 if bad else 0)
