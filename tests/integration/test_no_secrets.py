#!/usr/bin/env python3
"""Neither a wallet file nor its WAL (nor anything else koban writes in the
data directory) contains the mnemonic, its entropy, the seed, the master
key or any extended private key, in any encoding (words, hex, base58,
base64, raw bytes); and a wrong password is refused."""
import base64
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kobantest import (Failures, Koban, b58check, b58decode, bip39_seed,  # noqa: E402
                       funding_tx, master_key)

WORDS = os.path.join(os.environ.get("KOBAN_SRCDIR", "."), "tests", "data", "bip39", "wordlist_english.txt")


def entropy_of(mnemonic):
    words = open(WORDS).read().split()
    bits = "".join(format(words.index(w), "011b") for w in mnemonic.split())
    n = len(bits) * 32 // 33
    return int(bits[:n], 2).to_bytes(n // 8, "big")


def encodings(secret_bytes):
    yield secret_bytes
    yield secret_bytes.hex().encode()
    yield secret_bytes.hex().upper().encode()
    yield base64.b64encode(secret_bytes)


def all_files(root):
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            with open(p, "rb") as fh:
                yield p, fh.read()


t = Failures("no_secrets")
k = Koban()
try:
    created = k.ok("create", "--words", "24", json_out=True, wallet="hot")
    mnemonic = created["mnemonic"]
    t.check(len(mnemonic.split()) == 24, "a 24-word mnemonic was made")
    passphrase = "pass phrase 25th"
    ppfile = os.path.join(k.dir, "pp")
    with open(ppfile, "w") as f:
        f.write(passphrase + "\n")
    k.ok("restore", "--passphrase-file", ppfile, stdin=mnemonic + "\n", wallet="restored")

    # Work the wallets so the WAL and the store see writes: addresses,
    # a transaction, a signature.
    for w in ("hot", "restored"):
        a = k.ok("receive", "--label", "x", json_out=True, wallet=w)
        raw = funding_tx([(50_000_000, bytes.fromhex(a["script"]))], seed=w.encode())
        k.ok("tx", "add", raw.hex(), "--height", "10", "--tip", "20", wallet=w)
        psbt = os.path.join(k.dir, w + ".psbt")
        k.ok("psbt", "create", a["address"], "0.1", "--fee-rate", "1", "-o", psbt, wallet=w)
        k.ok("psbt", "sign", psbt, "-o", psbt + ".signed", wallet=w)
    privs = {w: k.ok("export-descriptors", "--private", json_out=True, wallet=w) for w in ("hot", "restored")}
    os.remove(os.path.join(k.dir, "hot.psbt.signed"))
    os.remove(os.path.join(k.dir, "restored.psbt.signed"))

    secrets = []  # (what, bytes)
    secrets.append(("mnemonic", mnemonic.encode()))
    secrets.append(("mnemonic's first 5 words", " ".join(mnemonic.split()[:5]).encode()))
    secrets.append(("passphrase", passphrase.encode()))
    for what, b in (("entropy", entropy_of(mnemonic)),):
        for e in encodings(b):
            secrets.append((what, e))
    for label, pp in (("seed", ""), ("seed with passphrase", passphrase)):
        seed = bip39_seed(mnemonic, pp)
        for e in encodings(seed):
            secrets.append((label, e))
        key, chain = master_key(seed)
        for e in encodings(key):
            secrets.append((label + " master key", e))
        tprv = b58check(bytes.fromhex("04358394") + b"\0" * 9 + chain + b"\0" + key)
        secrets.append((label + " master tprv", tprv.encode()))
    for w, descs in privs.items():
        for d in descs:
            start = d.index("tprv")
            x = d[start:start + 111]
            t.check(len(x) == 111, f"{w}: export --private gives a tprv")
            secrets.append((w + " account tprv", x.encode()))
            raw = b58decode(x)[:-4]
            for e in encodings(raw[46:78]):
                secrets.append((w + " account private key", e))

    files = list(all_files(k.datadir))
    names = [os.path.basename(p) for p, _ in files]
    t.check(any(n.endswith(".sqlite") for n in names), f"wallet files are there: {names}")
    for path, data in files:
        for what, s in secrets:
            t.check(s not in data, f"{what} found in {path}")

    # A wrong password is refused and changes nothing.
    bad = os.path.join(k.dir, "bad")
    with open(bad, "w") as f:
        f.write("not the password\n")
    import subprocess
    from kobantest import KOBAN, snapshot
    before = snapshot(k.wallet_file("hot"))
    p = subprocess.run([KOBAN, "-n", "regtest", "-d", k.datadir, "-w", "hot", "--password-file", bad,
                        "mnemonic"], capture_output=True, text=True)
    t.check(p.returncode == 1, f"wrong password: exit 1 (got {p.returncode})")
    t.check(p.stderr.strip() == "koban: wrong password", f"wrong password message: {p.stderr.strip()}")
    t.check(mnemonic.split()[0] not in p.stdout + p.stderr, "no secret in the refusal")
    t.check(snapshot(k.wallet_file("hot")) == before, "the wallet file is unchanged")
finally:
    k.cleanup()
t.finish()
