"""A dishonest relay for wallet-sync tests (Python stdlib only).

koban connects to it as to a peer; it connects to a real node (bcoin) and
relays every message both ways, except that in the node -> koban direction
it applies one attack to filtered blocks:
  - "withhold": drops every `tx` that follows a merkleblock (the matched
    transactions a filtered block promises);
  - "tamper": flips a bit in the first hash of every merkleblock, so the
    proof no longer reaches the header's root;
  - "flood": (koban -> node) sets every bit of koban's filterload, so the
    node sends every transaction, which the wallet's filter cannot explain;
  - "none": relays honestly.
`hits` counts the messages it changed or dropped, and `first_hit` is set at
the first; `hung_up` is set when koban closes a connection to it. A relay
built with `gate` (an Event) holds every connection it accepts until the
gate opens (or `gate_timeout` passes) before it connects upstream: an
honest peer that answers only once koban has dealt with the attacker makes
a test deterministic.
"""
import socket
import struct
import threading

REGTEST_MAGIC = bytes.fromhex("fabfb5da")


def _read(s, n):
    b = b""
    while len(b) < n:
        chunk = s.recv(n - len(b))
        if not chunk:
            raise ConnectionError
        b += chunk
    return b


def _frame(command, payload):
    import hashlib
    ck = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    return REGTEST_MAGIC + command.ljust(12, b"\0") + struct.pack("<I", len(payload)) + ck + payload


def _varint(b, off):
    v = b[off]
    if v < 0xfd:
        return v, off + 1
    if v == 0xfd:
        return struct.unpack_from("<H", b, off + 1)[0], off + 3
    if v == 0xfe:
        return struct.unpack_from("<I", b, off + 1)[0], off + 5
    return struct.unpack_from("<Q", b, off + 1)[0], off + 9


class Mitm:
    def __init__(self, attack, target, gate=None, gate_timeout=60):
        assert attack in ("withhold", "tamper", "flood", "none")
        self.attack = attack
        self.target = target  # (host, port)
        self.gate = gate
        self.gate_timeout = gate_timeout
        self.hits = 0
        self.first_hit = threading.Event()
        self.hung_up = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def addr(self):
        return f"127.0.0.1:{self.port}"

    def close(self):
        self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass

    def _serve(self):
        while not self.closed:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._connect, args=(c,), daemon=True).start()

    def _connect(self, c):
        if self.gate is not None:
            self.gate.wait(self.gate_timeout)
        try:
            u = socket.create_connection(self.target)
        except OSError:
            c.close()
            return
        threading.Thread(target=self._pipe_up, args=(c, u), daemon=True).start()
        threading.Thread(target=self._pipe_filtered, args=(u, c), daemon=True).start()

    def _hit(self):
        self.hits += 1
        self.first_hit.set()

    def _pipe_up(self, a, b):
        """koban -> node: frame by frame, so "flood" can rewrite filterload."""
        try:
            while True:
                hdr = _read(a, 24)
                command = hdr[4:16].rstrip(b"\0")
                payload = _read(a, struct.unpack_from("<I", hdr, 16)[0])
                if command == b"filterload" and self.attack == "flood":
                    n, off = _varint(payload, 0)
                    payload = payload[:off] + b"\xff" * n + payload[off + n:]
                    self._hit()
                    b.sendall(_frame(command, payload))
                    continue
                b.sendall(hdr + payload)
        except (OSError, ConnectionError, struct.error, IndexError):
            pass
        self.hung_up.set()
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _pipe_filtered(self, a, b):
        after_merkleblock = False
        try:
            while True:
                hdr = _read(a, 24)
                command = hdr[4:16].rstrip(b"\0")
                n = struct.unpack_from("<I", hdr, 16)[0]
                payload = _read(a, n)
                if command == b"merkleblock":
                    after_merkleblock = True
                    if self.attack == "tamper":
                        total = struct.unpack_from("<I", payload, 80)[0]
                        nh, off = _varint(payload, 84)
                        if nh >= 1 and total >= 1:
                            p = bytearray(payload)
                            p[off] ^= 1
                            payload = bytes(p)
                            self._hit()
                            b.sendall(_frame(command, payload))
                            continue
                elif command == b"tx" and after_merkleblock and self.attack == "withhold":
                    self._hit()
                    continue
                elif command not in (b"tx",):
                    after_merkleblock = command == b"merkleblock" and after_merkleblock
                b.sendall(hdr + payload)
        except (OSError, ConnectionError, struct.error, IndexError):
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
