/*
 * The header chain: every header validated, the most-work chain kept on
 * disk, side branches in memory, reorganisations followed.
 *
 * Validation of a header whose parent is known (Bitcoin Core's
 * CheckBlockHeader + ContextualCheckBlockHeader + GetNextWorkRequired),
 * in this order, so that a corrupted field is reported by name rather than
 * as the proof-of-work failure its changed hash also causes:
 *   fork below the highest checkpoint reached -> SPV_HDR_FORK_BELOW_CHECKPOINT
 *   version below 2/3/4 from the BIP34/66/65 heights -> SPV_HDR_BAD_VERSION
 *   bits differ from the expected bits -> SPV_HDR_BAD_BITS
 *     (retarget every interval from the first block's time of the period;
 *     testnet3/4 and regtest: after 20 minutes without a block the
 *     pow-limit bits, else the bits of the last block of the period that
 *     was not such a block (walk-back); BIP94 (testnet4): the retarget
 *     scales the first block's bits; regtest: no retargeting)
 *   time at or below the median of the previous 11 -> SPV_HDR_TIME_TOO_OLD
 *   time more than 2 hours after network-adjusted time -> SPV_HDR_TIME_TOO_NEW
 *   BIP94: a period's first block more than 600 s before its parent -> SPV_HDR_TIMEWARP
 *   hash above the target its bits encode -> SPV_HDR_BAD_POW
 *   hash differs from the checkpoint at its height -> SPV_HDR_CHECKPOINT
 *
 * Fork choice: the chain with the most cumulative work (full 256-bit sum
 * of 2^256/(target+1)) is the main chain; on a tie the first seen stays.
 * Length and peers' claims play no part. A side branch that gains more
 * work than the main chain replaces it (a reorganisation of any depth
 * above the highest checkpoint reached, as long as the branch fits in the
 * side-branch cap); the change callback reports the fork height and the
 * old and new tips so the wallet can undo and redo. The headers a
 * reorganisation disconnects are kept as a side branch (within the cap).
 * Side branches are capped (opts.max_side headers, about 200 bytes each):
 * when full, the leaf with the least work is evicted, or the new header is
 * refused (SPV_HDR_SIDE_LIMIT) if it would be that leaf. Orphans (headers
 * whose parent is unknown) are never held: a batch that does not connect
 * stops with SPV_HDR_ORPHAN and the P2P layer asks for the gap with a
 * locator (so the orphan cap is zero).
 *
 * Storage: one file, addressed by height, never SQLite.
 *   [0, 4096)   fixed part written once (magic, format, network, base
 *               height, base chain work, checksum), and two commit slots at
 *               1024 and 2048: {seq, record count, tip hash, tip work,
 *               checksum}. A commit writes the slot not holding the newest
 *               seq, so a torn slot write leaves the other one valid.
 *   4096 + 80*i the header at height base + i (record 0 is the base).
 * Records are appended through a write buffer; spv_chain_flush() writes
 * the buffer, fdatasync()s, then writes a commit slot and fdatasync()s.
 * Before a reorganisation overwrites committed records it first commits
 * the lowered count, so committed records are never rewritten in place.
 * Loading: the newest valid slot whose tip hash matches record count-1
 * makes records [0, count) trusted (no revalidation: one pass rebuilds the
 * in-memory index from the stored prev hashes and re-adds the work, which
 * must equal the committed tip work, and the last 4096 records, which later
 * validation reads, must hash-link); records after it (written but not
 * committed when the process died) are re-validated one by one and a
 * partial or invalid tail is cut off. If no slot matches (damage), every
 * record is re-validated from the base and the file is cut at the first
 * bad one. Either way kill -9 at any moment leaves a store that loads. The
 * store is held with an exclusive flock (KB_ELOCKED if another process has
 * it). A new store is created under a temporary name and renamed.
 *
 * Memory: headers stay on disk. In memory: a 4-byte hash prefix per height
 * and an open-addressing index over them (about 12 bytes a header), the
 * last 4096 headers' hash/work/time/bits, the side branches and a 160 KB
 * write buffer. Older headers are read with pread() when needed.
 *
 * Starting point (wallet birthday). A new store starts either at genesis
 * or at a sync anchor: a bitcoinj checkpoint, i.e. the full header of the
 * first block of a retarget period (height k*2016) with its cumulative
 * work, whose hash is also a checkpoint and whose previous hash equals the
 * Electrum checkpoint one below (checked by share/gen-checkpoints.py). The
 * anchor is one period before the newest anchor at least 2 hours older
 * than the birthday (spv_chainparams_anchor_for_time says why). Why a
 * period start: the retarget at the end of the period needs the period's
 * first block (the anchor itself), testnet3's walk-back stops at a period
 * start, and BIP94 scales the first block's bits: all three are then
 * exact from the first header after the anchor. Median-time-past needs
 * the 11 headers before a header, which the store lacks for the first 10
 * after the anchor: there the check uses a proven lower bound instead of
 * the median (with k of the 11 times known, the true median is at least
 * the (k-5)-th smallest known one; no bound while k < 6), so a valid
 * header is never refused and the check is exact from anchor+11 on. Those
 * first headers still meet the exact expected bits and their proof of
 * work, and are pinned by the next checkpoint's hash where one exists.
 * Nothing below the base is ever accepted (SPV_HDR_ORPHAN).
 *
 * No function here may be called from two threads at once. Every call is
 * bounded work except imports and opening a damaged store (linear in the
 * records involved); process_headers is fine to call from a loop callback
 * with a peer's batch (at most 2000 headers, which takes about 2 ms).
 */
#ifndef KOBAN_SPV_CHAIN_H
#define KOBAN_SPV_CHAIN_H

#include "spv/chainparams.h"
#include "spv/header.h"
#include "wallet/hash.h"
#include "wallet/network.h"
#include "wallet/rc.h"
#include "wallet/u256.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why a header was refused (append-only: numbers are stable). */
enum spv_hdr_reason {
	SPV_HDR_OK = 0,
	SPV_HDR_ORPHAN = 1,             /* previous header unknown (or below the store's base) */
	SPV_HDR_NOT_CONTINUOUS = 2,     /* in a batch, does not follow the header before it */
	SPV_HDR_BAD_VERSION = 3,        /* version below the BIP34/66/65 minimum */
	SPV_HDR_BAD_BITS = 4,           /* bits differ from the retarget rules' */
	SPV_HDR_TIME_TOO_OLD = 5,       /* time at or below median-time-past */
	SPV_HDR_TIME_TOO_NEW = 6,       /* more than 2 hours ahead of network-adjusted time */
	SPV_HDR_TIMEWARP = 7,           /* BIP94 timewarp rule */
	SPV_HDR_BAD_POW = 8,            /* hash above its target (or bits not a valid target) */
	SPV_HDR_CHECKPOINT = 9,         /* at a checkpoint height with another hash */
	SPV_HDR_FORK_BELOW_CHECKPOINT = 10, /* forks below the highest checkpoint reached */
	SPV_HDR_SIDE_LIMIT = 11,        /* side-branch cap reached and this branch has least work */
	SPV_HDR_PARSE = 12,             /* bytes that are not whole 80-byte headers */
	SPV_HDR_IO = 13,                /* the store could not be written */
	SPV_HDR_HEIGHT = 14,            /* height beyond 2^31 - 1 */
};
#define SPV_HDR_REASON_COUNT 15

/* A short stable English description ("bad-diffbits: ..."). Never NULL. */
const char *spv_hdr_reason_str(enum spv_hdr_reason r);
/*
 * True when the reason proves the sender sent invalid data (score it).
 * False for OK, ORPHAN (may be a race), TIME_TOO_NEW (may become valid),
 * SIDE_LIMIT and IO (ours).
 */
bool spv_hdr_reason_is_invalid(enum spv_hdr_reason r);

/* What one call of process_headers / import_file did. */
struct spv_chain_result {
	size_t accepted;           /* new headers stored (main chain or side branch) */
	size_t duplicates;         /* headers already known, skipped */
	enum spv_hdr_reason reason;/* why it stopped; SPV_HDR_OK when every header was taken */
	size_t fail_index;         /* index (in the batch or file) of the header that stopped it */
	uint32_t fail_height;      /* the height it would have had (0 when its parent is unknown) */
	bool have_last;            /* last_* valid: the last header accepted or known */
	struct hash256 last_hash;  /* ... so the next getheaders can continue from it */
	uint32_t last_height;
	bool tip_changed;          /* the main-chain tip moved */
};

/*
 * Reported after a call that changed the main chain: the headers at
 * heights (fork_height, old_tip_height] were disconnected (none when
 * fork_height == old_tip_height) and those at (fork_height,
 * new_tip_height] are now the main chain.
 */
struct spv_chain_change {
	uint32_t fork_height;
	uint32_t old_tip_height;
	uint32_t new_tip_height;
};
typedef void spv_chain_change_cb(void *arg, const struct spv_chain_change *change);
/* Network-adjusted time, unix seconds. */
typedef int64_t spv_chain_clock_cb(void *arg);

#define SPV_CHAIN_DEFAULT_MAX_SIDE 16384
#define SPV_CHAIN_MAX_LOCATOR 101

struct spv_chain_opts {
	int64_t birthday;                /* unix time; <= 0: start at genesis. Used when creating */
	size_t max_side;                 /* side-branch header cap; 0: SPV_CHAIN_DEFAULT_MAX_SIDE */
	spv_chain_clock_cb *clock;       /* NULL: time(NULL) */
	void *clock_arg;                 /* borrowed */
	spv_chain_change_cb *on_change;  /* may be NULL; called before the call that changed the chain returns */
	void *change_arg;                /* borrowed */
};

struct spv_chain;

/*
 * Opens (or creates) the header store at path for net. path NULL keeps
 * the store in an anonymous memory file (tests, fuzzing). opts may be
 * NULL (all defaults). On success *out is the chain (caller frees with
 * spv_chain_free). On failure *out is NULL and err (optional) says why:
 * KB_EIO, KB_ELOCKED (another process holds it), KB_ENETWORK (a store of
 * another network), KB_ECHECKSUM (fixed part damaged), KB_EVERSION.
 * A damaged or half-written tail is repaired as described above.
 */
enum kb_rc spv_chain_open(struct spv_chain **out, enum kb_net net, const char *path,
                          const struct spv_chain_opts *opts, char *err, size_t errlen) KB_WUR;
/*
 * The same with caller-made parameters (tests, tools): p is borrowed and
 * must outlive the chain; its checkpoint list must start with genesis at
 * height 0 and its anchors must sit at multiples of p->interval.
 * KB_EINVAL otherwise.
 */
enum kb_rc spv_chain_open_params(struct spv_chain **out, const struct spv_chainparams *p,
                                 const char *path, const struct spv_chain_opts *opts,
                                 char *err, size_t errlen) KB_WUR;
/* Flushes (errors ignored: the store stays loadable), closes, frees. NULL is a no-op. */
void spv_chain_free(struct spv_chain *c);
/* Makes everything accepted so far durable (fdatasync + commit slot). KB_EIO. */
enum kb_rc spv_chain_flush(struct spv_chain *c) KB_WUR;

/*
 * Validates and stores n headers (n*80 bytes of wire headers, as a peer's
 * "headers" message carries them, in order). Known headers are skipped;
 * each new one must connect to a known header (the first) or to the one
 * before it in the batch. Stops at the first refused header: those before
 * it stay accepted. Flushes at the end (a batch boundary). *res is always
 * filled. Returns KB_OK when every header was taken or known,
 * KB_ECONSENSUS when one was refused (res->reason says why), KB_EIO when
 * the store failed. Calls opts.on_change once if the main chain changed.
 */
enum kb_rc spv_chain_process_headers(struct spv_chain *c, struct spv_chain_result *res,
                                     const uint8_t *headers, size_t n) KB_WUR;

/*
 * `koban headers import FILE`: the file's concatenated 80-byte headers,
 * each validated as if from a peer. The file must connect to the chain,
 * start at genesis, or start at (or right after) an embedded anchor; when
 * the store holds nothing beyond its base and the file starts elsewhere
 * than the base (genesis or another anchor), the store is re-created
 * there. res->accepted counts new headers, res->reason/fail_index/
 * fail_height say why and where it stopped (SPV_HDR_PARSE for a trailing
 * partial header). Returns as process_headers; KB_EIO when the file cannot
 * be read (res->reason SPV_HDR_IO).
 */
enum kb_rc spv_chain_import_file(struct spv_chain *c, struct spv_chain_result *res,
                                 const char *path) KB_WUR;

/* Queries. Heights are main-chain heights. */
const struct spv_chainparams *spv_chain_params(const struct spv_chain *c);
uint32_t spv_chain_height(const struct spv_chain *c);          /* tip height */
uint32_t spv_chain_base_height(const struct spv_chain *c);     /* first stored height */
void spv_chain_tip(const struct spv_chain *c, struct hash256 *hash, uint32_t *height,
                   uint32_t *time);                            /* any output may be NULL */
void spv_chain_tip_work(const struct spv_chain *c, struct u256 *work);
/* Median-time-past of the tip (a lower bound near the base, see above). */
int64_t spv_chain_tip_mtp(const struct spv_chain *c);
/* KB_ENOTFOUND outside [base, tip]; KB_EIO on a read error. Outputs zeroed first. */
enum kb_rc spv_chain_hash_at(const struct spv_chain *c, struct hash256 *out, uint32_t height) KB_WUR;
enum kb_rc spv_chain_header_at(const struct spv_chain *c, struct spv_header *out,
                               uint32_t height) KB_WUR;
enum kb_rc spv_chain_work_at(const struct spv_chain *c, struct u256 *out, uint32_t height) KB_WUR;
/*
 * Finds a header by hash in the main chain or a side branch: *height and
 * *in_main (either may be NULL), and the header if out is not NULL.
 * KB_ENOTFOUND when unknown.
 */
enum kb_rc spv_chain_find(const struct spv_chain *c, struct spv_header *out, uint32_t *height,
                          bool *in_main, const struct hash256 *hash) KB_WUR;
/*
 * A getheaders block locator from the tip: the last 10 hashes, then
 * doubling steps, ending with the base. Writes at most max hashes
 * (SPV_CHAIN_MAX_LOCATOR is enough) and returns how many.
 */
size_t spv_chain_locator(const struct spv_chain *c, struct hash256 *out, size_t max);
/* The same from a known header (main or side); 0 if from is unknown. */
size_t spv_chain_locator_from(const struct spv_chain *c, struct hash256 *out, size_t max,
                              const struct hash256 *from);
/* Headers currently held in side branches. */
size_t spv_chain_side_count(const struct spv_chain *c);

#endif
