/* Output descriptors: misuse and limits first, then forms, accounts, chains. */
#include "tests/support/testsupport.h"

#include "wallet/bip32.h"
#include "wallet/descriptor.h"
#include "wallet/hex.h"
#include "wallet/mem.h"

#include <stdio.h>
#include <string.h>

#define XPUB "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL"
#define XPRV "xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc"
#define WIF "L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1"
#define WIF_UNCOMP "5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss"
#define WIF_TEST "cULrpoZGXiuC19Uhvykx7NugygA3k86b3hmdCeyvHYQZSxojGyXJ"
#define PUB "03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd"
#define PUB_UNCOMP "04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd" \
	"5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235"
#define XONLY "a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd"
#define CORE_EXAMPLE "wpkh([d34db33f/84h/0h/0h]xpub6DJ2dNUysrn5Vt36jH2KLBT2i1auw1tTSSomg8PhqNiUtx8QX2SvC9nrHu81fT41fvDUnhMjEzQgXnQjKEu3oaqMSzhSrHMxyyoEAmUHQbY/0/*)"

static char errbuf[512];

static enum kb_rc prc(const char *s, enum kb_net net)
{
	struct wallet_descriptor *d = (struct wallet_descriptor *)1;
	enum kb_rc rc = wallet_descriptor_parse(&d, net, s, strlen(s), errbuf, sizeof errbuf);
	if (rc != KB_OK) {
		assert_null(d);
		assert_true(errbuf[0] != '\0'); /* every refusal says why */
	}
	wallet_descriptor_free(d);
	return rc;
}

static struct wallet_descriptor *pok(const char *s, enum kb_net net)
{
	struct wallet_descriptor *d = NULL;
	enum kb_rc rc = wallet_descriptor_parse(&d, net, s, strlen(s), errbuf, sizeof errbuf);
	if (rc != KB_OK)
		fail_msg("%s: %s", s, errbuf);
	return d;
}

static void check_addr(const struct wallet_descriptor *d, size_t chain, uint32_t i, const char *want)
{
	char a[91];
	assert_int_equal(wallet_descriptor_derive_address(d, chain, i, a, sizeof a), KB_OK);
	assert_string_equal(a, want);
}

/* --------------------------------------------------------------- misuse */

static void test_checksum_misuse(void **state)
{
	(void)state;
	char out[9];
	char *big = kb_malloc(WALLET_DESCRIPTOR_MAX_LEN + 1);
	memset(big, 'a', WALLET_DESCRIPTOR_MAX_LEN + 1);
	assert_int_equal(wallet_descriptor_checksum(out, big, WALLET_DESCRIPTOR_MAX_LEN + 1), KB_ELIMIT);
	assert_string_equal(out, "");
	assert_int_equal(wallet_descriptor_checksum(out, big, WALLET_DESCRIPTOR_MAX_LEN), KB_OK);
	kb_free(big);
	assert_int_equal(wallet_descriptor_checksum(out, "raw(\xc3\x9c)", 7), KB_EPARSE);
	assert_string_equal(out, "");
	assert_int_equal(wallet_descriptor_checksum(out, "raw(de\0ad)", 10), KB_EPARSE);
	assert_int_equal(wallet_descriptor_checksum(out, "raw(de\tad)", 10), KB_EPARSE);
	/* known checksums: BIP380's example and Bitcoin Core's deriveaddresses help */
	assert_int_equal(wallet_descriptor_checksum(out, "raw(deadbeef)", 13), KB_OK);
	assert_string_equal(out, "89f8spxm");
	assert_int_equal(wallet_descriptor_checksum(out, CORE_EXAMPLE, strlen(CORE_EXAMPLE)), KB_OK);
	assert_string_equal(out, "cjjspncu");
}

static void test_parse_limits(void **state)
{
	(void)state;
	/* input cap */
	char *big = kb_malloc(WALLET_DESCRIPTOR_MAX_LEN + 2);
	memset(big, 'a', WALLET_DESCRIPTOR_MAX_LEN + 1);
	big[WALLET_DESCRIPTOR_MAX_LEN + 1] = '\0';
	assert_int_equal(prc(big, KB_NET_MAIN), KB_ELIMIT);
	big[WALLET_DESCRIPTOR_MAX_LEN] = '\0';
	assert_int_equal(prc(big, KB_NET_MAIN), KB_EPARSE); /* at the cap: parsed, malformed */
	kb_free(big);
	/* raw() script cap */
	size_t n = 2 * (WALLET_DESCRIPTOR_SPK_MAX + 1);
	char *raw = kb_malloc(n + 8);
	memcpy(raw, "raw(", 4);
	memset(raw + 4, '0', n);
	memcpy(raw + 4 + n, ")", 2);
	assert_int_equal(prc(raw, KB_NET_MAIN), KB_ELIMIT);
	memcpy(raw + 4 + n - 2, ")", 2);
	assert_int_equal(prc(raw, KB_NET_MAIN), KB_OK);
	kb_free(raw);
	/* derivation index overflow: 2^31 and an 11-digit number */
	assert_int_equal(prc("wpkh(" XPUB "/2147483648/*)", KB_NET_MAIN), KB_ELIMIT);
	assert_int_equal(prc("wpkh(" XPUB "/2147483647/*)", KB_NET_MAIN), KB_OK);
	assert_int_equal(prc("wpkh(" XPUB "/99999999999/*)", KB_NET_MAIN), KB_ELIMIT);
	assert_int_equal(prc("wpkh([deadbeef/2147483648h]" XPUB ")", KB_NET_MAIN), KB_ELIMIT);
	/* step count: 32 after the key is fine, 33 is not; same in an origin */
	char s[1024];
	strcpy(s, "wpkh(" XPUB);
	for (int i = 0; i < WALLET_DESCRIPTOR_MAX_STEPS; i++)
		strcat(s, "/1");
	strcat(s, ")");
	assert_int_equal(prc(s, KB_NET_MAIN), KB_OK);
	strcpy(s, "wpkh(" XPUB);
	for (int i = 0; i < WALLET_DESCRIPTOR_MAX_STEPS + 1; i++)
		strcat(s, "/1");
	strcat(s, ")");
	assert_int_equal(prc(s, KB_NET_MAIN), KB_ELIMIT);
	strcpy(s, "wpkh([deadbeef");
	for (int i = 0; i < WALLET_DESCRIPTOR_MAX_STEPS + 1; i++)
		strcat(s, "/1h");
	strcat(s, "]" PUB ")");
	assert_int_equal(prc(s, KB_NET_MAIN), KB_ELIMIT);
	/* multipath alternatives: 16 fine, 17 not */
	strcpy(s, "wpkh(" XPUB "/<0");
	for (int i = 1; i < WALLET_DESCRIPTOR_MAX_PATHS; i++)
		snprintf(s + strlen(s), sizeof s - strlen(s), ";%d", i);
	strcat(s, ">/*)");
	assert_int_equal(prc(s, KB_NET_MAIN), KB_OK);
	strcpy(s, "wpkh(" XPUB "/<0");
	for (int i = 1; i < WALLET_DESCRIPTOR_MAX_PATHS + 1; i++)
		snprintf(s + strlen(s), sizeof s - strlen(s), ";%d", i);
	strcat(s, ">/*)");
	assert_int_equal(prc(s, KB_NET_MAIN), KB_ELIMIT);
}

static void test_parse_malformed(void **state)
{
	(void)state;
	const enum kb_net M = KB_NET_MAIN;
	/* checksum */
	assert_int_equal(prc("raw(deadbeef)#89f8spxm", M), KB_OK);
	assert_int_equal(prc("raw(deadbeef)#89f8spxn", M), KB_ECHECKSUM);
	assert_non_null(strstr(errbuf, "89f8spxm")); /* names the expected one */
	assert_int_equal(prc("raw(deadbeef)#89F8SPXM", M), KB_ECHECKSUM);
	assert_int_equal(prc("raw(deadbeef)#", M), KB_EPARSE);
	assert_int_equal(prc("raw(deadbeef)#89f8spx", M), KB_EPARSE);
	assert_int_equal(prc("raw(deadbeef)#89f8spxmm", M), KB_EPARSE);
	assert_int_equal(prc("raw(deadbeef)##9f8spxm", M), KB_EPARSE);
	assert_int_equal(prc("#89f8spxm", M) == KB_OK, false);
	/* characters */
	assert_int_equal(prc("raw(deadbeef)\x01", M), KB_EPARSE);
	assert_non_null(strstr(errbuf, "offset 13"));
	struct wallet_descriptor *d = NULL;
	assert_int_equal(wallet_descriptor_parse(&d, M, "raw(de\0ad)", 10, NULL, 0), KB_EPARSE);
	assert_null(d);
	assert_int_equal(prc("", M), KB_EPARSE);
	assert_int_equal(prc(" wpkh(" PUB ")", M), KB_EPARSE);
	/* parentheses */
	assert_int_equal(prc("wpkh(" PUB, M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" PUB "))", M), KB_EPARSE);
	assert_int_equal(prc("wpkh((" PUB ")", M), KB_EPARSE);
	assert_int_equal(prc("sh(wpkh(" PUB ")", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" PUB ")wpkh(" PUB ")", M), KB_EPARSE);
	assert_int_equal(prc(")(", M), KB_EPARSE);
	assert_int_equal(prc("wpkh()", M), KB_EPARSE);
	assert_int_equal(prc("wpkh " PUB, M), KB_EPARSE);
	assert_int_equal(prc(PUB, M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" PUB "," PUB ")", M), KB_EPARSE);
	assert_int_equal(prc("WPKH(" PUB ")", M), KB_EPARSE);
	assert_int_equal(prc("foo(" PUB ")", M), KB_EPARSE);
	assert_int_equal(prc("sh(" PUB ")", M), KB_EPARSE);
	assert_int_equal(prc("sh(sh(wpkh(" PUB ")))", M), KB_EPARSE);
	assert_int_equal(prc("sh(tr(" XONLY "))", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(wpkh(" PUB "))", M), KB_EPARSE);
	assert_int_equal(prc("sh(raw(deadbeef))", M), KB_EPARSE);
	/* steps */
	assert_int_equal(prc("wpkh(" XPUB "/01/*)", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" XPUB "//*)", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" XPUB "/*/0)", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" XPUB "/**)", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" XPUB "/*/*)", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" XPUB "/)", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" XPUB "/-1)", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" XPUB "/+1)", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" XPUB "/ 1)", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" XPRV "/1H)", M), KB_EPARSE);
	assert_non_null(strstr(errbuf, "not H"));
	assert_int_equal(prc("wpkh(" XPRV "/1hh)", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" XPRV "/h)", M), KB_EPARSE);
	/* origins */
	assert_int_equal(prc("wpkh([deadbeef]" PUB ")", M), KB_OK);
	assert_int_equal(prc("wpkh([DEADBEEF/1h]" PUB ")", M), KB_OK);
	assert_int_equal(prc("wpkh([deadbee]" PUB ")", M), KB_EPARSE);
	assert_int_equal(prc("wpkh([deadbeef" PUB ")", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(deadbeef]" PUB ")", M), KB_EPARSE);
	assert_int_equal(prc("wpkh([deadbeef][deadbeef]" PUB ")", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" PUB "[deadbeef])", M), KB_EPARSE);
	assert_int_equal(prc("wpkh([deadbeef/]" PUB ")", M), KB_EPARSE);
	assert_int_equal(prc("wpkh([deadbeef/*]" PUB ")", M), KB_EPARSE);
	assert_int_equal(prc("wpkh([deadbeef/<0;1>]" XPUB ")", M), KB_EPARSE);
	assert_int_equal(prc("wpkh([deadbeef])", M), KB_EPARSE);
	/* multipath */
	assert_int_equal(prc("wpkh(" XPUB "/<0;1>/*)", M), KB_OK);
	assert_int_equal(prc("wpkh(" XPUB "/<0>/*)", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" XPUB "/<0;0>/*)", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" XPUB "/<0;1>/<2;3>/*)", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" XPUB "/<0;1/*)", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" XPUB "/0;1>/*)", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" XPUB "/<;1>/*)", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" XPUB "/<0;*>)", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" XPUB "/<<0;1>>/*)", M), KB_EPARSE);
	/* keys */
	assert_int_equal(prc("wpkh(" PUB "/0)", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(" WIF "/0)", M), KB_EPARSE);
	assert_int_equal(prc("wpkh(03a34b99)", M) == KB_OK, false);
	assert_int_equal(prc("wpkh(05a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)", M),
	                 KB_EINVAL);
	/* not on the curve: x = 5 has no point (5^3 + 7 = 132 is not a square mod p) */
	assert_int_equal(prc("wpkh(020000000000000000000000000000000000000000000000000000000000000005)", M),
	                 KB_EINVAL);
	/* addr(), raw() */
	assert_int_equal(prc("raw()", M), KB_EPARSE);
	assert_int_equal(prc("raw(abc)", M), KB_EPARSE);
	assert_int_equal(prc("raw(zz)", M), KB_EPARSE);
	assert_int_equal(prc("addr()", M), KB_EPARSE);
	assert_int_equal(prc("addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15k)", M), KB_ECHECKSUM);
}

static void test_parse_refusals(void **state)
{
	(void)state;
	const enum kb_net M = KB_NET_MAIN;
	/* uncompressed keys only in pkh(); x-only only in tr() */
	assert_int_equal(prc("pkh(" PUB_UNCOMP ")", M), KB_OK);
	assert_int_equal(prc("pkh(" WIF_UNCOMP ")", M), KB_OK);
	assert_int_equal(prc("wpkh(" PUB_UNCOMP ")", M), KB_EINVAL);
	assert_int_equal(prc("wpkh(" WIF_UNCOMP ")", M), KB_EINVAL);
	assert_int_equal(prc("sh(wpkh(" PUB_UNCOMP "))", M), KB_EINVAL);
	assert_int_equal(prc("sh(wpkh(" WIF_UNCOMP "))", M), KB_EINVAL);
	assert_int_equal(prc("tr(" PUB_UNCOMP ")", M), KB_EINVAL);
	assert_int_equal(prc("tr(" WIF_UNCOMP ")", M), KB_EINVAL);
	assert_int_equal(prc("wpkh(" XONLY ")", M), KB_EINVAL);
	assert_int_equal(prc("pkh(" XONLY ")", M), KB_EINVAL);
	assert_int_equal(prc("tr(" XONLY ")", M), KB_OK);
	assert_int_equal(prc("tr(" PUB ")", M), KB_OK);
	/* hybrid 06/07 keys are not public keys for descriptors */
	assert_int_equal(prc("pkh(06a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd"
	                     "5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235)", M),
	                 KB_EINVAL);
	/* hardened derivation after an xpub */
	assert_int_equal(prc("wpkh(" XPUB "/0h/*)", M), KB_EINVAL);
	assert_int_equal(prc("wpkh(" XPUB "/0'/*)", M), KB_EINVAL);
	assert_int_equal(prc("wpkh(" XPUB "/0/*h)", M), KB_EINVAL);
	assert_int_equal(prc("wpkh(" XPUB "/<0;1h>/*)", M), KB_EINVAL);
	assert_int_equal(prc("wpkh(" XPRV "/0h/*h)", M), KB_OK);
	/* outside koban's subset: refused as unsupported, with the name */
	assert_int_equal(prc("pk(" PUB ")", M), KB_EUNSUPPORTED);
	assert_non_null(strstr(errbuf, "pk()"));
	assert_int_equal(prc("wsh(pkh(" PUB "))", M), KB_EUNSUPPORTED);
	assert_int_equal(prc("sh(wsh(pkh(" PUB ")))", M), KB_EUNSUPPORTED);
	assert_int_equal(prc("sh(pkh(" PUB "))", M), KB_EUNSUPPORTED);
	assert_int_equal(prc("multi(1," PUB ")", M), KB_EUNSUPPORTED);
	assert_int_equal(prc("sortedmulti(1," PUB ")", M), KB_EUNSUPPORTED);
	assert_int_equal(prc("combo(" PUB ")", M), KB_EUNSUPPORTED);
	assert_int_equal(prc("rawtr(" XONLY ")", M), KB_EUNSUPPORTED);
	assert_int_equal(prc("tr(" XONLY ",pk(" XONLY "))", M), KB_EUNSUPPORTED);
	assert_non_null(strstr(errbuf, "script tree"));
	/* SLIP-132 versions are not descriptor keys */
	struct json *j = ts_load_json("bip44_49_84_86/bip49_84_86_test_vectors.json");
	const char *zpub = json_get_str(json_get(json_get(j, "bip84"), "account"), "xpub");
	char s[256];
	snprintf(s, sizeof s, "wpkh(%s/0/*)", zpub);
	assert_int_equal(prc(s, M), KB_EINVAL);
	assert_non_null(strstr(errbuf, "zpub"));
	json_free(j);
}

static void test_networks(void **state)
{
	(void)state;
	struct wallet_bip32_pub pub;
	struct wallet_bip32_priv *priv = NULL;
	assert_int_equal(wallet_bip32_parse(&pub, &priv, NULL, XPRV, NULL, 0), KB_OK);
	char tpub[WALLET_BIP32_STR_MAX], s[256];
	assert_int_equal(wallet_bip32_pub_serialize(tpub, sizeof tpub, &pub, KB_NET_TEST3), KB_OK);
	char *tprv = kb_secret_alloc(WALLET_BIP32_STR_MAX);
	assert_int_equal(wallet_bip32_priv_serialize(tprv, WALLET_BIP32_STR_MAX, priv, KB_NET_TEST3), KB_OK);
	wallet_bip32_priv_free(priv);

	snprintf(s, sizeof s, "wpkh(%s/0/*)", tpub);
	assert_int_equal(prc(s, KB_NET_MAIN), KB_ENETWORK);
	assert_non_null(strstr(errbuf, "mainnet"));
	assert_int_equal(prc(s, KB_NET_TEST3), KB_OK);
	assert_int_equal(prc(s, KB_NET_TEST4), KB_OK);
	assert_int_equal(prc(s, KB_NET_SIGNET), KB_OK);
	assert_int_equal(prc(s, KB_NET_REGTEST), KB_OK);
	assert_int_equal(prc("wpkh(" XPUB "/0/*)", KB_NET_TEST3), KB_ENETWORK);
	assert_int_equal(prc("wpkh(" XPUB "/0/*)", KB_NET_REGTEST), KB_ENETWORK);
	char *ps = kb_secret_alloc(256);
	snprintf(ps, 256, "wpkh(%s/0/*)", tprv);
	assert_int_equal(prc(ps, KB_NET_MAIN), KB_ENETWORK);
	assert_int_equal(prc(ps, KB_NET_SIGNET), KB_OK);
	kb_secret_free(ps);
	kb_secret_free(tprv);
	assert_int_equal(prc("wpkh(" WIF ")", KB_NET_TEST3), KB_ENETWORK);
	assert_int_equal(prc("wpkh(" WIF_TEST ")", KB_NET_MAIN), KB_ENETWORK);
	assert_int_equal(prc("wpkh(" WIF_TEST ")", KB_NET_REGTEST), KB_OK);
	assert_int_equal(prc("addr(2Mww8dCYPUpKHofjgcXcBCEGmniw9CoaiD2)", KB_NET_MAIN), KB_ENETWORK);
	assert_int_equal(prc("addr(2Mww8dCYPUpKHofjgcXcBCEGmniw9CoaiD2)", KB_NET_TEST4), KB_OK);
	assert_int_equal(prc("addr(bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu)", KB_NET_SIGNET), KB_ENETWORK);
	/* the tpub descriptor writes back as tpub with its network's addresses */
	snprintf(s, sizeof s, "wpkh(%s/0/*)", tpub);
	struct wallet_descriptor *d = pok(s, KB_NET_REGTEST);
	assert_int_equal(wallet_descriptor_net(d), KB_NET_REGTEST);
	char *t = NULL;
	assert_int_equal(wallet_descriptor_serialize(d, &t), KB_OK);
	assert_non_null(strstr(t, tpub));
	kb_free(t);
	char a[91];
	assert_int_equal(wallet_descriptor_derive_address(d, 0, 0, a, sizeof a), KB_OK);
	assert_memory_equal(a, "bcrt1q", 6);
	wallet_descriptor_free(d);
}

/* No message ever quotes private key text. */
static void test_errors_hide_keys(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"wpkh(" XPRV "/1H)",
		"wpkh(" XPRV "/0/*)#aaaaaaaa",
		"wpkh(" XPRV "/0/*",
		"wpkh(" XPRV "/<0;0>/*)",
		"multi(1," XPRV ")",
		"wpkh(" WIF_UNCOMP ")",
		"wpkh(" WIF "x)",
		"wpkh(" XPRV "x)",
		"wpkh(" WIF ")#zzzzzzzz",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_not_equal(prc(bad[i], KB_NET_MAIN), KB_OK);
		assert_null(strstr(errbuf, "xprvA1Rp"));
		assert_null(strstr(errbuf, "RpRA33e1"));
		assert_null(strstr(errbuf, "L4rK1yDt"));
		assert_null(strstr(errbuf, "5KYZdUEo"));
	}
}

/* --------------------------------------------------------------- forms */

static void test_public_private(void **state)
{
	(void)state;
	char *pub = NULL, *priv = NULL;
	/* xprv: public text has the xpub, private text round-trips exactly */
	struct wallet_descriptor *d = pok("wpkh([deadbeef/84h/0h/0h]" XPRV "/0/*)", KB_NET_MAIN);
	assert_true(wallet_descriptor_has_private(d));
	assert_true(wallet_descriptor_is_ranged(d));
	assert_int_equal(wallet_descriptor_type(d), WALLET_DESCRIPTOR_WPKH);
	assert_int_equal(wallet_descriptor_serialize(d, &pub), KB_OK);
	assert_null(strstr(pub, "xprv"));
	char want[512];
	char sum[9];
	snprintf(want, sizeof want, "wpkh([deadbeef/84h/0h/0h]%s/0/*)", XPUB);
	assert_int_equal(wallet_descriptor_checksum(sum, want, strlen(want)), KB_OK);
	strcat(want, "#");
	strcat(want, sum);
	assert_string_equal(pub, want);
	assert_int_equal(wallet_descriptor_serialize_private(d, &priv), KB_OK);
	snprintf(want, sizeof want, "wpkh([deadbeef/84h/0h/0h]%s/0/*)", XPRV);
	assert_int_equal(wallet_descriptor_checksum(sum, want, strlen(want)), KB_OK);
	assert_memory_equal(priv, want, strlen(want));
	assert_string_equal(priv + strlen(want) + 1, sum);
	kb_secret_free(priv);
	/* the public twin is watch-only and derives the same addresses */
	struct wallet_descriptor *w = pok(pub, KB_NET_MAIN);
	assert_false(wallet_descriptor_has_private(w));
	assert_int_equal(wallet_descriptor_serialize_private(w, &priv), KB_EWATCHONLY);
	assert_null(priv);
	char a1[91], a2[91];
	for (uint32_t i = 0; i < 5; i++) {
		assert_int_equal(wallet_descriptor_derive_address(d, 0, i, a1, sizeof a1), KB_OK);
		assert_int_equal(wallet_descriptor_derive_address(w, 0, i, a2, sizeof a2), KB_OK);
		assert_string_equal(a1, a2);
	}
	kb_free(pub);
	wallet_descriptor_free(w);
	wallet_descriptor_free(d);

	/* WIF: public text has the hex key (x-only in tr), private the WIF */
	d = pok("pkh(" WIF ")", KB_NET_MAIN);
	assert_int_equal(wallet_descriptor_serialize(d, &pub), KB_OK);
	assert_memory_equal(pub, "pkh(" PUB ")#", strlen("pkh(" PUB ")#"));
	kb_free(pub);
	assert_int_equal(wallet_descriptor_serialize_private(d, &priv), KB_OK);
	assert_memory_equal(priv, "pkh(" WIF ")#", strlen("pkh(" WIF ")#"));
	kb_secret_free(priv);
	wallet_descriptor_free(d);
	d = pok("tr(" WIF ")", KB_NET_MAIN);
	assert_int_equal(wallet_descriptor_serialize(d, &pub), KB_OK);
	assert_memory_equal(pub, "tr(" XONLY ")#", strlen("tr(" XONLY ")#"));
	kb_free(pub);
	wallet_descriptor_free(d);
	d = pok("pkh(" WIF_UNCOMP ")", KB_NET_MAIN);
	assert_int_equal(wallet_descriptor_serialize(d, &pub), KB_OK);
	assert_memory_equal(pub, "pkh(" PUB_UNCOMP ")#", strlen("pkh(" PUB_UNCOMP ")#"));
	kb_free(pub);
	wallet_descriptor_free(d);

	/* canonical text: lower-case hex, h unless ' was used, checksum added */
	d = pok("wpkh([DEADBEEF/1'/2h]03A34B99F22C790C4E36B2B3C2C35A36DB06226E41C692FC82B8B56AC1C540C5BD)",
	        KB_NET_MAIN);
	assert_int_equal(wallet_descriptor_serialize(d, &pub), KB_OK);
	assert_memory_equal(pub, "wpkh([deadbeef/1'/2']" PUB ")#", strlen("wpkh([deadbeef/1'/2']" PUB ")#"));
	kb_free(pub);
	wallet_descriptor_free(d);
	d = pok(CORE_EXAMPLE "#cjjspncu", KB_NET_MAIN);
	assert_int_equal(wallet_descriptor_serialize(d, &pub), KB_OK);
	assert_string_equal(pub, CORE_EXAMPLE "#cjjspncu");
	kb_free(pub);
	wallet_descriptor_free(d);

	/* a hardened wildcard has no public form */
	d = pok("wpkh(" XPRV "/0/*h)", KB_NET_MAIN);
	assert_int_equal(wallet_descriptor_serialize(d, &pub), KB_EUNSUPPORTED);
	assert_null(pub);
	wallet_descriptor_free(d);
	/* addr() and raw() */
	d = pok("addr(BC1QCR8TE4KR609GCAWUTMRZA0J4XV80JY8Z306FYU)", KB_NET_MAIN);
	assert_int_equal(wallet_descriptor_serialize(d, &pub), KB_OK);
	assert_memory_equal(pub, "addr(bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu)#", 49);
	kb_free(pub);
	check_addr(d, 0, 0, "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu");
	assert_false(wallet_descriptor_is_ranged(d));
	assert_false(wallet_descriptor_has_private(d));
	wallet_descriptor_free(d);
}

/* Hardened steps after an xprv fold into the origin of the public form. */
static void test_normalised_public(void **state)
{
	(void)state;
	struct json *j = ts_load_json("bip44_49_84_86/bip49_84_86_test_vectors.json");
	const struct json *v = json_get(j, "bip86");
	const char *root = json_get_str(v, "rootpriv");
	const char *acct_xpub = json_get_str(json_get(v, "account"), "xpub");
	char *s = kb_secret_alloc(512);
	snprintf(s, 512, "tr(%s/86h/0h/0h/<0;1>/*)", root);
	struct wallet_descriptor *d = pok(s, KB_NET_MAIN);
	kb_secret_free(s);
	char *pub = NULL;
	assert_int_equal(wallet_descriptor_serialize(d, &pub), KB_OK);
	char want[512];
	snprintf(want, sizeof want, "tr([73c5da0a/86h/0h/0h]%s/<0;1>/*)#", acct_xpub);
	assert_memory_equal(pub, want, strlen(want));
	struct wallet_descriptor *w = pok(pub, KB_NET_MAIN);
	const struct json *addrs = json_get(v, "addresses");
	for (size_t i = 0; i < addrs->count; i++) {
		const char *path = json_get_str(json_at(addrs, i), "path");
		const char *addr = json_get_str(json_at(addrs, i), "address");
		size_t chain = path[strlen(path) - 3] == '1' ? 1 : 0;
		uint32_t idx = (uint32_t)(path[strlen(path) - 1] - '0');
		check_addr(d, chain, idx, addr);
		check_addr(w, chain, idx, addr);
	}
	kb_free(pub);
	wallet_descriptor_free(w);
	wallet_descriptor_free(d);
	/* a hardened step inside the multipath cannot fold: expand first */
	d = pok("wpkh(" XPRV "/<0h;1h>/*)", KB_NET_MAIN);
	assert_int_equal(wallet_descriptor_serialize(d, &pub), KB_EUNSUPPORTED);
	struct wallet_descriptor *e = NULL;
	assert_int_equal(wallet_descriptor_expand(&e, d, 1), KB_OK);
	assert_int_equal(wallet_descriptor_serialize(e, &pub), KB_OK);
	assert_null(strstr(pub, "xprv"));
	assert_non_null(strstr(pub, "/1h]xpub"));
	kb_free(pub);
	wallet_descriptor_free(e);
	wallet_descriptor_free(d);
	json_free(j);
}

/* --------------------------------------------------------------- accounts */

static struct wallet_bip32_priv *account_key(const char *root, const char *path, uint8_t fpr[4])
{
	struct wallet_bip32_pub pub;
	struct wallet_bip32_priv *r = NULL, *a = NULL;
	assert_int_equal(wallet_bip32_parse(&pub, &r, NULL, root, NULL, 0), KB_OK);
	wallet_bip32_fingerprint(fpr, &pub);
	struct wallet_bip32_path p;
	assert_int_equal(wallet_bip32_path_parse(&p, path, NULL, 0), KB_OK);
	assert_int_equal(wallet_bip32_priv_derive(&a, r, &p), KB_OK);
	wallet_bip32_priv_free(r);
	return a;
}

static void check_account(const struct json *v, enum wallet_descriptor_type type, enum kb_net net,
                          const char *prefix)
{
	uint8_t fpr[4];
	struct wallet_bip32_priv *acct = account_key(json_get_str(v, "rootpriv"),
	                                             json_get_str(json_get(v, "account"), "path"), fpr);
	struct wallet_bip32_pub apub;
	wallet_bip32_priv_to_pub(&apub, acct);
	struct wallet_descriptor *dp = NULL, *dw = NULL;
	assert_int_equal(wallet_descriptor_account(&dp, net, type, fpr, 0, NULL, acct), KB_OK);
	assert_int_equal(wallet_descriptor_account(&dw, net, type, fpr, 0, &apub, NULL), KB_OK);
	wallet_bip32_priv_free(acct); /* the descriptor has its own copy */
	assert_true(wallet_descriptor_has_private(dp));
	assert_false(wallet_descriptor_has_private(dw));
	assert_int_equal(wallet_descriptor_chain_count(dp), 2);
	const struct json *addrs = json_get(v, "addresses");
	for (size_t i = 0; i < addrs->count; i++) {
		const struct json *c = json_at(addrs, i);
		const char *path = json_get_str(c, "path");
		size_t chain = path[strlen(path) - 3] == '1' ? WALLET_DESCRIPTOR_CHANGE
		                                              : WALLET_DESCRIPTOR_RECEIVE;
		uint32_t idx = (uint32_t)(path[strlen(path) - 1] - '0');
		check_addr(dp, chain, idx, json_get_str(c, "address"));
		check_addr(dw, chain, idx, json_get_str(c, "address"));
		/* the key and its full path for PSBT derivation fields */
		struct wallet_descriptor_keyinfo ki;
		assert_int_equal(wallet_descriptor_derive_key(dw, chain, idx, &ki), KB_OK);
		assert_true(ki.has_origin);
		assert_memory_equal(ki.fingerprint, fpr, 4);
		struct wallet_bip32_path p;
		assert_int_equal(wallet_bip32_path_parse(&p, path, NULL, 0), KB_OK);
		assert_int_equal(ki.path_len, p.len);
		assert_memory_equal(ki.path, p.index, p.len * sizeof p.index[0]);
		const char *pk = json_get_str(c, "pubkey");
		if (pk) {
			char h[67];
			wallet_hex_encode(h, sizeof h, ki.pubkey, 33);
			assert_string_equal(h, pk);
		}
		const char *ik = json_get_str(c, "internal_key");
		if (ik) {
			char h[65];
			wallet_hex_encode(h, sizeof h, ki.xonly, 32);
			assert_string_equal(h, ik);
		}
	}
	/* public text, and the two single-path exports */
	char *pub = NULL;
	assert_int_equal(wallet_descriptor_serialize(dp, &pub), KB_OK);
	assert_memory_equal(pub, prefix, strlen(prefix));
	assert_non_null(strstr(pub, "/<0;1>/*)"));
	char *pub2 = NULL;
	assert_int_equal(wallet_descriptor_serialize(dw, &pub2), KB_OK);
	assert_string_equal(pub, pub2);
	kb_free(pub2);
	struct wallet_descriptor *r = NULL, *c = NULL, *joined = NULL;
	assert_int_equal(wallet_descriptor_expand(&r, dw, WALLET_DESCRIPTOR_RECEIVE), KB_OK);
	assert_int_equal(wallet_descriptor_expand(&c, dw, WALLET_DESCRIPTOR_CHANGE), KB_OK);
	assert_int_equal(wallet_descriptor_chain_count(r), 1);
	char *rt = NULL, *ct = NULL;
	assert_int_equal(wallet_descriptor_serialize(r, &rt), KB_OK);
	assert_int_equal(wallet_descriptor_serialize(c, &ct), KB_OK);
	assert_non_null(strstr(rt, "/0/*)"));
	assert_non_null(strstr(ct, "/1/*)"));
	/* exports parse back and join into the account descriptor again */
	struct wallet_descriptor *r2 = pok(rt, net), *c2 = pok(ct, net);
	assert_int_equal(wallet_descriptor_join(&joined, r2, c2), KB_OK);
	assert_int_equal(wallet_descriptor_serialize(joined, &pub2), KB_OK);
	assert_string_equal(pub, pub2);
	kb_free(pub2);
	const struct json *first = json_at(addrs, 0);
	check_addr(r2, 0, 0, json_get_str(first, "address"));
	check_addr(joined, 0, 0, json_get_str(first, "address"));
	kb_free(rt);
	kb_free(ct);
	kb_free(pub);
	wallet_descriptor_free(joined);
	wallet_descriptor_free(r2);
	wallet_descriptor_free(c2);
	wallet_descriptor_free(r);
	wallet_descriptor_free(c);
	wallet_descriptor_free(dp);
	wallet_descriptor_free(dw);
}

static void test_accounts(void **state)
{
	(void)state;
	struct json *j = ts_load_json("bip44_49_84_86/bip49_84_86_test_vectors.json");
	check_account(json_get(j, "bip84"), WALLET_DESCRIPTOR_WPKH, KB_NET_MAIN,
	              "wpkh([73c5da0a/84h/0h/0h]xpub");
	check_account(json_get(j, "bip49"), WALLET_DESCRIPTOR_SH_WPKH, KB_NET_TEST3,
	              "sh(wpkh([73c5da0a/49h/1h/0h]tpub");
	check_account(json_get(j, "bip86"), WALLET_DESCRIPTOR_TR, KB_NET_MAIN,
	              "tr([73c5da0a/86h/0h/0h]xpub");
	json_free(j);
}

static void test_account_misuse(void **state)
{
	(void)state;
	struct json *j = ts_load_json("bip44_49_84_86/bip49_84_86_test_vectors.json");
	const struct json *v = json_get(j, "bip84");
	uint8_t fpr[4];
	struct wallet_bip32_priv *acct = account_key(json_get_str(v, "rootpriv"), "m/84'/0'/0'", fpr);
	struct wallet_bip32_priv *deep = account_key(json_get_str(v, "rootpriv"), "m/84'/0'/0'/0", fpr);
	struct wallet_bip32_pub apub;
	wallet_bip32_priv_to_pub(&apub, acct);
	struct wallet_descriptor *d = (struct wallet_descriptor *)1;
	assert_int_equal(wallet_descriptor_account(&d, KB_NET_MAIN, WALLET_DESCRIPTOR_WPKH, fpr, 0,
	                                           NULL, NULL), KB_EINVAL);
	assert_null(d);
	assert_int_equal(wallet_descriptor_account(&d, KB_NET_MAIN, WALLET_DESCRIPTOR_WPKH, fpr, 0,
	                                           &apub, acct), KB_EINVAL);
	assert_int_equal(wallet_descriptor_account(&d, KB_NET_MAIN, WALLET_DESCRIPTOR_ADDR, fpr, 0,
	                                           &apub, NULL), KB_EINVAL);
	assert_int_equal(wallet_descriptor_account(&d, KB_NET_MAIN, WALLET_DESCRIPTOR_WPKH, fpr, 1,
	                                           &apub, NULL), KB_EINVAL); /* key is account 0 */
	assert_int_equal(wallet_descriptor_account(&d, KB_NET_MAIN, WALLET_DESCRIPTOR_WPKH, fpr,
	                                           0x80000000u, &apub, NULL), KB_EINVAL);
	assert_int_equal(wallet_descriptor_account(&d, KB_NET_MAIN, WALLET_DESCRIPTOR_WPKH, fpr, 0,
	                                           NULL, deep), KB_EINVAL); /* depth 4 */
	assert_null(d);
	/* a mainnet account on testnet writes a tpub with coin type 1 */
	assert_int_equal(wallet_descriptor_account(&d, KB_NET_SIGNET, WALLET_DESCRIPTOR_PKH, fpr, 0,
	                                           &apub, NULL), KB_OK);
	char *t = NULL;
	assert_int_equal(wallet_descriptor_serialize(d, &t), KB_OK);
	assert_memory_equal(t, "pkh([73c5da0a/44h/1h/0h]tpub", 28);
	kb_free(t);
	wallet_descriptor_free(d);
	wallet_bip32_priv_free(acct);
	wallet_bip32_priv_free(deep);
	json_free(j);
}

/* --------------------------------------------------------------- chains */

static void test_derive_misuse(void **state)
{
	(void)state;
	uint8_t spk[WALLET_DESCRIPTOR_SPK_MAX];
	size_t len = 99;
	char a[91];
	struct wallet_descriptor *d = pok("wpkh(" XPUB "/<0;1>/*)", KB_NET_MAIN);
	assert_int_equal(wallet_descriptor_chain_count(d), 2);
	assert_int_equal(wallet_descriptor_derive_spk(d, 2, 0, spk, sizeof spk, &len), KB_EINVAL);
	assert_int_equal(len, 0);
	assert_int_equal(wallet_descriptor_derive_spk(d, 0, 0x80000000u, spk, sizeof spk, &len), KB_EINVAL);
	assert_int_equal(wallet_descriptor_derive_spk(d, 0, 0x7fffffffu, spk, sizeof spk, &len), KB_OK);
	assert_int_equal(len, 22);
	assert_int_equal(wallet_descriptor_derive_spk(d, 0, 0, spk, 21, &len), KB_ELIMIT);
	assert_int_equal(len, 0);
	assert_int_equal(wallet_descriptor_derive_address(d, 0, 0, a, 10), KB_ELIMIT);
	assert_string_equal(a, "");
	struct wallet_descriptor *e = NULL;
	assert_int_equal(wallet_descriptor_expand(&e, d, 2), KB_EINVAL);
	assert_null(e);
	wallet_descriptor_free(d);

	d = pok("wpkh(" PUB ")", KB_NET_MAIN);
	assert_false(wallet_descriptor_is_ranged(d));
	assert_int_equal(wallet_descriptor_derive_spk(d, 0, 1, spk, sizeof spk, &len), KB_EINVAL);
	assert_int_equal(wallet_descriptor_derive_spk(d, 1, 0, spk, sizeof spk, &len), KB_EINVAL);
	assert_int_equal(wallet_descriptor_derive_spk(d, 0, 0, spk, sizeof spk, &len), KB_OK);
	struct wallet_descriptor_keyinfo ki;
	assert_int_equal(wallet_descriptor_derive_key(d, 0, 0, &ki), KB_OK);
	assert_false(ki.has_origin);
	assert_int_equal(ki.path_len, 0);
	wallet_descriptor_free(d);

	d = pok("raw(deadbeef)", KB_NET_MAIN);
	assert_int_equal(wallet_descriptor_derive_address(d, 0, 0, a, sizeof a), KB_EUNSUPPORTED);
	assert_int_equal(wallet_descriptor_derive_key(d, 0, 0, &ki), KB_EINVAL);
	assert_int_equal(wallet_descriptor_derive_spk(d, 0, 1, spk, sizeof spk, &len), KB_EINVAL);
	assert_int_equal(wallet_descriptor_derive_spk(d, 0, 0, spk, sizeof spk, &len), KB_OK);
	assert_int_equal(len, 4);
	assert_int_equal(wallet_descriptor_derive_spk(d, 0, 0, spk, 3, &len), KB_ELIMIT);
	wallet_descriptor_free(d);

	/* descriptor text without the key's own fingerprint: the xpub's is used */
	d = pok("wpkh(" XPUB "/0/*)", KB_NET_MAIN);
	assert_int_equal(wallet_descriptor_derive_key(d, 0, 7, &ki), KB_OK);
	assert_true(ki.has_origin);
	assert_int_equal(ki.path_len, 2);
	assert_int_equal(ki.path[0], 0);
	assert_int_equal(ki.path[1], 7);
	wallet_descriptor_free(d);
}

static void test_join_misuse(void **state)
{
	(void)state;
	struct wallet_descriptor *a = pok("wpkh(" XPUB "/0/*)", KB_NET_MAIN);
	struct wallet_descriptor *b = pok("pkh(" XPUB "/1/*)", KB_NET_MAIN);
	struct wallet_descriptor *c = pok("wpkh(" XPUB "/1/1/*)", KB_NET_MAIN);
	struct wallet_descriptor *e = pok("wpkh(" XPUB "/1/*)", KB_NET_MAIN);
	struct wallet_descriptor *f = pok("wpkh([deadbeef]" XPUB "/1/*)", KB_NET_MAIN);
	struct wallet_descriptor *m = pok("wpkh(" XPUB "/<0;1>/*)", KB_NET_MAIN);
	struct wallet_descriptor *out = (struct wallet_descriptor *)1;
	assert_int_equal(wallet_descriptor_join(&out, a, b), KB_EINVAL);   /* types */
	assert_null(out);
	assert_int_equal(wallet_descriptor_join(&out, a, c), KB_EINVAL);   /* lengths */
	assert_int_equal(wallet_descriptor_join(&out, a, a), KB_EINVAL);   /* no difference */
	assert_int_equal(wallet_descriptor_join(&out, a, f), KB_EINVAL);   /* origins */
	assert_int_equal(wallet_descriptor_join(&out, m, e), KB_EINVAL);   /* already multipath */
	assert_int_equal(wallet_descriptor_join(&out, a, e), KB_OK);
	char *t = NULL, *u = NULL;
	assert_int_equal(wallet_descriptor_serialize(out, &t), KB_OK);
	assert_int_equal(wallet_descriptor_serialize(m, &u), KB_OK);
	assert_string_equal(t, u);
	kb_free(t);
	kb_free(u);
	wallet_descriptor_free(out);
	wallet_descriptor_free(a);
	wallet_descriptor_free(b);
	wallet_descriptor_free(c);
	wallet_descriptor_free(e);
	wallet_descriptor_free(f);
	wallet_descriptor_free(m);
	wallet_descriptor_free(NULL);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(wallet_descriptor_type_name(WALLET_DESCRIPTOR_SH_WPKH), "sh(wpkh)");
	assert_string_equal(wallet_descriptor_type_name(WALLET_DESCRIPTOR_TR), "tr");
	assert_string_equal(wallet_descriptor_type_name((enum wallet_descriptor_type)99), "unknown");
	assert_non_null(strstr(wallet_descriptor_type_describe(WALLET_DESCRIPTOR_WPKH), "BIP84"));
	assert_non_null(strstr(wallet_descriptor_type_describe(WALLET_DESCRIPTOR_PKH), "BIP44"));
	assert_non_null(strstr(wallet_descriptor_type_describe(WALLET_DESCRIPTOR_SH_WPKH), "BIP49"));
	assert_non_null(strstr(wallet_descriptor_type_describe(WALLET_DESCRIPTOR_TR), "BIP86"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum_misuse),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_networks),
		cmocka_unit_test(test_errors_hide_keys),
		cmocka_unit_test(test_public_private),
		cmocka_unit_test(test_normalised_public),
		cmocka_unit_test(test_accounts),
		cmocka_unit_test(test_account_misuse),
		cmocka_unit_test(test_derive_misuse),
		cmocka_unit_test(test_join_misuse),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
