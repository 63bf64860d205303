/* Compact nBits and retarget cases from tests/data/pow (Bitcoin Core). */
#include "tests/support/testsupport.h"

#include "wallet/pow.h"
#include "wallet/u256.h"

#include <stdlib.h>
#include <string.h>

static uint32_t hex32(const char *s)
{
	return (uint32_t)strtoul(s, NULL, 16);
}

static void test_compact(void **state)
{
	(void)state;
	struct json *j = ts_load_json("pow/pow_compact_retarget_vectors.json");
	const struct json *cases = json_get(j, "compact");
	struct vec v;
	vec_start(&v, "pow/compact");
	for (size_t i = 0; i < cases->count; i++) {
		const struct json *c = json_at(cases, i);
		struct u256 a;
		char h[65];
		if (json_get_str(c, "set_uint256")) {
			u256_from_u64(&a, hex32(json_get_str(c, "set_uint256")));
			uint32_t got = u256_get_compact(&a, false);
			if (got != hex32(json_get_str(c, "expected_get_compact")))
				vec_fail(&v, i, "GetCompact = 0x%08x", got);
			vec_case_end(&v);
			continue;
		}
		bool neg, ovf;
		u256_set_compact(&a, hex32(json_get_str(c, "compact")), &neg, &ovf);
		if (neg != json_get(c, "negative")->boolean)
			vec_fail(&v, i, "negative = %d", neg);
		if (ovf != json_get(c, "overflow")->boolean)
			vec_fail(&v, i, "overflow = %d", ovf);
		if (json_get_str(c, "uint256_hex")) {
			u256_to_hex(&a, h);
			if (strcmp(h, json_get_str(c, "uint256_hex")) != 0)
				vec_fail(&v, i, "value %s", h);
		}
		const char *gc = json_get_str(c, "get_compact");
		if (gc && u256_get_compact(&a, neg) != hex32(gc))
			vec_fail(&v, i, "GetCompact = 0x%08x", u256_get_compact(&a, neg));
		const char *gcn = json_get_str(c, "get_compact_negative");
		if (gcn && u256_get_compact(&a, true) != hex32(gcn))
			vec_fail(&v, i, "GetCompact(negative) = 0x%08x", u256_get_compact(&a, true));
		vec_case_end(&v);
	}
	vec_finish(&v);
	json_free(j);
}

static void test_retarget(void **state)
{
	(void)state;
	struct json *j = ts_load_json("pow/pow_compact_retarget_vectors.json");
	const struct json *cases = json_get(j, "retarget");
	struct u256 limit;
	assert_true(u256_from_hex(&limit, "00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"));
	const int64_t timespan = 14 * 24 * 60 * 60;
	struct vec v;
	vec_start(&v, "pow/retarget");
	for (size_t i = 0; i < cases->count; i++) {
		const struct json *c = json_at(cases, i);
		int64_t first, last, height;
		if (!json_get_int64(c, "first_block_time", &first) ||
		    !json_get_int64(c, "last_block_time", &last) ||
		    !json_get_int64(c, "last_block_height", &height)) {
			vec_fail(&v, i, "malformed case");
			vec_case_end(&v);
			continue;
		}
		uint32_t bits = hex32(json_get_str(c, "last_block_bits"));
		uint32_t want = hex32(json_get_str(c, "expected_next_bits"));
		uint32_t got = wallet_pow_retarget(bits, first, last, &limit, timespan);
		if (got != want)
			vec_fail(&v, i, "%s: next bits 0x%08x, want 0x%08x", json_get_str(c, "name"), got, want);
		if (!wallet_pow_permitted_transition(height + 1, bits, want, &limit, timespan, 2016))
			vec_fail(&v, i, "expected bits not permitted");
		const char *np = json_get_str(c, "not_permitted_next_bits");
		if (np && wallet_pow_permitted_transition(height + 1, bits, hex32(np), &limit, timespan, 2016))
			vec_fail(&v, i, "0x%s permitted", np);
		/* off a boundary the bits may not change at all */
		if (wallet_pow_permitted_transition(height, bits, want == bits ? bits + 1 : want, &limit, timespan, 2016))
			vec_fail(&v, i, "change permitted off a boundary");
		vec_case_end(&v);
	}
	vec_finish(&v);
	json_free(j);
}

static void test_check(void **state)
{
	(void)state;
	/* the genesis block hash meets its bits; a flipped high byte does not */
	struct u256 limit;
	assert_true(u256_from_hex(&limit, "00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"));
	uint8_t h[32];
	size_t n;
	uint8_t *be = ts_unhex("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f", &n);
	for (int i = 0; i < 32; i++)
		h[i] = be[31 - i];
	free(be);
	assert_true(wallet_pow_check(h, 0x1d00ffff, &limit));
	h[31] = 0x01;
	assert_false(wallet_pow_check(h, 0x1d00ffff, &limit));
	h[31] = 0;
	assert_false(wallet_pow_check(h, 0x1d80ffff, &limit)); /* negative */
	assert_false(wallet_pow_check(h, 0xff123456, &limit)); /* overflow */
	assert_false(wallet_pow_check(h, 0x1e00ffff, &limit)); /* above the limit */
	assert_false(wallet_pow_check(h, 0x00000000, &limit)); /* zero */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_retarget),
		cmocka_unit_test(test_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
