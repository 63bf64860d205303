"""The idle lock (--lock-after): a mnemonic shown on the Settings screen is
hidden again, and a half-typed password is dropped, once no key has come
for the set time -- and not before it."""
import time

from tuitest import Failures, Koban, Pane, koban_cmd, shell_cmd
from kobantest import ABANDON

PASSWORD = "correct horse battery staple"
LOCK_S = 10


def open_mnemonic_dialog(pane):
    pane.keys("7")
    pane.wait(r"Show the mnemonic")
    for _ in range(6):  # fee URL, target, gap, proxy, fp rate, password
        pane.keys("j")
    pane.keys("Enter")
    pane.wait(r"The wallet password:")


def main():
    f = Failures("tui_lock")
    k = Koban(password=PASSWORD)
    k.ok("restore", stdin=ABANDON + "\n")
    pane = Pane(shell_cmd(koban_cmd(k, "--lock-after", str(LOCK_S)) + "; echo KOBAN-EXIT=$?"))
    try:
        pane.wait(r"Latest payments")
        open_mnemonic_dialog(pane)
        pane.type(PASSWORD)
        pane.keys("Enter")
        last_key = time.monotonic()
        pane.wait(r"abandon abandon abandon")
        f.check(True, "the mnemonic is shown after the password")
        s = pane.wait(r"Locked after 10 seconds without a key", timeout=LOCK_S + 15).string
        waited = time.monotonic() - last_key
        f.check(waited >= LOCK_S - 0.5, f"not locked before {LOCK_S} s without a key ({waited:.1f} s)")
        s = pane.screen()
        f.check("abandon" not in s, "the lock hid the mnemonic")

        # A half-typed password is dropped by the lock.
        pane.keys("Escape")
        open_mnemonic_dialog(pane)
        pane.type("correct ho")
        pane.wait_gone(r"The wallet password:", timeout=LOCK_S + 15)
        s = pane.screen()
        f.check("Locked after" in s, "the password dialog closed by the lock")
        f.check("abandon" not in s, "nothing was shown from a half-typed password")
        # A key after the lock works as before: the dialog opens again.
        open_mnemonic_dialog(pane)
        pane.keys("Escape")
        pane.wait_gone(r"The wallet password:")
        f.check(True, "the interface answers after the lock")
    finally:
        pane.keys("q")
        try:
            pane.wait(r"KOBAN-EXIT=0")
            f.check(True, "q after the lock exits cleanly")
        except TimeoutError as e:
            f.check(False, str(e))
        pane.close()
    f.finish()


if __name__ == "__main__":
    main()
