"""Create a wallet through the wizard (with the three-word confirmation and
a wrong word refused), check the Receive screen's address against
`koban receive`, and that q gives the terminal back intact."""
import os
import re

from tuitest import Failures, Koban, Pane, koban_cmd, shell_cmd

PASSWORD = "correct horse battery staple"


def main():
    f = Failures("tui_create")
    k = Koban()
    before = os.path.join(k.dir, "stty-before")
    after = os.path.join(k.dir, "stty-after")
    pane = Pane(shell_cmd(f"stty -a > {before}; {koban_cmd(k)}; echo KOBAN-EXIT=$?; stty -a > {after}"))
    try:
        pane.wait(r"What would you like to do")
        pane.keys("c")
        screen = pane.wait(r"Your mnemonic").string
        words = {int(n): w for n, w in re.findall(r"(\d+)\. (\S+)", screen)}
        f.check(sorted(words) == list(range(1, 13)), f"12 numbered words shown: {sorted(words)}")
        pane.keys("Enter")
        first = True
        for i in range(3):
            m = pane.wait(rf"word {i + 1} of 3[\s\S]*Word #(\d+):")
            pos = int(m.group(1))
            if first:
                # A wrong word is refused and the same word asked again.
                wrong = "zoo" if words[pos] != "zoo" else "abandon"
                pane.type(wrong)
                pane.keys("Enter")
                pane.wait(rf"that is not word {pos}")
                f.check(True, "a wrong confirmation word is refused")
                first = False
            pane.type(words[pos])
            pane.keys("Enter")
        pane.wait(r"Choose the wallet password")
        pane.type(PASSWORD)
        pane.keys("Enter")
        pane.wait(r"Type the password again")
        f.check(PASSWORD not in pane.screen(), "the password is not echoed")
        pane.type(PASSWORD)
        pane.keys("Enter")
        pane.wait(r"is ready")
        pane.wait(r"Latest payments")
        f.check(True, "the wizard ends on the Overview")
        pane.keys("4")
        m = pane.wait(r"Address\s+(bcrt1\w+)")
        ui_addr = m.group(1)
        pane.keys("q")
        pane.wait(r"KOBAN-EXIT=0")
        f.check(True, "q leaves with status 0")
        scr = pane.screen()
        f.check("Latest payments" not in scr and "KOBAN-EXIT=0" in scr, "the shell's screen is back after q")
        pane.wait(r"\$ ?$|#\s*$|KOBAN-EXIT=0")
        # stty settings as before koban started.
        for _ in range(100):
            if os.path.exists(after) and os.path.getsize(after) > 0:
                break
            import time
            time.sleep(0.05)
        with open(before) as a, open(after) as b:
            f.check(a.read() == b.read(), "stty -a is the same after q")
        cli = k.ok("receive").strip()
        f.check(cli == ui_addr, f"Receive screen {ui_addr} == koban receive {cli}")
    finally:
        pane.close()
    f.finish()


if __name__ == "__main__":
    main()
