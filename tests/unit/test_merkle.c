/* spv/merkle: misuse and every rejection reason first (limits, truncation,
 * unused hashes and bits, stray padding, CVE-2012-2459, wrong root), then
 * honest proofs over a real block with random match sets. */
#include "tests/support/testsupport.h"

#include "spv/header.h"
#include "spv/merkle.h"
#include "spv/msg.h"
#include "wallet/cursor.h"
#include "wallet/hash.h"
#include "wallet/mem.h"
#include "wallet/tx.h"

#include <stdio.h>
#include <string.h>

static uint64_t rng_state;
static void rng_seed(uint64_t s)
{
	rng_state = s ? s : 1;
	printf("seed %llu\n", (unsigned long long)s);
}
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* The txids and header of a raw block file under tests/data. */
struct blk {
	uint8_t header[80];
	size_t n;
	struct hash256 *txid;
};

static void blk_load(struct blk *b, const char *rel)
{
	size_t len;
	uint8_t *p = ts_read_file(rel, &len);
	struct cursor c;
	cursor_init(&c, p, len);
	cursor_bytes(&c, b->header, 80);
	b->n = cursor_count(&c, SPV_MERKLE_MAX_TXS, 60);
	assert_true(cursor_ok(&c) && b->n > 0);
	b->txid = kb_calloc(b->n, sizeof *b->txid);
	for (size_t i = 0; i < b->n; i++) {
		struct wallet_tx tx;
		assert_int_equal(wallet_tx_parse_cursor(&tx, &c), KB_OK);
		wallet_tx_txid(&tx, &b->txid[i]);
		wallet_tx_clear(&tx);
	}
	assert_true(cursor_done(&c));
	kb_free(p);
}

static struct hash256 header_root(const uint8_t header[80])
{
	struct hash256 r;
	memcpy(r.b, header + SPV_HEADER_OFF_MERKLE, 32);
	return r;
}

/* Verifies explicit parts against root; checks *out is empty on failure. */
static enum spv_merkle_err verify(const struct hash256 *root, uint32_t total,
                                  const struct hash256 *hashes, size_t nh,
                                  const uint8_t *flags, size_t nf)
{
	struct spv_merkle_matches out;
	memset(&out, 0xee, sizeof out); /* outputs are written first */
	enum spv_merkle_err e = spv_merkle_verify(&out, root, total, hashes, nh, flags, nf);
	if (e != SPV_MERKLE_OK) {
		assert_int_equal(out.n, 0);
		assert_null(out.v);
	}
	spv_merkle_matches_clear(&out);
	return e;
}

static enum spv_merkle_err verify_mb(const struct spv_msg_merkleblock *mb)
{
	struct hash256 root = header_root(mb->header);
	return verify(&root, mb->total_txs, mb->hashes, mb->n_hashes, mb->flags, mb->n_flags);
}

/* ---- misuse and limits ---------------------------------------------------------------- */

static void test_limits(void **state)
{
	(void)state;
	struct hash256 h[3], root;
	memset(h, 0x11, sizeof h);
	memset(&root, 0x11, sizeof root);
	uint8_t flags[1] = { 0 };
	assert_int_equal(verify(&root, 0, h, 1, flags, 1), SPV_MERKLE_ERR_NO_TXS);
	assert_int_equal(verify(&root, SPV_MERKLE_MAX_TXS + 1, h, 1, flags, 1),
	                 SPV_MERKLE_ERR_TOO_MANY_TXS);
	assert_int_equal(verify(&root, UINT32_MAX, h, 1, flags, 1), SPV_MERKLE_ERR_TOO_MANY_TXS);
	assert_int_equal(verify(&root, 2, h, 3, flags, 1), SPV_MERKLE_ERR_TOO_MANY_HASHES);
	assert_int_equal(verify(&root, 1, h, 0, flags, 1), SPV_MERKLE_ERR_HASHES_SHORT);
	assert_int_equal(verify(&root, 1, h, 1, NULL, 0), SPV_MERKLE_ERR_FLAGS_SHORT);
	assert_int_equal(SPV_MERKLE_MAX_TXS, 16666);

	/* a one-transaction block: the root is the txid */
	uint8_t f1[2] = { 0x01, 0x00 };
	assert_int_equal(verify(&root, 1, h, 1, f1, 1), SPV_MERKLE_OK);
	f1[0] = 0x00; /* no match, still a valid proof */
	assert_int_equal(verify(&root, 1, h, 1, f1, 1), SPV_MERKLE_OK);
	f1[0] = 0x03; /* a padding bit set */
	assert_int_equal(verify(&root, 1, h, 1, f1, 1), SPV_MERKLE_ERR_STRAY_BITS);
	f1[0] = 0x80;
	assert_int_equal(verify(&root, 1, h, 1, f1, 1), SPV_MERKLE_ERR_STRAY_BITS);
	f1[0] = 0x01; /* a whole extra flag byte */
	assert_int_equal(verify(&root, 1, h, 1, f1, 2), SPV_MERKLE_ERR_UNUSED_FLAG_BYTES);
	assert_int_equal(verify(&root, 2, h, 1, f1, 1), SPV_MERKLE_ERR_HASHES_SHORT);
	/* two equal leaves: the duplicate branch */
	assert_int_equal(verify(&root, 2, h, 2, f1, 1), SPV_MERKLE_ERR_DUPLICATE_BRANCH);
	struct hash256 other;
	memset(&other, 0x12, sizeof other);
	assert_int_equal(verify(&other, 1, h, 1, f1, 1), SPV_MERKLE_ERR_ROOT_MISMATCH);

	/* matches come out with their positions */
	struct spv_merkle_matches out;
	assert_int_equal(spv_merkle_verify(&out, &root, 1, h, 1, f1, 1), SPV_MERKLE_OK);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.v[0].pos, 0);
	assert_memory_equal(out.v[0].txid.b, h[0].b, 32);
	spv_merkle_matches_clear(&out);
	spv_merkle_matches_clear(&out);

	/* the builder's bounds */
	struct spv_msg m;
	bool match[1] = { true };
	uint8_t header[80] = { 0 };
	assert_int_equal(spv_merkle_build(&m, header, h, match, 0), KB_EINVAL);
	assert_int_equal(m.type, SPV_MSG_UNKNOWN);
	assert_null(m.u.merkleblock.hashes);
	assert_int_equal(spv_merkle_build(&m, header, h, match, SPV_MERKLE_MAX_TXS + 1), KB_ELIMIT);
	assert_int_equal(m.type, SPV_MSG_UNKNOWN);
	spv_msg_clear(&m);

	for (int e = 0; e <= SPV_MERKLE_ERR_ROOT_MISMATCH; e++)
		assert_non_null(spv_merkle_err_str((enum spv_merkle_err)e));
	assert_string_equal(spv_merkle_err_str(SPV_MERKLE_ERR_DUPLICATE_BRANCH),
	                    "duplicate branch (CVE-2012-2459)");
}

/* ---- tampering with a real proof ------------------------------------------------------- */

static void test_tampered(void **state)
{
	(void)state;
	struct blk b;
	blk_load(&b, "chain/mainnet_block_300025.raw");
	assert_int_equal(b.n, 461);
	bool *match = kb_calloc(b.n, sizeof *match);
	match[3] = match[200] = match[460] = true;
	struct spv_msg m;
	assert_int_equal(spv_merkle_build(&m, b.header, b.txid, match, b.n), KB_OK);
	struct spv_msg_merkleblock *mb = &m.u.merkleblock;
	assert_int_equal(verify_mb(mb), SPV_MERKLE_OK);
	struct spv_merkle_matches out;
	assert_int_equal(spv_merkle_verify_block(&out, mb), SPV_MERKLE_OK);
	assert_int_equal(out.n, 3);
	assert_int_equal(out.v[0].pos, 3);
	assert_int_equal(out.v[1].pos, 200);
	assert_int_equal(out.v[2].pos, 460);
	assert_memory_equal(out.v[2].txid.b, b.txid[460].b, 32);
	spv_merkle_matches_clear(&out);
	size_t nh = mb->n_hashes, nf = mb->n_flags;

	/* wrong root in the header */
	mb->header[SPV_HEADER_OFF_MERKLE] ^= 1;
	assert_int_equal(verify_mb(mb), SPV_MERKLE_ERR_ROOT_MISMATCH);
	mb->header[SPV_HEADER_OFF_MERKLE] ^= 1;
	/* each hash altered in one bit: the root no longer matches */
	for (size_t i = 0; i < nh; i++) {
		mb->hashes[i].b[i % 32] ^= 0x10;
		assert_int_not_equal(verify_mb(mb), SPV_MERKLE_OK);
		mb->hashes[i].b[i % 32] ^= 0x10;
	}
	/* each flag bit flipped: refused, or (a leaf's bit) a valid proof with
	 * one match more or less, every match still the block's own txid */
	for (size_t bit = 0; bit < nf * 8; bit++) {
		mb->flags[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		struct spv_merkle_matches o;
		if (spv_merkle_verify_block(&o, mb) == SPV_MERKLE_OK) {
			assert_true(o.n == 2 || o.n == 4);
			for (size_t k = 0; k < o.n; k++)
				assert_memory_equal(o.v[k].txid.b, b.txid[o.v[k].pos].b, 32);
		}
		spv_merkle_matches_clear(&o);
		mb->flags[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* truncated: one hash less, one flag byte less */
	mb->n_hashes = nh - 1;
	assert_int_equal(verify_mb(mb), SPV_MERKLE_ERR_HASHES_SHORT);
	mb->n_hashes = nh;
	mb->n_flags = nf - 1;
	assert_int_equal(verify_mb(mb), SPV_MERKLE_ERR_FLAGS_SHORT);
	mb->n_flags = nf;
	/* an unused hash at the end */
	mb->hashes = kb_realloc(mb->hashes, (nh + 1) * sizeof *mb->hashes);
	mb->hashes[nh] = b.txid[0];
	mb->n_hashes = nh + 1;
	assert_int_equal(verify_mb(mb), SPV_MERKLE_ERR_UNUSED_HASHES);
	mb->n_hashes = nh;
	/* an unused (zero) flag byte */
	mb->flags = kb_realloc(mb->flags, nf + 1);
	mb->flags[nf] = 0;
	mb->n_flags = nf + 1;
	assert_int_equal(verify_mb(mb), SPV_MERKLE_ERR_UNUSED_FLAG_BYTES);
	mb->n_flags = nf;
	/* a stray padding bit (Core would accept this one) */
	struct spv_merkle_matches o2;
	assert_int_equal(spv_merkle_verify_block(&o2, mb), SPV_MERKLE_OK);
	spv_merkle_matches_clear(&o2);
	/* bits used = one per node visited = hashes + inner nodes marked 1
	 * (set bits less the three matched leaves) */
	size_t set = 0;
	for (size_t i = 0; i < nf; i++)
		set += (size_t)__builtin_popcount(mb->flags[i]);
	size_t used = nh + set - 3;
	assert_int_equal((used + 7) / 8, nf);
	for (size_t bit = used; bit < nf * 8; bit++) {
		mb->flags[nf - 1] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(verify_mb(mb), SPV_MERKLE_ERR_STRAY_BITS);
		mb->flags[nf - 1] ^= (uint8_t)(1u << (bit % 8));
	}
	assert_int_equal(verify_mb(mb), SPV_MERKLE_OK);
	/* the transaction count changed */
	mb->total_txs = 460;
	assert_int_not_equal(verify_mb(mb), SPV_MERKLE_OK);
	mb->total_txs = 462;
	assert_int_not_equal(verify_mb(mb), SPV_MERKLE_OK);
	mb->total_txs = 461;
	/* a serialised proof, truncated anywhere, does not parse or verify */
	struct buf ser = BUF_INIT;
	spv_msg_serialize(&ser, &m);
	for (size_t k = 0; k < ser.len; k++) {
		struct spv_msg t;
		if (spv_msg_parse(&t, SPV_MSG_MERKLEBLOCK, ser.p, k) == KB_OK) {
			struct spv_merkle_matches o3;
			assert_int_not_equal(spv_merkle_verify_block(&o3, &t.u.merkleblock), SPV_MERKLE_OK);
			spv_msg_clear(&t);
		}
	}
	struct spv_msg t;
	assert_int_equal(spv_msg_parse(&t, SPV_MSG_MERKLEBLOCK, ser.p, ser.len), KB_OK);
	assert_int_equal(verify_mb(&t.u.merkleblock), SPV_MERKLE_OK);
	spv_msg_clear(&t);
	buf_clear(&ser);
	spv_msg_clear(&m);
	kb_free(match);
	kb_free(b.txid);
}

/* ---- CVE-2012-2459 ------------------------------------------------------------------------- */

static void test_duplicate_branch(void **state)
{
	(void)state;
	struct blk b;
	blk_load(&b, "chain/mainnet_block_300025.raw");
	/* 461 transactions: the last leaf is paired with itself. Repeating it
	 * gives a 462-leaf list with the same root. */
	struct hash256 *dup = kb_calloc(b.n + 1, sizeof *dup);
	memcpy(dup, b.txid, b.n * sizeof *dup);
	dup[b.n] = b.txid[b.n - 1];
	struct hash256 r1, r2;
	bool mut1, mut2;
	spv_merkle_root(&r1, &mut1, b.txid, b.n);
	spv_merkle_root(&r2, &mut2, dup, b.n + 1);
	assert_memory_equal(r1.b, r2.b, 32);
	assert_false(mut1);
	assert_true(mut2);
	bool *match = kb_calloc(b.n + 1, sizeof *match);
	for (size_t which = b.n - 1; which <= b.n; which++) {
		memset(match, 0, (b.n + 1) * sizeof *match);
		match[which] = true;
		struct spv_msg m;
		assert_int_equal(spv_merkle_build(&m, b.header, dup, match, b.n + 1), KB_OK);
		assert_int_equal(verify_mb(&m.u.merkleblock), SPV_MERKLE_ERR_DUPLICATE_BRANCH);
		spv_msg_clear(&m);
	}
	/* the honest 461-leaf proof of the same transaction passes */
	memset(match, 0, (b.n + 1) * sizeof *match);
	match[b.n - 1] = true;
	struct spv_msg m;
	assert_int_equal(spv_merkle_build(&m, b.header, b.txid, match, b.n), KB_OK);
	assert_int_equal(verify_mb(&m.u.merkleblock), SPV_MERKLE_OK);
	spv_msg_clear(&m);
	kb_free(match);
	kb_free(dup);

	/* at a higher odd level: 6 leaves have 3 nodes at height 1; repeating
	 * the last two leaves (8 leaves) keeps the root */
	struct hash256 six[8];
	for (int i = 0; i < 6; i++)
		six[i] = b.txid[i];
	six[6] = six[4];
	six[7] = six[5];
	spv_merkle_root(&r1, &mut1, six, 6);
	spv_merkle_root(&r2, &mut2, six, 8);
	assert_memory_equal(r1.b, r2.b, 32);
	assert_false(mut1);
	assert_true(mut2);
	uint8_t header[80] = { 0 };
	memcpy(header + SPV_HEADER_OFF_MERKLE, r1.b, 32);
	bool m8[8] = { false, false, false, false, false, false, true, false };
	assert_int_equal(spv_merkle_build(&m, header, six, m8, 8), KB_OK);
	assert_int_equal(verify_mb(&m.u.merkleblock), SPV_MERKLE_ERR_DUPLICATE_BRANCH);
	spv_msg_clear(&m);
	bool m6[6] = { false, false, false, false, true, false };
	assert_int_equal(spv_merkle_build(&m, header, six, m6, 6), KB_OK);
	assert_int_equal(verify_mb(&m.u.merkleblock), SPV_MERKLE_OK);
	spv_msg_clear(&m);
	kb_free(b.txid);
}

/* ---- honest proofs, random match sets ------------------------------------------------------ */

static void test_random_proofs(void **state)
{
	(void)state;
	struct blk b;
	blk_load(&b, "chain/mainnet_block_300025.raw");
	rng_seed(300025);
	bool *match = kb_calloc(b.n, sizeof *match);
	for (int round = 0; round < 200; round++) {
		/* prefixes of the block too, so every tree shape up to 461 is seen */
		size_t n = round < 100 ? 1 + rng() % b.n : b.n;
		struct hash256 root;
		spv_merkle_root(&root, NULL, b.txid, n);
		uint8_t header[80] = { 0 };
		memcpy(header + SPV_HEADER_OFF_MERKLE, root.b, 32);
		unsigned density = (unsigned)(rng() % 4);
		size_t want = 0;
		for (size_t i = 0; i < n; i++) {
			match[i] = density == 0 ? false : rng() % (density == 3 ? 2 : 50) == 0;
			want += match[i];
		}
		struct spv_msg m;
		assert_int_equal(spv_merkle_build(&m, header, b.txid, match, n), KB_OK);
		struct spv_merkle_matches out;
		enum spv_merkle_err e = spv_merkle_verify_block(&out, &m.u.merkleblock);
		if (e != SPV_MERKLE_OK)
			fail_msg("round %d (n %zu): %s", round, n, spv_merkle_err_str(e));
		assert_int_equal(out.n, want);
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			if (!match[i])
				continue;
			assert_int_equal(out.v[k].pos, i);
			assert_memory_equal(out.v[k].txid.b, b.txid[i].b, 32);
			k++;
		}
		/* the padding is zero and every byte is needed */
		const struct spv_msg_merkleblock *mb = &m.u.merkleblock;
		assert_true(mb->n_hashes <= n && mb->n_flags >= 1);
		spv_merkle_matches_clear(&out);
		spv_msg_clear(&m);
	}
	kb_free(match);
	kb_free(b.txid);
}

static void test_ambiguous_size(void **state)
{
	(void)state;
	/* version 4, count 1, input 41 + script, count 1, output 9 + script,
	 * locktime 4: 60 + scripts; 4 bytes of scripts make 64 */
	struct wallet_tx tx;
	wallet_tx_init(&tx);
	struct wallet_outpoint op;
	memset(&op, 0x33, sizeof op);
	uint8_t s[5] = { 0x51, 0x51, 0x51, 0x51, 0x51 };
	wallet_tx_add_input(&tx, &op, s, 1, 0xffffffff);
	wallet_tx_add_output(&tx, 1, s, 3);
	assert_int_equal(wallet_tx_serialized_len(&tx, false), 64);
	assert_true(spv_merkle_tx_ambiguous(&tx));
	wallet_tx_set_script_sig(&tx, 0, s, 2);
	assert_false(spv_merkle_tx_ambiguous(&tx));
	wallet_tx_clear(&tx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_duplicate_branch),
		cmocka_unit_test(test_random_proofs),
		cmocka_unit_test(test_ambiguous_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
