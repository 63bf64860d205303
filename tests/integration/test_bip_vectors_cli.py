#!/usr/bin/env python3
"""The BIP49, BIP84 and BIP86 test vectors come out of the command line:
`koban restore` of the vectors' mnemonic on the vector's network, then
`koban addresses` (receive and change) give the listed addresses, and
`koban export-descriptors` gives the listed account xpubs."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kobantest import Failures, Koban, b58check, b58decode  # noqa: E402

DATA = os.path.join(os.environ.get("KOBAN_SRCDIR", "."), "tests", "data", "bip44_49_84_86",
                    "bip49_84_86_test_vectors.json")
vec = json.load(open(DATA))
t = Failures("bip_vectors_cli")
TYPES = {"bip84": "wpkh", "bip49": "sh-wpkh", "bip86": "tr"}
NETS = {"mainnet": "main", "testnet": "test"}

for bip, ktype in TYPES.items():
    v = vec[bip]
    k = Koban(network=NETS[v["network"]])
    try:
        k.ok("restore", "--type", ktype, stdin=v["mnemonic"] + "\n")
        got = {}
        for chain, flag in ((0, ()), (1, ("--change",))):
            for a in k.ok("addresses", *flag, json_out=True):
                got[f"{chain}/{a['index']}"] = a["address"]
        n = 0
        for a in v["addresses"]:
            tail = "/".join(a["path"].split("/")[-2:])
            t.check(got.get(tail) == a["address"], f"{bip} {a['path']}: koban {got.get(tail)}, vector {a['address']}")
            n += 1
        t.check(n >= 1, f"{bip}: the vector lists addresses")
        # The account key: descriptors carry it as xpub/tpub; the vectors
        # give it in SLIP-132 form (zpub, upub, ...): compare the key bytes.
        descs = k.ok("export-descriptors", json_out=True)
        want = b58decode(v["account"]["xpub"])[4:-4]
        keys = [b58decode(d[d.index("pub") - 1:].split("/")[0])[4:-4] for d in descs]
        t.check(want in keys, f"{bip}: the account xpub is in export-descriptors")
    finally:
        k.cleanup()
t.finish()
