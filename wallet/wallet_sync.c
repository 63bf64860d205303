/* The wallet side of chain sync (contract in wallet/wallet_sync.h). */
#include "wallet/wallet_sync.h"

#include "wallet/buf.h"
#include "wallet/hash.h"
#include "wallet/hex.h"
#include "wallet/log.h"
#include "wallet/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

__attribute__((format(printf, 3, 4)))
static void serr(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
}

/* A failed rollback leaves SQLite's own abort in place: the next commit of
 * the nest fails and says so; nothing more can be done here. */
static void rb(struct wallet_store *st)
{
	if (wallet_store_rollback(st) != KB_OK)
		KB_WARN("wsync", "rollback failed");
}

static int op_cmp(const void *a, const void *b)
{
	const struct wallet_outpoint *x = a, *y = b;
	int c = memcmp(x->txid.b, y->txid.b, 32);
	if (c)
		return c;
	return x->n < y->n ? -1 : x->n > y->n;
}

static bool live(enum wallet_tx_state s)
{
	return s == WALLET_TX_PENDING || s == WALLET_TX_CONFIRMED;
}

enum kb_rc wallet_sync_filter_outpoints(struct wallet *w, struct wallet_outpoint **out, size_t *n)
{
	KB_ASSERT(w && out && n);
	*out = NULL;
	*n = 0;
	struct wallet_store *st = wallet_store(w);
	struct wallet_store_output *o = NULL;
	size_t no = 0;
	struct wallet_store_tx *t = NULL;
	size_t nt = 0;
	enum kb_rc rc = wallet_store_output_list(st, &o, &no);
	if (rc != KB_OK)
		return rc;
	rc = wallet_store_tx_list(st, &t, &nt);
	if (rc != KB_OK) {
		wallet_store_output_list_free(o, no);
		return rc;
	}
	size_t cap = no + 16, k = 0;
	struct wallet_outpoint *ops = kb_calloc(cap, sizeof *ops);
	for (size_t i = 0; i < no; i++) {
		if (!live(o[i].tx_state) || o[i].spent_confirmed)
			continue;
		ops[k].txid = o[i].txid;
		ops[k].n = o[i].vout;
		k++;
	}
	for (size_t i = 0; i < nt; i++) {
		if (t[i].state != WALLET_TX_PENDING)
			continue;
		struct wallet_tx tx;
		if (wallet_tx_parse(&tx, t[i].raw, t[i].raw_len) != KB_OK)
			continue;
		if (!wallet_tx_is_coinbase(&tx)) {
			for (size_t j = 0; j < tx.in_count; j++) {
				if (k == cap) {
					cap *= 2;
					ops = kb_realloc(ops, cap * sizeof *ops);
				}
				ops[k++] = tx.in[j].prevout;
			}
		}
		wallet_tx_clear(&tx);
	}
	wallet_store_output_list_free(o, no);
	wallet_store_tx_list_free(t, nt);
	if (k == 0) {
		kb_free(ops);
		return KB_OK;
	}
	qsort(ops, k, sizeof *ops, op_cmp);
	size_t u = 1;
	for (size_t i = 1; i < k; i++)
		if (op_cmp(&ops[i], &ops[u - 1]) != 0)
			ops[u++] = ops[i];
	*out = ops;
	*n = u;
	return KB_OK;
}

enum kb_rc wallet_sync_filter_fingerprint(struct wallet *w, struct hash256 *out)
{
	KB_ASSERT(w && out);
	memset(out, 0, sizeof *out);
	struct buf b = BUF_INIT;
	for (unsigned chain = 0; chain < 2; chain++) {
		struct wallet_address *a = NULL;
		size_t na = 0;
		enum kb_rc rc = wallet_addresses(w, chain, &a, &na);
		if (rc != KB_OK) {
			buf_clear(&b);
			return rc;
		}
		for (size_t i = 0; i < na; i++)
			buf_varbytes(&b, a[i].spk, a[i].spk_len);
		kb_free(a);
	}
	struct wallet_outpoint *ops = NULL;
	size_t nops = 0;
	enum kb_rc rc = wallet_sync_filter_outpoints(w, &ops, &nops);
	if (rc != KB_OK) {
		buf_clear(&b);
		return rc;
	}
	for (size_t i = 0; i < nops; i++) {
		buf_bytes(&b, ops[i].txid.b, 32);
		buf_u32le(&b, ops[i].n);
	}
	kb_free(ops);
	wallet_hash_sha256(out->b, b.p ? b.p : (const uint8_t *)"", b.len);
	buf_clear(&b);
	return KB_OK;
}

enum kb_rc wallet_sync_block_begin(struct wallet *w)
{
	return wallet_store_begin(wallet_store(w));
}

void wallet_sync_block_abort(struct wallet *w)
{
	rb(wallet_store(w));
}

enum kb_rc wallet_sync_block_end(struct wallet *w, int64_t height, const struct hash256 *hash)
{
	struct wallet_store *st = wallet_store(w);
	enum kb_rc rc = wallet_store_sync_set(st, height, hash);
	if (rc != KB_OK) {
		rb(st);
		return rc;
	}
	rc = wallet_store_commit(st);
	if (rc != KB_OK)
		rb(st);
	return rc;
}

enum kb_rc wallet_sync_block_end_unscanned(struct wallet *w)
{
	struct wallet_store *st = wallet_store(w);
	enum kb_rc rc = wallet_store_commit(st);
	if (rc != KB_OK)
		rb(st);
	return rc;
}

/* Records a transaction that touches no wallet script or coin but spends an
 * outpoint a wallet transaction spends: the conflict needs both sides. */
static enum kb_rc record_conflicting(struct wallet_store *st, const struct wallet_tx *tx,
                                     const struct hash256 *txid, const uint8_t *raw, size_t len,
                                     int64_t height, const struct hash256 *block_hash,
                                     int64_t block_time)
{
	enum kb_rc rc = wallet_store_begin(st);
	if (rc != KB_OK)
		return rc;
	rc = wallet_store_tx_upsert(st, NULL, txid, raw, len, height, block_hash, block_time,
	                            (int64_t)time(NULL), -1);
	for (size_t i = 0; i < tx->in_count && rc == KB_OK; i++)
		rc = wallet_store_spend_insert(st, &tx->in[i].prevout.txid, tx->in[i].prevout.n, txid,
		                               (uint32_t)i);
	if (rc == KB_OK)
		return wallet_store_commit(st);
	rb(st);
	return rc;
}

enum kb_rc wallet_sync_tx(struct wallet *w, const uint8_t *raw, size_t len, int64_t height,
                          const struct hash256 *block_hash, int64_t block_time, bool *relevant,
                          char *err, size_t errlen)
{
	KB_ASSERT(w && relevant);
	*relevant = false;
	struct wallet_store *st = wallet_store(w);
	struct wallet_tx tx;
	enum kb_rc rc = wallet_tx_parse(&tx, raw, len);
	if (rc != KB_OK) {
		serr(err, errlen, "not a valid transaction");
		return rc;
	}
	struct hash256 txid;
	wallet_tx_txid(&tx, &txid);

	/* Which wallet transactions already spend one of its inputs? */
	bool conflicts = false;
	for (size_t i = 0; i < tx.in_count && !wallet_tx_is_coinbase(&tx); i++) {
		struct hash256 *sp = NULL;
		size_t nsp = 0;
		rc = wallet_store_spend_list(st, &sp, &nsp, &tx.in[i].prevout.txid, tx.in[i].prevout.n);
		if (rc != KB_OK)
			goto out;
		for (size_t k = 0; k < nsp; k++)
			if (memcmp(sp[k].b, txid.b, 32) != 0)
				conflicts = true;
		kb_free(sp);
	}
	rc = wallet_add_tx(w, raw, len, height, block_hash, block_time, relevant, err, errlen);
	if (rc != KB_OK)
		goto out;
	if (!*relevant && conflicts) {
		rc = record_conflicting(st, &tx, &txid, raw, len, height, block_hash, block_time);
		if (rc != KB_OK) {
			serr(err, errlen, "cannot record a conflicting transaction: %s", kb_rc_str(rc));
			goto out;
		}
		*relevant = true;
	}
	if (conflicts && !block_hash) {
		rc = wallet_sync_mark_replaced(w, &txid, NULL);
		if (rc != KB_OK)
			goto out;
	}
	if (conflicts || block_hash)
		rc = wallet_sync_update_conflicts(w);
out:
	wallet_tx_clear(&tx);
	return rc;
}

struct txinfo {
	struct hash256 txid;
	enum wallet_tx_state state;
	struct wallet_tx tx;
	bool parsed;
};

static struct txinfo *find_info(struct txinfo *v, size_t n, const struct hash256 *id)
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(v[i].txid.b, id->b, 32) == 0)
			return &v[i];
	return NULL;
}

enum kb_rc wallet_sync_update_conflicts(struct wallet *w)
{
	KB_ASSERT(w);
	struct wallet_store *st = wallet_store(w);
	struct wallet_store_tx *t = NULL;
	size_t nt = 0;
	enum kb_rc rc = wallet_store_tx_list(st, &t, &nt);
	if (rc != KB_OK)
		return rc;
	struct txinfo *v = kb_calloc(nt + 1, sizeof *v);
	for (size_t i = 0; i < nt; i++) {
		v[i].txid = t[i].txid;
		v[i].state = t[i].state;
		v[i].parsed = wallet_tx_parse(&v[i].tx, t[i].raw, t[i].raw_len) == KB_OK;
	}
	/* want[i]: the state it should have; a fixpoint, since a conflict
	 * spreads to descendants and their descendants. */
	enum wallet_tx_state *want = kb_calloc(nt + 1, sizeof *want);
	for (size_t i = 0; i < nt; i++)
		want[i] = v[i].state;
	bool changed = true;
	for (size_t round = 0; changed && round <= nt && rc == KB_OK; round++) {
		changed = false;
		for (size_t i = 0; i < nt && rc == KB_OK; i++) {
			if (want[i] != WALLET_TX_PENDING && want[i] != WALLET_TX_CONFLICTED)
				continue;
			if (!v[i].parsed || wallet_tx_is_coinbase(&v[i].tx))
				continue;
			bool conflicted = false;
			for (size_t j = 0; j < v[i].tx.in_count && !conflicted && rc == KB_OK; j++) {
				const struct wallet_outpoint *op = &v[i].tx.in[j].prevout;
				struct txinfo *parent = find_info(v, nt, &op->txid);
				if (parent && want[parent - v] == WALLET_TX_CONFLICTED)
					conflicted = true;
				struct hash256 *sp = NULL;
				size_t nsp = 0;
				rc = wallet_store_spend_list(st, &sp, &nsp, &op->txid, op->n);
				for (size_t k = 0; k < nsp && rc == KB_OK; k++) {
					if (memcmp(sp[k].b, v[i].txid.b, 32) == 0)
						continue;
					struct txinfo *o = find_info(v, nt, &sp[k]);
					if (o && want[o - v] == WALLET_TX_CONFIRMED)
						conflicted = true;
				}
				kb_free(sp);
			}
			enum wallet_tx_state s = conflicted ? WALLET_TX_CONFLICTED : WALLET_TX_PENDING;
			if (s != want[i]) {
				want[i] = s;
				changed = true;
			}
		}
	}
	if (rc == KB_OK)
		rc = wallet_store_begin(st);
	if (rc == KB_OK) {
		for (size_t i = 0; i < nt && rc == KB_OK; i++)
			if (want[i] != v[i].state)
				rc = wallet_store_tx_set_state(st, &v[i].txid, want[i]);
		if (rc == KB_OK)
			rc = wallet_store_commit(st);
		else
			rb(st);
	}
	for (size_t i = 0; i < nt; i++)
		if (v[i].parsed)
			wallet_tx_clear(&v[i].tx);
	kb_free(v);
	kb_free(want);
	wallet_store_tx_list_free(t, nt);
	return rc;
}

enum kb_rc wallet_sync_reorg(struct wallet *w, int64_t fork_height, const struct hash256 *fork_hash,
                             size_t *count)
{
	KB_ASSERT(w && fork_hash);
	if (count)
		*count = 0;
	if (fork_height < 0)
		return KB_EINVAL;
	struct wallet_store *st = wallet_store(w);
	enum kb_rc rc = wallet_store_begin(st);
	if (rc != KB_OK)
		return rc;
	rc = wallet_store_tx_unconfirm_above(st, count, fork_height);
	int64_t sh = -1;
	struct hash256 shash;
	if (rc == KB_OK) {
		enum kb_rc g = wallet_store_sync_get(st, &sh, &shash);
		if (g == KB_OK && sh > fork_height)
			rc = wallet_store_sync_set(st, fork_height, fork_hash);
		else if (g != KB_OK && g != KB_ENOTFOUND)
			rc = g;
	}
	if (rc == KB_OK)
		rc = wallet_sync_update_conflicts(w);
	if (rc == KB_OK)
		rc = wallet_store_commit(st);
	if (rc != KB_OK)
		rb(st);
	return rc;
}

enum kb_rc wallet_sync_mark_replaced(struct wallet *w, const struct hash256 *replacement,
                                     size_t *count)
{
	KB_ASSERT(w && replacement);
	if (count)
		*count = 0;
	struct wallet_store *st = wallet_store(w);
	struct wallet_store_tx r;
	enum kb_rc rc = wallet_store_tx_get(st, &r, replacement);
	if (rc != KB_OK)
		return rc;
	struct wallet_tx tx;
	rc = wallet_tx_parse(&tx, r.raw, r.raw_len);
	wallet_store_tx_clear(&r);
	if (rc != KB_OK)
		return rc;
	rc = wallet_store_begin(st);
	for (size_t i = 0; i < tx.in_count && rc == KB_OK; i++) {
		struct hash256 *sp = NULL;
		size_t nsp = 0;
		rc = wallet_store_spend_list(st, &sp, &nsp, &tx.in[i].prevout.txid, tx.in[i].prevout.n);
		for (size_t k = 0; k < nsp && rc == KB_OK; k++) {
			if (memcmp(sp[k].b, replacement->b, 32) == 0)
				continue;
			struct wallet_store_tx o;
			if (wallet_store_tx_get(st, &o, &sp[k]) != KB_OK)
				continue;
			if (o.state == WALLET_TX_PENDING) {
				rc = wallet_store_tx_set_state(st, &sp[k], WALLET_TX_REPLACED);
				if (rc == KB_OK && count)
					(*count)++;
			}
			wallet_store_tx_clear(&o);
		}
		kb_free(sp);
	}
	if (rc == KB_OK)
		rc = wallet_store_commit(st);
	else
		rb(st);
	wallet_tx_clear(&tx);
	return rc;
}

enum kb_rc wallet_sync_bump(struct wallet *w, const struct hash256 *txid, int64_t fee_rate,
                            int64_t tip_height, struct wallet_psbt *out, char *err, size_t errlen)
{
	KB_ASSERT(w && txid && out);
	wallet_psbt_init(out);
	if (err && errlen)
		err[0] = '\0';
	struct wallet_store *st = wallet_store(w);
	char hex[65];
	wallet_hex_encode_rev(hex, sizeof hex, txid->b, 32);
	struct wallet_store_tx old;
	enum kb_rc rc = wallet_store_tx_get(st, &old, txid);
	if (rc != KB_OK) {
		serr(err, errlen, "no transaction %s in this wallet", hex);
		return rc;
	}
	struct wallet_tx tx;
	wallet_tx_init(&tx);
	struct wallet_outpoint *from = NULL;
	struct wallet_recipient *to = NULL;
	size_t nto = 0;
	bool began = false;
	if (old.state != WALLET_TX_PENDING) {
		serr(err, errlen, "%s is not pending: only an unconfirmed transaction can be replaced", hex);
		rc = KB_EINVAL;
		goto out;
	}
	rc = wallet_tx_parse(&tx, old.raw, old.raw_len);
	if (rc != KB_OK) {
		serr(err, errlen, "the stored transaction does not parse");
		goto out;
	}
	from = kb_calloc(tx.in_count + 1, sizeof *from);
	int64_t in_value = 0, out_value = 0;
	for (size_t i = 0; i < tx.in_count; i++) {
		if (tx.in[i].sequence >= 0xfffffffeu) {
			serr(err, errlen, "input %zu does not signal replaceability (BIP125): it cannot be bumped", i);
			rc = KB_EUNSUPPORTED;
			goto out;
		}
		struct wallet_store_output prev;
		if (wallet_store_output_get(st, &prev, &tx.in[i].prevout.txid, tx.in[i].prevout.n) != KB_OK) {
			serr(err, errlen, "input %zu is not this wallet's: only own transactions can be bumped", i);
			rc = KB_EINVAL;
			goto out;
		}
		in_value += prev.value;
		wallet_store_output_clear(&prev);
		from[i] = tx.in[i].prevout;
	}
	to = kb_calloc(tx.out_count + 1, sizeof *to);
	for (size_t i = 0; i < tx.out_count; i++) {
		out_value += tx.out[i].value;
		struct wallet_store_output o;
		bool change = false;
		if (wallet_store_output_get(st, &o, txid, (uint32_t)i) == KB_OK) {
			change = o.is_change;
			wallet_store_output_clear(&o);
		}
		if (change)
			continue;
		if (tx.out[i].script_pubkey.len > sizeof to[nto].spk) {
			serr(err, errlen, "output %zu has a script koban cannot carry over", i);
			rc = KB_EUNSUPPORTED;
			goto out;
		}
		memcpy(to[nto].spk, tx.out[i].script_pubkey.p, tx.out[i].script_pubkey.len);
		to[nto].spk_len = tx.out[i].script_pubkey.len;
		to[nto].amount = tx.out[i].value;
		snprintf(to[nto].address, sizeof to[nto].address, "output %zu", i);
		nto++;
	}
	if (nto == 0) {
		serr(err, errlen, "%s pays only the wallet's change: nothing to carry over", hex);
		rc = KB_EUNSUPPORTED;
		goto out;
	}
	int64_t old_fee = in_value - out_value;
	int64_t old_vsize = (int64_t)wallet_tx_vsize(&tx);
	int64_t old_rate = old_vsize > 0 ? old_fee * 1000 / old_vsize : 0;
	if (fee_rate < old_rate + WALLET_SYNC_INCREMENTAL_RELAY) {
		serr(err, errlen,
		     "the new fee rate must be at least %lld.%03lld sat/vB (the old %lld.%03lld plus the incremental relay fee of 1 sat/vB)",
		     (long long)((old_rate + WALLET_SYNC_INCREMENTAL_RELAY) / 1000),
		     (long long)((old_rate + WALLET_SYNC_INCREMENTAL_RELAY) % 1000),
		     (long long)(old_rate / 1000), (long long)(old_rate % 1000));
		rc = KB_EINVAL;
		goto out;
	}
	/* Build as if the old one were gone (its coins unspent again), then
	 * undo everything: nothing of the attempt stays in the store. */
	rc = wallet_store_begin(st);
	if (rc != KB_OK)
		goto out;
	began = true;
	rc = wallet_store_tx_set_state(st, txid, WALLET_TX_REPLACED);
	if (rc != KB_OK)
		goto out;
	struct wallet_spend_opts so;
	memset(&so, 0, sizeof so);
	so.to = to;
	so.nto = nto;
	so.fee_rate = fee_rate;
	so.from = from;
	so.nfrom = tx.in_count;
	so.include_unconfirmed = true;
	so.tip_height = tip_height;
	rc = wallet_psbt_create(w, &so, out, err, errlen);
	if (rc != KB_OK)
		goto out;
	int64_t new_fee = 0;
	rc = wallet_psbt_fee(out, &new_fee);
	if (rc != KB_OK) {
		serr(err, errlen, "cannot compute the replacement's fee");
		goto out;
	}
	int64_t new_vsize = fee_rate > 0 ? (new_fee * 1000 + fee_rate - 1) / fee_rate : old_vsize;
	int64_t need_vsize = new_vsize > old_vsize ? new_vsize : old_vsize;
	int64_t min_fee = old_fee + (WALLET_SYNC_INCREMENTAL_RELAY * need_vsize + 999) / 1000;
	if (new_fee < min_fee) {
		serr(err, errlen, "the replacement would pay %lld sat, but BIP125 needs at least %lld (the old fee %lld plus 1 sat/vB of its size): raise --fee-rate",
		     (long long)new_fee, (long long)min_fee, (long long)old_fee);
		rc = KB_EINVAL;
		goto out;
	}
out:
	if (began)
		rb(st);
	if (rc != KB_OK) {
		wallet_psbt_clear(out);
		wallet_psbt_init(out);
	}
	kb_free(from);
	kb_free(to);
	wallet_tx_clear(&tx);
	wallet_store_tx_clear(&old);
	return rc;
}
