/*
 * Bitcoin Core's key_io_valid.json and key_io_invalid.json (tests/data/core).
 *
 * valid: [string, hex, {chain, isPrivkey, isCompressed, tryCaseFlip}]. An
 * address must decode on its chain to exactly the scriptPubKey hex and
 * encode back to the string; a private key must go through WIF both ways.
 * An address must not be accepted as a key and a key not as an address.
 * tryCaseFlip: the bech32 string with every letter's case flipped must
 * decode too (bech32 is case-insensitive, as long as the case is uniform).
 *
 * invalid: [string]; must be rejected as an address and as WIF on every
 * network koban knows.
 */
#include "tests/support/testsupport.h"

#include "wallet/address.h"
#include "wallet/mem.h"
#include "wallet/wif.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool chain_net(const char *chain, enum kb_net *net)
{
	static const struct { const char *name; enum kb_net net; } map[] = {
		{ "main", KB_NET_MAIN }, { "test", KB_NET_TEST3 }, { "testnet4", KB_NET_TEST4 },
		{ "signet", KB_NET_SIGNET }, { "regtest", KB_NET_REGTEST },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		if (chain && strcmp(chain, map[i].name) == 0) {
			*net = map[i].net;
			return true;
		}
	}
	return false;
}

static bool get_bool(const struct json *o, const char *key)
{
	const struct json *b = json_get(o, key);
	return b && json_is(b, JSON_BOOL) && b->boolean;
}

static void check_privkey(struct vec *v, size_t i, enum kb_net net, const char *s,
                          const char *hex, bool want_compressed)
{
	uint8_t *key = kb_secret_alloc(32);
	char *out = kb_secret_alloc(WALLET_WIF_MAX);
	bool compressed = !want_compressed;
	char err[160];

	if (wallet_wif_decode(key, &compressed, net, s, err, sizeof err) != KB_OK) {
		vec_fail(v, i, "WIF decode: %s", err);
	} else {
		vec_check_hex(v, i, "key", key, 32, hex);
		if (compressed != want_compressed)
			vec_fail(v, i, "compressed = %d", compressed);
		if (wallet_wif_encode(out, WALLET_WIF_MAX, net, key, compressed) != KB_OK ||
		    strcmp(out, s) != 0)
			vec_fail(v, i, "WIF encode differs");
	}
	uint8_t spk[WALLET_SPK_MAX];
	size_t spk_len;
	if (wallet_address_decode(spk, sizeof spk, &spk_len, net, s, err, sizeof err) == KB_OK)
		vec_fail(v, i, "a private key decodes as an address");
	kb_secret_free(out);
	kb_secret_free(key);
}

static void check_address(struct vec *v, size_t i, enum kb_net net, const char *s,
                          const char *hex, bool case_flip)
{
	uint8_t spk[WALLET_SPK_MAX];
	size_t spk_len = 0;
	char err[160], out[WALLET_ADDRESS_MAX];

	if (wallet_address_decode(spk, sizeof spk, &spk_len, net, s, err, sizeof err) != KB_OK) {
		vec_fail(v, i, "decode: %s", err);
		return;
	}
	vec_check_hex(v, i, "scriptPubKey", spk, spk_len, hex);
	if (wallet_address_encode(out, sizeof out, net, spk, spk_len) != KB_OK ||
	    strcmp(out, s) != 0)
		vec_fail(v, i, "encode gives \"%s\"", out);
	if (case_flip) {
		char flipped[WALLET_ADDRESS_MAX];
		size_t n = strlen(s);
		if (n >= sizeof flipped) {
			vec_fail(v, i, "too long to flip");
			return;
		}
		for (size_t k = 0; k <= n; k++) {
			unsigned char c = (unsigned char)s[k];
			flipped[k] = (char)(islower(c) ? toupper(c) : tolower(c));
		}
		if (wallet_address_decode(spk, sizeof spk, &spk_len, net, flipped, err, sizeof err) != KB_OK)
			vec_fail(v, i, "case-flipped decode: %s", err);
		else
			vec_check_hex(v, i, "case-flipped scriptPubKey", spk, spk_len, hex);
	}
	uint8_t key[32];
	bool compressed;
	if (wallet_wif_decode(key, &compressed, net, s, err, sizeof err) == KB_OK)
		vec_fail(v, i, "an address decodes as a private key");
}

static void test_valid(void **state)
{
	(void)state;
	struct json *j = ts_load_json("core/key_io_valid.json");
	struct vec v;
	vec_start(&v, "key_io_valid");
	for (size_t i = 0; i < j->count; i++) {
		const struct json *c = json_at(j, i);
		const char *s = json_str(json_at(c, 0));
		const char *hex = json_str(json_at(c, 1));
		const struct json *meta = json_at(c, 2);
		enum kb_net net;
		if (!s || !hex || !meta || !chain_net(json_get_str(meta, "chain"), &net)) {
			vec_fail(&v, i, "malformed case or unknown chain");
			vec_case_end(&v);
			continue;
		}
		if (get_bool(meta, "isPrivkey"))
			check_privkey(&v, i, net, s, hex, get_bool(meta, "isCompressed"));
		else
			check_address(&v, i, net, s, hex, get_bool(meta, "tryCaseFlip"));
		vec_case_end(&v);
	}
	vec_finish(&v);
	json_free(j);
}

static void test_invalid(void **state)
{
	(void)state;
	struct json *j = ts_load_json("core/key_io_invalid.json");
	struct vec v;
	vec_start(&v, "key_io_invalid");
	for (size_t i = 0; i < j->count; i++) {
		const char *s = json_str(json_at(json_at(j, i), 0));
		if (!s) {
			vec_fail(&v, i, "malformed case");
			vec_case_end(&v);
			continue;
		}
		for (int k = 0; k < KB_NET_COUNT; k++) {
			enum kb_net net = (enum kb_net)k;
			uint8_t spk[WALLET_SPK_MAX], key[32];
			size_t spk_len = 99;
			bool compressed = true;
			char err[160] = "";
			if (wallet_address_decode(spk, sizeof spk, &spk_len, net, s, err, sizeof err) == KB_OK ||
			    spk_len != 0 || err[0] == '\0')
				vec_fail(&v, i, "\"%s\" accepted as an address on %s", s, kb_net_params(net)->name);
			err[0] = '\0';
			if (wallet_wif_decode(key, &compressed, net, s, err, sizeof err) == KB_OK ||
			    compressed || err[0] == '\0')
				vec_fail(&v, i, "\"%s\" accepted as a private key on %s", s, kb_net_params(net)->name);
		}
		vec_case_end(&v);
	}
	vec_finish(&v);
	json_free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
