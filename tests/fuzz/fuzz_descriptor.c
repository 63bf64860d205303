/*
 * Fuzz target: the output descriptor parser (typed or pasted by people,
 * imported from other wallets). Whatever parses must write back, parse
 * again to the same text, derive, expand and join without trouble.
 */
#include "wallet/descriptor.h"
#include "wallet/mem.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(const struct wallet_descriptor *d)
{
	char *pub = NULL, *priv = NULL;
	if (wallet_descriptor_serialize(d, &pub) == KB_OK) {
		struct wallet_descriptor *back = NULL;
		KB_ASSERT(wallet_descriptor_parse(&back, wallet_descriptor_net(d), pub, strlen(pub),
		                                  NULL, 0) == KB_OK);
		char *again = NULL;
		KB_ASSERT(wallet_descriptor_serialize(back, &again) == KB_OK);
		KB_ASSERT(strcmp(pub, again) == 0);
		KB_ASSERT(!wallet_descriptor_has_private(back));
		kb_free(again);
		wallet_descriptor_free(back);
		kb_free(pub);
	}
	if (wallet_descriptor_serialize_private(d, &priv) == KB_OK) {
		struct wallet_descriptor *back = NULL;
		KB_ASSERT(wallet_descriptor_parse(&back, wallet_descriptor_net(d), priv, strlen(priv),
		                                  NULL, 0) == KB_OK);
		char *again = NULL;
		KB_ASSERT(wallet_descriptor_serialize_private(back, &again) == KB_OK);
		KB_ASSERT(strcmp(priv, again) == 0);
		kb_secret_free(again);
		wallet_descriptor_free(back);
		kb_secret_free(priv);
	}
	size_t chains = wallet_descriptor_chain_count(d);
	struct wallet_descriptor *e[2] = { NULL, NULL };
	for (size_t c = 0; c < chains; c++) {
		uint8_t spk[WALLET_DESCRIPTOR_SPK_MAX];
		size_t len;
		char addr[91];
		struct wallet_descriptor_keyinfo ki;
		for (uint32_t i = 0; i < 2; i++) {
			bool valid = i == 0 || wallet_descriptor_is_ranged(d);
			enum kb_rc rc = wallet_descriptor_derive_spk(d, c, i, spk, sizeof spk, &len);
			KB_ASSERT(valid ? rc == KB_OK : rc == KB_EINVAL);
			rc = wallet_descriptor_derive_address(d, c, i, addr, sizeof addr);
			KB_ASSERT(valid || rc == KB_EINVAL);
			rc = wallet_descriptor_derive_key(d, c, i, &ki);
			KB_ASSERT(valid || rc == KB_EINVAL);
		}
		if (c < 2)
			KB_ASSERT(wallet_descriptor_expand(&e[c], d, c) == KB_OK);
	}
	if (e[0] && e[1]) {
		struct wallet_descriptor *j = NULL;
		if (wallet_descriptor_join(&j, e[0], e[1]) == KB_OK)
			KB_ASSERT(wallet_descriptor_chain_count(j) == 2);
		wallet_descriptor_free(j);
	}
	wallet_descriptor_free(e[0]);
	wallet_descriptor_free(e[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum kb_net nets[] = { KB_NET_MAIN, KB_NET_REGTEST };
	for (size_t n = 0; n < sizeof nets / sizeof nets[0]; n++) {
		struct wallet_descriptor *d = NULL;
		char err[256];
		if (wallet_descriptor_parse(&d, nets[n], (const char *)data, size, err, sizeof err) == KB_OK)
			exercise(d);
		else
			KB_ASSERT(d == NULL && err[0] != '\0');
		wallet_descriptor_free(d);
	}
	return 0;
}
