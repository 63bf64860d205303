/*
 * Bitcoin Core's sighash.json (tests/data/core): legacy signature hashes
 * of random transactions, scripts, input indexes and 32-bit hash types,
 * including the SIGHASH_SINGLE bug and scripts with OP_CODESEPARATOR.
 * Entry: [raw tx, script, input index, hashType, hash in display order].
 * The first entry (a single string) is a comment, not a case.
 */
#include "tests/support/testsupport.h"

#include "wallet/hex.h"
#include "wallet/mem.h"
#include "wallet/sighash.h"
#include "wallet/tx.h"

#include <stdio.h>
#include <string.h>

static void test_sighash_json(void **state)
{
	(void)state;
	struct json *j = ts_load_json("core/sighash.json");
	struct vec v;
	vec_start(&v, "core/sighash");
	int single_bug = 0;
	for (size_t i = 0; i < j->count; i++) {
		const struct json *e = json_at(j, i);
		if (json_is(e, JSON_ARRAY) && e->count == 1 && json_str(json_at(e, 0)))
			continue; /* comment */
		const char *txhex = json_str(json_at(e, 0));
		const char *script = json_str(json_at(e, 1));
		const char *want = json_str(json_at(e, 4));
		int64_t index, type;
		if (e->count != 5 || !txhex || !script || !want ||
		    !json_int64(json_at(e, 2), &index) || !json_int64(json_at(e, 3), &type) ||
		    index < 0 || type < INT32_MIN || type > INT32_MAX || strlen(want) != 64) {
			vec_fail(&v, i, "malformed entry");
			vec_case_end(&v);
			continue;
		}
		size_t txlen, slen;
		uint8_t *raw = ts_unhex(txhex, &txlen);
		uint8_t *spt = ts_unhex(script, &slen);
		struct wallet_tx tx;
		char err[128];
		enum kb_rc rc = wallet_tx_parse_err(&tx, raw, txlen, err, sizeof err);
		if (rc != KB_OK) {
			vec_fail(&v, i, "tx does not parse: %s", err);
		} else {
			if (wallet_tx_check(&tx, err, sizeof err) != KB_OK)
				vec_fail(&v, i, "CheckTransaction: %s", err);
			struct hash256 h;
			rc = wallet_sighash_legacy(&h, &tx, (size_t)index, spt, slen, (int32_t)type);
			if (rc != KB_OK) {
				vec_fail(&v, i, "sighash: %s", kb_rc_str(rc));
			} else {
				char got[65];
				wallet_hex_encode_rev(got, sizeof got, h.b, 32);
				if (strcmp(got, want) != 0)
					vec_fail(&v, i, "hash %s, want %s", got, want);
				if ((type & 0x1f) == WALLET_SIGHASH_SINGLE && (size_t)index >= tx.out_count)
					single_bug++;
			}
			wallet_tx_clear(&tx);
		}
		kb_free(raw);
		kb_free(spt);
		vec_case_end(&v);
	}
	printf("core/sighash: %d cases, %d of them the SIGHASH_SINGLE bug\n", v.run, single_bug);
	vec_finish(&v);
	json_free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sighash_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
