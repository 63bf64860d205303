// Verifies every input script of a raw transaction against the output it
// spends, with bcoin's script interpreter (standard verification flags,
// segwit included; bcoin 1.0.2 predates taproot).
// usage: node verify-tx.js RAWHEX '[{"value":sats,"script":hex}, ...]'  (one per input, in order)
// Prints "valid" (exit 0) or "invalid: input N: reason" (exit 1).
'use strict';
const bcoin = require('bcoin');
const [raw, spentJson] = process.argv.slice(2);
let tx;
try {
  tx = bcoin.TX.fromRaw(Buffer.from(raw, 'hex'));
} catch (e) {
  console.log('invalid: not a transaction: ' + e.message);
  process.exit(1);
}
const spent = JSON.parse(spentJson);
if (spent.length !== tx.inputs.length) {
  console.log(`invalid: ${tx.inputs.length} inputs but ${spent.length} spent outputs given`);
  process.exit(1);
}
const flags = bcoin.Script.flags.STANDARD_VERIFY_FLAGS;
for (let i = 0; i < tx.inputs.length; i++) {
  const input = tx.inputs[i];
  const prev = bcoin.Script.fromRaw(Buffer.from(spent[i].script, 'hex'));
  try {
    bcoin.Script.verify(input.script, input.witness, prev, tx, i, spent[i].value, flags);
  } catch (e) {
    console.log(`invalid: input ${i}: ${e.message}`);
    process.exit(1);
  }
}
console.log('valid');
