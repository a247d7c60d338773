#!/usr/bin/python3
"""Tiny TCP/UDP servers and clients for the networking tests (no socat or nc on the test host).

  net_echo.py serve tcp|udp PORT TAG   answers every connection or datagram with TAG
  net_echo.py ask tcp|udp HOST PORT    prints the answer; exits 1 when none comes in 2 s
  net_echo.py http HOST PORT PATH      prints the body of a GET; exits 1 on any failure
"""
import socket
import sys
import urllib.request


def serve(proto, port, tag):
    family = socket.AF_INET
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(family, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    if proto == "tcp":
        s.listen(16)
        while True:
            c, _ = s.accept()
            c.sendall(tag.encode() + b"\n")
            c.close()
    while True:
        _, peer = s.recvfrom(2048)
        s.sendto(tag.encode() + b"\n", peer)


def ask(proto, host, port):
    try:
        if proto == "tcp":
            with socket.create_connection((host, port), timeout=2) as c:
                data = c.recv(2048)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(2)
            s.sendto(b"?", (host, port))
            data, _ = s.recvfrom(2048)
    except OSError as e:
        print(f"no answer: {e}", file=sys.stderr)
        return 1
    sys.stdout.write(data.decode())
    return 0 if data else 1


def http(host, port, path):
    try:
        with urllib.request.urlopen(f"http://{host}:{port}{path}", timeout=3) as r:
            sys.stdout.write(r.read().decode())
    except OSError as e:
        print(f"no answer: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "serve":
        serve(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif cmd == "ask":
        sys.exit(ask(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    elif cmd == "http":
        sys.exit(http(sys.argv[2], int(sys.argv[3]), sys.argv[4]))
    sys.exit(2)
