/*
 * BIP49, BIP84 and BIP86 vectors (tests/data/bip44_49_84_86): mnemonic ->
 * root key, account keys (including the SLIP-132 zprv/zpub/uprv/upub
 * forms, which koban parses but never writes) and addresses, each also
 * derived publicly from the account xpub. Addresses come from
 * wallet/script.h and wallet/address.h; taproot output keys from
 * wallet_bip32_taproot_output_key.
 */
#include "tests/support/testsupport.h"

#include "wallet/address.h"
#include "wallet/base58.h"
#include "wallet/bip32.h"
#include "wallet/bip39.h"
#include "wallet/hash.h"
#include "wallet/hex.h"
#include "wallet/mem.h"
#include "wallet/script.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum kind { BIP49, BIP84, BIP86 };

static const struct {
	const char *section;
	enum kind kind;
	enum wallet_bip32_script script;
} sections[] = {
	{ "bip84", BIP84, WALLET_BIP32_SCRIPT_WPKH },
	{ "bip49", BIP49, WALLET_BIP32_SCRIPT_SH_WPKH },
	{ "bip86", BIP86, WALLET_BIP32_SCRIPT_NONE },
};

static bool same_pub(const struct wallet_bip32_pub *a, const struct wallet_bip32_pub *b)
{
	return a->depth == b->depth && memcmp(a->parent_fpr, b->parent_fpr, 4) == 0 &&
	       a->child == b->child && memcmp(a->chain, b->chain, 32) == 0 &&
	       memcmp(a->key, b->key, 33) == 0;
}

/*
 * Checks that text is an extended key equal to k (private: equal to kpriv
 * too), with the version the section implies, and that writing the parsed
 * key back with that version gives the same text.
 */
static void check_ext(struct vec *v, size_t i, const char *what, const char *text,
                      const struct wallet_bip32_pub *k, const struct wallet_bip32_priv *kpriv,
                      enum wallet_bip32_script script, bool is_test)
{
	struct wallet_bip32_pub pub;
	struct wallet_bip32_priv *priv = NULL;
	struct wallet_bip32_info info;
	char err[160];
	if (!text)
		return;
	enum kb_rc rc = wallet_bip32_parse(&pub, &priv, &info, text, err, sizeof err);
	if (rc != KB_OK) {
		vec_fail(v, i, "%s: parse: %s", what, err);
		return;
	}
	if (info.script != script || info.is_test != is_test || info.is_private != (kpriv != NULL) ||
	    info.net != (is_test ? KB_NET_TEST3 : KB_NET_MAIN))
		vec_fail(v, i, "%s: info (%s)", what, wallet_bip32_info_name(&info));
	if (!same_pub(&pub, k))
		vec_fail(v, i, "%s: key differs", what);
	if (kpriv && (!priv || sodium_memcmp(wallet_bip32_priv_seckey(priv),
	                                     wallet_bip32_priv_seckey(kpriv), 32) != 0))
		vec_fail(v, i, "%s: secret differs", what);
	/* written back in its own version (SLIP-132 ones by hand: koban only writes x/t) */
	uint8_t *raw = kb_secret_alloc(WALLET_BIP32_SERIALIZED_LEN);
	char *back = kb_secret_alloc(WALLET_BIP32_STR_MAX);
	wallet_bip32_pub_serialize_raw(raw, &pub, info.version);
	if (priv) {
		raw[45] = 0;
		memcpy(raw + 46, wallet_bip32_priv_seckey(priv), 32);
	}
	if (wallet_base58check_encode(back, WALLET_BIP32_STR_MAX, NULL, raw, WALLET_BIP32_SERIALIZED_LEN) != KB_OK ||
	    strcmp(back, text) != 0)
		vec_fail(v, i, "%s: round trip %s", what, back);
	if (script == WALLET_BIP32_SCRIPT_NONE) {
		enum kb_net net = is_test ? KB_NET_TEST3 : KB_NET_MAIN;
		rc = priv ? wallet_bip32_priv_serialize(back, WALLET_BIP32_STR_MAX, priv, net)
		          : wallet_bip32_pub_serialize(back, WALLET_BIP32_STR_MAX, &pub, net);
		if (rc != KB_OK || strcmp(back, text) != 0)
			vec_fail(v, i, "%s: serialise %s", what, back);
	}
	kb_secret_free(raw);
	kb_secret_free(back);
	wallet_bip32_priv_free(priv);
}

static void check_address(struct vec *v, size_t i, enum kind kind, enum kb_net net,
                          const struct json *a, const struct wallet_bip32_priv *k,
                          const struct wallet_bip32_pub *from_account)
{
	struct wallet_bip32_pub pub;
	uint8_t h[20], spk[WALLET_SPK_MAX], redeem[WALLET_SCRIPT_P2WPKH_LEN];
	size_t spk_len = 0;
	char addr[WALLET_ADDRESS_MAX];
	const char *s;

	wallet_bip32_priv_to_pub(&pub, k);
	if (!same_pub(&pub, from_account))
		vec_fail(v, i, "CKDpub from the account xpub differs");
	if ((s = json_get_str(a, "pubkey")))
		vec_check_hex(v, i, "pubkey", pub.key, 33, s);
	if ((s = json_get_str(a, "privkey_hex")))
		vec_check_hex(v, i, "privkey", wallet_bip32_priv_seckey(k), 32, s);
	if ((s = json_get_str(a, "privkey_wif"))) {
		uint8_t *wif = kb_secret_alloc(64);
		size_t n = 0;
		if (wallet_base58check_decode(wif, 64, &n, s, strlen(s)) != KB_OK || n != 34 ||
		    wif[0] != kb_net_params(net)->wif || wif[33] != 1 ||
		    sodium_memcmp(wif + 1, wallet_bip32_priv_seckey(k), 32) != 0)
			vec_fail(v, i, "WIF key differs");
		kb_secret_free(wif);
	}
	wallet_hash_hash160(h, pub.key, 33);
	if ((s = json_get_str(a, "keyhash")))
		vec_check_hex(v, i, "keyhash", h, 20, s);
	switch (kind) {
	case BIP84:
		wallet_script_p2wpkh(spk, h);
		spk_len = WALLET_SCRIPT_P2WPKH_LEN;
		break;
	case BIP49:
		wallet_script_p2wpkh(redeem, h);
		if ((s = json_get_str(a, "redeemscript")))
			vec_check_hex(v, i, "redeem script", redeem, sizeof redeem, s);
		wallet_hash_hash160(h, redeem, sizeof redeem);
		if ((s = json_get_str(a, "scripthash")))
			vec_check_hex(v, i, "script hash", h, 20, s);
		wallet_script_p2sh(spk, h);
		spk_len = WALLET_SCRIPT_P2SH_LEN;
		break;
	case BIP86: {
		uint8_t q[32];
		if ((s = json_get_str(a, "internal_key")))
			vec_check_hex(v, i, "internal key", pub.key + 1, 32, s);
		if (wallet_bip32_taproot_output_key(q, NULL, pub.key + 1, NULL) != KB_OK) {
			vec_fail(v, i, "taproot output key");
			return;
		}
		if ((s = json_get_str(a, "output_key")))
			vec_check_hex(v, i, "output key", q, 32, s);
		wallet_script_p2tr(spk, q);
		spk_len = WALLET_SCRIPT_P2TR_LEN;
		if ((s = json_get_str(a, "scriptPubKey")))
			vec_check_hex(v, i, "scriptPubKey", spk, spk_len, s);
		break;
	}
	}
	if (wallet_address_encode(addr, sizeof addr, net, spk, spk_len) != KB_OK)
		vec_fail(v, i, "address_encode");
	else if (strcmp(addr, json_get_str(a, "address")) != 0)
		vec_fail(v, i, "address %s, want %s", addr, json_get_str(a, "address"));
}

static void test_vectors(void **state)
{
	(void)state;
	struct json *j = ts_load_json("bip44_49_84_86/bip49_84_86_test_vectors.json");
	uint8_t *seed = kb_secret_alloc(WALLET_BIP39_SEED_LEN);
	char err[160];
	struct vec v;
	size_t index = 0;
	vec_start(&v, "bip44_49_84_86");
	for (size_t sct = 0; sct < sizeof sections / sizeof sections[0]; sct++) {
		const struct json *sec = json_get(j, sections[sct].section);
		assert_non_null(sec);
		enum kind kind = sections[sct].kind;
		enum wallet_bip32_script script = sections[sct].script;
		const char *network = json_get_str(sec, "network");
		bool is_test = strcmp(network, "mainnet") != 0;
		enum kb_net net = is_test ? KB_NET_TEST3 : KB_NET_MAIN;
		struct wallet_bip32_priv *root = NULL, *acct = NULL;
		struct wallet_bip32_pub root_pub, acct_pub;
		struct wallet_bip32_path path;

		/* case: the root key */
		if (wallet_bip39_to_seed(seed, WALLET_BIP39_AUTO, json_get_str(sec, "mnemonic"),
		                         json_get_str(sec, "passphrase"), NULL) != KB_OK ||
		    wallet_bip32_priv_from_seed(&root, seed, WALLET_BIP39_SEED_LEN) != KB_OK) {
			vec_fail(&v, index, "%s: root key", sections[sct].section);
			vec_case_end(&v);
			index++;
			continue;
		}
		wallet_bip32_priv_to_pub(&root_pub, root);
		check_ext(&v, index, "rootpriv", json_get_str(sec, "rootpriv"), &root_pub, root, script, is_test);
		check_ext(&v, index, "rootpub", json_get_str(sec, "rootpub"), &root_pub, NULL, script, is_test);
		vec_case_end(&v);
		index++;

		/* case: the account */
		const struct json *acc = json_get(sec, "account");
		const char *apath = json_get_str(acc, "path");
		if (wallet_bip32_path_parse(&path, apath, err, sizeof err) != KB_OK ||
		    wallet_bip32_priv_derive(&acct, root, &path) != KB_OK) {
			vec_fail(&v, index, "account %s: %s", apath, err);
			vec_case_end(&v);
			wallet_bip32_priv_free(root);
			index++;
			continue;
		}
		wallet_bip32_priv_to_pub(&acct_pub, acct);
		check_ext(&v, index, "account xprv", json_get_str(acc, "xprv"), &acct_pub, acct, script, is_test);
		check_ext(&v, index, "account xpub", json_get_str(acc, "xpub"), &acct_pub, NULL, script, is_test);
		vec_case_end(&v);
		index++;

		/* cases: the addresses */
		const struct json *addrs = json_get(sec, "addresses");
		for (size_t i = 0; i < addrs->count; i++, index++) {
			const struct json *a = json_at(addrs, i);
			const char *p = json_get_str(a, "path");
			struct wallet_bip32_priv *k = NULL;
			struct wallet_bip32_path rel;
			struct wallet_bip32_pub k_pub, from_acct;
			if (wallet_bip32_path_parse(&path, p, err, sizeof err) != KB_OK ||
			    wallet_bip32_priv_derive(&k, root, &path) != KB_OK) {
				vec_fail(&v, index, "%s: %s", p, err);
				vec_case_end(&v);
				continue;
			}
			/* the same key publicly: the path below the account */
			rel.len = path.len - 3;
			memcpy(rel.index, path.index + 3, rel.len * sizeof rel.index[0]);
			if (wallet_bip32_pub_derive(&from_acct, &acct_pub, &rel) != KB_OK)
				vec_fail(&v, index, "CKDpub");
			check_address(&v, index, kind, net, a, k, &from_acct);
			wallet_bip32_priv_to_pub(&k_pub, k);
			check_ext(&v, index, "xprv", json_get_str(a, "xprv"), &k_pub, k, script, is_test);
			check_ext(&v, index, "xpub", json_get_str(a, "xpub"), &k_pub, NULL, script, is_test);
			wallet_bip32_priv_free(k);
			vec_case_end(&v);
		}
		wallet_bip32_priv_free(acct);
		wallet_bip32_priv_free(root);
	}
	kb_secret_free(seed);
	json_free(j);
	vec_finish(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
