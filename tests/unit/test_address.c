/* Addresses and WIF: misuse, every error sentence and code, networks. */
#include "tests/support/testsupport.h"

#include "wallet/address.h"
#include "wallet/base58.h"
#include "wallet/hex.h"
#include "wallet/mem.h"
#include "wallet/script.h"
#include "wallet/wif.h"

#include <string.h>

/* Decodes addr on net, expects rc and (when not OK) err containing each of want1/want2. */
static void dec(enum kb_net net, const char *addr, enum kb_rc rc, const char *want1,
                const char *want2)
{
	uint8_t spk[WALLET_SPK_MAX];
	size_t len = 77;
	char err[200] = "junk";
	enum kb_rc got = wallet_address_decode(spk, sizeof spk, &len, net, addr, err, sizeof err);
	if (got != rc)
		fail_msg("%s on %s: rc %d (%s), want %d", addr, kb_net_params(net)->name, got, err, rc);
	if (rc == KB_OK) {
		assert_string_equal(err, "");
		assert_true(len > 0);
		return;
	}
	assert_int_equal(len, 0);
	for (size_t i = 0; i < sizeof spk; i++)
		assert_int_equal(spk[i], 0);
	if (want1 && !strstr(err, want1))
		fail_msg("%s: error \"%s\" lacks \"%s\"", addr, err, want1);
	if (want2 && !strstr(err, want2))
		fail_msg("%s: error \"%s\" lacks \"%s\"", addr, err, want2);
}

static void test_encode_misuse(void **state)
{
	(void)state;
	uint8_t s[WALLET_SPK_MAX + 30], h[20] = { 0 };
	char out[WALLET_ADDRESS_MAX];
	size_t n;

	wallet_script_p2pkh(s, h);
	/* 1111111111111111111114oLvT2 is 27 characters: 28 bytes needed */
	assert_int_equal(wallet_address_encode(out, 27, KB_NET_MAIN, s, WALLET_SCRIPT_P2PKH_LEN), KB_ELIMIT);
	assert_string_equal(out, "");
	assert_int_equal(wallet_address_encode(out, 28, KB_NET_MAIN, s, WALLET_SCRIPT_P2PKH_LEN), KB_OK);
	assert_string_equal(out, "1111111111111111111114oLvT2");
	assert_int_equal(wallet_address_encode(out, sizeof out, KB_NET_MAIN, s, 24), KB_EUNSUPPORTED);
	assert_int_equal(wallet_address_encode(out, sizeof out, KB_NET_MAIN, s, 0), KB_EUNSUPPORTED);
	assert_int_equal(wallet_address_encode(out, 0, KB_NET_MAIN, s, 0), KB_EUNSUPPORTED);
	/* scripts with no address form */
	uint8_t key[33];
	memset(key, 0x11, sizeof key);
	key[0] = 0x02;
	assert_int_equal(wallet_script_p2pk(s, sizeof s, &n, key, 33), KB_OK);
	assert_int_equal(wallet_address_encode(out, sizeof out, KB_NET_MAIN, s, n), KB_EUNSUPPORTED);
	assert_int_equal(wallet_script_op_return(s, sizeof s, &n, key, 20), KB_OK);
	assert_int_equal(wallet_address_encode(out, sizeof out, KB_NET_MAIN, s, n), KB_EUNSUPPORTED);
	assert_int_equal(wallet_script_multisig(s, sizeof s, &n, 1, key, 1), KB_OK);
	assert_int_equal(wallet_address_encode(out, sizeof out, KB_NET_MAIN, s, n), KB_EUNSUPPORTED);
	const uint8_t v0bad[] = { 0x00, 0x03, 1, 2, 3 };
	assert_int_equal(wallet_address_encode(out, sizeof out, KB_NET_MAIN, v0bad, sizeof v0bad), KB_EUNSUPPORTED);
	/* the longest address fits WALLET_ADDRESS_MAX exactly */
	uint8_t prog[40] = { 0 };
	assert_int_equal(wallet_script_witness(s, sizeof s, &n, 16, prog, 40), KB_OK);
	assert_int_equal(n, WALLET_SPK_MAX);
	assert_int_equal(wallet_address_encode(out, sizeof out, KB_NET_REGTEST, s, n), KB_OK);
	assert_int_equal(strlen(out), 4 + 1 + 1 + 64 + 6);
	assert_int_equal(wallet_address_encode(out, strlen(out), KB_NET_REGTEST, s, n), KB_ELIMIT);
}

static void test_decode_misuse(void **state)
{
	(void)state;
	uint8_t spk[WALLET_SPK_MAX];
	size_t len = 5;
	char err[200], longs[200];

	dec(KB_NET_MAIN, "", KB_EPARSE, "empty", NULL);
	memset(longs, 'q', sizeof longs - 1);
	longs[sizeof longs - 1] = '\0';
	memcpy(longs, "bc1", 3);
	dec(KB_NET_MAIN, longs, KB_EPARSE, "too long", NULL);
	longs[91] = '\0';
	dec(KB_NET_MAIN, longs, KB_EPARSE, "too long", NULL);
	dec(KB_NET_MAIN, " 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", KB_EPARSE, "space", NULL);
	dec(KB_NET_MAIN, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2\n", KB_EPARSE, "space", NULL);
	dec(KB_NET_MAIN, "hello", KB_EPARSE, "not a Bitcoin address", NULL);
	dec(KB_NET_MAIN, "0000", KB_EPARSE, "not a Bitcoin address", NULL);
	/* spk_cap too small: nothing written */
	assert_int_equal(wallet_address_decode(spk, 24, &len, KB_NET_MAIN,
	                                       "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", err, sizeof err), KB_ELIMIT);
	assert_int_equal(len, 0);
	assert_int_equal(wallet_address_decode(spk, 21, &len, KB_NET_MAIN,
	                                       "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", err, sizeof err), KB_ELIMIT);
	assert_int_equal(len, 0);
	/* err may be NULL with errlen 0; a tiny err is truncated, still a string */
	assert_int_equal(wallet_address_decode(spk, sizeof spk, &len, KB_NET_MAIN, "x", NULL, 0), KB_EPARSE);
	assert_int_equal(wallet_address_decode(spk, sizeof spk, &len, KB_NET_MAIN, "x", err, 5), KB_EPARSE);
	assert_int_equal(strlen(err), 4);
}

static void test_decode_errors(void **state)
{
	(void)state;
	/* typos */
	dec(KB_NET_MAIN, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", KB_ECHECKSUM, "typo", "checksum");
	dec(KB_NET_MAIN, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", KB_ECHECKSUM, "typo", "checksum");
	dec(KB_NET_MAIN, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3tb", KB_EPARSE, "typo", NULL);
	/* a stray '1' in the data part is still a typo in a segwit address */
	dec(KB_NET_MAIN, "bc1qw508d6qejxtdg4y5r3zarvary0c51xw7kv8f3t4", KB_ECHECKSUM, "typo", "checksum");
	dec(KB_NET_MAIN, "BCRT1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", KB_ECHECKSUM, "typo", NULL);
	/* valid bech32 whose prefix only starts like ours */
	dec(KB_NET_MAIN, "bc1abc1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq667984", KB_EPARSE, "\"bc1abc\"",
	    "no Bitcoin network");
	/* bech32 vs bech32m, naming what each version needs */
	dec(KB_NET_MAIN, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", KB_ECHECKSUM, "version 0", "bech32m");
	dec(KB_NET_MAIN, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", KB_ECHECKSUM,
	    "must use the bech32m", "BIP350");
	/* witness version and program length */
	dec(KB_NET_MAIN, "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", KB_EPARSE,
	    "witness version", NULL);
	dec(KB_NET_MAIN, "bc1pw5dgrnzv", KB_EPARSE, "program length", NULL);
	dec(KB_NET_MAIN, "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", KB_EPARSE, "20 or 32", "16 bytes");
	dec(KB_NET_MAIN, "bc1gmk9yu", KB_EPARSE, "no witness version", NULL);
	dec(KB_NET_TEST3, "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j", KB_EPARSE,
	    "length", NULL);
	/* mixed case */
	dec(KB_NET_TEST3, "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7", KB_EPARSE,
	    "case", NULL);
	/* a foreign bech32 prefix */
	dec(KB_NET_MAIN, "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", KB_EPARSE, "\"tc\"", "no Bitcoin network");
	/* keys are not addresses, and the key text is never repeated */
	char err[200];
	uint8_t spk[WALLET_SPK_MAX];
	size_t len;
	const char *wif = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ";
	assert_int_equal(wallet_address_decode(spk, sizeof spk, &len, KB_NET_MAIN, wif, err, sizeof err),
	                 KB_EUNSUPPORTED);
	assert_non_null(strstr(err, "private key"));
	assert_null(strstr(err, "5Hue"));
	dec(KB_NET_MAIN, "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8",
	    KB_EUNSUPPORTED, "extended key", NULL);
}

static void test_networks(void **state)
{
	(void)state;
	const char *main_pkh = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2";
	const char *test_pkh = "mzK2FFDEhxqHcmrJw1ysqFkVyhUULo45hZ";
	const char *main_wpkh = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
	const char *test_wpkh = "tb1qcrh3yqn4nlleplcez2yndq2ry8h9ncg3qh7n54";
	const char *reg_wpkh = "bcrt1qdavt4j2sd7dlhqsavtnfxvzppw6k7qy97tmnu9";

	dec(KB_NET_MAIN, main_pkh, KB_OK, NULL, NULL);
	dec(KB_NET_MAIN, test_pkh, KB_ENETWORK, "testnet", "koban is on mainnet");
	dec(KB_NET_TEST3, main_pkh, KB_ENETWORK, "mainnet address", "koban is on testnet3");
	dec(KB_NET_MAIN, test_wpkh, KB_ENETWORK, "testnet or signet address", "mainnet");
	dec(KB_NET_SIGNET, main_wpkh, KB_ENETWORK, "mainnet address", "koban is on signet");
	dec(KB_NET_TEST4, reg_wpkh, KB_ENETWORK, "regtest address", "koban is on testnet4");
	/* testnet3, testnet4 and signet share every prefix */
	for (enum kb_net n = KB_NET_TEST3; n <= KB_NET_SIGNET; n++) {
		dec(n, test_pkh, KB_OK, NULL, NULL);
		dec(n, test_wpkh, KB_OK, NULL, NULL);
		dec(n, reg_wpkh, KB_ENETWORK, "regtest", NULL);
	}
	/* regtest: base58 as testnet, bech32 only bcrt */
	dec(KB_NET_REGTEST, test_pkh, KB_OK, NULL, NULL);
	dec(KB_NET_REGTEST, reg_wpkh, KB_OK, NULL, NULL);
	dec(KB_NET_REGTEST, test_wpkh, KB_ENETWORK, "testnet or signet address", "koban is on regtest");
	/* whole upper case is fine for bech32 */
	dec(KB_NET_MAIN, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", KB_OK, NULL, NULL);
}

static void test_roundtrip_and_warning(void **state)
{
	(void)state;
	uint8_t s[WALLET_SPK_MAX], back[WALLET_SPK_MAX], h[40];
	char addr[WALLET_ADDRESS_MAX], err[200];
	size_t n, bn;
	for (size_t i = 0; i < sizeof h; i++)
		h[i] = (uint8_t)(i * 7 + 1);
	for (int net = 0; net < KB_NET_COUNT; net++) {
		struct { unsigned v; size_t len; bool warn; } w[] = {
			{ 0, 20, false }, { 0, 32, false }, { 1, 32, false }, { 1, 20, true },
			{ 1, 2, true }, { 2, 40, true }, { 16, 2, true },
		};
		for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
			assert_int_equal(wallet_script_witness(s, sizeof s, &n, w[i].v, h, w[i].len), KB_OK);
			assert_int_equal(wallet_address_encode(addr, sizeof addr, (enum kb_net)net, s, n), KB_OK);
			assert_int_equal(wallet_address_decode(back, sizeof back, &bn, (enum kb_net)net, addr,
			                                       err, sizeof err), KB_OK);
			assert_int_equal(bn, n);
			assert_memory_equal(back, s, n);
			assert_int_equal(wallet_address_warning(s, n) != NULL, w[i].warn);
		}
		wallet_script_p2sh(s, h);
		assert_int_equal(wallet_address_encode(addr, sizeof addr, (enum kb_net)net, s, 23), KB_OK);
		assert_int_equal(addr[0], net == KB_NET_MAIN ? '3' : '2');
		assert_int_equal(wallet_address_decode(back, sizeof back, &bn, (enum kb_net)net, addr,
		                                       err, sizeof err), KB_OK);
		assert_memory_equal(back, s, 23);
		assert_null(wallet_address_warning(s, 23));
	}
	/* P2A is a known type: no warning */
	const uint8_t p2a[] = { 0x51, 0x02, 0x4e, 0x73 };
	assert_null(wallet_address_warning(p2a, sizeof p2a));
	assert_int_equal(wallet_address_encode(addr, sizeof addr, KB_NET_MAIN, p2a, sizeof p2a), KB_OK);
	assert_string_equal(addr, "bc1pfeessrawgf");
}

static void test_wif(void **state)
{
	(void)state;
	uint8_t *key = kb_secret_alloc(32);
	char *out = kb_secret_alloc(WALLET_WIF_MAX);
	char err[200];
	bool c = true;

	/* the Bitcoin wiki's example key */
	assert_int_equal(wallet_wif_decode(key, &c, KB_NET_MAIN,
	                                   "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ", err, sizeof err), KB_OK);
	assert_false(c);
	char hex[65];
	wallet_hex_encode(hex, sizeof hex, key, 32);
	assert_string_equal(hex, "0c28fca386c7a227600b2fe50b7cae11ec86d3bf1fbe471be89827e19d72aa1d");
	assert_int_equal(wallet_wif_encode(out, WALLET_WIF_MAX, KB_NET_MAIN, key, true), KB_OK);
	assert_int_equal(strlen(out), 52);
	assert_int_equal(out[0], 'K');
	assert_int_equal(wallet_wif_encode(out, 52, KB_NET_MAIN, key, true), KB_ELIMIT);
	assert_string_equal(out, "");
	assert_int_equal(wallet_wif_encode(out, WALLET_WIF_MAX, KB_NET_SIGNET, key, true), KB_OK);
	assert_int_equal(out[0], 'c');

	/* wrong network, naming both; the key output stays zero */
	assert_int_equal(wallet_wif_decode(key, &c, KB_NET_MAIN, out, err, sizeof err), KB_ENETWORK);
	assert_non_null(strstr(err, "testnet"));
	assert_non_null(strstr(err, "mainnet"));
	assert_false(c);
	for (int i = 0; i < 32; i++)
		assert_int_equal(key[i], 0);
	/* typo */
	size_t l = strlen(out);
	out[l - 2] = out[l - 2] == 'a' ? 'b' : 'a';
	assert_int_equal(wallet_wif_decode(key, &c, KB_NET_SIGNET, out, err, sizeof err), KB_ECHECKSUM);
	assert_non_null(strstr(err, "typo"));
	assert_null(strstr(err, out));
	/* an address is not a key; text too long; empty */
	assert_int_equal(wallet_wif_decode(key, &c, KB_NET_MAIN, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
	                                   err, sizeof err), KB_EPARSE);
	assert_int_equal(wallet_wif_decode(key, &c, KB_NET_MAIN, "", err, sizeof err), KB_EPARSE);
	char longs[70];
	memset(longs, '2', sizeof longs - 1);
	longs[sizeof longs - 1] = '\0';
	assert_int_equal(wallet_wif_decode(key, &c, KB_NET_MAIN, longs, err, sizeof err), KB_EPARSE);

	/* out-of-range keys: encode refuses, decode refuses a crafted WIF */
	memset(key, 0, 32);
	assert_int_equal(wallet_wif_encode(out, WALLET_WIF_MAX, KB_NET_MAIN, key, true), KB_EINVAL);
	assert_true(wallet_hex_decode_exact(key, 32,
	            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")); /* n */
	assert_int_equal(wallet_wif_encode(out, WALLET_WIF_MAX, KB_NET_MAIN, key, true), KB_EINVAL);
	uint8_t payload[34];
	payload[0] = 0x80;
	memcpy(payload + 1, key, 32);
	payload[33] = 0x01;
	assert_int_equal(wallet_base58check_encode(out, WALLET_WIF_MAX, NULL, payload, 34), KB_OK);
	assert_int_equal(wallet_wif_decode(key, &c, KB_NET_MAIN, out, err, sizeof err), KB_EINVAL);
	/* a compressed flag other than 01 */
	payload[33] = 0x02;
	payload[1] = 0x01;
	assert_int_equal(wallet_base58check_encode(out, WALLET_WIF_MAX, NULL, payload, 34), KB_OK);
	assert_int_equal(wallet_wif_decode(key, &c, KB_NET_MAIN, out, err, sizeof err), KB_EPARSE);

	kb_secret_free(out);
	kb_secret_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_misuse),
		cmocka_unit_test(test_decode_misuse),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_networks),
		cmocka_unit_test(test_roundtrip_and_warning),
		cmocka_unit_test(test_wif),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
