/*
 * The Bitcoin networks koban knows, and what the wallet layer needs of
 * each: address and key prefixes, the BIP44 coin type, names. Chain
 * parameters (magic, genesis, proof-of-work rules, seeds, checkpoints) are
 * spv/'s (spv/chainparams.h). Values from Bitcoin Core's chainparams.cpp
 * and BIP49/BIP84 (SLIP-132 version bytes).
 */
#ifndef KOBAN_WALLET_NETWORK_H
#define KOBAN_WALLET_NETWORK_H

#include "wallet/rc.h"

#include <stdbool.h>
#include <stdint.h>

enum kb_net {
	KB_NET_MAIN = 0,
	KB_NET_TEST3 = 1,
	KB_NET_TEST4 = 2,
	KB_NET_SIGNET = 3,
	KB_NET_REGTEST = 4,
};
#define KB_NET_COUNT 5

struct kb_netparams {
	enum kb_net net;
	const char *name;        /* command-line name: main, test, testnet4, signet, regtest */
	const char *dirname;     /* data directory name: main, testnet3, testnet4, signet, regtest */
	const char *display;     /* for people: "mainnet", "testnet3", ... */
	uint8_t p2pkh;           /* base58 version of a P2PKH address */
	uint8_t p2sh;            /* base58 version of a P2SH address */
	uint8_t wif;             /* base58 version of a WIF private key */
	const char *hrp;         /* bech32 human-readable part */
	uint32_t xpub, xprv;     /* BIP32 serialisation versions */
	uint32_t ypub, yprv;     /* SLIP-132 (BIP49): ypub / upub */
	uint32_t zpub, zprv;     /* SLIP-132 (BIP84): zpub / vpub */
	uint32_t coin_type;      /* BIP44 coin type: 0 on mainnet, 1 elsewhere */
	bool is_test;            /* anything that is not real money */
};

/* Parameters of net (asserts that net is valid). */
const struct kb_netparams *kb_net_params(enum kb_net net);
/*
 * Parses a network name: main|mainnet|bitcoin, test|testnet|testnet3,
 * testnet4, signet, regtest. KB_EINVAL for anything else.
 */
enum kb_rc kb_net_parse(enum kb_net *out, const char *name) KB_WUR;

#endif
