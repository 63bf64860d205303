/*
 * Signature hashes: the message a signature in an input commits to.
 *
 *   - legacy (pre-segwit, SIGVERSION_BASE): Bitcoin Core's SignatureHash
 *     with its CTransactionSignatureSerializer, byte for byte, including
 *     the SIGHASH_SINGLE bug (an input index at or past the number of
 *     outputs hashes to the number 1) and the scriptCode written with its
 *     OP_CODESEPARATORs left out. FindAndDelete of the signature is the
 *     script interpreter's job, not this one's: pass the scriptCode as the
 *     interpreter would.
 *   - segwit v0 (BIP143), every hash type.
 *   - taproot (BIP341 SigMsg / TapSighash), key path and, with a leaf hash,
 *     the BIP342 script-path extension; annex optional. It needs every
 *     spent output (amount and scriptPubKey) of the transaction.
 *   - the BIP341 tree hashes (TapLeaf, TapBranch, TapTweak) used to derive
 *     taproot output keys.
 *
 * All hashes are in internal byte order (reverse for display). Nothing
 * here touches secrets. The functions keep no state and allocate only
 * temporary memory, so they may be called from a loop callback.
 */
#ifndef KOBAN_WALLET_SIGHASH_H
#define KOBAN_WALLET_SIGHASH_H

#include "wallet/buf.h"
#include "wallet/hash.h"
#include "wallet/rc.h"
#include "wallet/tx.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WALLET_SIGHASH_DEFAULT 0x00      /* taproot only: ALL, 64-byte signature */
#define WALLET_SIGHASH_ALL 0x01
#define WALLET_SIGHASH_NONE 0x02
#define WALLET_SIGHASH_SINGLE 0x03
#define WALLET_SIGHASH_ANYONECANPAY 0x80

/* BIP342 leaf version of tapscript. */
#define WALLET_TAPLEAF_TAPSCRIPT 0xc0
/* codesep_pos when no OP_CODESEPARATOR was executed (BIP342). */
#define WALLET_SIGHASH_NO_CODESEP 0xffffffffu

/*
 * Hashes over the whole transaction that every input's segwit/taproot
 * signature hash shares; computing them once keeps signing n inputs at
 * O(n). Single SHA-256 (BIP341); BIP143 uses SHA-256 of these again.
 */
struct wallet_sighash_cache {
	struct hash256 prevouts;   /* sha_prevouts */
	struct hash256 sequences;  /* sha_sequences */
	struct hash256 outputs;    /* sha_outputs */
	struct hash256 amounts;    /* sha_amounts (taproot; only if have_spent) */
	struct hash256 spks;       /* sha_scriptpubkeys (taproot; only if have_spent) */
	bool have_spent;
};

/*
 * Fills cache for tx. spent (borrowed; may be NULL) is the outputs the
 * inputs spend, in input order; spent_count must equal tx->in_count for
 * the taproot hashes to be filled (have_spent), otherwise they are left
 * zero. The cache is valid while tx and spent are not changed.
 */
void wallet_sighash_cache_init(struct wallet_sighash_cache *cache, const struct wallet_tx *tx,
                               const struct wallet_txout *spent, size_t spent_count);

/*
 * Legacy signature hash of input in_index for script_code (the scriptCode
 * the interpreter would use; OP_CODESEPARATORs are dropped here) and
 * hash_type (the full 32-bit value a signature's last byte would be
 * widened to; sighash.json uses arbitrary values).
 * KB_EINVAL if in_index is not an input. With SIGHASH_SINGLE and
 * in_index >= out_count the result is KB_OK and the hash is the number 1
 * (01 00 .. 00), as in consensus; a signer must refuse to sign that.
 * On failure *out is zeroed.
 */
enum kb_rc wallet_sighash_legacy(struct hash256 *out, const struct wallet_tx *tx, size_t in_index,
                                 const uint8_t *script_code, size_t script_len,
                                 int32_t hash_type) KB_WUR;

/*
 * BIP143 preimage (appended to preimage) and its sha256d (*out) for input
 * in_index spending amount with script_code (without its length prefix:
 * for P2WPKH the P2PKH script of the key hash, for P2WSH the witness
 * script from the last executed OP_CODESEPARATOR on). hash_type is the
 * 32-bit value written at the end. cache may be NULL (computed here).
 * KB_EINVAL if in_index is not an input; *out zeroed and nothing appended.
 */
enum kb_rc wallet_sighash_segwit_v0_preimage(struct buf *preimage, const struct wallet_tx *tx,
                                             const struct wallet_sighash_cache *cache,
                                             size_t in_index, const uint8_t *script_code,
                                             size_t script_len, int64_t amount,
                                             uint32_t hash_type) KB_WUR;
enum kb_rc wallet_sighash_segwit_v0(struct hash256 *out, const struct wallet_tx *tx,
                                    const struct wallet_sighash_cache *cache, size_t in_index,
                                    const uint8_t *script_code, size_t script_len,
                                    int64_t amount, uint32_t hash_type) KB_WUR;

/* Options of a taproot signature hash beyond the key path. */
struct wallet_sighash_taproot_ext {
	const uint8_t *annex;           /* borrowed; NULL: none. Must start 0x50 */
	size_t annex_len;
	const struct hash256 *leaf_hash; /* borrowed; NULL: key path */
	uint32_t codesep_pos;           /* script path: WALLET_SIGHASH_NO_CODESEP if none */
};

/*
 * The BIP341 message: the 0x00 epoch then SigMsg (appended to msg; the
 * form the BIP's wallet vectors print as "sigMsg"), and its TapSighash
 * (*out) for input in_index. spent (borrowed)
 * holds every spent output in input order (spent_count == tx->in_count).
 * hash_type must be one of 0x00, 0x01, 0x02, 0x03, 0x81, 0x82, 0x83.
 * cache may be NULL, else it must have have_spent. ext may be NULL (key
 * path, no annex).
 * KB_EINVAL: in_index not an input, spent_count wrong, a hash type not
 * allowed, SIGHASH_SINGLE without a matching output, an annex not starting
 * with 0x50, a cache without the spent hashes. On failure *out is zeroed
 * and nothing is appended.
 */
enum kb_rc wallet_sighash_taproot_msg(struct buf *msg, const struct wallet_tx *tx,
                                      const struct wallet_sighash_cache *cache,
                                      size_t in_index, const struct wallet_txout *spent,
                                      size_t spent_count, uint8_t hash_type,
                                      const struct wallet_sighash_taproot_ext *ext) KB_WUR;
enum kb_rc wallet_sighash_taproot(struct hash256 *out, const struct wallet_tx *tx,
                                  const struct wallet_sighash_cache *cache, size_t in_index,
                                  const struct wallet_txout *spent, size_t spent_count,
                                  uint8_t hash_type,
                                  const struct wallet_sighash_taproot_ext *ext) KB_WUR;

/* True for the hash types BIP341 allows. */
bool wallet_sighash_taproot_type_valid(uint8_t hash_type);

/* TapLeaf hash: tagged("TapLeaf", leaf_version || CompactSize(len) || script). */
void wallet_sighash_tapleaf(struct hash256 *out, uint8_t leaf_version,
                            const uint8_t *script, size_t len);
/* TapBranch hash of two children, in lexicographic order. */
void wallet_sighash_tapbranch(struct hash256 *out, const struct hash256 *a,
                              const struct hash256 *b);
/* TapTweak: tagged("TapTweak", internal_xonly || merkle_root); merkle_root
 * NULL for a key-only output (BIP86). */
void wallet_sighash_taptweak(struct hash256 *out, const uint8_t internal_xonly[32],
                             const struct hash256 *merkle_root);

#endif
