"""Terminal craft: with NO_COLOR=1 no colour escape sequence is emitted
(raw output captured with script(1)), colours do appear without it, the
UI runs on TERM=vt100 in an ASCII locale, and the terminal comes back
intact after Ctrl-C, SIGTERM and a crash (SIGSEGV)."""
import os
import re
import shlex
import signal
import time

from tuitest import Failures, Koban, Pane, koban_cmd, shell_cmd
from kobantest import ABANDON

SGR = re.compile(rb"\x1b\[([0-9;:]*)m")


def colour_codes(raw):
    """The SGR sequences in raw that set a colour (foreground, background,
    default colours, 256/truecolour)."""
    found = []
    for m in SGR.finditer(raw):
        params = [p for p in re.split(rb"[;:]", m.group(1)) if p]
        for p in params:
            n = int(p)
            if 30 <= n <= 49 or 90 <= n <= 107:
                found.append(m.group(0))
                break
    return found


def wait_file(path, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return True
        time.sleep(0.05)
    return False


def browse(pane):
    pane.wait(r"Latest payments")
    for key in "234567":
        pane.keys(key)
        time.sleep(0.05)
    pane.keys("?")
    pane.wait(r"Keys")
    pane.keys("Escape")
    pane.keys("1")
    pane.wait(r"Latest payments")


def run_captured(k, f, env, label):
    log = os.path.join(k.dir, f"raw-{label}.log")
    inner = f"script -q -e -c {shlex.quote(koban_cmd(k))} {shlex.quote(log)}"
    pane = Pane(shell_cmd(inner), env=env)
    try:
        browse(pane)
        pane.keys("q")
        pane.wait(r"KOBAN-EXIT=0")
    finally:
        pane.close()
    with open(log, "rb") as fh:
        return fh.read()


def signal_exit(k, f, sig, name):
    pidfile = os.path.join(k.dir, f"pid-{name}")
    before = os.path.join(k.dir, f"stty-before-{name}")
    after = os.path.join(k.dir, f"stty-after-{name}")
    inner = (f"stty -a > {before}; sh -c {shlex.quote('echo $$ > ' + pidfile + '; exec ' + koban_cmd(k))}; "
             f"echo KOBAN-EXIT=$?; stty -a > {after}")
    pane = Pane(shell_cmd(inner))
    try:
        pane.wait(r"Latest payments")
        if sig is None:
            pane.keys("C-c")
        else:
            wait_file(pidfile)
            with open(pidfile) as fh:
                os.kill(int(fh.read().strip()), sig)
        m = pane.wait(r"KOBAN-EXIT=(\d+)")
        wait_file(after)
        with open(before) as a, open(after) as b:
            f.check(a.read() == b.read(), f"{name}: stty -a intact")
        scr = pane.screen()
        f.check("Latest payments" not in scr, f"{name}: the UI is gone from the screen")
        return int(m.group(1))
    finally:
        pane.close()


def main():
    f = Failures("tui_terminal")
    k = Koban()
    k.ok("restore", stdin=ABANDON + "\n")

    raw = run_captured(k, f, {"NO_COLOR": "1", "TERM": "xterm-256color"}, "nocolor")
    bad = colour_codes(raw)
    f.check(len(raw) > 1000, f"captured the UI's output ({len(raw)} bytes)")
    f.check(not bad, f"NO_COLOR=1: no colour sequences (found {bad[:5]})")
    raw = run_captured(k, f, {"TERM": "xterm-256color"}, "colour")
    f.check(len(colour_codes(raw)) > 0, "without NO_COLOR colours are used")
    raw = run_captured(k, f, {"TERM": "screen-256color"}, "screen")
    f.check(len(raw) > 1000, "TERM=screen-256color works")

    pane = Pane(shell_cmd(koban_cmd(k) + "; echo KOBAN-EXIT=$?"), env={"TERM": "vt100", "KOBAN_TEST_LANG": "C"})
    try:
        browse(pane)
        pane.keys("4")
        pane.wait(r"Enlarge the terminal|##")
        f.check(True, "TERM=vt100 with LANG=C: screens draw (ASCII QR or the enlarge notice)")
        pane.keys("q")
        pane.wait(r"KOBAN-EXIT=0")
    finally:
        pane.close()

    f.check(signal_exit(k, f, None, "ctrl-c") == 0, "Ctrl-C quits cleanly (status 0)")
    f.check(signal_exit(k, f, signal.SIGTERM, "sigterm") == 0, "SIGTERM quits cleanly (status 0)")
    st = signal_exit(k, f, signal.SIGSEGV, "sigsegv")
    f.check(st == 128 + signal.SIGSEGV, f"SIGSEGV: dies of the signal ({st}) after restoring the terminal")
    f.finish()


if __name__ == "__main__":
    main()
