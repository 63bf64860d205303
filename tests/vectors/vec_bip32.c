/*
 * BIP32 test vectors 1-5 (tests/data/bip32): every chain of vectors 1-4
 * derived privately from the seed and, where the last step is not
 * hardened, publicly from the parent xpub; every string parsed and written
 * back byte for byte; every invalid key of vector 5 rejected.
 */
#include "tests/support/testsupport.h"

#include "wallet/bip32.h"
#include "wallet/mem.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static bool same_pub(const struct wallet_bip32_pub *a, const struct wallet_bip32_pub *b)
{
	return a->depth == b->depth && memcmp(a->parent_fpr, b->parent_fpr, 4) == 0 &&
	       a->child == b->child && memcmp(a->chain, b->chain, 32) == 0 &&
	       memcmp(a->key, b->key, 33) == 0;
}

static void test_valid(void **state)
{
	(void)state;
	struct json *j = ts_load_json("bip32/bip32_test_vectors.json");
	const struct json *valid = json_get(j, "valid");
	char *text = kb_secret_alloc(WALLET_BIP32_STR_MAX);
	char err[160];
	struct vec v;
	size_t index = 0;
	assert_non_null(valid);
	vec_start(&v, "bip32/valid");
	for (size_t t = 0; t < valid->count; t++) {
		const struct json *tv = json_at(valid, t);
		const struct json *chains = json_get(tv, "chains");
		size_t seedlen;
		uint8_t *seed = ts_unhex(json_get_str(tv, "seed"), &seedlen);
		struct wallet_bip32_priv *master = NULL;
		assert_int_equal(wallet_bip32_priv_from_seed(&master, seed, seedlen), KB_OK);
		struct wallet_bip32_pub prev_pub;
		memset(&prev_pub, 0, sizeof prev_pub);
		for (size_t c = 0; c < chains->count; c++, index++) {
			const struct json *ch = json_at(chains, c);
			const char *path_s = json_get_str(ch, "path");
			const char *xpub = json_get_str(ch, "xpub"), *xprv = json_get_str(ch, "xprv");
			struct wallet_bip32_path path;
			struct wallet_bip32_priv *k = NULL, *parsed = NULL;
			struct wallet_bip32_pub pub, ppub, pub2;
			struct wallet_bip32_info info;

			/* the file writes hardened indices with H */
			if (wallet_bip32_path_parse(&path, path_s, err, sizeof err) != KB_OK) {
				vec_fail(&v, index, "path %s: %s", path_s, err);
				vec_case_end(&v);
				continue;
			}
			if (wallet_bip32_priv_derive(&k, master, &path) != KB_OK) {
				vec_fail(&v, index, "derive %s", path_s);
				vec_case_end(&v);
				continue;
			}
			wallet_bip32_priv_to_pub(&pub, k);
			if (wallet_bip32_priv_serialize(text, WALLET_BIP32_STR_MAX, k, KB_NET_MAIN) != KB_OK ||
			    strcmp(text, xprv) != 0)
				vec_fail(&v, index, "%s: xprv %s", path_s, text);
			if (wallet_bip32_pub_serialize(text, WALLET_BIP32_STR_MAX, &pub, KB_NET_MAIN) != KB_OK ||
			    strcmp(text, xpub) != 0)
				vec_fail(&v, index, "%s: xpub %s", path_s, text);

			/* parse both and write them back */
			if (wallet_bip32_parse(&ppub, &parsed, &info, xprv, err, sizeof err) != KB_OK || !parsed) {
				vec_fail(&v, index, "parse xprv: %s", err);
			} else {
				if (!info.is_private || info.is_test || info.script != WALLET_BIP32_SCRIPT_NONE ||
				    strcmp(wallet_bip32_info_name(&info), "xprv") != 0)
					vec_fail(&v, index, "xprv info");
				if (!same_pub(&ppub, &pub) ||
				    sodium_memcmp(wallet_bip32_priv_seckey(parsed), wallet_bip32_priv_seckey(k), 32) != 0)
					vec_fail(&v, index, "parsed xprv differs");
				if (wallet_bip32_priv_serialize(text, WALLET_BIP32_STR_MAX, parsed, KB_NET_MAIN) != KB_OK ||
				    strcmp(text, xprv) != 0)
					vec_fail(&v, index, "xprv round trip");
			}
			wallet_bip32_priv_free(parsed);
			if (wallet_bip32_parse(&ppub, NULL, &info, xpub, err, sizeof err) != KB_OK) {
				vec_fail(&v, index, "parse xpub: %s", err);
			} else {
				if (info.is_private || strcmp(wallet_bip32_info_name(&info), "xpub") != 0 ||
				    !wallet_bip32_info_matches(&info, KB_NET_MAIN) ||
				    wallet_bip32_info_matches(&info, KB_NET_TEST3))
					vec_fail(&v, index, "xpub info");
				if (!same_pub(&ppub, &pub))
					vec_fail(&v, index, "parsed xpub differs");
				if (wallet_bip32_pub_serialize(text, WALLET_BIP32_STR_MAX, &ppub, KB_NET_MAIN) != KB_OK ||
				    strcmp(text, xpub) != 0)
					vec_fail(&v, index, "xpub round trip");
			}
			/* an xprv where only public keys are wanted is refused */
			if (wallet_bip32_parse(&ppub, NULL, NULL, xprv, err, sizeof err) != KB_EINVAL)
				vec_fail(&v, index, "xprv accepted as public");

			/* CKDpub from the previous chain entry (its parent) */
			if (path.len > 0 && c > 0) {
				uint32_t last = path.index[path.len - 1];
				enum kb_rc rc = wallet_bip32_pub_child(&pub2, &prev_pub, last);
				if (last & WALLET_BIP32_HARDENED) {
					if (rc != KB_EINVAL)
						vec_fail(&v, index, "public hardened derivation not refused");
				} else if (rc != KB_OK || !same_pub(&pub2, &pub)) {
					vec_fail(&v, index, "CKDpub differs");
				}
			}
			prev_pub = pub;
			wallet_bip32_priv_free(k);
			vec_case_end(&v);
		}
		wallet_bip32_priv_free(master);
		kb_free(seed);
	}
	kb_secret_free(text);
	json_free(j);
	vec_finish(&v);
}

static void test_invalid(void **state)
{
	(void)state;
	struct json *j = ts_load_json("bip32/bip32_test_vectors.json");
	const struct json *invalid = json_get(j, "invalid");
	char err[160];
	struct vec v;
	assert_non_null(invalid);
	vec_start(&v, "bip32/invalid (vector 5)");
	for (size_t i = 0; i < invalid->count; i++) {
		const struct json *c = json_at(invalid, i);
		const char *key = json_get_str(c, "key"), *reason = json_get_str(c, "reason");
		struct wallet_bip32_pub pub;
		struct wallet_bip32_priv *priv = NULL;
		struct wallet_bip32_info info;
		enum kb_rc want = strstr(reason, "checksum") ? KB_ECHECKSUM : KB_EPARSE;
		enum kb_rc rc = wallet_bip32_parse(&pub, &priv, &info, key, err, sizeof err);
		if (rc != want)
			vec_fail(&v, i, "%s: got %s (%s), want %s", reason, kb_rc_str(rc), err, kb_rc_str(want));
		if (priv || pub.depth || pub.key[0] || info.version)
			vec_fail(&v, i, "outputs not cleared");
		if (err[0] == '\0')
			vec_fail(&v, i, "no message");
		printf("  case %zu (%s): %s\n", i, reason, err);
		wallet_bip32_priv_free(priv);
		vec_case_end(&v);
	}
	json_free(j);
	vec_finish(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
