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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tx_valid),
		cmocka_unit_test(test_tx_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
