#!/usr/bin/env python3
"""Self-test of the bcoin regtest harness (Python 3 stdlib only).

    cd tests/integration/harness && npm ci && python3 selftest.py

Starts real bcoin nodes on free loopback ports and checks what koban's
tests rely on. Prints one line per check and, last, "N passed, M failed";
exits 0 only when nothing failed.
"""

import hashlib
import os
import random
import re
import socket
import struct
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bcoin import Bcoin, RPCError, free_port, wait_until  # noqa: E402
from rpc import call  # noqa: E402

REGTEST_MAGIC = bytes.fromhex("fabfb5da")
NODE_NETWORK, NODE_BLOOM, NODE_WITNESS = 1, 4, 8
MSG_FILTERED_BLOCK = 3

passed = 0
failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok   - {name}", flush=True)
    else:
        failed += 1
        print(f"FAIL - {name}" + (f": {detail}" if detail else ""), flush=True)
    return bool(cond)


def crash(name, exc):
    global failed
    failed += 1
    print(f"FAIL - {name}: {exc.__class__.__name__}: {exc}", flush=True)
    traceback.print_exc(file=sys.stderr)


# --------------------------------------------------------------- encodings

def sha256d(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58check(payload):
    data = payload + sha256d(payload)[:4]
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58decode_check(s):
    n = 0
    for c in s:
        n = n * 58 + B58.index(c)
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    raw = b"\0" * (len(s) - len(s.lstrip("1"))) + raw
    body, ck = raw[:-4], raw[-4:]
    if sha256d(body)[:4] != ck:
        raise ValueError("bad checksum")
    return body


# ------------------------------------------------------ a minimal P2P peer

def varint(n):
    if n < 0xfd:
        return bytes([n])
    if n <= 0xffff:
        return b"\xfd" + struct.pack("<H", n)
    if n <= 0xffffffff:
        return b"\xfe" + struct.pack("<I", n)
    return b"\xff" + struct.pack("<Q", n)


def murmur3(seed, data):
    """MurmurHash3 x86_32, as BIP37 uses it."""
    c1, c2, m = 0xcc9e2d51, 0x1b873593, 0xffffffff
    h = seed & m
    n = len(data) // 4 * 4
    for i in range(0, n, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * c1) & m
        k = ((k << 15) | (k >> 17)) & m
        k = (k * c2) & m
        h ^= k
        h = ((h << 13) | (h >> 19)) & m
        h = (h * 5 + 0xe6546b64) & m
    k = 0
    tail = data[n:]
    if len(tail) >= 3:
        k ^= tail[2] << 16
    if len(tail) >= 2:
        k ^= tail[1] << 8
    if len(tail) >= 1:
        k ^= tail[0]
        k = (k * c1) & m
        k = ((k << 15) | (k >> 17)) & m
        k = (k * c2) & m
        h ^= k
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85ebca6b) & m
    h ^= h >> 13
    h = (h * 0xc2b2ae35) & m
    h ^= h >> 16
    return h


# (seed, data hex, expected) from Bitcoin Core src/test/hash_tests.cpp (MIT),
# as copied in shared/vectors/bip37/bip37_bloom_merkleblock_vectors.json.
MURMUR3_VECTORS = [(0x00000000, "", 0x00000000), (0xfba4c795, "", 0x6a396f08),
                   (0x00000000, "00", 0x514e28b7), (0x00000000, "ff", 0xfd6cf10d),
                   (0x00000000, "001122", 0x8eb51c3d),
                   (0x00000000, "001122334455667788", 0xb4698def)]


def bloom_filter(elements, size=512, nhash=10, tweak=None):
    """A BIP37 filterload payload holding ELEMENTS (bytes)."""
    tweak = random.getrandbits(32) if tweak is None else tweak
    bits = bytearray(size)
    for e in elements:
        for i in range(nhash):
            h = murmur3((i * 0xfba4c795 + tweak) & 0xffffffff, e) % (size * 8)
            bits[h >> 3] |= 1 << (h & 7)
    return varint(size) + bytes(bits) + struct.pack("<IIB", nhash, tweak, 0)


def read_varint(b, off):
    n = b[off]
    if n < 0xfd:
        return n, off + 1
    size = {0xfd: 2, 0xfe: 4, 0xff: 8}[n]
    return int.from_bytes(b[off + 1:off + 1 + size], "little"), off + 1 + size


def parse_merkleblock(payload):
    """(block hash hex, merkle root ok?, matched txids hex) of a merkleblock."""
    header = payload[:80]
    total = struct.unpack("<I", payload[80:84])[0]
    nhashes, off = read_varint(payload, 84)
    hashes = [payload[off + 32 * i:off + 32 * i + 32] for i in range(nhashes)]
    off += 32 * nhashes
    nflags, off = read_varint(payload, off)
    flags = payload[off:off + nflags]
    bits = [(flags[i // 8] >> (i % 8)) & 1 for i in range(nflags * 8)]
    pos = {"bit": 0, "hash": 0}
    matched = []

    def width(height):
        return (total + (1 << height) - 1) >> height

    def walk(height, idx):
        flag = bits[pos["bit"]]
        pos["bit"] += 1
        if height == 0 or not flag:
            h = hashes[pos["hash"]]
            pos["hash"] += 1
            if height == 0 and flag:
                matched.append(h[::-1].hex())
            return h
        left = walk(height - 1, idx * 2)
        right = walk(height - 1, idx * 2 + 1) if idx * 2 + 1 < width(height - 1) else left
        return sha256d(left + right)

    height = 0
    while width(height) > 1:
        height += 1
    root = walk(height, 0)
    return (sha256d(header)[::-1].hex(), root == header[36:68], matched,
            pos["hash"] == len(hashes))


class Peer:
    """Just enough of the Bitcoin P2P protocol to probe BIP37 serving."""

    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.remote_version = None

    def close(self):
        self.sock.close()

    def send(self, cmd, payload=b""):
        hdr = (REGTEST_MAGIC + cmd.encode().ljust(12, b"\0")
               + struct.pack("<I", len(payload)) + sha256d(payload)[:4])
        self.sock.sendall(hdr + payload)

    def _fill(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("peer closed the connection")
            self.buf += chunk

    def recv(self):
        self._fill(24)
        magic, cmd, length, ck = (self.buf[:4], self.buf[4:16],
                                  struct.unpack("<I", self.buf[16:20])[0],
                                  self.buf[20:24])
        if magic != REGTEST_MAGIC:
            raise ValueError(f"bad magic {magic.hex()}")
        self._fill(24 + length)
        payload = self.buf[24:24 + length]
        self.buf = self.buf[24 + length:]
        if sha256d(payload)[:4] != ck:
            raise ValueError("bad checksum")
        return cmd.rstrip(b"\0").decode(), payload

    def wait_for(self, want, deadline):
        """Read messages (answering pings) until one named WANT arrives."""
        while time.monotonic() < deadline:
            cmd, payload = self.recv()
            if cmd == "ping":
                self.send("pong", payload)
            elif cmd == "version":
                self.remote_version = payload
            if cmd == want:
                return payload
        raise TimeoutError(f"no {want} message")

    def handshake(self, port, deadline):
        addr = struct.pack("<Q", 0) + b"\0" * 10 + b"\xff\xff\x7f\0\0\1"
        payload = (struct.pack("<iQq", 70015, 0, int(time.time()))
                   + addr + struct.pack(">H", port)
                   + addr + struct.pack(">H", 0)
                   + struct.pack("<Q", random.getrandbits(64))
                   + varint(len(b"/koban-selftest/")) + b"/koban-selftest/"
                   + struct.pack("<i", 0) + b"\0")
        self.send("version", payload)
        if self.remote_version is None:
            self.wait_for("version", deadline)
        self.send("verack")
        self.wait_for("verack", deadline)
        return struct.unpack("<Q", self.remote_version[4:12])[0]  # services


MATCH_ALL = varint(1) + b"\xff" + struct.pack("<IIB", 1, 0, 0)


def ask_filtered_block(port, block_hash_hex, filterload=MATCH_ALL, timeout=15.0):
    """Handshake, filterload FILTERLOAD, getdata MSG_FILTERED_BLOCK.

    Returns (services, merkleblock payload or None if the node hung up).
    """
    deadline = time.monotonic() + timeout
    peer = Peer(port)
    try:
        services = peer.handshake(port, deadline)
        peer.send("filterload", filterload)
        inv = varint(1) + struct.pack("<I", MSG_FILTERED_BLOCK) \
            + bytes.fromhex(block_hash_hex)[::-1]
        peer.send("getdata", inv)
        try:
            return services, peer.wait_for("merkleblock", deadline)
        except (EOFError, ConnectionError):
            return services, None
    finally:
        peer.close()


# ---------------------------------------------------------------- checks

def listening_addresses(port):
    """Local addresses bound to PORT in LISTEN state (Linux /proc)."""
    found = []
    for table, fam in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 6)):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    local, state = parts[1], parts[3]
                    ip_hex, port_hex = local.split(":")
                    if state == "0A" and int(port_hex, 16) == port:
                        if fam == 4:
                            ip = socket.inet_ntoa(bytes.fromhex(ip_hex)[::-1])
                        else:
                            ip = "v6:" + ip_hex
                        found.append(ip)
        except FileNotFoundError:
            pass
    return found


def port_closed(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return False
    except OSError:
        return True


def pid_gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def check_install():
    pkg = os.path.join(HERE, "node_modules", "bcoin", "package.json")
    if not check("bcoin is installed (npm ci)", os.path.exists(pkg),
                 f"run `npm ci` in {HERE}"):
        return False
    import json
    with open(pkg) as f:
        version = json.load(f)["version"]
    check("bcoin version is 1.0.2", version == "1.0.2", version)
    # The option name for serving BIP37 as bcoin reads it.
    with open(os.path.join(HERE, "node_modules", "bcoin", "lib", "node",
                           "fullnode.js")) as f:
        src = f.read()
    check("bcoin's full node reads the option 'bip37'",
          "bip37: this.config.bool('bip37')" in src)
    return True


def test_main_node():
    t0 = time.monotonic()
    node = Bcoin()
    node.start()
    check(f"node started and READY in {time.monotonic() - t0:.1f}s "
          f"(pid {node.pid}, p2p {node.p2p_port}, rpc {node.rpc_port}, "
          f"wallet {node.wallet_port})", node.running())
    try:
        for what, port in (("p2p", node.p2p_port), ("rpc", node.rpc_port),
                           ("wallet", node.wallet_port)):
            addrs = listening_addresses(port)
            check(f"{what} port listens on 127.0.0.1 only", addrs == ["127.0.0.1"],
                  repr(addrs))

        try:
            call(node.rpc_port, "wrong-key", "getblockcount")
            check("wrong api key is refused", False, "call succeeded")
        except RPCError as e:
            check("wrong api key is refused", e.code == 401, str(e))

        check("fresh chain at height 0", node.rpc("getblockcount") == 0)

        hashes = node.mine(101)
        check("mined 101 blocks to the bcoin wallet", len(hashes) == 101)
        check("getblockcount == 101", node.rpc("getblockcount") == 101)
        check("getbestblockhash is the last mined block",
              node.rpc("getbestblockhash") == hashes[-1])

        addr1 = node.wallet_rpc("getnewaddress")
        check("getnewaddress gives a bcrt1q address",
              re.fullmatch(r"bcrt1q[02-9ac-hj-np-z]{38}", addr1 or ""), addr1)
        addr2 = node.new_address()
        check("second fresh address differs",
              addr2.startswith("bcrt1q") and addr2 != addr1, addr2)

        bal = node.wallet_rpc("getbalance")
        check("wallet is funded (getbalance > 0)", bal and bal > 0, repr(bal))

        wif = node.wallet_rpc("dumpprivkey", addr1)
        check("private keys use Core's regtest WIF prefix 0xef",
              b58decode_check(wif)[0] == 0xef, wif)
        p2pkh = b58check(b"\x6f" + bytes(20))
        p2sh = b58check(b"\xc4" + bytes(20))
        check("Core regtest P2PKH address (m/n...) is valid",
              node.rpc("validateaddress", p2pkh).get("isvalid") is True, p2pkh)
        check("Core regtest P2SH address (2...) is valid",
              node.rpc("validateaddress", p2sh).get("isvalid") is True, p2sh)
        rb = b58check(b"\x3c" + bytes(20))
        check("bcoin's own regtest prefix (0x3c) is not accepted",
              node.rpc("validateaddress", rb).get("isvalid") is False, rb)

        txid = node.wallet_rpc("sendtoaddress", addr2, 1.25)
        check("sendtoaddress returns a txid",
              re.fullmatch(r"[0-9a-f]{64}", txid or ""), repr(txid))
        try:
            node.wait_for_mempool(txid, timeout=15)
            in_pool = True
        except TimeoutError:
            in_pool = False
        check("the transaction is in getrawmempool", in_pool,
              repr(node.rpc("getrawmempool")) + "\n" + node.log_tail(1500))
        raw = node.rpc("getrawtransaction", txid)
        check("getrawtransaction returns it (segwit serialization)",
              isinstance(raw, str) and raw[8:12] == "0001", (raw or "")[:40])

        tip = node.rpc("getbestblockhash")
        node.rpc("invalidateblock", tip)
        check("invalidateblock of the tip drops the count to 100",
              node.rpc("getblockcount") == 100)
        check("the tip is now the parent block",
              node.rpc("getbestblockhash") == hashes[-2])

        new = node.mine(2)
        check("mining 2 blocks on the parent reorganises to height 102",
              node.rpc("getblockcount") == 102 and tip not in new
              and node.rpc("getbestblockhash") == new[-1])

        services, merkle = ask_filtered_block(node.p2p_port, new[-1])
        check("without --bip37 the node does not advertise NODE_BLOOM",
              services & NODE_BLOOM == 0 and services & NODE_WITNESS,
              hex(services))
        check("without --bip37 a filtered-block request is refused "
              "(connection dropped)", merkle is None)
    finally:
        pid, p2p, rpcp = node.pid, node.p2p_port, node.rpc_port
        code = node.stop()

    check("node stopped by pid with SIGTERM, exit code 0", code == 0, repr(code))
    check(f"process {pid} is gone", pid_gone(pid))
    check("its ports are closed", port_closed(p2p) and port_closed(rpcp))


def test_bip37_node():
    check("python murmur3 matches Bitcoin Core's test vectors",
          all(murmur3(seed, bytes.fromhex(d)) == want
              for seed, d, want in MURMUR3_VECTORS))
    with Bcoin(bip37=True) as node:
        info = node.rpc("getnetworkinfo")
        local = int(info["localservices"], 16)
        check("--bip37: getnetworkinfo localservices has NODE_BLOOM",
              local & NODE_BLOOM, info["localservices"])
        node.mine(101)
        txid = node.wallet_rpc("sendtoaddress", node.new_address(), 0.5)
        node.wait_for_mempool(txid)
        block = node.mine(1)[0]
        check("--bip37: block has the coinbase and our transaction",
              len(node.rpc("getblock", block)["tx"]) == 2)

        # A filter holding only our txid (internal byte order), so that the
        # node's murmur3/bloom code must agree with BIP37 to match it.
        flt = bloom_filter([bytes.fromhex(txid)[::-1]])
        services, merkle = ask_filtered_block(node.p2p_port, block, flt)
        check("--bip37: version message advertises NODE_BLOOM",
              services & NODE_BLOOM, hex(services))
        if check("--bip37: getdata MSG_FILTERED_BLOCK is answered with a "
                 "merkleblock", merkle is not None):
            bhash, root_ok, matched, used_all = parse_merkleblock(merkle)
            check("--bip37: merkleblock is for the requested block",
                  bhash == block, bhash)
            check("--bip37: its partial merkle tree hashes to the header's "
                  "merkle root", root_ok and used_all)
            check("--bip37: it matches exactly our transaction",
                  matched == [txid], repr(matched))
        pid = node.pid
    check("--bip37 node stopped and gone", pid_gone(pid))


def test_stdin_eof():
    node = Bcoin()
    node.start()
    pid = node.pid
    node.proc.stdin.close()  # what happens when the test process dies
    try:
        wait_until(lambda: node.proc.poll() is not None, timeout=15,
                   what="node exit on stdin EOF")
        ok = True
    except TimeoutError:
        ok = False
    node.stop()
    check("node exits by itself when its parent's pipe closes", ok)
    check(f"process {pid} is gone", pid_gone(pid))


def test_two_nodes():
    with Bcoin() as a:
        a.mine(20)
        with Bcoin(connect=[a.p2p_addr]) as b:
            try:
                wait_until(lambda: b.height() == 20, timeout=20,
                           what="second node synced")
                synced = True
            except TimeoutError:
                synced = False
            check("a node started with connect=[other.p2p_addr] syncs from it",
                  synced and b.tip() == a.tip())


def test_free_port():
    p = free_port()
    check("free_port() gives a loopback port that can be bound",
          1024 <= p <= 65535 and port_closed(p), p)


def main():
    t0 = time.monotonic()
    if check_install():
        for test in (test_free_port, test_main_node, test_bip37_node,
                     test_two_nodes, test_stdin_eof):
            try:
                test()
            except Exception as e:  # a crash counts as one failure
                crash(test.__name__, e)
    print(f"# {time.monotonic() - t0:.1f}s", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
