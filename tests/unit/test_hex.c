#include "tests/support/testsupport.h"

#include "wallet/hex.h"
#include "wallet/mem.h"

#include <string.h>

static void test_misuse(void **state)
{
	(void)state;
	uint8_t out[4];
	size_t w = 7;
	assert_int_equal(wallet_hex_decode(out, 4, &w, "abc", 3), KB_EPARSE); /* odd */
	assert_int_equal(w, 0);
	assert_int_equal(wallet_hex_decode(out, 4, &w, "zz", 2), KB_EPARSE);
	assert_int_equal(wallet_hex_decode(out, 1, &w, "0011", 4), KB_ELIMIT);
	assert_int_equal(wallet_hex_decode(out, 4, &w, "", 0), KB_OK);
	assert_int_equal(w, 0);
	assert_false(wallet_hex_decode_exact(out, 2, "001"));
	assert_false(wallet_hex_decode_exact(out, 2, "00112"));
	assert_false(wallet_hex_decode_exact(out, 2, "0g11"));
	size_t n;
	assert_null(wallet_hex_decode_new("0x00", &n));
}

static void test_roundtrip(void **state)
{
	(void)state;
	uint8_t d[] = { 0x00, 0x01, 0xab, 0xff };
	char s[9];
	wallet_hex_encode(s, sizeof s, d, 4);
	assert_string_equal(s, "0001abff");
	wallet_hex_encode_rev(s, sizeof s, d, 4);
	assert_string_equal(s, "ffab0100");
	uint8_t back[4];
	assert_true(wallet_hex_decode_exact(back, 4, "0001ABff"));
	assert_memory_equal(back, d, 4);
	char *h = wallet_hex_new(d, 0);
	assert_string_equal(h, "");
	kb_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
