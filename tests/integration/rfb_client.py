#!/usr/bin/env python3
"""A small RFB (VNC) client for the desktop tests: RFB 3.8 over a unix socket, security None,
32-bit true colour, Raw encoding, and the ExtendedDesktopSize extension for resizing.

  rfb_client.py SOCKET frame          a full frame: `WIDTHxHEIGHT RRGGBB` (the centre pixel)
  rfb_client.py SOCKET keys TEXT      types TEXT (each character's keysym, down then up)
  rfb_client.py SOCKET resize W H     asks for a W x H screen: `resized WxH` or `refused N`
  rfb_client.py SOCKET first-frame    seconds from connecting until a full frame has arrived
  rfb_client.py SOCKET pixel X Y       the pixel at X,Y of a full frame: RRGGBB
  rfb_client.py SOCKET pixels         how many colours a full frame has
  rfb_client.py SOCKET drag X0 Y0 X1 Y1
                                      Alt held, the left button pressed at X0,Y0, moved to
                                      X1,Y1 and released (a window manager's move)
  rfb_client.py SOCKET clip-send TEXT sends TEXT as the client's clipboard, prints `sent` once
                                      the server has read it, and stays connected until killed
                                      (the server drops a clipboard whose client has gone)
  rfb_client.py SOCKET clip-recv      prints `ready`, then the first clipboard text the server
                                      sends (ServerCutText)
SOCKET is a unix socket's path, a ws:// URL (websockify's WebSocket, as noVNC connects), or
tcp://HOST:PORT (security None), or tls://HOST:PORT: VeNCrypt's X509Vnc (TLS verified against $RFB_CA, the server's certificate,
then VNC authentication with $RFB_PASSWORD), as `--desktop-listen` serves it.
"""
import base64
import os
import socket
import struct
import sys
import time


class WebSocket:
    """RFB over a WebSocket (RFC 6455, binary frames): recv and sendall as a socket's."""

    def __init__(self, url):
        rest = url[len("ws://"):]
        hostport, _, path = rest.partition("/")
        host, _, port = hostport.partition(":")
        self.s = socket.create_connection((host, int(port)), timeout=20)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall(("GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: binary\r\n\r\n"
                        % (path, hostport, key)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.s.recv(4096)
            if not chunk:
                break
            head += chunk
        status = head.split(b"\r\n", 1)[0].decode(errors="replace")
        if " 101 " not in status + " ":
            raise SystemExit("rfb_client: refused: " + (status or "closed before the upgrade"))
        self.buffer = head.split(b"\r\n\r\n", 1)[1]

    def read_exact(self, n):
        while len(self.buffer) < n:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                raise SystemExit("rfb_client: the server closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def recv(self, n):
        if not hasattr(self, "payload") or not self.payload:
            while True:
                b0, b1 = self.read_exact(2)
                length = b1 & 0x7f
                if length == 126:
                    length = struct.unpack(">H", self.read_exact(2))[0]
                elif length == 127:
                    length = struct.unpack(">Q", self.read_exact(8))[0]
                data = self.read_exact(length)
                if b0 & 0x0f == 8:
                    return b""
                if b0 & 0x0f in (1, 2, 0):
                    self.payload = data
                    break
        out, self.payload = self.payload[:n], self.payload[n:]
        return out

    def sendall(self, data):
        mask = os.urandom(4)
        n = len(data)
        head = bytes([0x82]) + (bytes([0x80 | n]) if n < 126 else
                                bytes([0x80 | 126]) + struct.pack(">H", n) if n < 65536 else
                                bytes([0x80 | 127]) + struct.pack(">Q", n))
        self.s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def close(self):
        self.s.close()


def vnc_response(password, challenge):
    """VNC authentication: DES (ECB) of the challenge, keyed with the password's bytes, each
    byte's bits reversed."""
    from cryptography.hazmat.primitives.ciphers import Cipher, modes
    try:  # (cryptography 43 moved it)
        from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
    except ImportError:
        from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES
    key = bytes(int("{:08b}".format(b)[::-1], 2) for b in password.encode()[:8].ljust(8, b"\0"))
    enc = Cipher(TripleDES(key * 3), modes.ECB()).encryptor()  # (EDE with one key: DES)
    return enc.update(challenge) + enc.finalize()


class Rfb:
    def __init__(self, path):
        if path.startswith("ws://"):
            self.s = WebSocket(path)
        elif path.startswith(("tcp://", "tls://")):  # tcp: an image's own server, security None
            host, _, port = path[len("tcp://"):].rpartition(":")
            try:
                self.s = socket.create_connection((host.strip("[]"), int(port)), timeout=20)
            except OSError as e:
                raise SystemExit("rfb_client: connect to %s:%s: %s" % (host, port, e.strerror))
            self.tls = path.startswith("tls://")
        else:
            self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.s.settimeout(20)
            try:
                self.s.connect(path)
            except OSError as e:
                raise SystemExit("rfb_client: connect to %s: %s" % (path, e.strerror))
        version = self.read(12)
        if not version.startswith(b"RFB 003."):
            raise SystemExit("rfb_client: not an RFB server: %r" % version)
        self.s.sendall(b"RFB 003.008\n")
        n = self.read(1)[0]
        if n == 0:
            raise SystemExit("rfb_client: refused: " + self.read_string().decode())
        types = self.read(n)
        if getattr(self, "tls", False):
            self.x509_vnc(types)
        else:
            if 1 not in types:
                raise SystemExit("rfb_client: no security type None among %r" % list(types))
            self.s.sendall(b"\x01")
        if struct.unpack(">I", self.read(4))[0] != 0:
            reason = self.read_string().decode(errors="replace")
            raise SystemExit("rfb_client: security failed: " + reason)
        self.s.sendall(b"\x01")  # shared
        self.width, self.height = struct.unpack(">HH", self.read(4))
        self.read(16)  # the server's pixel format
        self.read_string()  # desktop name
        # 32 bpp, depth 24, little endian, true colour, 8 bits each at 16/8/0.
        self.s.sendall(struct.pack(">BxxxBBBBHHHBBBxxx", 0, 32, 24, 0, 1, 255, 255, 255,
                                   16, 8, 0))
        encodings = [0, -308, -223]  # Raw, ExtendedDesktopSize, DesktopSize
        self.s.sendall(struct.pack(">BxH", 2, len(encodings)) +
                       b"".join(struct.pack(">i", e) for e in encodings))
        self.pixels = bytearray(self.width * self.height * 4)
        self.covered = 0  # pixels a Raw rectangle has given since the last reset
        self.screen_id = None

    def x509_vnc(self, types):
        import ssl
        if 19 not in types:
            raise SystemExit("rfb_client: no VeNCrypt among %r" % list(types))
        self.s.sendall(b"\x13")
        if self.read(2) != b"\x00\x02":
            raise SystemExit("rfb_client: not VeNCrypt 0.2")
        self.s.sendall(b"\x00\x02")
        if self.read(1) != b"\x00":
            raise SystemExit("rfb_client: VeNCrypt version refused")
        n = self.read(1)[0]
        subtypes = struct.unpack(">%dI" % n, self.read(4 * n))
        if 261 not in subtypes:
            raise SystemExit("rfb_client: no X509Vnc among %r" % list(subtypes))
        self.s.sendall(struct.pack(">I", 261))
        if self.read(1) != b"\x01":
            raise SystemExit("rfb_client: X509Vnc refused")
        context = ssl.create_default_context(cafile=os.environ["RFB_CA"])
        context.check_hostname = False
        try:
            self.s = context.wrap_socket(self.s)
        except ssl.SSLError as e:
            raise SystemExit("rfb_client: TLS: %s" % e.reason)
        challenge = self.read(16)
        self.s.sendall(vnc_response(os.environ["RFB_PASSWORD"], challenge))

    def read(self, n):
        data = bytearray()
        while len(data) < n:
            chunk = self.s.recv(min(n - len(data), 1 << 20))
            if not chunk:
                raise SystemExit("rfb_client: the server closed the connection")
            data += chunk
        return bytes(data)

    def read_string(self):
        return self.read(struct.unpack(">I", self.read(4))[0])

    def request(self, incremental=False):
        self.s.sendall(struct.pack(">BBHHHH", 3, int(incremental), 0, 0, self.width, self.height))

    def update(self):
        """Reads messages until a framebuffer update; returns its rectangles' pseudo-encodings
        as (encoding, x, y, w, h) and applies Raw ones."""
        while True:
            kind = self.read(1)[0]
            if kind == 0:
                break
            if kind == 1:  # colour map entries
                _, _, n = struct.unpack(">xHH", self.read(5))
                self.read(6 * n)
            elif kind == 2:  # bell
                pass
            elif kind == 3:  # server cut text
                self.read(3)
                self.read_string()
            else:
                raise SystemExit("rfb_client: unknown message %d" % kind)
        (n,) = struct.unpack(">xH", self.read(3))
        pseudo = []
        for _ in range(n):
            x, y, w, h, enc = struct.unpack(">HHHHi", self.read(12))
            if enc == 0:
                data = self.read(w * h * 4)
                self.covered += w * h
                for row in range(h):
                    at = ((y + row) * self.width + x) * 4
                    self.pixels[at:at + w * 4] = data[row * w * 4:(row + 1) * w * 4]
            elif enc == -308:
                screens = self.read(4)[0]
                for _ in range(screens):
                    sid, = struct.unpack(">I", self.read(16)[:4])
                    self.screen_id = sid
                self.resize(w, h)
                pseudo.append((enc, x, y, w, h))
            elif enc == -223:
                self.resize(w, h)
                pseudo.append((enc, x, y, w, h))
            else:
                raise SystemExit("rfb_client: unexpected encoding %d" % enc)
        return pseudo

    def resize(self, w, h):
        if (w, h) != (self.width, self.height):
            self.width, self.height = w, h
            self.pixels = bytearray(w * h * 4)
            self.covered = 0

    def full_frame(self):
        """Asks for the whole screen until Raw rectangles have covered all of it. (TigerVNC
        answers a non-incremental request from a client that knows ExtendedDesktopSize with
        the screen's layout alone; the pixels come with the following, incremental, ones.)"""
        self.covered = 0
        incremental = False
        while self.covered < self.width * self.height:
            self.request(incremental)
            self.update()
            incremental = True

    def pixel(self, x, y):
        at = (y * self.width + x) * 4
        b, g, r = self.pixels[at], self.pixels[at + 1], self.pixels[at + 2]
        return "%02x%02x%02x" % (r, g, b)


def main():
    path, command = sys.argv[1], sys.argv[2]
    start = time.monotonic()
    c = Rfb(path)
    if command == "frame":
        c.full_frame()
        print("%dx%d %s" % (c.width, c.height, c.pixel(c.width // 2, c.height // 2)))
    elif command == "first-frame":
        c.full_frame()
        print("%.4f" % (time.monotonic() - start))
    elif command == "keys":
        for ch in sys.argv[3]:
            for down in (1, 0):
                c.s.sendall(struct.pack(">BBxxI", 4, down, ord(ch)))
        c.full_frame()  # a round trip: the server has read the keys
    elif command == "resize":
        w, h = int(sys.argv[3]), int(sys.argv[4])
        c.full_frame()
        if c.screen_id is None:
            raise SystemExit("rfb_client: the server did not announce ExtendedDesktopSize")
        c.s.sendall(struct.pack(">BxHHBxIHHHHI", 251, w, h, 1, c.screen_id, 0, 0, w, h, 0))
        c.request(incremental=True)  # the answer comes as an update
        while True:
            for enc, reason, status, rw, rh in c.update():
                if enc == -308 and reason == 1:
                    print("resized %dx%d" % (rw, rh) if status == 0 else "refused %d" % status)
                    return
            c.request(incremental=True)
    elif command == "pixel":
        c.full_frame()
        print(c.pixel(int(sys.argv[3]), int(sys.argv[4])))
    elif command == "pixels":
        c.full_frame()
        print(len(set(bytes(c.pixels[i:i + 3]) for i in range(0, len(c.pixels), 4))))
    elif command == "drag":
        x0, y0, x1, y1 = (int(v) for v in sys.argv[3:7])
        alt = 0xffe9
        c.s.sendall(struct.pack(">BBxxI", 4, 1, alt))
        for mask, x, y in ((0, x0, y0), (1, x0, y0), (1, (x0 + x1) // 2, (y0 + y1) // 2),
                           (1, x1, y1), (0, x1, y1)):
            c.s.sendall(struct.pack(">BBHH", 5, mask, x, y))
        c.s.sendall(struct.pack(">BBxxI", 4, 0, alt))
        c.full_frame()  # a round trip: the server has read them
    elif command == "clip-send":
        text = sys.argv[3].encode("latin-1")
        c.s.sendall(struct.pack(">BxxxI", 6, len(text)) + text)
        c.full_frame()  # a round trip: the server has read the text
        print("sent", flush=True)
        time.sleep(60)
    elif command == "clip-recv":
        print("ready", flush=True)
        while True:
            kind = c.read(1)[0]
            if kind == 3:
                c.read(3)
                print(c.read_string().decode("latin-1"))
                return
            if kind == 1:
                _, _, n = struct.unpack(">xHH", c.read(5))
                c.read(6 * n)
            elif kind != 2:
                raise SystemExit("rfb_client: unexpected message %d" % kind)
    else:
        raise SystemExit("rfb_client: unknown command " + command)


if __name__ == "__main__":
    main()
