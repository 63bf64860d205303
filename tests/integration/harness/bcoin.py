#!/usr/bin/env python3
"""Start and drive a real bcoin regtest node from Python tests (stdlib only).

    import sys; sys.path.insert(0, "tests/integration/harness")
    from bcoin import Bcoin

    with Bcoin(bip37=True) as node:          # free loopback ports, own process
        node.mine(101)                       # to its own wallet (bcrt1q...)
        addr = node.new_address()
        txid = node.wallet_rpc("sendtoaddress", addr, 1.5)
        node.rpc("getrawmempool")            # [txid]
        node.p2p_port                        # point koban here
    # the node process is gone here (SIGTERM, then SIGKILL after a deadline)

Needs `node` (v18+) on PATH and `npm ci` run once in this folder.
The node speaks Bitcoin Core's regtest prefixes (bcrt1..., m/n, 2, tprv).
Every node also exits by itself if the Python process that started it dies
(its stdin is a pipe from us; see bcoin-node.js --exit-on-stdin-eof).
"""

import atexit
import os
import re
import secrets
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref

HARNESS_DIR = os.path.dirname(os.path.abspath(__file__))
if HARNESS_DIR not in sys.path:
    sys.path.insert(0, HARNESS_DIR)

import rpc as _rpc  # noqa: E402  (the sibling rpc.py)

RPCError = _rpc.RPCError
NODE_SCRIPT = os.path.join(HARNESS_DIR, "bcoin-node.js")

__all__ = ["Bcoin", "BcoinError", "RPCError", "free_port", "free_ports",
           "wait_until"]

_READY_RE = re.compile(rb"^READY p2p=(\d+) rpc=(\d+) wallet=(\d+)\s*$")


class BcoinError(RuntimeError):
    """The node could not be started or stopped."""


def free_port(host="127.0.0.1"):
    """A TCP port on HOST that was free a moment ago (the OS picked it)."""
    return free_ports(1, host)[0]


def free_ports(n, host="127.0.0.1"):
    """N distinct free TCP ports on HOST (all held open while picking)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def wait_until(predicate, timeout=30.0, interval=0.05, what="condition"):
    """Poll PREDICATE until it returns a true value; return that value.

    Raises TimeoutError after TIMEOUT seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


_live = weakref.WeakSet()


@atexit.register
def _stop_all():
    for node in list(_live):
        try:
            node.stop()
        except Exception:  # pragma: no cover - best effort at exit
            pass


class Bcoin:
    """One bcoin full node on regtest, on free 127.0.0.1 ports.

    Attributes once started: pid, p2p_port, rpc_port, wallet_port, api_key,
    host ("127.0.0.1"), p2p_addr ("127.0.0.1:PORT").
    """

    def __init__(self, bip37=False, api_key=None, log_level=None,
                 connect=None, prefix=None, start_timeout=60.0,
                 stop_timeout=10.0, node_bin="node", extra_args=()):
        self.bip37 = bool(bip37)
        self.api_key = api_key or secrets.token_hex(16)
        self.log_level = log_level
        self.connect = list(connect or [])
        self.prefix = prefix
        self.start_timeout = float(start_timeout)
        self.stop_timeout = float(stop_timeout)
        self.node_bin = node_bin
        self.extra_args = list(extra_args)
        self.host = "127.0.0.1"
        self.proc = None
        self.pid = None
        self.p2p_port = self.rpc_port = self.wallet_port = None
        self._mining_address = None
        self._log = None

    # ---------------------------------------------------------------- life

    def start(self, attempts=3):
        """Start the node and wait for READY. Returns self."""
        if self.proc is not None:
            raise BcoinError("already started")
        last = None
        for _ in range(attempts):
            try:
                self._start_once()
                return self
            except _PortClash as e:  # someone grabbed a port: pick again
                last = e
        raise BcoinError(f"could not start bcoin: {last}")

    def _start_once(self):
        p2p, rpcp, wallet = free_ports(3, self.host)
        cmd = [self.node_bin, NODE_SCRIPT,
               "--p2p-port", str(p2p), "--rpc-port", str(rpcp),
               "--wallet-port", str(wallet), "--api-key", self.api_key,
               "--exit-on-stdin-eof"]
        if self.bip37:
            cmd.append("--bip37")
        if self.prefix:
            cmd += ["--prefix", self.prefix]
        if self.log_level:
            cmd += ["--log-level", self.log_level]
        for c in self.connect:
            cmd += ["--connect", c]
        cmd += self.extra_args

        self._log = tempfile.TemporaryFile(prefix="koban-bcoin-", suffix=".log")
        proc = subprocess.Popen(
            cmd, cwd=HARNESS_DIR, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._log, close_fds=True,
            start_new_session=True)
        self.proc, self.pid = proc, proc.pid
        _live.add(self)

        try:
            line = self._wait_ready(proc)
        except BaseException:
            self._kill_now()
            raise
        m = _READY_RE.match(line)
        self.p2p_port, self.rpc_port, self.wallet_port = (
            int(m.group(1)), int(m.group(2)), int(m.group(3)))
        # Keep draining stdout so the node can never block on a full pipe.
        threading.Thread(target=_drain, args=(proc.stdout,),
                         daemon=True).start()

    def _wait_ready(self, proc):
        deadline = time.monotonic() + self.start_timeout
        buf = b""
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        try:
            while True:
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    if _READY_RE.match(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0:
                    raise BcoinError(
                        f"bcoin not READY within {self.start_timeout}s\n"
                        + self.log_tail())
                if not sel.select(timeout=min(left, 0.5)):
                    continue
                chunk = os.read(proc.stdout.fileno(), 4096)
                if not chunk:  # EOF: the node died
                    proc.wait(timeout=5)
                    tail = self.log_tail()
                    if "EADDRINUSE" in tail:
                        raise _PortClash(tail)
                    raise BcoinError(
                        f"bcoin exited with {proc.returncode} before READY\n"
                        + tail)
                buf += chunk
        finally:
            sel.close()

    def stop(self):
        """SIGTERM the node, SIGKILL it after stop_timeout; reap it.

        Returns the exit code (None if it was never started). Idempotent.
        """
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None:
            try:
                os.kill(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self._kill_now()
        self._cleanup()
        return proc.returncode

    def _kill_now(self):
        proc = self.proc
        if proc is not None and proc.poll() is None:
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        self._cleanup()

    def _cleanup(self):
        proc = self.proc
        if proc is None:
            return
        for f in (proc.stdin, proc.stdout):
            try:
                if f:
                    f.close()
            except OSError:
                pass
        _live.discard(self)
        # self.proc stays set so .returncode / .pid stay inspectable.

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, limit=4000):
        """The last LIMIT characters of the node's stderr."""
        if self._log is None:
            return ""
        try:
            self._log.flush()
            size = self._log.seek(0, os.SEEK_END)
            self._log.seek(max(0, size - limit))
            return self._log.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def __del__(self):
        try:
            if self.running():
                self._kill_now()
        except Exception:
            pass

    # ----------------------------------------------------------------- RPC

    @property
    def p2p_addr(self):
        return f"{self.host}:{self.p2p_port}"

    def rpc(self, method, *params, timeout=60.0):
        """Node JSON-RPC (getblockcount, generatetoaddress, ...)."""
        self._need_running()
        return _rpc.call(self.rpc_port, self.api_key, method, *params,
                         host=self.host, timeout=timeout)

    def wallet_rpc(self, method, *params, timeout=60.0):
        """Wallet JSON-RPC (getnewaddress, sendtoaddress, getbalance, ...)."""
        self._need_running()
        return _rpc.call(self.wallet_port, self.api_key, method, *params,
                         host=self.host, timeout=timeout)

    def _need_running(self):
        if not self.running():
            raise BcoinError("bcoin node is not running")

    # ------------------------------------------------------------- helpers

    def new_address(self):
        """A fresh P2WPKH address (bcrt1q...) of bcoin's own wallet."""
        return self.wallet_rpc("getnewaddress", "default")

    @property
    def mining_address(self):
        if self._mining_address is None:
            self._mining_address = self.new_address()
        return self._mining_address

    def mine(self, n=1, addr=None):
        """Mine N blocks to ADDR (default: bcoin's own wallet).

        Returns the block hashes. When mining to the wallet, waits until the
        wallet has seen the new tip, so getbalance/sendtoaddress see it.
        """
        to_wallet = addr is None
        if to_wallet:
            addr = self.mining_address
        hashes = self.rpc("generatetoaddress", int(n), addr)
        if to_wallet and hashes:
            self.wait_wallet_synced()
        return hashes

    def height(self):
        return self.rpc("getblockcount")

    def tip(self):
        return self.rpc("getbestblockhash")

    def wallet_height(self):
        """The chain height bcoin's wallet has processed."""
        return self.wallet_rpc("getwalletinfo").get("height")

    def wait_wallet_synced(self, timeout=30.0):
        target = self.height()
        wait_until(lambda: (self.wallet_height() or 0) >= target,
                   timeout=timeout, what=f"bcoin wallet at height {target}")

    def wait_for_mempool(self, txid, timeout=30.0):
        wait_until(lambda: txid in self.rpc("getrawmempool"), timeout=timeout,
                   what=f"{txid} in bcoin's mempool")


class _PortClash(BcoinError):
    pass


def _drain(f):
    try:
        while f.read1(65536) if hasattr(f, "read1") else f.read(65536):
            pass
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    # Start a node for manual use; Ctrl-C stops it.
    import argparse
    ap = argparse.ArgumentParser(description="Run a bcoin regtest node.")
    ap.add_argument("--bip37", action="store_true")
    ap.add_argument("--log-level")
    ap.add_argument("--mine", type=int, default=0,
                    help="mine this many blocks to the wallet first")
    a = ap.parse_args()
    with Bcoin(bip37=a.bip37, log_level=a.log_level) as n:
        if a.mine:
            n.mine(a.mine)
        print(f"pid={n.pid} p2p={n.p2p_port} rpc={n.rpc_port} "
              f"wallet={n.wallet_port} api_key={n.api_key}", flush=True)
        print(f"  python3 {os.path.join(HARNESS_DIR, 'rpc.py')} "
              f"--port {n.rpc_port} --api-key {n.api_key} getblockcount",
              flush=True)
        try:
            while n.running():
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
