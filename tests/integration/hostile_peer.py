"""A scripted misbehaving Bitcoin peer on 127.0.0.1 (Python stdlib only).

It builds its own regtest header chain (the regtest proof-of-work limit
makes mining a matter of a few nonce tries), completes the version/verack
handshake as a normal node would, then answers koban's getheaders with one
attack (see ATTACKS). Used by test_sync_hostile.py.
"""
import hashlib
import os
import random
import socket
import struct
import threading
import time

REGTEST_MAGIC = bytes.fromhex("fabfb5da")
MAIN_MAGIC = bytes.fromhex("f9beb4d9")
REGTEST_BITS = 0x207FFFFF
GENESIS = (struct.pack("<I", 1) + bytes(32)
           + bytes.fromhex("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b")[::-1]
           + struct.pack("<III", 1296688602, REGTEST_BITS, 2))

ATTACKS = ["honest", "bad_pow", "wrong_bits", "mtp", "future", "not_connecting", "lower_work_fork",
           "oversize", "bad_checksum", "wrong_magic", "garbage", "stall"]


def dsha(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def target_of(bits):
    exp = bits >> 24
    mant = bits & 0x7FFFFF
    return mant << (8 * (exp - 3))


def pow_ok(h80):
    bits = struct.unpack("<I", h80[72:76])[0]
    return int.from_bytes(dsha(h80), "little") <= target_of(bits)


def make_header(prev, t, bits=REGTEST_BITS, want_valid=True, version=0x20000000):
    """Mines (or, want_valid False, anti-mines) a header on prev."""
    root = os.urandom(32)
    for nonce in range(1 << 20):
        h = struct.pack("<I", version) + dsha(prev) + root + struct.pack("<III", t, bits, nonce)
        if pow_ok(h) == want_valid:
            return h
    raise RuntimeError("no nonce found")


def build_chain(n, start_time=None, parent=GENESIS, spacing=600):
    """n headers on parent with increasing times."""
    t = start_time or (struct.unpack("<I", parent[68:72])[0] + spacing)
    out, prev = [], parent
    for _ in range(n):
        h = make_header(prev, t)
        out.append(h)
        prev = h
        t += spacing
    return out


def mtp(chain_with_genesis):
    times = sorted(struct.unpack("<I", h[68:72])[0] for h in chain_with_genesis[-11:])
    return times[len(times) // 2]


def frame(command, payload, magic=REGTEST_MAGIC, checksum=None):
    cmd = command.encode().ljust(12, b"\0")
    cs = checksum if checksum is not None else dsha(payload)[:4]
    return magic + cmd + struct.pack("<I", len(payload)) + cs + payload


def varint(n):
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + struct.pack("<H", n)
    return b"\xfe" + struct.pack("<I", n)


def headers_payload(hs):
    return varint(len(hs)) + b"".join(h + b"\0" for h in hs)


def version_payload(start_height):
    addr = struct.pack("<Q", 9) + bytes(10) + b"\xff\xff" + bytes(4) + struct.pack(">H", 0)
    ua = b"/hostile:0.1/"
    return (struct.pack("<iQq", 70016, 9, int(time.time())) + addr + addr
            + struct.pack("<Q", random.getrandbits(64)) + varint(len(ua)) + ua
            + struct.pack("<i", start_height) + b"\x01")


class HostilePeer:
    """Listens on 127.0.0.1:port; every connection gets the same attack.

    honest: the headers that extend koban's chain (all of `chain`).
    attack headers are built on chain[:base] (koban already holds those).
    """

    def __init__(self, attack, chain, base, claim_height=None):
        self.attack = attack
        self.chain = chain          # honest headers 1..len(chain)
        self.base = base            # koban holds heights 0..base
        self.claim = claim_height if claim_height is not None else len(chain) + 50
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.getheaders = 0
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def addr(self):
        return f"127.0.0.1:{self.port}"

    def close(self):
        self.stop = True
        try:
            self.sock.close()
        except OSError:
            pass

    def _serve(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._conn, args=(c,), daemon=True).start()

    def _attack_headers(self):
        honest = [GENESIS] + self.chain[:self.base]
        tip = honest[-1]
        tip_time = struct.unpack("<I", tip[68:72])[0]
        a = self.attack
        if a == "bad_pow":
            return [make_header(tip, tip_time + 600, want_valid=False)]
        if a == "wrong_bits":
            return [make_header(tip, tip_time + 600, bits=0x207FFFFE)]
        if a == "mtp":
            return [make_header(tip, mtp(honest))]
        if a == "future":
            return [make_header(tip, int(time.time()) + 3 * 3600)]
        if a == "not_connecting":
            return build_chain(5, parent=make_header(os.urandom(80), tip_time + 600))
        if a == "lower_work_fork":
            fork_at = honest[self.base // 2]
            return build_chain(self.base // 4, parent=fork_at, spacing=601)
        return None

    def _conn(self, c):
        c.settimeout(30)
        buf = b""
        try:
            while not self.stop:
                data = c.recv(65536)
                if not data:
                    return
                buf += data
                while len(buf) >= 24:
                    length = struct.unpack("<I", buf[16:20])[0]
                    if len(buf) < 24 + length:
                        break
                    cmd = buf[4:16].rstrip(b"\0").decode()
                    payload = buf[24:24 + length]
                    buf = buf[24 + length:]
                    self._handle(c, cmd, payload)
        except OSError:
            pass
        finally:
            c.close()

    def _locate(self, payload):
        """Index in self.chain after the first locator hash we know."""
        n = payload[4]
        known = {dsha(GENESIS): 0}
        for i, h in enumerate(self.chain):
            known[dsha(h)] = i + 1
        for i in range(n):
            h = payload[5 + 32 * i:37 + 32 * i]
            if h in known:
                return known[h]
        return 0

    def _handle(self, c, cmd, payload):
        a = self.attack
        if cmd == "version":
            c.sendall(frame("version", version_payload(self.claim)))
            c.sendall(frame("verack", b""))
        elif cmd == "ping":
            c.sendall(frame("pong", payload))
        elif cmd == "getheaders":
            self.getheaders += 1
            if a == "honest":
                start = self._locate(payload)
                c.sendall(frame("headers", headers_payload(self.chain[start:start + 2000])))
            elif a == "stall":
                pass
            elif a == "oversize":
                c.sendall(REGTEST_MAGIC + b"headers".ljust(12, b"\0")
                          + struct.pack("<I", 4_000_001) + bytes(4) + bytes(1000))
            elif a == "bad_checksum":
                c.sendall(frame("headers", headers_payload(self.chain[self.base:]), checksum=b"\0\0\0\0"))
            elif a == "wrong_magic":
                c.sendall(frame("headers", headers_payload(self.chain[self.base:]), magic=MAIN_MAGIC))
            elif a == "garbage":
                c.sendall(os.urandom(4096))
            else:
                c.sendall(frame("headers", headers_payload(self._attack_headers())))


class Socks5Proxy:
    """A minimal SOCKS5 proxy (RFC 1928, no authentication) on 127.0.0.1
    that sends every CONNECT to `target` (host, port) and records what was
    asked for: (address type, host, port)."""

    def __init__(self, target):
        self.target = target
        self.requests = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def addr(self):
        return f"127.0.0.1:{self.port}"

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._conn, args=(c,), daemon=True).start()

    @staticmethod
    def _read(c, n):
        b = b""
        while len(b) < n:
            d = c.recv(n - len(b))
            if not d:
                raise OSError("closed")
            b += d
        return b

    def _conn(self, c):
        try:
            ver, nm = self._read(c, 2)
            methods = self._read(c, nm)
            if ver != 5 or 0 not in methods:
                c.sendall(b"\x05\xff")
                return
            c.sendall(b"\x05\x00")
            ver, cmd, _, atyp = self._read(c, 4)
            if atyp == 1:
                host = socket.inet_ntoa(self._read(c, 4))
            elif atyp == 4:
                host = socket.inet_ntop(socket.AF_INET6, self._read(c, 16))
            else:
                host = self._read(c, self._read(c, 1)[0]).decode()
            port = struct.unpack(">H", self._read(c, 2))[0]
            self.requests.append((atyp, host, port))
            up = socket.create_connection(self.target)
            c.sendall(b"\x05\x00\x00\x01" + bytes(4) + b"\x00\x00")
            threading.Thread(target=self._pipe, args=(up, c), daemon=True).start()
            self._pipe(c, up)
        except OSError:
            c.close()

    @staticmethod
    def _pipe(a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                b.sendall(d)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
