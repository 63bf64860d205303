/* Bech32/bech32m and segwit addresses: limits, each failure reason, round trips. */
#include "tests/support/testsupport.h"

#include "wallet/bech32.h"

#include <string.h>

static void test_encode_misuse(void **state)
{
	(void)state;
	char out[WALLET_BECH32_MAX + 1];
	uint8_t d[WALLET_BECH32_MAX] = { 0 };
	char hrp84[85];

	assert_int_equal(wallet_bech32_encode(out, sizeof out, "", d, 1, WALLET_BECH32), KB_EINVAL);
	assert_string_equal(out, "");
	assert_int_equal(wallet_bech32_encode(out, sizeof out, "BC", d, 1, WALLET_BECH32), KB_EINVAL);
	assert_int_equal(wallet_bech32_encode(out, sizeof out, "b c", d, 1, WALLET_BECH32), KB_EINVAL);
	assert_int_equal(wallet_bech32_encode(out, sizeof out, "bc", d, 1, WALLET_BECH32_NONE), KB_EINVAL);
	memset(hrp84, 'a', 84);
	hrp84[84] = '\0';
	assert_int_equal(wallet_bech32_encode(out, sizeof out, hrp84, d, 0, WALLET_BECH32), KB_EINVAL);
	d[3] = 32; /* not a 5-bit value */
	assert_int_equal(wallet_bech32_encode(out, sizeof out, "bc", d, 4, WALLET_BECH32), KB_EINVAL);
	d[3] = 0;
	/* 90 characters exactly, then one more */
	assert_int_equal(wallet_bech32_encode(out, sizeof out, "bc", d, 90 - 9, WALLET_BECH32M), KB_OK);
	assert_int_equal(strlen(out), 90);
	assert_int_equal(wallet_bech32_encode(out, sizeof out, "bc", d, 90 - 8, WALLET_BECH32M), KB_ELIMIT);
	/* output one short */
	assert_int_equal(wallet_bech32_encode(out, 2 + 1 + 6, "bc", d, 0, WALLET_BECH32), KB_ELIMIT);
	assert_int_equal(wallet_bech32_encode(out, 2 + 1 + 6 + 1, "bc", d, 0, WALLET_BECH32), KB_OK);
}

static enum wallet_bech32_err why_of(const char *s, size_t len, enum kb_rc want_rc)
{
	char hrp[WALLET_BECH32_HRP_MAX + 1];
	uint8_t d[WALLET_BECH32_MAX];
	size_t n = 5;
	enum wallet_bech32_enc enc = WALLET_BECH32M;
	enum wallet_bech32_err why = WALLET_BECH32_OK;
	assert_int_equal(wallet_bech32_decode(hrp, sizeof hrp, d, sizeof d, &n, &enc, &why, s, len), want_rc);
	if (want_rc != KB_OK) {
		assert_int_equal(n, 0);
		assert_int_equal(enc, WALLET_BECH32_NONE);
		assert_string_equal(hrp, "");
	}
	return why;
}

static void test_decode_reasons(void **state)
{
	(void)state;
	char s[100];
	memset(s, 'q', 91);
	memcpy(s, "bc1", 3);
	assert_int_equal(why_of(s, 91, KB_ELIMIT), WALLET_BECH32_ETOO_LONG);
	assert_int_equal(why_of("A12uel5l", 8, KB_EPARSE), WALLET_BECH32_EMIXED_CASE);
	assert_int_equal(why_of("a12uel5l\x7f", 9, KB_EPARSE), WALLET_BECH32_ECHAR);
	assert_int_equal(why_of("a\0" "12uel5l", 9, KB_EPARSE), WALLET_BECH32_ECHAR);
	assert_int_equal(why_of("pzry9x0s0muk", 12, KB_EPARSE), WALLET_BECH32_ENO_SEPARATOR);
	assert_int_equal(why_of("1pzry9x0s0muk", 13, KB_EPARSE), WALLET_BECH32_EHRP_EMPTY);
	assert_int_equal(why_of("li1dgmt3", 8, KB_EPARSE), WALLET_BECH32_ESHORT);
	assert_int_equal(why_of("x1b4n0q5v", 9, KB_EPARSE), WALLET_BECH32_EDATA_CHAR);
	assert_int_equal(why_of("a12uel5m", 8, KB_ECHECKSUM), WALLET_BECH32_ECHECKSUM);
	assert_int_equal(why_of("A1G7SGD8", 8, KB_ECHECKSUM), WALLET_BECH32_ECHECKSUM);
	assert_int_equal(why_of("A12UEL5L", 8, KB_OK), WALLET_BECH32_OK);
	assert_int_equal(why_of("a1lqfn3a", 8, KB_OK), WALLET_BECH32_OK);

	/* too-small caller buffers */
	char hrp[2];
	uint8_t d[1];
	size_t n;
	enum wallet_bech32_enc enc;
	const char *s2 = "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw";
	assert_int_equal(wallet_bech32_decode(hrp, sizeof hrp, d, sizeof d, &n, &enc, NULL,
	                                      s2, strlen(s2)), KB_ELIMIT);
	assert_int_equal(n, 0);
	char hrp7[7];
	assert_int_equal(wallet_bech32_decode(hrp7, sizeof hrp7, d, sizeof d, &n, &enc, NULL,
	                                      s2, strlen(s2)), KB_ELIMIT);
	assert_int_equal(wallet_bech32_decode(hrp, sizeof hrp, d, 0, &n, &enc, NULL,
	                                      "a12uel5l", 8), KB_OK);
	assert_int_equal(n, 0);
}

static void test_convert_bits(void **state)
{
	(void)state;
	uint8_t out[8];
	size_t n = 9;
	const uint8_t in8[] = { 0xff };
	assert_true(wallet_bech32_convert_bits(out, sizeof out, &n, in8, 1, 8, 5, true));
	assert_int_equal(n, 2);
	assert_int_equal(out[0], 31);
	assert_int_equal(out[1], 28);
	/* back, without padding */
	assert_true(wallet_bech32_convert_bits(out + 2, 6, &n, out, 2, 5, 8, false));
	assert_int_equal(n, 1);
	assert_int_equal(out[2], 0xff);
	/* non-zero padding bits */
	const uint8_t nz[] = { 31, 29 };
	assert_false(wallet_bech32_convert_bits(out, sizeof out, &n, nz, 2, 5, 8, false));
	assert_int_equal(n, 0);
	/* five or more leftover bits */
	const uint8_t five[] = { 0 };
	assert_false(wallet_bech32_convert_bits(out, sizeof out, &n, five, 1, 5, 8, false));
	/* input value too wide, output too small */
	const uint8_t wide[] = { 32 };
	assert_false(wallet_bech32_convert_bits(out, sizeof out, &n, wide, 1, 5, 8, true));
	assert_false(wallet_bech32_convert_bits(out, 1, &n, in8, 1, 8, 5, true));
}

static void test_segwit_encode(void **state)
{
	(void)state;
	uint8_t prog[41] = { 0 };
	char out[WALLET_BECH32_MAX + 1];
	assert_int_equal(wallet_segwit_addr_encode(out, sizeof out, "bc", 0, prog, 21), KB_EINVAL);
	assert_string_equal(out, "");
	assert_int_equal(wallet_segwit_addr_encode(out, sizeof out, "bc", 17, prog, 32), KB_EINVAL);
	assert_int_equal(wallet_segwit_addr_encode(out, sizeof out, "bc", 1, prog, 1), KB_EINVAL);
	assert_int_equal(wallet_segwit_addr_encode(out, sizeof out, "bc", 1, prog, 41), KB_EINVAL);
	assert_int_equal(wallet_segwit_addr_encode(out, sizeof out, "bc", 16, prog, 40), KB_OK);
	assert_int_equal(wallet_segwit_addr_encode(out, sizeof out, "bcrt", 16, prog, 40), KB_OK);
	assert_int_equal(strlen(out), 4 + 1 + 1 + 64 + 6);
	assert_int_equal(wallet_segwit_addr_encode(out, 10, "bc", 0, prog, 20), KB_ELIMIT);
	/* v1 of 20 bytes is a valid (unknown-program) address */
	assert_int_equal(wallet_segwit_addr_encode(out, sizeof out, "bc", 1, prog, 20), KB_OK);
	struct wallet_segwit_addr a;
	assert_int_equal(wallet_segwit_addr_decode(&a, out, strlen(out)), KB_OK);
	assert_int_equal(a.witver, 1);
	assert_int_equal(a.proglen, 20);
	assert_int_equal(a.enc, WALLET_BECH32M);
}

static void segwit_why(const char *s, enum kb_rc rc, enum wallet_segwit_err why)
{
	struct wallet_segwit_addr a;
	assert_int_equal(wallet_segwit_addr_decode(&a, s, strlen(s)), rc);
	assert_int_equal(a.why, why);
	assert_int_equal(a.proglen, 0);
}

static void test_segwit_decode_reasons(void **state)
{
	(void)state;
	segwit_why("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", KB_ECHECKSUM, WALLET_SEGWIT_EWANT_BECH32);
	segwit_why("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", KB_ECHECKSUM,
	           WALLET_SEGWIT_EWANT_BECH32M);
	segwit_why("BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", KB_EPARSE,
	           WALLET_SEGWIT_EVERSION);
	segwit_why("bc1pw5dgrnzv", KB_EPARSE, WALLET_SEGWIT_ELENGTH);
	segwit_why("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
	           KB_EPARSE, WALLET_SEGWIT_ELENGTH);
	segwit_why("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", KB_EPARSE, WALLET_SEGWIT_EV0_LENGTH);
	struct wallet_segwit_addr a0;
	assert_int_not_equal(wallet_segwit_addr_decode(&a0, "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", 36), KB_OK);
	assert_int_equal(a0.badlen, 16);
	segwit_why("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j", KB_EPARSE,
	           WALLET_SEGWIT_EPADDING);
	segwit_why("bc1gmk9yu", KB_EPARSE, WALLET_SEGWIT_EEMPTY);
	segwit_why("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", KB_ECHECKSUM, WALLET_SEGWIT_EBECH32);
	/* the hrp survives a program error so the caller can name the network */
	struct wallet_segwit_addr a;
	assert_int_not_equal(wallet_segwit_addr_decode(&a, "bc1pw5dgrnzv", 12), KB_OK);
	assert_string_equal(a.hrp, "bc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_misuse),
		cmocka_unit_test(test_decode_reasons),
		cmocka_unit_test(test_convert_bits),
		cmocka_unit_test(test_segwit_encode),
		cmocka_unit_test(test_segwit_decode_reasons),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
