#!/usr/bin/env python3
"""Hostile peers during wallet sync (issue 5): a relay in front of a real
bcoin node that withholds the transactions its merkleblocks match, that
tampers with the merkle proofs, or that swaps koban's Bloom filter for one
matching everything, is detected (dropped; banned for a bad proof), and the
wallet still gets every transaction from the honest node it is also
connected to."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "harness"))
from kobantest import ABANDON, Failures, Koban  # noqa: E402
from bcoin import Bcoin  # noqa: E402
from wsync_mitm import Mitm  # noqa: E402

t = Failures("wallet_sync_hostile")
k = Koban()
try:
    with Bcoin(bip37=True) as node:
        k.ok("restore", "--birthday", "0", stdin=ABANDON + "\n", wallet="ref")
        first = k.ok("receive", wallet="ref", json_out=True)["address"]
        # coinbases to the wallet spread over the chain, so that every peer's
        # batch of filtered blocks holds matches
        for _ in range(4):
            node.mine(1, addr=first)
            node.mine(39)
        p = k.run("sync", "--connect", node.p2p_addr, "--timeout", "60", wallet="ref", json_out=True)
        t.check(p.returncode == 0, f"reference sync: {p.stderr.strip()}")
        ref = {h["txid"] for h in k.ok("history", wallet="ref", json_out=True)}
        t.check(len(ref) == 4, f"reference wallet: 4 coinbases ({len(ref)})")
        host, port = node.p2p_addr.rsplit(":", 1)
        attacks = (("withhold", "dropped", "withheld a transaction"),
                   ("tamper", "banned", "bad merkle proof"),
                   ("flood", "dropped", "does not explain"))
        for attack, want, why in attacks:
            # The honest node is reached through a plain relay that holds
            # koban's connection until koban has hung up on the attacker, so
            # the attacker serves the sync until it is caught.
            m = Mitm(attack, (host, int(port)))
            honest = Mitm("none", (host, int(port)), gate=m.hung_up)
            w = "w_" + attack
            k.ok("restore", "--birthday", "0", stdin=ABANDON + "\n", wallet=w)
            p = k.run("sync", "--connect", m.addr, "--connect", honest.addr, "--timeout", "90",
                      wallet=w, json_out=True)
            t.check(p.returncode == 0, f"{attack}: sync: {p.stderr.strip()}")
            got = {h["txid"] for h in k.ok("history", wallet=w, json_out=True)}
            t.check(got == ref, f"{attack}: every transaction found from the honest node ({len(got)} of {len(ref)})")
            ev = json.loads(p.stdout).get("events", []) if p.returncode == 0 else []
            mine = [e for e in ev if e["addr"].endswith(":" + str(m.port))]
            t.check(m.hits > 0, f"{attack}: the relay attacked ({m.hits} messages changed)")
            t.check(len(mine) > 0 and mine[0]["event"] == want and why in mine[0]["reason"],
                    f"{attack}: the relay ({m.hits} messages changed) was {want} ({why}): {mine}")
            good = [e for e in ev if e["addr"].endswith(":" + str(honest.port))]
            t.check(not good, f"{attack}: the honest peer kept: {good}")
            m.close()
            honest.close()
finally:
    k.cleanup()
t.finish()
