"""--offline: the node never starts. Under strace (socket, connect), koban
sync/peers/headers/info with --offline make no socket() call at all, and
koban sync --offline says so and exits 1."""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kobantest import KOBAN, Failures, Koban  # noqa: E402


def main():
    f = Failures("test_sync_offline")
    strace = shutil.which("strace")
    k = Koban()
    p = k.run("--offline", "sync", password=False)
    f.check(p.returncode == 1 and "offline" in p.stderr, f"sync --offline exits 1 saying why: {p.stderr}")
    p = k.run("--offline", "--json", "peers", password=False)
    doc = json.loads(p.stdout) if p.returncode == 0 else None
    f.check(doc is not None and doc.get("stored") == [] and doc.get("banned") == [],
            f"peers --offline lists stored peers and bans: {p.stdout} {p.stderr}")
    if not strace:
        print("SKIP strace part: strace is not installed")
        f.finish()
    runs = [
        ("--offline", "sync"),
        ("--offline", "--connect", "127.0.0.1:18444", "sync", "--timeout", "5"),
        ("--offline", "--connect", "example.invalid:18444", "peers"),
        ("--offline", "--proxy", "127.0.0.1:9050", "sync"),
        ("--offline", "info"),
    ]
    for args in runs:
        log = os.path.join(k.dir, "strace.log")
        cmd = [strace, "-f", "-qq", "-e", "trace=socket,connect", "-o", log,
               KOBAN, "-n", "regtest", "-d", k.datadir] + list(args)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        with open(log) as fh:
            trace = fh.read()
        calls = [line for line in trace.splitlines() if "socket(" in line or "connect(" in line]
        f.check(not calls, f"{' '.join(args)}: no socket/connect call: {calls[:3]}")
        f.check(p.returncode != 0 or args[-1] == "info" or "peers" in args,
                f"{' '.join(args)}: rc {p.returncode}")
    # and the same command without --offline does open a socket (the check can fail)
    log = os.path.join(k.dir, "strace-online.log")
    subprocess.run([strace, "-f", "-qq", "-e", "trace=socket,connect", "-o", log, KOBAN, "-n", "regtest",
                    "-d", k.datadir, "--connect", "127.0.0.1:1", "sync", "--timeout", "2"],
                   capture_output=True, text=True, timeout=60)
    with open(log) as fh:
        f.check("socket(" in fh.read(), "control: without --offline koban opens a socket")
    f.finish()


if __name__ == "__main__":
    main()
