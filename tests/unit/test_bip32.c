/* BIP32: misuse and boundaries first (paths, lengths, depth), then behaviour. */
#include "tests/support/testsupport.h"

#include "wallet/base58.h"
#include "wallet/bip32.h"
#include "wallet/hex.h"
#include "wallet/mem.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* BIP32 test vector 1 */
static const uint8_t seed1[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
static const char xpub1[] =
	"xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8";
static const char xprv1[] =
	"xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi";

static void test_path_misuse(void **state)
{
	(void)state;
	struct wallet_bip32_path p;
	char err[128];
	static const char *const bad[] = {
		"", "m/", "m//0", "m/0/", "/0", "M/0", "x/0", "m0", "m/0''", "m/0'h", "m/ 0", "m/0 ", " m/0",
		"m/-1", "m/+1", "m/2147483648", "m/2147483648'", "m/4294967296", "m/99999999999", "m/0x10",
		"m/0/a", "m/1'/*", "mm", "m/0\xe2\x80\xb2", "m/0'/", "0//1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		p.len = 7;
		assert_int_equal(wallet_bip32_path_parse(&p, bad[i], err, sizeof err), KB_EPARSE);
		assert_int_equal(p.len, 0);
		assert_true(err[0] != '\0');
	}
	/* err is optional */
	assert_int_equal(wallet_bip32_path_parse(&p, "m/x", NULL, 0), KB_EPARSE);
	/* depth 255 is the limit; 256 is over */
	char *s = kb_malloc(2 + 256 * 2 + 1);
	size_t n = 0;
	s[n++] = 'm';
	for (int i = 0; i < 255; i++) {
		s[n++] = '/';
		s[n++] = '1';
	}
	s[n] = '\0';
	assert_int_equal(wallet_bip32_path_parse(&p, s, err, sizeof err), KB_OK);
	assert_int_equal(p.len, 255);
	s[n++] = '/';
	s[n++] = '1';
	s[n] = '\0';
	assert_int_equal(wallet_bip32_path_parse(&p, s, err, sizeof err), KB_ELIMIT);
	assert_int_equal(p.len, 0);
	kb_free(s);
	/* the largest indices */
	assert_int_equal(wallet_bip32_path_parse(&p, "m/2147483647/2147483647'", err, sizeof err), KB_OK);
	assert_int_equal(p.index[0], 0x7fffffffu);
	assert_int_equal(p.index[1], 0xffffffffu);
	/* format: short buffers */
	char out[64];
	assert_int_equal(wallet_bip32_path_format(out, 0, &p), KB_ELIMIT);
	assert_int_equal(wallet_bip32_path_format(out, 1, &p), KB_ELIMIT);
	assert_int_equal(wallet_bip32_path_format(out, 10, &p), KB_ELIMIT);
	assert_string_equal(out, "");
}

static void test_path(void **state)
{
	(void)state;
	struct wallet_bip32_path p;
	char out[64];
	char err[128];
	static const struct { const char *in, *out; size_t len; } ok[] = {
		{ "m", "m", 0 },
		{ "m/84'/0'/0'/0/5", "m/84'/0'/0'/0/5", 5 },
		{ "m/86h/1h/0h", "m/86'/1'/0'", 3 },
		{ "m/86H/1H/0H", "m/86'/1'/0'", 3 },
		{ "84'/0'/0'", "m/84'/0'/0'", 3 },
		{ "0/5", "m/0/5", 2 },
		{ "m/007", "m/7", 1 },
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_int_equal(wallet_bip32_path_parse(&p, ok[i].in, err, sizeof err), KB_OK);
		assert_int_equal(p.len, ok[i].len);
		assert_int_equal(wallet_bip32_path_format(out, sizeof out, &p), KB_OK);
		assert_string_equal(out, ok[i].out);
	}
	assert_int_equal(wallet_bip32_path_parse(&p, "m/84'/0'/0'/0/5", err, sizeof err), KB_OK);
	assert_int_equal(p.index[0], 84 | WALLET_BIP32_HARDENED);
	assert_int_equal(p.index[4], 5);
}

static void test_key_misuse(void **state)
{
	(void)state;
	struct wallet_bip32_priv *k = (struct wallet_bip32_priv *)1;
	uint8_t seed[65] = { 1 };
	/* seed lengths 16..64 */
	assert_int_equal(wallet_bip32_priv_from_seed(&k, seed, 15), KB_EINVAL);
	assert_null(k);
	assert_int_equal(wallet_bip32_priv_from_seed(&k, seed, 65), KB_EINVAL);
	assert_null(k);
	assert_int_equal(wallet_bip32_priv_from_seed(&k, seed, 0), KB_EINVAL);
	assert_int_equal(wallet_bip32_priv_from_seed(&k, seed, 16), KB_OK);
	wallet_bip32_priv_free(k);
	assert_int_equal(wallet_bip32_priv_from_seed(&k, seed, 64), KB_OK);
	wallet_bip32_priv_free(k);
	wallet_bip32_priv_free(NULL);

	/* public derivation: hardened refused, a bad parent key refused */
	struct wallet_bip32_pub pub, c;
	assert_int_equal(wallet_bip32_parse(&pub, NULL, NULL, xpub1, NULL, 0), KB_OK);
	memset(&c, 0xaa, sizeof c);
	assert_int_equal(wallet_bip32_pub_child(&c, &pub, WALLET_BIP32_HARDENED), KB_EINVAL);
	assert_int_equal(c.depth, 0);
	assert_int_equal(c.key[0], 0);
	struct wallet_bip32_pub bad = pub;
	bad.key[0] = 4;
	assert_int_equal(wallet_bip32_pub_child(&c, &bad, 0), KB_EPARSE);
	memset(bad.key + 1, 0, 32); /* x = 0 is not on the curve */
	bad.key[0] = 2;
	assert_int_equal(wallet_bip32_pub_child(&c, &bad, 0), KB_EPARSE);

	/* depth 255 is the last */
	struct wallet_bip32_pub deep = pub;
	deep.depth = 254;
	assert_int_equal(wallet_bip32_pub_child(&c, &deep, 1), KB_OK);
	assert_int_equal(c.depth, 255);
	deep = c;
	assert_int_equal(wallet_bip32_pub_child(&c, &deep, 1), KB_ELIMIT);
	struct wallet_bip32_path p;
	assert_int_equal(wallet_bip32_path_parse(&p, "m/1/2", NULL, 0), KB_OK);
	deep.depth = 254;
	assert_int_equal(wallet_bip32_pub_derive(&c, &deep, &p), KB_ELIMIT);
	assert_int_equal(wallet_bip32_path_parse(&p, "m/1", NULL, 0), KB_OK);
	assert_int_equal(wallet_bip32_pub_derive(&c, &deep, &p), KB_OK);

	/* private: a path deeper than 255 in total */
	struct wallet_bip32_priv *m = NULL, *d = (struct wallet_bip32_priv *)1;
	assert_int_equal(wallet_bip32_priv_from_seed(&m, seed1, sizeof seed1), KB_OK);
	p.len = 255;
	for (size_t i = 0; i < p.len; i++)
		p.index[i] = (uint32_t)i;
	assert_int_equal(wallet_bip32_priv_derive(&d, m, &p), KB_OK);
	struct wallet_bip32_pub dp;
	wallet_bip32_priv_to_pub(&dp, d);
	assert_int_equal(dp.depth, 255);
	struct wallet_bip32_priv *e = (struct wallet_bip32_priv *)1;
	assert_int_equal(wallet_bip32_priv_child(&e, d, 0), KB_ELIMIT);
	assert_null(e);
	wallet_bip32_priv_free(d);
	/* an empty path is a copy */
	p.len = 0;
	assert_int_equal(wallet_bip32_priv_derive(&d, m, &p), KB_OK);
	assert_memory_equal(wallet_bip32_priv_seckey(d), wallet_bip32_priv_seckey(m), 32);
	wallet_bip32_priv_free(d);
	wallet_bip32_priv_free(m);
}

static void test_parse_misuse(void **state)
{
	(void)state;
	struct wallet_bip32_pub pub;
	struct wallet_bip32_priv *priv = (struct wallet_bip32_priv *)1;
	struct wallet_bip32_info info;
	char err[160];
	uint8_t raw[WALLET_BIP32_SERIALIZED_LEN + 1];

	/* empty, junk, too long, whitespace */
	assert_int_equal(wallet_bip32_parse(&pub, &priv, &info, "", err, sizeof err), KB_EPARSE);
	assert_null(priv);
	assert_int_equal(wallet_bip32_parse(&pub, &priv, &info, "0OIl", err, sizeof err), KB_EPARSE);
	char longs[260];
	memset(longs, 'z', sizeof longs - 1);
	longs[sizeof longs - 1] = '\0';
	assert_int_equal(wallet_bip32_parse(&pub, &priv, &info, longs, err, sizeof err), KB_EPARSE);
	char spaced[sizeof xpub1 + 1];
	snprintf(spaced, sizeof spaced, "%s ", xpub1);
	assert_int_equal(wallet_bip32_parse(&pub, &priv, &info, spaced, err, sizeof err), KB_EPARSE);
	/* a valid Base58Check payload of the wrong length */
	char text[WALLET_BIP32_STR_MAX + 8];
	memset(raw, 0, sizeof raw);
	assert_int_equal(wallet_base58check_encode(text, sizeof text, NULL, raw, 77), KB_OK);
	assert_int_equal(wallet_bip32_parse(&pub, &priv, &info, text, err, sizeof err), KB_EPARSE);
	assert_int_equal(wallet_base58check_encode(text, sizeof text, NULL, raw, 79), KB_OK);
	assert_int_equal(wallet_bip32_parse(&pub, &priv, &info, text, err, sizeof err), KB_EPARSE);
	/* raw: wrong lengths */
	assert_int_equal(wallet_bip32_parse_raw(&pub, &priv, &info, raw, 0, err, sizeof err), KB_EPARSE);
	assert_int_equal(wallet_bip32_parse_raw(&pub, &priv, &info, raw, 77, err, sizeof err), KB_EPARSE);
	assert_int_equal(wallet_bip32_parse_raw(&pub, &priv, &info, raw, 79, err, sizeof err), KB_EPARSE);
	/* an xprv where a public key is wanted */
	memset(&pub, 0xaa, sizeof pub);
	assert_int_equal(wallet_bip32_parse(&pub, NULL, &info, xprv1, err, sizeof err), KB_EINVAL);
	assert_int_equal(pub.depth, 0);
	assert_int_equal(info.version, 0);
	printf("  %s\n", err);
	/* an xpub with priv given: *priv is NULL */
	priv = (struct wallet_bip32_priv *)1;
	assert_int_equal(wallet_bip32_parse(&pub, &priv, &info, xpub1, NULL, 0), KB_OK);
	assert_null(priv);
	/* short text buffers */
	char small[20];
	assert_int_equal(wallet_bip32_pub_serialize(small, sizeof small, &pub, KB_NET_MAIN), KB_ELIMIT);
	assert_string_equal(small, "");
	assert_int_equal(wallet_bip32_pub_serialize(text, sizeof text, &pub, (enum kb_net)9), KB_EINVAL);
	struct wallet_bip32_priv *m = NULL;
	assert_int_equal(wallet_bip32_priv_from_seed(&m, seed1, sizeof seed1), KB_OK);
	char *secret = kb_secret_alloc(WALLET_BIP32_STR_MAX);
	memset(secret, 'x', WALLET_BIP32_STR_MAX);
	assert_int_equal(wallet_bip32_priv_serialize(secret, 111, m, KB_NET_MAIN), KB_ELIMIT);
	for (size_t i = 0; i < 111; i++)
		assert_int_equal(secret[i], 0);
	assert_int_equal(wallet_bip32_priv_serialize(secret, 112, m, KB_NET_MAIN), KB_OK);
	assert_string_equal(secret, xprv1);
	kb_secret_free(secret);
	wallet_bip32_priv_free(m);
}

static void test_networks_and_fingerprint(void **state)
{
	(void)state;
	struct wallet_bip32_pub pub, tpub_parsed;
	struct wallet_bip32_priv *m = NULL, *tp = NULL;
	struct wallet_bip32_info info;
	char text[WALLET_BIP32_STR_MAX];
	uint8_t fpr[4];

	assert_int_equal(wallet_bip32_priv_from_seed(&m, seed1, sizeof seed1), KB_OK);
	wallet_bip32_priv_to_pub(&pub, m);
	wallet_bip32_fingerprint(fpr, &pub);
	uint8_t want[4] = { 0x34, 0x42, 0x19, 0x3e };
	assert_memory_equal(fpr, want, 4);
	/* m/0' has parent fingerprint 3442193e */
	struct wallet_bip32_priv *c = NULL;
	assert_int_equal(wallet_bip32_priv_child(&c, m, WALLET_BIP32_HARDENED), KB_OK);
	struct wallet_bip32_pub cp;
	wallet_bip32_priv_to_pub(&cp, c);
	assert_memory_equal(cp.parent_fpr, want, 4);
	assert_int_equal(cp.child, WALLET_BIP32_HARDENED);
	wallet_bip32_priv_free(c);

	/* every test network writes tpub/tprv and the parse says "test family" */
	for (int n = KB_NET_TEST3; n < KB_NET_COUNT; n++) {
		assert_int_equal(wallet_bip32_pub_serialize(text, sizeof text, &pub, (enum kb_net)n), KB_OK);
		assert_memory_equal(text, "tpub", 4);
		assert_int_equal(wallet_bip32_parse(&tpub_parsed, NULL, &info, text, NULL, 0), KB_OK);
		assert_true(info.is_test);
		assert_int_equal(info.net, KB_NET_TEST3);
		assert_string_equal(wallet_bip32_info_name(&info), "tpub");
		for (int k = 0; k < KB_NET_COUNT; k++)
			assert_int_equal(wallet_bip32_info_matches(&info, (enum kb_net)k), k != KB_NET_MAIN);
		assert_false(wallet_bip32_info_matches(&info, (enum kb_net)KB_NET_COUNT));
		char *sec = kb_secret_alloc(WALLET_BIP32_STR_MAX);
		assert_int_equal(wallet_bip32_priv_serialize(sec, WALLET_BIP32_STR_MAX, m, (enum kb_net)n), KB_OK);
		assert_memory_equal(sec, "tprv", 4);
		assert_int_equal(wallet_bip32_parse(&tpub_parsed, &tp, &info, sec, NULL, 0), KB_OK);
		assert_non_null(tp);
		assert_true(info.is_private && info.is_test);
		assert_int_equal(sodium_memcmp(wallet_bip32_priv_seckey(tp), wallet_bip32_priv_seckey(m), 32), 0);
		wallet_bip32_priv_free(tp);
		kb_secret_free(sec);
	}
	/* dup is an independent copy */
	struct wallet_bip32_priv *d = wallet_bip32_priv_dup(m);
	wallet_bip32_priv_free(m);
	struct wallet_bip32_pub dpub;
	wallet_bip32_priv_to_pub(&dpub, d);
	assert_memory_equal(dpub.key, pub.key, 33);
	wallet_bip32_priv_free(d);
	/* raw serialisation is 78 bytes, parse of it gives the key back */
	uint8_t raw[WALLET_BIP32_SERIALIZED_LEN];
	wallet_bip32_pub_serialize_raw(raw, &pub, 0x0488b21e);
	struct wallet_bip32_pub back;
	assert_int_equal(wallet_bip32_parse_raw(&back, NULL, &info, raw, sizeof raw, NULL, 0), KB_OK);
	assert_memory_equal(&back.key, &pub.key, 33);
	assert_memory_equal(&back.chain, &pub.chain, 32);
}

static void test_taproot(void **state)
{
	(void)state;
	uint8_t out[32], x[32];
	int parity = 7;
	/* BIP86 m/86'/0'/0'/0/0 */
	assert_true(wallet_hex_decode_exact(x, 32, "cc8a4bc64d897bddc5fbc2f670f7a8ba0b386779106cf1223c6fc5d7cd6fc115"));
	assert_int_equal(wallet_bip32_taproot_output_key(out, &parity, x, NULL), KB_OK);
	char h[65];
	wallet_hex_encode(h, sizeof h, out, 32);
	assert_string_equal(h, "a60869f0dbcf1dc659c9cecbaf8050135ea9e8cdc487053f1dc6880949dc684c");
	assert_true(parity == 0 || parity == 1);
	/* with a merkle root the key differs */
	uint8_t root[32] = { 1 }, out2[32];
	assert_int_equal(wallet_bip32_taproot_output_key(out2, NULL, x, root), KB_OK);
	assert_memory_not_equal(out, out2, 32);
	/* not an x coordinate on the curve: x = 0, and x >= p */
	memset(x, 0, 32);
	memset(out, 0xaa, 32);
	assert_int_equal(wallet_bip32_taproot_output_key(out, &parity, x, NULL), KB_EPARSE);
	assert_int_equal(parity, 0);
	for (int i = 0; i < 32; i++)
		assert_int_equal(out[i], 0);
	memset(x, 0xff, 32);
	assert_int_equal(wallet_bip32_taproot_output_key(out, NULL, x, NULL), KB_EPARSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_misuse),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_key_misuse),
		cmocka_unit_test(test_parse_misuse),
		cmocka_unit_test(test_networks_and_fingerprint),
		cmocka_unit_test(test_taproot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
