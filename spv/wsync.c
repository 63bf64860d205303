/* Wallet sync over BIP37 filtered blocks (contract in spv/wsync.h). */
#include "spv/wsync.h"

#include "spv/bloom.h"
#include "spv/chain.h"
#include "spv/header.h"
#include "spv/merkle.h"
#include "spv/msg.h"
#include "spv/peer.h"
#include "wallet/hex.h"
#include "wallet/log.h"
#include "wallet/mem.h"
#include "wallet/store.h"
#include "wallet/tx.h"
#include "wallet/wallet_sync.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WSYNC_WINDOW_MAX 2000          /* blocks tracked ahead of the scan point */
#define WSYNC_TICK_MS 500
#define WSYNC_MEMPOOL_INV_MAX 1000     /* tx invs acted on per message */
#define WSYNC_RELOAD_REPEAT_MAX 8      /* re-asks of one block after filter changes */
#define WSYNC_REVERIFY_DEPTH 144       /* rescan depth when the scan point left the chain */

enum wb_state { WB_WANT = 0, WB_ASKED, WB_PROOF, WB_DONE };

struct wblock {
	uint32_t height;
	struct hash256 hash;
	enum wb_state state;
	uint32_t peer_id;          /* asked from (0 none) */
	uint32_t avoid_peer_id;    /* failed with this one last */
	struct spv_merkle_matches m;
	uint8_t **raw;             /* owned: m.n entries, NULL until the tx arrived */
	size_t *raw_len;
	size_t have;
	uint32_t total_txs;
};

struct wpeer {
	struct spv_peer *p;        /* borrowed (the node owns it) */
	uint32_t id;
	bool bloom;                /* serves filtered blocks */
	bool filter_sent;
	bool filter_fresh;         /* one filter only on this connection so far */
	bool batch_open;
	uint64_t ping_nonce;
	int64_t batch_deadline;
	struct spv_bloom_suspicion susp;
	double fp;                 /* the loaded filter's rate */
	uint64_t mp_nonce;         /* the ping after mempool / its getdata */
	bool mp_waiting, mp_more, mp_done;
	int64_t filter_time;       /* loop time the filter was sent */
};

struct bcast {
	struct hash256 txid, wtxid;
	uint8_t *raw;              /* owned, with witness */
	size_t len;
	enum spv_wsync_bc_state state;
	int64_t deadline;
	char reason[128];
};

struct spv_wsync {
	struct spv_node *node;        /* borrowed */
	struct wallet *w;             /* borrowed */
	struct spv_loop *loop;        /* borrowed */
	struct spv_loop_timer *timer; /* owned */
	struct spv_node_hooks next;
	void *next_arg;
	size_t batch;
	double fp_rate;
	int64_t batch_timeout_ms, accept_timeout_ms, mempool_grace_ms;

	struct spv_bloom filter;
	struct spv_bloom_elems elems;
	struct hash256 fingerprint;
	uint64_t filter_gen;

	struct wpeer *peers;          /* owned */
	size_t npeers, cap_peers;

	/* The window: blocks base .. base + nblocks - 1 above the scan point. */
	uint32_t base;
	struct wblock *blocks;        /* owned, nblocks of WSYNC_WINDOW_MAX */
	size_t nblocks;
	bool scan_checked;            /* the scan point was found on the chain */
	int64_t scan_height;
	struct hash256 scan_hash;
	uint32_t reload_height;       /* the block that last changed the filter */
	unsigned reload_repeat;

	struct bcast *bc;             /* owned */
	size_t nbc, cap_bc;

	bool headers_synced;
	bool asked_bloom_services;
	uint64_t blocks_done, txs_found, filter_reloads;
	bool fatal;
	char why[200];
};

/* ---- small helpers ---------------------------------------------------------- */

static struct spv_chain *chain_of(struct spv_wsync *s)
{
	return spv_node_chain(s->node);
}

static void block_reset(struct wblock *b)
{
	for (size_t i = 0; i < b->m.n; i++)
		kb_free(b->raw ? b->raw[i] : NULL);
	kb_free(b->raw);
	kb_free(b->raw_len);
	spv_merkle_matches_clear(&b->m);
	b->raw = NULL;
	b->raw_len = NULL;
	b->have = 0;
	b->total_txs = 0;
	b->state = WB_WANT;
	b->peer_id = 0;
}

static void window_clear(struct spv_wsync *s)
{
	for (size_t i = 0; i < s->nblocks; i++)
		block_reset(&s->blocks[i]);
	s->nblocks = 0;
}

static struct wpeer *peer_find(struct spv_wsync *s, const struct spv_peer *p)
{
	for (size_t i = 0; i < s->npeers; i++)
		if (s->peers[i].p == p)
			return &s->peers[i];
	return NULL;
}

static size_t bloom_peer_count(const struct spv_wsync *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->npeers; i++)
		n += s->peers[i].bloom;
	return n;
}

static bool peer_serves_bloom(struct spv_peer *p)
{
	return (spv_peer_services(p) & SPV_NODE_BLOOM) != 0 &&
	       spv_peer_version(p) >= SPV_WSYNC_MIN_PROTOCOL;
}

static void send_or_log(struct spv_peer *p, const struct spv_msg *m)
{
	spv_peer_send_msg(p, m);
}

/* ---- the filter -------------------------------------------------------------- */

static enum kb_rc filter_build(struct spv_wsync *s)
{
	spv_bloom_elems_clear(&s->elems);
	spv_bloom_elems_init(&s->elems);
	enum kb_rc rc;
	for (unsigned chain = 0; chain < 2; chain++) {
		struct wallet_address *a = NULL;
		size_t na = 0;
		rc = wallet_addresses(s->w, chain, &a, &na);
		if (rc != KB_OK)
			return rc;
		for (size_t i = 0; i < na; i++) {
			rc = spv_bloom_elems_add_script(&s->elems, a[i].spk, a[i].spk_len);
			if (rc != KB_OK && rc != KB_EUNSUPPORTED) {
				kb_free(a);
				return rc;
			}
		}
		kb_free(a);
	}
	struct wallet_outpoint *ops = NULL;
	size_t nops = 0;
	rc = wallet_sync_filter_outpoints(s->w, &ops, &nops);
	if (rc != KB_OK)
		return rc;
	for (size_t i = 0; i < nops; i++)
		spv_bloom_elems_add_outpoint(&s->elems, &ops[i]);
	kb_free(ops);
	struct wallet_store_meta meta;
	rc = wallet_store_meta_get(wallet_store(s->w), &meta);
	if (rc != KB_OK)
		return rc;
	rc = spv_bloom_build(&s->filter, &s->elems, s->fp_rate, meta.bloom_tweak, SPV_BLOOM_UPDATE_NONE);
	if (rc != KB_OK)
		return rc;
	rc = wallet_sync_filter_fingerprint(s->w, &s->fingerprint);
	if (rc != KB_OK)
		return rc;
	s->filter_gen++;
	return KB_OK;
}

static void filter_send(struct spv_wsync *s, struct wpeer *wp)
{
	struct spv_msg m;
	spv_bloom_to_msg(&s->filter, &m);
	send_or_log(wp->p, &m);
	wp->filter_fresh = !wp->filter_sent;
	wp->filter_sent = true;
	wp->fp = spv_bloom_fp_rate(&s->filter);
	/* what the peer's mempool holds for us: pending payments show at once */
	struct spv_msg mp;
	spv_msg_init(&mp, SPV_MSG_MEMPOOL);
	send_or_log(wp->p, &mp);
	/* the pong after it says the peer's invs for its mempool are all in */
	struct spv_msg ping;
	spv_msg_init(&ping, SPV_MSG_PING);
	randombytes_buf(&wp->mp_nonce, sizeof wp->mp_nonce);
	ping.u.nonce = wp->mp_nonce;
	send_or_log(wp->p, &ping);
	wp->mp_waiting = true;
	wp->mp_more = false;
	wp->mp_done = false;
	wp->filter_time = spv_loop_now(s->loop);
}

/* ---- broadcasting -------------------------------------------------------------- */

static struct bcast *bc_find(const struct spv_wsync *s, const struct hash256 *h)
{
	for (size_t i = 0; i < s->nbc; i++)
		if (memcmp(s->bc[i].txid.b, h->b, 32) == 0 || memcmp(s->bc[i].wtxid.b, h->b, 32) == 0)
			return &s->bc[i];
	return NULL;
}

static void bc_announce(struct spv_wsync *s, struct spv_peer *only)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nbc; i++)
		n += s->bc[i].state != SPV_WSYNC_BC_CONFIRMED && s->bc[i].state != SPV_WSYNC_BC_REJECTED;
	if (n == 0)
		return;
	struct spv_msg m;
	spv_msg_init(&m, SPV_MSG_INV);
	m.u.inv.v = kb_calloc(n, sizeof *m.u.inv.v);
	for (size_t i = 0; i < s->nbc; i++) {
		if (s->bc[i].state == SPV_WSYNC_BC_CONFIRMED || s->bc[i].state == SPV_WSYNC_BC_REJECTED)
			continue;
		m.u.inv.v[m.u.inv.n].type = SPV_INV_TX;
		m.u.inv.v[m.u.inv.n].hash = s->bc[i].txid;
		m.u.inv.n++;
	}
	if (only) {
		send_or_log(only, &m);
	} else {
		for (size_t i = 0; i < s->npeers; i++)
			send_or_log(s->peers[i].p, &m);
	}
	spv_msg_clear(&m);
}

static void bc_add(struct spv_wsync *s, const uint8_t *raw, size_t len, const struct wallet_tx *tx)
{
	struct hash256 txid;
	wallet_tx_txid(tx, &txid);
	if (bc_find(s, &txid))
		return;
	if (s->nbc == s->cap_bc) {
		s->cap_bc = s->cap_bc ? s->cap_bc * 2 : 8;
		s->bc = kb_realloc(s->bc, s->cap_bc * sizeof *s->bc);
	}
	struct bcast *b = &s->bc[s->nbc++];
	memset(b, 0, sizeof *b);
	b->txid = txid;
	wallet_tx_wtxid(tx, &b->wtxid);
	b->raw = kb_malloc(len ? len : 1);
	memcpy(b->raw, raw, len);
	b->len = len;
	b->state = SPV_WSYNC_BC_ANNOUNCED;
	b->deadline = spv_loop_now(s->loop) + s->accept_timeout_ms;
}

/* Our own pending transactions (every input ours) are rebroadcast after a
 * restart too, until they confirm. */
static void bc_load_pending(struct spv_wsync *s)
{
	struct wallet_store_tx *t = NULL;
	size_t nt = 0;
	if (wallet_store_tx_list(wallet_store(s->w), &t, &nt) != KB_OK)
		return;
	for (size_t i = 0; i < nt; i++) {
		if (t[i].state != WALLET_TX_PENDING)
			continue;
		struct wallet_tx tx;
		if (wallet_tx_parse(&tx, t[i].raw, t[i].raw_len) != KB_OK)
			continue;
		bool ours = tx.in_count > 0 && !wallet_tx_is_coinbase(&tx);
		for (size_t k = 0; k < tx.in_count && ours; k++) {
			struct wallet_store_output o;
			if (wallet_store_output_get(wallet_store(s->w), &o, &tx.in[k].prevout.txid,
			                            tx.in[k].prevout.n) == KB_OK)
				wallet_store_output_clear(&o);
			else
				ours = false;
		}
		if (ours)
			bc_add(s, t[i].raw, t[i].raw_len, &tx);
		wallet_tx_clear(&tx);
	}
	wallet_store_tx_list_free(t, nt);
}

static void bc_check_confirmed(struct spv_wsync *s)
{
	for (size_t i = 0; i < s->nbc; i++) {
		struct wallet_store_tx t;
		if (wallet_store_tx_get(wallet_store(s->w), &t, &s->bc[i].txid) != KB_OK)
			continue;
		if (t.state == WALLET_TX_CONFIRMED)
			s->bc[i].state = SPV_WSYNC_BC_CONFIRMED;
		else if (s->bc[i].state == SPV_WSYNC_BC_CONFIRMED)
			s->bc[i].state = SPV_WSYNC_BC_ACCEPTED; /* a reorg took it out again */
		wallet_store_tx_clear(&t);
	}
}

const char *spv_wsync_bc_state_str(enum spv_wsync_bc_state st)
{
	switch (st) {
	case SPV_WSYNC_BC_ANNOUNCED: return "announced";
	case SPV_WSYNC_BC_ACCEPTED: return "accepted";
	case SPV_WSYNC_BC_REJECTED: return "rejected";
	case SPV_WSYNC_BC_TIMEOUT: return "not accepted yet";
	case SPV_WSYNC_BC_CONFIRMED: return "confirmed";
	}
	return "?";
}

static void filter_reload_all(struct spv_wsync *s);

/* ---- the window and the scheduler ------------------------------------------------- */

static void scan_point_load(struct spv_wsync *s)
{
	int64_t h = -1;
	struct hash256 hash;
	memset(&hash, 0, sizeof hash);
	if (wallet_store_sync_get(wallet_store(s->w), &h, &hash) != KB_OK)
		h = -1;
	s->scan_height = h;
	s->scan_hash = hash;
	uint32_t cbase = spv_chain_base_height(chain_of(s));
	int64_t start = wallet_birthday_height(s->w);
	if (start < (int64_t)cbase)
		start = cbase;
	if (h >= 0 && h + 1 > start)
		start = h + 1;
	s->base = (uint32_t)start;
	s->scan_checked = h < 0;
}

/* The stored scan point must be on the best chain: if a reorg happened while
 * koban was not running, go back far enough to be sure. */
static void scan_point_check(struct spv_wsync *s)
{
	if (s->scan_checked)
		return;
	struct spv_chain *c = chain_of(s);
	if ((int64_t)spv_chain_height(c) < s->scan_height)
		return; /* headers not there yet */
	s->scan_checked = true;
	struct hash256 h;
	if (spv_chain_hash_at(c, &h, (uint32_t)s->scan_height) == KB_OK &&
	    memcmp(h.b, s->scan_hash.b, 32) == 0)
		return;
	int64_t fork = s->scan_height - WSYNC_REVERIFY_DEPTH;
	if (fork < (int64_t)spv_chain_base_height(c))
		fork = spv_chain_base_height(c);
	struct hash256 fh;
	if (spv_chain_hash_at(c, &fh, (uint32_t)fork) != KB_OK)
		return;
	KB_WARN("wsync", "the wallet's scan point %" PRId64 " is not on the best chain: rescanning from %" PRId64,
	        s->scan_height, fork);
	size_t cnt = 0;
	if (wallet_sync_reorg(s->w, fork, &fh, &cnt) != KB_OK) {
		s->fatal = true;
		snprintf(s->why, sizeof s->why, "cannot roll the wallet back to block %" PRId64, fork);
		return;
	}
	window_clear(s);
	s->base = (uint32_t)fork + 1;
	s->scan_height = fork;
	s->scan_hash = fh;
	filter_reload_all(s); /* pending again: their inputs are watched again */
}

static void window_fill(struct spv_wsync *s)
{
	struct spv_chain *c = chain_of(s);
	uint32_t tip = spv_chain_height(c);
	while (s->nblocks < WSYNC_WINDOW_MAX && (uint64_t)s->base + s->nblocks <= tip) {
		struct wblock *b = &s->blocks[s->nblocks];
		memset(b, 0, sizeof *b);
		b->height = s->base + (uint32_t)s->nblocks;
		if (spv_chain_hash_at(c, &b->hash, b->height) != KB_OK)
			break;
		s->nblocks++;
	}
}

static void batch_send(struct spv_wsync *s, struct wpeer *wp)
{
	size_t nb = bloom_peer_count(s);
	struct spv_msg m;
	spv_msg_init(&m, SPV_MSG_GETDATA);
	m.u.inv.v = kb_calloc(s->batch, sizeof *m.u.inv.v);
	for (size_t i = 0; i < s->nblocks && m.u.inv.n < s->batch; i++) {
		struct wblock *b = &s->blocks[i];
		if (b->state != WB_WANT)
			continue;
		if (b->avoid_peer_id == wp->id && nb > 1)
			continue;
		b->state = WB_ASKED;
		b->peer_id = wp->id;
		m.u.inv.v[m.u.inv.n].type = SPV_INV_FILTERED_BLOCK;
		m.u.inv.v[m.u.inv.n].hash = b->hash;
		m.u.inv.n++;
	}
	if (m.u.inv.n > 0) {
		send_or_log(wp->p, &m);
		struct spv_msg ping;
		spv_msg_init(&ping, SPV_MSG_PING);
		randombytes_buf(&wp->ping_nonce, sizeof wp->ping_nonce);
		ping.u.nonce = wp->ping_nonce;
		send_or_log(wp->p, &ping);
		wp->batch_open = true;
		wp->batch_deadline = spv_loop_now(s->loop) + s->batch_timeout_ms;
	}
	spv_msg_clear(&m);
}

static void filter_reload_all(struct spv_wsync *s)
{
	if (filter_build(s) != KB_OK) {
		s->fatal = true;
		snprintf(s->why, sizeof s->why, "cannot build the Bloom filter from the wallet");
		return;
	}
	s->filter_reloads++;
	for (size_t i = 0; i < s->npeers; i++)
		if (s->peers[i].bloom)
			filter_send(s, &s->peers[i]);
}

/* Records the complete blocks at the front of the window, in order. */
static void apply_done(struct spv_wsync *s)
{
	struct spv_chain *c = chain_of(s);
	while (s->nblocks > 0 && s->blocks[0].state == WB_DONE && !s->fatal) {
		struct wblock *b = &s->blocks[0];
		struct spv_header hdr;
		int64_t btime = -1;
		if (spv_chain_header_at(c, &hdr, b->height) == KB_OK)
			btime = hdr.time;
		char err[256] = "";
		enum kb_rc rc = wallet_sync_block_begin(s->w);
		for (size_t i = 0; i < b->m.n && rc == KB_OK; i++) {
			bool rel = false;
			rc = wallet_sync_tx(s->w, b->raw[i], b->raw_len[i], b->height, &b->hash, btime, &rel,
			                    err, sizeof err);
			s->txs_found += rel;
		}
		/* A block that changed what the filter is built from (a new coin,
		 * the look-ahead moved) is scanned again with the new filter: its
		 * transactions are kept but the scan point stays below it, so a
		 * restart between now and that second look re-scans it too. */
		bool changed = false;
		if (rc == KB_OK && b->m.n > 0 && !(s->reload_height == b->height && s->reload_repeat >= WSYNC_RELOAD_REPEAT_MAX)) {
			struct hash256 fpn;
			changed = wallet_sync_filter_fingerprint(s->w, &fpn) == KB_OK &&
			          memcmp(fpn.b, s->fingerprint.b, 32) != 0;
		}
		if (rc == KB_OK && changed)
			rc = wallet_sync_block_end_unscanned(s->w);
		else if (rc == KB_OK)
			rc = wallet_sync_block_end(s->w, b->height, &b->hash);
		else
			wallet_sync_block_abort(s->w);
		if (rc != KB_OK) {
			s->fatal = true;
			snprintf(s->why, sizeof s->why, "cannot record block %u: %s %s", b->height, kb_rc_str(rc), err);
			KB_ERROR("wsync", "%s", s->why);
			return;
		}
		if (!changed) {
			s->scan_height = b->height;
			s->scan_hash = b->hash;
		}
		s->blocks_done++;
		uint32_t h = b->height;
		bool had_matches = b->m.n > 0;
		block_reset(b);
		memmove(&s->blocks[0], &s->blocks[1], (s->nblocks - 1) * sizeof *s->blocks);
		s->nblocks--;
		s->base = h + 1;
		if (!had_matches)
			continue;
		bc_check_confirmed(s);
		struct hash256 fp;
		if (wallet_sync_filter_fingerprint(s->w, &fp) != KB_OK)
			continue;
		if (memcmp(fp.b, s->fingerprint.b, 32) == 0)
			continue;
		/* The wallet gained a coin or its look-ahead moved: the filter the
		 * peers hold may have missed transactions in this block and after. */
		if (s->reload_height == h) {
			if (++s->reload_repeat > WSYNC_RELOAD_REPEAT_MAX) {
				KB_WARN("wsync", "block %u keeps changing the filter; moving on", h);
				filter_reload_all(s);
				continue;
			}
		} else {
			s->reload_height = h;
			s->reload_repeat = 1;
		}
		filter_reload_all(s);
		window_clear(s);
		s->base = h; /* ask for this block again: a child of the new coin may be in it */
		/* replies to batches still open are for forgotten blocks: ignored */
		return;
	}
}

static void pump(struct spv_wsync *s)
{
	if (s->fatal)
		return;
	scan_point_check(s);
	apply_done(s);
	window_fill(s);
	size_t nb = bloom_peer_count(s);
	if (nb == 0 && s->npeers > 0 && !s->asked_bloom_services) {
		spv_node_want_services(s->node, SPV_NODE_BLOOM);
		s->asked_bloom_services = true;
	}
	for (size_t i = 0; i < s->npeers; i++) {
		struct wpeer *wp = &s->peers[i];
		if (!wp->bloom || !wp->filter_sent || wp->batch_open)
			continue;
		batch_send(s, wp);
	}
	apply_done(s);
}

/* ---- messages ------------------------------------------------------------------------ */

static struct wblock *block_by_hash(struct spv_wsync *s, const struct hash256 *h)
{
	for (size_t i = 0; i < s->nblocks; i++)
		if (memcmp(s->blocks[i].hash.b, h->b, 32) == 0)
			return &s->blocks[i];
	return NULL;
}

static void on_merkleblock(struct spv_wsync *s, struct wpeer *wp, const struct spv_msg_merkleblock *mb)
{
	struct hash256 h;
	wallet_hash_sha256d(h.b, mb->header, 80);
	struct wblock *b = block_by_hash(s, &h);
	/* The proof is checked against the header the message carries before
	 * anything else: an honest peer never sends one that fails, even for a
	 * block the wallet has since forgotten (a filter reload). */
	struct spv_merkle_matches m;
	enum spv_merkle_err e = spv_merkle_verify_block(&m, mb);
	if (e != SPV_MERKLE_OK) {
		char why[160];
		if (b && b->state == WB_ASKED && b->peer_id == wp->id) {
			snprintf(why, sizeof why, "bad merkle proof for block %u: %s", b->height, spv_merkle_err_str(e));
			block_reset(b);
			b->avoid_peer_id = wp->id;
		} else {
			snprintf(why, sizeof why, "bad merkle proof: %s", spv_merkle_err_str(e));
		}
		spv_node_misbehaving(s->node, wp->p, 100, why);
		return;
	}
	if (!b || b->state != WB_ASKED || b->peer_id != wp->id) {
		spv_merkle_matches_clear(&m);
		return; /* asked before a filter reload or a reorg: ignored */
	}
	uint32_t height = 0;
	bool in_main = false;
	if (spv_chain_find(chain_of(s), NULL, &height, &in_main, &h) != KB_OK || !in_main ||
	    height != b->height) {
		spv_merkle_matches_clear(&m);
		block_reset(b); /* the chain moved on; chain_changed will sort it out */
		return;
	}
	b->m = m;
	b->total_txs = mb->total_txs;
	b->raw = kb_calloc(m.n + 1, sizeof *b->raw);
	b->raw_len = kb_calloc(m.n + 1, sizeof *b->raw_len);
	b->have = 0;
	b->state = m.n == 0 ? WB_DONE : WB_PROOF;
	spv_bloom_suspicion_add_block(&wp->susp, mb->total_txs, wp->fp);
}

static void on_tx(struct spv_wsync *s, struct wpeer *wp, const uint8_t *payload, size_t len)
{
	struct wallet_tx tx;
	if (wallet_tx_parse(&tx, payload, len) != KB_OK) {
		spv_node_misbehaving(s->node, wp->p, 100, "malformed transaction");
		return;
	}
	struct hash256 txid;
	wallet_tx_txid(&tx, &txid);
	bool in_block = false;
	for (size_t i = 0; i < s->nblocks && !in_block; i++) {
		struct wblock *b = &s->blocks[i];
		if (b->state != WB_PROOF || b->peer_id != wp->id)
			continue;
		for (size_t k = 0; k < b->m.n; k++) {
			if (b->raw[k] || memcmp(b->m.v[k].txid.b, txid.b, 32) != 0)
				continue;
			b->raw[k] = kb_malloc(len ? len : 1);
			memcpy(b->raw[k], payload, len);
			b->raw_len[k] = len;
			b->have++;
			in_block = true;
			if (b->have == b->m.n)
				b->state = WB_DONE;
			break;
		}
	}
	/* Judged only when the peer has surely applied our latest filter: from
	 * the start under the first filter of a connection (our version said
	 * relay=false, so nothing came unfiltered before it), and after a
	 * reload once the pong after the new filterload is back -- replies
	 * before that were selected by an older filter, which may hold
	 * outpoints the new one dropped. */
	if (wp->filter_sent && (wp->filter_fresh || wp->mp_done)) {
		enum spv_bloom_match mt = spv_bloom_classify(&s->filter, &s->elems, &tx, &txid);
		spv_bloom_suspicion_add_tx(&wp->susp, mt, in_block);
		if (spv_bloom_suspicion_is_suspicious(&wp->susp)) {
			wallet_tx_clear(&tx);
			spv_node_drop(s->node, wp->p, "sends transactions the Bloom filter does not explain");
			return;
		}
	}
	if (!in_block) {
		/* mempool relay: pending with 0 confirmations */
		bool rel = false;
		char err[256];
		if (wallet_sync_tx(s->w, payload, len, -1, NULL, -1, &rel, err, sizeof err) == KB_OK && rel) {
			s->txs_found++;
			struct hash256 fp;
			if (wallet_sync_filter_fingerprint(s->w, &fp) == KB_OK &&
			    memcmp(fp.b, s->fingerprint.b, 32) != 0)
				filter_reload_all(s);
		}
	}
	wallet_tx_clear(&tx);
}

static void on_inv(struct spv_wsync *s, struct wpeer *wp, const struct spv_msg_inv *inv)
{
	struct spv_msg get;
	spv_msg_init(&get, SPV_MSG_GETDATA);
	get.u.inv.v = kb_calloc(inv->n + 1, sizeof *get.u.inv.v);
	size_t acted = 0;
	for (size_t i = 0; i < inv->n && acted < WSYNC_MEMPOOL_INV_MAX; i++) {
		uint32_t t = inv->v[i].type & ~SPV_INV_WITNESS_FLAG;
		if (t != SPV_INV_TX && t != SPV_INV_WTX)
			continue;
		acted++;
		struct bcast *b = bc_find(s, &inv->v[i].hash);
		if (b) {
			if (b->state == SPV_WSYNC_BC_ANNOUNCED || b->state == SPV_WSYNC_BC_TIMEOUT)
				b->state = SPV_WSYNC_BC_ACCEPTED;
			continue;
		}
		if (t != SPV_INV_TX || !wp->filter_sent)
			continue;
		struct wallet_store_tx known;
		if (wallet_store_tx_get(wallet_store(s->w), &known, &inv->v[i].hash) == KB_OK) {
			wallet_store_tx_clear(&known);
			continue;
		}
		get.u.inv.v[get.u.inv.n].type = SPV_INV_WITNESS_TX;
		get.u.inv.v[get.u.inv.n].hash = inv->v[i].hash;
		get.u.inv.n++;
	}
	if (get.u.inv.n > 0) {
		send_or_log(wp->p, &get);
		if (wp->mp_waiting)
			wp->mp_more = true;
	}
	spv_msg_clear(&get);
}

static void on_getdata(struct spv_wsync *s, struct wpeer *wp, const struct spv_msg_inv *inv)
{
	for (size_t i = 0; i < inv->n; i++) {
		uint32_t t = inv->v[i].type & ~SPV_INV_WITNESS_FLAG;
		if (t != SPV_INV_TX && t != SPV_INV_WTX)
			continue;
		struct bcast *b = bc_find(s, &inv->v[i].hash);
		if (!b)
			continue;
		struct wallet_tx tx;
		if (wallet_tx_parse(&tx, b->raw, b->len) != KB_OK)
			continue;
		/* Always with its witness: a light client does not signal
		 * NODE_WITNESS, so peers ask with plain MSG_TX, and a segwit
		 * transaction stripped of its witness is invalid (bcoin rejects it
		 * with non-mandatory-script-verify-flag). Full nodes parse the
		 * witness serialisation in any tx message. */
		struct buf out = BUF_INIT;
		wallet_tx_serialize(&tx, &out, true);
		if (spv_peer_send(wp->p, "tx", out.p, out.len) != KB_OK)
			KB_WARN("wsync", "cannot queue our transaction for a peer");
		buf_clear(&out);
		wallet_tx_clear(&tx);
	}
}

static void on_notfound(struct spv_wsync *s, struct wpeer *wp, const struct spv_msg_inv *inv)
{
	for (size_t i = 0; i < inv->n; i++) {
		if (inv->v[i].type != SPV_INV_FILTERED_BLOCK && inv->v[i].type != SPV_INV_BLOCK)
			continue;
		struct wblock *b = block_by_hash(s, &inv->v[i].hash);
		if (b && b->peer_id == wp->id && b->state == WB_ASKED) {
			block_reset(b);
			b->avoid_peer_id = wp->id;
		}
	}
}

/* The batch's pong: every block of it must be complete by now. */
static void batch_close(struct spv_wsync *s, struct wpeer *wp, bool timed_out)
{
	wp->batch_open = false;
	bool withheld = false;
	for (size_t i = 0; i < s->nblocks; i++) {
		struct wblock *b = &s->blocks[i];
		if (b->peer_id != wp->id || b->state == WB_DONE || b->state == WB_WANT)
			continue;
		/* A peer may skip a matched transaction it already relayed to us:
		 * the wallet has it then, and its txid is its content. */
		for (size_t k = 0; b->state == WB_PROOF && k < b->m.n; k++) {
			if (b->raw[k])
				continue;
			struct wallet_store_tx known;
			if (wallet_store_tx_get(wallet_store(s->w), &known, &b->m.v[k].txid) != KB_OK)
				continue;
			b->raw[k] = known.raw;
			b->raw_len[k] = known.raw_len;
			known.raw = NULL;
			wallet_store_tx_clear(&known);
			if (++b->have == b->m.n)
				b->state = WB_DONE;
		}
		if (b->state == WB_DONE)
			continue;
		if (b->state == WB_PROOF)
			withheld = true;
		block_reset(b);
		b->avoid_peer_id = wp->id;
	}
	if (withheld)
		spv_node_drop(s->node, wp->p, "withheld a transaction its merkleblock matched");
	else if (timed_out)
		spv_node_drop(s->node, wp->p, "filtered-block batch stalled");
}

static void on_reject(struct spv_wsync *s, const struct spv_msg_reject *r)
{
	if (!r->has_hash)
		return;
	struct bcast *b = bc_find(s, &r->hash);
	if (!b || b->state == SPV_WSYNC_BC_CONFIRMED)
		return;
	b->state = SPV_WSYNC_BC_REJECTED;
	size_t k = 0;
	for (size_t i = 0; i < r->reason_len && k + 1 < sizeof b->reason; i++) {
		char ch = r->reason[i];
		b->reason[k++] = (ch >= 0x20 && ch < 0x7f) ? ch : '?';
	}
	b->reason[k] = '\0';
}

/* ---- node hooks -------------------------------------------------------------------------- */

static void hook_peer_ready(void *arg, struct spv_peer *p)
{
	struct spv_wsync *s = arg;
	if (!peer_find(s, p)) {
		if (s->npeers == s->cap_peers) {
			s->cap_peers = s->cap_peers ? s->cap_peers * 2 : 8;
			s->peers = kb_realloc(s->peers, s->cap_peers * sizeof *s->peers);
		}
		struct wpeer *wp = &s->peers[s->npeers++];
		memset(wp, 0, sizeof *wp);
		wp->p = p;
		wp->id = spv_peer_id(p);
		wp->bloom = peer_serves_bloom(p);
		spv_bloom_suspicion_init(&wp->susp);
		if (wp->bloom)
			filter_send(s, wp);
		bc_announce(s, p);
	}
	if (s->next.peer_ready)
		s->next.peer_ready(s->next_arg, p);
	pump(s);
}

static void hook_peer_gone(void *arg, struct spv_peer *p)
{
	struct spv_wsync *s = arg;
	struct wpeer *wp = peer_find(s, p);
	if (wp) {
		uint32_t id = wp->id;
		for (size_t i = 0; i < s->nblocks; i++)
			if (s->blocks[i].peer_id == id && s->blocks[i].state != WB_DONE) {
				block_reset(&s->blocks[i]);
				s->blocks[i].avoid_peer_id = id;
			}
		*wp = s->peers[--s->npeers];
	}
	if (s->next.peer_gone)
		s->next.peer_gone(s->next_arg, p);
}

static bool hook_message(void *arg, struct spv_peer *p, const char *command, const uint8_t *payload,
                         size_t len)
{
	struct spv_wsync *s = arg;
	struct wpeer *wp = peer_find(s, p);
	char cmd[SPV_MSG_COMMAND_LEN];
	memset(cmd, 0, sizeof cmd);
	size_t cl = strlen(command);
	memcpy(cmd, command, cl < sizeof cmd ? cl : sizeof cmd);
	const struct spv_msg_def *def = spv_msg_def_by_command(cmd);
	bool handled = false;
	if (wp && def) {
		enum spv_msg_type type = def->type;
		if (type == SPV_MSG_TX) {
			on_tx(s, wp, payload, len);
			handled = true;
		} else if (type == SPV_MSG_MERKLEBLOCK || type == SPV_MSG_INV || type == SPV_MSG_GETDATA ||
		           type == SPV_MSG_NOTFOUND || type == SPV_MSG_PONG || type == SPV_MSG_REJECT) {
			struct spv_msg m;
			memset(&m, 0, sizeof m);
			if (spv_msg_parse(&m, type, payload, len) != KB_OK) {
				spv_node_misbehaving(s->node, p, 100, "malformed message");
				return true;
			}
			handled = true;
			switch (type) {
			case SPV_MSG_MERKLEBLOCK: on_merkleblock(s, wp, &m.u.merkleblock); break;
			case SPV_MSG_INV: on_inv(s, wp, &m.u.inv); break;
			case SPV_MSG_GETDATA: on_getdata(s, wp, &m.u.inv); break;
			case SPV_MSG_NOTFOUND: on_notfound(s, wp, &m.u.inv); break;
			case SPV_MSG_REJECT: on_reject(s, &m.u.reject); break;
			case SPV_MSG_PONG:
				if (wp->batch_open && m.u.nonce == wp->ping_nonce)
					batch_close(s, wp, false);
				if (wp->mp_waiting && m.u.nonce == wp->mp_nonce) {
					if (wp->mp_more) { /* the transactions asked for come before this pong */
						struct spv_msg ping;
						spv_msg_init(&ping, SPV_MSG_PING);
						randombytes_buf(&wp->mp_nonce, sizeof wp->mp_nonce);
						ping.u.nonce = wp->mp_nonce;
						send_or_log(wp->p, &ping);
						wp->mp_more = false;
					} else {
						wp->mp_waiting = false;
						wp->mp_done = true;
					}
				}
				break;
			default: break;
			}
			spv_msg_clear(&m);
		}
	}
	bool ok = true;
	if (s->next.message)
		ok = s->next.message(s->next_arg, p, command, payload, len) || handled;
	pump(s);
	return ok;
}

static void hook_chain_changed(void *arg, const struct spv_chain_change *c)
{
	struct spv_wsync *s = arg;
	if (c->fork_height < c->old_tip_height && (int64_t)c->fork_height < s->scan_height) {
		struct hash256 fh;
		if (spv_chain_hash_at(chain_of(s), &fh, c->fork_height) == KB_OK) {
			size_t cnt = 0;
			if (wallet_sync_reorg(s->w, c->fork_height, &fh, &cnt) != KB_OK) {
				s->fatal = true;
				snprintf(s->why, sizeof s->why, "cannot undo the blocks above %u in the wallet",
				         c->fork_height);
			} else {
				KB_INFO("wsync", "reorganisation at %u: %zu transactions back to pending",
				        c->fork_height, cnt);
				s->scan_height = c->fork_height;
				s->scan_hash = fh;
			}
		}
	}
	if (c->fork_height < c->old_tip_height) {
		window_clear(s);
		if ((int64_t)s->base > (int64_t)c->fork_height + 1)
			s->base = c->fork_height + 1;
		bc_check_confirmed(s);
		filter_reload_all(s);
	}
	bc_announce(s, NULL);
	if (s->next.chain_changed)
		s->next.chain_changed(s->next_arg, c);
}

static void hook_headers_synced(void *arg)
{
	struct spv_wsync *s = arg;
	s->headers_synced = true;
	if (s->next.headers_synced)
		s->next.headers_synced(s->next_arg);
	pump(s);
}

static void tick_cb(struct spv_loop_timer *t, void *arg)
{
	(void)t;
	struct spv_wsync *s = arg;
	int64_t now = spv_loop_now(s->loop);
	for (size_t i = 0; i < s->npeers; i++) {
		struct wpeer *wp = &s->peers[i];
		if (wp->batch_open && now > wp->batch_deadline)
			batch_close(s, wp, true);
	}
	for (size_t i = 0; i < s->nbc; i++)
		if (s->bc[i].state == SPV_WSYNC_BC_ANNOUNCED && now > s->bc[i].deadline)
			s->bc[i].state = SPV_WSYNC_BC_TIMEOUT;
	pump(s);
}

/* ---- public ------------------------------------------------------------------------------ */

enum kb_rc spv_wsync_new(struct spv_wsync **out, const struct spv_wsync_opts *o, char *err,
                         size_t errlen)
{
	KB_ASSERT(out && o && o->node && o->wallet && o->loop);
	*out = NULL;
	if (o->batch > SPV_WSYNC_BATCH_MAX) {
		if (err && errlen)
			snprintf(err, errlen, "batch above %d blocks", SPV_WSYNC_BATCH_MAX);
		return KB_EINVAL;
	}
	struct spv_wsync *s = kb_calloc(1, sizeof *s);
	s->node = o->node;
	s->w = o->wallet;
	s->loop = o->loop;
	s->batch = o->batch ? o->batch : SPV_WSYNC_BATCH_DEFAULT;
	s->batch_timeout_ms = o->batch_timeout_ms > 0 ? o->batch_timeout_ms : 60000;
	s->accept_timeout_ms = o->accept_timeout_ms > 0 ? o->accept_timeout_ms : SPV_WSYNC_ACCEPT_TIMEOUT_MS;
	s->mempool_grace_ms = o->mempool_grace_ms > 0 ? o->mempool_grace_ms : 0;
	if (o->next)
		s->next = *o->next;
	s->next_arg = o->next_arg;
	s->fp_rate = o->fp_rate;
	if (s->fp_rate <= 0) {
		char *v = NULL;
		s->fp_rate = SPV_BLOOM_DEFAULT_FP_RATE;
		if (wallet_store_setting_get(wallet_store(s->w), WALLET_SETTING_BLOOM_FP_RATE, &v) == KB_OK && v) {
			char *end = NULL;
			double d = strtod(v, &end);
			if (end && *end == '\0' && d > 0 && d < 0.1)
				s->fp_rate = d;
		}
		kb_free(v);
	}
	spv_bloom_elems_init(&s->elems);
	s->blocks = kb_calloc(WSYNC_WINDOW_MAX, sizeof *s->blocks);
	enum kb_rc rc = filter_build(s);
	if (rc != KB_OK) {
		if (err && errlen)
			snprintf(err, errlen, "cannot build the wallet's Bloom filter: %s", kb_rc_str(rc));
		spv_wsync_free(s);
		return rc;
	}
	scan_point_load(s);
	bc_load_pending(s);
	s->timer = spv_loop_timer_new(s->loop, tick_cb, s);
	if (!s->timer) {
		spv_wsync_free(s);
		return KB_EIO;
	}
	spv_loop_timer_start(s->timer, WSYNC_TICK_MS, WSYNC_TICK_MS);
	struct spv_node_hooks h = {
		.peer_ready = hook_peer_ready,
		.peer_gone = hook_peer_gone,
		.message = hook_message,
		.chain_changed = hook_chain_changed,
		.headers_synced = hook_headers_synced,
	};
	spv_node_set_hooks(s->node, &h, s);
	/* peers that were ready before us */
	struct spv_peer *ready[64];
	size_t nr = spv_node_ready_peers(s->node, ready, 64);
	for (size_t i = 0; i < nr; i++)
		hook_peer_ready(s, ready[i]);
	*out = s;
	return KB_OK;
}

void spv_wsync_free(struct spv_wsync *s)
{
	if (!s)
		return;
	if (s->node) {
		if (s->next.peer_ready || s->next.peer_gone || s->next.message || s->next.chain_changed ||
		    s->next.headers_synced)
			spv_node_set_hooks(s->node, &s->next, s->next_arg);
		else
			spv_node_set_hooks(s->node, NULL, NULL);
	}
	spv_loop_timer_free(s->timer);
	window_clear(s);
	kb_free(s->blocks);
	kb_free(s->peers);
	for (size_t i = 0; i < s->nbc; i++)
		kb_free(s->bc[i].raw);
	kb_free(s->bc);
	spv_bloom_elems_clear(&s->elems);
	kb_free(s);
}

void spv_wsync_status(const struct spv_wsync *s, struct spv_wsync_status *st)
{
	memset(st, 0, sizeof *st);
	struct spv_chain *c = spv_node_chain(s->node);
	st->scanned_height = s->scan_height;
	st->tip_height = spv_chain_height(c);
	st->bloom_peers = bloom_peer_count(s);
	for (size_t i = 0; i < s->nblocks; i++)
		st->blocks_in_flight += s->blocks[i].state == WB_ASKED || s->blocks[i].state == WB_PROOF;
	bool mempool_seen = false;
	for (size_t i = 0; i < s->npeers; i++)
		mempool_seen |= s->peers[i].bloom && s->peers[i].mp_done &&
		                spv_loop_now(s->loop) - s->peers[i].filter_time >= s->mempool_grace_ms;
	st->blocks_done = s->blocks_done;
	st->txs_found = s->txs_found;
	st->filter_reloads = s->filter_reloads;
	struct spv_node_status ns;
	spv_node_status(s->node, &ns);
	st->synced = !s->fatal && (s->headers_synced || ns.headers_synced) && st->bloom_peers > 0 && mempool_seen &&
	             (int64_t)s->base > (int64_t)st->tip_height && s->nblocks == 0;
	if (s->fatal) {
		snprintf(st->why, sizeof st->why, "%s", s->why);
	} else if (s->npeers > 0 && st->bloom_peers == 0) {
		snprintf(st->why, sizeof st->why,
		         "no connected peer offers Bloom filters (NODE_BLOOM, protocol >= 70011): looking for one"
		         " (a node of your own needs peerbloomfilters=1 or whitelist=bloomfilter@...)");
	} else if (s->npeers == 0) {
		snprintf(st->why, sizeof st->why, "%s", ns.why[0] ? ns.why : "no peers yet");
	} else if (!st->synced) {
		snprintf(st->why, sizeof st->why, "scanning blocks %u..%u", s->base, st->tip_height);
	}
}

bool spv_wsync_synced(const struct spv_wsync *s)
{
	struct spv_wsync_status st;
	spv_wsync_status(s, &st);
	return st.synced;
}

enum kb_rc spv_wsync_broadcast(struct spv_wsync *s, const uint8_t *raw, size_t len,
                               struct hash256 *txid, char *err, size_t errlen)
{
	KB_ASSERT(s && raw);
	if (txid)
		memset(txid, 0, sizeof *txid);
	struct wallet_tx tx;
	if (wallet_tx_parse(&tx, raw, len) != KB_OK) {
		if (err && errlen)
			snprintf(err, errlen, "not a transaction");
		return KB_EPARSE;
	}
	enum kb_rc rc = wallet_tx_check(&tx, err, errlen);
	if (rc != KB_OK) {
		wallet_tx_clear(&tx);
		return KB_EINVAL;
	}
	bool rel = false;
	rc = wallet_sync_tx(s->w, raw, len, -1, NULL, -1, &rel, err, errlen);
	if (rc != KB_OK) {
		wallet_tx_clear(&tx);
		return rc;
	}
	bc_add(s, raw, len, &tx);
	if (txid)
		wallet_tx_txid(&tx, txid);
	wallet_tx_clear(&tx);
	/* the wallet's coins changed: the filter must follow (a spend's outputs) */
	struct hash256 fp;
	if (wallet_sync_filter_fingerprint(s->w, &fp) == KB_OK && memcmp(fp.b, s->fingerprint.b, 32) != 0)
		filter_reload_all(s);
	bc_announce(s, NULL);
	return KB_OK;
}

enum kb_rc spv_wsync_broadcast_state(const struct spv_wsync *s, const struct hash256 *txid,
                                     enum spv_wsync_bc_state *st, char *reason, size_t cap)
{
	KB_ASSERT(s && txid && st);
	if (reason && cap)
		reason[0] = '\0';
	for (size_t i = 0; i < s->nbc; i++) {
		if (memcmp(s->bc[i].txid.b, txid->b, 32) != 0)
			continue;
		*st = s->bc[i].state;
		if (reason && cap)
			snprintf(reason, cap, "%s", s->bc[i].reason);
		return KB_OK;
	}
	return KB_ENOTFOUND;
}
