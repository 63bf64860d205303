#!/usr/bin/env python3
"""The air-gapped workflow, end to end, with no network: a signing wallet
and its watch-only twin (made from export-descriptors) on regtest; a
funding transaction given to both; the watch-only wallet writes a PSBT;
the signer signs it inside a network namespace with no network at all;
the watch-only wallet finalizes it; the raw transaction's signatures are
verified against the spent outputs by bcoin's script interpreter (an
independent implementation)."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kobantest import ABANDON, Failures, Koban, funding_tx, txid  # noqa: E402

HARNESS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "harness")

t = Failures("offline_psbt")
k = Koban()
try:
    k.ok("restore", "--birthday", "100", stdin=ABANDON + "\n", wallet="signer")
    descs = k.ok("export-descriptors", wallet="signer", json_out=True)
    t.check(len(descs) == 4 and all("tpub" in d and "prv" not in d for d in descs),
            "export-descriptors gives 4 public descriptors")
    k.ok("watch", *descs, wallet="watch")
    a_sign = k.ok("receive", wallet="signer", json_out=True)
    a_watch = k.ok("receive", wallet="watch", json_out=True)
    t.check(a_sign["address"] == a_watch["address"], "signer and watch-only twin agree on the address")
    # BIP84 m/84h/1h/0h/0/0 of the abandon mnemonic (the testnet vector tb1q6rz28mcf...pqcpvkl, as bcrt)
    t.check(a_sign["address"] == "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk",
            f"first address is BIP84's: {a_sign['address']}")

    # a third wallet to pay
    k.ok("create", wallet="payee")
    dest = k.ok("receive", wallet="payee", json_out=True)["address"]

    raw = funding_tx([(100_000_000, bytes.fromhex(a_sign["script"]))])
    for w in ("signer", "watch"):
        k.ok("tx", "add", raw.hex(), "--height", "100", "--tip", "110", wallet=w)
    bal = k.ok("balance", wallet="watch", json_out=True)
    t.check(bal["confirmed"] == 100_000_000, f"watch-only balance is 1 BTC confirmed: {bal}")

    unsigned = os.path.join(k.dir, "unsigned.psbt")
    signed = os.path.join(k.dir, "signed.psbt")
    k.ok("psbt", "create", dest, "0.3", "--fee-rate", "2", "-o", unsigned, wallet="watch")
    show = k.ok("psbt", "show", unsigned, wallet="watch", json_out=True)
    t.check(show["complete"] is False and show["fee"] > 0, f"unsigned PSBT shows a fee: {show['fee']}")
    t.check(sum(1 for o in show["outputs"] if o["change"]) == 1, "one output is marked change")
    t.check(any(o["address"] == dest and o["value"] == 30_000_000 for o in show["outputs"]),
            "the payment output is there")

    # The watch-only wallet cannot sign.
    p = k.run("psbt", "sign", unsigned, "-o", signed, wallet="watch")
    t.check(p.returncode == 1 and "watch-only" in p.stderr, "watch-only refuses to sign")

    # Sign with no network at all: a fresh network namespace has none.
    netless = ["unshare", "--net", "--"]
    probe = subprocess.run(netless + ["true"], capture_output=True)
    t.check(probe.returncode == 0, "can make a network namespace (tests run as root)")
    p = k.run("psbt", "sign", unsigned, "-o", signed, wallet="signer", prefix=netless if probe.returncode == 0 else ())
    t.check(p.returncode == 0, f"signer signs offline: {p.stderr.strip()}")
    bad = os.path.join(k.dir, "badpw")
    with open(bad, "w") as f:
        f.write("wrong\n")
    p = subprocess.run([os.environ.get("KOBAN_BIN", "build/koban"), "-n", "regtest", "-d", k.datadir,
                        "-w", "signer", "--password-file", bad, "psbt", "sign", unsigned],
                       capture_output=True, text=True)
    t.check(p.returncode == 1 and "wrong password" in p.stderr, "a wrong password is refused")

    fin = k.ok("psbt", "finalize", signed, wallet="watch", json_out=True)
    t.check(fin["complete"] and len(fin["hex"]) > 100, "the watch-only wallet finalizes it")

    # Independent verification with bcoin's interpreter.
    spent = [{"txid": txid(raw), "vout": 0, "value": 100_000_000, "script": a_sign["script"]}]
    v = subprocess.run(["node", os.path.join(HARNESS, "verify-tx.js"), fin["hex"], json.dumps(spent)],
                       capture_output=True, text=True, timeout=60)
    t.check(v.returncode == 0 and v.stdout.strip() == "valid",
            f"bcoin verifies every input's signature: {v.stdout.strip()} {v.stderr.strip()[-300:]}")
    # Tampering is caught by the same check (so it is not vacuous).
    tampered = fin["hex"][:-12] + ("01" if fin["hex"][-12:-10] != "01" else "02") + fin["hex"][-10:]
    v = subprocess.run(["node", os.path.join(HARNESS, "verify-tx.js"), tampered, json.dumps(spent)],
                       capture_output=True, text=True, timeout=60)
    t.check(v.stdout.strip() != "valid", "a changed transaction does not verify")
finally:
    k.cleanup()
t.finish()
