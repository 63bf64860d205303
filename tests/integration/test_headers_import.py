#!/usr/bin/env python3
"""`koban headers import` on the real header files: the whole file is
accepted (from genesis, or from an embedded checkpoint), a repeat adds
nothing, a corrupted copy stops at the bad header with the right reason,
and a file of another network is refused."""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kobantest import Failures, Koban  # noqa: E402

DATA = os.path.join(os.environ.get("KOBAN_SRCDIR", "."), "tests", "data", "chain")
t = Failures("headers_import")
CASES = [
    ("main", "mainnet_headers_0_10236.bin", 10236),
    ("main", "mainnet_headers_586657_589289.bin", 589289),
    ("test", "testnet3_headers_0_35141.bin", 35141),
    ("signet", "signet_headers_0_2015.bin", 2015),
]
for net, name, tip in CASES:
    path = os.path.join(DATA, name)
    if not t.check(os.path.exists(path), f"{name} is in tests/data/chain"):
        continue
    k = Koban(network=net)
    try:
        p = k.run("headers", "import", path, json_out=True, password=False)
        doc = json.loads(p.stdout) if p.stdout.strip() else {}
        t.check(p.returncode == 0, f"{name}: exit 0 ({p.stderr.strip()})")
        t.check(doc.get("tip_height") == tip, f"{name}: tip {doc.get('tip_height')}, want {tip}")
        t.check(doc.get("stopped") == "end of file", f"{name}: stopped at the end: {doc.get('stopped')}")
        p = k.run("headers", "import", path, json_out=True, password=False)
        doc = json.loads(p.stdout)
        t.check(p.returncode == 0 and doc["accepted"] == 0, f"{name}: a second import adds nothing")
    finally:
        k.cleanup()

# A corrupted copy: the nonce of header 5000 changed -> proof of work fails there.
k = Koban(network="main")
try:
    src = os.path.join(DATA, "mainnet_headers_0_10236.bin")
    bad = os.path.join(k.dir, "bad.bin")
    shutil.copy(src, bad)
    with open(bad, "r+b") as f:
        f.seek(5000 * 80 + 76)
        f.write(b"\x00\x00\x00\x00")
    p = k.run("headers", "import", bad, json_out=True, password=False)
    doc = json.loads(p.stdout)
    t.check(p.returncode == 1, "a corrupted file: exit 1")
    t.check(doc["accepted"] + doc["duplicates"] == 5000 and doc["stopped_at_height"] == 5000 and doc["tip_height"] == 4999,
            f"stops at header 5000, keeping 0..4999: {doc}")
    t.check("pow" in doc["stopped"].lower() or "proof" in doc["stopped"].lower(), f"reason is proof of work: {doc['stopped']}")
    t.check("refused" in p.stderr, "the refusal is on stderr")
    # testnet headers on mainnet do not connect
    p = k.run("headers", "import", os.path.join(DATA, "testnet3_headers_0_35141.bin"), json_out=True, password=False)
    doc = json.loads(p.stdout)
    t.check(p.returncode == 1 and doc["accepted"] == 0, f"another network's headers are refused: {doc}")
finally:
    k.cleanup()
t.finish()
