/*
 * Fuzz target: BIP39 mnemonic text (typed or pasted by people, so outside
 * data): checking with every language choice, diagnostics and their
 * message, detection, word lookup and completion; a valid mnemonic must
 * round-trip through entropy and its canonical form to the same seed.
 */
#include "wallet/bip39.h"
#include "wallet/mem.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > WALLET_BIP39_INPUT_MAX + 16)
		return 0;
	char *text = kb_secret_alloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	struct wallet_bip39_diag d;
	char msg[512];
	static const enum wallet_bip39_lang langs[] = { WALLET_BIP39_AUTO, WALLET_BIP39_EN, WALLET_BIP39_JA };

	for (size_t l = 0; l < sizeof langs / sizeof langs[0]; l++) {
		enum kb_rc rc = wallet_bip39_check(langs[l], text, &d);
		wallet_bip39_diag_format(msg, sizeof msg, &d);
		if ((rc == KB_OK) != (d.problem == WALLET_BIP39_OK))
			abort();
		if (d.nsuggest > WALLET_BIP39_SUGGEST_MAX || strlen(d.typed) >= WALLET_BIP39_TYPED_MAX)
			abort();
		if (rc != KB_OK)
			continue;
		uint8_t ent[WALLET_BIP39_ENTROPY_MAX], ent2[WALLET_BIP39_ENTROPY_MAX];
		size_t n = 0, n2 = 0;
		char *canon = kb_secret_alloc(WALLET_BIP39_MNEMONIC_MAX);
		char *again = kb_secret_alloc(WALLET_BIP39_MNEMONIC_MAX);
		if (wallet_bip39_to_entropy(ent, sizeof ent, &n, langs[l], text, NULL) != KB_OK ||
		    wallet_bip39_canonical(canon, WALLET_BIP39_MNEMONIC_MAX, langs[l], text, NULL) != KB_OK ||
		    wallet_bip39_from_entropy(again, WALLET_BIP39_MNEMONIC_MAX, d.lang, ent, n) != KB_OK ||
		    strcmp(canon, again) != 0 ||
		    wallet_bip39_to_entropy(ent2, sizeof ent2, &n2, d.lang, canon, NULL) != KB_OK ||
		    n != n2 || memcmp(ent, ent2, n) != 0)
			abort();
		if (l == 0) {
			uint8_t s1[WALLET_BIP39_SEED_LEN], s2[WALLET_BIP39_SEED_LEN];
			if (wallet_bip39_to_seed(s1, WALLET_BIP39_AUTO, text, "", NULL) != KB_OK ||
			    wallet_bip39_to_seed(s2, d.lang, canon, NULL, NULL) != KB_OK ||
			    memcmp(s1, s2, sizeof s1) != 0)
				abort();
			kb_wipe(s1, sizeof s1);
			kb_wipe(s2, sizeof s2);
		}
		kb_wipe(ent, sizeof ent);
		kb_wipe(ent2, sizeof ent2);
		kb_secret_free(canon);
		kb_secret_free(again);
	}
	wallet_bip39_diag_clear(&d);

	enum wallet_bip39_lang lang;
	if (wallet_bip39_detect(&lang, text) == KB_OK && (unsigned)lang >= WALLET_BIP39_LANG_COUNT)
		abort();
	const char *words[4];
	for (int l = 0; l < WALLET_BIP39_LANG_COUNT; l++) {
		int ix = wallet_bip39_word_index((enum wallet_bip39_lang)l, text);
		if (ix >= WALLET_BIP39_WORDS)
			abort();
		size_t total = wallet_bip39_complete((enum wallet_bip39_lang)l, text, words, 4);
		if (total > WALLET_BIP39_WORDS)
			abort();
		for (size_t i = 0; i < total && i < 4; i++)
			if (wallet_bip39_word_index((enum wallet_bip39_lang)l, words[i]) < 0)
				abort();
	}
	kb_secret_free(text);
	return 0;
}
