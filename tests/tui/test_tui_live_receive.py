"""The UI on the live light node (a bcoin regtest node with BIP37 on
loopback): a payment to a wallet made with the command line shows on the
Overview and History screens as pending while the UI stays open, its
confirmations climb 1/6 .. 5/6 as blocks are mined one at a time, and it
reads confirmed at 6; the Peers screen names the peer (and, with a peer
that serves no Bloom filters, says so); resizing to 60x20, 120x40 and back
while the node syncs new blocks redraws fully, no crash."""
import os
import sys
import time

from tuitest import Failures, Koban, Pane, koban_cmd, shell_cmd

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration", "harness"))
from bcoin import Bcoin  # noqa: E402

ROW = r"\+0\.50000000 BTC\s+"


def settled(pane, quiet=1.0, timeout=15.0):
    """The screen once it has not changed for quiet seconds (the node may
    still be fetching the block just mined)."""
    deadline = time.monotonic() + timeout
    last, since = pane.screen(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        s = pane.screen()
        if s != last:
            last, since = s, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return last


def redrawn_fully(pane):
    """The screen after a resize equals a full repaint (Ctrl-L)."""
    for _ in range(3):
        before = settled(pane)
        pane.keys("C-l")
        time.sleep(0.3)
        after = pane.screen()
        if before == after:
            return True
    print("after the resize:\n" + before + "\nafter Ctrl-L:\n" + after)
    return False


def main():
    f = Failures("tui_live_receive")
    k = Koban()
    with Bcoin(bip37=True) as node:
        node.mine(101)  # bcoin's own wallet: spendable coinbase
        k.ok("create")
        addr = k.ok("receive").strip()
        # blocks after the wallet's birthday: the UI scans them while it starts
        node.mine(20)
        pane = Pane(shell_cmd(koban_cmd(k, "--connect", node.p2p_addr, offline=False) + "; echo KOBAN-EXIT=$?"))
        try:
            pane.wait(r"Latest payments")
            # Resizing at once, while the node connects and syncs.
            pane.resize(60, 20)
            pane.wait(r"koban")
            pane.resize(120, 40)
            pane.wait(r"1 Overview\s+2 History\s+3 Send\s+4 Receive\s+5 Coins\s+6 Peers\s+7 Settings")
            pane.resize(80, 24)
            pane.wait(r"Tab screens\s+\? help\s+q quit")
            f.check(not pane.dead(), "resized 60x20, 120x40, 80x24 while starting to sync: still running")
            s = pane.wait(r"Sync\s+\S+\s+121/121", timeout=60).string
            f.check("1 peers" in s, "the header line counts the peer")
            pane.wait(r"^ *Peers: 1$")
            pane.keys("6")
            s = pane.wait(r"127\.0\.0\.1:%d\s+network,bloom" % node.p2p_port).string
            f.check("Sync is moving." in s, "Peers: bcoin listed with its services; sync moving")
            pane.keys("1")

            txid = node.wallet_rpc("sendtoaddress", addr, 0.5)
            node.wait_for_mempool(txid)
            s = pane.wait(ROW + r"0/6 pending", timeout=30).string
            f.check(s.count("0.50000000") >= 2 and "Pending            0.50000000 BTC" in s,
                    "Overview: the payment pending (balance and latest payments), UI left open")
            pane.keys("2")
            pane.wait(ROW + r"0/6 pending")
            f.check(True, "History: 0/6 pending")

            for n in range(1, 6):
                node.mine(1)
                if n == 2:  # resize while the node fetches the new block
                    pane.resize(60, 20)
                    pane.wait(ROW + r"2/6")
                    pane.resize(120, 40)
                    pane.wait(r"7 Settings")
                    pane.resize(80, 24)
                screen = "2" if n % 2 else "1"
                pane.keys(screen)
                pane.wait(ROW + r"%d/6 confirming" % n, timeout=30)
                other = "1" if screen == "2" else "2"
                pane.keys(other)
                pane.wait(ROW + r"%d/6 confirming" % n, timeout=10)
                f.check(True, f"{n}/6 on the Overview and History screens")
            f.check(not pane.dead() and redrawn_fully(pane),
                    "resized during sync of a new block: running, and the screen is a full repaint")

            node.mine(1)
            pane.keys("1")
            s = pane.wait(ROW + r"6\s+confirmed", timeout=30).string
            f.check("Confirmed          0.50000000 BTC" in s, "Overview: confirmed at 6, in the confirmed balance")
            pane.keys("2")
            pane.wait(ROW + r"6 confirmed")
            f.check(True, "History: confirmed at 6")
            pane.keys("q")
            pane.wait(r"KOBAN-EXIT=0")
            f.check(True, "q quits with status 0 while the node runs")
        finally:
            pane.close()
    st = k.ok("balance", json_out=True)
    f.check(st.get("confirmed") == 50000000, f"the wallet file holds the confirmed payment ({st})")

    # A peer without Bloom filters: the Peers screen says why nothing moves.
    with Bcoin(bip37=False) as plain:
        pane = Pane(shell_cmd(koban_cmd(k, "--connect", plain.p2p_addr, offline=False) + "; echo KOBAN-EXIT=$?"))
        try:
            pane.wait(r"Latest payments")
            pane.keys("6")
            pane.wait(r"Sync: no peer offers Bloom filters \(NODE_BLOOM\): looking for one", timeout=30)
            pane.wait(r"127\.0\.0\.1:%d\s+network,witness" % plain.p2p_port)
            f.check(True, "Peers: a peer without NODE_BLOOM listed, and the why-line names what is missing")
            pane.keys("q")
            pane.wait(r"KOBAN-EXIT=0")
        finally:
            pane.close()
    k.cleanup()
    f.finish()


if __name__ == "__main__":
    main()
