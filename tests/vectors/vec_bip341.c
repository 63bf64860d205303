/*
 * BIP341 wallet test vectors (tests/data/bip341/bip341_wallet_vectors.json).
 *
 * scriptPubKey: for each internal key and script tree, the leaf hashes,
 * merkle root, tweak, output key, scriptPubKey, bech32m address and the
 * script-path control blocks.
 * keyPathSpending: the transaction-wide hashes, and for every input its
 * internal key, tweak, tweaked secret key, SigMsg, TapSighash and the
 * signature (BIP340 with 32 zero bytes of aux randomness, as the BIP's
 * reference code signs); finally the fully signed transaction rebuilt from
 * our signatures (and the vector's non-taproot witnesses/scriptSigs)
 * equals the vector's byte for byte.
 */
#include "tests/support/testsupport.h"

#include "wallet/address.h"
#include "wallet/hex.h"
#include "wallet/mem.h"
#include "wallet/secp.h"
#include "wallet/sighash.h"
#include "wallet/sign.h"
#include "wallet/tx.h"

#include <secp256k1_extrakeys.h>
#include <stdio.h>
#include <string.h>

#define MAX_LEAVES 16
#define MAX_DEPTH 8

struct leaf {
	struct hash256 hash;
	uint8_t version;
	struct hash256 path[MAX_DEPTH];
	size_t depth;
};

struct tree {
	struct leaf leaves[MAX_LEAVES];
	size_t count;
	bool bad;
};

/* Hash of a script tree node (leaf object or two-element array); leaves
 * are collected depth first, and each learns its merkle path. */
static struct hash256 tree_node(struct tree *t, const struct json *n, int depth)
{
	struct hash256 h = { { 0 } };
	if (depth > MAX_DEPTH) {
		t->bad = true;
		return h;
	}
	if (json_is(n, JSON_OBJECT)) {
		int64_t ver;
		const char *script = json_get_str(n, "script");
		if (!script || !json_get_int64(n, "leafVersion", &ver) || ver < 0 || ver > 255 ||
		    t->count == MAX_LEAVES) {
			t->bad = true;
			return h;
		}
		size_t len;
		uint8_t *s = ts_unhex(script, &len);
		struct leaf *l = &t->leaves[t->count++];
		l->version = (uint8_t)ver;
		l->depth = 0;
		wallet_sighash_tapleaf(&l->hash, (uint8_t)ver, s, len);
		kb_free(s);
		return l->hash;
	}
	if (!json_is(n, JSON_ARRAY) || n->count != 2) {
		t->bad = true;
		return h;
	}
	size_t first = t->count;
	struct hash256 a = tree_node(t, json_at(n, 0), depth + 1);
	size_t mid = t->count;
	struct hash256 b = tree_node(t, json_at(n, 1), depth + 1);
	for (size_t i = first; i < t->count; i++) {
		struct leaf *l = &t->leaves[i];
		if (l->depth == MAX_DEPTH) {
			t->bad = true;
			continue;
		}
		l->path[l->depth++] = i < mid ? b : a;
	}
	wallet_sighash_tapbranch(&h, &a, &b);
	return h;
}

static void test_script_pubkey(void **state)
{
	(void)state;
	struct json *j = ts_load_json("bip341/bip341_wallet_vectors.json");
	const struct json *cases = json_get(j, "scriptPubKey");
	assert_non_null(cases);
	struct vec v;
	vec_start(&v, "bip341/scriptPubKey");
	for (size_t i = 0; i < cases->count; i++) {
		const struct json *c = json_at(cases, i);
		const struct json *given = json_get(c, "given");
		const struct json *inter = json_get(c, "intermediary");
		const struct json *expected = json_get(c, "expected");
		uint8_t internal[32];
		if (!wallet_hex_decode_exact(internal, 32, json_get_str(given, "internalPubkey"))) {
			vec_fail(&v, i, "bad internalPubkey");
			vec_case_end(&v);
			continue;
		}
		const struct json *st = json_get(given, "scriptTree");
		struct tree t;
		memset(&t, 0, sizeof t);
		struct hash256 root;
		bool have_root = st && !json_is(st, JSON_NULL);
		if (have_root)
			root = tree_node(&t, st, 0);
		if (t.bad)
			vec_fail(&v, i, "script tree not understood");

		const struct json *lh = json_get(inter, "leafHashes");
		if ((lh ? lh->count : 0) != t.count)
			vec_fail(&v, i, "%zu leaves, want %zu", t.count, lh ? lh->count : 0);
		for (size_t k = 0; lh && k < lh->count && k < t.count; k++)
			(void)vec_check_hex(&v, i, "leaf hash", t.leaves[k].hash.b, 32,
			                    json_str(json_at(lh, k)));
		const char *mr = json_get_str(inter, "merkleRoot");
		if (have_root != (mr != NULL))
			vec_fail(&v, i, "merkle root presence differs");
		else if (mr)
			(void)vec_check_hex(&v, i, "merkleRoot", root.b, 32, mr);

		struct hash256 tweak;
		wallet_sighash_taptweak(&tweak, internal, have_root ? &root : NULL);
		(void)vec_check_hex(&v, i, "tweak", tweak.b, 32, json_get_str(inter, "tweak"));
		uint8_t q[32];
		int parity;
		if (wallet_sign_taproot_output_key(q, &parity, internal, have_root ? &root : NULL) != KB_OK) {
			vec_fail(&v, i, "output key refused");
			vec_case_end(&v);
			continue;
		}
		(void)vec_check_hex(&v, i, "tweakedPubkey", q, 32, json_get_str(inter, "tweakedPubkey"));
		uint8_t spk[34] = { 0x51, 0x20 };
		memcpy(spk + 2, q, 32);
		(void)vec_check_hex(&v, i, "scriptPubKey", spk, 34, json_get_str(expected, "scriptPubKey"));

		char addr[128];
		if (wallet_address_encode(addr, sizeof addr, KB_NET_MAIN, spk, sizeof spk) != KB_OK)
			vec_fail(&v, i, "address encoding refused");
		else if (strcmp(addr, json_get_str(expected, "bip350Address")) != 0)
			vec_fail(&v, i, "address %s", addr);

		/* control block: (leaf version | parity) || internal key || path */
		const struct json *cbs = json_get(expected, "scriptPathControlBlocks");
		if ((cbs ? cbs->count : 0) != t.count)
			vec_fail(&v, i, "control block count");
		for (size_t k = 0; cbs && k < cbs->count && k < t.count; k++) {
			const struct leaf *l = &t.leaves[k];
			struct buf b = BUF_INIT;
			buf_u8(&b, (uint8_t)(l->version | (parity & 1)));
			buf_bytes(&b, internal, 32);
			for (size_t d = 0; d < l->depth; d++)
				buf_bytes(&b, l->path[d].b, 32);
			(void)vec_check_hex(&v, i, "control block", b.p, b.len, json_str(json_at(cbs, k)));
			buf_clear(&b);
		}
		vec_case_end(&v);
	}
	vec_finish(&v);
	json_free(j);
}

/* Fills the vector's spent outputs (borrowing nothing: bytes are copied). */
static size_t load_spent(const struct json *utxos, struct wallet_txout *spent, size_t cap)
{
	size_t n = utxos ? utxos->count : 0;
	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		const struct json *u = json_at(utxos, i);
		size_t len;
		spent[i].script_pubkey.p = ts_unhex(json_get_str(u, "scriptPubKey"), &len);
		spent[i].script_pubkey.len = len;
		assert_true(json_get_int64(u, "amountSats", &spent[i].value));
	}
	return n;
}

static void test_key_path(void **state)
{
	(void)state;
	struct json *j = ts_load_json("bip341/bip341_wallet_vectors.json");
	const struct json *kps = json_get(j, "keyPathSpending");
	assert_non_null(kps);
	struct vec v;
	vec_start(&v, "bip341/keyPathSpending");
	static const uint8_t zero_aux[32];
	const secp256k1_context *ctx = wallet_secp();
	size_t ci = 0;
	for (size_t e = 0; e < kps->count; e++) {
		const struct json *k = json_at(kps, e);
		const struct json *given = json_get(k, "given");
		const struct json *inter = json_get(k, "intermediary");
		size_t len;
		uint8_t *raw = ts_unhex(json_get_str(given, "rawUnsignedTx"), &len);
		struct wallet_tx tx;
		assert_int_equal(wallet_tx_parse(&tx, raw, len), KB_OK);
		kb_free(raw);
		struct wallet_txout spent[32];
		memset(spent, 0, sizeof spent);
		size_t nspent = load_spent(json_get(given, "utxosSpent"), spent, 32);

		struct wallet_sighash_cache cache;
		wallet_sighash_cache_init(&cache, &tx, spent, nspent);
		assert_true(cache.have_spent);

		/* the rebuilt signed tx starts from the vector's (for the
		 * inputs that are not key-path taproot) */
		const struct json *aux = json_get(k, "auxiliary");
		const char *full_hex = aux ? json_get_str(aux, "fullySignedTx") : NULL;
		struct wallet_tx full;
		wallet_tx_init(&full);
		uint8_t *full_raw = NULL;
		size_t full_len = 0;
		if (full_hex) {
			full_raw = ts_unhex(full_hex, &full_len);
			assert_int_equal(wallet_tx_parse(&full, full_raw, full_len), KB_OK);
		}
		struct wallet_tx rebuilt;
		wallet_tx_copy(&rebuilt, &tx);
		for (size_t i = 0; i < full.in_count && i < rebuilt.in_count; i++) {
			const struct wallet_txin *in = &full.in[i];
			const uint8_t *items[16];
			size_t lens[16];
			assert_true(in->witness_count <= 16);
			for (size_t w = 0; w < in->witness_count; w++) {
				items[w] = in->witness[w].p;
				lens[w] = in->witness[w].len;
			}
			wallet_tx_set_script_sig(&rebuilt, i, in->script_sig.p, in->script_sig.len);
			const struct wallet_bytes *spk = &spent[i].script_pubkey;
			if (i < nspent && !(spk->len == 34 && spk->p[0] == 0x51))
				wallet_tx_set_witness(&rebuilt, i, items, lens, in->witness_count);
		}

		/* the transaction-wide hashes (a case of their own) */
		(void)vec_check_hex(&v, ci, "hashPrevouts", cache.prevouts.b, 32, json_get_str(inter, "hashPrevouts"));
		(void)vec_check_hex(&v, ci, "hashAmounts", cache.amounts.b, 32, json_get_str(inter, "hashAmounts"));
		(void)vec_check_hex(&v, ci, "hashScriptPubkeys", cache.spks.b, 32, json_get_str(inter, "hashScriptPubkeys"));
		(void)vec_check_hex(&v, ci, "hashSequences", cache.sequences.b, 32, json_get_str(inter, "hashSequences"));
		(void)vec_check_hex(&v, ci, "hashOutputs", cache.outputs.b, 32, json_get_str(inter, "hashOutputs"));
		vec_case_end(&v);
		ci++;

		const struct json *ins = json_get(k, "inputSpending");
		for (size_t s = 0; ins && s < ins->count; s++, ci++) {
			const struct json *is = json_at(ins, s);
			const struct json *ig = json_get(is, "given");
			const struct json *ii = json_get(is, "intermediary");
			const struct json *ie = json_get(is, "expected");
			int64_t idx, ht;
			if (!json_get_int64(ig, "txinIndex", &idx) || !json_get_int64(ig, "hashType", &ht) ||
			    idx < 0 || (size_t)idx >= tx.in_count || ht < 0 || ht > 255) {
				vec_fail(&v, ci, "malformed input case");
				vec_case_end(&v);
				continue;
			}
			uint8_t *key = kb_secret_alloc(32);
			assert_true(wallet_hex_decode_exact(key, 32, json_get_str(ig, "internalPrivkey")));
			struct hash256 root;
			const char *mr = json_get_str(ig, "merkleRoot");
			if (mr)
				assert_true(wallet_hex_decode_exact(root.b, 32, mr));

			/* intermediary keys, computed with libsecp256k1 directly */
			secp256k1_keypair *kp = kb_secret_alloc(sizeof *kp);
			secp256k1_xonly_pubkey xp;
			uint8_t internal[32];
			assert_true(secp256k1_keypair_create(ctx, kp, key));
			assert_true(secp256k1_keypair_xonly_pub(ctx, &xp, NULL, kp));
			assert_true(secp256k1_xonly_pubkey_serialize(ctx, internal, &xp));
			(void)vec_check_hex(&v, ci, "internalPubkey", internal, 32, json_get_str(ii, "internalPubkey"));
			struct hash256 tweak;
			wallet_sighash_taptweak(&tweak, internal, mr ? &root : NULL);
			(void)vec_check_hex(&v, ci, "tweak", tweak.b, 32, json_get_str(ii, "tweak"));
			uint8_t *tsec = kb_secret_alloc(32);
			assert_true(secp256k1_keypair_xonly_tweak_add(ctx, kp, tweak.b));
			assert_true(secp256k1_keypair_sec(ctx, tsec, kp));
			(void)vec_check_hex(&v, ci, "tweakedPrivkey", tsec, 32, json_get_str(ii, "tweakedPrivkey"));
			kb_secret_free(tsec);
			kb_secret_free(kp);

			struct buf msg = BUF_INIT;
			struct hash256 h, h2;
			if (wallet_sighash_taproot_msg(&msg, &tx, &cache, (size_t)idx, spent, nspent,
			                               (uint8_t)ht, NULL) != KB_OK ||
			    wallet_sighash_taproot(&h, &tx, &cache, (size_t)idx, spent, nspent,
			                           (uint8_t)ht, NULL) != KB_OK ||
			    wallet_sighash_taproot(&h2, &tx, NULL, (size_t)idx, spent, nspent,
			                           (uint8_t)ht, NULL) != KB_OK) {
				vec_fail(&v, ci, "sighash refused");
				buf_clear(&msg);
				kb_secret_free(key);
				vec_case_end(&v);
				continue;
			}
			(void)vec_check_hex(&v, ci, "sigMsg", msg.p, msg.len, json_get_str(ii, "sigMsg"));
			buf_clear(&msg);
			(void)vec_check_hex(&v, ci, "sigHash", h.b, 32, json_get_str(ii, "sigHash"));
			if (memcmp(h.b, h2.b, 32) != 0)
				vec_fail(&v, ci, "cached and uncached hashes differ");

			uint8_t sig[WALLET_SIGN_SCHNORR_MAX];
			size_t siglen;
			enum kb_rc rc = wallet_sign_schnorr_taproot(sig, &siglen, key, mr ? &root : NULL,
			                                            &h, (uint8_t)ht, zero_aux);
			kb_secret_free(key);
			const struct json *wit = json_get(ie, "witness");
			if (rc != KB_OK) {
				vec_fail(&v, ci, "signing: %s", kb_rc_str(rc));
			} else if (!wit || wit->count != 1) {
				vec_fail(&v, ci, "expected witness is not one item");
			} else {
				(void)vec_check_hex(&v, ci, "signature", sig, siglen, json_str(json_at(wit, 0)));
				/* verifies under the output key of the spent scriptPubKey */
				const struct wallet_bytes *spk = &spent[idx].script_pubkey;
				if (spk->len != 34 || !wallet_sign_schnorr_verify(spk->p + 2, &h, sig))
					vec_fail(&v, ci, "signature does not verify under the spent output key");
				const uint8_t *items[1] = { sig };
				wallet_tx_set_witness(&rebuilt, (size_t)idx, items, &siglen, 1);
			}
			vec_case_end(&v);
		}

		if (full_hex) {
			/* a case of its own: the whole signed transaction */
			struct buf b = BUF_INIT;
			wallet_tx_serialize(&rebuilt, &b, true);
			if (b.len != full_len || memcmp(b.p, full_raw, full_len) != 0)
				vec_fail(&v, ci, "rebuilt signed transaction differs from fullySignedTx");
			buf_clear(&b);
			vec_case_end(&v);
			ci++;
		}
		kb_free(full_raw);
		wallet_tx_clear(&full);
		wallet_tx_clear(&rebuilt);
		for (size_t i = 0; i < nspent; i++)
			kb_free(spent[i].script_pubkey.p);
		wallet_tx_clear(&tx);
	}
	vec_finish(&v);
	json_free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_script_pubkey),
		cmocka_unit_test(test_key_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
