# SPDX-License-Identifier: LGPL-2.1-or-later
# The Linux end of test_tcp_inject.sh (kernel sockets in a namespace;
# IPv6 when HOST is an IPv6 address):
#   inject_client.py transfer HOST PORT SPORT INFILE OUTFILE
#     from SPORT, send INFILE at about 1.6 MB/s (16 KiB every 10 ms) while
#     receiving into OUTFILE; then shutdown(SHUT_WR) and EOF awaited
#   inject_client.py idle HOST PORT SPORT SECS
#     from SPORT, connect and hold the connection SECS seconds
import socket, sys, threading, time

mode, host, port, sport = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
v6 = ":" in host
s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::" if v6 else "0.0.0.0", sport))
s.settimeout(60)
s.connect((host, port))
if mode == "idle":
    print("connected", flush=True)
    time.sleep(float(sys.argv[5]))
    sys.exit(0)
err = []


def sender():
    try:
        with open(sys.argv[5], "rb") as f:
            while True:
                b = f.read(16384)
                if not b:
                    break
                s.sendall(b)
                time.sleep(0.01)
        s.shutdown(socket.SHUT_WR)
    except OSError as e:
        err.append(e)


t = threading.Thread(target=sender)
t.start()
with open(sys.argv[6], "wb") as out:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out.write(b)
t.join()
s.close()
if err:
    sys.exit("send failed: %s" % err[0])
print("done", flush=True)
