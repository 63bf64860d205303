/*
 * The wallet side of chain sync (issue 5): what the SPV sync engine
 * (spv/wsync.h) asks of the wallet, with no network here.
 *
 * - The Bloom filter's outpoints: every wallet coin not spent by a
 *   confirmed transaction, and every outpoint a pending wallet
 *   transaction spends (ours or not), so that a spend paying nothing back
 *   to the wallet, and a double spend of an incoming payment, still match.
 *   (The scripts are wallet_addresses() of both chains: the look-ahead.)
 * - A block's transactions: wallet_sync_block_begin / _tx / _end record
 *   them and the block as scanned in one store transaction, so a restart
 *   resumes after the last complete block without losing or duplicating
 *   anything.
 * - Conflicts: a transaction an input of which is spent by another
 *   CONFIRMED transaction is CONFLICTED (and so is everything spending its
 *   outputs) and leaves the balance; when that confirmation is undone by a
 *   reorganisation it goes back to PENDING.
 * - Reorganisations: wallet_sync_reorg(fork_height) puts every
 *   transaction of a disconnected block back to PENDING at once and the
 *   scan point back to the fork.
 * - Replace-by-fee (BIP125): wallet_sync_bump builds the replacement of an
 *   own pending transaction; wallet_sync_mark_replaced records it.
 *
 * None of these may be called while another store transaction of the
 * caller is open, except inside block_begin .. block_end where _tx is.
 */
#ifndef KOBAN_WALLET_WALLET_SYNC_H
#define KOBAN_WALLET_WALLET_SYNC_H

#include "wallet/psbt.h"
#include "wallet/rc.h"
#include "wallet/tx.h"
#include "wallet/wallet.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* BIP125 rule 4 and Core's default: 1 sat/vB, in sat per 1000 vB. */
#define WALLET_SYNC_INCREMENTAL_RELAY 1000

/*
 * The outpoints the Bloom filter must hold (see above), deduplicated.
 * *out is a kb_malloc'd array of *n (caller kb_free()s; NULL when none).
 */
enum kb_rc wallet_sync_filter_outpoints(struct wallet *w, struct wallet_outpoint **out,
                                        size_t *n) KB_WUR;

/*
 * A cheap fingerprint of what the filter is built from (address count and
 * outpoint set): when it changes after a block, the filter must be
 * reloaded and the blocks since re-requested.
 */
enum kb_rc wallet_sync_filter_fingerprint(struct wallet *w, struct hash256 *out) KB_WUR;

/* Opens the store transaction of one block. */
enum kb_rc wallet_sync_block_begin(struct wallet *w) KB_WUR;
/*
 * One transaction of a block (block_hash given) or of the mempool
 * (block_hash NULL: height/time ignored). Like wallet_add_tx, and also
 * relevant when it spends an outpoint a pending wallet transaction spends
 * (a double spend: it is recorded so the conflict can be seen and undone);
 * an unconfirmed one of those marks the earlier pending spenders REPLACED.
 * Conflict states are brought up to date. *relevant as wallet_add_tx.
 */
enum kb_rc wallet_sync_tx(struct wallet *w, const uint8_t *raw, size_t len, int64_t height,
                          const struct hash256 *block_hash, int64_t block_time, bool *relevant,
                          char *err, size_t errlen) KB_WUR;
/* Records (height, hash) as scanned and commits the block. On failure
 * the whole block is rolled back. */
enum kb_rc wallet_sync_block_end(struct wallet *w, int64_t height, const struct hash256 *hash) KB_WUR;
/* Commits the open block's transactions without moving the scan point:
 * for a block that changed what the filter is built from, which must be
 * scanned again with the new filter (after a restart too). On failure the
 * block is rolled back. */
enum kb_rc wallet_sync_block_end_unscanned(struct wallet *w) KB_WUR;
/* Rolls back an open block. */
void wallet_sync_block_abort(struct wallet *w);

/*
 * A reorganisation: blocks above fork_height (the last common block, whose
 * hash is fork_hash) were disconnected. Their transactions go back to
 * PENDING, conflicts are recomputed, and the scan point moves back to the
 * fork when it was above. *count (optional): transactions unconfirmed.
 */
enum kb_rc wallet_sync_reorg(struct wallet *w, int64_t fork_height, const struct hash256 *fork_hash,
                             size_t *count) KB_WUR;

/* Recomputes CONFLICTED/PENDING for every unconfirmed transaction. */
enum kb_rc wallet_sync_update_conflicts(struct wallet *w) KB_WUR;

/*
 * Builds (unsigned) the BIP125 replacement of the own PENDING transaction
 * txid at fee_rate (sat/kvB): the same inputs, the same payments, new
 * change. Refused with a reason in err: not found, not pending, an input
 * that is not the wallet's (KB_EINVAL), an input that does not signal
 * replaceability (KB_EUNSUPPORTED), a rate not above the old one by the
 * incremental relay fee, or a new fee that does not pay the old fee plus
 * the incremental relay fee for the new size (KB_EINVAL), the change
 * cannot pay it (KB_EFUNDS). Nothing is written to the store.
 */
enum kb_rc wallet_sync_bump(struct wallet *w, const struct hash256 *txid, int64_t fee_rate,
                            int64_t tip_height, struct wallet_psbt *out, char *err,
                            size_t errlen) KB_WUR;

/* Marks the pending transactions that share an input with replacement
 * (a recorded transaction) REPLACED. *count (optional). */
enum kb_rc wallet_sync_mark_replaced(struct wallet *w, const struct hash256 *replacement,
                                     size_t *count) KB_WUR;

#endif
