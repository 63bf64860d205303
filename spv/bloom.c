/* BIP37 Bloom filters (see bloom.h). */
#include "spv/bloom.h"

#include "wallet/cursor.h"
#include "wallet/mem.h"
#include "wallet/script.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Core's constants, to the digits it uses. */
static const double LN2SQUARED = 0.4804530139182014246671025263266649717305529515945455;
static const double LN2 = 0.6931471805599453094172321214581765680755001343602552;

/* ---- MurmurHash3 (x86_32) --------------------------------------------------- */

static uint32_t rotl32(uint32_t x, int r)
{
	return (x << r) | (x >> (32 - r));
}

uint32_t spv_bloom_murmur3(uint32_t seed, const uint8_t *p, size_t n)
{
	const uint32_t c1 = 0xcc9e2d51u, c2 = 0x1b873593u;
	uint32_t h1 = seed;
	size_t nblocks = n / 4;
	for (size_t i = 0; i < nblocks; i++) {
		const uint8_t *b = p + 4 * i;
		uint32_t k1 = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
		              (uint32_t)b[3] << 24;
		k1 *= c1;
		k1 = rotl32(k1, 15);
		k1 *= c2;
		h1 ^= k1;
		h1 = rotl32(h1, 13);
		h1 = h1 * 5 + 0xe6546b64u;
	}
	const uint8_t *tail = p + 4 * nblocks;
	uint32_t k1 = 0;
	switch (n & 3) {
	case 3:
		k1 ^= (uint32_t)tail[2] << 16;
		/* fall through */
	case 2:
		k1 ^= (uint32_t)tail[1] << 8;
		/* fall through */
	case 1:
		k1 ^= tail[0];
		k1 *= c1;
		k1 = rotl32(k1, 15);
		k1 *= c2;
		h1 ^= k1;
		break;
	default:
		break;
	}
	/* Core mixes in the length as a 32-bit value */
	h1 ^= (uint32_t)n;
	h1 ^= h1 >> 16;
	h1 *= 0x85ebca6bu;
	h1 ^= h1 >> 13;
	h1 *= 0xc2b2ae35u;
	h1 ^= h1 >> 16;
	return h1;
}

/* ---- the filter -------------------------------------------------------------- */

enum kb_rc spv_bloom_init(struct spv_bloom *f, uint32_t n_elements, double fp_rate,
                          uint32_t tweak, uint8_t flags)
{
	memset(f, 0, sizeof *f);
	if (n_elements == 0 || !(fp_rate > 0.0 && fp_rate < 1.0) || flags > 2)
		return KB_EINVAL;
	/* Core: (unsigned int)(-1 / LN2SQUARED * nElements * log(nFPRate)),
	 * capped at MAX_BLOOM_FILTER_SIZE * 8 before the cast can overflow. */
	double dbits = -1.0 / LN2SQUARED * (double)n_elements * log(fp_rate);
	uint32_t bits = dbits >= (double)SPV_BLOOM_MAX_SIZE * 8 ? SPV_BLOOM_MAX_SIZE * 8
	                                                         : (uint32_t)dbits;
	size_t len = bits / 8;
	if (len == 0)
		return KB_ELIMIT;
	double dfuncs = (double)((uint32_t)(len * 8) / n_elements) * LN2;
	uint32_t funcs = dfuncs >= SPV_BLOOM_MAX_FUNCS ? SPV_BLOOM_MAX_FUNCS : (uint32_t)dfuncs;
	if (funcs == 0)
		return KB_ELIMIT;
	f->len = len;
	f->hash_funcs = funcs;
	f->tweak = tweak;
	f->flags = flags;
	return KB_OK;
}

static uint32_t bloom_hash(const struct spv_bloom *f, uint32_t i, const uint8_t *p, size_t n)
{
	return spv_bloom_murmur3(i * 0xFBA4C795u + f->tweak, p, n) % (uint32_t)(f->len * 8);
}

void spv_bloom_insert(struct spv_bloom *f, const uint8_t *p, size_t n)
{
	if (f->len == 0) /* CVE-2013-5700: no division by zero */
		return;
	for (uint32_t i = 0; i < f->hash_funcs; i++) {
		uint32_t b = bloom_hash(f, i, p, n);
		f->data[b >> 3] |= (uint8_t)(1u << (b & 7));
	}
}

bool spv_bloom_contains(const struct spv_bloom *f, const uint8_t *p, size_t n)
{
	if (f->len == 0)
		return true;
	for (uint32_t i = 0; i < f->hash_funcs; i++) {
		uint32_t b = bloom_hash(f, i, p, n);
		if (!(f->data[b >> 3] & (1u << (b & 7))))
			return false;
	}
	return true;
}

static void outpoint_bytes(uint8_t out[36], const struct wallet_outpoint *op)
{
	memcpy(out, op->txid.b, 32);
	out[32] = (uint8_t)op->n;
	out[33] = (uint8_t)(op->n >> 8);
	out[34] = (uint8_t)(op->n >> 16);
	out[35] = (uint8_t)(op->n >> 24);
}

void spv_bloom_insert_outpoint(struct spv_bloom *f, const struct wallet_outpoint *op)
{
	uint8_t b[36];
	outpoint_bytes(b, op);
	spv_bloom_insert(f, b, sizeof b);
}

bool spv_bloom_contains_outpoint(const struct spv_bloom *f, const struct wallet_outpoint *op)
{
	uint8_t b[36];
	outpoint_bytes(b, op);
	return spv_bloom_contains(f, b, sizeof b);
}

/* ---- scripts ------------------------------------------------------------------- */

/*
 * Core's GetScriptOp: one opcode from s[*pos..n); its push data (if any) in
 * *data and *dlen (dlen 0 for non-push opcodes). False when the script ends or
 * a push runs past the end.
 */
static bool script_op(const uint8_t *s, size_t n, size_t *pos, uint8_t *op,
                      const uint8_t **data, size_t *dlen)
{
	*data = NULL;
	*dlen = 0;
	if (*pos >= n)
		return false;
	uint8_t o = s[(*pos)++];
	*op = o;
	if (o > OP_PUSHDATA4)
		return true;
	size_t len, left;
	if (o < OP_PUSHDATA1) {
		len = o;
	} else if (o == OP_PUSHDATA1) {
		if (n - *pos < 1)
			return false;
		len = s[*pos];
		*pos += 1;
	} else if (o == OP_PUSHDATA2) {
		if (n - *pos < 2)
			return false;
		len = (size_t)s[*pos] | (size_t)s[*pos + 1] << 8;
		*pos += 2;
	} else {
		if (n - *pos < 4)
			return false;
		len = (size_t)s[*pos] | (size_t)s[*pos + 1] << 8 | (size_t)s[*pos + 2] << 16 |
		      (size_t)s[*pos + 3] << 24;
		*pos += 4;
	}
	left = n - *pos;
	if (left < len)
		return false;
	*data = s + *pos;
	*dlen = len;
	*pos += len;
	return true;
}

/* CPubKey::ValidSize */
static bool pubkey_valid_size(const uint8_t *p, size_t n)
{
	if (n == 0)
		return false;
	if (p[0] == 2 || p[0] == 3)
		return n == 33;
	if (p[0] == 4 || p[0] == 6 || p[0] == 7)
		return n == 65;
	return false;
}

/* Solver's GetScriptNumber for a multisig count in [min, max] (max <= 20). */
static bool script_number(uint8_t op, const uint8_t *data, size_t dlen, int min, int max,
                          int *out)
{
	int v;
	if (op >= OP_1 && op <= OP_16) {
		v = op - OP_1 + 1;
	} else if (op >= 1 && op < OP_PUSHDATA1 && dlen == op) {
		/* a direct push that is minimal (CheckMinimalPush) and a minimal
		 * CScriptNum of at most 4 bytes; only one byte can reach 1..20 */
		if (dlen != 1)
			return false;
		if (data[0] >= 1 && data[0] <= 16)
			return false; /* must be OP_n */
		if (data[0] == 0x81 || (data[0] & 0x7f) == 0)
			return false; /* OP_1NEGATE, or non-minimal zero */
		v = data[0] & 0x80 ? -(int)(data[0] & 0x7f) : data[0];
	} else {
		return false;
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Solver() == PUBKEY or MULTISIG (Core's MatchPayToPubkey, MatchMultisig). */
static bool script_is_p2pk_or_multisig(const uint8_t *s, size_t n)
{
	if (n == 67 && s[0] == 65 && s[66] == OP_CHECKSIG)
		return pubkey_valid_size(s + 1, 65);
	if (n == 35 && s[0] == 33 && s[34] == OP_CHECKSIG)
		return pubkey_valid_size(s + 1, 33);
	if (n < 1 || s[n - 1] != OP_CHECKMULTISIG)
		return false;
	size_t pos = 0;
	uint8_t op;
	const uint8_t *d;
	size_t dl;
	int req, nkeys;
	if (!script_op(s, n, &pos, &op, &d, &dl) || !script_number(op, d, dl, 1, 20, &req))
		return false;
	int keys = 0;
	bool ok;
	while ((ok = script_op(s, n, &pos, &op, &d, &dl)) && pubkey_valid_size(d, dl))
		keys++;
	if (!ok)
		return false;
	if (!script_number(op, d, dl, req, 20, &nkeys) || keys != nkeys)
		return false;
	return pos + 1 == n;
}

/* ---- IsRelevantAndUpdate --------------------------------------------------------- */

/* IsRelevantAndUpdate; upd is f itself when the update flags apply, NULL
 * for a pure query. */
static bool relevant(const struct spv_bloom *f, struct spv_bloom *upd,
                     const struct wallet_tx *tx, const struct hash256 *txid)
{
	if (f->len == 0) /* Core: a zero-size filter matches everything */
		return true;
	struct hash256 h;
	if (txid)
		h = *txid;
	else
		wallet_tx_txid(tx, &h);
	bool found = spv_bloom_contains(f, h.b, 32);
	for (size_t i = 0; i < tx->out_count; i++) {
		const struct wallet_bytes *spk = &tx->out[i].script_pubkey;
		size_t pos = 0;
		uint8_t op;
		const uint8_t *d;
		size_t dl;
		while (pos < spk->len) {
			if (!script_op(spk->p, spk->len, &pos, &op, &d, &dl))
				break;
			if (dl == 0 || !spv_bloom_contains(f, d, dl))
				continue;
			found = true;
			unsigned mode = f->flags & SPV_BLOOM_UPDATE_MASK;
			if (upd && (mode == SPV_BLOOM_UPDATE_ALL ||
			    (mode == SPV_BLOOM_UPDATE_P2PUBKEY_ONLY &&
			     script_is_p2pk_or_multisig(spk->p, spk->len)))) {
				struct wallet_outpoint o = { h, (uint32_t)i };
				spv_bloom_insert_outpoint(upd, &o);
			}
			break;
		}
	}
	if (found)
		return true;
	for (size_t i = 0; i < tx->in_count; i++) {
		const struct wallet_txin *in = &tx->in[i];
		if (spv_bloom_contains_outpoint(f, &in->prevout))
			return true;
		const struct wallet_bytes *ss = &in->script_sig;
		size_t pos = 0;
		uint8_t op;
		const uint8_t *d;
		size_t dl;
		while (pos < ss->len) {
			if (!script_op(ss->p, ss->len, &pos, &op, &d, &dl))
				break;
			if (dl != 0 && spv_bloom_contains(f, d, dl))
				return true;
		}
	}
	return false;
}

bool spv_bloom_relevant_update(struct spv_bloom *f, const struct wallet_tx *tx,
                               const struct hash256 *txid)
{
	return relevant(f, f, tx, txid);
}

/* ---- serialisation ------------------------------------------------------------------ */

static bool bloom_valid(const struct spv_bloom *f)
{
	return f->len >= 1 && f->len <= SPV_BLOOM_MAX_SIZE && f->hash_funcs >= 1 &&
	       f->hash_funcs <= SPV_BLOOM_MAX_FUNCS && f->flags <= 2;
}

void spv_bloom_serialize(const struct spv_bloom *f, struct buf *b)
{
	KB_ASSERT(bloom_valid(f));
	buf_varbytes(b, f->data, f->len);
	buf_u32le(b, f->hash_funcs);
	buf_u32le(b, f->tweak);
	buf_u8(b, f->flags);
}

enum kb_rc spv_bloom_parse(struct spv_bloom *f, const uint8_t *p, size_t n)
{
	memset(f, 0, sizeof *f);
	struct cursor c;
	cursor_init(&c, p, n);
	uint64_t len = cursor_varint(&c);
	if (!cursor_ok(&c))
		return KB_EPARSE;
	if (len > SPV_BLOOM_MAX_SIZE)
		return KB_ELIMIT;
	if (len == 0)
		return KB_EPARSE;
	const uint8_t *d = cursor_ptr(&c, (size_t)len);
	uint32_t funcs = cursor_u32le(&c);
	uint32_t tweak = cursor_u32le(&c);
	uint8_t flags = cursor_u8(&c);
	if (!cursor_done(&c))
		return KB_EPARSE;
	if (funcs > SPV_BLOOM_MAX_FUNCS)
		return KB_ELIMIT;
	if (funcs == 0 || flags > 2)
		return KB_EPARSE;
	f->len = (size_t)len;
	memcpy(f->data, d, f->len);
	f->hash_funcs = funcs;
	f->tweak = tweak;
	f->flags = flags;
	return KB_OK;
}

void spv_bloom_to_msg(const struct spv_bloom *f, struct spv_msg *m)
{
	KB_ASSERT(bloom_valid(f));
	spv_msg_init(m, SPV_MSG_FILTERLOAD);
	struct spv_msg_filterload *fl = &m->u.filterload;
	fl->len = f->len;
	memcpy(fl->filter, f->data, f->len);
	fl->hash_funcs = f->hash_funcs;
	fl->tweak = f->tweak;
	fl->flags = f->flags;
}

enum kb_rc spv_bloom_from_msg(struct spv_bloom *f, const struct spv_msg_filterload *fl)
{
	memset(f, 0, sizeof *f);
	if (fl->len > SPV_BLOOM_MAX_SIZE || fl->hash_funcs > SPV_BLOOM_MAX_FUNCS)
		return KB_ELIMIT;
	if (fl->len == 0 || fl->hash_funcs == 0 || fl->flags > 2)
		return KB_EPARSE;
	f->len = fl->len;
	memcpy(f->data, fl->filter, fl->len);
	f->hash_funcs = fl->hash_funcs;
	f->tweak = fl->tweak;
	f->flags = fl->flags;
	return KB_OK;
}

double spv_bloom_fp_rate(const struct spv_bloom *f)
{
	if (f->len == 0)
		return 1.0;
	size_t set = 0;
	for (size_t i = 0; i < f->len; i++)
		set += (size_t)__builtin_popcount(f->data[i]);
	return pow((double)set / (double)(f->len * 8), (double)f->hash_funcs);
}

/* ---- the element set -------------------------------------------------------------------- */

void spv_bloom_elems_init(struct spv_bloom_elems *e)
{
	memset(e, 0, sizeof *e);
	e->sorted = true;
}

void spv_bloom_elems_clear(struct spv_bloom_elems *e)
{
	kb_free(e->v);
	spv_bloom_elems_init(e);
}

static int elem_cmp(const void *a, const void *b)
{
	const struct spv_bloom_elem *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->b, y->b, x->len);
}

/* Sorts and drops duplicates, so lookups can bisect. */
static void elems_sort(struct spv_bloom_elems *e)
{
	if (e->sorted || e->n == 0)
		return;
	qsort(e->v, e->n, sizeof *e->v, elem_cmp);
	size_t w = 0;
	for (size_t r = 0; r < e->n; r++)
		if (w == 0 || elem_cmp(&e->v[w - 1], &e->v[r]) != 0)
			e->v[w++] = e->v[r];
	e->n = w;
	e->sorted = true;
}

static void elems_push(struct spv_bloom_elems *e, uint8_t kind, const uint8_t *p, size_t n)
{
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 64;
		e->v = kb_realloc(e->v, e->cap * sizeof *e->v);
	}
	struct spv_bloom_elem *x = &e->v[e->n++];
	memset(x, 0, sizeof *x);
	x->kind = kind;
	x->len = (uint8_t)n;
	memcpy(x->b, p, n);
	e->sorted = e->n == 1;
}

enum kb_rc spv_bloom_elems_add_data(struct spv_bloom_elems *e, const uint8_t *p, size_t n)
{
	if (n == 0 || n > SPV_BLOOM_ELEM_MAX)
		return KB_EINVAL;
	elems_push(e, SPV_BLOOM_ELEM_DATA, p, n);
	return KB_OK;
}

void spv_bloom_elems_add_outpoint(struct spv_bloom_elems *e, const struct wallet_outpoint *op)
{
	uint8_t b[36];
	outpoint_bytes(b, op);
	elems_push(e, SPV_BLOOM_ELEM_OUTPOINT, b, sizeof b);
}

enum kb_rc spv_bloom_elems_add_script(struct spv_bloom_elems *e, const uint8_t *spk, size_t n)
{
	struct wallet_script_info info;
	switch (wallet_script_classify(spk, n, &info)) {
	case WALLET_SCRIPT_P2PK:
	case WALLET_SCRIPT_P2PKH:
	case WALLET_SCRIPT_P2SH:
	case WALLET_SCRIPT_P2WPKH:
	case WALLET_SCRIPT_P2WSH:
	case WALLET_SCRIPT_P2TR:
		break;
	default:
		return KB_EUNSUPPORTED;
	}
	if (!info.data || info.data_len == 0 || info.data_len > SPV_BLOOM_ELEM_MAX)
		return KB_EUNSUPPORTED;
	elems_push(e, SPV_BLOOM_ELEM_DATA, info.data, info.data_len);
	return KB_OK;
}

size_t spv_bloom_elems_count(struct spv_bloom_elems *e)
{
	elems_sort(e);
	return e->n;
}

bool spv_bloom_elems_has(struct spv_bloom_elems *e, enum spv_bloom_elem_kind kind,
                         const uint8_t *p, size_t n)
{
	if (n == 0 || n > SPV_BLOOM_ELEM_MAX)
		return false;
	elems_sort(e);
	if (e->n == 0)
		return false;
	struct spv_bloom_elem key;
	memset(&key, 0, sizeof key);
	key.kind = (uint8_t)kind;
	key.len = (uint8_t)n;
	memcpy(key.b, p, n);
	return bsearch(&key, e->v, e->n, sizeof *e->v, elem_cmp) != NULL;
}

/* ---- the policy filter ------------------------------------------------------------------- */

uint32_t spv_bloom_bucket(size_t n)
{
	if (n <= 8)
		return 8;
	if (n > UINT32_MAX / 2)
		return UINT32_MAX;
	/* the step is 2^k with 8 * 2^k <= n < 16 * 2^k: one eighth of the
	 * octave n lies in */
	uint64_t step = 1;
	while (step * 16 <= n)
		step *= 2;
	uint64_t b = (n + step - 1) / step * step;
	return b > UINT32_MAX ? UINT32_MAX : (uint32_t)b;
}

enum kb_rc spv_bloom_build(struct spv_bloom *f, struct spv_bloom_elems *e, double fp_rate,
                           uint32_t tweak, uint8_t flags)
{
	if (fp_rate == 0.0)
		fp_rate = SPV_BLOOM_DEFAULT_FP_RATE;
	size_t count = spv_bloom_elems_count(e);
	enum kb_rc rc = spv_bloom_init(f, spv_bloom_bucket(count), fp_rate, tweak, flags);
	if (rc != KB_OK)
		return rc;
	for (size_t i = 0; i < e->n; i++)
		spv_bloom_insert(f, e->v[i].b, e->v[i].len);
	if (spv_bloom_fp_rate(f) > 10 * fp_rate) {
		memset(f, 0, sizeof *f);
		return KB_ELIMIT;
	}
	return KB_OK;
}

/* ---- explaining matches -------------------------------------------------------------------- */

const char *spv_bloom_match_str(enum spv_bloom_match m)
{
	switch (m) {
	case SPV_BLOOM_MATCH_EXPLAINED: return "explained by a wallet element";
	case SPV_BLOOM_MATCH_FALSE_POSITIVE: return "false positive";
	case SPV_BLOOM_MATCH_NONE: return "does not match the filter";
	}
	return "?";
}

static bool script_has_elem(struct spv_bloom_elems *e, const struct wallet_bytes *s)
{
	size_t pos = 0;
	uint8_t op;
	const uint8_t *d;
	size_t dl;
	while (pos < s->len) {
		if (!script_op(s->p, s->len, &pos, &op, &d, &dl))
			break;
		if (dl != 0 && spv_bloom_elems_has(e, SPV_BLOOM_ELEM_DATA, d, dl))
			return true;
	}
	return false;
}

bool spv_bloom_explains(struct spv_bloom_elems *e, const struct wallet_tx *tx,
                        const struct hash256 *txid)
{
	struct hash256 h;
	if (txid)
		h = *txid;
	else
		wallet_tx_txid(tx, &h);
	if (spv_bloom_elems_has(e, SPV_BLOOM_ELEM_DATA, h.b, 32))
		return true;
	for (size_t i = 0; i < tx->out_count; i++)
		if (script_has_elem(e, &tx->out[i].script_pubkey))
			return true;
	for (size_t i = 0; i < tx->in_count; i++) {
		uint8_t b[36];
		outpoint_bytes(b, &tx->in[i].prevout);
		if (spv_bloom_elems_has(e, SPV_BLOOM_ELEM_OUTPOINT, b, sizeof b))
			return true;
		if (script_has_elem(e, &tx->in[i].script_sig))
			return true;
	}
	return false;
}

enum spv_bloom_match spv_bloom_classify(const struct spv_bloom *f, struct spv_bloom_elems *e,
                                        const struct wallet_tx *tx,
                                        const struct hash256 *txid)
{
	struct hash256 h;
	if (txid)
		h = *txid;
	else
		wallet_tx_txid(tx, &h);
	if (spv_bloom_explains(e, tx, &h))
		return SPV_BLOOM_MATCH_EXPLAINED;
	/* a pure query: f is the peer's filter as loaded and stays so */
	return relevant(f, NULL, tx, &h) ? SPV_BLOOM_MATCH_FALSE_POSITIVE : SPV_BLOOM_MATCH_NONE;
}

/* ---- the suspicion rule ---------------------------------------------------------------------- */

void spv_bloom_suspicion_init(struct spv_bloom_suspicion *s)
{
	memset(s, 0, sizeof *s);
}

void spv_bloom_suspicion_add_block(struct spv_bloom_suspicion *s, uint32_t total_txs,
                                   double fp_rate)
{
	if (!(fp_rate >= 0.0))
		fp_rate = 0.0;
	if (fp_rate > 1.0)
		fp_rate = 1.0;
	s->block_txs += total_txs;
	s->lambda += fp_rate * (double)total_txs * SPV_BLOOM_ITEMS_PER_TX;
}

void spv_bloom_suspicion_add_tx(struct spv_bloom_suspicion *s, enum spv_bloom_match m,
                                bool in_block)
{
	switch (m) {
	case SPV_BLOOM_MATCH_EXPLAINED:
		s->explained++;
		break;
	case SPV_BLOOM_MATCH_FALSE_POSITIVE:
		if (in_block && s->unexplained < UINT32_MAX)
			s->unexplained++;
		break;
	case SPV_BLOOM_MATCH_NONE:
		if (s->unmatched < UINT32_MAX)
			s->unmatched++;
		break;
	}
}

double spv_bloom_poisson_tail(double lambda, uint32_t k)
{
	if (k == 0)
		return 1.0;
	if (!(lambda > 0.0))
		return 0.0;
	if ((double)k <= lambda)
		return 1.0; /* at or below the mean: never suspicious; the tail is >= ~0.5 */
	/* sum of e^-lambda lambda^i / i! for i >= k, in logs; past the mean the
	 * terms fall at least geometrically, so the sum ends quickly */
	double sum = 0.0;
	for (uint64_t i = k; i < (uint64_t)k + 100000; i++) {
		double t = exp(-lambda + (double)i * log(lambda) - lgamma((double)i + 1.0));
		sum += t;
		if (t < sum * 1e-17)
			break;
	}
	return sum > 1.0 ? 1.0 : sum;
}

bool spv_bloom_suspicion_is_suspicious(const struct spv_bloom_suspicion *s)
{
	if (s->unmatched > 0)
		return true;
	if (s->unexplained < SPV_BLOOM_SUSPICION_MIN)
		return false;
	return spv_bloom_poisson_tail(SPV_BLOOM_SUSPICION_SLACK * s->lambda, s->unexplained) <
	       SPV_BLOOM_SUSPICION_ALPHA;
}
