#!/usr/bin/env python3
"""Every bad input of the wallet command line is refused with exit status
1, one specific line on stderr, and no change to the wallet file."""
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kobantest import ABANDON, KOBAN, Failures, Koban, funding_tx, snapshot  # noqa: E402

t = Failures("cli_errors")
k = Koban()


def refused(args, fragment, wallet="default", stdin=None, password=True, pwfile=None, json_out=False):
    path = k.wallet_file(wallet)
    k.run("info", wallet=wallet)  # leaves the WAL checkpointed
    before = snapshot(path)
    if pwfile:
        cmd = [KOBAN, "-n", "regtest", "-d", k.datadir, "-w", wallet, "--password-file", pwfile] + list(args)
        p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60)
    else:
        p = k.run(*args, stdin=stdin, wallet=wallet, password=password, json_out=json_out)
    what = " ".join(args)[:60]
    t.check(p.returncode == 1, f"[{what}] exit status {p.returncode}, want 1 ({p.stderr.strip()})")
    lines = p.stderr.strip().splitlines()
    t.check(len(lines) == 1 and lines[0].startswith("koban: "), f"[{what}] one line on stderr: {lines}")
    t.check(fragment.lower() in p.stderr.lower(), f"[{what}] message mentions '{fragment}': {p.stderr.strip()}")
    t.check(snapshot(path) == before, f"[{what}] wallet file unchanged")
    return p


try:
    k.ok("restore", "--birthday", "1", stdin=ABANDON + "\n")
    a = k.ok("receive", json_out=True)
    raw = funding_tx([(100_000_000, bytes.fromhex(a["script"]))])
    k.ok("tx", "add", raw.hex(), "--height", "10", "--tip", "20")
    dest = k.ok("addresses", "--change", json_out=True)[5]["address"]

    # passwords
    bad = os.path.join(k.dir, "bad")
    with open(bad, "w") as f:
        f.write("nope\n")
    refused(["mnemonic"], "wrong password", pwfile=bad)
    refused(["export-descriptors", "--private"], "wrong password", pwfile=bad)

    # mnemonics: no file is made
    other = k.wallet_file("other")
    p = k.run("restore", stdin=" ".join(ABANDON.split()[:-1] + ["abandon"]) + "\n", wallet="other")
    t.check(p.returncode == 1 and "checksum" in p.stderr, f"bad checksum refused: {p.stderr.strip()}")
    t.check(not os.path.exists(other), "no wallet file after a bad checksum")
    p = k.run("restore", stdin=ABANDON.replace("about", "abuot") + "\n", wallet="other")
    t.check(p.returncode == 1 and "word 12" in p.stderr and "about" in p.stderr,
            f"unknown word refused with position and suggestion: {p.stderr.strip()}")
    t.check(not os.path.exists(other), "no wallet file after an unknown word")
    p = k.run("restore", stdin="abandon abandon abandon\n", wallet="other")
    t.check(p.returncode == 1 and "word" in p.stderr, f"too few words refused: {p.stderr.strip()}")
    p = k.run("restore", stdin=ABANDON + "\n")
    t.check(p.returncode == 1 and "already exists" in p.stderr, f"existing wallet not overwritten: {p.stderr.strip()}")

    # addresses
    good = dest
    typo = good[:-1] + ("q" if good[-1] != "q" else "p")
    refused(["psbt", "create", typo, "0.1", "--fee-rate", "2"], "checksum")
    refused(["psbt", "create", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "0.1", "--fee-rate", "2"], "mainnet")
    refused(["psbt", "create", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "0.1", "--fee-rate", "2"], "test")
    refused(["psbt", "create", "notanaddress", "0.1", "--fee-rate", "2"], "address")
    refused(["label", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "x"], "mainnet")

    # amounts
    refused(["psbt", "create", good, "-0.1", "--fee-rate", "2"], "negative")
    refused(["psbt", "create", good, "21000001", "--fee-rate", "2"], "21 million")
    refused(["psbt", "create", good, "0.123456789", "--fee-rate", "2"], "8 decimals")
    refused(["psbt", "create", good, "1e3", "--fee-rate", "2"], "not an amount")
    refused(["psbt", "create", good, "0", "--fee-rate", "2"], "zero")
    refused(["receive", "--amount", "12.5.1"], "not an amount")

    # spending
    refused(["psbt", "create", good, "2", "--fee-rate", "2"], "insufficient funds")
    refused(["psbt", "create", good, "100sat", "--fee-rate", "2"], "dust")
    refused(["psbt", "create", good, "0.001", "--fee-rate", "10000"], "fee")
    refused(["psbt", "create", good, "0.1"], "fee rate")
    refused(["psbt", "create", good, "0.1", "--fee-rate", "0.5"], "1 sat/vB")
    refused(["psbt", "create", good, "0.1", "--fee-rate", "2", "--from", "00" * 32 + ":0"], "not an unspent coin")
    refused(["freeze", "nothex:1"], "outpoint")

    # settings
    refused(["config", "gap_limit", "0"], "1 to 1000")
    refused(["config", "confirm_target", "many"], "whole number")
    refused(["config", "fee_url", "ftp://example"], "http")
    refused(["config", "nosuch", "1"], "unknown setting")

    # PSBTs
    junk = os.path.join(k.dir, "junk.psbt")
    with open(junk, "w") as f:
        f.write("cHNidP8BAAoCAAAAAAAAAAAAAA\n")
    refused(["psbt", "sign", junk], "not a valid PSBT")
    refused(["psbt", "show", junk], "not a valid PSBT")
    # a PSBT of another wallet: nothing to sign
    k.ok("create", wallet="stranger")
    sa = k.ok("receive", json_out=True, wallet="stranger")
    sraw = funding_tx([(100_000_000, bytes.fromhex(sa["script"]))], seed=b"stranger")
    k.ok("tx", "add", sraw.hex(), "--height", "10", "--tip", "20", wallet="stranger")
    foreign = os.path.join(k.dir, "foreign.psbt")
    k.ok("psbt", "create", good, "0.1", "--fee-rate", "2", "-o", foreign, wallet="stranger")
    refused(["psbt", "sign", foreign], "nothing to sign")

    # the wallet itself
    p = k.run("balance", wallet="nosuch")
    t.check(p.returncode == 1 and "no wallet" in p.stderr, f"missing wallet: {p.stderr.strip()}")
    netdir = os.path.dirname(k.wallet_file())
    foreign_db = os.path.join(netdir, "foreign.sqlite")
    con = sqlite3.connect(foreign_db)
    con.execute("create table songs(title text)")
    con.commit()
    con.close()
    before = snapshot(foreign_db)
    p = k.run("balance", wallet="foreign")
    t.check(p.returncode == 1 and "not a koban wallet" in p.stderr, f"foreign database: {p.stderr.strip()}")
    t.check(snapshot(foreign_db) == before, "foreign database unchanged")
    junk_db = os.path.join(netdir, "garbage.sqlite")
    with open(junk_db, "wb") as f:
        f.write(os.urandom(8192))
    before = snapshot(junk_db)
    p = k.run("balance", wallet="garbage")
    t.check(p.returncode == 1 and "not a koban wallet" in p.stderr, f"garbage file: {p.stderr.strip()}")
    t.check(snapshot(junk_db) == before, "garbage file unchanged")
    # corrupt: flip bytes in the middle of a page of a copy of a real wallet
    import shutil
    k.run("info")
    corrupt = os.path.join(netdir, "corrupt.sqlite")
    shutil.copy(k.wallet_file(), corrupt)
    with open(corrupt, "r+b") as f:
        size = os.path.getsize(corrupt)
        for off in range(4096 + 100, size, 4096):
            f.seek(off)
            f.write(b"\xff" * 64)
    before = snapshot(corrupt)
    p = k.run("balance", wallet="corrupt")
    t.check(p.returncode == 1 and ("corrupt" in p.stderr or "damaged" in p.stderr or "not a koban" in p.stderr),
            f"corrupt database: {p.stderr.strip()}")
    t.check(snapshot(corrupt) == before, "corrupt database unchanged")
    # the other network
    p = k.run("balance", wallet="default", env=None)
    p2 = subprocess.run([KOBAN, "-n", "signet", "-d", k.datadir, "balance"], capture_output=True, text=True)
    t.check(p2.returncode == 1 and "no wallet" in p2.stderr, f"wallets are per network: {p2.stderr.strip()}")
    # options
    p = subprocess.run([KOBAN, "-n", "moon", "balance"], capture_output=True, text=True)
    t.check(p.returncode == 1 and "unknown network" in p.stderr, "unknown network refused")
    for bad in ("9", "86401", "5m", "", "-10", "99999999999999999999"):
        p = subprocess.run([KOBAN, "--lock-after", bad, "balance"], capture_output=True, text=True)
        t.check(p.returncode == 1 and "--lock-after takes whole seconds from 10 to 86400" in p.stderr,
                f"--lock-after {bad!r} refused: {p.stderr.strip()}")
    p = subprocess.run([KOBAN, "frobnicate"], capture_output=True, text=True)
    t.check(p.returncode == 1 and "unknown command" in p.stderr, "unknown command refused")
    # JSON errors are one document too
    p = k.run("psbt", "create", good, "2", "--fee-rate", "2", json_out=True)
    import json
    doc = json.loads(p.stdout)
    t.check(p.returncode == 1 and "insufficient" in doc["error"]["message"], f"JSON error document: {p.stdout}")
finally:
    k.cleanup()
t.finish()
