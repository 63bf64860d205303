/*
 * Wallet sync: where the wallet (wallet/wallet_sync.h) and the node
 * (spv/node.h) meet. BIP37 filtered blocks, mempool relay, reorgs and our
 * own broadcasts, all on the node's loop.
 *
 * Scan. The wallet's scan point (wallet_store_sync_get) is the last block
 * fully recorded; blocks above it up to the header tip are asked for with
 * getdata MSG_FILTERED_BLOCK in batches spread over the ready peers that
 * offer NODE_BLOOM with protocol >= 70011, each batch followed by a ping.
 * A merkleblock is checked strictly (its hash is the requested block's,
 * still on the best chain; the partial merkle tree with spv/merkle.h);
 * a peer that fails is banned. Every transaction a proof matches must
 * arrive before the batch's pong, or the block is asked again from another
 * peer and the peer is dropped; a block is never complete while one is
 * missing. Complete blocks are recorded strictly in height order, each in
 * one store transaction with its scan point, so a restart resumes without
 * losing or duplicating anything.
 *
 * Filter. Built from the wallet (every look-ahead script, the outpoints of
 * wallet_sync_filter_outpoints) with the wallet's tweak and fp-rate
 * setting, BLOOM_UPDATE_NONE, loaded on every Bloom peer. When a recorded
 * block changes what the filter is built from (the look-ahead moved, a
 * coin appeared), the filter is reloaded on every peer and that block and
 * everything after it is asked for again. Matches the filter does not
 * explain count toward a peer's suspicion (spv/bloom.h); a suspicious peer
 * is dropped. The node must be started with relay = false (spv/node.h), so
 * that a peer sends no transaction before the first filter: everything a
 * peer sends under its first filter is judged.
 *
 * Reorgs. The node's chain_changed with a fork below the old tip: the
 * wallet goes back to the fork at once (wallet_sync_reorg), blocks in
 * flight above it are forgotten, and the scan resumes from the fork.
 *
 * Broadcast. A transaction is announced (inv MSG_TX) to every ready peer
 * and served on getdata. It counts as accepted when a peer announces it
 * back or a block includes it; a reject for it is reported; no acceptance
 * within the timeout is reported too. It is announced again on every new
 * peer and every new block until it confirms.
 *
 * Everything runs on the loop's thread; nothing here blocks.
 */
#ifndef KOBAN_SPV_WSYNC_H
#define KOBAN_SPV_WSYNC_H

#include "spv/loop.h"
#include "spv/node.h"
#include "wallet/hash.h"
#include "wallet/rc.h"
#include "wallet/wallet.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spv_wsync;

#define SPV_WSYNC_BATCH_DEFAULT 64        /* blocks per getdata */
#define SPV_WSYNC_BATCH_MAX 500
#define SPV_WSYNC_MIN_PROTOCOL 70011      /* NODE_BLOOM is signalled from here on */
#define SPV_WSYNC_ACCEPT_TIMEOUT_MS 30000

struct spv_wsync_opts {
	struct spv_node *node;    /* borrowed; its hooks are taken over (next gets them too) */
	struct wallet *wallet;    /* borrowed */
	struct spv_loop *loop;    /* borrowed: the node's loop */
	size_t batch;             /* 0: SPV_WSYNC_BATCH_DEFAULT */
	double fp_rate;           /* 0: the wallet's setting, else SPV_BLOOM_DEFAULT_FP_RATE */
	int64_t batch_timeout_ms; /* a batch's pong deadline; 0: 60 s */
	int64_t accept_timeout_ms;/* 0: SPV_WSYNC_ACCEPT_TIMEOUT_MS */
	/* Synced also waits this long after a peer's filter is loaded: some
	 * peers (bcoin: every 5 s) batch the invs answering `mempool` after
	 * the pong that otherwise marks the end of the answer. 0: no wait. */
	int64_t mempool_grace_ms;
	/* Hooks of the caller, still called (after wsync's own handling). */
	const struct spv_node_hooks *next;
	void *next_arg;
};

/*
 * Creates the sync engine and installs its hooks on the node. Reads the
 * wallet's scan point and builds the first filter. On failure *out is NULL
 * and err says why. Caller frees with spv_wsync_free (before the node).
 */
enum kb_rc spv_wsync_new(struct spv_wsync **out, const struct spv_wsync_opts *o, char *err,
                         size_t errlen) KB_WUR;
/* Removes the hooks (restoring next's) and frees. NULL is a no-op. */
void spv_wsync_free(struct spv_wsync *s);

struct spv_wsync_status {
	int64_t scanned_height;     /* the wallet's scan point; -1 none */
	uint32_t tip_height;        /* the header chain's tip */
	size_t blocks_in_flight;
	size_t bloom_peers;         /* ready peers serving filtered blocks */
	bool synced;                /* headers synced and every block up to the tip recorded */
	uint64_t blocks_done, txs_found, filter_reloads;
	char why[200];              /* in words when not moving ("no peer offers Bloom filters ...") */
};
void spv_wsync_status(const struct spv_wsync *s, struct spv_wsync_status *st);
/* Shorthand for status.synced. */
bool spv_wsync_synced(const struct spv_wsync *s);

/* ---- broadcasting ---- */

enum spv_wsync_bc_state {
	SPV_WSYNC_BC_ANNOUNCED = 0, /* sent to peers, nobody has confirmed it yet */
	SPV_WSYNC_BC_ACCEPTED,      /* a peer announced it back, or it is in a block */
	SPV_WSYNC_BC_REJECTED,      /* a peer sent reject for it */
	SPV_WSYNC_BC_TIMEOUT,       /* not accepted within the timeout (still announced) */
	SPV_WSYNC_BC_CONFIRMED,     /* in a block on the best chain */
};
const char *spv_wsync_bc_state_str(enum spv_wsync_bc_state st);

/*
 * Broadcasts the signed transaction raw: records it in the wallet at once
 * (pending, inputs spent; relevant or not) and announces it to every ready
 * peer, now and on every new peer and block until it confirms. KB_EPARSE
 * for bytes that are not a transaction, KB_EINVAL for one that fails
 * wallet_tx_check, with err. *txid (optional) gets its id.
 */
enum kb_rc spv_wsync_broadcast(struct spv_wsync *s, const uint8_t *raw, size_t len,
                               struct hash256 *txid, char *err, size_t errlen) KB_WUR;
/*
 * The state of a broadcast; reason (optional, cap bytes) gets a reject's
 * reason. KB_ENOTFOUND for a txid never broadcast here.
 */
enum kb_rc spv_wsync_broadcast_state(const struct spv_wsync *s, const struct hash256 *txid,
                                     enum spv_wsync_bc_state *st, char *reason,
                                     size_t cap) KB_WUR;

#endif
