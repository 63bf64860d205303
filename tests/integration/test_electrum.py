#!/usr/bin/python3
"""Interop with Electrum (Debian's electrum package, used offline as a
library): for BIP39 mnemonics koban's and Electrum's first receive
addresses agree for wpkh and sh(wpkh); a PSBT written by koban is signed
by Electrum, and one written by Electrum is signed by koban; each
resulting transaction is verified by bcoin's interpreter."""
import base64
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kobantest import ABANDON, Failures, Koban, funding_tx, txid  # noqa: E402

from electrum import bitcoin, constants, keystore, util  # noqa: E402
from electrum.simple_config import SimpleConfig  # noqa: E402
from electrum.storage import WalletStorage  # noqa: E402
from electrum.transaction import PartialTxOutput, Transaction, tx_from_any  # noqa: E402
from electrum.wallet import Standard_Wallet  # noqa: E402
from electrum.wallet_db import WalletDB  # noqa: E402

HARNESS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "harness")
loop, stop_loop, loop_thread = util.create_and_start_event_loop()
constants.set_regtest()
t = Failures("electrum")


def electrum_wallet(mnemonic, derivation, xtype):
    d = tempfile.mkdtemp(prefix="koban-electrum-")
    config = SimpleConfig({"electrum_path": d, "regtest": True, "offline": True})
    ks = keystore.from_bip43_rootseed(keystore.bip39_to_seed(mnemonic, ""), derivation=derivation, xtype=xtype)
    db = WalletDB("", manual_upgrades=False)
    db.put("keystore", ks.dump())
    db.put("wallet_type", "standard")
    return Standard_Wallet(db, WalletStorage(os.path.join(d, "w")), config=config)


def verify(hexstr, spent):
    v = subprocess.run(["node", os.path.join(HARNESS, "verify-tx.js"), hexstr, json.dumps(spent)],
                       capture_output=True, text=True, timeout=60)
    return v.stdout.strip()


k = Koban()
try:
    created = k.ok("create", "--type", "wpkh", json_out=True, wallet="fresh")
    for name, mnemonic in (("abandon", ABANDON), ("fresh", created["mnemonic"])):
        for ktype, der, xtype in (("wpkh", "m/84'/1'/0'", "p2wpkh"), ("sh-wpkh", "m/49'/1'/0'", "p2wpkh-p2sh")):
            wname = f"{name}-{ktype}"
            k.ok("restore", "--type", ktype, stdin=mnemonic + "\n", wallet=wname)
            ours = k.ok("receive", json_out=True, wallet=wname)["address"]
            ew = electrum_wallet(mnemonic, der, xtype)
            theirs = ew.get_receiving_addresses()[0]
            t.check(ours == theirs, f"{name} {ktype}: koban {ours}, Electrum {theirs}")
            change = k.ok("addresses", "--change", json_out=True, wallet=wname)[0]["address"]
            t.check(change == ew.get_change_addresses()[0], f"{name} {ktype}: first change addresses agree")

    # koban writes, Electrum signs.
    k.ok("restore", "--type", "wpkh", stdin=ABANDON + "\n", wallet="k")
    a = k.ok("receive", json_out=True, wallet="k")
    raw = funding_tx([(100_000_000, bytes.fromhex(a["script"]))], seed=b"electrum-1")
    k.ok("tx", "add", raw.hex(), "--height", "100", "--tip", "110", wallet="k")
    dest = k.ok("receive", json_out=True, wallet="fresh")["address"]
    unsigned = os.path.join(k.dir, "k.psbt")
    k.ok("psbt", "create", dest, "0.25", "--fee-rate", "3", "-o", unsigned, wallet="k")
    ew = electrum_wallet(ABANDON, "m/84'/1'/0'", "p2wpkh")
    tx = tx_from_any(open(unsigned).read().strip())
    ew.sign_transaction(tx, password=None)
    t.check(tx.is_complete(), "Electrum signs koban's PSBT completely")
    signed = os.path.join(k.dir, "k-electrum.psbt")
    with open(signed, "w") as f:
        f.write(base64.b64encode(tx.serialize_as_bytes(force_psbt=True)).decode())
    fin = k.ok("psbt", "finalize", signed, wallet="k", json_out=True)
    spent = [{"value": 100_000_000, "script": a["script"]}]
    t.check(verify(fin["hex"], spent) == "valid", "the transaction Electrum signed verifies")
    t.check(fin["hex"] == tx.serialize_to_network(), "koban's finalized transaction equals Electrum's")

    # Electrum writes, koban signs.
    ew2 = electrum_wallet(ABANDON, "m/84'/1'/0'", "p2wpkh")
    eaddr = ew2.get_receiving_addresses()[1]
    spk = bytes.fromhex(bitcoin.address_to_script(eaddr))
    raw2 = funding_tx([(70_000_000, spk)], seed=b"electrum-2")
    ew2.adb.add_transaction(Transaction(raw2.hex()))
    coins = ew2.get_spendable_coins(None, nonlocal_only=False)
    t.check(len(coins) == 1, f"Electrum sees its coin: {len(coins)}")
    etx = ew2.make_unsigned_transaction(coins=coins, outputs=[PartialTxOutput.from_address_and_value(dest, 20_000_000)],
                                        fee=700)
    epsbt = os.path.join(k.dir, "electrum.psbt")
    with open(epsbt, "w") as f:
        f.write(base64.b64encode(etx.serialize_as_bytes(force_psbt=True)).decode())
    show = k.ok("psbt", "show", epsbt, wallet="k", json_out=True)
    t.check(show["fee"] == 700, f"koban reads Electrum's PSBT and its fee: {show['fee']}")
    ksigned = os.path.join(k.dir, "electrum-koban.psbt")
    k.ok("psbt", "sign", epsbt, "-o", ksigned, wallet="k")
    fin2 = k.ok("psbt", "finalize", ksigned, wallet="k", json_out=True)
    t.check(verify(fin2["hex"], [{"value": 70_000_000, "script": spk.hex()}]) == "valid",
            "the transaction koban signed for Electrum verifies")
    # and Electrum accepts koban's signatures back
    back = tx_from_any(open(ksigned).read().strip())
    t.check(back.is_complete() or all(len(i.part_sigs) == 1 for i in back.inputs()),
            "Electrum reads koban's signatures")
finally:
    k.cleanup()
    loop.call_soon_threadsafe(stop_loop.set_result, 1)
    loop_thread.join(timeout=5)
t.finish()
