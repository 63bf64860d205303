/*
 * BIP39 vectors: trezor/python-mnemonic (English and Japanese; the other
 * languages are counted as skipped) and bip32JP's English and Japanese
 * files with their NFKD passphrase. Each case checks entropy -> mnemonic,
 * mnemonic -> entropy, mnemonic + passphrase -> seed and seed -> BIP32
 * master xprv; Japanese cases are also fed decomposed (NFKD) and with
 * ASCII spaces.
 */
#include "tests/support/testsupport.h"

#include "wallet/bip32.h"
#include "wallet/bip39.h"
#include "wallet/hex.h"
#include "wallet/mem.h"

#include <stdlib.h>
#include <string.h>
#include <uninorm.h>

struct secrets {
	char mnemonic[WALLET_BIP39_MNEMONIC_MAX];
	uint8_t entropy[WALLET_BIP39_ENTROPY_MAX];
	uint8_t seed[WALLET_BIP39_SEED_LEN];
	char xprv[WALLET_BIP32_STR_MAX];
};

/* NFKD form of s (kb_malloc'd). */
static char *nfkd(const char *s)
{
	size_t len = 0;
	uint8_t *r = u8_normalize(UNINORM_NFKD, (const uint8_t *)s, strlen(s), NULL, &len);
	assert_non_null(r);
	char *out = kb_malloc(len + 1);
	memcpy(out, r, len);
	out[len] = '\0';
	free(r);
	return out;
}

/* s with every U+3000 replaced by two ASCII spaces (kb_malloc'd). */
static char *ascii_spaces(const char *s)
{
	size_t n = strlen(s);
	char *out = kb_malloc(n + 1);
	size_t j = 0;
	for (size_t i = 0; i < n;) {
		if (i + 3 <= n && memcmp(s + i, "\xe3\x80\x80", 3) == 0) {
			out[j++] = ' ';
			out[j++] = ' ';
			i += 3;
		} else {
			out[j++] = s[i++];
		}
	}
	out[j] = '\0';
	return out;
}

static void check_seed(struct vec *v, size_t i, struct secrets *s, enum wallet_bip39_lang lang,
                       const char *what, const char *mnemonic, const char *pass, const char *seed_hex)
{
	struct wallet_bip39_diag d;
	enum kb_rc rc = wallet_bip39_to_seed(s->seed, lang, mnemonic, pass, &d);
	if (rc != KB_OK) {
		char msg[256];
		wallet_bip39_diag_format(msg, sizeof msg, &d);
		vec_fail(v, i, "%s: to_seed: %s (%s)", what, kb_rc_str(rc), msg);
	} else {
		vec_check_hex(v, i, what, s->seed, sizeof s->seed, seed_hex);
	}
	wallet_bip39_diag_clear(&d);
}

/*
 * True when a equals b, or (unless exact) when their NFKD forms are equal:
 * trezor's Japanese vectors mix composed and decomposed kana.
 */
static bool same_text(const char *a, const char *b, bool exact)
{
	if (strcmp(a, b) == 0)
		return true;
	if (exact)
		return false;
	char *x = nfkd(a), *y = nfkd(b);
	bool r = strcmp(x, y) == 0;
	kb_free(x);
	kb_free(y);
	return r;
}

/* One case: every direction, plus the variants of the mnemonic's spelling. */
static void run_case(struct vec *v, size_t i, struct secrets *s, enum wallet_bip39_lang lang,
                     bool exact, const char *ent_hex, const char *mnemonic, const char *pass,
                     const char *seed_hex, const char *xprv)
{
	size_t elen = 0, n = 0;
	struct wallet_bip39_diag d;
	uint8_t *ent = ts_unhex(ent_hex, &elen);

	/* entropy -> mnemonic: the display form (NFC for Japanese) */
	if (wallet_bip39_from_entropy(s->mnemonic, sizeof s->mnemonic, lang, ent, elen) != KB_OK)
		vec_fail(v, i, "from_entropy failed");
	else if (!same_text(s->mnemonic, mnemonic, exact))
		vec_fail(v, i, "mnemonic: got '%s'", s->mnemonic);

	/* mnemonic -> entropy, with the language given and detected */
	for (int auto_lang = 0; auto_lang < 2; auto_lang++) {
		enum kb_rc rc = wallet_bip39_to_entropy(s->entropy, sizeof s->entropy, &n,
		                                        auto_lang ? WALLET_BIP39_AUTO : lang, mnemonic, &d);
		if (rc != KB_OK || n != elen || memcmp(s->entropy, ent, elen) != 0)
			vec_fail(v, i, "to_entropy (%s): %s", auto_lang ? "auto" : "given", kb_rc_str(rc));
		else if (d.lang != lang || d.word_count != elen * 3 / 4)
			vec_fail(v, i, "diag: lang %d, %zu words", (int)d.lang, d.word_count);
		wallet_bip39_diag_clear(&d);
	}
	enum wallet_bip39_lang det;
	if (wallet_bip39_detect(&det, mnemonic) != KB_OK || det != lang)
		vec_fail(v, i, "detect");

	/* the canonical form of the vector's mnemonic is itself */
	if (wallet_bip39_canonical(s->mnemonic, sizeof s->mnemonic, WALLET_BIP39_AUTO, mnemonic, NULL) != KB_OK ||
	    !same_text(s->mnemonic, mnemonic, exact))
		vec_fail(v, i, "canonical");

	/* mnemonic + passphrase -> seed, as given and in other spellings */
	check_seed(v, i, s, lang, "seed", mnemonic, pass, seed_hex);
	char *decomposed = nfkd(mnemonic);
	check_seed(v, i, s, WALLET_BIP39_AUTO, "seed (NFKD mnemonic)", decomposed, pass, seed_hex);
	char *spaced = ascii_spaces(mnemonic);
	check_seed(v, i, s, lang, "seed (ASCII spaces)", spaced, pass, seed_hex);
	char *pass_nfkd = nfkd(pass);
	check_seed(v, i, s, lang, "seed (NFKD passphrase)", mnemonic, pass_nfkd, seed_hex);

	/* seed -> master xprv */
	struct wallet_bip32_priv *m = NULL;
	if (wallet_bip39_to_seed(s->seed, lang, mnemonic, pass, NULL) != KB_OK ||
	    wallet_bip32_priv_from_seed(&m, s->seed, sizeof s->seed) != KB_OK ||
	    wallet_bip32_priv_serialize(s->xprv, sizeof s->xprv, m, KB_NET_MAIN) != KB_OK)
		vec_fail(v, i, "master key");
	else if (strcmp(s->xprv, xprv) != 0)
		vec_fail(v, i, "xprv: got %s", s->xprv);
	wallet_bip32_priv_free(m);

	kb_free(decomposed);
	kb_free(spaced);
	kb_free(pass_nfkd);
	kb_free(ent);
	vec_case_end(v);
}

static void test_trezor(void **state)
{
	(void)state;
	struct json *j = ts_load_json("bip39/trezor_vectors.json");
	struct secrets *s = kb_secret_alloc(sizeof *s);
	struct vec v;
	vec_start(&v, "bip39/trezor");
	size_t base = 0;
	for (size_t l = 0; l < j->count; l++) {
		const struct json *lang = j->items[l];
		enum wallet_bip39_lang code;
		if (strcmp(lang->key, "english") == 0) {
			code = WALLET_BIP39_EN;
		} else if (strcmp(lang->key, "japanese") == 0) {
			code = WALLET_BIP39_JA;
		} else {
			for (size_t i = 0; i < lang->count; i++)
				vec_skip(&v, base + i, "%s: koban supports English and Japanese only", lang->key);
			base += lang->count;
			continue;
		}
		for (size_t i = 0; i < lang->count; i++) {
			const struct json *c = json_at(lang, i);
			if (!c || c->count != 4) {
				vec_fail(&v, base + i, "malformed case");
				vec_case_end(&v);
				continue;
			}
			/* python-mnemonic's test uses the passphrase "TREZOR" for every language */
			run_case(&v, base + i, s, code, false, json_str(json_at(c, 0)), json_str(json_at(c, 1)),
			         "TREZOR", json_str(json_at(c, 2)), json_str(json_at(c, 3)));
		}
		base += lang->count;
	}
	kb_secret_free(s);
	json_free(j);
	vec_finish(&v);
}

static void run_file(const char *file, enum wallet_bip39_lang lang)
{
	struct json *j = ts_load_json(file);
	struct secrets *s = kb_secret_alloc(sizeof *s);
	struct vec v;
	vec_start(&v, file);
	for (size_t i = 0; i < j->count; i++) {
		const struct json *c = json_at(j, i);
		const char *e = json_get_str(c, "entropy"), *m = json_get_str(c, "mnemonic");
		const char *p = json_get_str(c, "passphrase"), *sd = json_get_str(c, "seed");
		const char *x = json_get_str(c, "bip32_xprv");
		if (!e || !m || !p || !sd || !x) {
			vec_fail(&v, i, "malformed case");
			vec_case_end(&v);
			continue;
		}
		/* these spell Japanese composed (NFC), as koban writes it */
		run_case(&v, i, s, lang, true, e, m, p, sd, x);
	}
	kb_secret_free(s);
	json_free(j);
	vec_finish(&v);
}

static void test_bip32jp_en(void **state)
{
	(void)state;
	run_file("bip39/bip32JP_test_EN_BIP39.json", WALLET_BIP39_EN);
}

static void test_bip32jp_ja(void **state)
{
	(void)state;
	run_file("bip39/bip32JP_test_JP_BIP39.json", WALLET_BIP39_JA);
}

/* The generated tables match the committed word lists, word for word. */
static void test_wordlists(void **state)
{
	(void)state;
	static const struct { const char *file; enum wallet_bip39_lang lang; } lists[] = {
		{ "bip39/wordlist_english.txt", WALLET_BIP39_EN },
		{ "bip39/wordlist_japanese.txt", WALLET_BIP39_JA },
	};
	for (size_t l = 0; l < 2; l++) {
		size_t len;
		uint8_t *txt = ts_read_file(lists[l].file, &len);
		size_t pos = 0;
		for (unsigned i = 0; i < WALLET_BIP39_WORDS; i++) {
			size_t end = pos;
			while (end < len && txt[end] != '\n')
				end++;
			assert_true(end > pos);
			char word[64];
			assert_true(end - pos < sizeof word);
			memcpy(word, txt + pos, end - pos);
			word[end - pos] = '\0';
			/* the file is NFKD; the index lookup normalises either form */
			assert_int_equal(wallet_bip39_word_index(lists[l].lang, word), (int)i);
			char *shown = nfkd(wallet_bip39_word(lists[l].lang, i));
			assert_string_equal(shown, word);
			kb_free(shown);
			pos = end + 1;
		}
		assert_true(pos >= len);
		kb_free(txt);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wordlists),
		cmocka_unit_test(test_trezor),
		cmocka_unit_test(test_bip32jp_en),
		cmocka_unit_test(test_bip32jp_ja),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
