/*
 * Fuzz target: extended keys and derivation paths (pasted xpubs, descriptor
 * keys, PSBT global xpubs): text and 78-byte parsing, which must write back
 * byte for byte when it succeeds; path parsing, which must format and parse
 * back to the same indices; one public child of any key that parses.
 */
#include "wallet/bip32.h"
#include "wallet/mem.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_key(const struct wallet_bip32_pub *pub, struct wallet_bip32_priv *priv,
                      const struct wallet_bip32_info *info)
{
	struct wallet_bip32_pub c;
	if (pub->key[0] != 2 && pub->key[0] != 3)
		abort();
	if (pub->depth == 0 && (pub->child != 0 || memcmp(pub->parent_fpr, "\0\0\0\0", 4) != 0))
		abort();
	if (info->is_private != (priv != NULL))
		abort();
	enum kb_rc rc = wallet_bip32_pub_child(&c, pub, 0);
	if (pub->depth == WALLET_BIP32_MAX_DEPTH ? rc != KB_ELIMIT : (rc != KB_OK && rc != KB_ECRYPTO))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wallet_bip32_pub pub;
	struct wallet_bip32_priv *priv = NULL;
	struct wallet_bip32_info info;
	char err[160];

	/* the 78-byte form */
	if (size >= WALLET_BIP32_SERIALIZED_LEN) {
		if (wallet_bip32_parse_raw(&pub, &priv, &info, data, WALLET_BIP32_SERIALIZED_LEN,
		                           err, sizeof err) == KB_OK) {
			check_key(&pub, priv, &info);
			if (!priv) {
				uint8_t raw[WALLET_BIP32_SERIALIZED_LEN];
				wallet_bip32_pub_serialize_raw(raw, &pub, info.version);
				if (memcmp(raw, data, sizeof raw) != 0)
					abort();
			}
			wallet_bip32_priv_free(priv);
			priv = NULL;
		}
	}

	if (size > 512)
		return 0;
	char *text = kb_secret_alloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';

	/* the text form */
	if (wallet_bip32_parse(&pub, &priv, &info, text, err, sizeof err) == KB_OK) {
		check_key(&pub, priv, &info);
		if (info.script == WALLET_BIP32_SCRIPT_NONE) {
			char *back = kb_secret_alloc(WALLET_BIP32_STR_MAX);
			enum kb_rc rc = priv ? wallet_bip32_priv_serialize(back, WALLET_BIP32_STR_MAX, priv, info.net)
			                     : wallet_bip32_pub_serialize(back, WALLET_BIP32_STR_MAX, &pub, info.net);
			if (rc != KB_OK || strcmp(back, text) != 0)
				abort();
			kb_secret_free(back);
		}
		wallet_bip32_priv_free(priv);
	} else if (priv != NULL || pub.key[0] != 0) {
		abort();
	}

	/* the path form */
	struct wallet_bip32_path *p = kb_malloc(2 * sizeof *p);
	if (wallet_bip32_path_parse(&p[0], text, err, sizeof err) == KB_OK) {
		char out[WALLET_BIP32_MAX_DEPTH * 12 + 2];
		if (wallet_bip32_path_format(out, sizeof out, &p[0]) != KB_OK ||
		    wallet_bip32_path_parse(&p[1], out, err, sizeof err) != KB_OK || p[0].len != p[1].len ||
		    memcmp(p[0].index, p[1].index, p[0].len * sizeof p[0].index[0]) != 0)
			abort();
	} else if (p[0].len != 0) {
		abort();
	}
	kb_free(p);
	kb_secret_free(text);
	return 0;
}
