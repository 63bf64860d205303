/*
 * Bitcoin Core's tx_valid.json and tx_invalid.json (tests/data/core):
 * every transaction that parses must serialise back byte for byte, keep
 * its txid without its witness, and agree on sizes. Scripts are not
 * evaluated here. Entries whose first element is a string are comments
 * and are not cases.
 *
 * tx_valid: every transaction must parse and pass wallet_tx_check.
 * tx_invalid: a transaction may fail to parse (malformed: fine, counted
 * and its reason printed) or fail wallet_tx_check (counted; exactly the
 * entries Core marks BADTX must); the rest are invalid only by script or
 * context, which this test does not judge.
 */
#include "tests/support/testsupport.h"

#include "wallet/cursor.h"
#include "wallet/hash.h"
#include "wallet/hex.h"
#include "wallet/mem.h"
#include "wallet/tx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Checks the round trip and derived values of a parsed tx. */
static void check_parsed(struct vec *v, size_t i, const struct wallet_tx *tx,
                         const uint8_t *raw, size_t len)
{
	struct buf b = BUF_INIT;
	wallet_tx_serialize(tx, &b, true);
	if (b.len != len || memcmp(b.p, raw, len) != 0)
		vec_fail(v, i, "re-serialisation differs (%zu bytes, input %zu)", b.len, len);
	if (wallet_tx_serialized_len(tx, true) != len)
		vec_fail(v, i, "serialized_len %zu != %zu", wallet_tx_serialized_len(tx, true), len);

	/* the legacy form parses to a transaction with the same txid */
	buf_reset(&b);
	wallet_tx_serialize(tx, &b, false);
	if (b.len != wallet_tx_serialized_len(tx, false))
		vec_fail(v, i, "legacy serialized_len disagrees");
	struct wallet_tx stripped;
	if (tx->in_count == 0 && tx->out_count > 0) {
		/* the legacy form of a no-input tx reads as extended: ambiguous */
	} else if (wallet_tx_parse(&stripped, b.p, b.len) != KB_OK) {
		vec_fail(v, i, "legacy serialisation does not parse");
	} else {
		struct hash256 a, c;
		wallet_tx_txid(tx, &a);
		wallet_tx_txid(&stripped, &c);
		if (memcmp(a.b, c.b, 32) != 0)
			vec_fail(v, i, "txid changes without the witness");
		if (wallet_tx_has_witness(&stripped))
			vec_fail(v, i, "legacy form has a witness");
		wallet_tx_clear(&stripped);
	}
	size_t w = wallet_tx_weight(tx);
	if (w != b.len * 3 + len)
		vec_fail(v, i, "weight %zu", w);
	if (wallet_tx_vsize(tx) != (w + 3) / 4)
		vec_fail(v, i, "vsize");
	struct hash256 t, wt;
	wallet_tx_txid(tx, &t);
	wallet_tx_wtxid(tx, &wt);
	if (!wallet_tx_has_witness(tx) && memcmp(t.b, wt.b, 32) != 0)
		vec_fail(v, i, "wtxid != txid without witness");
	if (wallet_tx_has_witness(tx) && memcmp(t.b, wt.b, 32) == 0)
		vec_fail(v, i, "wtxid == txid with a witness");

	/* a deep copy serialises the same */
	struct wallet_tx copy;
	wallet_tx_copy(&copy, tx);
	buf_reset(&b);
	wallet_tx_serialize(&copy, &b, true);
	if (b.len != len || memcmp(b.p, raw, len) != 0)
		vec_fail(v, i, "copy serialises differently");
	wallet_tx_clear(&copy);
	buf_clear(&b);
}

/* The raw transaction of a Core test entry, or NULL for a comment. */
static const char *entry_tx(struct vec *v, size_t i, const struct json *e, bool *comment)
{
	*comment = false;
	if (!json_is(e, JSON_ARRAY) || e->count == 0) {
		vec_fail(v, i, "entry is not a non-empty array");
		return NULL;
	}
	if (!json_is(json_at(e, 0), JSON_ARRAY)) {
		*comment = true;
		return NULL;
	}
	const char *hex = json_str(json_at(e, 1));
	if (e->count != 3 || !hex)
		vec_fail(v, i, "bad test entry");
	return hex;
}

static void test_tx_valid(void **state)
{
	(void)state;
	struct json *j = ts_load_json("core/tx_valid.json");
	struct vec v;
	vec_start(&v, "core/tx_valid");
	int witness = 0;
	for (size_t i = 0; i < j->count; i++) {
		bool comment;
		const char *hex = entry_tx(&v, i, json_at(j, i), &comment);
		if (comment)
			continue;
		if (!hex) {
			vec_case_end(&v);
			continue;
		}
		size_t len;
		uint8_t *raw = ts_unhex(hex, &len);
		struct wallet_tx tx;
		char err[128];
		enum kb_rc rc = wallet_tx_parse_err(&tx, raw, len, err, sizeof err);
		if (rc != KB_OK) {
			vec_fail(&v, i, "does not parse: %s (%s)", kb_rc_str(rc), err);
		} else {
			check_parsed(&v, i, &tx, raw, len);
			if (wallet_tx_has_witness(&tx))
				witness++;
			if (wallet_tx_check(&tx, err, sizeof err) != KB_OK)
				vec_fail(&v, i, "CheckTransaction: %s", err);
			wallet_tx_clear(&tx);
		}
		kb_free(raw);
		vec_case_end(&v);
	}
	printf("core/tx_valid: %d cases (%d with witness) parsed and round-tripped\n",
	       v.run, witness);
	vec_finish(&v);
	json_free(j);
}

static void test_tx_invalid(void **state)
{
	(void)state;
	struct json *j = ts_load_json("core/tx_invalid.json");
	struct vec v;
	vec_start(&v, "core/tx_invalid");
	int malformed = 0, rejected = 0, script_only = 0;
	for (size_t i = 0; i < j->count; i++) {
		bool comment;
		const char *hex = entry_tx(&v, i, json_at(j, i), &comment);
		if (comment)
			continue;
		if (!hex) {
			vec_case_end(&v);
			continue;
		}
		size_t len;
		uint8_t *raw = ts_unhex(hex, &len);
		struct wallet_tx tx;
		char err[128];
		enum kb_rc rc = wallet_tx_parse_err(&tx, raw, len, err, sizeof err);
		if (rc != KB_OK) {
			printf("core/tx_invalid: case %zu does not parse: %s (%s): malformed, as expected\n",
			       i, kb_rc_str(rc), err);
			malformed++;
		} else {
			check_parsed(&v, i, &tx, raw, len);
			/* Core marks the entries CheckTransaction must reject "BADTX" */
			const char *flags = json_str(json_at(json_at(j, i), 2));
			bool badtx = flags && strstr(flags, "BADTX") != NULL;
			if (wallet_tx_check(&tx, err, sizeof err) != KB_OK) {
				printf("core/tx_invalid: case %zu rejected by CheckTransaction: %s\n", i, err);
				rejected++;
				if (!badtx)
					vec_fail(&v, i, "rejected (%s) but not marked BADTX", err);
			} else {
				script_only++;
				if (badtx)
					vec_fail(&v, i, "marked BADTX but passes wallet_tx_check");
			}
			wallet_tx_clear(&tx);
		}
		kb_free(raw);
		vec_case_end(&v);
	}
	printf("core/tx_invalid: %d cases: %d malformed (do not parse, fine), %d fail "
	       "CheckTransaction, %d parse and round-trip (invalid by scripts or context, "
	       "not judged here)\n", v.run, malformed, rejected, script_only);
	vec_finish(&v);
	json_free(j);
}

/* Bitcoin's merkle root of n hashes (the last one doubled on odd levels). */
static struct hash256 merkle_root(struct hash256 *h, size_t n)
{
	while (n > 1) {
		size_t m = 0;
		for (size_t i = 0; i < n; i += 2) {
			uint8_t pair[64];
			memcpy(pair, h[i].b, 32);
			memcpy(pair + 32, h[i + 1 < n ? i + 1 : i].b, 32);
			wallet_hash_sha256d(h[m++].b, pair, 64);
		}
		n = m;
	}
	return h[0];
}

/*
 * A real block (tests/data/chain/mainnet_block_482683.raw, 12 txs, 2 with
 * witness): every transaction read from one cursor round-trips, the txids
 * give the header's merkle root and the wtxids the coinbase's BIP141
 * witness commitment.
 */
static void test_block(void **state)
{
	(void)state;
	size_t len;
	uint8_t *blk = ts_read_file("chain/mainnet_block_482683.raw", &len);
	struct vec v;
	vec_start(&v, "chain/block 482683");
	struct cursor c;
	cursor_init(&c, blk, len);
	const uint8_t *header = cursor_ptr(&c, 80);
	size_t n = cursor_count(&c, len / 60, 60);
	assert_non_null(header);
	assert_int_equal(n, 12);
	struct hash256 *ids = kb_calloc(n, sizeof *ids), *wids = kb_calloc(n, sizeof *wids);
	struct wallet_tx coinbase;
	wallet_tx_init(&coinbase);
	int witness = 0;
	for (size_t i = 0; i < n; i++) {
		struct wallet_tx tx;
		const uint8_t *start = c.p;
		if (wallet_tx_parse_cursor(&tx, &c) != KB_OK) {
			vec_fail(&v, i, "transaction does not parse");
			vec_case_end(&v);
			break;
		}
		check_parsed(&v, i, &tx, start, (size_t)(c.p - start));
		wallet_tx_txid(&tx, &ids[i]);
		wallet_tx_wtxid(&tx, &wids[i]);
		witness += wallet_tx_has_witness(&tx);
		if (i == 0 && !wallet_tx_is_coinbase(&tx))
			vec_fail(&v, i, "first transaction is not a coinbase");
		if (i == 0)
			wallet_tx_copy(&coinbase, &tx);
		wallet_tx_clear(&tx);
		vec_case_end(&v);
	}
	assert_true(cursor_done(&c));
	assert_int_equal(witness, 2);
	struct hash256 root = merkle_root(ids, n);
	assert_memory_equal(root.b, header + 36, 32);

	/* BIP141: OP_RETURN aa21a9ed <sha256d(witness root || reserved)> */
	memset(wids[0].b, 0, 32);
	struct hash256 wroot = merkle_root(wids, n);
	const struct wallet_bytes *commit = NULL;
	for (size_t o = 0; o < coinbase.out_count; o++) {
		const struct wallet_bytes *spk = &coinbase.out[o].script_pubkey;
		static const uint8_t tag[6] = { 0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed };
		if (spk->len >= 38 && memcmp(spk->p, tag, 6) == 0)
			commit = spk;
	}
	assert_non_null(commit);
	assert_int_equal(coinbase.in[0].witness_count, 1);
	assert_int_equal(coinbase.in[0].witness[0].len, 32);
	uint8_t pre[64], want[32];
	memcpy(pre, wroot.b, 32);
	memcpy(pre + 32, coinbase.in[0].witness[0].p, 32);
	wallet_hash_sha256d(want, pre, 64);
	assert_memory_equal(commit->p + 6, want, 32);
	wallet_tx_clear(&coinbase);
	kb_free(ids);
	kb_free(wids);
	kb_free(blk);
	vec_finish(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tx_valid),
		cmocka_unit_test(test_tx_invalid),
		cmocka_unit_test(test_block),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
