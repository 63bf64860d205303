/*
 * BIP37 vectors: Bitcoin Core's murmur3, Bloom filter, IsRelevantAndUpdate
 * and merkleblock cases (tests/data/bip37), and real mainnet merkleblocks
 * (bcoin's block 300025, Core's gettxoutproof for blocks 830000 and
 * 831332) checked against their headers and rebuilt byte for byte from
 * the full blocks.
 */
#include "tests/support/testsupport.h"

#include "spv/bloom.h"
#include "spv/header.h"
#include "spv/merkle.h"
#include "spv/msg.h"
#include "wallet/cursor.h"
#include "wallet/hash.h"
#include "wallet/hex.h"
#include "wallet/mem.h"
#include "wallet/secp.h"
#include "wallet/tx.h"
#include "wallet/wif.h"

#include <stdlib.h>
#include <string.h>

/* ---- helpers ---------------------------------------------------------------- */

/* A full block: header, transactions and their txids. */
struct blk {
	uint8_t header[80];
	size_t n;
	struct wallet_tx *tx;
	struct hash256 *txid;
};

static bool blk_parse(struct blk *b, const uint8_t *p, size_t n)
{
	memset(b, 0, sizeof *b);
	struct cursor c;
	cursor_init(&c, p, n);
	cursor_bytes(&c, b->header, 80);
	size_t count = cursor_count(&c, SPV_MERKLE_MAX_TXS, 60);
	if (!cursor_ok(&c) || count == 0)
		return false;
	b->tx = kb_calloc(count, sizeof *b->tx);
	b->txid = kb_calloc(count, sizeof *b->txid);
	for (size_t i = 0; i < count; i++) {
		if (wallet_tx_parse_cursor(&b->tx[i], &c) != KB_OK)
			break;
		wallet_tx_txid(&b->tx[i], &b->txid[i]);
		b->n++;
	}
	return b->n == count && cursor_done(&c);
}

static void blk_clear(struct blk *b)
{
	for (size_t i = 0; i < b->n; i++)
		wallet_tx_clear(&b->tx[i]);
	kb_free(b->tx);
	kb_free(b->txid);
	memset(b, 0, sizeof *b);
}

static bool blk_from_hex(struct blk *b, const char *hex)
{
	size_t n;
	uint8_t *p = ts_unhex(hex, &n);
	bool ok = blk_parse(b, p, n);
	kb_free(p);
	return ok;
}

static bool blk_from_file(struct blk *b, const char *rel)
{
	size_t n;
	uint8_t *p = ts_read_file(rel, &n);
	bool ok = blk_parse(b, p, n);
	kb_free(p);
	return ok;
}

/* A hash given in display order (reversed) into internal order. */
static bool hash_from_display(struct hash256 *h, const char *hex)
{
	uint8_t t[32];
	if (!hex || !wallet_hex_decode_exact(t, 32, hex))
		return false;
	for (int i = 0; i < 32; i++)
		h->b[i] = t[31 - i];
	return true;
}

static uint32_t json_u32(const struct json *obj, const char *key)
{
	const struct json *j = json_get(obj, key);
	if (j && j->type == JSON_STRING)
		return (uint32_t)strtoul(j->str, NULL, 0);
	int64_t v = 0;
	if (!json_get_int64(obj, key, &v))
		fail_msg("no integer %s", key);
	return (uint32_t)v;
}

static bool filter_from_params(struct spv_bloom *f, const struct json *p)
{
	return spv_bloom_init(f, json_u32(p, "nElements"), json_number(json_get(p, "fpRate")),
	                      json_u32(p, "nTweak"), (uint8_t)json_u32(p, "nFlags")) == KB_OK;
}

/* Inserts what a case says: "insert": {txid}, "insert_hex", "insert_outpoint". */
static bool insert_from_case(struct spv_bloom *f, const struct json *c)
{
	const struct json *ins = json_get(c, "insert");
	if (ins && json_get_str(ins, "txid")) {
		struct hash256 h;
		if (!hash_from_display(&h, json_get_str(ins, "txid")))
			return false;
		spv_bloom_insert(f, h.b, 32);
		return true;
	}
	if (json_get_str(c, "insert_hex")) {
		size_t n;
		uint8_t *p = ts_unhex(json_get_str(c, "insert_hex"), &n);
		spv_bloom_insert(f, p, n);
		kb_free(p);
		return true;
	}
	const struct json *op = json_get(c, "insert_outpoint");
	if (op) {
		struct wallet_outpoint o;
		if (!hash_from_display(&o.txid, json_get_str(op, "txid")))
			return false;
		o.n = json_u32(op, "vout");
		spv_bloom_insert_outpoint(f, &o);
		return true;
	}
	return false;
}

/* CMerkleBlock(block, filter): the filter is run over every transaction
 * in order (and updated), then the proof is built. */
static void filtered_block(struct spv_msg *m, struct spv_bloom *f, const struct blk *b)
{
	bool *match = kb_calloc(b->n, sizeof *match);
	for (size_t i = 0; i < b->n; i++)
		match[i] = spv_bloom_relevant_update(f, &b->tx[i], &b->txid[i]);
	assert_int_equal(spv_merkle_build(m, b->header, b->txid, match, b->n), KB_OK);
	kb_free(match);
}

/* Compares verified matches with [[index, txid], ...]. */
static void check_matches(struct vec *v, size_t i, const struct spv_merkle_matches *got,
                          const struct json *want)
{
	if (!want || want->type != JSON_ARRAY) {
		vec_fail(v, i, "no expected matches");
		return;
	}
	if (got->n != want->count) {
		vec_fail(v, i, "%zu matches, want %zu", got->n, want->count);
		return;
	}
	for (size_t k = 0; k < got->n; k++) {
		const struct json *w = json_at(want, k);
		int64_t pos = -1;
		json_int64(json_at(w, 0), &pos);
		struct hash256 h;
		if (!hash_from_display(&h, json_str(json_at(w, 1))) || pos != got->v[k].pos ||
		    memcmp(h.b, got->v[k].txid.b, 32) != 0)
			vec_fail(v, i, "match %zu: position %u or txid differs (want %lld)", k,
			         got->v[k].pos, (long long)pos);
	}
}

/* Verifies m against the merkle root of its own header. */
static enum spv_merkle_err verify_msg(struct spv_merkle_matches *out, const struct spv_msg *m)
{
	return spv_merkle_verify_block(out, &m->u.merkleblock);
}

/* ---- murmur3 and filters ------------------------------------------------------ */

static void test_murmur3(void **state)
{
	(void)state;
	struct json *j = ts_load_json("bip37/bip37_bloom_merkleblock_vectors.json");
	const struct json *cases = json_get(j, "murmurhash3");
	assert_non_null(cases);
	struct vec v;
	vec_start(&v, "bip37/murmur3");
	for (size_t i = 0; i < cases->count; i++) {
		const struct json *c = json_at(cases, i);
		size_t n = 0;
		const char *hex = json_get_str(c, "data");
		uint8_t *p = hex && *hex ? ts_unhex(hex, &n) : NULL;
		uint32_t got = spv_bloom_murmur3(json_u32(c, "seed"), p, n);
		uint32_t want = json_u32(c, "expected");
		if (got != want)
			vec_fail(&v, i, "murmur3 = 0x%08x, want 0x%08x", got, want);
		kb_free(p);
		vec_case_end(&v);
	}
	assert_int_equal(v.run, 14);
	vec_finish(&v);
	json_free(j);
}

static void test_filters(void **state)
{
	(void)state;
	struct json *j = ts_load_json("bip37/bip37_bloom_merkleblock_vectors.json");
	const struct json *cases = json_get(j, "filters");
	assert_non_null(cases);
	struct spv_bloom *f = kb_malloc(sizeof *f), *g = kb_malloc(sizeof *g);
	struct vec v;
	vec_start(&v, "bip37/filters");
	for (size_t i = 0; i < cases->count; i++) {
		const struct json *c = json_at(cases, i);
		if (!filter_from_params(f, c)) {
			vec_fail(&v, i, "filter parameters refused");
			vec_case_end(&v);
			continue;
		}
		const struct json *ins = json_get(c, "insert_hex");
		if (ins) {
			for (size_t k = 0; k < ins->count; k++) {
				size_t n;
				uint8_t *p = ts_unhex(json_str(json_at(ins, k)), &n);
				spv_bloom_insert(f, p, n);
				kb_free(p);
			}
		} else if (json_get_str(c, "privkey_wif")) {
			/* the uncompressed public key of the WIF key, then its HASH160 */
			uint8_t key[32], pub[65], h160[20];
			bool compressed;
			assert_int_equal(wallet_wif_decode(key, &compressed, KB_NET_MAIN,
			                                   json_get_str(c, "privkey_wif"), NULL, 0), KB_OK);
			assert_false(compressed);
			secp256k1_pubkey pk;
			assert_true(secp256k1_ec_pubkey_create(wallet_secp(), &pk, key));
			size_t pl = sizeof pub;
			secp256k1_ec_pubkey_serialize(wallet_secp(), pub, &pl, &pk, SECP256K1_EC_UNCOMPRESSED);
			kb_wipe(key, sizeof key);
			wallet_hash_hash160(h160, pub, sizeof pub);
			spv_bloom_insert(f, pub, sizeof pub);
			spv_bloom_insert(f, h160, sizeof h160);
			if (!spv_bloom_contains(f, pub, sizeof pub) || !spv_bloom_contains(f, h160, 20))
				vec_fail(&v, i, "key or its hash not contained");
		} else {
			vec_fail(&v, i, "nothing to insert");
		}
		const struct json *yes = json_get(c, "must_contain_hex");
		for (size_t k = 0; yes && k < yes->count; k++) {
			size_t n;
			uint8_t *p = ts_unhex(json_str(json_at(yes, k)), &n);
			if (!spv_bloom_contains(f, p, n))
				vec_fail(&v, i, "element %zu not contained", k);
			kb_free(p);
		}
		const struct json *no = json_get(c, "must_not_contain_hex");
		for (size_t k = 0; no && k < no->count; k++) {
			size_t n;
			uint8_t *p = ts_unhex(json_str(json_at(no, k)), &n);
			if (spv_bloom_contains(f, p, n))
				vec_fail(&v, i, "element %zu contained", k);
			kb_free(p);
		}
		struct buf b = BUF_INIT;
		spv_bloom_serialize(f, &b);
		vec_check_hex(&v, i, "filterload", b.p, b.len, json_get_str(c, "serialized_filter"));
		/* and back: parse, serialise, and through the P2P message */
		if (spv_bloom_parse(g, b.p, b.len) != KB_OK) {
			vec_fail(&v, i, "serialised filter does not parse");
		} else {
			struct buf b2 = BUF_INIT;
			spv_bloom_serialize(g, &b2);
			if (b2.len != b.len || memcmp(b2.p, b.p, b.len) != 0)
				vec_fail(&v, i, "parse/serialise round trip differs");
			struct spv_msg m;
			spv_bloom_to_msg(g, &m);
			buf_reset(&b2);
			spv_msg_serialize(&b2, &m);
			if (b2.len != b.len || memcmp(b2.p, b.p, b.len) != 0)
				vec_fail(&v, i, "filterload message differs");
			buf_clear(&b2);
		}
		buf_clear(&b);
		vec_case_end(&v);
	}
	assert_int_equal(v.run, 3);
	vec_finish(&v);
	kb_free(f);
	kb_free(g);
	json_free(j);
}

/* ---- IsRelevantAndUpdate --------------------------------------------------------- */

static void test_bloom_match(void **state)
{
	(void)state;
	struct json *j = ts_load_json("bip37/bip37_bloom_merkleblock_vectors.json");
	const struct json *bm = json_get(j, "bloom_match");
	const struct json *cases = json_get(bm, "cases");
	const struct json *params = json_get(bm, "filter_params");
	assert_non_null(cases);
	size_t n;
	struct wallet_tx tx, spend;
	uint8_t *p = ts_unhex(json_get_str(bm, "tx_hex"), &n);
	assert_int_equal(wallet_tx_parse(&tx, p, n), KB_OK);
	kb_free(p);
	p = ts_unhex(json_get_str(bm, "spending_tx_hex"), &n);
	assert_int_equal(wallet_tx_parse(&spend, p, n), KB_OK);
	kb_free(p);
	struct hash256 h, want;
	wallet_tx_txid(&tx, &h);
	assert_true(hash_from_display(&want, json_get_str(bm, "txid")));
	assert_memory_equal(h.b, want.b, 32);
	wallet_tx_txid(&spend, &h);
	assert_true(hash_from_display(&want, json_get_str(bm, "spending_txid")));
	assert_memory_equal(h.b, want.b, 32);

	struct spv_bloom *f = kb_malloc(sizeof *f);
	struct vec v;
	vec_start(&v, "bip37/is_relevant_and_update");
	for (size_t i = 0; i < cases->count; i++) {
		const struct json *c = json_at(cases, i);
		if (!filter_from_params(f, params) || !insert_from_case(f, c)) {
			vec_fail(&v, i, "malformed case");
			vec_case_end(&v);
			continue;
		}
		const struct json *tm = json_get(c, "tx_matches");
		bool got = spv_bloom_relevant_update(f, &tx, NULL);
		if (!tm || got != tm->boolean)
			vec_fail(&v, i, "tx matches = %d (%s)", got, json_get_str(c, "note"));
		const struct json *sm = json_get(c, "then_spending_tx_matches");
		if (sm && spv_bloom_relevant_update(f, &spend, NULL) != sm->boolean)
			vec_fail(&v, i, "spending tx matches != %d after the update", sm->boolean);
		vec_case_end(&v);
	}
	assert_int_equal(v.run, 11);
	vec_finish(&v);
	kb_free(f);
	wallet_tx_clear(&tx);
	wallet_tx_clear(&spend);
	json_free(j);
}

/* ---- merkleblocks from Core's tests ------------------------------------------------ */

static void test_merkle_blocks(void **state)
{
	(void)state;
	struct json *j = ts_load_json("bip37/bip37_bloom_merkleblock_vectors.json");
	const struct json *blocks = json_get(j, "blocks");
	const struct json *cases = json_get(j, "merkle_blocks");
	assert_non_null(blocks);
	assert_non_null(cases);
	struct spv_bloom *f = kb_malloc(sizeof *f);
	struct vec v;
	vec_start(&v, "bip37/merkleblocks");
	/* each block's txids give its header's root, unmutated */
	for (size_t i = 0; i < blocks->count; i++) {
		const struct json *bj = blocks->items[i];
		struct blk b;
		struct hash256 root, hh, want;
		bool mutated = true;
		if (!blk_from_hex(&b, json_get_str(bj, "block_hex"))) {
			vec_fail(&v, i, "block %s does not parse", bj->key);
		} else {
			spv_merkle_root(&root, &mutated, b.txid, b.n);
			if (memcmp(root.b, b.header + SPV_HEADER_OFF_MERKLE, 32) != 0 || mutated)
				vec_fail(&v, i, "block %s: merkle root", bj->key);
			spv_header_hash_raw(&hh, b.header);
			if (!hash_from_display(&want, json_get_str(bj, "block_hash")) ||
			    memcmp(hh.b, want.b, 32) != 0)
				vec_fail(&v, i, "block %s: hash", bj->key);
		}
		blk_clear(&b);
		vec_case_end(&v);
	}
	for (size_t i = 0; i < cases->count; i++) {
		const struct json *c = json_at(cases, i);
		size_t idx = blocks->count + i;
		const char *name = json_get_str(c, "name");
		struct blk b;
		if (!blk_from_hex(&b, json_get_str(json_get(blocks, json_get_str(c, "block")), "block_hex"))) {
			vec_fail(&v, idx, "%s: block does not parse", name);
			blk_clear(&b);
			vec_case_end(&v);
			continue;
		}
		const struct json *fp = json_get(c, "filter");
		struct spv_msg m;
		struct spv_merkle_matches got;
		enum spv_merkle_err e;
		if (fp && fp->type == JSON_OBJECT && !filter_from_params(f, fp)) {
			vec_fail(&v, idx, "%s: filter refused", name);
		} else if (json_get(c, "steps")) {
			/* one filter, elements added step by step (updates kept) */
			const struct json *steps = json_get(c, "steps");
			for (size_t s = 0; s < steps->count; s++) {
				const struct json *st = json_at(steps, s);
				if (!insert_from_case(f, st)) {
					vec_fail(&v, idx, "%s step %zu: nothing to insert", name, s);
					break;
				}
				filtered_block(&m, f, &b);
				e = verify_msg(&got, &m);
				if (e != SPV_MERKLE_OK)
					vec_fail(&v, idx, "%s step %zu: %s", name, s, spv_merkle_err_str(e));
				else
					check_matches(&v, idx, &got, json_get(st, "expected_matched"));
				const char *ser = json_get_str(st, "expected_merkleblock_serialized");
				if (ser) {
					struct buf out = BUF_INIT;
					spv_msg_serialize(&out, &m);
					vec_check_hex(&v, idx, "merkleblock", out.p, out.len, ser);
					buf_clear(&out);
				}
				spv_merkle_matches_clear(&got);
				spv_msg_clear(&m);
			}
		} else if (json_get(c, "inserts_hex")) {
			const struct json *ins = json_get(c, "inserts_hex");
			for (size_t k = 0; k < ins->count; k++) {
				size_t n;
				uint8_t *p = ts_unhex(json_str(json_at(ins, k)), &n);
				spv_bloom_insert(f, p, n);
				kb_free(p);
			}
			filtered_block(&m, f, &b);
			e = verify_msg(&got, &m);
			if (e != SPV_MERKLE_OK)
				vec_fail(&v, idx, "%s: %s", name, spv_merkle_err_str(e));
			spv_merkle_matches_clear(&got);
			spv_msg_clear(&m);
			const struct json *after = json_get(c, "after_building_merkleblock");
			const char *keys[2] = { "filter_contains_outpoint", "filter_not_contains_outpoint" };
			for (int w = 0; w < 2; w++) {
				const struct json *ops = json_get(after, keys[w]);
				for (size_t k = 0; ops && k < ops->count; k++) {
					struct wallet_outpoint o;
					const struct json *oj = json_at(ops, k);
					if (!hash_from_display(&o.txid, json_get_str(oj, "txid"))) {
						vec_fail(&v, idx, "%s: bad outpoint", name);
						continue;
					}
					o.n = json_u32(oj, "vout");
					if (spv_bloom_contains_outpoint(f, &o) != (w == 0))
						vec_fail(&v, idx, "%s: %s %zu", name, keys[w], k);
				}
			}
		} else if (json_get(c, "txids")) {
			/* CMerkleBlock(block, set of txids) */
			const struct json *t = json_get(c, "txids");
			bool *match = kb_calloc(b.n, sizeof *match);
			for (size_t k = 0; k < t->count; k++) {
				struct hash256 h;
				if (!hash_from_display(&h, json_str(json_at(t, k))))
					vec_fail(&v, idx, "%s: bad txid", name);
				for (size_t q = 0; q < b.n; q++)
					if (memcmp(b.txid[q].b, h.b, 32) == 0)
						match[q] = true;
			}
			assert_int_equal(spv_merkle_build(&m, b.header, b.txid, match, b.n), KB_OK);
			kb_free(match);
			e = verify_msg(&got, &m);
			if (e != SPV_MERKLE_OK)
				vec_fail(&v, idx, "%s: %s", name, spv_merkle_err_str(e));
			else
				check_matches(&v, idx, &got, json_get(c, "expected_extract_matches"));
			spv_merkle_matches_clear(&got);
			spv_msg_clear(&m);
		} else {
			vec_fail(&v, idx, "%s: unknown case shape", name);
		}
		blk_clear(&b);
		vec_case_end(&v);
	}
	assert_int_equal(v.run, 4 + 9);
	vec_finish(&v);
	kb_free(f);
	json_free(j);
}

/* ---- real mainnet proofs ------------------------------------------------------------- */

/*
 * Verifies a real merkleblock payload against its header, checks the
 * matches against the full block, and rebuilds it from the block's txids:
 * the bytes must be the peer's exactly.
 */
static void check_real(struct vec *v, size_t i, const uint8_t *raw, size_t n,
                       const struct blk *b, const struct json *want_idx)
{
	struct spv_msg m;
	enum kb_rc rc = spv_msg_parse(&m, SPV_MSG_MERKLEBLOCK, raw, n);
	if (rc != KB_OK) {
		vec_fail(v, i, "parse: %s", kb_rc_str(rc));
		return;
	}
	const struct spv_msg_merkleblock *mb = &m.u.merkleblock;
	struct spv_merkle_matches got;
	enum spv_merkle_err e = spv_merkle_verify_block(&got, mb);
	if (e != SPV_MERKLE_OK) {
		vec_fail(v, i, "verify: %s", spv_merkle_err_str(e));
		spv_msg_clear(&m);
		return;
	}
	if (memcmp(mb->header, b->header, 80) != 0 || mb->total_txs != b->n)
		vec_fail(v, i, "header or transaction count is not the block's");
	bool *match = kb_calloc(b->n, sizeof *match);
	for (size_t k = 0; k < got.n; k++) {
		if (got.v[k].pos >= b->n || memcmp(got.v[k].txid.b, b->txid[got.v[k].pos].b, 32) != 0)
			vec_fail(v, i, "match %zu (position %u) is not the block's txid", k, got.v[k].pos);
		else
			match[got.v[k].pos] = true;
	}
	if (want_idx) {
		if (want_idx->count != got.n)
			vec_fail(v, i, "%zu matches, want %zu", got.n, want_idx->count);
		for (size_t k = 0; k < got.n && k < want_idx->count; k++) {
			int64_t w = -1;
			json_int64(json_at(want_idx, k), &w);
			if (w != got.v[k].pos)
				vec_fail(v, i, "match %zu at %u, want %lld", k, got.v[k].pos, (long long)w);
		}
	}
	struct spv_msg m2;
	if (spv_merkle_build(&m2, b->header, b->txid, match, b->n) != KB_OK) {
		vec_fail(v, i, "build refused");
	} else {
		struct buf out = BUF_INIT;
		spv_msg_serialize(&out, &m2);
		if (out.len != n || memcmp(out.p, raw, n) != 0)
			vec_fail(v, i, "rebuilt proof differs from the peer's (%zu vs %zu bytes)", out.len, n);
		buf_clear(&out);
		spv_msg_clear(&m2);
	}
	kb_free(match);
	spv_merkle_matches_clear(&got);
	spv_msg_clear(&m);
}

static void test_real_proofs(void **state)
{
	(void)state;
	struct vec v;
	vec_start(&v, "bip37/real_merkleblocks");
	struct blk b300, b830, b831;
	assert_true(blk_from_file(&b300, "chain/mainnet_block_300025.raw"));
	assert_true(blk_from_file(&b830, "chain/mainnet_block_830000.raw"));
	assert_true(blk_from_file(&b831, "chain/mainnet_block_831332.raw"));
	/* the full blocks' roots */
	const struct blk *all[3] = { &b300, &b830, &b831 };
	for (size_t i = 0; i < 3; i++) {
		struct hash256 root;
		bool mutated = true;
		spv_merkle_root(&root, &mutated, all[i]->txid, all[i]->n);
		if (memcmp(root.b, all[i]->header + SPV_HEADER_OFF_MERKLE, 32) != 0 || mutated)
			vec_fail(&v, i, "full block merkle root");
		vec_case_end(&v);
	}
	/* bcoin's merkleblock of 300025 */
	size_t n;
	uint8_t *raw = ts_read_file("p2p/mainnet_merkleblock_300025.raw", &n);
	check_real(&v, 3, raw, n, &b300, NULL);
	vec_case_end(&v);
	kb_free(raw);
	/* Core's gettxoutproof */
	struct json *j = ts_load_json("p2p/mainnet_txoutproofs_830000_831332.json");
	const struct json *proofs = json_get(j, "proofs");
	assert_non_null(proofs);
	for (size_t i = 0; i < proofs->count; i++) {
		const struct json *p = json_at(proofs, i);
		int64_t height = 0;
		json_get_int64(p, "block_height", &height);
		const struct blk *b = height == 830000 ? &b830 : height == 831332 ? &b831 : NULL;
		if (!b) {
			vec_skip(&v, 4 + i, "no full block %lld in tests/data", (long long)height);
			continue;
		}
		raw = ts_unhex(json_get_str(p, "merkleblock_hex"), &n);
		check_real(&v, 4 + i, raw, n, b, json_get(p, "tx_indexes"));
		kb_free(raw);
		vec_case_end(&v);
	}
	assert_int_equal(v.run, 3 + 1 + 11);
	vec_finish(&v);
	json_free(j);
	blk_clear(&b300);
	blk_clear(&b830);
	blk_clear(&b831);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_murmur3),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_bloom_match),
		cmocka_unit_test(test_merkle_blocks),
		cmocka_unit_test(test_real_proofs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
