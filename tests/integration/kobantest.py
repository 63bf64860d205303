"""Helpers for koban's Python-driven tests: run the real binary against a
real data directory in a temporary folder, check exit status and output."""
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import tempfile

KOBAN = os.environ.get("KOBAN_BIN") or os.path.join(os.getcwd(), "build", "koban")
SRCDIR = os.environ.get("KOBAN_SRCDIR") or os.getcwd()

# The BIP84 test mnemonic (public, for tests only).
ABANDON = ("abandon abandon abandon abandon abandon abandon abandon abandon "
           "abandon abandon abandon about")


class Failures:
    """Counts checks; prints the closing line the CI reads."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL: {what}", flush=True)
        return cond

    def finish(self):
        print(f"{self.name}: {self.passed} passed, {self.failed} failed")
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


class Koban:
    """One data directory (and network) for a test, removed at the end."""

    def __init__(self, network="regtest", password="correct horse battery staple"):
        self.dir = tempfile.mkdtemp(prefix="koban-test-")
        self.datadir = os.path.join(self.dir, "data")
        self.network = network
        self.pwfile = os.path.join(self.dir, "password")
        with open(self.pwfile, "w") as f:
            f.write(password + "\n")

    def run(self, *args, stdin=None, wallet=None, json_out=False, password=True, env=None, prefix=()):
        cmd = list(prefix) + [KOBAN, "-n", self.network, "-d", self.datadir, "--test-kdf"]
        if wallet:
            cmd += ["-w", wallet]
        if password:
            cmd += ["--password-file", self.pwfile]
        if json_out:
            cmd.append("--json")
        cmd += list(args)
        p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=120,
                           env=env)
        return p

    def ok(self, *args, **kw):
        p = self.run(*args, **kw)
        if p.returncode != 0:
            raise RuntimeError(f"koban {' '.join(args)} failed ({p.returncode}): {p.stderr.strip()}")
        if kw.get("json_out"):
            return json.loads(p.stdout)
        return p.stdout

    def wallet_file(self, wallet="default"):
        return os.path.join(self.datadir, self.network_dir(), wallet + ".sqlite")

    def network_dir(self):
        return {"main": "main", "test": "testnet3", "regtest": "regtest", "signet": "signet",
                "testnet4": "testnet4"}[self.network]

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def snapshot(path):
    """The content of a wallet file and its WAL, to prove nothing changed.
    The -shm file is SQLite's shared-memory index, rebuilt on every open,
    and an empty WAL holds nothing: neither is content."""
    out = {}
    for suffix in ("", "-wal"):
        p = path + suffix
        if os.path.exists(p) and os.path.getsize(p) > 0:
            with open(p, "rb") as f:
                out[suffix] = hashlib.sha256(f.read()).hexdigest()
    return out


# --- a minimal transaction builder (for funding transactions in tests) ---

def varint(n):
    if n < 0xfd:
        return bytes([n])
    if n <= 0xffff:
        return b"\xfd" + n.to_bytes(2, "little")
    return b"\xfe" + n.to_bytes(4, "little")


def funding_tx(outputs, seed=b"koban"):
    """A transaction with one made-up input paying [(value, spk_bytes)]."""
    prev = hashlib.sha256(seed).digest()
    tx = (2).to_bytes(4, "little") + varint(1) + prev + (0).to_bytes(4, "little")
    tx += varint(0) + (0xffffffff).to_bytes(4, "little")
    tx += varint(len(outputs))
    for value, spk in outputs:
        tx += value.to_bytes(8, "little") + varint(len(spk)) + spk
    tx += (0).to_bytes(4, "little")
    return tx


def txid(raw):
    return hashlib.sha256(hashlib.sha256(raw).digest()).digest()[::-1].hex()


# --- base58 (for scanning files for extended private keys) ---

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58encode(b):
    n = int.from_bytes(b, "big")
    s = ""
    while n:
        n, r = divmod(n, 58)
        s = B58[r] + s
    return "1" * (len(b) - len(b.lstrip(b"\0"))) + s


def b58check(b):
    return b58encode(b + hashlib.sha256(hashlib.sha256(b).digest()).digest()[:4])


def b58decode(s):
    n = 0
    for ch in s:
        n = n * 58 + B58.index(ch)
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\0" * (len(s) - len(s.lstrip("1"))) + b


def bip39_seed(mnemonic, passphrase=""):
    return hashlib.pbkdf2_hmac("sha512", mnemonic.encode(), ("mnemonic" + passphrase).encode(), 2048)


def master_key(seed):
    i = hmac.new(b"Bitcoin seed", seed, hashlib.sha512).digest()
    return i[:32], i[32:]
