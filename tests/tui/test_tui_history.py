"""A payment recorded with `koban tx add` while the UI is closed shows on
the Overview and History screens as n/6, then confirmed at 6 after the tip
moves; resizing (60x20, 120x40, too small, back) redraws without a crash."""
import re

from tuitest import Failures, Koban, Pane, koban_cmd, shell_cmd
from kobantest import ABANDON, funding_tx


def open_ui(k):
    pane = Pane(shell_cmd(koban_cmd(k) + "; echo KOBAN-EXIT=$?"))
    pane.wait(r"Latest payments")
    return pane


def quit_ui(pane, f):
    pane.keys("q")
    pane.wait(r"KOBAN-EXIT=0")
    pane.close()


def main():
    f = Failures("tui_history")
    k = Koban()
    k.ok("restore", stdin=ABANDON + "\n")
    spk = bytes.fromhex(k.ok("receive", json_out=True)["script"])
    raw = funding_tx([(150000, spk)]).hex()
    k.ok("tx", "add", raw, "--height", "101", "--block-time", "1700000000", "--tip", "102")

    pane = open_ui(k)
    try:
        s = pane.wait(r"\+0\.00150000 BTC\s+2/6\s+confirming").string
        f.check("Pending" in s, "Overview: the payment is pending at 2/6")
        pane.keys("2")
        pane.wait(r"2023-11-14 22:13\s+\+0\.00150000 BTC\s+2/6 confirming")
        f.check(True, "History: date, amount, 2/6, confirming")
        pane.keys("Enter")
        pane.wait(r"txid\s+[0-9a-f]{64}")
        pane.wait(r"\* 0 bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk\s+0\.00150000 BTC\s+ours")
        f.check(True, "details: our output marked")
        pane.keys("Escape")
        pane.wait(r"Date \(UTC\)")
        # Resizing at any moment: a full redraw each time, no crash.
        pane.resize(60, 20)
        pane.wait(r"2/6")
        pane.resize(120, 40)
        pane.wait(r"1 Overview\s+2 History\s+3 Send\s+4 Receive")
        pane.resize(40, 12)
        pane.wait(r"Terminal too small")
        pane.resize(80, 24)
        pane.wait(r"2/6 confirming")
        f.check(not pane.dead(), "resized to 60x20, 120x40, 40x12 and back: still running, redrawn")
        pane.keys("u")
        pane.wait(r"\+150,000 sat")
        f.check(True, "u shows sats")
    finally:
        quit_ui(pane, f)

    k.ok("tx", "add", raw, "--tip", "105")
    pane = open_ui(k)
    try:
        pane.keys("2")
        pane.wait(r"\+0\.00150000 BTC\s+5/6 confirming")
        f.check(True, "5/6 after the tip moved")
    finally:
        quit_ui(pane, f)

    k.ok("tx", "add", raw, "--tip", "106")
    pane = open_ui(k)
    try:
        s = pane.wait(r"\+0\.00150000 BTC\s+6\s+confirmed").string
        f.check(re.search(r"Confirmed\s+0\.00150000 BTC", s) is not None, "Overview: confirmed balance")
        pane.keys("2")
        pane.wait(r"\+0\.00150000 BTC\s+6 confirmed")
        f.check(True, "History: confirmed at 6")
    finally:
        quit_ui(pane, f)
    f.finish()


if __name__ == "__main__":
    main()
