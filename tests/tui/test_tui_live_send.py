"""Sending through the Send screen on the live light node (a bcoin regtest
node with BIP37 on loopback): fee estimates from the wallet's fee_url (a
local HTTP server, down at first: asking for an estimate on the Send screen
fetches again at once) offered as slow/normal/fast, the review shows amount,
fee and change, and after the password the transaction is in bcoin's
mempool; the wallet shows it pending, and it confirms when mined."""
import http.server
import os
import re
import sys
import threading
import time

from tuitest import Failures, Koban, Pane, koban_cmd, shell_cmd

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration", "harness"))
from bcoin import Bcoin, wait_until  # noqa: E402

PASSWORD = "correct horse battery staple"
FEES = b'{"1": 20.5, "2": 12, "3": 9, "6": 5, "144": 1.2, "1008": 1}'


class FeeHandler(http.server.BaseHTTPRequestHandler):
    up = threading.Event()  # until set, the source answers 503
    served = []  # (time.monotonic(), ok) per request

    def do_GET(self):  # noqa: N802
        ok = self.up.is_set()
        self.served.append((time.monotonic(), ok))
        if not ok:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(FEES)))
        self.end_headers()
        self.wfile.write(FEES)

    def log_message(self, *a):
        pass


def main():
    f = Failures("tui_live_send")
    k = Koban(password=PASSWORD)
    srv = http.server.HTTPServer(("127.0.0.1", 0), FeeHandler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    with Bcoin(bip37=True) as node:
        node.mine(101)
        k.ok("create")
        k.ok("config", "fee_url", f"http://127.0.0.1:{srv.server_port}/fee-estimates")
        addr = k.ok("receive").strip()
        fund = node.wallet_rpc("sendtoaddress", addr, 1.0)
        node.wait_for_mempool(fund)
        node.mine(6)
        dest = node.new_address()
        pane = Pane(shell_cmd(koban_cmd(k, "--connect", node.p2p_addr, offline=False) + "; echo KOBAN-EXIT=$?"))
        try:
            pane.wait(r"Confirmed\s+1\.00000000 BTC", timeout=60)
            f.check(True, "Overview: the funding confirmed after the sync")
            wait_until(lambda: FeeHandler.served, timeout=30, what="the first fee request")
            f.check(not FeeHandler.served[0][1], "the fee source was down at start")
            pane.keys("3")
            pane.wait(r"Pay to 1")
            pane.wait(r"no estimate")
            FeeHandler.up.set()
            pane.keys("Enter")
            pane.type(dest)
            pane.keys("Enter")
            pane.type("0.1")
            pane.keys("Enter")
            asked = time.monotonic()
            pane.keys("n")  # no estimate yet: asks the source again at once
            pane.wait(r"asked the fee source again")
            # (at 80 columns the line ends with "f fast")
            pane.wait(r"s slow 1\.2 sat/vB ~144 blocks\s+n normal 5 sat/vB ~6 blocks\s+f fast", timeout=30)
            f.check(True, "fee estimates from fee_url: slow, normal, fast with blocks")
            again = [t for t, ok in FeeHandler.served if ok]
            f.check(again and again[0] >= asked and again[0] - FeeHandler.served[0][0] < 50,
                    "the estimate was fetched on demand, not at the next scheduled retry (60 s)")
            pane.keys("n")  # the normal estimate into the fee field
            pane.keys("Enter")
            s = pane.wait(r"Review: regtest[\s\S]*Replace-by-fee: yes").string
            f.check(dest in s and "0.10000000 BTC" in s, "review: the recipient and the amount")
            f.check("[change]" in s, "review: the change output marked")
            m = re.search(r"Fee: 0\.0+\d+ BTC \((\d+) sat\), about ([\d.]+) sat/vB", s)
            f.check(m is not None and 4.5 <= float(m.group(2)) <= 6, f"review: fee in sats and about 5 sat/vB:\n{s}")
            pane.keys("Enter")
            pane.wait(r"Sign and send")
            pane.type(PASSWORD)
            pane.keys("Enter")
            txid = pane.wait(r"Sent: ([0-9a-f]{64})", timeout=30).group(1)
            f.check(True, "the UI reports the transaction sent")
            mem = wait_until(lambda: txid in node.rpc("getrawmempool"), timeout=15, what="tx in bcoin's mempool")
            f.check(bool(mem), "bcoin has the transaction in its mempool (getrawmempool)")
            pane.keys("Escape")
            pane.keys("2")
            pane.wait(r"-0\.1\d+ BTC\s+0/6 pending")
            f.check(True, "History: the payment pending, fee included")
            node.mine(1)
            pane.wait(r"-0\.1\d+ BTC\s+1/6 confirming", timeout=30)
            f.check(True, "History: 1/6 once bcoin mined it")
            pane.keys("q")
            pane.wait(r"KOBAN-EXIT=0")
        finally:
            pane.close()
        got = node.wallet_rpc("getreceivedbyaddress", dest, 1)
        f.check(abs(float(got) - 0.1) < 1e-9, f"bcoin's wallet received 0.1 at {dest} ({got})")
    srv.shutdown()
    k.cleanup()
    f.finish()


if __name__ == "__main__":
    main()
