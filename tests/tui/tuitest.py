"""Helpers for the terminal UI tests: koban runs in a tmux pane on a
private server (tmux -L), the test types with send-keys and reads the
screen with capture-pane, always waiting for text with a deadline."""
import os
import re
import shlex
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from kobantest import KOBAN, Failures, Koban  # noqa: E402,F401


class Pane:
    """One tmux server and session running a shell command."""

    def __init__(self, cmd, width=80, height=24, env=None):
        self.sock = f"koban-tui-{os.getpid()}-{int(time.time() * 1000) % 100000}"
        self.env = dict(os.environ)
        self.env.pop("TMUX", None)
        self.env.setdefault("TERM", "xterm-256color")
        if env:
            self.env.update(env)
        lang = self.env.get("KOBAN_TEST_LANG", "C.UTF-8")
        self.env["LANG"] = lang
        self.env["LC_ALL"] = lang
        self.tmux("new-session", "-d", "-x", str(width), "-y", str(height), "-s", "t", cmd)
        self.tmux("set-option", "-t", "t", "remain-on-exit", "on")

    def tmux(self, *args, check=True):
        p = subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null"] + list(args),
                           capture_output=True, text=True, env=self.env, timeout=30)
        if check and p.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)}: {p.stderr.strip()}")
        return p.stdout

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "t")

    def keys(self, *keys, literal=False):
        args = ["send-keys", "-t", "t"] + (["-l"] if literal else []) + list(keys)
        self.tmux(*args)

    def type(self, text):
        self.keys(text, literal=True)

    def wait(self, pattern, timeout=20.0):
        """Waits until the screen matches pattern (a regex); returns the match."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern, re.M)
        last = ""
        while time.monotonic() < deadline:
            last = self.screen()
            m = rx.search(last)
            if m:
                return m
            time.sleep(0.05)
        raise TimeoutError(f"no /{pattern}/ on the screen within {timeout}s; it shows:\n{last}")

    def wait_gone(self, pattern, timeout=20.0):
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern, re.M)
        while time.monotonic() < deadline:
            s = self.screen()
            if not rx.search(s):
                return s
            time.sleep(0.05)
        raise TimeoutError(f"/{pattern}/ still on the screen after {timeout}s")

    def resize(self, w, h):
        self.tmux("resize-window", "-t", "t", "-x", str(w), "-y", str(h))

    def pane_pid(self):
        return int(self.tmux("display-message", "-p", "-t", "t", "#{pane_pid}").strip())

    def dead(self):
        return self.tmux("display-message", "-p", "-t", "t", "#{pane_dead}").strip() == "1"

    def close(self):
        self.tmux("kill-server", check=False)


def koban_cmd(k, *extra, wallet=None, offline=True):
    """The shell command line that opens the UI for Koban k."""
    args = [KOBAN, "-n", k.network, "-d", k.datadir, "--test-kdf"]
    if offline:
        args.append("--offline")
    if wallet:
        args += ["-w", wallet]
    args += list(extra)
    return " ".join(shlex.quote(a) for a in args)


def shell_cmd(inner):
    """Runs inner in sh, then prints a marker with the status and keeps a
    prompt-like line so the test sees the terminal after koban left."""
    # The shell ignores SIGINT so Ctrl-C reaches koban alone (koban installs
    # its own handler over the inherited "ignore").
    script = "trap '' INT; " + inner + "; echo KOBAN-EXIT=$?; exec sh"
    return "sh -c " + shlex.quote(script)
