/* spv/bloom: misuse and limits first, then matching rules, the wallet
 * policy (elements, buckets, build) and the suspicion rule. */
#include "tests/support/testsupport.h"

#include "spv/bloom.h"
#include "spv/msg.h"
#include "wallet/buf.h"
#include "wallet/hash.h"
#include "wallet/mem.h"
#include "wallet/script.h"
#include "wallet/tx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct spv_bloom *new_filter(void)
{
	return kb_calloc(1, sizeof(struct spv_bloom));
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* A deterministic byte stream (xorshift), so failures reproduce. */
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
static void rng_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rng();
}

/* ---- misuse and limits ------------------------------------------------------------ */

static void test_init_misuse(void **state)
{
	(void)state;
	struct spv_bloom *f = new_filter();
	memset(f, 0xaa, sizeof *f);
	assert_int_equal(spv_bloom_init(f, 0, 0.01, 0, 0), KB_EINVAL);
	assert_true(all_zero(f, sizeof *f));
	assert_int_equal(spv_bloom_init(f, 10, 0.0, 0, 0), KB_EINVAL);
	assert_int_equal(spv_bloom_init(f, 10, 1.0, 0, 0), KB_EINVAL);
	assert_int_equal(spv_bloom_init(f, 10, -0.5, 0, 0), KB_EINVAL);
	assert_int_equal(spv_bloom_init(f, 10, 1.5, 0, 0), KB_EINVAL);
	assert_int_equal(spv_bloom_init(f, 10, NAN, 0, 0), KB_EINVAL);
	assert_int_equal(spv_bloom_init(f, 10, 0.01, 0, 3), KB_EINVAL);
	assert_int_equal(spv_bloom_init(f, 10, 0.01, 0, 0x81), KB_EINVAL);
	/* a rate so close to 1 that the filter would be empty (match-all) */
	assert_int_equal(spv_bloom_init(f, 1, 0.9999, 0, 0), KB_ELIMIT);
	assert_true(all_zero(f, sizeof *f));
	/* so many elements that 36000 bytes give no hash function */
	assert_int_equal(spv_bloom_init(f, 1000000, 0.0005, 0, 0), KB_ELIMIT);
	kb_free(f);
}

static void test_init_shape(void **state)
{
	(void)state;
	struct spv_bloom *f = new_filter();
	/* Core's formulas, including the integer division in the hash count */
	assert_int_equal(spv_bloom_init(f, 3, 0.01, 7, 1), KB_OK);
	assert_int_equal(f->len, 3);
	assert_int_equal(f->hash_funcs, 5);
	assert_int_equal(f->tweak, 7);
	assert_int_equal(f->flags, 1);
	assert_true(all_zero(f->data, f->len));
	assert_int_equal(spv_bloom_init(f, 10, 0.000001, 0, 0), KB_OK);
	assert_int_equal(f->len, 35);
	assert_int_equal(f->hash_funcs, 19);
	/* the size cap */
	assert_int_equal(spv_bloom_init(f, 100000, 0.000001, 0, 0), KB_OK);
	assert_int_equal(f->len, SPV_BLOOM_MAX_SIZE);
	assert_int_equal(f->hash_funcs, 1);
	/* the hash-function cap */
	assert_int_equal(spv_bloom_init(f, 1, 1e-30, 0, 0), KB_OK);
	assert_int_equal(f->hash_funcs, SPV_BLOOM_MAX_FUNCS);
	kb_free(f);
}

static enum kb_rc parse_hex(struct spv_bloom *f, const char *hex)
{
	size_t n;
	uint8_t *p = ts_unhex(hex, &n);
	enum kb_rc rc = spv_bloom_parse(f, p, n);
	kb_free(p);
	return rc;
}

static void test_parse_misuse(void **state)
{
	(void)state;
	struct spv_bloom *f = new_filter();
	assert_int_equal(spv_bloom_parse(f, NULL, 0), KB_EPARSE);
	/* an empty filter would match everything */
	assert_int_equal(parse_hex(f, "00" "05000000" "00000000" "00"), KB_EPARSE);
	/* 0 hash functions also match everything */
	assert_int_equal(parse_hex(f, "01ff" "00000000" "00000000" "00"), KB_EPARSE);
	assert_int_equal(parse_hex(f, "01ff" "32000000" "00000000" "00"), KB_OK); /* 50 */
	assert_int_equal(parse_hex(f, "01ff" "33000000" "00000000" "00"), KB_ELIMIT); /* 51 */
	assert_true(all_zero(f, sizeof *f));
	assert_int_equal(parse_hex(f, "01ff" "ffffffff" "00000000" "00"), KB_ELIMIT);
	/* flags: 0, 1, 2 only */
	assert_int_equal(parse_hex(f, "01ff" "01000000" "00000000" "02"), KB_OK);
	assert_int_equal(parse_hex(f, "01ff" "01000000" "00000000" "03"), KB_EPARSE);
	assert_int_equal(parse_hex(f, "01ff" "01000000" "00000000" "80"), KB_EPARSE);
	/* trailing byte, short, non-canonical length */
	assert_int_equal(parse_hex(f, "01ff" "01000000" "00000000" "00" "00"), KB_EPARSE);
	assert_int_equal(parse_hex(f, "01ff" "01000000" "00000000"), KB_EPARSE);
	assert_int_equal(parse_hex(f, "fd0100" "ff" "01000000" "00000000" "00"), KB_EPARSE);
	assert_int_equal(parse_hex(f, "02ff" "01000000" "00000000" "00"), KB_EPARSE);

	/* the size limit: 36000 bytes pass, 36001 do not */
	struct buf b = BUF_INIT;
	for (size_t len = SPV_BLOOM_MAX_SIZE; len <= SPV_BLOOM_MAX_SIZE + 1; len++) {
		buf_reset(&b);
		buf_varint(&b, len);
		for (size_t i = 0; i < len; i++)
			buf_u8(&b, (uint8_t)i);
		buf_u32le(&b, 11);
		buf_u32le(&b, 0x12345678);
		buf_u8(&b, 0);
		enum kb_rc want = len == SPV_BLOOM_MAX_SIZE ? KB_OK : KB_ELIMIT;
		assert_int_equal(spv_bloom_parse(f, b.p, b.len), want);
		if (want == KB_OK) {
			assert_int_equal(f->len, len);
			assert_int_equal(f->tweak, 0x12345678);
			/* round trip, and every truncation fails */
			struct buf o = BUF_INIT;
			spv_bloom_serialize(f, &o);
			assert_int_equal(o.len, b.len);
			assert_memory_equal(o.p, b.p, b.len);
			buf_clear(&o);
			for (size_t k = 0; k < b.len; k += 997)
				assert_int_not_equal(spv_bloom_parse(f, b.p, k), KB_OK);
			assert_int_not_equal(spv_bloom_parse(f, b.p, b.len - 1), KB_OK);
		}
	}
	buf_clear(&b);

	/* the message form is checked the same way */
	struct spv_msg m;
	spv_msg_init(&m, SPV_MSG_FILTERLOAD);
	assert_int_equal(spv_bloom_from_msg(f, &m.u.filterload), KB_EPARSE);
	m.u.filterload.len = 1;
	assert_int_equal(spv_bloom_from_msg(f, &m.u.filterload), KB_EPARSE);
	m.u.filterload.hash_funcs = 51;
	assert_int_equal(spv_bloom_from_msg(f, &m.u.filterload), KB_ELIMIT);
	m.u.filterload.hash_funcs = 50;
	m.u.filterload.flags = 3;
	assert_int_equal(spv_bloom_from_msg(f, &m.u.filterload), KB_EPARSE);
	m.u.filterload.flags = 2;
	m.u.filterload.filter[0] = 0x5a;
	assert_int_equal(spv_bloom_from_msg(f, &m.u.filterload), KB_OK);
	struct spv_msg m2;
	spv_bloom_to_msg(f, &m2);
	assert_int_equal(m2.type, SPV_MSG_FILTERLOAD);
	assert_int_equal(m2.u.filterload.len, 1);
	assert_int_equal(m2.u.filterload.filter[0], 0x5a);
	assert_int_equal(m2.u.filterload.hash_funcs, 50);
	assert_int_equal(m2.u.filterload.flags, 2);
	kb_free(f);
}

/* ---- insert, contains, rate ----------------------------------------------------------- */

static void test_insert_contains(void **state)
{
	(void)state;
	struct spv_bloom *f = new_filter();
	/* a zeroed filter is Core's match-all: insert does nothing */
	spv_bloom_insert(f, (const uint8_t *)"x", 1);
	assert_true(spv_bloom_contains(f, (const uint8_t *)"y", 1));
	assert_true(spv_bloom_fp_rate(f) == 1.0);

	assert_int_equal(spv_bloom_init(f, 100, 0.0001, 0xdeadbeef, 0), KB_OK);
	assert_true(spv_bloom_fp_rate(f) == 0.0);
	rng_seed(37);
	uint8_t items[100][20];
	for (int i = 0; i < 100; i++) {
		rng_bytes(items[i], 20);
		spv_bloom_insert(f, items[i], 20);
	}
	for (int i = 0; i < 100; i++)
		assert_true(spv_bloom_contains(f, items[i], 20));
	/* empty data is an element too (Core hashes it) */
	spv_bloom_insert(f, NULL, 0);
	assert_true(spv_bloom_contains(f, NULL, 0));
	/* the measured rate is near the design rate */
	double r = spv_bloom_fp_rate(f);
	assert_true(r > 0.00001 && r < 0.001);
	int hits = 0;
	for (int i = 0; i < 100000; i++) {
		uint8_t x[20];
		rng_bytes(x, 20);
		hits += spv_bloom_contains(f, x, 20);
	}
	assert_true(hits < 100); /* expected about 10 */

	struct wallet_outpoint op;
	rng_bytes(op.txid.b, 32);
	op.n = 7;
	assert_false(spv_bloom_contains_outpoint(f, &op));
	spv_bloom_insert_outpoint(f, &op);
	assert_true(spv_bloom_contains_outpoint(f, &op));
	/* the serialised form: txid || u32le */
	uint8_t ser[36];
	memcpy(ser, op.txid.b, 32);
	memcpy(ser + 32, "\x07\x00\x00\x00", 4);
	assert_true(spv_bloom_contains(f, ser, 36));
	op.n = 8;
	assert_false(spv_bloom_contains_outpoint(f, &op));
	kb_free(f);
}

/* ---- IsRelevantAndUpdate edge cases ----------------------------------------------------- */

static void tx_with(struct wallet_tx *tx, const uint8_t *spk, size_t spk_len,
                    const uint8_t *script_sig, size_t ss_len)
{
	wallet_tx_init(tx);
	struct wallet_outpoint prev;
	memset(&prev, 0x11, sizeof prev);
	prev.n = 1;
	wallet_tx_add_input(tx, &prev, script_sig, ss_len, 0xffffffff);
	wallet_tx_add_output(tx, 1000, spk, spk_len);
}

static void test_relevant_rules(void **state)
{
	(void)state;
	struct spv_bloom *f = new_filter();
	uint8_t h160[20], pk33[33], spk[80], other[20];
	size_t len;
	memset(h160, 0x42, sizeof h160);
	memset(other, 0x43, sizeof other);
	memset(pk33, 0x55, sizeof pk33);
	pk33[0] = 0x02;
	struct wallet_tx tx;
	struct hash256 txid;

	/* P2PKH output matched: ALL adds the outpoint, NONE and P2PUBKEY_ONLY do not */
	for (uint8_t flags = 0; flags <= 2; flags++) {
		assert_int_equal(spv_bloom_init(f, 10, 0.000001, 1, flags), KB_OK);
		spv_bloom_insert(f, h160, 20);
		wallet_script_p2pkh(spk, h160);
		tx_with(&tx, spk, WALLET_SCRIPT_P2PKH_LEN, NULL, 0);
		wallet_tx_txid(&tx, &txid);
		assert_true(spv_bloom_relevant_update(f, &tx, NULL));
		struct wallet_outpoint o = { txid, 0 };
		assert_int_equal(spv_bloom_contains_outpoint(f, &o), flags == SPV_BLOOM_UPDATE_ALL);
		wallet_tx_clear(&tx);
	}
	/* P2PK and bare multisig: P2PUBKEY_ONLY adds the outpoint */
	assert_int_equal(spv_bloom_init(f, 10, 0.000001, 1, SPV_BLOOM_UPDATE_P2PUBKEY_ONLY), KB_OK);
	spv_bloom_insert(f, pk33, 33);
	assert_int_equal(wallet_script_p2pk(spk, sizeof spk, &len, pk33, 33), KB_OK);
	tx_with(&tx, spk, len, NULL, 0);
	wallet_tx_txid(&tx, &txid);
	assert_true(spv_bloom_relevant_update(f, &tx, &txid));
	struct wallet_outpoint o0 = { txid, 0 };
	assert_true(spv_bloom_contains_outpoint(f, &o0));
	wallet_tx_clear(&tx);
	assert_int_equal(wallet_script_multisig(spk, sizeof spk, &len, 1, pk33, 1), KB_OK);
	tx_with(&tx, spk, len, NULL, 0);
	wallet_tx_txid(&tx, &txid);
	assert_true(spv_bloom_relevant_update(f, &tx, &txid));
	struct wallet_outpoint o1 = { txid, 0 };
	assert_true(spv_bloom_contains_outpoint(f, &o1));
	wallet_tx_clear(&tx);
	/* a multisig-looking script with a count pushed as data (17: Core's
	 * minimal push) is multisig too; with a non-minimal count it is not */
	{
		uint8_t ms[64];
		size_t k = 0;
		ms[k++] = 0x01;
		ms[k++] = 17; /* m = 17 via push: but then 17 keys are needed */
		ms[k++] = 33;
		memcpy(ms + k, pk33, 33);
		k += 33;
		ms[k++] = OP_1;
		ms[k++] = OP_CHECKMULTISIG;
		tx_with(&tx, ms, k, NULL, 0);
		wallet_tx_txid(&tx, &txid);
		assert_true(spv_bloom_relevant_update(f, &tx, &txid)); /* the key matches */
		struct wallet_outpoint o2 = { txid, 0 };
		assert_false(spv_bloom_contains_outpoint(f, &o2)); /* not multisig: m > n */
		wallet_tx_clear(&tx);
	}
	{
		/* 1-of-17: n needs a push; minimal (01 11) is multisig, a padded
		 * number (02 11 00) is not */
		for (int minimal = 1; minimal >= 0; minimal--) {
			uint8_t ms[640];
			size_t k = 0;
			ms[k++] = OP_1;
			for (int q = 0; q < 17; q++) {
				ms[k++] = 33;
				memcpy(ms + k, pk33, 33);
				k += 33;
			}
			if (minimal) {
				ms[k++] = 0x01;
				ms[k++] = 17;
			} else {
				ms[k++] = 0x02;
				ms[k++] = 17;
				ms[k++] = 0x00;
			}
			ms[k++] = OP_CHECKMULTISIG;
			tx_with(&tx, ms, k, NULL, 0);
			wallet_tx_txid(&tx, &txid);
			assert_true(spv_bloom_relevant_update(f, &tx, &txid));
			struct wallet_outpoint o3 = { txid, 0 };
			assert_int_equal(spv_bloom_contains_outpoint(f, &o3), minimal);
			wallet_tx_clear(&tx);
		}
	}

	/* scriptSig pushes match; witness items never do */
	assert_int_equal(spv_bloom_init(f, 10, 0.000001, 1, 0), KB_OK);
	spv_bloom_insert(f, pk33, 33);
	wallet_script_p2pkh(spk, other);
	uint8_t ss[34];
	ss[0] = 33;
	memcpy(ss + 1, pk33, 33);
	tx_with(&tx, spk, WALLET_SCRIPT_P2PKH_LEN, ss, sizeof ss);
	assert_true(spv_bloom_relevant_update(f, &tx, NULL));
	wallet_tx_clear(&tx);
	tx_with(&tx, spk, WALLET_SCRIPT_P2PKH_LEN, NULL, 0);
	const uint8_t *items[1] = { pk33 };
	size_t lens[1] = { 33 };
	wallet_tx_set_witness(&tx, 0, items, lens, 1);
	assert_false(spv_bloom_relevant_update(f, &tx, NULL));
	wallet_tx_clear(&tx);
	/* a push that runs past the end stops the scan (Core's GetOp) */
	uint8_t bad[40];
	bad[0] = 0x4c; /* OP_PUSHDATA1 */
	bad[1] = 39;   /* one byte too many */
	memcpy(bad + 2, ss, 34);
	memset(bad + 36, 0, 4);
	tx_with(&tx, spk, WALLET_SCRIPT_P2PKH_LEN, bad, sizeof bad);
	assert_false(spv_bloom_relevant_update(f, &tx, NULL));
	wallet_tx_clear(&tx);
	/* the outpoint an input spends */
	struct wallet_outpoint prev;
	memset(&prev, 0x11, sizeof prev);
	prev.n = 1;
	spv_bloom_insert_outpoint(f, &prev);
	tx_with(&tx, spk, WALLET_SCRIPT_P2PKH_LEN, NULL, 0);
	assert_true(spv_bloom_relevant_update(f, &tx, NULL));
	wallet_tx_clear(&tx);
	kb_free(f);
}

/* ---- the policy -------------------------------------------------------------------------- */

static void test_elems(void **state)
{
	(void)state;
	struct spv_bloom_elems e;
	spv_bloom_elems_init(&e);
	uint8_t b[66] = { 0 };
	assert_int_equal(spv_bloom_elems_add_data(&e, b, 0), KB_EINVAL);
	assert_int_equal(spv_bloom_elems_add_data(&e, b, 66), KB_EINVAL);
	assert_int_equal(spv_bloom_elems_count(&e), 0);
	assert_false(spv_bloom_elems_has(&e, SPV_BLOOM_ELEM_DATA, b, 20));
	assert_int_equal(spv_bloom_elems_add_data(&e, b, 65), KB_OK);

	uint8_t h[32], spk[80];
	size_t len;
	memset(h, 0x21, sizeof h);
	wallet_script_p2pkh(spk, h);
	assert_int_equal(spv_bloom_elems_add_script(&e, spk, WALLET_SCRIPT_P2PKH_LEN), KB_OK);
	wallet_script_p2wpkh(spk, h); /* same 20 bytes: one element */
	assert_int_equal(spv_bloom_elems_add_script(&e, spk, WALLET_SCRIPT_P2WPKH_LEN), KB_OK);
	assert_int_equal(spv_bloom_elems_count(&e), 2);
	assert_true(spv_bloom_elems_has(&e, SPV_BLOOM_ELEM_DATA, h, 20));
	h[0] = 0x22;
	wallet_script_p2sh(spk, h);
	assert_int_equal(spv_bloom_elems_add_script(&e, spk, WALLET_SCRIPT_P2SH_LEN), KB_OK);
	h[0] = 0x23;
	wallet_script_p2wsh(spk, h);
	assert_int_equal(spv_bloom_elems_add_script(&e, spk, WALLET_SCRIPT_P2WSH_LEN), KB_OK);
	assert_true(spv_bloom_elems_has(&e, SPV_BLOOM_ELEM_DATA, h, 32));
	h[0] = 0x24;
	wallet_script_p2tr(spk, h);
	assert_int_equal(spv_bloom_elems_add_script(&e, spk, WALLET_SCRIPT_P2TR_LEN), KB_OK);
	assert_true(spv_bloom_elems_has(&e, SPV_BLOOM_ELEM_DATA, h, 32));
	uint8_t pk[33];
	memset(pk, 0x31, sizeof pk);
	pk[0] = 3;
	assert_int_equal(wallet_script_p2pk(spk, sizeof spk, &len, pk, 33), KB_OK);
	assert_int_equal(spv_bloom_elems_add_script(&e, spk, len), KB_OK);
	assert_true(spv_bloom_elems_has(&e, SPV_BLOOM_ELEM_DATA, pk, 33));
	assert_int_equal(spv_bloom_elems_count(&e), 6);
	/* no policy element in these */
	assert_int_equal(wallet_script_op_return(spk, sizeof spk, &len, h, 20), KB_OK);
	assert_int_equal(spv_bloom_elems_add_script(&e, spk, len), KB_EUNSUPPORTED);
	assert_int_equal(wallet_script_multisig(spk, sizeof spk, &len, 1, pk, 1), KB_OK);
	assert_int_equal(spv_bloom_elems_add_script(&e, spk, len), KB_EUNSUPPORTED);
	assert_int_equal(spv_bloom_elems_add_script(&e, spk, 0), KB_EUNSUPPORTED);
	assert_int_equal(spv_bloom_elems_add_script(&e, (const uint8_t *)"\x51\x02\x4e\x73", 4),
	                 KB_EUNSUPPORTED); /* P2A */
	assert_int_equal(spv_bloom_elems_count(&e), 6);

	/* outpoints are their own kind */
	struct wallet_outpoint op;
	memset(op.txid.b, 0x24, 32);
	op.n = 1;
	spv_bloom_elems_add_outpoint(&e, &op);
	spv_bloom_elems_add_outpoint(&e, &op);
	assert_int_equal(spv_bloom_elems_count(&e), 7);
	uint8_t ser[36];
	memcpy(ser, op.txid.b, 32);
	memcpy(ser + 32, "\x01\x00\x00\x00", 4);
	assert_true(spv_bloom_elems_has(&e, SPV_BLOOM_ELEM_OUTPOINT, ser, 36));
	assert_false(spv_bloom_elems_has(&e, SPV_BLOOM_ELEM_DATA, ser, 36));
	spv_bloom_elems_clear(&e);
	assert_int_equal(spv_bloom_elems_count(&e), 0);
	spv_bloom_elems_clear(&e);
}

static void test_bucket(void **state)
{
	(void)state;
	assert_int_equal(spv_bloom_bucket(0), 8);
	assert_int_equal(spv_bloom_bucket(8), 8);
	assert_int_equal(spv_bloom_bucket(9), 9);
	assert_int_equal(spv_bloom_bucket(15), 15);
	assert_int_equal(spv_bloom_bucket(16), 16);
	assert_int_equal(spv_bloom_bucket(17), 18);
	assert_int_equal(spv_bloom_bucket(31), 32);
	assert_int_equal(spv_bloom_bucket(100), 104);
	assert_int_equal(spv_bloom_bucket(1000), 1024);
	assert_int_equal(spv_bloom_bucket(1025), 1152);
	assert_int_equal(spv_bloom_bucket(SIZE_MAX), UINT32_MAX);
	/* monotonic, never below n, at most an eighth above, few distinct values */
	uint32_t prev = 0, changes = 0;
	for (size_t n = 1; n <= 2000000; n++) {
		uint32_t b = spv_bloom_bucket(n);
		assert_true(b >= n && b >= prev);
		if (n >= 8)
			assert_true((double)b <= (double)n * 1.125 + 1e-9);
		if (b != prev)
			changes++;
		prev = b;
	}
	assert_true(changes < 200);
}

static void test_build(void **state)
{
	(void)state;
	struct spv_bloom_elems e;
	spv_bloom_elems_init(&e);
	struct spv_bloom *f = new_filter(), *g = new_filter();
	/* an empty wallet still gets a filter */
	assert_int_equal(spv_bloom_build(f, &e, 0, 5, 0), KB_OK);
	assert_true(f->len > 0 && f->hash_funcs > 0);
	assert_int_equal(spv_bloom_build(f, &e, 1.0, 5, 0), KB_EINVAL);
	assert_int_equal(spv_bloom_build(f, &e, 0.01, 5, 3), KB_EINVAL);

	rng_seed(2459);
	uint8_t items[300][32];
	for (int i = 0; i < 300; i++) {
		rng_bytes(items[i], 32);
		assert_int_equal(spv_bloom_elems_add_data(&e, items[i], 20 + (i % 2) * 12), KB_OK);
	}
	assert_int_equal(spv_bloom_build(f, &e, 0, 0x01020304, SPV_BLOOM_UPDATE_NONE), KB_OK);
	for (int i = 0; i < 300; i++)
		assert_true(spv_bloom_contains(f, items[i], 20 + (i % 2) * 12));
	assert_int_equal(f->tweak, 0x01020304);
	/* shape from the bucket (320) at the default rate */
	assert_int_equal(spv_bloom_bucket(300), 320);
	struct spv_bloom *s = new_filter();
	assert_int_equal(spv_bloom_init(s, 320, SPV_BLOOM_DEFAULT_FP_RATE, 0, 0), KB_OK);
	assert_int_equal(f->len, s->len);
	assert_int_equal(f->hash_funcs, s->hash_funcs);
	/* the real rate stays near the target (about 0.0003 here) */
	double r = spv_bloom_fp_rate(f);
	printf("fp rate with 300 elements: %g\n", r);
	assert_true(r <= SPV_BLOOM_DEFAULT_FP_RATE * 1.5 && r >= SPV_BLOOM_DEFAULT_FP_RATE / 3);
	/* the same elements in another order give the same bytes */
	struct spv_bloom_elems e2;
	spv_bloom_elems_init(&e2);
	for (int i = 299; i >= 0; i--)
		assert_int_equal(spv_bloom_elems_add_data(&e2, items[i], 20 + (i % 2) * 12), KB_OK);
	assert_int_equal(spv_bloom_build(g, &e2, 0, 0x01020304, 0), KB_OK);
	assert_int_equal(g->len, f->len);
	assert_memory_equal(g->data, f->data, f->len);
	/* one more element within the bucket: same shape, a superset of bits */
	uint8_t extra[20];
	rng_bytes(extra, 20);
	assert_int_equal(spv_bloom_elems_add_data(&e2, extra, 20), KB_OK);
	assert_int_equal(spv_bloom_build(g, &e2, 0, 0x01020304, 0), KB_OK);
	assert_int_equal(g->len, f->len);
	assert_int_equal(g->hash_funcs, f->hash_funcs);
	for (size_t i = 0; i < f->len; i++)
		assert_int_equal(g->data[i] & f->data[i], f->data[i]);
	spv_bloom_elems_clear(&e2);

	/* more elements than 36000 bytes can hold at a useful rate */
	for (int i = 0; i < 120000; i++) {
		uint8_t x[20];
		rng_bytes(x, 20);
		assert_int_equal(spv_bloom_elems_add_data(&e, x, 20), KB_OK);
	}
	assert_int_equal(spv_bloom_build(f, &e, 0, 1, 0), KB_ELIMIT);
	assert_true(all_zero(f, sizeof *f));
	spv_bloom_elems_clear(&e);
	kb_free(f);
	kb_free(g);
	kb_free(s);
}

/* ---- explained matches and the suspicion rule --------------------------------------------- */

static void test_classify(void **state)
{
	(void)state;
	struct spv_bloom_elems e;
	spv_bloom_elems_init(&e);
	uint8_t prog[20], spk[40], other[20];
	memset(prog, 0x61, sizeof prog);
	memset(other, 0x62, sizeof other);
	wallet_script_p2wpkh(spk, prog);
	assert_int_equal(spv_bloom_elems_add_script(&e, spk, WALLET_SCRIPT_P2WPKH_LEN), KB_OK);
	struct wallet_outpoint coin;
	memset(coin.txid.b, 0x71, 32);
	coin.n = 3;
	spv_bloom_elems_add_outpoint(&e, &coin);
	struct spv_bloom *f = new_filter();
	assert_int_equal(spv_bloom_build(f, &e, 0, 99, SPV_BLOOM_UPDATE_NONE), KB_OK);

	/* a payment to the wallet */
	struct wallet_tx tx;
	tx_with(&tx, spk, WALLET_SCRIPT_P2WPKH_LEN, NULL, 0);
	assert_true(spv_bloom_explains(&e, &tx, NULL));
	assert_int_equal(spv_bloom_classify(f, &e, &tx, NULL), SPV_BLOOM_MATCH_EXPLAINED);
	wallet_tx_clear(&tx);
	/* a segwit spend of a wallet coin that pays nothing back */
	uint8_t ospk[40];
	wallet_script_p2wpkh(ospk, other);
	wallet_tx_init(&tx);
	wallet_tx_add_input(&tx, &coin, NULL, 0, 0xfffffffd);
	wallet_tx_add_output(&tx, 5000, ospk, WALLET_SCRIPT_P2WPKH_LEN);
	assert_true(spv_bloom_relevant_update(f, &tx, NULL));
	assert_int_equal(spv_bloom_classify(f, &e, &tx, NULL), SPV_BLOOM_MATCH_EXPLAINED);
	wallet_tx_clear(&tx);
	/* an unrelated transaction: not matched by the filter */
	tx_with(&tx, ospk, WALLET_SCRIPT_P2WPKH_LEN, NULL, 0);
	assert_false(spv_bloom_explains(&e, &tx, NULL));
	assert_int_equal(spv_bloom_classify(f, &e, &tx, NULL), SPV_BLOOM_MATCH_NONE);
	/* with a filter that matches everything it is a false positive */
	struct spv_bloom *all = new_filter();
	assert_int_equal(spv_bloom_parse(all, (const uint8_t *)"\x01\xff\x01\x00\x00\x00\x00\x00\x00\x00\x01", 11), KB_OK);
	assert_int_equal(spv_bloom_classify(all, &e, &tx, NULL), SPV_BLOOM_MATCH_FALSE_POSITIVE);
	/* classify never updates the filter, even with UPDATE_ALL */
	assert_int_equal(spv_bloom_init(all, 10, 0.01, 0, SPV_BLOOM_UPDATE_ALL), KB_OK);
	spv_bloom_insert(all, other, 20);
	struct spv_bloom *before = new_filter();
	memcpy(before, all, sizeof *all);
	assert_int_equal(spv_bloom_classify(all, &e, &tx, NULL), SPV_BLOOM_MATCH_FALSE_POSITIVE);
	assert_memory_equal(before, all, sizeof *all);
	wallet_tx_clear(&tx);
	assert_string_equal(spv_bloom_match_str(SPV_BLOOM_MATCH_NONE), "does not match the filter");
	kb_free(before);
	kb_free(all);
	kb_free(f);
	spv_bloom_elems_clear(&e);
}

static void test_poisson(void **state)
{
	(void)state;
	assert_true(spv_bloom_poisson_tail(1.0, 0) == 1.0);
	assert_true(spv_bloom_poisson_tail(5.0, 5) == 1.0);
	assert_true(spv_bloom_poisson_tail(0.0, 1) == 0.0);
	/* reference values computed independently (Python, log-space sum) */
	assert_true(fabs(spv_bloom_poisson_tail(1.0, 3) - 0.08030139707139416) < 1e-12);
	assert_true(fabs(spv_bloom_poisson_tail(10.0, 30) / 2.509951201527921e-07 - 1) < 1e-9);
	assert_true(fabs(spv_bloom_poisson_tail(2.0, 20) / 6.443731393112106e-14 - 1) < 1e-9);
	assert_true(fabs(spv_bloom_poisson_tail(100.0, 150) / 1.8842104660387047e-06 - 1) < 1e-9);
	assert_true(spv_bloom_poisson_tail(1e6, UINT32_MAX) < 1e-300);
}

static void test_suspicion(void **state)
{
	(void)state;
	struct spv_bloom_suspicion s;
	/* an honest peer over a long sync: about lambda false positives, or
	 * up to twice that when blocks hold more items than estimated */
	spv_bloom_suspicion_init(&s);
	for (int b = 0; b < 1000; b++)
		spv_bloom_suspicion_add_block(&s, 3000, 0.0005);
	assert_true(fabs(s.lambda - 1000.0 * 3000 * SPV_BLOOM_ITEMS_PER_TX * 0.0005) < 1e-6);
	uint32_t lam = (uint32_t)s.lambda; /* 24000 */
	for (uint32_t i = 0; i < lam; i++)
		spv_bloom_suspicion_add_tx(&s, SPV_BLOOM_MATCH_FALSE_POSITIVE, true);
	for (int i = 0; i < 50; i++)
		spv_bloom_suspicion_add_tx(&s, SPV_BLOOM_MATCH_EXPLAINED, true);
	assert_false(spv_bloom_suspicion_is_suspicious(&s));
	for (uint32_t i = 0; i < lam; i++)
		spv_bloom_suspicion_add_tx(&s, SPV_BLOOM_MATCH_FALSE_POSITIVE, true);
	assert_false(spv_bloom_suspicion_is_suspicious(&s)); /* 2 * lambda */
	/* far above the rate: flagged */
	for (uint32_t i = 0; i < lam / 10; i++)
		spv_bloom_suspicion_add_tx(&s, SPV_BLOOM_MATCH_FALSE_POSITIVE, true);
	assert_true(spv_bloom_suspicion_is_suspicious(&s));

	/* few blocks: a handful is fine, twenty-five is not */
	spv_bloom_suspicion_init(&s);
	spv_bloom_suspicion_add_block(&s, 300, 0.0005); /* lambda 2.4 */
	for (int i = 0; i < 12; i++)
		spv_bloom_suspicion_add_tx(&s, SPV_BLOOM_MATCH_FALSE_POSITIVE, true);
	assert_false(spv_bloom_suspicion_is_suspicious(&s));
	for (int i = 0; i < 13; i++)
		spv_bloom_suspicion_add_tx(&s, SPV_BLOOM_MATCH_FALSE_POSITIVE, true);
	assert_true(spv_bloom_suspicion_is_suspicious(&s));

	/* below the floor nothing is flagged, even with lambda 0; mempool
	 * false positives are not counted */
	spv_bloom_suspicion_init(&s);
	for (unsigned i = 0; i + 1 < SPV_BLOOM_SUSPICION_MIN; i++)
		spv_bloom_suspicion_add_tx(&s, SPV_BLOOM_MATCH_FALSE_POSITIVE, true);
	for (int i = 0; i < 100; i++)
		spv_bloom_suspicion_add_tx(&s, SPV_BLOOM_MATCH_FALSE_POSITIVE, false);
	assert_false(spv_bloom_suspicion_is_suspicious(&s));
	spv_bloom_suspicion_add_tx(&s, SPV_BLOOM_MATCH_FALSE_POSITIVE, true);
	assert_true(spv_bloom_suspicion_is_suspicious(&s));

	/* one transaction the filter does not match at all: flagged at once */
	spv_bloom_suspicion_init(&s);
	spv_bloom_suspicion_add_block(&s, 3000, 0.0005);
	spv_bloom_suspicion_add_tx(&s, SPV_BLOOM_MATCH_NONE, false);
	assert_true(spv_bloom_suspicion_is_suspicious(&s));
	/* nonsense rates are clamped */
	spv_bloom_suspicion_init(&s);
	spv_bloom_suspicion_add_block(&s, 10, NAN);
	spv_bloom_suspicion_add_block(&s, 10, -1);
	assert_true(s.lambda == 0.0);
	spv_bloom_suspicion_add_block(&s, 10, 7);
	assert_true(s.lambda == 10.0 * SPV_BLOOM_ITEMS_PER_TX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_misuse),
		cmocka_unit_test(test_parse_misuse),
		cmocka_unit_test(test_init_shape),
		cmocka_unit_test(test_insert_contains),
		cmocka_unit_test(test_relevant_rules),
		cmocka_unit_test(test_elems),
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_poisson),
		cmocka_unit_test(test_suspicion),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
