/*
 * BIP37 Bloom filters: MurmurHash3, the filter, the matching rules a full
 * node applies, and koban's policy for building its own filter.
 *
 * The filter is exactly Bitcoin Core's CBloomFilter (src/common/bloom.cpp):
 *   - hash function i of n is MurmurHash3 (x86_32) with seed
 *     i * 0xFBA4C795 + nTweak, taken modulo the filter's size in bits; bit
 *     b lives in byte b >> 3 at (1 << (b & 7));
 *   - from an element count N and a false-positive rate P:
 *       bits  = (unsigned)(-1 / ln(2)^2 * N * ln(P)), capped at 36000 * 8,
 *       bytes = bits / 8,
 *       funcs = (unsigned)((bytes * 8 / N) * ln(2)), capped at 50
 *     (bytes * 8 / N is an integer division, as in Core);
 *   - the filterload payload is varint(len) data, nHashFuncs (u32le),
 *     nTweak (u32le), nFlags (u8).
 * spv_bloom_relevant_update is Core's IsRelevantAndUpdate: the txid, then
 * each data push of each output script (on the first push that matches,
 * BLOOM_UPDATE_ALL inserts that outpoint, BLOOM_UPDATE_P2PUBKEY_ONLY only
 * when the output is pay-to-pubkey or bare multisig), and only when none of
 * those matched: each input's outpoint and each data push of its
 * scriptSig. Witness data is never looked at (Core does not either), which
 * is why a wallet must put its own outpoints in the filter to see spends
 * from segwit outputs.
 *
 * koban is stricter than Core about what it will build or accept: a filter
 * always has 1..36000 bytes, 1..50 hash functions and flags 0, 1 or 2. (Core
 * accepts an empty filter, which then matches everything, and 0 hash
 * functions, which also match everything; neither is ever useful to a
 * wallet, and koban never sends them.)
 *
 * Policy (issue 5). koban's filter holds, for every wallet scriptPubKey in
 * the look-ahead window, the script's one data push -- the 20-byte key or
 * script hash (P2PKH, P2SH), the witness program (P2WPKH, P2WSH) or the
 * 32-byte output key (P2TR); the public key of a P2PK output only when the
 * wallet really has one -- and the 36-byte serialised outpoint of every
 * unspent or pending wallet coin, so that a spend that pays nothing back to
 * the wallet still matches. The tweak is random per wallet and kept in the
 * database, so every peer gets the same filter and successive filters of
 * the same wallet have the same shape whenever possible: the element count
 * is rounded up to a bucket (spv_bloom_bucket), so the filter's size and
 * hash count change only when the wallet grows by about an eighth. That
 * matters because two filters of different shape over the same elements
 * can be intersected: what matches both has a false-positive rate of about
 * P squared, and the privacy the rate bought is gone.
 * The update flag the policy uses is BLOOM_UPDATE_NONE: the peer's filter
 * then stays exactly the filter koban sent, so the filter does not fill up
 * with false-positive outpoints over a long sync, and a transaction that
 * the filter does not match is provably not one the peer should have sent
 * (spv_bloom_classify). New wallet outpoints are covered by reloading the
 * filter and asking again for the blocks affected (the sync's job).
 *
 * Everything here is pure (no I/O, no globals) and may be called from a
 * loop callback.
 */
#ifndef KOBAN_SPV_BLOOM_H
#define KOBAN_SPV_BLOOM_H

#include "spv/msg.h"
#include "wallet/buf.h"
#include "wallet/hash.h"
#include "wallet/rc.h"
#include "wallet/tx.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPV_BLOOM_MAX_SIZE 36000u /* MAX_BLOOM_FILTER_SIZE, bytes */
#define SPV_BLOOM_MAX_FUNCS 50u   /* MAX_HASH_FUNCS */

/* nFlags: the two low bits say how a matching output updates the filter. */
#define SPV_BLOOM_UPDATE_NONE 0u
#define SPV_BLOOM_UPDATE_ALL 1u
#define SPV_BLOOM_UPDATE_P2PUBKEY_ONLY 2u
#define SPV_BLOOM_UPDATE_MASK 3u

/* The policy's default false-positive rate: well above bitcoinj's 0.00001,
 * a trade of some bandwidth (about one false match per 2000 items a peer
 * tests) for privacy. */
#define SPV_BLOOM_DEFAULT_FP_RATE 0.0005

/* MurmurHash3 x86_32 of p[0..n) with the given seed. */
uint32_t spv_bloom_murmur3(uint32_t seed, const uint8_t *p, size_t n);

/*
 * A filter: a value type (copy it with =). Valid filters come from
 * spv_bloom_init, spv_bloom_parse, spv_bloom_from_msg or spv_bloom_build:
 * 1 <= len <= SPV_BLOOM_MAX_SIZE, 1 <= hash_funcs <= SPV_BLOOM_MAX_FUNCS,
 * flags <= 2. (On a zeroed filter -- len 0 -- insert does nothing and
 * every query matches, as Core's match-all filter.)
 */
struct spv_bloom {
	size_t len;
	uint32_t hash_funcs;
	uint32_t tweak;
	uint8_t flags;
	uint8_t data[SPV_BLOOM_MAX_SIZE];
};

/*
 * An empty filter sized for n_elements at fp_rate, by Core's formulas.
 * KB_EINVAL when n_elements is 0, fp_rate is not in (0, 1) or flags is
 * above 2; KB_ELIMIT when the formulas give an empty filter or no hash
 * function (a rate too close to 1, or more elements than 36000 bytes can
 * hold at any useful rate): such a filter would match everything. On
 * failure *f is zeroed.
 */
enum kb_rc spv_bloom_init(struct spv_bloom *f, uint32_t n_elements, double fp_rate,
                          uint32_t tweak, uint8_t flags) KB_WUR;

void spv_bloom_insert(struct spv_bloom *f, const uint8_t *p, size_t n);
bool spv_bloom_contains(const struct spv_bloom *f, const uint8_t *p, size_t n);
/* The outpoint as Core serialises it: txid (internal order) || u32le n. */
void spv_bloom_insert_outpoint(struct spv_bloom *f, const struct wallet_outpoint *op);
bool spv_bloom_contains_outpoint(const struct spv_bloom *f, const struct wallet_outpoint *op);

/*
 * Core's IsRelevantAndUpdate (see the top of this file): true when tx
 * matches f; with the update flags, f gains the outpoints of the matching
 * outputs. txid is tx's txid, or NULL to have it computed.
 */
bool spv_bloom_relevant_update(struct spv_bloom *f, const struct wallet_tx *tx,
                               const struct hash256 *txid);

/* The filterload payload (appended to b). f must be valid (asserted). */
void spv_bloom_serialize(const struct spv_bloom *f, struct buf *b);
/*
 * Parses exactly n bytes of a filterload payload. KB_EPARSE for malformed
 * or trailing bytes, an empty filter, 0 hash functions or flags above 2;
 * KB_ELIMIT for more than 36000 bytes or more than 50 hash functions.
 * *f is zeroed on failure.
 */
enum kb_rc spv_bloom_parse(struct spv_bloom *f, const uint8_t *p, size_t n) KB_WUR;
/* The filterload message for f (m->type = SPV_MSG_FILTERLOAD). */
void spv_bloom_to_msg(const struct spv_bloom *f, struct spv_msg *m);
/* A filter from a parsed filterload, checked as spv_bloom_parse does. */
enum kb_rc spv_bloom_from_msg(struct spv_bloom *f, const struct spv_msg_filterload *fl) KB_WUR;

/*
 * The false-positive rate of f as it is: (bits set / bits)^hash_funcs, the
 * chance that an item not inserted matches. 1.0 for a zeroed filter.
 */
double spv_bloom_fp_rate(const struct spv_bloom *f);

/* ---- policy: the wallet's elements and its filter ------------------------ */

/* The longest element: an uncompressed public key. */
#define SPV_BLOOM_ELEM_MAX 65u

enum spv_bloom_elem_kind {
	SPV_BLOOM_ELEM_DATA = 0, /* a script data push (hash, program, key) */
	SPV_BLOOM_ELEM_OUTPOINT, /* a 36-byte serialised outpoint */
};

struct spv_bloom_elem {
	uint8_t kind; /* enum spv_bloom_elem_kind */
	uint8_t len;
	uint8_t b[SPV_BLOOM_ELEM_MAX];
};

/*
 * The set of the wallet's elements: added in any order, kept unique.
 * Embedded: spv_bloom_elems_init / spv_bloom_elems_clear.
 */
struct spv_bloom_elems {
	struct spv_bloom_elem *v; /* owned, n used of cap */
	size_t n, cap;
	bool sorted;
};

void spv_bloom_elems_init(struct spv_bloom_elems *e);
void spv_bloom_elems_clear(struct spv_bloom_elems *e);
/* A data element of 1..SPV_BLOOM_ELEM_MAX bytes (KB_EINVAL otherwise).
 * Adding one already present does nothing. */
enum kb_rc spv_bloom_elems_add_data(struct spv_bloom_elems *e, const uint8_t *p, size_t n) KB_WUR;
/* An outpoint of an unspent or pending wallet coin. */
void spv_bloom_elems_add_outpoint(struct spv_bloom_elems *e, const struct wallet_outpoint *op);
/*
 * The policy element of a wallet scriptPubKey: the hash of P2PKH and P2SH,
 * the program of P2WPKH and P2WSH, the output key of P2TR, the public key
 * of P2PK. KB_EUNSUPPORTED for any other script (multisig, OP_RETURN,
 * unknown witness versions, nonstandard): nothing is added.
 */
enum kb_rc spv_bloom_elems_add_script(struct spv_bloom_elems *e, const uint8_t *spk, size_t n) KB_WUR;
/* Number of distinct elements. */
size_t spv_bloom_elems_count(struct spv_bloom_elems *e);
bool spv_bloom_elems_has(struct spv_bloom_elems *e, enum spv_bloom_elem_kind kind,
                         const uint8_t *p, size_t n);

/*
 * The element count a filter is sized for: n rounded up to the next value
 * of the form m * 2^k with 8 <= m <= 15 (8, 9, ..., 15, 16, 18, ..., 30,
 * 32, 36, ...). Successive buckets differ by at most 1/8, so the filter's
 * shape changes only when the wallet grows by up to an eighth, and an
 * under-filled filter's false-positive rate stays within a factor of about
 * three of the target. Values below 8 give 8; the result never exceeds
 * UINT32_MAX (n is clamped).
 */
uint32_t spv_bloom_bucket(size_t n);

/*
 * koban's filter: sized by spv_bloom_init(bucket(count), fp_rate, tweak,
 * flags), then every element inserted. fp_rate 0 means
 * SPV_BLOOM_DEFAULT_FP_RATE; flags should be SPV_BLOOM_UPDATE_NONE (see
 * the top of this file). The tweak is the wallet's own random value.
 * An empty element set still gives a filter (sized for 8). Errors as
 * spv_bloom_init; KB_ELIMIT also when the elements are so many that the
 * 36000-byte cap leaves a real false-positive rate above 10 * fp_rate
 * (the filter would not do its job: split the wallet or raise the rate).
 * On failure *f is zeroed.
 */
enum kb_rc spv_bloom_build(struct spv_bloom *f, struct spv_bloom_elems *e, double fp_rate,
                           uint32_t tweak, uint8_t flags) KB_WUR;

/* ---- policy: are a peer's matches honest? -------------------------------- */

enum spv_bloom_match {
	/* A wallet element is in the transaction: the txid, a data push of an
	 * output script or scriptSig, or an outpoint an input spends. */
	SPV_BLOOM_MATCH_EXPLAINED = 0,
	/* The filter matches it but no element explains it: a false positive,
	 * expected at about fp_rate per item a peer tests. */
	SPV_BLOOM_MATCH_FALSE_POSITIVE,
	/* The filter does not match it at all: a peer using the filter koban
	 * loaded (with BLOOM_UPDATE_NONE) could not have selected it. */
	SPV_BLOOM_MATCH_NONE,
};

const char *spv_bloom_match_str(enum spv_bloom_match m);

/* True when an element of e explains tx (see SPV_BLOOM_MATCH_EXPLAINED). */
bool spv_bloom_explains(struct spv_bloom_elems *e, const struct wallet_tx *tx,
                        const struct hash256 *txid);

/*
 * Classifies a transaction a peer sent as matching the filter f (the
 * filter loaded on that peer; it is not updated here). txid may be NULL.
 */
enum spv_bloom_match spv_bloom_classify(const struct spv_bloom *f, struct spv_bloom_elems *e,
                                        const struct wallet_tx *tx,
                                        const struct hash256 *txid);

/*
 * Items a full node tests per transaction, on average: the txid, each
 * non-empty push of each output script, and per input its outpoint and
 * each non-empty scriptSig push. Measured on real blocks: 8.1 (831332, in
 * 2024), 11.2 (830000), 13.0 (300025, in 2014), 13.3 (413567, in 2016),
 * 16.1 (482683, 12 transactions). 16 is at or above all of them; blocks
 * full of many-input legacy transactions can go higher, which is what the
 * slack below is for.
 */
#define SPV_BLOOM_ITEMS_PER_TX 16u
/* The suspicion rule's significance level, slack on its mean, and floor. */
#define SPV_BLOOM_SUSPICION_ALPHA 1e-6
#define SPV_BLOOM_SUSPICION_SLACK 2.0
#define SPV_BLOOM_SUSPICION_MIN 8u

/*
 * A per-peer account of the matches a peer sent inside filtered blocks.
 *
 * Statistics: each of the T items a peer tests against a filter with
 * false-positive rate p matches by chance with probability p,
 * independently, so the number of false-positive transactions in blocks
 * holding N transactions in all is at most Binomial(T, p) with
 * T = N * SPV_BLOOM_ITEMS_PER_TX, which is close to Poisson(lambda),
 * lambda = p * T (p is small). The counter adds lambda block by block and
 * counts the unexplained transactions X. The peer is suspicious when
 *   - it sent any transaction the filter does not match (MATCH_NONE), or
 *   - X >= SPV_BLOOM_SUSPICION_MIN and P(Poisson(SLACK * lambda) >= X) <
 *     SPV_BLOOM_SUSPICION_ALPHA: X is far above even twice the expected
 *     count, at one in a million. The slack covers an item count per
 *     transaction above the estimate (old blocks of many-input
 *     transactions), so an honest peer is practically never flagged over
 *     a whole sync; a peer that sends several times the expected number
 *     is, after a few dozen such transactions (with lambda 2.4, a floor of
 *     about 20; over a long sync, a few percent above 2 * lambda).
 * Mempool transactions are not counted in X (there is no count of the
 * transactions the peer tested to compare with); a MATCH_NONE one still
 * counts.
 */
struct spv_bloom_suspicion {
	double lambda;          /* expected false positives so far */
	uint32_t unexplained;   /* X: MATCH_FALSE_POSITIVE in blocks */
	uint32_t unmatched;     /* MATCH_NONE, anywhere */
	uint32_t explained;
	uint64_t block_txs;     /* N: transactions in the blocks counted */
};

void spv_bloom_suspicion_init(struct spv_bloom_suspicion *s);
/* A filtered block of total_txs transactions came from the peer, under a
 * filter whose rate is fp_rate (spv_bloom_fp_rate of the loaded filter). */
void spv_bloom_suspicion_add_block(struct spv_bloom_suspicion *s, uint32_t total_txs,
                                   double fp_rate);
/* A matched transaction from the peer, classified; in_block says whether
 * it came with a merkleblock (false: mempool relay). */
void spv_bloom_suspicion_add_tx(struct spv_bloom_suspicion *s, enum spv_bloom_match m,
                                bool in_block);
/* P(Poisson(lambda) >= k), the tail the rule uses, for k above lambda; 1.0
 * when k <= lambda (at or below the mean is never evidence). 0.0 when
 * lambda is 0 and k > 0. Exposed for tests. */
double spv_bloom_poisson_tail(double lambda, uint32_t k);
/* The rule above. */
bool spv_bloom_suspicion_is_suspicious(const struct spv_bloom_suspicion *s);

#endif
