/* Base58, Base58Check and Base64: boundaries, malformed text, round trips. */
#include "tests/support/testsupport.h"

#include "wallet/base58.h"
#include "wallet/base64.h"
#include "wallet/hex.h"

#include <stdio.h>
#include <string.h>

static void test_base58_misuse(void **state)
{
	(void)state;
	uint8_t big[WALLET_BASE58_MAX_BYTES + 1];
	char out[WALLET_BASE58_ENCODED_MAX(WALLET_BASE58_MAX_BYTES + 1)];
	size_t w = 7;

	memset(big, 0xff, sizeof big);
	/* limit + 1 bytes */
	assert_int_equal(wallet_base58_encode(out, sizeof out, &w, big, sizeof big), KB_ELIMIT);
	assert_string_equal(out, "");
	assert_int_equal(w, 0);
	/* the limit itself fits the documented buffer */
	assert_int_equal(wallet_base58_encode(out, WALLET_BASE58_ENCODED_MAX(WALLET_BASE58_MAX_BYTES),
	                                      &w, big, WALLET_BASE58_MAX_BYTES), KB_OK);
	assert_int_equal(strlen(out), w);
	/* short output: "2g" needs 3 bytes */
	uint8_t a = 0x61;
	assert_int_equal(wallet_base58_encode(out, 2, &w, &a, 1), KB_ELIMIT);
	assert_string_equal(out, "");
	assert_int_equal(wallet_base58_encode(out, 3, &w, &a, 1), KB_OK);
	assert_string_equal(out, "2g");
	assert_int_equal(wallet_base58_encode(out, 1, &w, &a, 0), KB_OK);
	assert_string_equal(out, "");

	uint8_t dec[300];
	static const char *const bad[] = { "0", "O", "I", "l", "2g ", " 2g", "+", "\xc3\xa9" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		w = 9;
		assert_int_equal(wallet_base58_decode(dec, sizeof dec, &w, bad[i], strlen(bad[i])), KB_EPARSE);
		assert_int_equal(w, 0);
	}
	/* an embedded NUL is a bad character, not an end */
	assert_int_equal(wallet_base58_decode(dec, sizeof dec, &w, "2g\0" "2", 4), KB_EPARSE);
	/* limit + 1 characters */
	char longs[WALLET_BASE58_MAX_CHARS + 1];
	memset(longs, '2', sizeof longs);
	assert_int_equal(wallet_base58_decode(dec, sizeof dec, &w, longs, sizeof longs), KB_ELIMIT);
	assert_int_equal(wallet_base58_decode(dec, sizeof dec, &w, longs, sizeof longs - 1), KB_OK);
	/* short output buffer: zeroed, nothing written */
	memset(dec, 0xaa, 4);
	assert_int_equal(wallet_base58_decode(dec, 2, &w, "a3gV", 4), KB_ELIMIT);
	assert_int_equal(w, 0);
	assert_int_equal(dec[0], 0);
	assert_int_equal(wallet_base58_decode(dec, 3, &w, "a3gV", 4), KB_OK);
	assert_memory_equal(dec, "bbb", 3);
	/* empty and all-ones */
	assert_int_equal(wallet_base58_decode(dec, 0, &w, "", 0), KB_OK);
	assert_int_equal(w, 0);
	assert_int_equal(wallet_base58_decode(dec, 3, &w, "111", 3), KB_OK);
	assert_int_equal(w, 3);
	assert_int_equal(dec[0] | dec[1] | dec[2], 0);
}

static void test_base58check(void **state)
{
	(void)state;
	uint8_t p[21], got[32];
	char s[64];
	size_t w;

	assert_true(wallet_hex_decode_exact(p, 21, "00a31c06bd463e3923bc1aadbde48b16976c080717"));
	assert_int_equal(wallet_base58check_encode(s, sizeof s, &w, p, 21), KB_OK);
	assert_string_equal(s, "1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo");
	assert_int_equal(wallet_base58check_decode(got, sizeof got, &w, s, strlen(s)), KB_OK);
	assert_int_equal(w, 21);
	assert_memory_equal(got, p, 21);
	/* one changed character is a checksum error; output stays zero */
	s[5] = s[5] == 'a' ? 'b' : 'a';
	assert_int_equal(wallet_base58check_decode(got, sizeof got, &w, s, strlen(s)), KB_ECHECKSUM);
	assert_int_equal(w, 0);
	assert_int_equal(got[1], 0);
	/* fewer than four bytes cannot hold a checksum */
	assert_int_equal(wallet_base58check_decode(got, sizeof got, &w, "2g", 2), KB_EPARSE);
	assert_int_equal(wallet_base58check_decode(got, sizeof got, &w, "", 0), KB_EPARSE);
	/* payload too big for the output */
	assert_int_equal(wallet_base58check_decode(got, 20, &w, "1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo", 34), KB_ELIMIT);
	/* payload limit + 1 */
	uint8_t big[WALLET_BASE58_MAX_BYTES - 3];
	char out[WALLET_BASE58_ENCODED_MAX(WALLET_BASE58_MAX_BYTES)];
	memset(big, 1, sizeof big);
	assert_int_equal(wallet_base58check_encode(out, sizeof out, &w, big, sizeof big), KB_ELIMIT);
	assert_int_equal(wallet_base58check_encode(out, sizeof out, &w, big, sizeof big - 1), KB_OK);
	/* the empty payload has a checksum too */
	assert_int_equal(wallet_base58check_encode(s, sizeof s, &w, big, 0), KB_OK);
	assert_int_equal(wallet_base58check_decode(got, sizeof got, &w, s, strlen(s)), KB_OK);
	assert_int_equal(w, 0);
}

static void test_base58_roundtrip(void **state)
{
	(void)state;
	uint32_t seed = 0x6b6f6261, x = seed; /* xorshift32; fixed seed */
	printf("base58 round trip seed 0x%08x\n", seed);
	for (int iter = 0; iter < 500; iter++) {
		uint8_t in[80], back[80];
		char s[WALLET_BASE58_ENCODED_MAX(80)];
		size_t n, w, sl;
		x ^= x << 13; x ^= x >> 17; x ^= x << 5;
		n = x % 80;
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13; x ^= x >> 17; x ^= x << 5;
			in[i] = (i < (x & 3)) ? 0 : (uint8_t)x; /* some leading zeros */
		}
		assert_int_equal(wallet_base58_encode(s, sizeof s, &sl, in, n), KB_OK);
		assert_int_equal(wallet_base58_decode(back, sizeof back, &w, s, sl), KB_OK);
		assert_int_equal(w, n);
		if (n)
			assert_memory_equal(back, in, n);
	}
}

static void test_base64(void **state)
{
	(void)state;
	static const char *const rfc[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	char s[16];
	uint8_t b[16];
	size_t w;
	for (size_t i = 0; i < sizeof rfc / sizeof rfc[0]; i++) {
		size_t n = strlen(rfc[i][0]);
		assert_int_equal(wallet_base64_encoded_len(n), strlen(rfc[i][1]) + 1);
		assert_int_equal(wallet_base64_encode(s, sizeof s, (const uint8_t *)rfc[i][0], n), KB_OK);
		assert_string_equal(s, rfc[i][1]);
		assert_int_equal(wallet_base64_decode(b, sizeof b, &w, rfc[i][1], strlen(rfc[i][1])), KB_OK);
		assert_int_equal(w, n);
		assert_memory_equal(b, rfc[i][0], n);
	}
	/* short buffers */
	assert_int_equal(wallet_base64_encode(s, 4, (const uint8_t *)"f", 1), KB_ELIMIT);
	assert_string_equal(s, "");
	assert_int_equal(wallet_base64_encode(s, 5, (const uint8_t *)"f", 1), KB_OK);
	assert_int_equal(wallet_base64_decode(b, 2, &w, "Zm9v", 4), KB_ELIMIT);
	assert_int_equal(w, 0);
	assert_int_equal(wallet_base64_decode(b, 3, &w, "Zm9v", 4), KB_OK);
	assert_int_equal(wallet_base64_decode(b, 1, &w, "Zg==", 4), KB_OK);
	assert_int_equal(wallet_base64_decoded_maxlen(8), 6);
	/* strict: padding, length, alphabet, trailing bits, no whitespace */
	static const char *const bad[] = {
		"Zg", "Zg=", "Zg===", "Zh==", "Zm9=", "====", "Zg==Zg==", "Zm9v\n", "Zm 9v",
		"Zm9-", "Zm9_", "Z\x80==",
		"Zm\xd8\xd8", "Zm9\xab", /* libsodium alone takes 0xd8 for '/' (signed char) */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		w = 5;
		assert_int_not_equal(wallet_base64_decode(b, sizeof b, &w, bad[i], strlen(bad[i])), KB_OK);
		assert_int_equal(w, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base58_misuse),
		cmocka_unit_test(test_base58check),
		cmocka_unit_test(test_base58_roundtrip),
		cmocka_unit_test(test_base64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
