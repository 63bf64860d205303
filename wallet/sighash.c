#include "wallet/sighash.h"

#include "wallet/mem.h"

#include <string.h>

#define OP_PUSHDATA1 0x4c
#define OP_PUSHDATA2 0x4d
#define OP_PUSHDATA4 0x4e
#define OP_CODESEPARATOR 0xab

static void sha_u32(struct wallet_sha256 *h, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	wallet_sha256_update(h, b, 4);
}

static void sha_u64(struct wallet_sha256 *h, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	wallet_sha256_update(h, b, 8);
}

static void sha_varbytes(struct wallet_sha256 *h, const uint8_t *p, size_t n)
{
	uint8_t v[9];
	size_t vl = 1;
	uint64_t x = n;
	if (x < 0xfd) {
		v[0] = (uint8_t)x;
	} else {
		int k = x <= 0xffff ? 2 : x <= 0xffffffffu ? 4 : 8;
		v[0] = k == 2 ? 0xfd : k == 4 ? 0xfe : 0xff;
		for (int i = 0; i < k; i++)
			v[1 + i] = (uint8_t)(x >> (8 * i));
		vl = 1 + (size_t)k;
	}
	wallet_sha256_update(h, v, vl);
	if (n)
		wallet_sha256_update(h, p, n);
}

static void sha_output(struct wallet_sha256 *h, const struct wallet_txout *o)
{
	sha_u64(h, (uint64_t)o->value);
	sha_varbytes(h, o->script_pubkey.p, o->script_pubkey.len);
}

void wallet_sighash_cache_init(struct wallet_sighash_cache *cache, const struct wallet_tx *tx,
                               const struct wallet_txout *spent, size_t spent_count)
{
	struct wallet_sha256 h;
	memset(cache, 0, sizeof *cache);

	wallet_sha256_init(&h);
	for (size_t i = 0; i < tx->in_count; i++) {
		wallet_sha256_update(&h, tx->in[i].prevout.txid.b, 32);
		sha_u32(&h, tx->in[i].prevout.n);
	}
	wallet_sha256_final(&h, cache->prevouts.b);

	wallet_sha256_init(&h);
	for (size_t i = 0; i < tx->in_count; i++)
		sha_u32(&h, tx->in[i].sequence);
	wallet_sha256_final(&h, cache->sequences.b);

	wallet_sha256_init(&h);
	for (size_t i = 0; i < tx->out_count; i++)
		sha_output(&h, &tx->out[i]);
	wallet_sha256_final(&h, cache->outputs.b);

	if (spent && spent_count == tx->in_count) {
		wallet_sha256_init(&h);
		for (size_t i = 0; i < spent_count; i++)
			sha_u64(&h, (uint64_t)spent[i].value);
		wallet_sha256_final(&h, cache->amounts.b);

		wallet_sha256_init(&h);
		for (size_t i = 0; i < spent_count; i++)
			sha_varbytes(&h, spent[i].script_pubkey.p, spent[i].script_pubkey.len);
		wallet_sha256_final(&h, cache->spks.b);
		cache->have_spent = true;
	}
}

/* ---- legacy ---- */

/*
 * Core's GetScriptOp: reads one operation at *pc. False at the end of the
 * script or on a truncated push, with *pc left where Core leaves it (past
 * the bytes it managed to read), which matters for the scriptCode below.
 */
static bool script_get_op(const uint8_t *s, size_t len, size_t *pc, uint8_t *opcode)
{
	if (*pc >= len)
		return false;
	uint8_t op = s[(*pc)++];
	*opcode = op;
	if (op > OP_PUSHDATA4)
		return true;
	size_t n;
	if (op < OP_PUSHDATA1) {
		n = op;
	} else if (op == OP_PUSHDATA1) {
		if (len - *pc < 1)
			return false;
		n = s[(*pc)++];
	} else if (op == OP_PUSHDATA2) {
		if (len - *pc < 2)
			return false;
		n = (size_t)s[*pc] | (size_t)s[*pc + 1] << 8;
		*pc += 2;
	} else {
		if (len - *pc < 4)
			return false;
		n = (size_t)s[*pc] | (size_t)s[*pc + 1] << 8 | (size_t)s[*pc + 2] << 16 |
		    (size_t)s[*pc + 3] << 24;
		*pc += 4;
	}
	if (len - *pc < n)
		return false;
	*pc += n;
	return true;
}

/*
 * CTransactionSignatureSerializer::SerializeScriptCode: the length is the
 * script's size less the OP_CODESEPARATORs counted before any parse
 * failure, and the bytes are the pieces between them, up to where parsing
 * stopped. (For a script that does not parse to its end the two disagree;
 * consensus hashes exactly that, so we do too.)
 */
static void legacy_script_code(struct buf *b, const uint8_t *s, size_t len)
{
	size_t pc = 0, seps = 0;
	uint8_t op;
	while (script_get_op(s, len, &pc, &op))
		if (op == OP_CODESEPARATOR)
			seps++;
	buf_varint(b, len - seps);
	size_t begin = 0;
	pc = 0;
	while (script_get_op(s, len, &pc, &op)) {
		if (op == OP_CODESEPARATOR) {
			buf_bytes(b, s + begin, pc - begin - 1);
			begin = pc;
		}
	}
	if (begin != len)
		buf_bytes(b, s + begin, pc - begin);
}

enum kb_rc wallet_sighash_legacy(struct hash256 *out, const struct wallet_tx *tx, size_t in_index,
                                 const uint8_t *script_code, size_t script_len,
                                 int32_t hash_type)
{
	memset(out, 0, sizeof *out);
	if (in_index >= tx->in_count || (script_len && !script_code))
		return KB_EINVAL;
	bool acp = (hash_type & WALLET_SIGHASH_ANYONECANPAY) != 0;
	bool single = (hash_type & 0x1f) == WALLET_SIGHASH_SINGLE;
	bool none = (hash_type & 0x1f) == WALLET_SIGHASH_NONE;
	if (single && in_index >= tx->out_count) {
		out->b[0] = 1; /* the SIGHASH_SINGLE bug: consensus hashes "1" */
		return KB_OK;
	}

	struct buf b = BUF_INIT;
	buf_u32le(&b, (uint32_t)tx->version);
	size_t n_in = acp ? 1 : tx->in_count;
	buf_varint(&b, n_in);
	for (size_t k = 0; k < n_in; k++) {
		size_t i = acp ? in_index : k;
		const struct wallet_txin *in = &tx->in[i];
		wallet_tx_serialize_outpoint(&in->prevout, &b);
		if (i == in_index)
			legacy_script_code(&b, script_code, script_len);
		else
			buf_varint(&b, 0);
		buf_u32le(&b, i != in_index && (single || none) ? 0 : in->sequence);
	}
	size_t n_out = none ? 0 : single ? in_index + 1 : tx->out_count;
	buf_varint(&b, n_out);
	for (size_t o = 0; o < n_out; o++) {
		if (single && o != in_index) {
			buf_u64le(&b, UINT64_MAX); /* CTxOut(): value -1, empty script */
			buf_varint(&b, 0);
		} else {
			wallet_tx_serialize_output(&tx->out[o], &b);
		}
	}
	buf_u32le(&b, tx->locktime);
	buf_u32le(&b, (uint32_t)hash_type);
	wallet_hash_sha256d(out->b, b.p, b.len);
	buf_clear(&b);
	return KB_OK;
}

/* ---- BIP143 ---- */

static void sha256_again(struct hash256 *out, const struct hash256 *in)
{
	wallet_hash_sha256(out->b, in->b, 32);
}

enum kb_rc wallet_sighash_segwit_v0_preimage(struct buf *preimage, const struct wallet_tx *tx,
                                             const struct wallet_sighash_cache *cache,
                                             size_t in_index, const uint8_t *script_code,
                                             size_t script_len, int64_t amount,
                                             uint32_t hash_type)
{
	if (in_index >= tx->in_count || (script_len && !script_code))
		return KB_EINVAL;
	struct wallet_sighash_cache local;
	if (!cache) {
		wallet_sighash_cache_init(&local, tx, NULL, 0);
		cache = &local;
	}
	bool acp = (hash_type & WALLET_SIGHASH_ANYONECANPAY) != 0;
	uint32_t base = hash_type & 0x1f;
	bool single = base == WALLET_SIGHASH_SINGLE, none = base == WALLET_SIGHASH_NONE;
	struct hash256 prevouts = { { 0 } }, sequences = { { 0 } }, outputs = { { 0 } };
	if (!acp)
		sha256_again(&prevouts, &cache->prevouts);
	if (!acp && !single && !none)
		sha256_again(&sequences, &cache->sequences);
	if (!single && !none) {
		sha256_again(&outputs, &cache->outputs);
	} else if (single && in_index < tx->out_count) {
		struct buf o = BUF_INIT;
		wallet_tx_serialize_output(&tx->out[in_index], &o);
		wallet_hash_sha256d(outputs.b, o.p, o.len);
		buf_clear(&o);
	}
	const struct wallet_txin *in = &tx->in[in_index];
	buf_u32le(preimage, (uint32_t)tx->version);
	buf_bytes(preimage, prevouts.b, 32);
	buf_bytes(preimage, sequences.b, 32);
	wallet_tx_serialize_outpoint(&in->prevout, preimage);
	buf_varbytes(preimage, script_code, script_len);
	buf_u64le(preimage, (uint64_t)amount);
	buf_u32le(preimage, in->sequence);
	buf_bytes(preimage, outputs.b, 32);
	buf_u32le(preimage, tx->locktime);
	buf_u32le(preimage, hash_type);
	return KB_OK;
}

enum kb_rc wallet_sighash_segwit_v0(struct hash256 *out, const struct wallet_tx *tx,
                                    const struct wallet_sighash_cache *cache, size_t in_index,
                                    const uint8_t *script_code, size_t script_len,
                                    int64_t amount, uint32_t hash_type)
{
	memset(out, 0, sizeof *out);
	struct buf b = BUF_INIT;
	enum kb_rc rc = wallet_sighash_segwit_v0_preimage(&b, tx, cache, in_index, script_code,
	                                                  script_len, amount, hash_type);
	if (rc == KB_OK)
		wallet_hash_sha256d(out->b, b.p, b.len);
	buf_clear(&b);
	return rc;
}

/* ---- BIP341 ---- */

bool wallet_sighash_taproot_type_valid(uint8_t hash_type)
{
	return hash_type <= 0x03 || (hash_type >= 0x81 && hash_type <= 0x83);
}

enum kb_rc wallet_sighash_taproot_msg(struct buf *msg, const struct wallet_tx *tx,
                                      const struct wallet_sighash_cache *cache,
                                      size_t in_index, const struct wallet_txout *spent,
                                      size_t spent_count, uint8_t hash_type,
                                      const struct wallet_sighash_taproot_ext *ext)
{
	if (in_index >= tx->in_count || !spent || spent_count != tx->in_count ||
	    in_index > UINT32_MAX)
		return KB_EINVAL;
	if (!wallet_sighash_taproot_type_valid(hash_type))
		return KB_EINVAL;
	uint8_t out_type = hash_type & 0x03;
	bool acp = (hash_type & WALLET_SIGHASH_ANYONECANPAY) != 0;
	if (out_type == WALLET_SIGHASH_SINGLE && in_index >= tx->out_count)
		return KB_EINVAL;
	bool annex = ext && ext->annex;
	if (annex && (ext->annex_len == 0 || ext->annex[0] != 0x50))
		return KB_EINVAL;
	if (cache && !cache->have_spent)
		return KB_EINVAL;
	struct wallet_sighash_cache local;
	if (!cache) {
		wallet_sighash_cache_init(&local, tx, spent, spent_count);
		cache = &local;
	}
	bool script_path = ext && ext->leaf_hash;

	buf_u8(msg, 0x00); /* epoch */
	buf_u8(msg, hash_type);
	buf_u32le(msg, (uint32_t)tx->version);
	buf_u32le(msg, tx->locktime);
	if (!acp) {
		buf_bytes(msg, cache->prevouts.b, 32);
		buf_bytes(msg, cache->amounts.b, 32);
		buf_bytes(msg, cache->spks.b, 32);
		buf_bytes(msg, cache->sequences.b, 32);
	}
	if (out_type != WALLET_SIGHASH_NONE && out_type != WALLET_SIGHASH_SINGLE)
		buf_bytes(msg, cache->outputs.b, 32);
	buf_u8(msg, (uint8_t)((script_path ? 2 : 0) + (annex ? 1 : 0)));
	if (acp) {
		const struct wallet_txin *in = &tx->in[in_index];
		wallet_tx_serialize_outpoint(&in->prevout, msg);
		wallet_tx_serialize_output(&spent[in_index], msg); /* amount, scriptPubKey */
		buf_u32le(msg, in->sequence);
	} else {
		buf_u32le(msg, (uint32_t)in_index);
	}
	if (annex) {
		struct wallet_sha256 h;
		uint8_t d[32];
		wallet_sha256_init(&h);
		sha_varbytes(&h, ext->annex, ext->annex_len);
		wallet_sha256_final(&h, d);
		buf_bytes(msg, d, 32);
	}
	if (out_type == WALLET_SIGHASH_SINGLE) {
		struct wallet_sha256 h;
		uint8_t d[32];
		wallet_sha256_init(&h);
		sha_output(&h, &tx->out[in_index]);
		wallet_sha256_final(&h, d);
		buf_bytes(msg, d, 32);
	}
	if (script_path) {
		buf_bytes(msg, ext->leaf_hash->b, 32);
		buf_u8(msg, 0x00); /* key_version */
		buf_u32le(msg, ext->codesep_pos);
	}
	return KB_OK;
}

enum kb_rc wallet_sighash_taproot(struct hash256 *out, const struct wallet_tx *tx,
                                  const struct wallet_sighash_cache *cache, size_t in_index,
                                  const struct wallet_txout *spent, size_t spent_count,
                                  uint8_t hash_type,
                                  const struct wallet_sighash_taproot_ext *ext)
{
	memset(out, 0, sizeof *out);
	struct buf b = BUF_INIT;
	enum kb_rc rc = wallet_sighash_taproot_msg(&b, tx, cache, in_index, spent, spent_count,
	                                           hash_type, ext);
	if (rc == KB_OK)
		wallet_hash_tagged(out->b, "TapSighash", b.p, b.len);
	buf_clear(&b);
	return rc;
}

void wallet_sighash_tapleaf(struct hash256 *out, uint8_t leaf_version,
                            const uint8_t *script, size_t len)
{
	struct wallet_sha256 h;
	wallet_sha256_init_tagged(&h, "TapLeaf");
	wallet_sha256_update(&h, &leaf_version, 1);
	sha_varbytes(&h, script, len);
	wallet_sha256_final(&h, out->b);
}

void wallet_sighash_tapbranch(struct hash256 *out, const struct hash256 *a,
                              const struct hash256 *b)
{
	struct wallet_sha256 h;
	if (memcmp(a->b, b->b, 32) > 0) {
		const struct hash256 *t = a;
		a = b;
		b = t;
	}
	wallet_sha256_init_tagged(&h, "TapBranch");
	wallet_sha256_update(&h, a->b, 32);
	wallet_sha256_update(&h, b->b, 32);
	wallet_sha256_final(&h, out->b);
}

void wallet_sighash_taptweak(struct hash256 *out, const uint8_t internal_xonly[32],
                             const struct hash256 *merkle_root)
{
	struct wallet_sha256 h;
	wallet_sha256_init_tagged(&h, "TapTweak");
	wallet_sha256_update(&h, internal_xonly, 32);
	if (merkle_root)
		wallet_sha256_update(&h, merkle_root->b, 32);
	wallet_sha256_final(&h, out->b);
}
