/*
 * Partially signed Bitcoin transactions (BIP174; BIP370 version 2 is read
 * and written back, koban creates version 0).
 *
 * A PSBT is kept as what it is on the wire: a global map, one map per
 * input and one per output, each an ordered list of key-value records.
 * Parsing checks every record it knows the way Bitcoin Core does (key and
 * value sizes, public keys, signature encodings, key paths, taproot trees,
 * version rules, duplicate keys) and keeps unknown and proprietary records;
 * serialising writes the records back in order, so parse then serialise
 * returns the input byte for byte. Typed accessors read the records koban
 * uses; setters insert records in key order (as Core writes them).
 *
 * The Finalizer and Extractor for single-key scripts (P2PKH, P2WPKH,
 * P2SH-P2WPKH, P2TR key path) are here; signing needs keys and lives in
 * the wallet engine.
 */
#ifndef KOBAN_WALLET_PSBT_H
#define KOBAN_WALLET_PSBT_H

#include "wallet/buf.h"
#include "wallet/rc.h"
#include "wallet/tx.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest PSBT accepted (Core's MAX_FILE_SIZE_PSBT is 100 MB; a wallet
 * never needs more than a block's worth of previous transactions). */
#define WALLET_PSBT_MAX_SIZE (16u << 20)

/* Record types koban reads or writes (BIP174/BIP371). */
enum {
	PSBT_GLOBAL_UNSIGNED_TX = 0x00,
	PSBT_GLOBAL_XPUB = 0x01,
	PSBT_GLOBAL_VERSION = 0xfb,
	PSBT_IN_NON_WITNESS_UTXO = 0x00,
	PSBT_IN_WITNESS_UTXO = 0x01,
	PSBT_IN_PARTIAL_SIG = 0x02,
	PSBT_IN_SIGHASH = 0x03,
	PSBT_IN_REDEEMSCRIPT = 0x04,
	PSBT_IN_WITNESSSCRIPT = 0x05,
	PSBT_IN_BIP32_DERIVATION = 0x06,
	PSBT_IN_SCRIPTSIG = 0x07,
	PSBT_IN_SCRIPTWITNESS = 0x08,
	PSBT_IN_TAP_KEY_SIG = 0x13,
	PSBT_IN_TAP_BIP32_DERIVATION = 0x16,
	PSBT_IN_TAP_INTERNAL_KEY = 0x17,
	PSBT_OUT_REDEEMSCRIPT = 0x00,
	PSBT_OUT_WITNESSSCRIPT = 0x01,
	PSBT_OUT_BIP32_DERIVATION = 0x02,
	PSBT_OUT_TAP_INTERNAL_KEY = 0x05,
	PSBT_OUT_TAP_BIP32_DERIVATION = 0x07,
};

struct wallet_psbt_kv {
	uint8_t *key;   /* owned: type (CompactSize) then key data */
	size_t keylen;
	uint8_t *val;   /* owned; NULL when vallen is 0 */
	size_t vallen;
};

struct wallet_psbt_map {
	struct wallet_psbt_kv *kv; /* owned array */
	size_t count, cap;
};

struct wallet_psbt {
	uint32_t version;           /* 0 or 2 */
	struct wallet_tx tx;        /* v0: the unsigned transaction; v2: empty */
	struct wallet_psbt_map global;
	struct wallet_psbt_map *in; /* owned array of in_count maps */
	size_t in_count;
	struct wallet_psbt_map *out;/* owned array of out_count maps */
	size_t out_count;
};

/* A key path record: the master fingerprint and up to 255 steps. */
struct wallet_keypath {
	uint8_t fingerprint[4];
	uint32_t path[255];
	size_t depth;
};

void wallet_psbt_init(struct wallet_psbt *p);
void wallet_psbt_clear(struct wallet_psbt *p);

/*
 * Parses raw bytes. On failure p is empty (as after init) and err says
 * what is wrong in the words Core uses. KB_EPARSE for anything malformed,
 * KB_ELIMIT when over WALLET_PSBT_MAX_SIZE.
 */
enum kb_rc wallet_psbt_parse(struct wallet_psbt *p, const uint8_t *data, size_t len,
                             char *err, size_t errlen) KB_WUR;
/* Parses base64 text (surrounding white space ignored), or raw bytes when
 * the input starts with the magic "psbt\xff": what a PSBT file holds. */
enum kb_rc wallet_psbt_parse_any(struct wallet_psbt *p, const uint8_t *data, size_t len,
                                 char *err, size_t errlen) KB_WUR;
void wallet_psbt_serialize(const struct wallet_psbt *p, struct buf *out);
/* Base64 of the serialisation, NUL-terminated in out. */
void wallet_psbt_to_base64(const struct wallet_psbt *p, struct buf *out);

/*
 * Creator: a version 0 PSBT around tx, whose scriptSigs and witnesses must
 * be empty (KB_EINVAL otherwise). tx is copied.
 */
enum kb_rc wallet_psbt_from_tx(struct wallet_psbt *p, const struct wallet_tx *tx) KB_WUR;

/* Record access. The map functions copy their arguments. */
const struct wallet_psbt_kv *wallet_psbt_map_get(const struct wallet_psbt_map *m,
                                                 const uint8_t *key, size_t keylen);
/* The first record of a type with no key data (e.g. PSBT_IN_WITNESS_UTXO). */
const struct wallet_psbt_kv *wallet_psbt_map_get_type(const struct wallet_psbt_map *m, uint8_t type);
/* Inserts (in key order) or replaces. */
void wallet_psbt_map_set(struct wallet_psbt_map *m, const uint8_t *key, size_t keylen,
                         const uint8_t *val, size_t vallen);
/* Removes every record whose type is type. */
void wallet_psbt_map_del_type(struct wallet_psbt_map *m, uint8_t type);
/* The type of a record (its key's first byte, or its CompactSize). */
uint64_t wallet_psbt_kv_type(const struct wallet_psbt_kv *kv);

/*
 * The output input i spends, from its witness UTXO or its non-witness UTXO
 * (which then must match the outpoint). When both are present they must
 * agree (the BIP143 fee attack: a lying witness UTXO). *value is set and
 * spk is reset to the script. KB_ENOTFOUND when neither is present,
 * KB_EPARSE when they disagree or are malformed (value 0, spk empty).
 */
enum kb_rc wallet_psbt_input_utxo(const struct wallet_psbt *p, size_t i, int64_t *value,
                                  struct buf *spk) KB_WUR;
/* Decodes a BIP32 derivation value (fingerprint + path). */
bool wallet_psbt_keypath_parse(struct wallet_keypath *kp, const uint8_t *val, size_t len);
void wallet_psbt_keypath_serialize(const struct wallet_keypath *kp, struct buf *out);
/* True when input i has a final scriptSig or final witness. */
bool wallet_psbt_input_final(const struct wallet_psbt *p, size_t i);

/*
 * Combiner: merges every record of src into dst (records dst already has
 * are kept). Both must have the same unsigned transaction (KB_EINVAL).
 */
enum kb_rc wallet_psbt_combine(struct wallet_psbt *dst, const struct wallet_psbt *src,
                               char *err, size_t errlen) KB_WUR;
/*
 * Finalizer for single-key inputs: P2PKH, P2WPKH, P2SH-P2WPKH (from a
 * partial signature whose key hashes to the script) and P2TR key path (from
 * the taproot key signature). Finalized inputs keep only their UTXO, final
 * and unknown records. Returns KB_OK when every input is final, KB_EAGAIN
 * when some could not be finalized yet (the others are).
 */
enum kb_rc wallet_psbt_finalize(struct wallet_psbt *p) KB_WUR;
/* Extractor: the network transaction of a fully finalized v0 PSBT. */
enum kb_rc wallet_psbt_extract(const struct wallet_psbt *p, struct wallet_tx *tx,
                               char *err, size_t errlen) KB_WUR;
/* Fee (inputs - outputs), when every input's UTXO is known. */
enum kb_rc wallet_psbt_fee(const struct wallet_psbt *p, int64_t *fee) KB_WUR;

/* Strict DER + defined hash type: Core's DERSIG|STRICTENC signature check. */
bool wallet_psbt_sig_encoding_ok(const uint8_t *sig, size_t len);

#endif
