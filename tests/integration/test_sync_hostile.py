"""Hostile peers on loopback (hostile_peer.py): each attack makes koban
drop or ban the peer, and koban keeps its chain (the honest one)."""
import hashlib
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile_peer as hp  # noqa: E402
from kobantest import ABANDON, Failures, Koban  # noqa: E402

BASE = 100
CHAIN = hp.build_chain(160)

# what koban must do with each attack: "banned", "dropped", or "synced"
EXPECT = {
    "honest": ("synced", ""),
    "bad_pow": ("banned", "high-hash"),
    "wrong_bits": ("banned", "bits"),
    "mtp": ("banned", "time"),
    "future": ("dropped", "time"),
    "not_connecting": ("banned", "do not connect"),
    "lower_work_fork": ("dropped", "less work"),
    "oversize": ("banned", "size limit"),
    "bad_checksum": ("dropped", "checksum"),
    "wrong_magic": ("dropped", "magic"),
    "garbage": ("dropped", "magic"),
    "stall": ("dropped", "stalled"),
}


def hash_hex(h80):
    return hashlib.sha256(hashlib.sha256(h80).digest()).digest()[::-1].hex()


def main():
    f = Failures("test_sync_hostile")
    for attack in hp.ATTACKS:
        k = Koban()
        os.makedirs(k.datadir, exist_ok=True)
        path = os.path.join(k.dir, "honest.bin")
        with open(path, "wb") as fh:
            fh.write(b"".join(CHAIN[:BASE]))
        imp = k.run("headers", "import", path, json_out=True, password=False)
        f.check(imp.returncode == 0 and json.loads(imp.stdout)["tip_height"] == BASE,
                f"{attack}: import the honest base ({imp.stderr.strip()})")
        peer = hp.HostilePeer(attack, CHAIN, BASE)
        t0 = time.time()
        p = k.run("--connect", peer.addr, "sync", "--timeout", "3", "--stall-timeout", "2",
                  json_out=True, password=False)
        took = time.time() - t0
        peer.close()
        try:
            doc = json.loads(p.stdout)
        except ValueError:
            f.check(False, f"{attack}: JSON output ({p.stdout!r} {p.stderr!r})")
            continue
        want, words = EXPECT[attack]
        events = doc.get("events", [])
        if want == "synced":
            f.check(p.returncode == 0 and doc["synced"] and doc["height"] == len(CHAIN)
                    and doc["hash"] == hash_hex(CHAIN[-1]), f"{attack}: synced the honest chain {doc}")
        else:
            f.check(p.returncode == 1 and not doc["synced"], f"{attack}: sync fails (rc {p.returncode})")
            hit = [e for e in events if e["event"] == want and words in e["reason"]]
            f.check(bool(hit), f"{attack}: peer {want} for '{words}': {events}")
            if want == "dropped":
                f.check(not any(e["event"] == "banned" for e in events), f"{attack}: not banned: {events}")
            f.check(doc["height"] == BASE and doc["hash"] == hash_hex(CHAIN[BASE - 1]),
                    f"{attack}: chain kept at the honest tip ({doc['height']})")
        f.check(peer.getheaders >= 1 or attack == "honest", f"{attack}: the peer was asked for headers")
        print(f"{attack}: rc {p.returncode} in {took:.1f} s: {[e['reason'] for e in events][:3]}",
              flush=True)
    # a ban persists in the wallet with its reason and expiry: the next run
    # does not dial the peer, and koban peers --offline lists the ban
    k = Koban()
    k.ok("restore", "--birthday", "1", stdin=ABANDON + "\n")
    peer = hp.HostilePeer("bad_pow", CHAIN, 0)
    p = k.run("--connect", peer.addr, "sync", "--timeout", "5", json_out=True)
    f.check(p.returncode != 0 and "banned" in p.stdout + p.stderr, f"wallet run: banned ({p.stdout} {p.stderr})")
    p = k.run("--offline", "peers", json_out=True)
    doc = json.loads(p.stdout) if p.returncode == 0 else {}
    bans = doc.get("banned", [])
    f.check(len(bans) == 1 and bans[0]["host"] == peer.addr and "high-hash" in bans[0]["reason"]
            and bans[0]["until"] > time.time() + 3600, f"ban stored with reason and expiry: {doc}")
    before = peer.connections
    p = k.run("--connect", peer.addr, "sync", "--timeout", "3", json_out=True)
    f.check(p.returncode != 0 and peer.connections == before and "banned" in p.stdout + p.stderr,
            f"banned peer not dialled after a restart ({peer.connections} vs {before}): {p.stdout}")
    peer.close()

    # through a SOCKS5 proxy: the peer's name goes to the proxy unresolved
    # (".invalid" never resolves, so a local lookup could not have worked)
    k = Koban()
    peer = hp.HostilePeer("honest", CHAIN, 0)
    proxy = hp.Socks5Proxy(("127.0.0.1", peer.port))
    p = k.run("--proxy", proxy.addr, "--connect", "honest-peer.invalid:18444", "sync", "--timeout", "10",
              json_out=True, password=False)
    doc = json.loads(p.stdout) if p.stdout.startswith("{") else {}
    f.check(p.returncode == 0 and doc.get("height") == len(CHAIN), f"synced through the proxy: {p.stdout} {p.stderr}")
    f.check(proxy.requests and proxy.requests[0] == (3, "honest-peer.invalid", 18444),
            f"the proxy got the name (ATYP 3): {proxy.requests}")
    peer.close()
    proxy.close()
    f.finish()


if __name__ == "__main__":
    main()
