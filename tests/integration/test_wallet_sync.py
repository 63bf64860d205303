#!/usr/bin/env python3
"""Wallet sync against a real bcoin regtest full node with BIP37 (issue 5):
a matured coinbase and payments found (one beyond the first gap window,
discovered only after a filter reload of the same block), confirmations
1/6 .. 6/6, koban send accepted into bcoin's mempool and confirmed with
its change tracked, a spend paying no wallet output seen by a twin wallet,
reorganisations of depth 1 and 7, kill -9 during sync, and fee estimates
from a local HTTP server (good document and garbage)."""
import http.server
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "harness"))
from kobantest import ABANDON, KOBAN, Failures, Koban  # noqa: E402
from bcoin import Bcoin  # noqa: E402

t = Failures("wallet_sync")
k = Koban()


def sync(node, wallet=None, mempool_wait=False):
    env = dict(os.environ, KOBAN_MEMPOOL_WAIT_MS="6000") if mempool_wait else None
    p = k.run("sync", "--connect", node.p2p_addr, "--timeout", "60", wallet=wallet, json_out=True, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"koban sync failed ({p.returncode}): {p.stderr.strip()}")
    doc = json.loads(p.stdout)
    t.check(not doc.get("events"), f"the honest node was never dropped or banned: {doc.get('events')}")
    return doc


def scan_height(path):
    """The wallet's scan point as the file holds it (-1 before the first
    block), read without disturbing the running koban (SQLite WAL)."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            row = db.execute("SELECT height FROM sync_state").fetchone()
        finally:
            db.close()
    except sqlite3.OperationalError:
        return -1
    return row[0] if row else -1


def history(wallet=None):
    return {h["txid"]: h for h in k.ok("history", wallet=wallet, json_out=True)}


def balance(wallet=None):
    return k.ok("balance", wallet=wallet, json_out=True)


class FeeHandler(http.server.BaseHTTPRequestHandler):
    body = b"{}"

    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *a):
        pass


def serve(body):
    cls = type("H", (FeeHandler,), {"body": body})
    srv = http.server.HTTPServer(("127.0.0.1", 0), cls)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


try:
    with Bcoin(bip37=True) as node:
        node.mine(101)
        k.ok("restore", "--birthday", "0", stdin=ABANDON + "\n")
        # a wallet restored from the same words with a wide look-ahead, to name index 24
        k.ok("restore", "--birthday", "0", stdin=ABANDON + "\n", wallet="peek")
        k.ok("config", "gap_limit", "40", wallet="peek")
        k.ok("receive", wallet="peek")  # tops the look-ahead up to the new gap limit
        listed = [a for a in k.ok("addresses", wallet="peek", json_out=True)
                  if a.get("chain", 0) == 0 and a.get("type", "wpkh") == "wpkh"]
        addrs = [a["address"] for a in sorted(listed, key=lambda a: a["index"])]
        t.check(len(addrs) >= 25, f"the peek wallet lists {len(addrs)} receive addresses")
        first = k.ok("receive", json_out=True)["address"]
        t.check(first == addrs[0], "receive gives index 0")

        # (a) a coinbase to the wallet, immature then matured
        node.mine(1, addr=first)
        s = sync(node)
        b = balance()
        t.check(b["immature"] == 5000000000, f"coinbase immature: {b}")
        node.mine(100)
        sync(node)
        b = balance()
        t.check(b["immature"] == 0 and b["confirmed"] == 5000000000, f"coinbase matured: {b}")

        # (b) payments to index 19 and index 24 in one block: 24 is beyond the window
        # until 19 is recorded, so the same block must be asked again with a new filter
        tx19 = node.wallet_rpc("sendtoaddress", addrs[19], 0.19)
        node.wait_for_mempool(tx19)
        tx24 = node.wallet_rpc("sendtoaddress", addrs[24], 0.24)
        node.wait_for_mempool(tx24)
        node.mine(1)
        s = sync(node)
        h = history()
        t.check(tx19 in h and tx24 in h, f"payments to the 20th and 25th address found: {s}")
        t.check(s["wallet"]["filter_reloads"] >= 1, "the filter was reloaded")
        b = balance()
        t.check(b["pending"] == 43000000, f"both payments pending (1 conf): {b}")

        # confirmations one block at a time: 1/6 .. 5/6 confirming, confirmed at 6
        ok = True
        for n in range(2, 7):
            node.mine(1)
            sync(node)
            e = history()[tx19]
            want = "confirmed" if n >= 6 else "confirming"
            ok &= t.check(e["confirmations"] == n and e["state"] == want,
                          f"{n} confirmations: {e['confirmations']} {e['state']}")
        b = balance()
        t.check(b["confirmed"] == 5000000000 + 43000000 and b["pending"] == 0, f"balance: {b}")

        # mempool relay: a payment shows pending with 0 confirmations
        txm = node.wallet_rpc("sendtoaddress", first, 0.01)
        node.wait_for_mempool(txm)
        sync(node, mempool_wait=True)
        e = history().get(txm)
        t.check(e is not None and e["confirmations"] == 0 and e["state"] == "pending",
                f"mempool payment pending: {e}")
        node.mine(1)
        sync(node)

        # koban send: bcoin accepts it (its mempool), it is mined, change tracked
        dest = node.new_address()
        before = balance()
        p = k.run("send", dest, "1.25", "--fee-rate", "2", "--connect", node.p2p_addr, json_out=True)
        t.check(p.returncode == 0, f"koban send: {p.stderr.strip()}")
        sent = json.loads(p.stdout)["txid"] if p.returncode == 0 else ""
        deadline = time.time() + 20
        while time.time() < deadline and sent not in node.rpc("getrawmempool"):
            time.sleep(0.2)
        t.check(sent in node.rpc("getrawmempool"), "bcoin accepted koban's transaction into its mempool")
        # bump: a rate not above the old one by 1 sat/vB is refused (BIP125), a
        # payment not made by this wallet cannot be bumped
        p = k.run("bump", sent, "--fee-rate", "2.5", "--connect", node.p2p_addr)
        t.check(p.returncode == 1 and "at least" in p.stderr, f"bump below the increment refused: {p.stderr.strip()}")
        p = k.run("bump", txm, "--fee-rate", "50", "--connect", node.p2p_addr)
        t.check(p.returncode != 0 and "not" in p.stderr, f"bump of someone else's payment refused: {p.stderr.strip()}")
        node.mine(6)
        sync(node)
        e = history().get(sent, {})
        t.check(e.get("state") == "confirmed" and e.get("confirmations") == 6, f"sent tx confirmed at 6: {e}")
        fee = -e.get("amount", 0) - 125000000 if e else 0
        after = balance()
        t.check(0 < fee < 10000 and after["confirmed"] == before["confirmed"] + before["pending"] - 125000000 - fee,
                f"change tracked: before {before} after {after} fee {fee}")

        # a spend paying no wallet output (a sweep of every coin but the frozen
        # change), seen by a twin that did not make it
        for u in k.ok("utxos", json_out=True):
            if u["change"]:
                k.ok("freeze", u["outpoint"])
        p = k.run("send", dest, "max", "--max", "--fee-rate", "1", "--connect", node.p2p_addr, json_out=True)
        t.check(p.returncode == 0, f"koban send --max: {p.stderr.strip()}")
        sweep = json.loads(p.stdout)["txid"] if p.returncode == 0 else ""
        node.mine(1)
        sync(node)
        k.ok("restore", "--birthday", "0", stdin=ABANDON + "\n", wallet="twin")
        sync(node, wallet="twin")
        bt, bm = balance("twin"), balance()
        ht = history("twin")
        t.check(sweep in ht and ht[sweep]["amount"] < 0 and bt["confirmed"] == bm["confirmed"],
                f"the twin sees the sweep (no wallet output) as a spend: {bt} vs {bm}")

        # reorgs of depth 1 and 7: back to pending, confirmed again when re-mined
        for depth in (1, 7):
            txr = node.wallet_rpc("sendtoaddress", first, 0.5)
            node.wait_for_mempool(txr)
            raw = node.rpc("getrawtransaction", txr)
            hashes = node.mine(depth)
            fork_block = hashes[0] if isinstance(hashes, list) and hashes else None
            sync(node)
            e = history()[txr]
            t.check(e["confirmations"] == depth, f"depth {depth}: confirmed before the reorg ({e['confirmations']})")
            if fork_block is None:
                h0 = node.height() - depth + 1
                fork_block = node.rpc("getblockhash", h0)
            node.rpc("invalidateblock", fork_block)
            node.mine(depth + 1)  # a longer branch without the payment
            sync(node)
            e = history()[txr]
            t.check(e["confirmations"] == 0 and e["state"] == "pending",
                    f"depth {depth}: pending after the reorg: {e}")
            node.rpc("sendrawtransaction", raw)
            node.wait_for_mempool(txr)
            node.mine(1)
            sync(node)
            e = history()[txr]
            t.check(e["confirmations"] == 1, f"depth {depth}: confirmed again when re-mined: {e}")

        # a double spend that wins: the payment's input is spent by another
        # transaction on a longer branch, and the payment turns conflicted
        txd = node.wallet_rpc("sendtoaddress", first, 0.7)
        node.wait_for_mempool(txd)
        dec = node.rpc("decoderawtransaction", node.rpc("getrawtransaction", txd))
        vin = dec["vin"][0]
        prev = node.rpc("decoderawtransaction", node.rpc("getrawtransaction", vin["txid"]))
        value = prev["vout"][vin["vout"]]["value"]
        blk = node.mine(1)[0]
        sync(node)
        t.check(history()[txd]["confirmations"] == 1, "double spend: the payment confirmed first")
        node.rpc("invalidateblock", blk)
        other = node.new_address()
        rawd = node.rpc("createrawtransaction", [{"txid": vin["txid"], "vout": vin["vout"]}],
                        {other: round(value - 0.001, 8)})
        pout = prev["vout"][vin["vout"]]
        key = node.wallet_rpc("dumpprivkey", pout["scriptPubKey"]["addresses"][0])
        signed = node.rpc("signrawtransaction", rawd,
                          [{"txid": vin["txid"], "vout": vin["vout"], "amount": value,
                            "scriptPubKey": pout["scriptPubKey"]["hex"]}], [key])
        dtx = node.rpc("sendrawtransaction", signed["hex"])
        node.wait_for_mempool(dtx)
        node.mine(2)
        sync(node)
        e = history()[txd]
        t.check(e["state"] == "conflicted", f"double spend: the payment is conflicted: {e}")

        # kill -9 during sync, then restart: same history and balance as a clean sync
        for i in range(3):
            tx = node.wallet_rpc("sendtoaddress", addrs[1 + i], 0.01 * (i + 1))
            node.wait_for_mempool(tx)
            node.mine(40)
        k.ok("restore", "--birthday", "0", stdin=ABANDON + "\n", wallet="crash")
        tip = node.height()
        killed_at = []
        for part in (3, 2):  # kill once the scan is past a third, then past half
            errf = os.path.join(k.dir, f"crash-{part}.err")
            with open(errf, "w") as err:
                proc = subprocess.Popen([KOBAN, "-n", "regtest", "-d", k.datadir, "--test-kdf",
                                         "-w", "crash", "--password-file", k.pwfile, "--connect",
                                         node.p2p_addr, "sync"], stdout=subprocess.DEVNULL, stderr=err)
            h = scan_height(k.wallet_file("crash"))
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None and h < tip // part:
                time.sleep(0.002)
                h = scan_height(k.wallet_file("crash"))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            with open(errf) as err:
                t.check(proc.returncode in (-signal.SIGKILL, 0),
                        f"the sync ran until killed or done (status {proc.returncode}): {err.read().strip()}")
            killed_at.append(scan_height(k.wallet_file("crash")))
        print(f"killed at scan heights {killed_at} of {tip}", flush=True)
        t.check(any(0 < h < tip for h in killed_at), f"a kill landed mid-sync (scan heights {killed_at} of {tip})")
        sync(node, wallet="crash")
        sync(node)
        # (the main wallet also remembers the conflicted payment and the double
        # spend that beat it, which a fresh wallet never saw: compare what is
        # on the chain and moves money)
        onchain = lambda h: {x: (v["amount"], v["height"]) for x, v in h.items()  # noqa: E731
                             if v["state"] in ("confirmed", "confirming") and v["amount"] != 0}
        hc, hm = onchain(history("crash")), onchain(history())
        t.check(hc == hm, "after kill -9 and restart: the same history as the main wallet: "
                f"only crash {set(hc.items()) - set(hm.items())}, only main {set(hm.items()) - set(hc.items())}")
        strip = lambda b: {x: b[x] for x in ("confirmed", "pending", "immature")}  # noqa: E731
        t.check(strip(balance("crash")) == strip(balance()),
                f"after kill -9 and restart: the same balance ({balance('crash')} vs {balance()})")

        # broadcast: a PSBT made and signed with the psbt commands
        f1, f2 = os.path.join(k.dir, "b.psbt"), os.path.join(k.dir, "b-signed.psbt")
        k.ok("psbt", "create", dest, "0.002", "--fee-rate", "2", "-o", f1)
        k.ok("psbt", "sign", f1, "-o", f2)
        p = k.run("broadcast", f2, "--connect", node.p2p_addr, json_out=True)
        t.check(p.returncode == 0, f"broadcast of a signed PSBT: {p.stderr.strip()}")
        btx = json.loads(p.stdout)["txid"] if p.returncode == 0 else ""
        deadline = time.time() + 20
        while time.time() < deadline and btx not in node.rpc("getrawmempool"):
            time.sleep(0.2)
        t.check(btx in node.rpc("getrawmempool"), "the broadcast transaction is in bcoin's mempool")
        p = k.run("broadcast", "00" * 10, "--connect", node.p2p_addr)
        t.check(p.returncode == 1 and "not a" in p.stderr and "transaction" in p.stderr, f"broadcast of junk refused: {p.stderr.strip()}")

        # fee estimates: a good document is used, garbage is refused with a request for --fee-rate
        good = serve(b'{"1": 30.5, "2": 20.1, "6": 3.25, "144": 1.0}')
        bad = serve(b"<html>502 Bad Gateway</html>")
        k.ok("config", "fee_url", f"http://127.0.0.1:{good.server_port}/fee-estimates")
        p = k.run("send", dest, "0.001", "--dry-run", "--connect", node.p2p_addr, json_out=True)
        t.check(p.returncode == 0 and json.loads(p.stdout).get("fee_rate") == 3250,
                f"the normal estimate (3.25 sat/vB) is used: {p.stdout[-300:]} {p.stderr[-300:]}")
        k.ok("config", "fee_url", f"http://127.0.0.1:{bad.server_port}/fee-estimates")
        p = k.run("send", dest, "0.001", "--dry-run", "--connect", node.p2p_addr)
        t.check(p.returncode != 0 and "--fee-rate" in p.stderr, f"garbage estimate refused: {p.stderr.strip()}")
        good.shutdown()
        bad.shutdown()
finally:
    k.cleanup()
t.finish()
