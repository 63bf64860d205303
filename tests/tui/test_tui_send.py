"""The Send screen offline: form, review (inputs, outputs, change, fee,
RBF, network), a wrong password refused, signing with the right one, the
node's refusal to broadcast said plainly, and the signed transaction and
PSBT saved to files (the PSBT finalizes to the same transaction)."""
import os

from tuitest import Failures, Koban, Pane, koban_cmd, shell_cmd
from kobantest import ABANDON, funding_tx

PASSWORD = "correct horse battery staple"


def main():
    f = Failures("tui_send")
    k = Koban(password=PASSWORD)
    k.ok("restore", stdin=ABANDON + "\n")
    spk = bytes.fromhex(k.ok("receive", json_out=True)["script"])
    raw = funding_tx([(150000, spk)]).hex()
    k.ok("tx", "add", raw, "--height", "101", "--tip", "110")
    k.ok("create", wallet="dest")
    DEST = k.ok("receive", wallet="dest").strip()
    pane = Pane(shell_cmd(f"cd {k.dir} && " + koban_cmd(k) + "; echo KOBAN-EXIT=$?"))
    try:
        pane.wait(r"Latest payments")
        pane.keys("3")
        pane.wait(r"Pay to 1")
        pane.keys("Enter")
        pane.type(DEST)
        pane.keys("Enter")
        pane.type("0.0005")
        pane.keys("Enter")
        pane.keys("Enter")  # no fee rate: refused, koban never guesses
        pane.wait(r"type a fee rate in sat/vB: koban has no estimate")
        f.check(True, "no fee rate: refused (no estimate offline)")
        pane.type("2")
        pane.keys("Enter")
        s = pane.wait(r"Review: regtest[\s\S]*Replace-by-fee: yes").string
        f.check(DEST in s and "0.00050000 BTC" in s, "review: the recipient and amount")
        f.check("[change]" in s, "review: change marked")
        f.check("sat/vB" in s and "Fee:" in s, "review: fee in sats and sat/vB")
        pane.keys("Enter")
        pane.wait(r"Sign and send")
        pane.type("wrong")
        pane.keys("Enter")
        pane.wait(r"Not signed: wrong password|Not signed: .*password")
        f.check(True, "a wrong password is refused")
        pane.keys("Enter")
        pane.wait(r"Sign and send")
        pane.type(PASSWORD)
        pane.keys("Enter")
        pane.wait(r"The node is offline: the transaction cannot be broadcast")
        txid = pane.wait(r"txid ([0-9a-f]{64})").group(1)
        f.check(True, "offline: the broadcast is refused plainly")
        pane.keys("h")
        pane.wait(r"Save hex to:")
        pane.keys("Enter")
        pane.wait(r"Wrote koban-")
        pane.keys("p")
        pane.wait(r"Save PSBT to:")
        pane.keys("Enter")
        pane.wait(r"Wrote koban-.*\.psbt")
        pane.keys("Escape")
        pane.keys("q")
        pane.wait(r"KOBAN-EXIT=0")
    finally:
        pane.close()
    hexfile = os.path.join(k.dir, f"koban-{txid[:16]}.txn")
    psbtfile = os.path.join(k.dir, f"koban-{txid[:16]}.psbt")
    f.check(os.path.exists(hexfile) and os.path.exists(psbtfile), "both files written")
    with open(hexfile) as fh:
        hexdata = fh.read().strip()
    fin = k.ok("psbt", "finalize", psbtfile).strip()
    f.check(fin == hexdata, "the saved PSBT finalizes to the saved transaction")
    f.check(oct(os.stat(hexfile).st_mode & 0o777) == "0o600", "files are private (0600)")

    # The signed transaction recorded as pending: History bumps its fee
    # through the same review.
    k.ok("tx", "add", hexfile)
    pane = Pane(shell_cmd(koban_cmd(k) + "; echo KOBAN-EXIT=$?"))
    try:
        pane.wait(r"Latest payments")
        pane.keys("2")
        pane.wait(r"-0\.0[0-9]+ BTC\s+0/6 pending")
        pane.keys("b")
        pane.wait(r"New fee rate")
        pane.type("6")
        pane.keys("Enter")
        s = pane.wait(r"Review - fee bump[\s\S]*Replace-by-fee: yes").string
        f.check("about 6.0 sat/vB" in s and DEST in s, "bump: the replacement pays the same recipient at 6 sat/vB")
        pane.keys("Escape")
        pane.keys("q")
        pane.wait(r"KOBAN-EXIT=0")
    finally:
        pane.close()
    f.finish()


if __name__ == "__main__":
    main()
