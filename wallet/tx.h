/*
 * Bitcoin transactions: the in-memory form, parsing and serialisation.
 *
 * Both wire forms are read: the legacy one and the BIP144 extended one
 * (version, marker 0x00, flag 0x01, inputs, outputs, one witness stack
 * per input, locktime). Parsing follows Bitcoin Core's
 * UnserializeTransaction exactly:
 *   - after the version an input count of zero is taken as the marker and
 *     the next byte as the flag ("try extended first"); a zero flag means
 *     the transaction really has no inputs, and that byte was its (zero)
 *     output count;
 *   - a flag other than 0x01 is rejected ("unknown optional data");
 *   - flag 0x01 with every witness stack empty is rejected ("superfluous
 *     witness record").
 * Counts and lengths read off the wire are bounded by the bytes that
 * remain (at the smallest size an element can take) before anything is
 * allocated, and a transaction may take at most WALLET_TX_MAX_SIZE bytes.
 * CompactSize values must be minimal (as Core requires).
 *
 * Serialisation is deterministic: the witness form is written when any
 * input has a witness item, the legacy form otherwise, so a transaction
 * that parsed serialises back to the same bytes.
 *
 * Consensus checks beyond the encoding (amounts, duplicate inputs, ...)
 * are wallet_tx_check's; scripts are not evaluated here.
 */
#ifndef KOBAN_WALLET_TX_H
#define KOBAN_WALLET_TX_H

#include "wallet/buf.h"
#include "wallet/cursor.h"
#include "wallet/hash.h"
#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest serialised transaction we accept: a whole block's weight limit
 * (MAX_BLOCK_WEIGHT) in bytes; nothing valid can be larger. */
#define WALLET_TX_MAX_SIZE 4000000u
/* Smallest serialised input (36 outpoint + 1 script length + 4 sequence)
 * and output (8 value + 1 script length): used to bound counts. */
#define WALLET_TX_MIN_INPUT_SIZE 41u
#define WALLET_TX_MIN_OUTPUT_SIZE 9u
/* Core's MAX_MONEY (21 million BTC in satoshis), for wallet_tx_check. */
#define WALLET_TX_MAX_MONEY (21000000LL * 100000000LL)
#define WALLET_TX_SEQUENCE_FINAL 0xffffffffu

struct wallet_outpoint {
	struct hash256 txid; /* internal (wire) byte order */
	uint32_t n;
};

/* A byte string owned by the structure that holds it. */
struct wallet_bytes {
	uint8_t *p; /* owned (kb_malloc); NULL when len == 0 */
	size_t len;
};

struct wallet_txin {
	struct wallet_outpoint prevout;
	struct wallet_bytes script_sig;    /* owned */
	uint32_t sequence;
	struct wallet_bytes *witness;      /* owned array of owned items */
	size_t witness_count;
};

struct wallet_txout {
	int64_t value;                     /* satoshis */
	struct wallet_bytes script_pubkey; /* owned */
};

struct wallet_tx {
	int32_t version;
	struct wallet_txin *in;            /* owned array */
	size_t in_count;
	struct wallet_txout *out;          /* owned array */
	size_t out_count;
	uint32_t locktime;
};

/* An empty transaction (version 2, locktime 0, no inputs or outputs). */
void wallet_tx_init(struct wallet_tx *tx);
/* Frees everything tx owns and leaves it as after wallet_tx_init. */
void wallet_tx_clear(struct wallet_tx *tx);
/* A deep copy: dst (not initialised) becomes an independent copy of src;
 * caller clears dst with wallet_tx_clear. */
void wallet_tx_copy(struct wallet_tx *dst, const struct wallet_tx *src);

/*
 * Parses exactly len bytes as one transaction into tx (not initialised
 * beforehand; any old content is not freed). On success the caller owns
 * tx and clears it with wallet_tx_clear. On failure tx is empty (as after
 * wallet_tx_init): KB_EPARSE for malformed bytes or trailing data,
 * KB_ELIMIT when it is longer than WALLET_TX_MAX_SIZE.
 */
enum kb_rc wallet_tx_parse(struct wallet_tx *tx, const uint8_t *p, size_t len) KB_WUR;
/* The same, and on failure err (if given) says why, for a person. */
enum kb_rc wallet_tx_parse_err(struct wallet_tx *tx, const uint8_t *p, size_t len,
                               char *err, size_t errlen) KB_WUR;
/*
 * Reads one transaction from c (a block's transaction list, a P2P message)
 * and leaves c just after it; bytes after it are not the transaction's
 * concern. tx is not initialised beforehand. Allocation is bounded by the
 * bytes c holds. On failure (KB_EPARSE, or KB_ELIMIT for a well-formed
 * transaction over WALLET_TX_MAX_SIZE) c is failed (sticky) and tx is
 * empty. A failed cursor gives KB_EPARSE.
 */
enum kb_rc wallet_tx_parse_cursor(struct wallet_tx *tx, struct cursor *c) KB_WUR;

/* Appends the serialisation to out (cannot fail): with witnesses when
 * with_witness and the transaction has any, the legacy form otherwise.
 * A transaction with no inputs and some outputs has no unambiguous form
 * (Core cannot read it back either); it is written in the legacy form. */
void wallet_tx_serialize(const struct wallet_tx *tx, struct buf *out, bool with_witness);
/* Length of what wallet_tx_serialize would append. */
size_t wallet_tx_serialized_len(const struct wallet_tx *tx, bool with_witness);

/* True when any input has a witness item. */
bool wallet_tx_has_witness(const struct wallet_tx *tx);
/* sha256d of the legacy serialisation (internal byte order). */
void wallet_tx_txid(const struct wallet_tx *tx, struct hash256 *out);
/* sha256d of the witness serialisation (== txid without witnesses). */
void wallet_tx_wtxid(const struct wallet_tx *tx, struct hash256 *out);
/* BIP141 weight: legacy size * 3 + full size. */
size_t wallet_tx_weight(const struct wallet_tx *tx);
/* Virtual size: ceil(weight / 4). */
size_t wallet_tx_vsize(const struct wallet_tx *tx);
/* True for a coinbase: one input spending the null outpoint. */
bool wallet_tx_is_coinbase(const struct wallet_tx *tx);

/*
 * Bitcoin Core's CheckTransaction (context-free consensus rules): at least
 * one input and one output, legacy size * 4 within the block weight, each
 * value and the total in [0, MAX_MONEY], no duplicate inputs, a coinbase
 * scriptSig of 2..100 bytes, no null prevout in a non-coinbase. Returns
 * KB_OK or KB_ECONSENSUS; if err is given it names the rule (Core's reject
 * reason, e.g. "bad-txns-vout-negative").
 */
enum kb_rc wallet_tx_check(const struct wallet_tx *tx, char *err, size_t errlen) KB_WUR;

/*
 * Building. The add functions copy their byte arguments (the caller keeps
 * its own); script/spk may be NULL when the length is 0. They return the
 * index of the new element.
 */
size_t wallet_tx_add_input(struct wallet_tx *tx, const struct wallet_outpoint *prevout,
                           const uint8_t *script_sig, size_t script_sig_len,
                           uint32_t sequence);
size_t wallet_tx_add_output(struct wallet_tx *tx, int64_t value,
                            const uint8_t *spk, size_t spk_len);
/* Replaces input i's scriptSig with a copy of the given bytes (i must be
 * in range: asserted). */
void wallet_tx_set_script_sig(struct wallet_tx *tx, size_t i, const uint8_t *script, size_t len);
/* Replaces input i's witness stack with copies of count items; count 0
 * empties it. items[k] may be NULL when lens[k] is 0. */
void wallet_tx_set_witness(struct wallet_tx *tx, size_t i, const uint8_t *const *items,
                           const size_t *lens, size_t count);

/* The outpoint and the one output serialisations (36 and 8+var+len
 * bytes), which the signature hashes reuse. */
void wallet_tx_serialize_outpoint(const struct wallet_outpoint *op, struct buf *out);
void wallet_tx_serialize_output(const struct wallet_txout *o, struct buf *out);

#endif
