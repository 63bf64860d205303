/*
 * wallet/sign: refusals first, then low-R grinding, determinism, high-S
 * verification and taproot key-path signing. Keys live in secret memory
 * as in the wallet. Message hashes come from a counter, not randomness.
 */
#include "tests/support/testsupport.h"

#include "wallet/hex.h"
#include "wallet/mem.h"
#include "wallet/secp.h"
#include "wallet/sighash.h"
#include "wallet/sign.h"

#include <secp256k1_extrakeys.h>
#include <string.h>

/* the group order n */
static const char *ORDER = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

static uint8_t *secret_key(const char *hex)
{
	uint8_t *k = kb_secret_alloc(32);
	assert_true(wallet_hex_decode_exact(k, 32, hex));
	return k;
}

static void msg_of(struct hash256 *h, uint32_t i)
{
	uint8_t b[4] = { (uint8_t)i, (uint8_t)(i >> 8), (uint8_t)(i >> 16), (uint8_t)(i >> 24) };
	wallet_hash_sha256(h->b, b, 4);
}

static void pubkey_of(uint8_t pub[33], const uint8_t *key)
{
	secp256k1_pubkey pk;
	size_t n = 33;
	assert_true(secp256k1_ec_pubkey_create(wallet_secp(), &pk, key));
	assert_true(secp256k1_ec_pubkey_serialize(wallet_secp(), pub, &n, &pk, SECP256K1_EC_COMPRESSED));
}

static void test_ecdsa_refusals(void **state)
{
	(void)state;
	uint8_t sig[WALLET_SIGN_ECDSA_MAX];
	size_t siglen = 99;
	struct hash256 h;
	msg_of(&h, 1);
	uint8_t *zero = secret_key("0000000000000000000000000000000000000000000000000000000000000000");
	uint8_t *order = secret_key(ORDER);
	uint8_t *good = secret_key("0000000000000000000000000000000000000000000000000000000000000001");
	memset(sig, 0x55, sizeof sig);
	assert_int_equal(wallet_sign_ecdsa(sig, &siglen, zero, &h, 0x01), KB_EINVAL);
	assert_int_equal(siglen, 0);
	static const uint8_t z[WALLET_SIGN_ECDSA_MAX];
	assert_memory_equal(sig, z, sizeof sig);
	assert_int_equal(wallet_sign_ecdsa(sig, &siglen, order, &h, 0x01), KB_EINVAL);
	static const uint8_t bad_types[] = { 0x00, 0x04, 0x80, 0x84, 0x41, 0xff };
	for (size_t i = 0; i < sizeof bad_types; i++) {
		assert_int_equal(wallet_sign_ecdsa(sig, &siglen, good, &h, bad_types[i]), KB_EINVAL);
		assert_int_equal(siglen, 0);
	}
	static const uint8_t good_types[] = { 0x01, 0x02, 0x03, 0x81, 0x82, 0x83 };
	for (size_t i = 0; i < sizeof good_types; i++) {
		assert_int_equal(wallet_sign_ecdsa(sig, &siglen, good, &h, good_types[i]), KB_OK);
		assert_int_equal(sig[siglen - 1], good_types[i]);
	}
	/* verification refuses malformed input */
	uint8_t pub[33];
	pubkey_of(pub, good);
	assert_int_equal(wallet_sign_ecdsa(sig, &siglen, good, &h, 0x01), KB_OK);
	assert_true(wallet_sign_ecdsa_verify(pub, 33, &h, sig, siglen - 1));
	assert_false(wallet_sign_ecdsa_verify(pub, 32, &h, sig, siglen - 1));
	assert_false(wallet_sign_ecdsa_verify(pub, 33, &h, sig, siglen));      /* with type byte */
	assert_false(wallet_sign_ecdsa_verify(pub, 33, &h, sig, siglen - 2));  /* truncated */
	assert_false(wallet_sign_ecdsa_verify(NULL, 33, &h, sig, siglen - 1));
	assert_false(wallet_sign_ecdsa_verify(pub, 33, &h, NULL, 0));
	uint8_t badpub[33];
	memcpy(badpub, pub, 33);
	badpub[0] = 0x05;
	assert_false(wallet_sign_ecdsa_verify(badpub, 33, &h, sig, siglen - 1));
	struct hash256 other;
	msg_of(&other, 2);
	assert_false(wallet_sign_ecdsa_verify(pub, 33, &other, sig, siglen - 1));
	kb_secret_free(zero);
	kb_secret_free(order);
	kb_secret_free(good);
}

static void test_ecdsa_low_r(void **state)
{
	(void)state;
	uint8_t *key = secret_key("619c335025c7f4012e556c2a58b2506e30b8511b53ade95ea316fd8c3286feb9");
	uint8_t pub[33];
	pubkey_of(pub, key);
	const secp256k1_context *ctx = wallet_secp();
	int ground = 0;
	for (uint32_t i = 0; i < 256; i++) {
		struct hash256 h;
		msg_of(&h, i);
		uint8_t sig[WALLET_SIGN_ECDSA_MAX], again[WALLET_SIGN_ECDSA_MAX];
		size_t n, n2;
		assert_int_equal(wallet_sign_ecdsa(sig, &n, key, &h, 0x01), KB_OK);
		/* low R: at most 70 DER bytes, R's first byte below 0x80 */
		assert_true(n <= WALLET_SIGN_ECDSA_LOWR_MAX);
		assert_true(sig[3] <= 32 && sig[4] < 0x80);
		assert_true(wallet_sign_ecdsa_verify(pub, 33, &h, sig, n - 1));
		/* deterministic */
		assert_int_equal(wallet_sign_ecdsa(again, &n2, key, &h, 0x01), KB_OK);
		assert_int_equal(n, n2);
		assert_memory_equal(sig, again, n);
		/* low S */
		secp256k1_ecdsa_signature s, norm;
		assert_true(secp256k1_ecdsa_signature_parse_der(ctx, &s, sig, n - 1));
		assert_false(secp256k1_ecdsa_signature_normalize(ctx, &norm, &s));
		/* plain RFC6979 (no extra entropy): equal when its R was low */
		secp256k1_ecdsa_signature plain;
		uint8_t der[72];
		size_t dn = sizeof der;
		assert_true(secp256k1_ecdsa_sign(ctx, &plain, h.b, key, NULL, NULL));
		assert_true(secp256k1_ecdsa_signature_serialize_der(ctx, der, &dn, &plain));
		if (der[3] <= 32 && der[4] < 0x80) {
			assert_int_equal(dn, n - 1);
			assert_memory_equal(der, sig, dn);
		} else {
			ground++;
		}
	}
	/* about half the first tries have a high R */
	assert_true(ground > 64 && ground < 192);
	kb_secret_free(key);
}

/*
 * Bitcoin Core's key_tests "deterministic signing": key1 (WIF
 * 5HxWvvfubhXpYYpS3tJkw6fq9jE9j18THftkZjHHfmFiWtmAbrj) signs
 * Hash("Very deterministic message") to exactly this (grinding on).
 */
static void test_ecdsa_core_known_answer(void **state)
{
	(void)state;
	uint8_t *key = secret_key("12b004fff7f4b69ef8650e767f18f11ede158148b425660723b9f9a66e61f747");
	static const char msg[] = "Very deterministic message";
	struct hash256 h;
	wallet_hash_sha256d(h.b, msg, sizeof msg - 1);
	uint8_t sig[WALLET_SIGN_ECDSA_MAX];
	size_t n;
	assert_int_equal(wallet_sign_ecdsa(sig, &n, key, &h, 0x01), KB_OK);
	char hex[2 * WALLET_SIGN_ECDSA_MAX + 1];
	wallet_hex_encode(hex, sizeof hex, sig, n - 1);
	assert_string_equal(hex, "304402205dbbddda71772d95ce91cd2d14b592cfbc1dd0aabd6a394b6c2d377bbe59d31d"
	                         "022014ddda21494a4e221f0824f0b8b924c43fa43c0ad57dccdaa11f81a6bd4582f6");
	kb_secret_free(key);
}

static void test_ecdsa_high_s_verifies(void **state)
{
	(void)state;
	uint8_t *key = secret_key("b8f28a772fccbf9b4f58a4f027e07dc2e35e7cd80529975e292ea34f84c4580c");
	uint8_t pub[33];
	pubkey_of(pub, key);
	struct hash256 h;
	msg_of(&h, 7);
	uint8_t sig[WALLET_SIGN_ECDSA_MAX];
	size_t n;
	assert_int_equal(wallet_sign_ecdsa(sig, &n, key, &h, 0x01), KB_OK);
	const secp256k1_context *ctx = wallet_secp();
	secp256k1_ecdsa_signature s;
	uint8_t compact[64];
	assert_true(secp256k1_ecdsa_signature_parse_der(ctx, &s, sig, n - 1));
	assert_true(secp256k1_ecdsa_signature_serialize_compact(ctx, compact, &s));
	/* s -> n - s */
	assert_true(secp256k1_ec_seckey_negate(ctx, compact + 32));
	assert_true(secp256k1_ecdsa_signature_parse_compact(ctx, &s, compact));
	uint8_t der[72];
	size_t dn = sizeof der;
	assert_true(secp256k1_ecdsa_signature_serialize_der(ctx, der, &dn, &s));
	assert_true(wallet_sign_ecdsa_verify(pub, 33, &h, der, dn));
	/* non-strict DER (a padded length) is refused */
	uint8_t loose[80];
	loose[0] = 0x30;
	loose[1] = 0x81;
	loose[2] = der[1];
	memcpy(loose + 3, der + 2, dn - 2);
	assert_false(wallet_sign_ecdsa_verify(pub, 33, &h, loose, dn + 1));
	kb_secret_free(key);
}

static void test_schnorr_refusals(void **state)
{
	(void)state;
	uint8_t sig[WALLET_SIGN_SCHNORR_MAX];
	size_t n = 5;
	struct hash256 h;
	msg_of(&h, 3);
	static const uint8_t aux[32];
	uint8_t *zero = secret_key("0000000000000000000000000000000000000000000000000000000000000000");
	uint8_t *good = secret_key("6b973d88838f27366ed61c9ad6367663045cb456e28335c109e30717ae0c6baa");
	assert_int_equal(wallet_sign_schnorr_taproot(sig, &n, zero, NULL, &h, 0, aux), KB_EINVAL);
	assert_int_equal(n, 0);
	static const uint8_t bad_types[] = { 0x04, 0x80, 0x84, 0xff };
	for (size_t i = 0; i < sizeof bad_types; i++)
		assert_int_equal(wallet_sign_schnorr_taproot(sig, &n, good, NULL, &h, bad_types[i], aux),
		                 KB_EINVAL);
	static const uint8_t z[WALLET_SIGN_SCHNORR_MAX];
	assert_memory_equal(sig, z, sizeof sig);
	/* an x coordinate that is not on the curve (or not below p) */
	uint8_t q[32], bad[32];
	int parity = 7;
	memset(bad, 0xff, sizeof bad);
	assert_int_equal(wallet_sign_taproot_output_key(q, &parity, bad, NULL), KB_EINVAL);
	static const uint8_t zq[32];
	assert_memory_equal(q, zq, 32);
	assert_int_equal(parity, 0);
	memset(bad, 0, sizeof bad);
	bad[31] = 5; /* x = 5 is not on secp256k1 */
	assert_int_equal(wallet_sign_taproot_output_key(q, NULL, bad, NULL), KB_EINVAL);
	assert_false(wallet_sign_schnorr_verify(bad, &h, z));
	kb_secret_free(zero);
	kb_secret_free(good);
}

static void test_schnorr_taproot(void **state)
{
	(void)state;
	const secp256k1_context *ctx = wallet_secp();
	uint8_t *key = secret_key("6b973d88838f27366ed61c9ad6367663045cb456e28335c109e30717ae0c6baa");
	secp256k1_keypair kp;
	secp256k1_xonly_pubkey xp;
	uint8_t internal[32];
	assert_true(secp256k1_keypair_create(ctx, &kp, key));
	assert_true(secp256k1_keypair_xonly_pub(ctx, &xp, NULL, &kp));
	assert_true(secp256k1_xonly_pubkey_serialize(ctx, internal, &xp));
	kb_wipe(&kp, sizeof kp);

	struct hash256 root, h;
	static const uint8_t script[] = { 0x51 };
	wallet_sighash_tapleaf(&root, WALLET_TAPLEAF_TAPSCRIPT, script, 1);
	msg_of(&h, 9);
	for (int with_root = 0; with_root < 2; with_root++) {
		const struct hash256 *mr = with_root ? &root : NULL;
		uint8_t q[32];
		int parity;
		assert_int_equal(wallet_sign_taproot_output_key(q, &parity, internal, mr), KB_OK);
		assert_true(parity == 0 || parity == 1);
		uint8_t s1[WALLET_SIGN_SCHNORR_MAX], s2[WALLET_SIGN_SCHNORR_MAX];
		size_t n1, n2;
		static const uint8_t aux[32] = { 1 };
		/* default type: 64 bytes; others: 65 with the type */
		assert_int_equal(wallet_sign_schnorr_taproot(s1, &n1, key, mr, &h, 0x00, aux), KB_OK);
		assert_int_equal(n1, 64);
		assert_true(wallet_sign_schnorr_verify(q, &h, s1));
		assert_false(wallet_sign_schnorr_verify(internal, &h, s1)); /* not the internal key */
		assert_int_equal(wallet_sign_schnorr_taproot(s2, &n2, key, mr, &h, 0x83, aux), KB_OK);
		assert_int_equal(n2, 65);
		assert_int_equal(s2[64], 0x83);
		assert_true(wallet_sign_schnorr_verify(q, &h, s2));
		/* same aux: same signature; fresh randomness: different, still valid */
		assert_memory_equal(s1, s2, 64);
		assert_int_equal(wallet_sign_schnorr_taproot(s2, &n2, key, mr, &h, 0x00, NULL), KB_OK);
		assert_memory_not_equal(s1, s2, 64);
		assert_true(wallet_sign_schnorr_verify(q, &h, s2));
		struct hash256 other;
		msg_of(&other, 10);
		assert_false(wallet_sign_schnorr_verify(q, &other, s2));
	}
	kb_secret_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ecdsa_refusals),
		cmocka_unit_test(test_ecdsa_low_r),
		cmocka_unit_test(test_ecdsa_core_known_answer),
		cmocka_unit_test(test_ecdsa_high_s_verifies),
		cmocka_unit_test(test_schnorr_refusals),
		cmocka_unit_test(test_schnorr_taproot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
