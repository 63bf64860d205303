/*
 * Standard scriptPubKey templates: builders and a classifier.
 *
 * The templates follow Bitcoin Core's Solver (script/solver.cpp):
 *   P2PK      <33 or 65-byte pubkey> OP_CHECKSIG
 *   P2PKH     OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG
 *   P2SH      OP_HASH160 <20> OP_EQUAL
 *   MULTISIG  OP_m <pubkey>... OP_n OP_CHECKMULTISIG  (1 <= m <= n <= 16)
 *   NULLDATA  OP_RETURN followed only by pushes
 *   witness   OP_0..OP_16 then one direct push of 2..40 bytes (BIP141):
 *     P2WPKH  v0, 20 bytes;  P2WSH v0, 32 bytes
 *     P2TR    v1, 32 bytes (BIP341)
 *     P2A     v1, the 2 bytes 4e73 (pay-to-anchor, Core 28)
 *     WITNESS_UNKNOWN  any other v1..v16 program: valid to pay to, but
 *             "unknown witness program": no spending rules are defined
 *             yet, so koban never treats such an output as its own.
 *   A v0 program of other than 20 or 32 bytes is NONSTANDARD (unspendable).
 *
 * Everything here is pure and may be called from a loop callback.
 */
#ifndef KOBAN_WALLET_SCRIPT_H
#define KOBAN_WALLET_SCRIPT_H

#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Opcodes the templates use. */
enum {
	OP_0 = 0x00,
	OP_PUSHDATA1 = 0x4c,
	OP_PUSHDATA2 = 0x4d,
	OP_PUSHDATA4 = 0x4e,
	OP_1NEGATE = 0x4f,
	OP_1 = 0x51,
	OP_16 = 0x60,
	OP_RETURN = 0x6a,
	OP_DUP = 0x76,
	OP_EQUAL = 0x87,
	OP_EQUALVERIFY = 0x88,
	OP_HASH160 = 0xa9,
	OP_CHECKSIG = 0xac,
	OP_CHECKMULTISIG = 0xae,
};

#define WALLET_SCRIPT_P2PKH_LEN 25
#define WALLET_SCRIPT_P2SH_LEN 23
#define WALLET_SCRIPT_P2WPKH_LEN 22
#define WALLET_SCRIPT_P2WSH_LEN 34
#define WALLET_SCRIPT_P2TR_LEN 34
#define WALLET_SCRIPT_WITNESS_MAX 42   /* version + push + 40-byte program */
#define WALLET_SCRIPT_P2PK_MAX 67
#define WALLET_SCRIPT_OP_RETURN_MAX 83 /* policy: 80 data bytes, one push */

enum wallet_script_type {
	WALLET_SCRIPT_NONSTANDARD = 0,
	WALLET_SCRIPT_P2PK,
	WALLET_SCRIPT_P2PKH,
	WALLET_SCRIPT_P2SH,
	WALLET_SCRIPT_MULTISIG,
	WALLET_SCRIPT_NULLDATA,
	WALLET_SCRIPT_P2WPKH,
	WALLET_SCRIPT_P2WSH,
	WALLET_SCRIPT_P2TR,
	WALLET_SCRIPT_P2A,
	WALLET_SCRIPT_WITNESS_UNKNOWN,
};

/* What the classifier found. Pointers are borrowed from the script. */
struct wallet_script_info {
	enum wallet_script_type type;
	const uint8_t *data;   /* hash, program, pubkey; NULL otherwise */
	size_t data_len;
	unsigned witver;       /* witness types (and P2A): the version */
	unsigned m, n;         /* MULTISIG: m of n keys */
};

/*
 * Classifies spk (n bytes, any content). Fills *info (optional) and returns
 * the type. Never fails: anything unrecognised is NONSTANDARD.
 */
enum wallet_script_type wallet_script_classify(const uint8_t *spk, size_t n,
                                               struct wallet_script_info *info);
/* A short name: "p2pkh", "p2tr", "witness_unknown", ... Never NULL. */
const char *wallet_script_type_name(enum wallet_script_type t);

/*
 * True when spk is a witness program by BIP141's shape (any version, 2..40
 * bytes); then *witver, *prog and *proglen (each optional) describe it.
 */
bool wallet_script_is_witness(const uint8_t *spk, size_t n, unsigned *witver,
                              const uint8_t **prog, size_t *proglen);

/* Fixed-size builders. */
void wallet_script_p2pkh(uint8_t out[WALLET_SCRIPT_P2PKH_LEN], const uint8_t hash160[20]);
void wallet_script_p2sh(uint8_t out[WALLET_SCRIPT_P2SH_LEN], const uint8_t hash160[20]);
void wallet_script_p2wpkh(uint8_t out[WALLET_SCRIPT_P2WPKH_LEN], const uint8_t hash160[20]);
void wallet_script_p2wsh(uint8_t out[WALLET_SCRIPT_P2WSH_LEN], const uint8_t sha256[32]);
/* P2TR from the 32-byte x-only output key (already tweaked, BIP341). */
void wallet_script_p2tr(uint8_t out[WALLET_SCRIPT_P2TR_LEN], const uint8_t xonly[32]);

/*
 * A witness program of any version 0..16 (v0: 20 or 32 bytes; otherwise
 * 2..40). KB_EINVAL for a version/length out of rule, KB_ELIMIT when outcap
 * is too small. *len is 0 on failure.
 */
enum kb_rc wallet_script_witness(uint8_t *out, size_t outcap, size_t *len,
                                 unsigned witver, const uint8_t *prog,
                                 size_t proglen) KB_WUR;
/* P2PK: pubkey of 33 (02/03) or 65 (04) bytes; KB_EINVAL otherwise. */
enum kb_rc wallet_script_p2pk(uint8_t *out, size_t outcap, size_t *len,
                              const uint8_t *pubkey, size_t pklen) KB_WUR;
/*
 * OP_RETURN with one minimal push of n <= 80 bytes (n = 0: bare OP_RETURN).
 * KB_ELIMIT over 80 bytes or when outcap is too small.
 */
enum kb_rc wallet_script_op_return(uint8_t *out, size_t outcap, size_t *len,
                                   const uint8_t *data, size_t n) KB_WUR;
/*
 * Bare multisig m-of-n over compressed keys (1 <= m <= n <= 16): keys is
 * nkeys * 33 bytes, the keys in the given order. Needs 3 + 34*n bytes.
 * KB_EINVAL / KB_ELIMIT.
 */
enum kb_rc wallet_script_multisig(uint8_t *out, size_t outcap, size_t *len,
                                  unsigned m, const uint8_t *keys,
                                  size_t nkeys) KB_WUR;

#endif
