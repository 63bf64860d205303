#!/usr/bin/env node
/*
 * bcoin-node.js - a bcoin 1.0.2 full node on regtest for koban's real-peer tests.
 *
 * Usage:
 *   node bcoin-node.js --p2p-port P --rpc-port R --wallet-port W --api-key K
 *                      [--bip37] [--prefix DIR] [--connect HOST:PORT]
 *                      [--log-level LEVEL] [--exit-on-stdin-eof]
 *                      [--bcoin-deployments]
 *
 * - Regtest, everything in memory, every socket bound to 127.0.0.1.
 * - Speaks Bitcoin Core's regtest prefixes: bech32 "bcrt", P2PKH 0x6f,
 *   P2SH 0xc4, WIF 0xef, tpub/tprv.
 * - Soft forks as in Core's regtest (v0.21+): segwit active from genesis,
 *   BIP34/65/66/CSV from height 1. --bcoin-deployments keeps bcoin 1.0.2's
 *   own regtest schedule instead (segwit and CSV only from height 432).
 * - Node JSON-RPC on --rpc-port, wallet JSON-RPC (walletdb plugin) on
 *   --wallet-port; both use HTTP basic auth with password = --api-key.
 * - --bip37 serves BIP37 filtered blocks (merkleblock) and `mempool`, and
 *   advertises NODE_BLOOM.
 * - --connect HOST:PORT makes it connect out to (only) that peer.
 * - Never contacts anything but loopback: no DNS seeds, no external-IP
 *   discovery, no UPnP.
 * - Prints exactly one line "READY p2p=<port> rpc=<port> wallet=<port>" on
 *   stdout when it is listening. bcoin's logs (--log-level) go to stderr.
 * - SIGTERM / SIGINT: closes the node and exits 0.
 * - --exit-on-stdin-eof: also shut down when stdin reaches end of file, so
 *   a node started by a test that dies without stopping it goes away with
 *   it (the test holds the write end of a pipe to our stdin).
 */

'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const util = require('util');

function usage(msg) {
  if (msg)
    process.stderr.write(`bcoin-node.js: ${msg}\n`);
  process.stderr.write(
    'usage: node bcoin-node.js --p2p-port P --rpc-port R --wallet-port W'
    + ' --api-key K [--bip37] [--prefix DIR] [--connect HOST:PORT]'
    + ' [--log-level none|error|warning|info|debug|spam]'
    + ' [--exit-on-stdin-eof] [--bcoin-deployments]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {
    p2pPort: null,
    rpcPort: null,
    walletPort: null,
    apiKey: null,
    bip37: false,
    prefix: null,
    connect: [],
    logLevel: null,
    exitOnStdinEof: false,
    bcoinDeployments: false
  };

  const port = (name, v) => {
    if (v == null || !/^[0-9]+$/.test(v))
      usage(`${name} needs a port number`);
    const n = Number(v);
    if (n < 1 || n > 65535)
      usage(`${name}: bad port ${v}`);
    return n;
  };

  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let val = null;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq !== -1) {
      val = arg.substring(eq + 1);
      arg = arg.substring(0, eq);
    }
    const next = () => (val != null ? val : argv[++i]);

    switch (arg) {
      case '--p2p-port': opts.p2pPort = port(arg, next()); break;
      case '--rpc-port': opts.rpcPort = port(arg, next()); break;
      case '--wallet-port': opts.walletPort = port(arg, next()); break;
      case '--api-key': opts.apiKey = next(); break;
      case '--bip37': opts.bip37 = true; break;
      case '--prefix': opts.prefix = next(); break;
      case '--connect': opts.connect.push(next()); break;
      case '--log-level': opts.logLevel = next(); break;
      case '--exit-on-stdin-eof': opts.exitOnStdinEof = true; break;
      case '--bcoin-deployments': opts.bcoinDeployments = true; break;
      case '-h':
      case '--help': usage(null); break;
      default: usage(`unknown argument ${arg}`);
    }
  }

  if (opts.p2pPort == null || opts.rpcPort == null || opts.walletPort == null)
    usage('--p2p-port, --rpc-port and --wallet-port are required');
  if (!opts.apiKey)
    usage('--api-key is required');
  if (new Set([opts.p2pPort, opts.rpcPort, opts.walletPort]).size !== 3)
    usage('the three ports must differ');
  for (const c of opts.connect) {
    if (!/^[^:]+:[0-9]+$/.test(c))
      usage(`--connect wants HOST:PORT, got ${c}`);
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));

// Native addons are not built (.npmrc: ignore-scripts=true, so `npm ci`
// needs no compiler and no header download). bcoin's crypto, siphash and
// string helpers fall back to JavaScript by themselves; mrmr (murmur3, used
// for BIP37 bloom filters and the address table) only does so when
// NODE_BACKEND=js while it is loaded. Load it that way, for exactly the
// copies bcoin and bfilter will require, and leave everything else (e.g.
// sha256 via node's crypto) as it is.
{
  const saved = process.env.NODE_BACKEND;
  process.env.NODE_BACKEND = 'js';
  try {
    const bcoinDir = path.dirname(require.resolve('bcoin/package.json'));
    const bfilterDir = path.dirname(
      require.resolve('bfilter/package.json', {paths: [bcoinDir]}));
    for (const dir of [bcoinDir, bfilterDir])
      require(require.resolve('mrmr', {paths: [dir]}));
  } finally {
    if (saved === undefined)
      delete process.env.NODE_BACKEND;
    else
      process.env.NODE_BACKEND = saved;
  }
}

const bcoin = require('bcoin');

// --- Bitcoin Core regtest prefixes -----------------------------------------
// bcoin copies networks.regtest.* into its Network object the first time
// 'regtest' is used, so replace the prefix tables first, then select it.
const CORE_ADDRESS_PREFIX = {
  pubkeyhash: 0x6f,
  scripthash: 0xc4,
  // bcoin-only base58 witness prefixes (BIP142 leftovers, unused by Core):
  // keep bcoin's regtest values, which no other network uses.
  witnesspubkeyhash: 0x7a,
  witnessscripthash: 0x14,
  bech32: 'bcrt'
};

const CORE_KEY_PREFIX = {
  privkey: 0xef,
  xpubkey: 0x043587cf,
  xprivkey: 0x04358394,
  xpubkey58: 'tpub',
  xprivkey58: 'tprv',
  coinType: 1
};

bcoin.networks.regtest.addressPrefix = CORE_ADDRESS_PREFIX;
bcoin.networks.regtest.keyPrefix = CORE_KEY_PREFIX;
if (bcoin.Network.regtest) {
  // Already instantiated by someone: patch the live object too.
  bcoin.Network.regtest.addressPrefix = CORE_ADDRESS_PREFIX;
  bcoin.Network.regtest.keyPrefix = CORE_KEY_PREFIX;
}

// --- Bitcoin Core (v0.21+) regtest soft-fork heights ------------------------
// bcoin 1.0.2's regtest still uses the old BIP9 schedule: CSV and segwit
// only become active at height 432 (after signalling), BIP66 at 1251, BIP65
// at 1351, BIP34 never. Core's regtest has segwit active from genesis and
// BIP34/65/66/CSV from height 1, so a wallet can spend a bcrt1q coinbase
// after 101 blocks. Do the same unless --bcoin-deployments is given.
const coreDeployments = !opts.bcoinDeployments;
if (coreDeployments) {
  const block = bcoin.networks.regtest.block;
  block.bip34height = 1;
  block.bip65height = 1;
  block.bip66height = 1;
}

bcoin.set('regtest');

// bcoin reads <prefix>/wallet.conf even with memory: true. Default to a path
// that does not exist so no stray config is picked up; nothing is written
// there because everything lives in memory.
const prefix = opts.prefix
  || path.join(os.tmpdir(),
    `koban-bcoin-${process.pid}-${crypto.randomBytes(6).toString('hex')}`);

const node = new bcoin.FullNode({
  network: 'regtest',
  memory: true,
  prefix: prefix,
  logLevel: opts.logLevel || 'none',
  logConsole: Boolean(opts.logLevel) && opts.logLevel !== 'none',
  logFile: false,
  workers: false,
  checkpoints: false,

  indexTX: true, // getrawtransaction / gettxoutproof for confirmed txs

  // P2P
  listen: true,
  host: '127.0.0.1',
  port: opts.p2pPort,
  publicHost: '127.0.0.1',
  publicPort: opts.p2pPort,
  bip37: opts.bip37,
  seeds: [],
  only: opts.connect,
  upnp: false,
  maxInbound: 16,

  // Node HTTP / JSON-RPC
  httpHost: '127.0.0.1',
  httpPort: opts.rpcPort,
  apiKey: opts.apiKey,

  // Wallet plugin (keys are "wallet-" + the plugin's own option name).
  plugins: [bcoin.wallet.plugin],
  walletHttpHost: '127.0.0.1',
  walletHttpPort: opts.walletPort,
  walletApiKey: opts.apiKey,
  walletWalletAuth: false, // the api key alone grants access to all wallets
  walletWitness: true, // getnewaddress returns bcrt1q... (P2WPKH)
  walletMemory: true
});

if (coreDeployments) {
  // CSV and segwit: always ACTIVE (getState is consulted with the parent of
  // the block being validated or mined, so this means "from height 1" for
  // CSV and "from genesis" for segwit: there is nothing before height 1).
  const {thresholdStates} = require('bcoin/lib/blockchain/common');
  const getState = node.chain.getState;
  node.chain.getState = async function (prev, deployment) {
    if (deployment.name === 'segwit' || deployment.name === 'csv')
      return thresholdStates.ACTIVE;
    return getState.call(this, prev, deployment);
  };
}

// Keep stdout for the READY line only: bcoin's console logger writes to
// stdout, send it to stderr instead.
node.logger.writeConsole = function writeConsole(level, module, args) {
  if (!this.console)
    return false;
  const name = this.constructor.levelsByVal[level] || level;
  let msg = `[${name}] `;
  if (module)
    msg += `(${module}) `;
  msg += util.format(...args);
  process.stderr.write(msg + '\n');
  return true;
};

// Never leave loopback: regtest seeds are empty, and the pool must not ask
// public DNS servers for our external IP or probe for a UPnP gateway.
node.pool.discoverExternal = async () => {};
node.pool.discoverGateway = async () => false;
node.pool.discoverSeeds = async () => {};

let closing = false;

async function shutdown(code) {
  if (closing)
    return;
  closing = true;
  // Hard deadline in case bcoin hangs on close.
  setTimeout(() => process.exit(code), 5000).unref();
  try {
    if (node.opened)
      await node.close();
  } catch (e) {
    process.stderr.write(`bcoin-node.js: close failed: ${e.stack || e}\n`);
  }
  process.exit(code);
}

process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));
if (opts.exitOnStdinEof) {
  process.stdin.on('data', () => {});
  process.stdin.on('end', () => shutdown(0));
  process.stdin.on('error', () => shutdown(0));
  process.stdin.resume();
}
process.on('unhandledRejection', (err) => {
  process.stderr.write(`bcoin-node.js: unhandled rejection: ${err && err.stack || err}\n`);
  shutdown(1);
});
node.on('error', (err) => {
  // With --log-level bcoin logs these itself.
  if (!node.logger.console)
    process.stderr.write(`bcoin-node.js: node error: ${err && err.message || err}\n`);
});

// bcoin 1.0.2's wallet getnewaddress fails with "Account not found." when
// called without arguments (Core's usual form); default to "default".
{
  const wrpc = node.require('walletdb').rpc;
  const orig = wrpc.calls.getnewaddress;
  wrpc.calls.getnewaddress = function getnewaddress(args, help) {
    if (!help && Array.isArray(args) && args.length === 0)
      args = ['default'];
    return orig.call(this, args, help);
  };

  // getwalletinfo also reports the chain height the wallet has processed
  // ("height"); bcoin's wallet follows the chain asynchronously, so tests
  // wait for it to catch up after mining.
  const wdb = node.require('walletdb').wdb;
  const origInfo = wrpc.calls.getwalletinfo;
  wrpc.calls.getwalletinfo = async function getwalletinfo(args, help) {
    const info = await origInfo.call(this, args, help);
    if (info && typeof info === 'object')
      info.height = wdb.state.height;
    return info;
  };
}

(async () => {
  await node.ensure();
  await node.open();
  await node.connect();
  node.startSync();

  const p2p = node.pool.server.address().port;
  const rpc = node.http.address().port;
  const wallet = node.require('walletdb').http.address().port;

  // Write synchronously so the line is flushed even if stdout is a pipe.
  fs.writeSync(1, `READY p2p=${p2p} rpc=${rpc} wallet=${wallet}\n`);
})().catch((err) => {
  process.stderr.write(`bcoin-node.js: startup failed: ${err && err.stack || err}\n`);
  process.exit(1);
});
