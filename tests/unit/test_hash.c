#include "tests/support/testsupport.h"

#include "wallet/hash.h"
#include "wallet/hex.h"
#include "wallet/mem.h"

#include <string.h>

static void check(const void *got, size_t n, const char *want)
{
	char *h = wallet_hex_new(got, n);
	assert_string_equal(h, want);
	kb_free(h);
}

static void test_ripemd160_published(void **state)
{
	(void)state;
	/* The test strings from the RIPEMD-160 paper's appendix. */
	static const struct { const char *in; const char *out; } v[] = {
		{ "", "9c1185a5c5e9fc54612808977ee8f548b2258d31" },
		{ "a", "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe" },
		{ "abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc" },
		{ "message digest", "5d0689ef49d2fae572b881b123a85ffa21595f36" },
		{ "abcdefghijklmnopqrstuvwxyz", "f71c27109c692c1b56bbdceb5b9d2865b3708dbc" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "12a053384a9c0c88e405a06c27dcf49ada62eb2b" },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
		  "b0e20b6e3116640286ed3a87a5713079b21f5189" },
		{ "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
		  "9b752e45573d4b39f4dbd3323cab82bf63326bfb" },
	};
	uint8_t out[20];
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		wallet_hash_ripemd160(out, v[i].in, strlen(v[i].in));
		check(out, 20, v[i].out);
	}
	/* a million 'a': many blocks */
	char *m = kb_malloc(1000000);
	memset(m, 'a', 1000000);
	wallet_hash_ripemd160(out, m, 1000000);
	check(out, 20, "52783243c1697bdbe16d37f97f68f08325dc1528");
	kb_free(m);
	/* every padding boundary 0..130 is at least self-consistent in length */
	uint8_t buf[130] = { 0 };
	for (size_t n = 0; n <= sizeof buf; n++)
		wallet_hash_ripemd160(out, buf, n);
}

static void test_sha_family(void **state)
{
	(void)state;
	uint8_t out[64];
	wallet_hash_sha256(out, "abc", 3);
	check(out, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	wallet_hash_sha256d(out, "", 0);
	check(out, 32, "5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456");
	wallet_hash_sha512(out, "abc", 3);
	check(out, 64, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	               "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
	/* HASH160 of the generator point's compressed encoding */
	size_t n;
	uint8_t *g = ts_unhex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", &n);
	wallet_hash_hash160(out, g, n);
	check(out, 20, "751e76e8199196d454941c45d1b3a323f1433bd6");
	kb_free(g);
}

static void test_hmac_pbkdf2(void **state)
{
	(void)state;
	uint8_t out[64], key[20];
	memset(key, 0x0b, sizeof key);
	/* RFC 4231 test case 1 */
	wallet_hash_hmac_sha512(out, key, 20, "Hi There", 8);
	check(out, 64, "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	               "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
	wallet_hash_hmac_sha256(out, key, 20, "Hi There", 8);
	check(out, 32, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	/* RFC 4231 test case 6: a key longer than the block */
	uint8_t big[131];
	memset(big, 0xaa, sizeof big);
	const char *msg = "Test Using Larger Than Block-Size Key - Hash Key First";
	wallet_hash_hmac_sha512(out, big, sizeof big, msg, strlen(msg));
	check(out, 64, "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	               "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598");
	/* PBKDF2-HMAC-SHA512, "password"/"salt" */
	wallet_hash_pbkdf2_sha512(out, 64, "password", 8, "salt", 4, 1);
	check(out, 64, "867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252"
	               "c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce");
	wallet_hash_pbkdf2_sha512(out, 64, "password", 8, "salt", 4, 2);
	check(out, 64, "e1d9c16aa681708a45f5c7c4e215ceb66e011a2e9f0040713f18aefdb866d53c"
	               "f76cab2868a39b9f7840edce4fef5a82be67335c77a6068e04112754f27ccf4e");
}

static void test_tagged(void **state)
{
	(void)state;
	uint8_t a[32], b[32], th[32], cat[64 + 3];
	wallet_hash_tagged(a, "BIP0340/challenge", "xyz", 3);
	wallet_hash_sha256(th, "BIP0340/challenge", 17);
	memcpy(cat, th, 32);
	memcpy(cat + 32, th, 32);
	memcpy(cat + 64, "xyz", 3);
	wallet_hash_sha256(b, cat, sizeof cat);
	assert_memory_equal(a, b, 32);
	struct wallet_sha256 h;
	wallet_sha256_init_tagged(&h, "BIP0340/challenge");
	wallet_sha256_update(&h, "x", 1);
	wallet_sha256_update(&h, "yz", 2);
	wallet_sha256_final(&h, b);
	assert_memory_equal(a, b, 32);
	/* checksum4 is the first four bytes of sha256d, little-endian */
	uint8_t d[32];
	wallet_hash_sha256d(d, "abc", 3);
	uint32_t c = wallet_hash_checksum4("abc", 3);
	assert_int_equal(c & 0xff, d[0]);
	assert_int_equal(c >> 24, d[3]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ripemd160_published),
		cmocka_unit_test(test_sha_family),
		cmocka_unit_test(test_hmac_pbkdf2),
		cmocka_unit_test(test_tagged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
