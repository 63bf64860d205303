"""koban sync against real bcoin regtest nodes on loopback: 5,000 headers,
a reorganisation (invalidateblock + a longer branch), kill -9 mid-sync and
resume, and two unconnected nodes on different branches (the most-work
branch wins; on regtest every block has the same work, so that is also the
longer one -- fork choice by work with a shorter winner is proven in
tests/unit/test_chain.c)."""
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "harness"))
from bcoin import Bcoin  # noqa: E402
from kobantest import KOBAN, Failures, Koban  # noqa: E402


def mine(node, n, addr):
    hashes = []
    while n > 0:
        k = min(n, 1000)
        hashes += node.rpc("generatetoaddress", k, addr, timeout=300)
        n -= k
    return hashes


def sync(k, *peers, timeout=60):
    args = []
    for p in peers:
        args += ["--connect", p]
    t0 = time.time()
    p = k.run(*args, "sync", "--timeout", str(timeout), json_out=True, password=False)
    took = time.time() - t0
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        doc = {"synced": False, "why": p.stdout + p.stderr}
    return p.returncode, doc, took


def headers_file(k):
    return os.path.join(k.datadir, k.network_dir(), "headers.dat")


def main():
    f = Failures("test_sync_bcoin")
    with Bcoin() as a:
        addr = a.new_address()
        t0 = time.time()
        mine(a, 5000, addr)
        print(f"mined 5000 blocks in {time.time() - t0:.1f} s", flush=True)

        # 1. 5,000 headers from genesis
        k = Koban()
        rc, doc, took = sync(k, a.p2p_addr)
        f.check(rc == 0 and doc["synced"] and doc["height"] == 5000 and doc["hash"] == a.tip(),
                f"sync 5000 headers: rc {rc} {doc}")
        print(f"synced 5000 headers in {took:.2f} s", flush=True)
        peers = doc.get("peers", [])
        f.check(len(peers) == 1 and "bcoin" in peers[0]["user_agent"] and peers[0]["start_height"] == 5000,
                f"peer listed with its user agent and start height: {peers}")

        # plain-text progress lines when stdout is not a terminal
        p = k.run("--connect", a.p2p_addr, "sync", "--timeout", "30", password=False)
        f.check(p.returncode == 0 and "sync: height" in p.stdout and "Synced: height 5000" in p.stdout,
                f"text progress and result: {p.stdout[-300:]}")

        # koban peers (connects briefly)
        p = k.run("--connect", a.p2p_addr, "peers", json_out=True, password=False)
        pd = json.loads(p.stdout) if p.returncode == 0 else {}
        pl = pd.get("peers", [])
        f.check(p.returncode == 0 and len(pl) == 1 and pl[0]["version"] >= 70015
                and pl[0]["services"] & 1 and pl[0]["ping_ms"] >= 0,
                f"koban peers: {p.stdout} {p.stderr}")

        # 2. reorganisation: invalidate at 4990, mine a longer branch
        old_tip = a.tip()
        a.rpc("invalidateblock", a.rpc("getblockhash", 4990))
        f.check(a.height() == 4989, "bcoin rolled back to 4989")
        mine(a, 20, addr)  # 5009 > 5000
        rc, doc, took = sync(k, a.p2p_addr)
        f.check(rc == 0 and doc["height"] == 5009 and doc["hash"] == a.tip() and doc["hash"] != old_tip,
                f"followed the reorg to the longer branch: {doc}")

        # 3. kill -9 mid-sync and resume (fresh data directory each round)
        k2 = Koban()
        mid = []
        for threshold in (500, 2500, 4500):
            cmd = [KOBAN, "-n", "regtest", "-d", k2.datadir, "--connect", a.p2p_addr, "sync"]
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.time() + 30
            size = 0
            while time.time() < deadline and proc.poll() is None:
                try:
                    size = os.path.getsize(headers_file(k2))
                except OSError:
                    size = 0
                if size >= 4096 + 80 * threshold:
                    break
                time.sleep(0.002)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            mid.append((size - 4096) // 80 - 1 if size > 4096 else -1)
        print(f"killed at about heights {mid}", flush=True)
        f.check(any(0 < h < 5009 for h in mid), f"one kill landed mid-sync: {mid}")
        rc, doc, took = sync(k2, a.p2p_addr)
        f.check(rc == 0 and doc["height"] == 5009 and doc["hash"] == a.tip(),
                f"resumed after kill -9 to the same tip: {doc}")

    # 4. two unconnected nodes on different branches from a common prefix
    with Bcoin() as b1, Bcoin() as b2:
        a1, a2 = b1.new_address(), b2.new_address()
        mine(b1, 30, a1)
        mine(b2, 45, a2)
        f.check(b1.rpc("getblockhash", 1) != b2.rpc("getblockhash", 1), "two different branches")
        k3 = Koban()
        rc, doc, took = sync(k3, b1.p2p_addr, b2.p2p_addr)
        f.check(rc == 0 and doc["height"] == 45 and doc["hash"] == b2.tip(),
                f"most-work branch wins with both peers: {doc}")
        # the other order, from a chain already on the losing branch
        k4 = Koban()
        rc, doc, took = sync(k4, b1.p2p_addr)
        f.check(rc == 0 and doc["hash"] == b1.tip(), "first on the 30-block branch")
        rc, doc, took = sync(k4, b1.p2p_addr, b2.p2p_addr)
        f.check(rc == 0 and doc["height"] == 45 and doc["hash"] == b2.tip(),
                f"then reorganised to the most-work branch: {doc}")
        # the lower-work peer is no reason to leave the best chain
        rc, doc, took = sync(k4, b1.p2p_addr)
        f.check(doc["hash"] == b2.tip(), f"a lower-work peer alone does not move the tip: {doc}")
    f.finish()


if __name__ == "__main__":
    main()
