/*
 * Bitcoin Core's base58_encode_decode.json (tests/data/core): [hex, base58]
 * pairs, encoded and decoded both ways. Core's decoder also skips
 * surrounding whitespace; koban's does not (callers trim), so those extra
 * cases in Core's C++ test are not part of the data file and not run.
 */
#include "tests/support/testsupport.h"

#include "wallet/base58.h"
#include "wallet/mem.h"

#include <stdlib.h>
#include <string.h>

static void test_encode_decode(void **state)
{
	(void)state;
	struct json *j = ts_load_json("core/base58_encode_decode.json");
	struct vec v;
	vec_start(&v, "base58_encode_decode");
	for (size_t i = 0; i < j->count; i++) {
		const struct json *c = json_at(j, i);
		const char *hex = json_str(json_at(c, 0));
		const char *b58 = json_str(json_at(c, 1));
		if (!hex || !b58) {
			vec_fail(&v, i, "malformed case");
			vec_case_end(&v);
			continue;
		}
		size_t n, w = 0;
		uint8_t *bytes = ts_unhex(hex, &n);
		char out[WALLET_BASE58_ENCODED_MAX(WALLET_BASE58_MAX_BYTES)];
		if (wallet_base58_encode(out, sizeof out, &w, bytes, n) != KB_OK)
			vec_fail(&v, i, "encode failed");
		else if (strcmp(out, b58) != 0 || w != strlen(b58))
			vec_fail(&v, i, "encode gives %s", out);
		uint8_t dec[WALLET_BASE58_MAX_BYTES];
		if (wallet_base58_decode(dec, sizeof dec, &w, b58, strlen(b58)) != KB_OK)
			vec_fail(&v, i, "decode failed");
		else if (w != n || (n > 0 && memcmp(dec, bytes, n) != 0))
			vec_fail(&v, i, "decode differs from %s", hex); /* hex may be upper case */
		/* one byte short of room fails cleanly */
		if (n > 0 && wallet_base58_decode(dec, n - 1, &w, b58, strlen(b58)) != KB_ELIMIT)
			vec_fail(&v, i, "short buffer accepted");
		kb_free(bytes);
		vec_case_end(&v);
	}
	vec_finish(&v);
	json_free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
