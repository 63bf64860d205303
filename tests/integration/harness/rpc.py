#!/usr/bin/env python3
"""Tiny JSON-RPC client for bcoin's node and wallet RPC (Python 3 stdlib only).

As a module:
    from rpc import call, RPCError
    call(port, api_key, "getblockcount")            # -> 0
    call(wallet_port, api_key, "getnewaddress")     # -> "bcrt1q..."

As a command:
    rpc.py --port P --api-key K METHOD [PARAM ...]

Each PARAM is parsed as a JSON value when it is one (101, true, null,
"[1,2]", '"quoted"'); otherwise it is taken as a plain string, so
`rpc.py ... generatetoaddress 1 bcrt1q...` works without extra quoting.
The result is printed as JSON. Exit status: 0 on success, 1 on an RPC
error (printed to stderr), 2 on a usage or connection error.

Authentication is HTTP basic auth with user "x" and the api key as
password; bcoin ignores the user name. The node RPC and the wallet RPC
(getnewaddress, sendtoaddress, getbalance, ...) are the same protocol on
different ports.
"""

import argparse
import base64
import itertools
import json
import sys
import urllib.error
import urllib.request

__all__ = ["call", "RPCError", "parse_param"]

_ids = itertools.count(1)


class RPCError(Exception):
    """The server answered with a JSON-RPC error object."""

    def __init__(self, method, code, message):
        super().__init__(f"{method}: RPC error {code}: {message}")
        self.method = method
        self.code = code
        self.message = message


def call(port, key, method, *params, host="127.0.0.1", timeout=30.0):
    """Call METHOD with positional PARAMS; return the result or raise RPCError.

    Connection problems raise OSError (urllib.error.URLError is one).
    """
    req_id = next(_ids)
    body = json.dumps({"jsonrpc": "1.0", "id": req_id, "method": method,
                       "params": list(params)}).encode()
    auth = base64.b64encode(f"x:{key}".encode()).decode()
    req = urllib.request.Request(
        f"http://{host}:{int(port)}/", data=body, method="POST",
        headers={"Content-Type": "application/json",
                 "Authorization": f"Basic {auth}"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
    except urllib.error.HTTPError as e:
        # bcoin answers errors with 200, Bitcoin Core with 4xx/5xx and a
        # JSON body: take the body when there is one.
        raw = e.read()
        if e.code == 401:
            raise RPCError(method, 401, "unauthorized (wrong api key?)") from None
        if not raw:
            raise RPCError(method, e.code, f"HTTP {e.code} {e.reason}") from None
    try:
        reply = json.loads(raw)
    except ValueError:
        raise RPCError(method, -1, f"non-JSON reply: {raw[:200]!r}") from None
    if not isinstance(reply, dict):
        raise RPCError(method, -1, f"unexpected reply: {reply!r}"[:300])
    err = reply.get("error")
    if err:
        if isinstance(err, dict):
            raise RPCError(method, err.get("code"), err.get("message"))
        raise RPCError(method, -1, str(err))
    return reply.get("result")


def parse_param(text):
    """A command-line PARAM: a JSON value if it parses as one, else a string."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="JSON-RPC call to a bcoin node or wallet on loopback.")
    ap.add_argument("--port", type=int, required=True,
                    help="node RPC port or wallet RPC port")
    ap.add_argument("--api-key", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("method")
    ap.add_argument("params", nargs="*",
                    help="JSON values (plain words are taken as strings)")
    args = ap.parse_args(argv)
    try:
        result = call(args.port, args.api_key, args.method,
                      *[parse_param(p) for p in args.params],
                      host=args.host, timeout=args.timeout)
    except RPCError as e:
        print(str(e), file=sys.stderr)
        return 1
    except OSError as e:
        print(f"{args.method}: cannot reach {args.host}:{args.port}: {e}",
              file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
