/* spv/fees.c: the fee-estimates document, malformed and over-limit first. */
#include "tests/support/testsupport.h"

#include "spv/fees.h"

#include <stdio.h>
#include <string.h>

static enum kb_rc parse(struct spv_fee_estimates *e, const char *s)
{
	char err[256];
	return spv_fees_parse(e, s, strlen(s), err, sizeof err);
}

static void test_malformed(void **state)
{
	(void)state;
	struct spv_fee_estimates e;
	static const char *const bad[] = {
		"",
		"garbage",
		"<html></html>",
		"[1, 2]",
		"\"6\"",
		"6",
		"null",
		"{\"6\": \"10\"}",          /* a string, not a number */
		"{\"6\": null}",
		"{\"6\": -1}",              /* negative */
		"{\"6\": 1e3}",             /* exponent */
		"{\"6\": 1E3}",
		"{\"0\": 1}",               /* target 0 */
		"{\"06\": 1}",              /* leading zero */
		"{\"1009\": 1}",            /* over 1008 */
		"{\"-1\": 1}",
		"{\"6x\": 1}",
		"{\"\": 1}",
		"{\"six\": 1}",
		"{\"6\": 1, \"6\": 2}",     /* duplicate */
		"{\"6\": 1",                /* truncated */
		"{\"6\": {\"a\": 1}}",
		"{\"6\": [1]}",
		"{\"6\": true}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char err[256] = "";
		e.have[1] = true;
		enum kb_rc rc = spv_fees_parse(&e, bad[i], strlen(bad[i]), err, sizeof err);
		if (rc != KB_EPARSE)
			fail_msg("case %zu (%s): rc %d", i, bad[i], (int)rc);
		assert_false(e.have[SPV_FEE_NORMAL]);
		assert_true(strlen(err) > 0);
	}
}

static void test_limits(void **state)
{
	(void)state;
	struct spv_fee_estimates e;
	/* the rate cap: 10000 sat/vB passes, a hair more fails */
	assert_int_equal(parse(&e, "{\"6\": 10000}"), KB_OK);
	assert_int_equal(e.rate[SPV_FEE_NORMAL], SPV_FEES_RATE_MAX);
	assert_int_equal(parse(&e, "{\"6\": 10000.001}"), KB_ELIMIT);
	assert_int_equal(parse(&e, "{\"6\": 10000.0001}"), KB_ELIMIT); /* rounds up over */
	assert_int_equal(parse(&e, "{\"6\": 99999999999999999999999}"), KB_ELIMIT);
	assert_false(e.have[SPV_FEE_NORMAL]);

	/* document size: exactly the cap is read, one more byte is not */
	static char doc[SPV_FEES_DOC_MAX + 2];
	memset(doc, ' ', sizeof doc);
	memcpy(doc, "{\"6\": 5}", 8);
	assert_int_equal(spv_fees_parse(&e, doc, SPV_FEES_DOC_MAX, NULL, 0), KB_OK);
	assert_int_equal(e.rate[SPV_FEE_NORMAL], 5000);
	assert_int_equal(spv_fees_parse(&e, doc, SPV_FEES_DOC_MAX + 1, NULL, 0), KB_ELIMIT);
	assert_int_equal(spv_fees_parse(&e, NULL, 0, NULL, 0), KB_EINVAL);

	/* entry count: 1008 distinct targets fit; the cap is enforced before the walk */
	static char many[40000];
	size_t n = 0;
	many[n++] = '{';
	for (unsigned t = 1; t <= 1008; t++)
		n += (size_t)snprintf(many + n, sizeof many - n, "%s\"%u\": 1", t > 1 ? "," : "", t);
	many[n++] = '}';
	assert_int_equal(spv_fees_parse(&e, many, n, NULL, 0), KB_OK);
	assert_int_equal(e.entries, 1008);
}

static void test_rates_and_pick(void **state)
{
	(void)state;
	struct spv_fee_estimates e;
	/* a real-shaped Esplora document */
	assert_int_equal(parse(&e, "{\"1\": 87.882, \"2\": 87.882, \"3\": 87.882, \"4\": 87.882, "
	                           "\"5\": 81.129, \"6\": 68.285, \"144\": 1.027, \"504\": 1.027, "
	                           "\"1008\": 1.027}"),
	                 KB_OK);
	assert_int_equal(e.entries, 9);
	assert_int_equal(e.rate[SPV_FEE_FAST], 87882);
	assert_int_equal(e.rate[SPV_FEE_NORMAL], 68285);
	assert_int_equal(e.rate[SPV_FEE_SLOW], 1027);
	assert_int_equal(e.target[SPV_FEE_SLOW], 144);

	/* more than three fractional digits round up, zeros do not */
	assert_int_equal(parse(&e, "{\"2\": 1.0001, \"6\": 1.1000, \"144\": 0.5}"), KB_OK);
	assert_int_equal(e.rate[SPV_FEE_FAST], 1001);
	assert_int_equal(e.rate[SPV_FEE_NORMAL], 1100);
	assert_int_equal(e.rate[SPV_FEE_SLOW], 500);

	/* a missing target uses the largest shorter one, never a longer one */
	assert_int_equal(parse(&e, "{\"3\": 20, \"25\": 5}"), KB_OK);
	assert_false(e.have[SPV_FEE_FAST]);        /* only 3 and 25: nothing <= 2 */
	assert_true(e.have[SPV_FEE_NORMAL]);
	assert_int_equal(e.rate[SPV_FEE_NORMAL], 20000);
	assert_int_equal(e.target[SPV_FEE_NORMAL], 3);
	assert_int_equal(e.rate[SPV_FEE_SLOW], 5000);
	int64_t r = 7;
	assert_int_equal(spv_fees_pick(&e, SPV_FEE_FAST, 0, &r), KB_ENOTFOUND);
	assert_int_equal(r, 0);

	/* floors: the peers' feefilter, then the minimum relay fee */
	assert_int_equal(spv_fees_pick(&e, SPV_FEE_NORMAL, 0, &r), KB_OK);
	assert_int_equal(r, 20000);
	assert_int_equal(spv_fees_pick(&e, SPV_FEE_NORMAL, 30000, &r), KB_OK);
	assert_int_equal(r, 30000);
	assert_int_equal(parse(&e, "{\"6\": 0.2}"), KB_OK);
	assert_int_equal(spv_fees_pick(&e, SPV_FEE_NORMAL, 0, &r), KB_OK);
	assert_int_equal(r, SPV_FEES_MIN_RELAY);
	assert_int_equal(spv_fees_pick(&e, SPV_FEE_NORMAL, INT64_MAX, &r), KB_OK);
	assert_int_equal(r, SPV_FEES_RATE_MAX);
	assert_int_equal(spv_fees_pick(NULL, SPV_FEE_NORMAL, 0, &r), KB_EINVAL);
	assert_int_equal(spv_fees_pick(&e, (enum spv_fee_speed)3, 0, &r), KB_EINVAL);

	/* an empty object is valid and has nothing */
	assert_int_equal(parse(&e, "{}"), KB_OK);
	for (unsigned s = 0; s < SPV_FEE_SPEEDS; s++)
		assert_int_equal(spv_fees_pick(&e, (enum spv_fee_speed)s, 0, &r), KB_ENOTFOUND);

	assert_int_equal(spv_fees_speed_target(SPV_FEE_SLOW), 144);
	assert_int_equal(spv_fees_speed_target(SPV_FEE_NORMAL), 6);
	assert_int_equal(spv_fees_speed_target(SPV_FEE_FAST), 2);
	assert_string_equal(spv_fees_speed_name(SPV_FEE_NORMAL), "normal");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_rates_and_pick),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
