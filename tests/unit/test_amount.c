#include "tests/support/testsupport.h"

#include "wallet/amount.h"
#include "wallet/bip21.h"

#include <string.h>

static void test_amount_misuse(void **state)
{
	(void)state;
	static const struct { const char *in; enum kb_rc rc; } bad[] = {
		{ "", KB_EPARSE }, { "-1", KB_EPARSE }, { "-0.1", KB_EPARSE }, { "+1", KB_EPARSE },
		{ ".5", KB_EPARSE }, { "1.", KB_EPARSE }, { "1e3", KB_EPARSE }, { " 1", KB_EPARSE },
		{ "1 ", KB_EPARSE }, { "1,5", KB_EPARSE }, { "0x10", KB_EPARSE }, { "sat", KB_EPARSE },
		{ "1.5sat", KB_EPARSE }, { "10 sat", KB_EPARSE }, { "1BTC", KB_EPARSE },
		{ "0.000000001", KB_ELIMIT }, { "21000000.00000001", KB_ELIMIT },
		{ "21000001", KB_ELIMIT }, { "2100000000000001sat", KB_ELIMIT },
		{ "99999999999999999999999999", KB_ELIMIT },
		{ "99999999999999999999999999sat", KB_ELIMIT },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t v = 77;
		char err[128] = "";
		enum kb_rc rc = wallet_amount_parse(&v, bad[i].in, err, sizeof err);
		if (rc != bad[i].rc)
			fail_msg("'%s': rc %d, want %d", bad[i].in, rc, bad[i].rc);
		assert_int_equal(v, 0);
		assert_true(strlen(err) > 10);
	}
	int64_t v;
	assert_int_equal(wallet_amount_parse_btc(&v, "150000sat", NULL, 0), KB_EPARSE);
}

static void test_amount_values(void **state)
{
	(void)state;
	static const struct { const char *in; int64_t sats; } ok[] = {
		{ "0", 0 }, { "0.0015", 150000 }, { "1", 100000000 }, { "0.00000001", 1 },
		{ "21000000", 2100000000000000LL }, { "21000000.00000000", 2100000000000000LL },
		{ "150000sat", 150000 }, { "0sat", 0 }, { "2100000000000000sat", 2100000000000000LL },
		{ "007", 700000000 },
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int64_t v;
		assert_int_equal(wallet_amount_parse(&v, ok[i].in, NULL, 0), KB_OK);
		assert_true(v == ok[i].sats);
	}
	char s[WALLET_AMOUNT_STRLEN];
	wallet_amount_format(s, 150000);
	assert_string_equal(s, "0.00150000");
	wallet_amount_format(s, -1);
	assert_string_equal(s, "-0.00000001");
	wallet_amount_format(s, INT64_MIN);
	assert_string_equal(s, "-92233720368.54775808");
	wallet_amount_format_short(s, 150000);
	assert_string_equal(s, "0.0015");
	wallet_amount_format_short(s, 100000000);
	assert_string_equal(s, "1");
	wallet_amount_format_short(s, 0);
	assert_string_equal(s, "0");
	char t[32];
	wallet_amount_format_sats(t, 1234567);
	assert_string_equal(t, "1,234,567");
	wallet_amount_format_sats(t, -100);
	assert_string_equal(t, "-100");
	wallet_amount_format_sats(t, 100000);
	assert_string_equal(t, "100,000");
}

static void test_bip21_misuse(void **state)
{
	(void)state;
	static const char *bad[] = {
		"", "bitcoin", "bitcoin:", "bitcoin:?amount=1", "http:bc1qxyz",
		"bitcoin:bc1q?amount=-1", "bitcoin:bc1q?amount=1e3", "bitcoin:bc1q?amount=0.000000001",
		"bitcoin:bc1q?amount=1&amount=2", "bitcoin:bc1q?req-somethingyoudontunderstand=50",
		"bitcoin:bc1q?label=%4", "bitcoin:bc1q?label=%zz", "bitcoin:bc1q?label=a%0Ab",
		"bitcoin:bc1q?amount=150000sat", "bitcoin:bc%20q",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct wallet_bip21 u;
		char err[128] = "";
		if (wallet_bip21_parse(&u, bad[i], err, sizeof err) == KB_OK)
			fail_msg("accepted '%s'", bad[i]);
		assert_true(u.amount == -1);
		assert_string_equal(u.address, "");
		assert_true(strlen(err) > 5);
	}
}

static void test_bip21_values(void **state)
{
	(void)state;
	struct wallet_bip21 u;
	/* BIP21's own examples */
	assert_int_equal(wallet_bip21_parse(&u, "bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?label=Luke-Jr", NULL, 0), KB_OK);
	assert_string_equal(u.address, "175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W");
	assert_string_equal(u.label, "Luke-Jr");
	assert_true(u.amount == -1);
	assert_int_equal(wallet_bip21_parse(&u, "BITCOIN:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?amount=20.3&label=Luke-Jr", NULL, 0), KB_OK);
	assert_true(u.amount == 2030000000LL);
	assert_int_equal(wallet_bip21_parse(&u, "bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?amount=50&label=Luke-Jr&message=Donation%20for%20project%20xyz", NULL, 0), KB_OK);
	assert_string_equal(u.message, "Donation for project xyz");
	assert_int_equal(wallet_bip21_parse(&u, "bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?somethingyoudontunderstand=50&somethingelseyoudontget=999", NULL, 0), KB_OK);
	/* build and parse back */
	struct buf b = BUF_INIT;
	wallet_bip21_build(&b, "bcrt1qxyz", 150000, "rent & food", NULL);
	assert_string_equal(buf_cstr(&b), "bitcoin:bcrt1qxyz?amount=0.0015&label=rent%20%26%20food");
	assert_int_equal(wallet_bip21_parse(&u, buf_cstr(&b), NULL, 0), KB_OK);
	assert_string_equal(u.label, "rent & food");
	assert_true(u.amount == 150000);
	buf_reset(&b);
	wallet_bip21_build(&b, "bcrt1qxyz", -1, "", "");
	assert_string_equal(buf_cstr(&b), "bitcoin:bcrt1qxyz");
	buf_clear(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amount_misuse),
		cmocka_unit_test(test_amount_values),
		cmocka_unit_test(test_bip21_misuse),
		cmocka_unit_test(test_bip21_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
