"""Restore through the wizard from the BIP84 test mnemonic: a wrong word is
flagged as it is typed, the checksum is checked as the words come, and the
Receive screen shows the known first address."""
from tuitest import Failures, Koban, Pane, koban_cmd, shell_cmd

FIRST = "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk"


def main():
    f = Failures("tui_restore")
    k = Koban()
    pane = Pane(shell_cmd(koban_cmd(k) + "; echo KOBAN-EXIT=$?"))
    try:
        pane.wait(r"What would you like to do")
        pane.keys("r")
        pane.wait(r"Restore: type your English words")
        # A word no English word starts with is flagged before Enter.
        pane.type("abandx")
        pane.wait(r"no English word starts with 'abandx'")
        f.check(True, "a wrong word is flagged at once")
        pane.keys("BSpace")
        pane.wait(r"matches: abandon")
        f.check(True, "completion offers abandon for 'aband'")
        pane.keys("Tab")
        pane.keys("Enter")
        pane.wait(r"1\.abandon")
        for i in range(10):
            pane.type("abandon ")
        pane.wait(r"11\.abandon")
        pane.type("abandon ")
        pane.wait(r"12 words: checksum does not match")
        f.check(True, "12 abandons: the checksum is flagged")
        pane.keys("BSpace")          # the last word back into the field
        pane.keys("C-u")
        pane.type("about")
        pane.keys("Enter")
        pane.wait(r"checksum OK")
        f.check(True, "abandon x11 about: checksum OK")
        pane.keys("Enter")
        pane.wait(r"BIP39 passphrase")
        pane.keys("Enter")
        pane.wait(r"Wallet birthday")
        pane.type("2020-13-01")
        pane.keys("Enter")
        pane.wait(r"not a date koban can use")
        f.check(True, "a bad birthday is refused")
        pane.keys("C-u")
        pane.keys("Enter")
        pane.wait(r"Choose the wallet password")
        pane.type("pw")
        pane.keys("Enter")
        pane.wait(r"Type the password again")
        pane.type("pw")
        pane.keys("Enter")
        pane.wait(r"is ready")
        pane.keys("4")
        m = pane.wait(r"Address\s+(bcrt1\w+)")
        f.check(m.group(1) == FIRST, f"first address {m.group(1)} == {FIRST}")
        pane.keys("q")
        pane.wait(r"KOBAN-EXIT=0")
    finally:
        pane.close()
    f.finish()


if __name__ == "__main__":
    main()
