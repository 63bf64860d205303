#include "wallet/tx.h"

#include "wallet/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wallet_tx_init(struct wallet_tx *tx)
{
	memset(tx, 0, sizeof *tx);
	tx->version = 2;
}

static void bytes_set(struct wallet_bytes *b, const uint8_t *p, size_t len)
{
	kb_free(b->p);
	b->p = NULL;
	b->len = 0;
	if (len) {
		KB_ASSERT(p != NULL);
		b->p = kb_malloc(len);
		memcpy(b->p, p, len);
		b->len = len;
	}
}

static void witness_clear(struct wallet_txin *in)
{
	for (size_t k = 0; k < in->witness_count; k++)
		kb_free(in->witness[k].p);
	kb_free(in->witness);
	in->witness = NULL;
	in->witness_count = 0;
}

void wallet_tx_clear(struct wallet_tx *tx)
{
	for (size_t i = 0; i < tx->in_count; i++) {
		kb_free(tx->in[i].script_sig.p);
		witness_clear(&tx->in[i]);
	}
	for (size_t i = 0; i < tx->out_count; i++)
		kb_free(tx->out[i].script_pubkey.p);
	kb_free(tx->in);
	kb_free(tx->out);
	wallet_tx_init(tx);
}

void wallet_tx_copy(struct wallet_tx *dst, const struct wallet_tx *src)
{
	wallet_tx_init(dst);
	dst->version = src->version;
	dst->locktime = src->locktime;
	for (size_t i = 0; i < src->in_count; i++) {
		const struct wallet_txin *in = &src->in[i];
		size_t k = wallet_tx_add_input(dst, &in->prevout, in->script_sig.p,
		                               in->script_sig.len, in->sequence);
		if (in->witness_count) {
			struct wallet_txin *d = &dst->in[k];
			d->witness = kb_calloc(in->witness_count, sizeof *d->witness);
			d->witness_count = in->witness_count;
			for (size_t w = 0; w < in->witness_count; w++)
				bytes_set(&d->witness[w], in->witness[w].p, in->witness[w].len);
		}
	}
	for (size_t i = 0; i < src->out_count; i++)
		(void)wallet_tx_add_output(dst, src->out[i].value, src->out[i].script_pubkey.p,
		                           src->out[i].script_pubkey.len);
}

/* Reads a CompactSize length and that many bytes into a fresh allocation. */
static void read_bytes(struct cursor *c, struct wallet_bytes *b)
{
	size_t n = cursor_count(c, WALLET_TX_MAX_SIZE, 1);
	const uint8_t *p = cursor_ptr(c, n);
	if (p && n) {
		b->p = kb_malloc(n);
		memcpy(b->p, p, n);
		b->len = n;
	}
}

static void read_inputs(struct cursor *c, struct wallet_tx *tx)
{
	size_t n = cursor_count(c, WALLET_TX_MAX_SIZE / WALLET_TX_MIN_INPUT_SIZE,
	                        WALLET_TX_MIN_INPUT_SIZE);
	if (!cursor_ok(c) || n == 0)
		return;
	tx->in = kb_calloc(n, sizeof *tx->in);
	tx->in_count = n;
	for (size_t i = 0; i < n && cursor_ok(c); i++) {
		struct wallet_txin *in = &tx->in[i];
		cursor_bytes(c, in->prevout.txid.b, 32);
		in->prevout.n = cursor_u32le(c);
		read_bytes(c, &in->script_sig);
		in->sequence = cursor_u32le(c);
	}
}

static void read_outputs(struct cursor *c, struct wallet_tx *tx)
{
	size_t n = cursor_count(c, WALLET_TX_MAX_SIZE / WALLET_TX_MIN_OUTPUT_SIZE,
	                        WALLET_TX_MIN_OUTPUT_SIZE);
	if (!cursor_ok(c) || n == 0)
		return;
	tx->out = kb_calloc(n, sizeof *tx->out);
	tx->out_count = n;
	for (size_t i = 0; i < n && cursor_ok(c); i++) {
		tx->out[i].value = cursor_i64le(c);
		read_bytes(c, &tx->out[i].script_pubkey);
	}
}

static void read_witness(struct cursor *c, struct wallet_txin *in)
{
	/* every item takes at least its one-byte length */
	size_t n = cursor_count(c, WALLET_TX_MAX_SIZE, 1);
	if (!cursor_ok(c) || n == 0)
		return;
	in->witness = kb_calloc(n, sizeof *in->witness);
	in->witness_count = n;
	for (size_t k = 0; k < n && cursor_ok(c); k++)
		read_bytes(c, &in->witness[k]);
}

static void set_err(char *err, size_t errlen, const char *why)
{
	if (err && errlen && !err[0])
		snprintf(err, errlen, "%s", why);
}

static enum kb_rc parse_cursor(struct wallet_tx *tx, struct cursor *c, char *err, size_t errlen)
{
	wallet_tx_init(tx);
	const uint8_t *start = c->p;
	tx->version = cursor_i32le(c);
	uint8_t flags = 0;
	read_inputs(c, tx);
	if (tx->in_count == 0 && cursor_ok(c)) {
		/* a marker, or a real empty input list: try extended first */
		flags = cursor_u8(c);
		if (flags != 0) {
			read_inputs(c, tx);
			read_outputs(c, tx);
		}
	} else {
		read_outputs(c, tx);
	}
	if (!cursor_ok(c))
		set_err(err, errlen, "inputs or outputs truncated or over a limit");
	if ((flags & 1) && cursor_ok(c)) {
		flags ^= 1;
		for (size_t i = 0; i < tx->in_count && cursor_ok(c); i++)
			read_witness(c, &tx->in[i]);
		if (!cursor_ok(c))
			set_err(err, errlen, "witness truncated or over a limit");
		if (cursor_ok(c) && !wallet_tx_has_witness(tx)) {
			set_err(err, errlen, "superfluous witness record (flag 1, no witness)");
			cursor_fail(c);
		}
	}
	if (flags) {
		set_err(err, errlen, "unknown optional data (extended flag other than 1)");
		cursor_fail(c);
	}
	tx->locktime = cursor_u32le(c);
	if (!cursor_ok(c))
		set_err(err, errlen, "locktime truncated");

	enum kb_rc rc = KB_OK;
	if (!cursor_ok(c)) {
		rc = KB_EPARSE;
	} else if ((size_t)(c->p - start) > WALLET_TX_MAX_SIZE) {
		set_err(err, errlen, "transaction larger than WALLET_TX_MAX_SIZE");
		rc = KB_ELIMIT;
	}
	if (rc != KB_OK) {
		wallet_tx_clear(tx);
		cursor_fail(c);
	}
	return rc;
}

enum kb_rc wallet_tx_parse_cursor(struct wallet_tx *tx, struct cursor *c)
{
	return parse_cursor(tx, c, NULL, 0);
}

enum kb_rc wallet_tx_parse_err(struct wallet_tx *tx, const uint8_t *p, size_t len,
                               char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	wallet_tx_init(tx);
	if (len > WALLET_TX_MAX_SIZE) {
		set_err(err, errlen, "transaction larger than WALLET_TX_MAX_SIZE");
		return KB_ELIMIT;
	}
	struct cursor c;
	cursor_init(&c, p, len);
	enum kb_rc rc = parse_cursor(tx, &c, err, errlen);
	if (rc != KB_OK)
		return rc;
	if (!cursor_done(&c)) {
		set_err(err, errlen, "trailing bytes after the transaction");
		wallet_tx_clear(tx);
		return KB_EPARSE;
	}
	return KB_OK;
}

enum kb_rc wallet_tx_parse(struct wallet_tx *tx, const uint8_t *p, size_t len)
{
	return wallet_tx_parse_err(tx, p, len, NULL, 0);
}

bool wallet_tx_has_witness(const struct wallet_tx *tx)
{
	for (size_t i = 0; i < tx->in_count; i++)
		if (tx->in[i].witness_count)
			return true;
	return false;
}

void wallet_tx_serialize_outpoint(const struct wallet_outpoint *op, struct buf *out)
{
	buf_bytes(out, op->txid.b, 32);
	buf_u32le(out, op->n);
}

void wallet_tx_serialize_output(const struct wallet_txout *o, struct buf *out)
{
	buf_u64le(out, (uint64_t)o->value);
	buf_varbytes(out, o->script_pubkey.p, o->script_pubkey.len);
}

void wallet_tx_serialize(const struct wallet_tx *tx, struct buf *out, bool with_witness)
{
	bool wit = with_witness && wallet_tx_has_witness(tx);
	buf_reserve(out, wallet_tx_serialized_len(tx, with_witness));
	buf_u32le(out, (uint32_t)tx->version);
	if (wit) {
		buf_u8(out, 0x00);
		buf_u8(out, 0x01);
	}
	buf_varint(out, tx->in_count);
	for (size_t i = 0; i < tx->in_count; i++) {
		const struct wallet_txin *in = &tx->in[i];
		wallet_tx_serialize_outpoint(&in->prevout, out);
		buf_varbytes(out, in->script_sig.p, in->script_sig.len);
		buf_u32le(out, in->sequence);
	}
	buf_varint(out, tx->out_count);
	for (size_t i = 0; i < tx->out_count; i++)
		wallet_tx_serialize_output(&tx->out[i], out);
	if (wit) {
		for (size_t i = 0; i < tx->in_count; i++) {
			const struct wallet_txin *in = &tx->in[i];
			buf_varint(out, in->witness_count);
			for (size_t k = 0; k < in->witness_count; k++)
				buf_varbytes(out, in->witness[k].p, in->witness[k].len);
		}
	}
	buf_u32le(out, tx->locktime);
}

size_t wallet_tx_serialized_len(const struct wallet_tx *tx, bool with_witness)
{
	bool wit = with_witness && wallet_tx_has_witness(tx);
	size_t n = 4 + varint_len(tx->in_count) + varint_len(tx->out_count) + 4;
	for (size_t i = 0; i < tx->in_count; i++) {
		const struct wallet_txin *in = &tx->in[i];
		n += 36 + varint_len(in->script_sig.len) + in->script_sig.len + 4;
		if (wit) {
			n += varint_len(in->witness_count);
			for (size_t k = 0; k < in->witness_count; k++)
				n += varint_len(in->witness[k].len) + in->witness[k].len;
		}
	}
	for (size_t i = 0; i < tx->out_count; i++)
		n += 8 + varint_len(tx->out[i].script_pubkey.len) + tx->out[i].script_pubkey.len;
	if (wit)
		n += 2;
	return n;
}

static void tx_hash(const struct wallet_tx *tx, struct hash256 *out, bool with_witness)
{
	struct buf b = BUF_INIT;
	wallet_tx_serialize(tx, &b, with_witness);
	wallet_hash_sha256d(out->b, b.p, b.len);
	buf_clear(&b);
}

void wallet_tx_txid(const struct wallet_tx *tx, struct hash256 *out)
{
	tx_hash(tx, out, false);
}

void wallet_tx_wtxid(const struct wallet_tx *tx, struct hash256 *out)
{
	tx_hash(tx, out, true);
}

size_t wallet_tx_weight(const struct wallet_tx *tx)
{
	return wallet_tx_serialized_len(tx, false) * 3 + wallet_tx_serialized_len(tx, true);
}

size_t wallet_tx_vsize(const struct wallet_tx *tx)
{
	return (wallet_tx_weight(tx) + 3) / 4;
}

static bool outpoint_is_null(const struct wallet_outpoint *op)
{
	static const uint8_t zero[32];
	return op->n == 0xffffffffu && memcmp(op->txid.b, zero, 32) == 0;
}

bool wallet_tx_is_coinbase(const struct wallet_tx *tx)
{
	return tx->in_count == 1 && outpoint_is_null(&tx->in[0].prevout);
}

static int outpoint_cmp(const void *a, const void *b)
{
	const struct wallet_outpoint *x = a, *y = b;
	int c = memcmp(x->txid.b, y->txid.b, 32);
	if (c)
		return c;
	return x->n < y->n ? -1 : x->n > y->n;
}

static enum kb_rc reject(char *err, size_t errlen, const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", why);
	return KB_ECONSENSUS;
}

enum kb_rc wallet_tx_check(const struct wallet_tx *tx, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (tx->in_count == 0)
		return reject(err, errlen, "bad-txns-vin-empty");
	if (tx->out_count == 0)
		return reject(err, errlen, "bad-txns-vout-empty");
	if (wallet_tx_serialized_len(tx, false) * 4 > WALLET_TX_MAX_SIZE)
		return reject(err, errlen, "bad-txns-oversize");
	int64_t total = 0;
	for (size_t i = 0; i < tx->out_count; i++) {
		int64_t v = tx->out[i].value;
		if (v < 0)
			return reject(err, errlen, "bad-txns-vout-negative");
		if (v > WALLET_TX_MAX_MONEY)
			return reject(err, errlen, "bad-txns-vout-toolarge");
		total += v; /* both <= MAX_MONEY: cannot overflow */
		if (total > WALLET_TX_MAX_MONEY)
			return reject(err, errlen, "bad-txns-txouttotal-toolarge");
	}
	struct wallet_outpoint *ops = kb_malloc(tx->in_count * sizeof *ops);
	for (size_t i = 0; i < tx->in_count; i++)
		ops[i] = tx->in[i].prevout;
	qsort(ops, tx->in_count, sizeof *ops, outpoint_cmp);
	bool dup = false;
	for (size_t i = 1; i < tx->in_count && !dup; i++)
		dup = outpoint_cmp(&ops[i - 1], &ops[i]) == 0;
	kb_free(ops);
	if (dup)
		return reject(err, errlen, "bad-txns-inputs-duplicate");
	if (wallet_tx_is_coinbase(tx)) {
		size_t n = tx->in[0].script_sig.len;
		if (n < 2 || n > 100)
			return reject(err, errlen, "bad-cb-length");
	} else {
		for (size_t i = 0; i < tx->in_count; i++)
			if (outpoint_is_null(&tx->in[i].prevout))
				return reject(err, errlen, "bad-txns-prevout-null");
	}
	return KB_OK;
}

size_t wallet_tx_add_input(struct wallet_tx *tx, const struct wallet_outpoint *prevout,
                           const uint8_t *script_sig, size_t script_sig_len,
                           uint32_t sequence)
{
	tx->in = kb_realloc(tx->in, (tx->in_count + 1) * sizeof *tx->in);
	struct wallet_txin *in = &tx->in[tx->in_count];
	memset(in, 0, sizeof *in);
	in->prevout = *prevout;
	bytes_set(&in->script_sig, script_sig, script_sig_len);
	in->sequence = sequence;
	return tx->in_count++;
}

size_t wallet_tx_add_output(struct wallet_tx *tx, int64_t value,
                            const uint8_t *spk, size_t spk_len)
{
	tx->out = kb_realloc(tx->out, (tx->out_count + 1) * sizeof *tx->out);
	struct wallet_txout *o = &tx->out[tx->out_count];
	memset(o, 0, sizeof *o);
	o->value = value;
	bytes_set(&o->script_pubkey, spk, spk_len);
	return tx->out_count++;
}

void wallet_tx_set_script_sig(struct wallet_tx *tx, size_t i, const uint8_t *script, size_t len)
{
	KB_ASSERT(i < tx->in_count);
	bytes_set(&tx->in[i].script_sig, script, len);
}

void wallet_tx_set_witness(struct wallet_tx *tx, size_t i, const uint8_t *const *items,
                           const size_t *lens, size_t count)
{
	KB_ASSERT(i < tx->in_count);
	struct wallet_txin *in = &tx->in[i];
	witness_clear(in);
	if (count == 0)
		return;
	in->witness = kb_calloc(count, sizeof *in->witness);
	in->witness_count = count;
	for (size_t k = 0; k < count; k++)
		bytes_set(&in->witness[k], items[k], lens[k]);
}
