/* BIP39: misuse and boundaries first, then diagnostics, completion, generation. */
#include "tests/support/testsupport.h"

#include "wallet/bip39.h"
#include "wallet/hex.h"
#include "wallet/mem.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define ABANDON11 "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
static const char m12[] = ABANDON11 "about";
static const char seed12_trezor[] =
	"c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04";

static void check_hex(const uint8_t *got, size_t n, const char *want)
{
	char *h = wallet_hex_new(got, n);
	assert_string_equal(h, want);
	kb_free(h);
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void test_entropy_misuse(void **state)
{
	(void)state;
	char out[WALLET_BIP39_MNEMONIC_MAX];
	uint8_t ent[33] = { 0 };
	/* every length but 16, 20, 24, 28, 32 */
	for (size_t n = 0; n <= 33; n++) {
		enum kb_rc rc = wallet_bip39_from_entropy(out, sizeof out, WALLET_BIP39_EN, ent, n);
		if (n >= 16 && n <= 32 && n % 4 == 0)
			assert_int_equal(rc, KB_OK);
		else
			assert_int_equal(rc, KB_EINVAL);
	}
	/* a bad language, AUTO included (it is for input only) */
	assert_int_equal(wallet_bip39_from_entropy(out, sizeof out, WALLET_BIP39_AUTO, ent, 16), KB_EINVAL);
	assert_int_equal(wallet_bip39_from_entropy(out, sizeof out, (enum wallet_bip39_lang)2, ent, 16), KB_EINVAL);
	/* exactly enough room, then one byte less: zeroed on failure */
	size_t need = strlen(m12) + 1;
	assert_int_equal(wallet_bip39_from_entropy(out, need, WALLET_BIP39_EN, ent, 16), KB_OK);
	assert_string_equal(out, m12);
	memset(out, 'x', sizeof out);
	assert_int_equal(wallet_bip39_from_entropy(out, need - 1, WALLET_BIP39_EN, ent, 16), KB_ELIMIT);
	assert_true(all_zero(out, need - 1));
	assert_int_equal(wallet_bip39_from_entropy(out, 0, WALLET_BIP39_EN, ent, 16), KB_ELIMIT);
	/* generate: bad counts */
	static const size_t bad[] = { 0, 1, 11, 13, 14, 16, 23, 25, 27, 48 };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(out, 'x', sizeof out);
		assert_int_equal(wallet_bip39_generate(out, sizeof out, WALLET_BIP39_EN, bad[i]), KB_EINVAL);
		assert_true(all_zero(out, sizeof out));
	}
	assert_int_equal(wallet_bip39_generate(out, 10, WALLET_BIP39_EN, 12), KB_ELIMIT);
	assert_true(all_zero(out, 10));
}

static void test_parse_misuse(void **state)
{
	(void)state;
	struct wallet_bip39_diag d;
	uint8_t ent[WALLET_BIP39_ENTROPY_MAX];
	uint8_t seed[WALLET_BIP39_SEED_LEN];
	size_t n = 99;

	/* empty and blank */
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_EN, "", &d), KB_EPARSE);
	assert_int_equal(d.problem, WALLET_BIP39_EMPTY);
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_AUTO, " \t\n\xe3\x80\x80 ", &d), KB_EPARSE);
	assert_int_equal(d.problem, WALLET_BIP39_EMPTY);
	/* invalid UTF-8 */
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_EN, "abandon \xff about", &d), KB_EPARSE);
	assert_int_equal(d.problem, WALLET_BIP39_ENCODING);
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_EN, "abandon \xe3\x80", &d), KB_EPARSE);
	assert_int_equal(d.problem, WALLET_BIP39_ENCODING);
	/* a bad language */
	assert_int_equal(wallet_bip39_check((enum wallet_bip39_lang)7, m12, &d), KB_EINVAL);
	/* the input limit, and limit + 1 */
	char *big = kb_malloc(WALLET_BIP39_INPUT_MAX + 2);
	memset(big, ' ', WALLET_BIP39_INPUT_MAX + 1);
	memcpy(big, m12, strlen(m12));
	big[WALLET_BIP39_INPUT_MAX] = '\0';
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_EN, big, &d), KB_OK);
	big[WALLET_BIP39_INPUT_MAX] = ' ';
	big[WALLET_BIP39_INPUT_MAX + 1] = '\0';
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_EN, big, &d), KB_ELIMIT);
	assert_int_equal(d.problem, WALLET_BIP39_TOO_LONG);
	/* text whose NFKD form would not fit: U+FDFA expands to 18 characters */
	size_t k = 0;
	while (k + 3 <= WALLET_BIP39_INPUT_MAX) {
		memcpy(big + k, "\xef\xb7\xba", 3);
		k += 3;
	}
	big[k] = '\0';
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_AUTO, big, &d), KB_ELIMIT);
	assert_int_equal(d.problem, WALLET_BIP39_TOO_LONG);
	kb_free(big);

	/* word counts: 11, 13, 25 (too many stops counting) */
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_EN, ABANDON11, &d), KB_EPARSE);
	assert_int_equal(d.problem, WALLET_BIP39_WORD_COUNT);
	assert_int_equal(d.word_count, 11);
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_EN, ABANDON11 "about about", &d), KB_EPARSE);
	assert_int_equal(d.problem, WALLET_BIP39_WORD_COUNT);
	assert_int_equal(d.word_count, 13);
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_EN, ABANDON11 ABANDON11 "abandon abandon abandon", &d),
	                 KB_EPARSE);
	assert_int_equal(d.problem, WALLET_BIP39_WORD_COUNT);
	assert_int_equal(d.word_count, 25);
	/* checksum */
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_EN, ABANDON11 "abandon", &d), KB_ECHECKSUM);
	assert_int_equal(d.problem, WALLET_BIP39_CHECKSUM);
	assert_int_equal(d.word_count, 12);

	/* outputs are zeroed on failure */
	memset(ent, 0xaa, sizeof ent);
	assert_int_equal(wallet_bip39_to_entropy(ent, sizeof ent, &n, WALLET_BIP39_EN, ABANDON11 "abandon", NULL),
	                 KB_ECHECKSUM);
	assert_int_equal(n, 0);
	assert_true(all_zero(ent, sizeof ent));
	memset(ent, 0xaa, sizeof ent);
	assert_int_equal(wallet_bip39_to_entropy(ent, 15, &n, WALLET_BIP39_EN, m12, NULL), KB_ELIMIT);
	assert_int_equal(n, 0);
	assert_true(all_zero(ent, 15));
	memset(seed, 0xaa, sizeof seed);
	assert_int_equal(wallet_bip39_to_seed(seed, WALLET_BIP39_EN, ABANDON11 "abandon", "", NULL), KB_ECHECKSUM);
	assert_true(all_zero(seed, sizeof seed));

	/* passphrase: limit, limit + 1, bad UTF-8 */
	char *pass = kb_malloc(WALLET_BIP39_PASSPHRASE_MAX + 2);
	memset(pass, 'p', WALLET_BIP39_PASSPHRASE_MAX + 1);
	pass[WALLET_BIP39_PASSPHRASE_MAX] = '\0';
	assert_int_equal(wallet_bip39_to_seed(seed, WALLET_BIP39_EN, m12, pass, &d), KB_OK);
	pass[WALLET_BIP39_PASSPHRASE_MAX] = 'p';
	pass[WALLET_BIP39_PASSPHRASE_MAX + 1] = '\0';
	memset(seed, 0xaa, sizeof seed);
	assert_int_equal(wallet_bip39_to_seed(seed, WALLET_BIP39_EN, m12, pass, &d), KB_ELIMIT);
	assert_int_equal(d.problem, WALLET_BIP39_TOO_LONG);
	assert_true(all_zero(seed, sizeof seed));
	assert_int_equal(wallet_bip39_to_seed(seed, WALLET_BIP39_EN, m12, "\xc3", &d), KB_EPARSE);
	assert_int_equal(d.problem, WALLET_BIP39_ENCODING);
	kb_free(pass);
	wallet_bip39_diag_clear(&d);
}

static void test_unknown_word(void **state)
{
	(void)state;
	struct wallet_bip39_diag d;
	char msg[256];

	assert_int_equal(wallet_bip39_check(WALLET_BIP39_EN,
	                 "abandon abandon abandon abandon abandn abandon abandon abandon abandon abandon abandon about",
	                 &d), KB_EPARSE);
	assert_int_equal(d.problem, WALLET_BIP39_UNKNOWN_WORD);
	assert_int_equal(d.position, 5);
	assert_string_equal(d.typed, "abandn");
	assert_true(d.nsuggest >= 1);
	assert_string_equal(d.suggest[0], "abandon");
	wallet_bip39_diag_format(msg, sizeof msg, &d);
	assert_non_null(strstr(msg, "word 5 'abandn' is not in the English list; did you mean abandon"));
	printf("  %s\n", msg);

	/* an unknown word is reported before a bad count, with the count */
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_AUTO, "zoo zo", &d), KB_EPARSE);
	assert_int_equal(d.problem, WALLET_BIP39_UNKNOWN_WORD);
	assert_int_equal(d.position, 2);
	assert_int_equal(d.word_count, 2);
	assert_int_equal(d.lang, WALLET_BIP39_EN);
	assert_string_equal(d.suggest[0], "zoo");

	/* a unique 4-letter prefix points at its word; a swap is one edit */
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_EN, "aban", &d), KB_EPARSE);
	assert_string_equal(d.suggest[0], "abandon");
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_EN, "abuot", &d), KB_EPARSE);
	assert_string_equal(d.suggest[0], "about");
	/* several suggestions, best first, at most three */
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_EN, "cak", &d), KB_EPARSE);
	assert_true(d.nsuggest >= 2 && d.nsuggest <= WALLET_BIP39_SUGGEST_MAX);
	wallet_bip39_diag_format(msg, sizeof msg, &d);
	printf("  %s\n", msg);
	assert_non_null(strstr(msg, " or "));
	/* nothing close: no suggestion, no question */
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_EN, "qqqqqqqqqqqq", &d), KB_EPARSE);
	assert_int_equal(d.nsuggest, 0);
	wallet_bip39_diag_format(msg, sizeof msg, &d);
	assert_null(strchr(msg, '?'));
	/* a long word is truncated in the report, at a character boundary */
	char longw[300];
	memset(longw, 0, sizeof longw);
	for (size_t i = 0; i + 3 < 200; i += 3)
		memcpy(longw + i, "\xe3\x81\x82", 3);
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_JA, longw, &d), KB_EPARSE);
	assert_true(strlen(d.typed) < WALLET_BIP39_TYPED_MAX && strlen(d.typed) % 3 == 0);
	/* Japanese: あいた for あいだ (index 2) lacks only the dakuten: one edit */
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_JA, "\xe3\x81\x82\xe3\x81\x84\xe3\x81\x9f", &d),
	                 KB_EPARSE);
	assert_int_equal(d.lang, WALLET_BIP39_JA);
	assert_true(d.nsuggest >= 1);
	bool found = false;
	for (size_t i = 0; i < d.nsuggest; i++)
		found = found || strcmp(d.suggest[i], wallet_bip39_word(WALLET_BIP39_JA, 2)) == 0;
	assert_true(found);
	wallet_bip39_diag_format(msg, sizeof msg, &d);
	printf("  %s\n", msg);

	/* messages for the other problems; truncation is safe */
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_EN, ABANDON11 "abandon", &d), KB_ECHECKSUM);
	wallet_bip39_diag_format(msg, sizeof msg, &d);
	assert_non_null(strstr(msg, "checksum"));
	wallet_bip39_diag_format(msg, 5, &d);
	assert_int_equal(strlen(msg), 4);
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_EN, "abandn", &d), KB_EPARSE);
	for (size_t len = 1; len < 60; len++) {
		wallet_bip39_diag_format(msg, len, &d);
		assert_true(strlen(msg) < len);
	}
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_EN, ABANDON11, &d), KB_EPARSE);
	wallet_bip39_diag_format(msg, sizeof msg, &d);
	assert_string_equal(msg, "11 words: a mnemonic has 12, 15, 18, 21 or 24");
	wallet_bip39_diag_clear(&d);
	assert_int_equal(d.problem, WALLET_BIP39_OK);
	assert_string_equal(d.typed, "");
}

static void test_spelling(void **state)
{
	(void)state;
	uint8_t seed[WALLET_BIP39_SEED_LEN];
	char out[WALLET_BIP39_MNEMONIC_MAX];
	/* stray whitespace, capitals and full-width letters do not change the seed */
	static const char *const forms[] = {
		m12,
		"  abandon\tabandon abandon  abandon abandon abandon abandon abandon abandon abandon abandon about\n",
		"ABANDON Abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
		"abandon\xe3\x80\x80" "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
		"\xef\xbd\x81\xef\xbd\x82out", /* U+3000, and full-width "ab" */
	};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		assert_int_equal(wallet_bip39_to_seed(seed, WALLET_BIP39_AUTO, forms[i], "TREZOR", NULL), KB_OK);
		check_hex(seed, sizeof seed, seed12_trezor);
		assert_int_equal(wallet_bip39_canonical(out, sizeof out, WALLET_BIP39_AUTO, forms[i], NULL), KB_OK);
		assert_string_equal(out, m12);
	}
	/* a NULL passphrase is the empty one */
	uint8_t seed2[WALLET_BIP39_SEED_LEN];
	assert_int_equal(wallet_bip39_to_seed(seed, WALLET_BIP39_EN, m12, NULL, NULL), KB_OK);
	assert_int_equal(wallet_bip39_to_seed(seed2, WALLET_BIP39_EN, m12, "", NULL), KB_OK);
	assert_memory_equal(seed, seed2, sizeof seed);
	/* the language given must be the words' */
	struct wallet_bip39_diag d;
	assert_int_equal(wallet_bip39_check(WALLET_BIP39_JA, m12, &d), KB_EPARSE);
	assert_int_equal(d.problem, WALLET_BIP39_UNKNOWN_WORD);
	assert_int_equal(d.position, 1);
	wallet_bip39_diag_clear(&d);
}

static void test_lookup_complete_detect(void **state)
{
	(void)state;
	const char *words[8];
	assert_int_equal(wallet_bip39_word_index(WALLET_BIP39_EN, "abandon"), 0);
	assert_int_equal(wallet_bip39_word_index(WALLET_BIP39_EN, "zoo"), 2047);
	assert_int_equal(wallet_bip39_word_index(WALLET_BIP39_EN, "Zoo"), 2047);
	assert_int_equal(wallet_bip39_word_index(WALLET_BIP39_EN, "zo"), -1);
	assert_int_equal(wallet_bip39_word_index(WALLET_BIP39_EN, ""), -1);
	assert_int_equal(wallet_bip39_word_index(WALLET_BIP39_EN, "zoo "), -1);
	assert_int_equal(wallet_bip39_word_index(WALLET_BIP39_EN, "\xff"), -1);
	assert_int_equal(wallet_bip39_word_index(WALLET_BIP39_AUTO, "zoo"), -1);
	/* Japanese: composed and decomposed spellings of あいだ (index 2) */
	assert_int_equal(wallet_bip39_word_index(WALLET_BIP39_JA, "\xe3\x81\x82\xe3\x81\x84\xe3\x81\xa0"), 2);
	assert_int_equal(wallet_bip39_word_index(WALLET_BIP39_JA, "\xe3\x81\x82\xe3\x81\x84\xe3\x81\x9f\xe3\x82\x99"), 2);
	assert_string_equal(wallet_bip39_word(WALLET_BIP39_JA, 2), "\xe3\x81\x82\xe3\x81\x84\xe3\x81\xa0");
	assert_null(wallet_bip39_word(WALLET_BIP39_EN, 2048));
	assert_null(wallet_bip39_word(WALLET_BIP39_AUTO, 0));

	assert_int_equal(wallet_bip39_complete(WALLET_BIP39_EN, "", NULL, 0), 2048);
	assert_int_equal(wallet_bip39_complete(WALLET_BIP39_EN, "aba", words, 8), 1);
	assert_string_equal(words[0], "abandon");
	size_t n = wallet_bip39_complete(WALLET_BIP39_EN, "ab", words, 2);
	assert_true(n > 2);
	assert_string_equal(words[0], "abandon");
	assert_string_equal(words[1], "ability");
	assert_int_equal(wallet_bip39_complete(WALLET_BIP39_EN, "ZO", words, 8), 2); /* zone, zoo */
	assert_int_equal(wallet_bip39_complete(WALLET_BIP39_EN, "zoox", words, 8), 0);
	assert_int_equal(wallet_bip39_complete(WALLET_BIP39_EN, "\xff", words, 8), 0);
	assert_true(wallet_bip39_complete(WALLET_BIP39_JA, "\xe3\x81\x82\xe3\x81\x84", words, 8) >= 3);
	assert_string_equal(words[0], wallet_bip39_word(WALLET_BIP39_JA, 0));

	enum wallet_bip39_lang lang;
	assert_int_equal(wallet_bip39_detect(&lang, m12), KB_OK);
	assert_int_equal(lang, WALLET_BIP39_EN);
	assert_int_equal(wallet_bip39_detect(&lang, "qqq www"), KB_ENOTFOUND);
	assert_int_equal(wallet_bip39_detect(&lang, ""), KB_EPARSE);
	assert_int_equal(wallet_bip39_detect(&lang, "\xe3\x81\x82\xe3\x81\x84\xe3\x81\xa0 zoo \xe3\x81\x82\xe3\x81\x84\xe3\x81\xa0"),
	                 KB_OK);
	assert_int_equal(lang, WALLET_BIP39_JA);
	assert_string_equal(wallet_bip39_lang_name(WALLET_BIP39_JA), "Japanese");
	assert_true(wallet_bip39_valid_word_count(24));
	assert_false(wallet_bip39_valid_word_count(27));
}

static void test_generate(void **state)
{
	(void)state;
	char *m = kb_secret_alloc(WALLET_BIP39_MNEMONIC_MAX);
	char *c = kb_secret_alloc(WALLET_BIP39_MNEMONIC_MAX);
	uint8_t ent[WALLET_BIP39_ENTROPY_MAX];
	struct wallet_bip39_diag d;
	for (int l = 0; l < WALLET_BIP39_LANG_COUNT; l++) {
		for (size_t words = 12; words <= 24; words += 3) {
			for (int rep = 0; rep < 20; rep++) {
				size_t n;
				assert_int_equal(wallet_bip39_generate(m, WALLET_BIP39_MNEMONIC_MAX,
				                                       (enum wallet_bip39_lang)l, words), KB_OK);
				assert_int_equal(wallet_bip39_check(WALLET_BIP39_AUTO, m, &d), KB_OK);
				assert_int_equal(d.lang, l);
				assert_int_equal(d.word_count, words);
				assert_int_equal(wallet_bip39_to_entropy(ent, sizeof ent, &n, (enum wallet_bip39_lang)l, m, NULL),
				                 KB_OK);
				assert_int_equal(n, words * 4 / 3);
				assert_int_equal(wallet_bip39_from_entropy(c, WALLET_BIP39_MNEMONIC_MAX,
				                                           (enum wallet_bip39_lang)l, ent, n), KB_OK);
				assert_string_equal(c, m);
				if (l == WALLET_BIP39_JA)
					assert_non_null(strstr(m, "\xe3\x80\x80"));
			}
		}
	}
	/* two mnemonics in a row differ (the CSPRNG is used) */
	assert_int_equal(wallet_bip39_generate(m, WALLET_BIP39_MNEMONIC_MAX, WALLET_BIP39_EN, 24), KB_OK);
	assert_int_equal(wallet_bip39_generate(c, WALLET_BIP39_MNEMONIC_MAX, WALLET_BIP39_EN, 24), KB_OK);
	assert_string_not_equal(m, c);
	/* the longest Japanese mnemonic fits WALLET_BIP39_MNEMONIC_MAX */
	size_t longest = 0;
	for (unsigned i = 0; i < WALLET_BIP39_WORDS; i++) {
		size_t len = strlen(wallet_bip39_word(WALLET_BIP39_JA, i));
		if (len > longest)
			longest = len;
	}
	assert_true(24 * longest + 23 * 3 + 1 <= WALLET_BIP39_MNEMONIC_MAX);
	kb_secret_free(m);
	kb_secret_free(c);
	wallet_bip39_diag_clear(&d);
}

/* Not a pass/fail on time: prints how long a seed takes (a few ms expected). */
static void test_seed_time(void **state)
{
	(void)state;
	uint8_t seed[WALLET_BIP39_SEED_LEN];
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 10; i++)
		assert_int_equal(wallet_bip39_to_seed(seed, WALLET_BIP39_EN, m12, "TREZOR", NULL), KB_OK);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ms = ((double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6) / 10;
	printf("  BIP39 seed: %.2f ms each\n", ms);
	check_hex(seed, sizeof seed, seed12_trezor);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entropy_misuse),
		cmocka_unit_test(test_parse_misuse),
		cmocka_unit_test(test_unknown_word),
		cmocka_unit_test(test_spelling),
		cmocka_unit_test(test_lookup_complete_detect),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_seed_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
