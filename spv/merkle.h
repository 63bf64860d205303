/*
 * Partial merkle trees: the proof inside a BIP37 merkleblock (and the
 * output of Core's gettxoutproof), checked strictly, and built.
 *
 * The tree over a block's T transactions has height H, the least with
 * ceil(T / 2^H) == 1; a level with an odd number of nodes pairs its last
 * node with itself. The proof walks the tree depth first: every node
 * visited takes one flag bit (LSB first in each byte: "a match is below
 * here"); a node whose bit is 0, or a leaf, takes the next hash (a leaf
 * with bit 1 is a matched txid); a node whose bit is 1 descends into its
 * children. This is Core's CPartialMerkleTree (merkleblock.cpp).
 *
 * spv_merkle_verify is at least as strict as Core's ExtractMatches, and
 * stricter where Core is loose:
 *   - 0 < T <= SPV_MERKLE_MAX_TXS (Core: MAX_BLOCK_WEIGHT /
 *     MIN_TRANSACTION_WEIGHT = 4,000,000 / 240 = 16,666: no valid block
 *     holds more transactions);
 *   - no more hashes than T;
 *   - the walk never runs out of flag bits or hashes;
 *   - a node with two real children whose hashes are equal is refused
 *     (CVE-2012-2459: a block whose transaction list repeats its last
 *     transactions has the same merkle root as the real one; only a lone
 *     last node may be paired with itself);
 *   - every hash is used, the flag bytes are exactly ceil(bits used / 8)
 *     and the padding bits after the last used one are zero (Core lets
 *     padding bits be anything; Core's own builder writes zeros);
 *   - the root equals the merkle root of the 80-byte header.
 * Each failure has its own enum spv_merkle_err, so the peer layer can ban
 * with a reason. What a proof cannot show, the caller must: that the
 * header is on the best chain, and -- since an inner node is 64 bytes of
 * hashes -- that no matched transaction is 64 bytes long in its legacy
 * serialisation (SPV_MERKLE_AMBIGUOUS_TX_SIZE; such a transaction is
 * non-standard, and a "txid" that is really an inner node could otherwise
 * be passed off as a transaction).
 *
 * Everything here is pure and may be called from a loop callback.
 */
#ifndef KOBAN_SPV_MERKLE_H
#define KOBAN_SPV_MERKLE_H

#include "spv/msg.h"
#include "wallet/hash.h"
#include "wallet/rc.h"
#include "wallet/tx.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* MAX_BLOCK_WEIGHT / MIN_TRANSACTION_WEIGHT, as Core bounds it. */
#define SPV_MERKLE_MAX_TXS (4000000u / 240u)
/* A legacy transaction serialisation of this size is ambiguous with an
 * inner node of the tree; refuse such a matched transaction. */
#define SPV_MERKLE_AMBIGUOUS_TX_SIZE 64u

enum spv_merkle_err {
	SPV_MERKLE_OK = 0,
	SPV_MERKLE_ERR_NO_TXS,           /* transaction count 0 */
	SPV_MERKLE_ERR_TOO_MANY_TXS,     /* count above SPV_MERKLE_MAX_TXS */
	SPV_MERKLE_ERR_TOO_MANY_HASHES,  /* more hashes than transactions */
	SPV_MERKLE_ERR_FLAGS_SHORT,      /* the walk ran out of flag bits */
	SPV_MERKLE_ERR_HASHES_SHORT,     /* the walk ran out of hashes */
	SPV_MERKLE_ERR_DUPLICATE_BRANCH, /* equal siblings (CVE-2012-2459) */
	SPV_MERKLE_ERR_UNUSED_HASHES,    /* hashes left over after the walk */
	SPV_MERKLE_ERR_UNUSED_FLAG_BYTES,/* whole flag bytes left over */
	SPV_MERKLE_ERR_STRAY_BITS,       /* a padding bit of the last flag byte is set */
	SPV_MERKLE_ERR_ROOT_MISMATCH,    /* the root is not the header's */
};

/* A short English description; never NULL. */
const char *spv_merkle_err_str(enum spv_merkle_err err);

struct spv_merkle_match {
	uint32_t pos;        /* index of the transaction in its block */
	struct hash256 txid; /* internal byte order */
};

/* The matched transactions of a proof, in block order. */
struct spv_merkle_matches {
	size_t n;
	struct spv_merkle_match *v; /* owned; NULL when n == 0 */
};

/* Frees what m owns and zeroes it; safe on a zeroed value. */
void spv_merkle_matches_clear(struct spv_merkle_matches *m);

/*
 * Checks a partial merkle tree over total transactions -- hashes (n_hashes)
 * and flag bytes (n_flags) as the merkleblock carries them -- against root
 * (the header's merkle root). On SPV_MERKLE_OK *out holds the matched txids
 * with their positions (possibly none; the caller clears it); on any error
 * *out is zeroed with nothing allocated. out is written first, so it may be
 * uninitialised.
 */
enum spv_merkle_err spv_merkle_verify(struct spv_merkle_matches *out, const struct hash256 *root,
                                      uint32_t total, const struct hash256 *hashes,
                                      size_t n_hashes, const uint8_t *flags,
                                      size_t n_flags) KB_WUR;

/* The same for a parsed merkleblock, against the root in its own header. */
enum spv_merkle_err spv_merkle_verify_block(struct spv_merkle_matches *out,
                                            const struct spv_msg_merkleblock *mb) KB_WUR;

/* True when tx's legacy serialisation is SPV_MERKLE_AMBIGUOUS_TX_SIZE
 * bytes: refuse such a transaction as a proof's match. */
bool spv_merkle_tx_ambiguous(const struct wallet_tx *tx);

/*
 * The merkle root of n >= 1 txids (Core's ComputeMerkleRoot). *mutated
 * (optional) is set when some level pairs two equal real nodes: the list
 * is a CVE-2012-2459 mutation of a shorter one with the same root.
 */
void spv_merkle_root(struct hash256 *out, bool *mutated, const struct hash256 *txids, size_t n);

/*
 * Builds the merkleblock a full node would send (Core's CMerkleBlock from
 * a block and a match set): m becomes an SPV_MSG_MERKLEBLOCK with a copy of
 * header, total = n, the hashes and the flag bytes (padding bits zero).
 * txids are the block's n transaction ids in order, match[i] says whether
 * transaction i is matched. Nothing is checked about the txids (tests build
 * mutated proofs with it). KB_EINVAL for n == 0, KB_ELIMIT for n above
 * SPV_MERKLE_MAX_TXS; m is zeroed then. The caller spv_msg_clear()s m.
 */
enum kb_rc spv_merkle_build(struct spv_msg *m, const uint8_t header[80],
                            const struct hash256 *txids, const bool *match, size_t n) KB_WUR;

#endif
