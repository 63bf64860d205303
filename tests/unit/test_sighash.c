/* wallet/sighash: refusals first, then Core's quirks and BIP341 details. */
#include "tests/support/testsupport.h"

#include "wallet/hex.h"
#include "wallet/mem.h"
#include "wallet/sighash.h"
#include "wallet/tx.h"

#include <string.h>

static const uint8_t P2WPKH[22] = { 0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                    11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
static const uint8_t P2TR[34] = { 0x51, 0x20, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
                                  9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9 };

/* two inputs, one output */
static void make_tx(struct wallet_tx *tx)
{
	wallet_tx_init(tx);
	struct wallet_outpoint op;
	memset(&op, 0xab, sizeof op);
	op.n = 0;
	(void)wallet_tx_add_input(tx, &op, NULL, 0, 0xfffffffe);
	op.n = 1;
	(void)wallet_tx_add_input(tx, &op, NULL, 0, 0xfffffffd);
	(void)wallet_tx_add_output(tx, 1000, P2WPKH, sizeof P2WPKH);
	tx->locktime = 100;
}

static void make_spent(struct wallet_txout spent[2])
{
	memset(spent, 0, 2 * sizeof *spent);
	spent[0].value = 5000;
	spent[0].script_pubkey.p = (uint8_t *)P2TR;
	spent[0].script_pubkey.len = sizeof P2TR;
	spent[1].value = 6000;
	spent[1].script_pubkey.p = (uint8_t *)P2TR;
	spent[1].script_pubkey.len = sizeof P2TR;
}

static bool is_zero(const struct hash256 *h)
{
	static const uint8_t z[32];
	return memcmp(h->b, z, 32) == 0;
}

static void test_refusals(void **state)
{
	(void)state;
	struct wallet_tx tx;
	struct wallet_txout spent[2];
	make_tx(&tx);
	make_spent(spent);
	struct hash256 h;
	memset(&h, 0x55, sizeof h);
	assert_int_equal(wallet_sighash_legacy(&h, &tx, 2, P2WPKH, 3, 1), KB_EINVAL);
	assert_true(is_zero(&h));
	assert_int_equal(wallet_sighash_legacy(&h, &tx, 0, NULL, 3, 1), KB_EINVAL);
	memset(&h, 0x55, sizeof h);
	assert_int_equal(wallet_sighash_segwit_v0(&h, &tx, NULL, 2, P2WPKH, 3, 1, 1), KB_EINVAL);
	assert_true(is_zero(&h));
	struct buf b = BUF_INIT;
	assert_int_equal(wallet_sighash_segwit_v0_preimage(&b, &tx, NULL, 5, P2WPKH, 3, 1, 1), KB_EINVAL);
	assert_int_equal(b.len, 0);

	/* taproot: every disallowed hash type */
	for (unsigned t = 0; t < 256; t++) {
		bool ok = t <= 3 || (t >= 0x81 && t <= 0x83);
		assert_int_equal(wallet_sighash_taproot_type_valid((uint8_t)t), ok);
		enum kb_rc rc = wallet_sighash_taproot(&h, &tx, NULL, 0, spent, 2, (uint8_t)t, NULL);
		assert_int_equal(rc, ok ? KB_OK : KB_EINVAL);
		if (!ok)
			assert_true(is_zero(&h));
	}
	/* spent outputs must cover every input */
	assert_int_equal(wallet_sighash_taproot(&h, &tx, NULL, 0, spent, 1, 0, NULL), KB_EINVAL);
	assert_int_equal(wallet_sighash_taproot(&h, &tx, NULL, 0, NULL, 2, 0, NULL), KB_EINVAL);
	assert_int_equal(wallet_sighash_taproot(&h, &tx, NULL, 2, spent, 2, 0, NULL), KB_EINVAL);
	/* SINGLE needs an output at the input's index (input 1 has none) */
	assert_int_equal(wallet_sighash_taproot(&h, &tx, NULL, 0, spent, 2, 0x03, NULL), KB_OK);
	assert_int_equal(wallet_sighash_taproot(&h, &tx, NULL, 1, spent, 2, 0x03, NULL), KB_EINVAL);
	assert_int_equal(wallet_sighash_taproot(&h, &tx, NULL, 1, spent, 2, 0x83, NULL), KB_EINVAL);
	assert_int_equal(wallet_sighash_taproot(&h, &tx, NULL, 1, spent, 2, 0x02, NULL), KB_OK);
	/* an annex must start with 0x50 and not be empty */
	static const uint8_t bad_annex[2] = { 0x51, 0 }, annex[2] = { 0x50, 0 };
	struct wallet_sighash_taproot_ext ext = { bad_annex, 2, NULL, WALLET_SIGHASH_NO_CODESEP };
	assert_int_equal(wallet_sighash_taproot(&h, &tx, NULL, 0, spent, 2, 0, &ext), KB_EINVAL);
	ext.annex = annex;
	ext.annex_len = 0;
	assert_int_equal(wallet_sighash_taproot(&h, &tx, NULL, 0, spent, 2, 0, &ext), KB_EINVAL);
	/* a cache made without the spent outputs cannot serve taproot */
	struct wallet_sighash_cache cache;
	wallet_sighash_cache_init(&cache, &tx, NULL, 0);
	assert_false(cache.have_spent);
	assert_int_equal(wallet_sighash_taproot(&h, &tx, &cache, 0, spent, 2, 0, NULL), KB_EINVAL);
	assert_int_equal(wallet_sighash_taproot_msg(&b, &tx, &cache, 0, spent, 2, 0, NULL), KB_EINVAL);
	assert_int_equal(b.len, 0);
	wallet_sighash_cache_init(&cache, &tx, spent, 1); /* wrong count */
	assert_false(cache.have_spent);
	wallet_tx_clear(&tx);
}

static void test_single_bug(void **state)
{
	(void)state;
	struct wallet_tx tx;
	make_tx(&tx);
	struct hash256 h;
	/* input 1, one output: legacy SINGLE hashes to the number 1 */
	assert_int_equal(wallet_sighash_legacy(&h, &tx, 1, P2WPKH, sizeof P2WPKH, 0x03), KB_OK);
	char hex[65];
	wallet_hex_encode_rev(hex, sizeof hex, h.b, 32);
	assert_string_equal(hex, "0000000000000000000000000000000000000000000000000000000000000001");
	assert_int_equal(wallet_sighash_legacy(&h, &tx, 1, P2WPKH, sizeof P2WPKH, 0x83), KB_OK);
	assert_int_equal(h.b[0], 1);
	/* input 0 has its output: a real hash */
	assert_int_equal(wallet_sighash_legacy(&h, &tx, 0, P2WPKH, sizeof P2WPKH, 0x03), KB_OK);
	struct hash256 one = { { 1 } };
	assert_memory_not_equal(h.b, one.b, 32);
	/* BIP143 has no such bug: hashOutputs is zero and the hash is real */
	struct buf b = BUF_INIT;
	assert_int_equal(wallet_sighash_segwit_v0_preimage(&b, &tx, NULL, 1, P2WPKH, sizeof P2WPKH,
	                                                   6000, 0x03), KB_OK);
	/* version, prevouts, sequences, outpoint, script, amount, sequence, outputs, locktime, type */
	size_t off_outputs = 4 + 32 + 32 + 36 + 1 + sizeof P2WPKH + 8 + 4;
	assert_int_equal(b.len, off_outputs + 32 + 4 + 4);
	static const uint8_t z[32];
	assert_memory_equal(b.p + off_outputs, z, 32);
	assert_memory_equal(b.p + 4 + 32, z, 32); /* hashSequence zero for SINGLE */
	buf_clear(&b);
	wallet_tx_clear(&tx);
}

/* Legacy hash of a one-input, one-output tx built by hand for script
 * code bytes as Core would serialise them (length field given). */
static void manual_legacy(struct hash256 *out, const struct wallet_tx *tx, uint64_t code_len_field,
                          const uint8_t *code, size_t n, uint32_t type)
{
	struct buf b = BUF_INIT;
	buf_u32le(&b, (uint32_t)tx->version);
	buf_varint(&b, 1);
	wallet_tx_serialize_outpoint(&tx->in[0].prevout, &b);
	buf_varint(&b, code_len_field);
	buf_bytes(&b, code, n);
	buf_u32le(&b, tx->in[0].sequence);
	buf_varint(&b, 1);
	wallet_tx_serialize_output(&tx->out[0], &b);
	buf_u32le(&b, tx->locktime);
	buf_u32le(&b, type);
	wallet_hash_sha256d(out->b, b.p, b.len);
	buf_clear(&b);
}

static void test_codeseparator(void **state)
{
	(void)state;
	struct wallet_tx tx;
	wallet_tx_init(&tx);
	struct wallet_outpoint op = { { { 7 } }, 3 };
	(void)wallet_tx_add_input(&tx, &op, NULL, 0, 0xffffffff);
	(void)wallet_tx_add_output(&tx, 1, P2WPKH, sizeof P2WPKH);
	struct hash256 h, want;

	/* OP_CODESEPARATORs are left out, pushes of 0xab are not */
	static const uint8_t with[] = { 0xab, 0x76, 0xab, 0x01, 0xab, 0xac, 0xab };
	static const uint8_t without[] = { 0x76, 0x01, 0xab, 0xac };
	assert_int_equal(wallet_sighash_legacy(&h, &tx, 0, with, sizeof with, 1), KB_OK);
	manual_legacy(&want, &tx, sizeof without, without, sizeof without, 1);
	assert_memory_equal(h.b, want.b, 32);

	/* a truncated push: Core counts separators before it, writes the
	 * declared length as size - separators, and the bytes only up to
	 * where parsing stopped */
	static const uint8_t trunc1[] = { 0xab, 0x4c };       /* PUSHDATA1 without length */
	static const uint8_t out1[] = { 0x4c };
	assert_int_equal(wallet_sighash_legacy(&h, &tx, 0, trunc1, sizeof trunc1, 1), KB_OK);
	manual_legacy(&want, &tx, 1, out1, sizeof out1, 1);
	assert_memory_equal(h.b, want.b, 32);
	static const uint8_t trunc2[] = { 0x4c, 0x05, 0xaa }; /* 5 bytes promised, 1 there */
	static const uint8_t out2[] = { 0x4c, 0x05 };
	assert_int_equal(wallet_sighash_legacy(&h, &tx, 0, trunc2, sizeof trunc2, 1), KB_OK);
	manual_legacy(&want, &tx, 3, out2, sizeof out2, 1);
	assert_memory_equal(h.b, want.b, 32);
	static const uint8_t trunc3[] = { 0xab, 0x03, 0xab }; /* direct push cut short */
	static const uint8_t out3[] = { 0x03 };
	assert_int_equal(wallet_sighash_legacy(&h, &tx, 0, trunc3, sizeof trunc3, 1), KB_OK);
	manual_legacy(&want, &tx, 2, out3, sizeof out3, 1);
	assert_memory_equal(h.b, want.b, 32);
	/* empty script */
	assert_int_equal(wallet_sighash_legacy(&h, &tx, 0, NULL, 0, 1), KB_OK);
	manual_legacy(&want, &tx, 0, NULL, 0, 1);
	assert_memory_equal(h.b, want.b, 32);
	/* hash types are written as full 32-bit values */
	assert_int_equal(wallet_sighash_legacy(&h, &tx, 0, NULL, 0, (int32_t)0x80000001), KB_OK);
	manual_legacy(&want, &tx, 0, NULL, 0, 0x80000001u);
	assert_memory_equal(h.b, want.b, 32);
	wallet_tx_clear(&tx);
}

static void test_taproot_ext(void **state)
{
	(void)state;
	struct wallet_tx tx;
	struct wallet_txout spent[2];
	make_tx(&tx);
	make_spent(spent);
	struct wallet_sighash_cache cache;
	wallet_sighash_cache_init(&cache, &tx, spent, 2);
	struct hash256 key, annexed, leaf, leaf2, h;
	assert_int_equal(wallet_sighash_taproot(&key, &tx, &cache, 0, spent, 2, 0, NULL), KB_OK);
	assert_int_equal(wallet_sighash_taproot(&h, &tx, NULL, 0, spent, 2, 0, NULL), KB_OK);
	assert_memory_equal(key.b, h.b, 32);
	/* an empty ext is the key path */
	struct wallet_sighash_taproot_ext ext = { NULL, 0, NULL, WALLET_SIGHASH_NO_CODESEP };
	assert_int_equal(wallet_sighash_taproot(&h, &tx, &cache, 0, spent, 2, 0, &ext), KB_OK);
	assert_memory_equal(key.b, h.b, 32);
	/* the annex and a leaf each change the hash */
	static const uint8_t annex[3] = { 0x50, 1, 2 };
	ext.annex = annex;
	ext.annex_len = sizeof annex;
	assert_int_equal(wallet_sighash_taproot(&annexed, &tx, &cache, 0, spent, 2, 0, &ext), KB_OK);
	assert_memory_not_equal(key.b, annexed.b, 32);
	struct hash256 lh;
	static const uint8_t script[] = { 0x51 };
	wallet_sighash_tapleaf(&lh, WALLET_TAPLEAF_TAPSCRIPT, script, 1);
	ext.annex = NULL;
	ext.annex_len = 0;
	ext.leaf_hash = &lh;
	assert_int_equal(wallet_sighash_taproot(&leaf, &tx, &cache, 0, spent, 2, 0, &ext), KB_OK);
	ext.codesep_pos = 0;
	assert_int_equal(wallet_sighash_taproot(&leaf2, &tx, &cache, 0, spent, 2, 0, &ext), KB_OK);
	assert_memory_not_equal(key.b, leaf.b, 32);
	assert_memory_not_equal(leaf.b, leaf2.b, 32);
	/* the message: epoch, type, version, locktime, 5 hashes, spend_type 2,
	 * index, leaf hash, key version, codesep position */
	struct buf b = BUF_INIT;
	assert_int_equal(wallet_sighash_taproot_msg(&b, &tx, &cache, 0, spent, 2, 0, &ext), KB_OK);
	assert_int_equal(b.len, 1 + 1 + 4 + 4 + 5 * 32 + 1 + 4 + 32 + 1 + 4);
	assert_int_equal(b.p[0], 0x00);
	assert_int_equal(b.p[1 + 1 + 4 + 4 + 5 * 32], 2);
	buf_clear(&b);
	/* ANYONECANPAY commits to this input's outpoint, amount, script and
	 * sequence but not to the other input */
	struct hash256 a1, a2;
	assert_int_equal(wallet_sighash_taproot(&a1, &tx, &cache, 0, spent, 2, 0x81, NULL), KB_OK);
	tx.in[1].sequence = 0;
	spent[1].value = 1;
	wallet_sighash_cache_init(&cache, &tx, spent, 2);
	assert_int_equal(wallet_sighash_taproot(&a2, &tx, &cache, 0, spent, 2, 0x81, NULL), KB_OK);
	assert_memory_equal(a1.b, a2.b, 32);
	assert_int_equal(wallet_sighash_taproot(&h, &tx, &cache, 0, spent, 2, 0x01, NULL), KB_OK);
	assert_memory_not_equal(h.b, key.b, 32);
	spent[0].value = 1;
	assert_int_equal(wallet_sighash_taproot(&a2, &tx, &cache, 0, spent, 2, 0x81, NULL), KB_OK);
	assert_memory_not_equal(a1.b, a2.b, 32);
	wallet_tx_clear(&tx);
}

static void test_tree_hashes(void **state)
{
	(void)state;
	struct hash256 a, b, ab, ba;
	static const uint8_t s1[] = { 0x51 }, s2[] = { 0x52 };
	wallet_sighash_tapleaf(&a, 0xc0, s1, 1);
	wallet_sighash_tapleaf(&b, 0xc0, s2, 1);
	wallet_sighash_tapbranch(&ab, &a, &b);
	wallet_sighash_tapbranch(&ba, &b, &a);
	assert_memory_equal(ab.b, ba.b, 32); /* children are sorted */
	/* the output may alias an input */
	wallet_sighash_tapbranch(&a, &a, &b);
	assert_memory_equal(a.b, ab.b, 32);
	/* leaf version is part of the leaf hash */
	wallet_sighash_tapleaf(&a, 0xc0, s1, 1);
	wallet_sighash_tapleaf(&b, 0xc2, s1, 1);
	assert_memory_not_equal(a.b, b.b, 32);
	/* TapTweak with and without a root differ */
	uint8_t p[32] = { 1 };
	wallet_sighash_taptweak(&a, p, NULL);
	wallet_sighash_taptweak(&b, p, &ab);
	assert_memory_not_equal(a.b, b.b, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_single_bug),
		cmocka_unit_test(test_codeseparator),
		cmocka_unit_test(test_taproot_ext),
		cmocka_unit_test(test_tree_hashes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
