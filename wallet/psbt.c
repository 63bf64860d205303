#include "wallet/psbt.h"

#include "wallet/base64.h"
#include "wallet/cursor.h"
#include "wallet/hash.h"
#include "wallet/mem.h"
#include "wallet/secp.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const uint8_t magic[5] = { 'p', 's', 'b', 't', 0xff };

/* Record types only validated here (BIP370, BIP371, BIP373). */
enum {
	G_TX_VERSION = 0x02, G_FALLBACK_LOCKTIME = 0x03, G_INPUT_COUNT = 0x04,
	G_OUTPUT_COUNT = 0x05, G_TX_MODIFIABLE = 0x06, PROPRIETARY = 0xfc,
	IN_RIPEMD160 = 0x0a, IN_SHA256 = 0x0b, IN_HASH160 = 0x0c, IN_HASH256 = 0x0d,
	IN_PREVIOUS_TXID = 0x0e, IN_OUTPUT_INDEX = 0x0f, IN_SEQUENCE = 0x10,
	IN_TIME_LOCKTIME = 0x11, IN_HEIGHT_LOCKTIME = 0x12, IN_TAP_SCRIPT_SIG = 0x14,
	IN_TAP_LEAF_SCRIPT = 0x15, IN_TAP_MERKLE_ROOT = 0x18, IN_MUSIG2_PARTICIPANTS = 0x1a,
	IN_MUSIG2_PUB_NONCE = 0x1b, IN_MUSIG2_PARTIAL_SIG = 0x1c,
	OUT_AMOUNT = 0x03, OUT_SCRIPT = 0x04, OUT_TAP_TREE = 0x06, OUT_MUSIG2_PARTICIPANTS = 0x08,
};

#define LOCKTIME_THRESHOLD 500000000u
#define TAPROOT_MAX_DEPTH 128

/* ---- maps ---- */

static void map_clear(struct wallet_psbt_map *m)
{
	for (size_t i = 0; i < m->count; i++) {
		kb_free(m->kv[i].key);
		kb_free(m->kv[i].val);
	}
	kb_free(m->kv);
	memset(m, 0, sizeof *m);
}

static void map_append(struct wallet_psbt_map *m, const uint8_t *key, size_t keylen,
                       const uint8_t *val, size_t vallen)
{
	if (m->count == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 8;
		m->kv = kb_realloc(m->kv, m->cap * sizeof *m->kv);
	}
	struct wallet_psbt_kv *kv = &m->kv[m->count++];
	kv->key = kb_malloc(keylen);
	memcpy(kv->key, key, keylen);
	kv->keylen = keylen;
	kv->val = NULL;
	kv->vallen = vallen;
	if (vallen) {
		kv->val = kb_malloc(vallen);
		memcpy(kv->val, val, vallen);
	}
}

static int key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = n ? memcmp(a, b, n) : 0;
	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

const struct wallet_psbt_kv *wallet_psbt_map_get(const struct wallet_psbt_map *m,
                                                 const uint8_t *key, size_t keylen)
{
	for (size_t i = 0; i < m->count; i++)
		if (key_cmp(m->kv[i].key, m->kv[i].keylen, key, keylen) == 0)
			return &m->kv[i];
	return NULL;
}

const struct wallet_psbt_kv *wallet_psbt_map_get_type(const struct wallet_psbt_map *m, uint8_t type)
{
	return wallet_psbt_map_get(m, &type, 1);
}

void wallet_psbt_map_set(struct wallet_psbt_map *m, const uint8_t *key, size_t keylen,
                         const uint8_t *val, size_t vallen)
{
	for (size_t i = 0; i < m->count; i++) {
		int c = key_cmp(m->kv[i].key, m->kv[i].keylen, key, keylen);
		if (c == 0) {
			kb_free(m->kv[i].val);
			m->kv[i].val = NULL;
			if (vallen) {
				m->kv[i].val = kb_malloc(vallen);
				memcpy(m->kv[i].val, val, vallen);
			}
			m->kv[i].vallen = vallen;
			return;
		}
		if (c > 0) {
			map_append(m, key, keylen, val, vallen);
			struct wallet_psbt_kv t = m->kv[m->count - 1];
			memmove(&m->kv[i + 1], &m->kv[i], (m->count - 1 - i) * sizeof *m->kv);
			m->kv[i] = t;
			return;
		}
	}
	map_append(m, key, keylen, val, vallen);
}

uint64_t wallet_psbt_kv_type(const struct wallet_psbt_kv *kv)
{
	struct cursor c;
	cursor_init(&c, kv->key, kv->keylen);
	return cursor_varint(&c);
}

void wallet_psbt_map_del_type(struct wallet_psbt_map *m, uint8_t type)
{
	size_t o = 0;
	for (size_t i = 0; i < m->count; i++) {
		if (wallet_psbt_kv_type(&m->kv[i]) == type) {
			kb_free(m->kv[i].key);
			kb_free(m->kv[i].val);
		} else {
			m->kv[o++] = m->kv[i];
		}
	}
	m->count = o;
}

void wallet_psbt_init(struct wallet_psbt *p)
{
	memset(p, 0, sizeof *p);
	wallet_tx_init(&p->tx);
}

void wallet_psbt_clear(struct wallet_psbt *p)
{
	wallet_tx_clear(&p->tx);
	map_clear(&p->global);
	for (size_t i = 0; i < p->in_count; i++)
		map_clear(&p->in[i]);
	for (size_t i = 0; i < p->out_count; i++)
		map_clear(&p->out[i]);
	kb_free(p->in);
	kb_free(p->out);
	wallet_psbt_init(p);
}

/* ---- validation helpers ---- */

struct perr {
	char *buf;
	size_t len;
	bool set;
};

__attribute__((format(printf, 2, 3)))
static bool fail(struct perr *e, const char *fmt, ...)
{
	if (!e->set && e->buf && e->len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->buf, e->len, fmt, ap);
		va_end(ap);
	}
	e->set = true;
	return false;
}

static bool pubkey_valid(const uint8_t *p, size_t n)
{
	secp256k1_pubkey pk;
	if (n != 33 && n != 65)
		return false;
	return secp256k1_ec_pubkey_parse(wallet_secp(), &pk, p, n) == 1;
}

static bool valid_der(const uint8_t *sig, size_t len)
{
	/* BIP66 IsValidSignatureEncoding, sig including the hash type byte. */
	if (len < 9 || len > 73)
		return false;
	if (sig[0] != 0x30 || sig[1] != len - 3)
		return false;
	size_t lenR = sig[3];
	if (5 + lenR >= len)
		return false;
	size_t lenS = sig[5 + lenR];
	if (lenR + lenS + 7 != len)
		return false;
	if (sig[2] != 0x02 || lenR == 0 || (sig[4] & 0x80))
		return false;
	if (lenR > 1 && sig[4] == 0x00 && !(sig[5] & 0x80))
		return false;
	if (sig[lenR + 4] != 0x02 || lenS == 0 || (sig[lenR + 6] & 0x80))
		return false;
	if (lenS > 1 && sig[lenR + 6] == 0x00 && !(sig[lenR + 7] & 0x80))
		return false;
	return true;
}

bool wallet_psbt_sig_encoding_ok(const uint8_t *sig, size_t len)
{
	if (len == 0 || !valid_der(sig, len))
		return false;
	uint8_t ht = sig[len - 1] & (uint8_t)~0x80;
	return ht >= 1 && ht <= 3;
}

bool wallet_psbt_keypath_parse(struct wallet_keypath *kp, const uint8_t *val, size_t len)
{
	memset(kp, 0, sizeof *kp);
	if (len == 0 || len % 4 || len / 4 - 1 > 255)
		return false;
	memcpy(kp->fingerprint, val, 4);
	kp->depth = len / 4 - 1;
	for (size_t i = 0; i < kp->depth; i++) {
		const uint8_t *q = val + 4 + 4 * i;
		kp->path[i] = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
	}
	return true;
}

void wallet_psbt_keypath_serialize(const struct wallet_keypath *kp, struct buf *out)
{
	buf_bytes(out, kp->fingerprint, 4);
	for (size_t i = 0; i < kp->depth; i++)
		buf_u32le(out, kp->path[i]);
}

/* Reads a CompactSize-prefixed byte string from c. */
static const uint8_t *read_vec(struct cursor *c, size_t *len)
{
	uint64_t n = cursor_varint(c);
	if (c->fail || n > c->n) {
		cursor_fail(c);
		*len = 0;
		return NULL;
	}
	*len = (size_t)n;
	return cursor_ptr(c, (size_t)n);
}

/* The value must be exactly n bytes (Core's UnserializeFromVector of a
 * fixed-size field). */
static bool value_is(struct perr *e, size_t vallen, size_t n)
{
	if (vallen != n)
		return fail(e, "Size of value was not the stated size");
	return true;
}

static bool key_is(struct perr *e, size_t keylen, size_t n, const char *what)
{
	if (keylen != n)
		return fail(e, "Size of key was not %zu for the type %s", n, what);
	return true;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool check_keypath_value(struct perr *e, const uint8_t *val, size_t len)
{
	(void)val;
	if (len % 4 || len == 0)
		return fail(e, "Invalid length for HD key path");
	return true;
}

static bool check_bip32_record(struct perr *e, const struct wallet_psbt_kv *kv)
{
	if (kv->keylen != 34 && kv->keylen != 66)
		return fail(e, "Size of key was not the expected size for the type BIP32 keypath");
	if (!pubkey_valid(kv->key + 1, kv->keylen - 1))
		return fail(e, "Invalid pubkey");
	return check_keypath_value(e, kv->val, kv->vallen);
}

static bool check_tap_bip32(struct perr *e, const struct wallet_psbt_kv *kv, const char *ctx)
{
	if (kv->keylen != 33)
		return fail(e, "Size of key was not 33 for the type %s Taproot BIP32 Keypath", ctx);
	struct cursor c;
	cursor_init(&c, kv->val, kv->vallen);
	size_t n = cursor_count(&c, kv->vallen / 32, 32);
	cursor_skip(&c, 32 * n);
	if (c.fail)
		return fail(e, "%s Taproot BIP32 keypath has an invalid length", ctx);
	return check_keypath_value(e, c.p, c.n);
}

static bool check_proprietary(struct perr *e, const struct wallet_psbt_kv *kv)
{
	struct cursor c;
	cursor_init(&c, kv->key, kv->keylen);
	(void)cursor_varint(&c);
	size_t idlen;
	(void)read_vec(&c, &idlen);
	(void)cursor_varint(&c);
	if (c.fail)
		return fail(e, "Malformed proprietary key");
	return true;
}

static bool check_musig_participants(struct perr *e, const struct wallet_psbt_kv *kv, const char *ctx)
{
	if (kv->keylen != 34)
		return fail(e, "Size of key was not 34 for the type %s MuSig2 Participants Pubkeys", ctx);
	if (!pubkey_valid(kv->key + 1, 33))
		return fail(e, "%s musig2 aggregate pubkey is invalid", ctx);
	size_t n = kv->vallen / 33;
	for (size_t i = 0; i < n; i++)
		if (!pubkey_valid(kv->val + 33 * i, 33))
			return fail(e, "%s musig2 participant pubkey is invalid", ctx);
	if (kv->vallen % 33)
		return fail(e, "%s musig2 participants pubkeys value size is not a multiple of 33", ctx);
	return true;
}

static bool check_musig_ident(struct perr *e, const struct wallet_psbt_kv *kv, const char *what)
{
	if (kv->keylen != 67 && kv->keylen != 99)
		return fail(e, "Input musig2 %s key is not expected size of 67 or 99 bytes", what);
	/* participant key, then aggregate key, then an optional leaf hash */
	if (!pubkey_valid(kv->key + 34, 33))
		return fail(e, "musig2 aggregate pubkey is invalid");
	if (!pubkey_valid(kv->key + 1, 33))
		return fail(e, "musig2 participant pubkey is invalid");
	return true;
}

/* Core's TaprootBuilder completeness, without the hashing: the leaves'
 * depths must describe a DFS walk of a full binary tree. */
static bool tap_tree_complete(const uint8_t *val, size_t len, struct perr *e)
{
	bool branch[TAPROOT_MAX_DEPTH + 2];
	size_t size = 0;
	bool valid = true;
	struct cursor c;
	cursor_init(&c, val, len);
	if (len == 0)
		return fail(e, "Output Taproot tree must not be empty");
	while (c.n > 0) {
		uint8_t depth = cursor_u8(&c);
		uint8_t leaf_ver = cursor_u8(&c);
		size_t slen;
		(void)read_vec(&c, &slen);
		if (c.fail)
			return fail(e, "Output Taproot tree is malformed");
		if (depth > TAPROOT_MAX_DEPTH)
			return fail(e, "Output Taproot tree has as leaf greater than Taproot maximum depth");
		if (leaf_ver & 1)
			return fail(e, "Output Taproot tree has a leaf with an invalid leaf version");
		if (!valid)
			continue;
		int d = depth;
		if ((size_t)d + 1 < size) {
			valid = false;
			continue;
		}
		while (valid && size > (size_t)d && branch[d]) {
			size--; /* combine with the sibling and move up */
			if (d == 0)
				valid = false;
			d--;
		}
		if (valid) {
			while (size <= (size_t)d)
				branch[size++] = false;
			branch[d] = true;
		}
	}
	if (!valid || !(size == 0 || (size == 1 && branch[0])))
		return fail(e, "Output Taproot tree is malformed");
	return true;
}

/* Parses a legacy (no-witness) serialisation, as Core reads the global
 * unsigned transaction: a zero input count is not a segwit marker. */
static bool parse_tx_no_witness(struct wallet_tx *tx, const uint8_t *p, size_t len)
{
	struct cursor c;
	cursor_init(&c, p, len);
	wallet_tx_init(tx);
	tx->version = cursor_i32le(&c);
	size_t nin = cursor_count(&c, len, WALLET_TX_MIN_INPUT_SIZE);
	for (size_t i = 0; i < nin && !c.fail; i++) {
		struct wallet_outpoint op;
		cursor_bytes(&c, op.txid.b, 32);
		op.n = cursor_u32le(&c);
		size_t sl;
		const uint8_t *s = read_vec(&c, &sl);
		uint32_t seq = cursor_u32le(&c);
		if (c.fail)
			break;
		wallet_tx_add_input(tx, &op, s, sl, seq);
	}
	size_t nout = cursor_count(&c, len, WALLET_TX_MIN_OUTPUT_SIZE);
	for (size_t i = 0; i < nout && !c.fail; i++) {
		int64_t v = cursor_i64le(&c);
		size_t sl;
		const uint8_t *s = read_vec(&c, &sl);
		if (c.fail)
			break;
		wallet_tx_add_output(tx, v, s, sl);
	}
	tx->locktime = cursor_u32le(&c);
	if (!cursor_done(&c)) {
		wallet_tx_clear(tx);
		return false;
	}
	return true;
}

/* Reads one map (records up to the 0x00 separator) from c into m,
 * rejecting duplicate keys. */
static bool read_map(struct cursor *c, struct wallet_psbt_map *m, struct perr *e, const char *ctx)
{
	for (;;) {
		size_t keylen, vallen;
		const uint8_t *key = read_vec(c, &keylen);
		if (c->fail)
			return fail(e, "Separator is missing at the end of %s map", ctx);
		if (keylen == 0)
			return true;
		const uint8_t *val = read_vec(c, &vallen);
		if (c->fail)
			return fail(e, "Malformed %s record: the value runs past the end", ctx);
		struct cursor kc;
		cursor_init(&kc, key, keylen);
		(void)cursor_varint(&kc);
		if (kc.fail)
			return fail(e, "Malformed %s key type", ctx);
		if (wallet_psbt_map_get(m, key, keylen)) {
			char hex[41] = "";
			for (size_t i = 0; i < keylen && i < 20; i++)
				snprintf(hex + 2 * i, 3, "%02x", key[i]);
			return fail(e, "Duplicate Key, %s key \"%s\" already provided", ctx, hex);
		}
		map_append(m, key, keylen, val, vallen);
	}
}

static bool check_global(struct wallet_psbt *p, struct perr *e, uint64_t *in_count, uint64_t *out_count)
{
	bool have_tx = false, have_ver = false, have_txver = false, have_fallback = false;
	bool have_incount = false, have_outcount = false, have_mod = false;
	for (size_t i = 0; i < p->global.count; i++) {
		const struct wallet_psbt_kv *kv = &p->global.kv[i];
		uint64_t type = wallet_psbt_kv_type(kv);
		struct cursor vc;
		cursor_init(&vc, kv->val, kv->vallen);
		switch (type) {
		case PSBT_GLOBAL_UNSIGNED_TX:
			if (!key_is(e, kv->keylen, 1, "Global Unsigned TX"))
				return false;
			if (!parse_tx_no_witness(&p->tx, kv->val, kv->vallen))
				return fail(e, "Global unsigned transaction is malformed");
			for (size_t k = 0; k < p->tx.in_count; k++)
				if (p->tx.in[k].script_sig.len || p->tx.in[k].witness_count)
					return fail(e, "Unsigned tx does not have empty scriptSigs and scriptWitnesses.");
			have_tx = true;
			*in_count = p->tx.in_count;
			*out_count = p->tx.out_count;
			break;
		case G_TX_VERSION:
			if (!key_is(e, kv->keylen, 1, "Global Transaction Version") || !value_is(e, kv->vallen, 4))
				return false;
			have_txver = true;
			break;
		case G_FALLBACK_LOCKTIME:
			if (!key_is(e, kv->keylen, 1, "Global Fallback Locktime") || !value_is(e, kv->vallen, 4))
				return false;
			have_fallback = true;
			break;
		case G_INPUT_COUNT:
		case G_OUTPUT_COUNT:
			if (!key_is(e, kv->keylen, 1, type == G_INPUT_COUNT ? "Global Input Count" : "Global Output Count"))
				return false;
			*(type == G_INPUT_COUNT ? in_count : out_count) = cursor_varint(&vc);
			if (!cursor_done(&vc))
				return fail(e, "Size of value was not the stated size");
			*(type == G_INPUT_COUNT ? &have_incount : &have_outcount) = true;
			break;
		case G_TX_MODIFIABLE:
			if (!key_is(e, kv->keylen, 1, "Global TX Modifiable Flags") || !value_is(e, kv->vallen, 1))
				return false;
			have_mod = true;
			break;
		case PSBT_GLOBAL_XPUB:
			if (!key_is(e, kv->keylen, 79, "Global XPUB"))
				return false;
			if (!pubkey_valid(kv->key + 1 + 45, 33))
				return fail(e, "Invalid pubkey");
			if (!check_keypath_value(e, kv->val, kv->vallen))
				return false;
			break;
		case PSBT_GLOBAL_VERSION:
			if (!key_is(e, kv->keylen, 1, "Global PSBT Version") || !value_is(e, kv->vallen, 4))
				return false;
			p->version = le32(kv->val);
			if (p->version > 2)
				return fail(e, "Unsupported version number");
			have_ver = true;
			break;
		case PROPRIETARY:
			if (!check_proprietary(e, kv))
				return false;
			break;
		default:
			break;
		}
	}
	(void)have_ver;
	if (p->version == 0) {
		if (!have_tx)
			return fail(e, "No unsigned transaction was provided");
		if (have_txver)
			return fail(e, "PSBT_GLOBAL_TX_VERSION is not allowed in PSBTv0");
		if (have_fallback)
			return fail(e, "PSBT_GLOBAL_FALLBACK_LOCKTIME is not allowed in PSBTv0");
		if (have_incount)
			return fail(e, "PSBT_GLOBAL_INPUT_COUNT is not allowed in PSBTv0");
		if (have_outcount)
			return fail(e, "PSBT_GLOBAL_OUTPUT_COUNT is not allowed in PSBTv0");
		if (have_mod)
			return fail(e, "PSBT_GLOBAL_TX_MODIFIABLE is not allowed in PSBTv0");
	}
	if (p->version == 1)
		return fail(e, "There is no PSBT version 1");
	if (p->version == 2) {
		if (!have_txver)
			return fail(e, "PSBT_GLOBAL_TX_VERSION is required in PSBTv2");
		if (!have_incount)
			return fail(e, "PSBT_GLOBAL_INPUT_COUNT is required in PSBTv2");
		if (!have_outcount)
			return fail(e, "PSBT_GLOBAL_OUTPUT_COUNT is required in PSBTv2");
		if (have_tx)
			return fail(e, "PSBT_GLOBAL_UNSIGNED_TX is not allowed in PSBTv2");
	}
	return true;
}

static bool check_input(const struct wallet_psbt *p, size_t idx, struct perr *e)
{
	const struct wallet_psbt_map *m = &p->in[idx];
	bool have_prev_txid = false, have_prev_out = false;
	struct hash256 prev_txid = { { 0 } };
	uint32_t prev_out = 0;
	const struct wallet_psbt_kv *nwu = NULL;
	for (size_t i = 0; i < m->count; i++) {
		const struct wallet_psbt_kv *kv = &m->kv[i];
		uint64_t type = wallet_psbt_kv_type(kv);
		struct cursor vc;
		cursor_init(&vc, kv->val, kv->vallen);
		size_t n;
		switch (type) {
		case PSBT_IN_NON_WITNESS_UTXO: {
			if (!key_is(e, kv->keylen, 1, "Input Non-witness UTXO"))
				return false;
			struct wallet_tx t;
			if (wallet_tx_parse(&t, kv->val, kv->vallen) != KB_OK)
				return fail(e, "Input non-witness UTXO is not a valid transaction");
			wallet_tx_clear(&t);
			nwu = kv;
			break;
		}
		case PSBT_IN_WITNESS_UTXO:
			if (!key_is(e, kv->keylen, 1, "Input Witness UTXO"))
				return false;
			(void)cursor_i64le(&vc);
			(void)read_vec(&vc, &n);
			if (!cursor_done(&vc))
				return fail(e, "Size of value was not the stated size");
			break;
		case PSBT_IN_PARTIAL_SIG:
			if (kv->keylen != 34 && kv->keylen != 66)
				return fail(e, "Size of key was not the expected size for the type partial signature pubkey");
			if (!pubkey_valid(kv->key + 1, kv->keylen - 1))
				return fail(e, "Invalid pubkey");
			if (!wallet_psbt_sig_encoding_ok(kv->val, kv->vallen))
				return fail(e, "Signature is not a valid encoding");
			break;
		case PSBT_IN_SIGHASH:
			if (!key_is(e, kv->keylen, 1, "Input Sighash Type") || !value_is(e, kv->vallen, 4))
				return false;
			break;
		case PSBT_IN_REDEEMSCRIPT:
		case PSBT_IN_WITNESSSCRIPT:
		case PSBT_IN_SCRIPTSIG:
			if (!key_is(e, kv->keylen, 1, type == PSBT_IN_REDEEMSCRIPT ? "Input redeemScript" :
			            type == PSBT_IN_WITNESSSCRIPT ? "Input witnessScript" : "Input Final scriptSig"))
				return false;
			break;
		case PSBT_IN_BIP32_DERIVATION:
			if (!check_bip32_record(e, kv))
				return false;
			break;
		case PSBT_IN_SCRIPTWITNESS: {
			if (!key_is(e, kv->keylen, 1, "Input Final scriptWitness"))
				return false;
			size_t items = cursor_count(&vc, kv->vallen, 1);
			for (size_t k = 0; k < items && !vc.fail; k++)
				(void)read_vec(&vc, &n);
			if (!cursor_done(&vc))
				return fail(e, "Size of value was not the stated size");
			break;
		}
		case IN_RIPEMD160:
		case IN_HASH160:
			if (!key_is(e, kv->keylen, 21, type == IN_RIPEMD160 ? "Input RIPEMD160 Preimage" : "Input Hash160 Preimage"))
				return false;
			break;
		case IN_SHA256:
		case IN_HASH256:
			if (!key_is(e, kv->keylen, 33, type == IN_SHA256 ? "Input SHA256 Preimage" : "Input Hash256 Preimage"))
				return false;
			break;
		case IN_PREVIOUS_TXID:
			if (!key_is(e, kv->keylen, 1, "Input Previous TXID"))
				return false;
			if (p->version < 2)
				return fail(e, "Previous txid is not allowed in PSBTv0");
			if (!value_is(e, kv->vallen, 32))
				return false;
			memcpy(prev_txid.b, kv->val, 32);
			have_prev_txid = true;
			break;
		case IN_OUTPUT_INDEX:
			if (!key_is(e, kv->keylen, 1, "Input Previous Output's Index"))
				return false;
			if (p->version < 2)
				return fail(e, "Previous output's index is not allowed in PSBTv0");
			if (!value_is(e, kv->vallen, 4))
				return false;
			prev_out = le32(kv->val);
			have_prev_out = true;
			break;
		case IN_SEQUENCE:
			if (!key_is(e, kv->keylen, 1, "Input Sequence"))
				return false;
			if (p->version < 2)
				return fail(e, "Sequence is not allowed in PSBTv0");
			if (!value_is(e, kv->vallen, 4))
				return false;
			break;
		case IN_TIME_LOCKTIME:
			if (!key_is(e, kv->keylen, 1, "Input Required Time Based Locktime"))
				return false;
			if (p->version < 2)
				return fail(e, "Required time based locktime is not allowed in PSBTv0");
			if (!value_is(e, kv->vallen, 4))
				return false;
			if (le32(kv->val) < LOCKTIME_THRESHOLD)
				return fail(e, "Required time based locktime is invalid (less than 500000000)");
			break;
		case IN_HEIGHT_LOCKTIME:
			if (!key_is(e, kv->keylen, 1, "Input Required Height Based Locktime"))
				return false;
			if (p->version < 2)
				return fail(e, "Required height based locktime is not allowed in PSBTv0");
			if (!value_is(e, kv->vallen, 4))
				return false;
			if (le32(kv->val) >= LOCKTIME_THRESHOLD)
				return fail(e, "Required height based locktime is invalid (greater than or equal to 500000000)");
			if (le32(kv->val) == 0)
				return fail(e, "Required height based locktime is invalid (0)");
			break;
		case PSBT_IN_TAP_KEY_SIG:
			if (!key_is(e, kv->keylen, 1, "Input Taproot Key Path Signature"))
				return false;
			if (kv->vallen < 64)
				return fail(e, "Input Taproot key path signature is shorter than 64 bytes");
			if (kv->vallen > 65)
				return fail(e, "Input Taproot key path signature is longer than 65 bytes");
			break;
		case IN_TAP_SCRIPT_SIG:
			if (!key_is(e, kv->keylen, 65, "Input Taproot Script Path Signature"))
				return false;
			if (kv->vallen < 64)
				return fail(e, "Input Taproot script path signature is shorter than 64 bytes");
			if (kv->vallen > 65)
				return fail(e, "Input Taproot script path signature is longer than 65 bytes");
			break;
		case IN_TAP_LEAF_SCRIPT:
			if (kv->keylen < 34)
				return fail(e, "Input Taproot leaf script key is not at least 34 bytes");
			if ((kv->keylen - 2) % 32 != 0)
				return fail(e, "Input Taproot leaf script key's control block size is not valid");
			if (kv->vallen == 0)
				return fail(e, "Input Taproot leaf script must be at least 1 byte");
			break;
		case PSBT_IN_TAP_BIP32_DERIVATION:
			if (!check_tap_bip32(e, kv, "Input"))
				return false;
			break;
		case PSBT_IN_TAP_INTERNAL_KEY:
			if (!key_is(e, kv->keylen, 1, "Input Taproot Internal Key") || !value_is(e, kv->vallen, 32))
				return false;
			break;
		case IN_TAP_MERKLE_ROOT:
			if (!key_is(e, kv->keylen, 1, "Input Taproot Merkle Root") || !value_is(e, kv->vallen, 32))
				return false;
			break;
		case IN_MUSIG2_PARTICIPANTS:
			if (!check_musig_participants(e, kv, "Input"))
				return false;
			break;
		case IN_MUSIG2_PUB_NONCE:
			if (!check_musig_ident(e, kv, "pubnonce"))
				return false;
			if (kv->vallen != 66)
				return fail(e, "Input musig2 pubnonce value is not 66 bytes");
			break;
		case IN_MUSIG2_PARTIAL_SIG:
			if (!check_musig_ident(e, kv, "partial sig"))
				return false;
			if (!value_is(e, kv->vallen, 32))
				return false;
			break;
		case PROPRIETARY:
			if (!check_proprietary(e, kv))
				return false;
			break;
		default:
			break;
		}
	}
	if (p->version >= 2) {
		if (!have_prev_txid)
			return fail(e, "Previous TXID is required in PSBTv2");
		if (!have_prev_out)
			return fail(e, "Previous output's index is required in PSBTv2");
	} else {
		prev_txid = p->tx.in[idx].prevout.txid;
		prev_out = p->tx.in[idx].prevout.n;
	}
	if (nwu) {
		struct wallet_tx t;
		struct hash256 id;
		if (wallet_tx_parse(&t, nwu->val, nwu->vallen) != KB_OK)
			return fail(e, "Input non-witness UTXO is not a valid transaction");
		wallet_tx_txid(&t, &id);
		size_t nout = t.out_count;
		wallet_tx_clear(&t);
		if (memcmp(id.b, prev_txid.b, 32) != 0)
			return fail(e, "Non-witness UTXO does not match outpoint hash");
		if (prev_out >= nout)
			return fail(e, "Input specifies output index that does not exist");
	}
	return true;
}

static bool check_output(const struct wallet_psbt *p, size_t idx, struct perr *e)
{
	const struct wallet_psbt_map *m = &p->out[idx];
	bool have_amount = false, have_script = false;
	for (size_t i = 0; i < m->count; i++) {
		const struct wallet_psbt_kv *kv = &m->kv[i];
		uint64_t type = wallet_psbt_kv_type(kv);
		switch (type) {
		case PSBT_OUT_REDEEMSCRIPT:
		case PSBT_OUT_WITNESSSCRIPT:
			if (!key_is(e, kv->keylen, 1, type == PSBT_OUT_REDEEMSCRIPT ? "Output redeemScript" : "Output witnessScript"))
				return false;
			break;
		case PSBT_OUT_BIP32_DERIVATION:
			if (!check_bip32_record(e, kv))
				return false;
			break;
		case OUT_AMOUNT:
			if (!key_is(e, kv->keylen, 1, "Output Amount"))
				return false;
			if (p->version < 2)
				return fail(e, "Output amount is not allowed in PSBTv0");
			if (!value_is(e, kv->vallen, 8))
				return false;
			have_amount = true;
			break;
		case OUT_SCRIPT:
			if (!key_is(e, kv->keylen, 1, "Output Script"))
				return false;
			if (p->version < 2)
				return fail(e, "Output script is not allowed in PSBTv0");
			have_script = true;
			break;
		case PSBT_OUT_TAP_INTERNAL_KEY:
			if (!key_is(e, kv->keylen, 1, "Output Taproot Internal Key") || !value_is(e, kv->vallen, 32))
				return false;
			break;
		case OUT_TAP_TREE:
			if (!key_is(e, kv->keylen, 1, "Output Taproot Tree Key"))
				return false;
			if (!tap_tree_complete(kv->val, kv->vallen, e))
				return false;
			break;
		case PSBT_OUT_TAP_BIP32_DERIVATION:
			if (!check_tap_bip32(e, kv, "Output"))
				return false;
			break;
		case OUT_MUSIG2_PARTICIPANTS:
			if (!check_musig_participants(e, kv, "Output"))
				return false;
			break;
		case PROPRIETARY:
			if (!check_proprietary(e, kv))
				return false;
			break;
		default:
			break;
		}
	}
	if (p->version >= 2) {
		if (!have_amount)
			return fail(e, "Output amount is required in PSBTv2");
		if (!have_script)
			return fail(e, "Output script is required in PSBTv2");
	}
	return true;
}

enum kb_rc wallet_psbt_parse(struct wallet_psbt *p, const uint8_t *data, size_t len,
                             char *err, size_t errlen)
{
	struct perr e = { err, errlen, false };
	if (err && errlen)
		err[0] = '\0';
	wallet_psbt_init(p);
	if (len > WALLET_PSBT_MAX_SIZE) {
		fail(&e, "PSBT is larger than %u bytes", WALLET_PSBT_MAX_SIZE);
		return KB_ELIMIT;
	}
	struct cursor c;
	cursor_init(&c, data, len);
	const uint8_t *m = cursor_ptr(&c, 5);
	if (!m || memcmp(m, magic, 5) != 0) {
		fail(&e, "Invalid PSBT magic bytes");
		return KB_EPARSE;
	}
	uint64_t in_count = 0, out_count = 0;
	if (!read_map(&c, &p->global, &e, "global") || !check_global(p, &e, &in_count, &out_count))
		goto bad;
	/* Every map takes at least its separator byte: bound the counts by
	 * what remains before allocating. */
	if (in_count > c.n || out_count > c.n - (in_count < c.n ? in_count : c.n)) {
		fail(&e, in_count > c.n ? "Inputs provided does not match the number of inputs in transaction."
		                        : "Outputs provided does not match the number of outputs in transaction.");
		goto bad;
	}
	p->in = kb_calloc((size_t)in_count, sizeof *p->in);
	for (size_t i = 0; i < in_count; i++) {
		if (c.n == 0) {
			fail(&e, "Inputs provided does not match the number of inputs in transaction.");
			goto bad;
		}
		p->in_count++;
		if (!read_map(&c, &p->in[i], &e, "input") || !check_input(p, i, &e))
			goto bad;
	}
	p->out = kb_calloc((size_t)out_count, sizeof *p->out);
	for (size_t i = 0; i < out_count; i++) {
		if (c.n == 0) {
			fail(&e, "Outputs provided does not match the number of outputs in transaction.");
			goto bad;
		}
		p->out_count++;
		if (!read_map(&c, &p->out[i], &e, "output") || !check_output(p, i, &e))
			goto bad;
	}
	if (!cursor_done(&c)) {
		fail(&e, "extra data after PSBT");
		goto bad;
	}
	return KB_OK;
bad:
	wallet_psbt_clear(p);
	return KB_EPARSE;
}

enum kb_rc wallet_psbt_parse_any(struct wallet_psbt *p, const uint8_t *data, size_t len,
                                 char *err, size_t errlen)
{
	if (len >= 5 && memcmp(data, magic, 5) == 0)
		return wallet_psbt_parse(p, data, len, err, errlen);
	wallet_psbt_init(p);
	while (len && (data[0] == ' ' || data[0] == '\n' || data[0] == '\r' || data[0] == '\t')) {
		data++;
		len--;
	}
	while (len && (data[len - 1] == ' ' || data[len - 1] == '\n' || data[len - 1] == '\r' || data[len - 1] == '\t'))
		len--;
	if (len / 4 * 3 > WALLET_PSBT_MAX_SIZE) {
		if (err && errlen)
			snprintf(err, errlen, "PSBT is larger than %u bytes", WALLET_PSBT_MAX_SIZE);
		return KB_ELIMIT;
	}
	size_t cap = wallet_base64_decoded_maxlen(len) + 1, n = 0;
	uint8_t *bin = kb_malloc(cap);
	/* wallet_base64_decode checks the alphabet first: libsodium alone
	 * takes some bytes outside it for base64 characters. */
	if (wallet_base64_decode(bin, cap, &n, (const char *)data, len) != KB_OK) {
		kb_free(bin);
		if (err && errlen)
			snprintf(err, errlen, "not a PSBT: neither base64 text nor binary");
		return KB_EPARSE;
	}
	enum kb_rc rc = wallet_psbt_parse(p, bin, n, err, errlen);
	kb_free(bin);
	return rc;
}

static void write_map(const struct wallet_psbt_map *m, struct buf *out)
{
	for (size_t i = 0; i < m->count; i++) {
		buf_varbytes(out, m->kv[i].key, m->kv[i].keylen);
		buf_varbytes(out, m->kv[i].val, m->kv[i].vallen);
	}
	buf_u8(out, 0x00);
}

void wallet_psbt_serialize(const struct wallet_psbt *p, struct buf *out)
{
	buf_bytes(out, magic, 5);
	write_map(&p->global, out);
	for (size_t i = 0; i < p->in_count; i++)
		write_map(&p->in[i], out);
	for (size_t i = 0; i < p->out_count; i++)
		write_map(&p->out[i], out);
}

void wallet_psbt_to_base64(const struct wallet_psbt *p, struct buf *out)
{
	struct buf raw = BUF_INIT;
	wallet_psbt_serialize(p, &raw);
	size_t n = sodium_base64_encoded_len(raw.len, sodium_base64_VARIANT_ORIGINAL);
	buf_reserve(out, n);
	sodium_bin2base64((char *)out->p + out->len, n, raw.p ? raw.p : (const uint8_t *)"", raw.len,
	                  sodium_base64_VARIANT_ORIGINAL);
	out->len += n - 1;
	buf_cstr(out);
	buf_clear(&raw);
}

enum kb_rc wallet_psbt_from_tx(struct wallet_psbt *p, const struct wallet_tx *tx)
{
	wallet_psbt_init(p);
	for (size_t i = 0; i < tx->in_count; i++)
		if (tx->in[i].script_sig.len || tx->in[i].witness_count)
			return KB_EINVAL;
	wallet_tx_clear(&p->tx);
	wallet_tx_copy(&p->tx, tx);
	struct buf b = BUF_INIT;
	wallet_tx_serialize(tx, &b, false);
	uint8_t k = PSBT_GLOBAL_UNSIGNED_TX;
	map_append(&p->global, &k, 1, b.p, b.len);
	buf_clear(&b);
	p->in_count = tx->in_count;
	p->out_count = tx->out_count;
	p->in = kb_calloc(tx->in_count, sizeof *p->in);
	p->out = kb_calloc(tx->out_count, sizeof *p->out);
	return KB_OK;
}

enum kb_rc wallet_psbt_input_utxo(const struct wallet_psbt *p, size_t i, int64_t *value,
                                  struct buf *spk)
{
	*value = 0;
	buf_reset(spk);
	KB_ASSERT(i < p->in_count);
	const struct wallet_psbt_kv *wu = wallet_psbt_map_get_type(&p->in[i], PSBT_IN_WITNESS_UTXO);
	const struct wallet_psbt_kv *nwu = wallet_psbt_map_get_type(&p->in[i], PSBT_IN_NON_WITNESS_UTXO);
	if (!wu && !(nwu && p->version == 0))
		return KB_ENOTFOUND;
	enum kb_rc rc = KB_OK;
	if (wu) {
		struct cursor c;
		size_t n;
		cursor_init(&c, wu->val, wu->vallen);
		*value = cursor_i64le(&c);
		const uint8_t *s = read_vec(&c, &n);
		if (!cursor_done(&c))
			rc = KB_EPARSE;
		else
			buf_bytes(spk, s, n);
	}
	if (rc == KB_OK && nwu && p->version == 0) {
		struct wallet_tx t;
		if (wallet_tx_parse(&t, nwu->val, nwu->vallen) != KB_OK)
			return KB_EPARSE;
		uint32_t n = p->tx.in[i].prevout.n;
		if (n >= t.out_count) {
			rc = KB_EPARSE;
		} else if (wu) {
			/* Both given: they must agree, or the witness UTXO lies
			 * about the amount (the segwit v0 fee attack). */
			const struct wallet_txout *o = &t.out[n];
			if (o->value != *value || o->script_pubkey.len != spk->len ||
			    (spk->len && memcmp(o->script_pubkey.p, spk->p, spk->len) != 0))
				rc = KB_EPARSE;
		} else {
			*value = t.out[n].value;
			buf_bytes(spk, t.out[n].script_pubkey.p, t.out[n].script_pubkey.len);
		}
		wallet_tx_clear(&t);
	}
	if (rc != KB_OK) {
		*value = 0;
		buf_reset(spk);
	}
	return rc;
}

bool wallet_psbt_input_final(const struct wallet_psbt *p, size_t i)
{
	return wallet_psbt_map_get_type(&p->in[i], PSBT_IN_SCRIPTSIG) ||
	       wallet_psbt_map_get_type(&p->in[i], PSBT_IN_SCRIPTWITNESS);
}

static void merge_map(struct wallet_psbt_map *dst, const struct wallet_psbt_map *src)
{
	for (size_t i = 0; i < src->count; i++)
		if (!wallet_psbt_map_get(dst, src->kv[i].key, src->kv[i].keylen))
			wallet_psbt_map_set(dst, src->kv[i].key, src->kv[i].keylen, src->kv[i].val, src->kv[i].vallen);
}

enum kb_rc wallet_psbt_combine(struct wallet_psbt *dst, const struct wallet_psbt *src,
                               char *err, size_t errlen)
{
	if (dst->version != 0 || src->version != 0) {
		snprintf(err, errlen, "only version 0 PSBTs can be combined");
		return KB_EUNSUPPORTED;
	}
	struct hash256 a, b;
	wallet_tx_txid(&dst->tx, &a);
	wallet_tx_txid(&src->tx, &b);
	if (memcmp(a.b, b.b, 32) != 0 || dst->in_count != src->in_count || dst->out_count != src->out_count) {
		snprintf(err, errlen, "the PSBTs are for different transactions");
		return KB_EINVAL;
	}
	merge_map(&dst->global, &src->global);
	for (size_t i = 0; i < dst->in_count; i++)
		merge_map(&dst->in[i], &src->in[i]);
	for (size_t i = 0; i < dst->out_count; i++)
		merge_map(&dst->out[i], &src->out[i]);
	return KB_OK;
}

static void push_data(struct buf *b, const uint8_t *d, size_t n)
{
	/* Minimal pushes of up to 75 bytes are all finalization needs. */
	KB_ASSERT(n <= 75);
	buf_u8(b, (uint8_t)n);
	buf_bytes(b, d, n);
}

/* Finds a partial signature whose public key hashes to h160. */
static const struct wallet_psbt_kv *sig_for_hash(const struct wallet_psbt_map *m, const uint8_t h160[20])
{
	for (size_t i = 0; i < m->count; i++) {
		const struct wallet_psbt_kv *kv = &m->kv[i];
		if (kv->key[0] != PSBT_IN_PARTIAL_SIG)
			continue;
		uint8_t h[20];
		wallet_hash_hash160(h, kv->key + 1, kv->keylen - 1);
		if (memcmp(h, h160, 20) == 0)
			return kv;
	}
	return NULL;
}

static void finalize_input(struct wallet_psbt_map *m, const uint8_t *script_sig, size_t sslen,
                           const uint8_t *const *wit, const size_t *wlens, size_t wcount)
{
	/* Keep the UTXOs, unknown and proprietary records; drop the rest. */
	static const uint8_t drop[] = {
		PSBT_IN_PARTIAL_SIG, PSBT_IN_SIGHASH, PSBT_IN_REDEEMSCRIPT, PSBT_IN_WITNESSSCRIPT,
		PSBT_IN_BIP32_DERIVATION, IN_RIPEMD160, IN_SHA256, IN_HASH160, IN_HASH256,
		PSBT_IN_TAP_KEY_SIG, IN_TAP_SCRIPT_SIG, IN_TAP_LEAF_SCRIPT, PSBT_IN_TAP_BIP32_DERIVATION,
		PSBT_IN_TAP_INTERNAL_KEY, IN_TAP_MERKLE_ROOT, IN_MUSIG2_PARTICIPANTS,
		IN_MUSIG2_PUB_NONCE, IN_MUSIG2_PARTIAL_SIG,
	};
	for (size_t i = 0; i < sizeof drop; i++)
		wallet_psbt_map_del_type(m, drop[i]);
	uint8_t k;
	if (sslen) {
		k = PSBT_IN_SCRIPTSIG;
		wallet_psbt_map_set(m, &k, 1, script_sig, sslen);
	}
	if (wcount) {
		struct buf w = BUF_INIT;
		buf_varint(&w, wcount);
		for (size_t i = 0; i < wcount; i++)
			buf_varbytes(&w, wit[i], wlens[i]);
		k = PSBT_IN_SCRIPTWITNESS;
		wallet_psbt_map_set(m, &k, 1, w.p, w.len);
		buf_clear(&w);
	}
}

/* Finalizes a P2WPKH spend (nested in P2SH when script_sig is given): the
 * witness is the signature and the public key of the partial signature
 * record sig, copied out first because finalizing rewrites the map. */
static void finalize_wpkh(struct wallet_psbt_map *m, const struct wallet_psbt_kv *sig,
                          const uint8_t *script_sig, size_t sslen)
{
	size_t lens[2] = { sig->vallen, sig->keylen - 1 };
	uint8_t *w0 = kb_malloc(lens[0]), *w1 = kb_malloc(lens[1]);
	memcpy(w0, sig->val, lens[0]);
	memcpy(w1, sig->key + 1, lens[1]);
	const uint8_t *cw[2] = { w0, w1 };
	finalize_input(m, script_sig, sslen, cw, lens, 2);
	kb_free(w0);
	kb_free(w1);
}

enum kb_rc wallet_psbt_finalize(struct wallet_psbt *p)
{
	bool all = true;
	for (size_t i = 0; i < p->in_count; i++) {
		if (wallet_psbt_input_final(p, i))
			continue;
		struct wallet_psbt_map *m = &p->in[i];
		int64_t value;
		struct buf sb = BUF_INIT;
		enum kb_rc urc = wallet_psbt_input_utxo(p, i, &value, &sb);
		uint8_t s[64];
		size_t spk_len = sb.len;
		if (urc == KB_OK && spk_len <= sizeof s)
			memcpy(s, sb.p, spk_len);
		buf_clear(&sb);
		if (urc != KB_OK || spk_len > sizeof s) {
			all = false;
			continue;
		}
		const struct wallet_psbt_kv *sig;
		if (spk_len == 22 && s[0] == 0x00 && s[1] == 0x14) { /* P2WPKH */
			if (!(sig = sig_for_hash(m, s + 2))) {
				all = false;
				continue;
			}
			finalize_wpkh(m, sig, NULL, 0);
		} else if (spk_len == 23 && s[0] == 0xa9 && s[1] == 0x14 && s[22] == 0x87) { /* P2SH */
			const struct wallet_psbt_kv *rs = wallet_psbt_map_get_type(m, PSBT_IN_REDEEMSCRIPT);
			uint8_t h[20];
			if (!rs || rs->vallen != 22 || rs->val[0] != 0x00 || rs->val[1] != 0x14) {
				all = false;
				continue;
			}
			wallet_hash_hash160(h, rs->val, rs->vallen);
			if (memcmp(h, s + 2, 20) != 0 || !(sig = sig_for_hash(m, rs->val + 2))) {
				all = false;
				continue;
			}
			uint8_t ss[23];
			ss[0] = 22;
			memcpy(ss + 1, rs->val, 22);
			finalize_wpkh(m, sig, ss, sizeof ss);
		} else if (spk_len == 25 && s[0] == 0x76 && s[1] == 0xa9 && s[2] == 0x14 &&
		           s[23] == 0x88 && s[24] == 0xac) { /* P2PKH */
			if (!(sig = sig_for_hash(m, s + 3))) {
				all = false;
				continue;
			}
			struct buf ss = BUF_INIT;
			push_data(&ss, sig->val, sig->vallen);
			push_data(&ss, sig->key + 1, sig->keylen - 1);
			finalize_input(m, ss.p, ss.len, NULL, NULL, 0);
			buf_clear(&ss);
		} else if (spk_len == 34 && s[0] == 0x51 && s[1] == 0x20) { /* P2TR key path */
			const struct wallet_psbt_kv *ks = wallet_psbt_map_get_type(m, PSBT_IN_TAP_KEY_SIG);
			if (!ks) {
				all = false;
				continue;
			}
			size_t len = ks->vallen;
			uint8_t *w0 = kb_malloc(len);
			memcpy(w0, ks->val, len);
			const uint8_t *cw[1] = { w0 };
			finalize_input(m, NULL, 0, cw, &len, 1);
			kb_free(w0);
		} else {
			all = false;
		}
	}
	return all ? KB_OK : KB_EAGAIN;
}

enum kb_rc wallet_psbt_extract(const struct wallet_psbt *p, struct wallet_tx *tx,
                               char *err, size_t errlen)
{
	wallet_tx_init(tx);
	if (p->version != 0) {
		snprintf(err, errlen, "only version 0 PSBTs can be extracted");
		return KB_EUNSUPPORTED;
	}
	for (size_t i = 0; i < p->in_count; i++) {
		if (!wallet_psbt_input_final(p, i)) {
			snprintf(err, errlen, "input %zu is not finalized", i);
			return KB_EAGAIN;
		}
	}
	wallet_tx_clear(tx);
	wallet_tx_copy(tx, &p->tx);
	for (size_t i = 0; i < p->in_count; i++) {
		const struct wallet_psbt_kv *ss = wallet_psbt_map_get_type(&p->in[i], PSBT_IN_SCRIPTSIG);
		const struct wallet_psbt_kv *sw = wallet_psbt_map_get_type(&p->in[i], PSBT_IN_SCRIPTWITNESS);
		if (ss)
			wallet_tx_set_script_sig(tx, i, ss->val, ss->vallen);
		if (sw) {
			struct cursor c;
			cursor_init(&c, sw->val, sw->vallen);
			size_t n = cursor_count(&c, sw->vallen, 1);
			const uint8_t **items = kb_calloc(n + 1, sizeof *items);
			size_t *lens = kb_calloc(n + 1, sizeof *lens);
			for (size_t k = 0; k < n; k++)
				items[k] = read_vec(&c, &lens[k]);
			if (cursor_done(&c))
				wallet_tx_set_witness(tx, i, items, lens, n);
			kb_free(items);
			kb_free(lens);
		}
	}
	return KB_OK;
}

enum kb_rc wallet_psbt_fee(const struct wallet_psbt *p, int64_t *fee)
{
	*fee = 0;
	if (p->version != 0)
		return KB_EUNSUPPORTED;
	int64_t in = 0, out = 0;
	for (size_t i = 0; i < p->in_count; i++) {
		int64_t v;
		struct buf spk = BUF_INIT;
		enum kb_rc rc = wallet_psbt_input_utxo(p, i, &v, &spk);
		buf_clear(&spk);
		if (rc != KB_OK)
			return rc;
		if (v < 0 || v > WALLET_TX_MAX_MONEY || in > WALLET_TX_MAX_MONEY)
			return KB_EPARSE;
		in += v;
	}
	for (size_t i = 0; i < p->tx.out_count; i++) {
		int64_t v = p->tx.out[i].value;
		if (v < 0 || v > WALLET_TX_MAX_MONEY || out > WALLET_TX_MAX_MONEY)
			return KB_EPARSE;
		out += v;
	}
	*fee = in - out;
	return KB_OK;
}
