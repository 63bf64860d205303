/*
 * BIP380-386 and BIP389 test vectors (tests/data/descriptors).
 *
 * Every case runs. A case inside koban's subset (pkh, sh(wpkh), wpkh, tr
 * key path, addr, raw; xpub/xprv/WIF/hex keys; multipath) must give the
 * listed scripts and expansions, or be rejected when invalid. A case that
 * needs something outside the subset (pk, wsh, multi, sortedmulti, combo,
 * sh(pkh), taproot script trees, hardened steps after an xpub) is counted
 * as skipped with its reason, after checking that the parser refuses it
 * rather than guessing.
 */
#include "tests/support/testsupport.h"

#include "wallet/descriptor.h"
#include "wallet/hex.h"
#include "wallet/mem.h"

#include <stdio.h>
#include <string.h>

static const char *const SUPPORTED[] = { "pkh", "wpkh", "sh", "tr", "addr", "raw" };

/*
 * Why the descriptor text s is outside koban's subset (a static or
 * caller-buffer string), or NULL when it is inside. Decided from the text
 * alone, independently of the parser.
 */
static const char *out_of_scope(const char *s, char *why, size_t whylen)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '(')
			continue;
		size_t b = i;
		while (b > 0 && ((s[b - 1] >= 'a' && s[b - 1] <= 'z') || s[b - 1] == '_'))
			b--;
		bool ok = false;
		for (size_t j = 0; j < sizeof SUPPORTED / sizeof SUPPORTED[0]; j++)
			if (strlen(SUPPORTED[j]) == i - b && memcmp(s + b, SUPPORTED[j], i - b) == 0)
				ok = true;
		if (!ok) {
			snprintf(why, whylen, "%.*s() is outside koban's subset", (int)(i - b), s + b);
			return why;
		}
	}
	if (strstr(s, "sh(pkh("))
		return "sh(pkh()) is outside koban's subset (only sh(wpkh()))";
	if (strncmp(s, "tr(", 3) == 0 && strchr(s, ','))
		return "taproot script trees are outside koban's subset (key path only)";
	/* hardened steps after an xpub: koban refuses them (they need the private key) */
	for (const char *p = strstr(s, "xpub"); p; p = strstr(p + 4, "xpub")) {
		const char *q = p;
		while ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))
			q++;
		for (; *q && *q != ')' && *q != ','; q++)
			if (*q == 'h' || *q == '\'')
				return "hardened step after an xpub: koban refuses it (needs the private key)";
	}
	return NULL;
}

/* The same question for the outermost script expression only. */
static const char *outer_out_of_scope(const char *s, char *why, size_t whylen)
{
	const char *open = strchr(s, '(');
	if (!open)
		return NULL;
	size_t n = (size_t)(open - s);
	for (size_t j = 0; j < sizeof SUPPORTED / sizeof SUPPORTED[0]; j++)
		if (strlen(SUPPORTED[j]) == n && memcmp(s, SUPPORTED[j], n) == 0)
			return NULL;
	snprintf(why, whylen, "%.*s() is outside koban's subset", (int)n, s);
	return why;
}

static bool mixed_markers(const char *s)
{
	return strchr(s, '\'') != NULL && strpbrk(s, "h") != NULL &&
	       (strstr(s, "0h") || strstr(s, "1h") || strstr(s, "2h") || strstr(s, "3h") ||
	        strstr(s, "4h") || strstr(s, "5h") || strstr(s, "6h") || strstr(s, "7h") ||
	        strstr(s, "8h") || strstr(s, "9h") || strstr(s, "*h"));
}

/* The canonical text without "#checksum" (private form when there is a key). */
static char *text_of(const struct wallet_descriptor *d, bool *secret)
{
	char *s = NULL;
	*secret = wallet_descriptor_has_private(d);
	enum kb_rc rc = *secret ? wallet_descriptor_serialize_private(d, &s)
	                        : wallet_descriptor_serialize(d, &s);
	if (rc != KB_OK)
		return NULL;
	char *h = strchr(s, '#');
	if (h)
		*h = '\0';
	return s;
}

static void free_text(char *s, bool secret)
{
	if (secret)
		kb_secret_free(s);
	else
		kb_free(s);
}

/* Derives and compares one script. */
static void check_script(struct vec *v, size_t i, const struct wallet_descriptor *d,
                         size_t chain, uint32_t index, const char *want)
{
	uint8_t spk[WALLET_DESCRIPTOR_SPK_MAX];
	size_t len;
	enum kb_rc rc = wallet_descriptor_derive_spk(d, chain, index, spk, sizeof spk, &len);
	if (rc != KB_OK) {
		vec_fail(v, i, "derive index %u: %s", (unsigned)index, kb_rc_str(rc));
		return;
	}
	char what[32];
	snprintf(what, sizeof what, "script %u", (unsigned)index);
	vec_check_hex(v, i, what, spk, len, want);
}

/* Canonical round trips: private text, public text. */
static void check_roundtrip(struct vec *v, size_t i, const struct wallet_descriptor *d,
                            const char *input)
{
	bool secret;
	char *t = text_of(d, &secret);
	if (!t) {
		vec_fail(v, i, "cannot serialise");
		return;
	}
	if (input && !mixed_markers(input) && strcmp(t, input) != 0)
		vec_fail(v, i, "canonical text differs from the input");
	struct wallet_descriptor *back = NULL;
	char err[256];
	if (wallet_descriptor_parse(&back, wallet_descriptor_net(d), t, strlen(t), err, sizeof err) != KB_OK)
		vec_fail(v, i, "own text does not parse: %s", err);
	wallet_descriptor_free(back);
	free_text(t, secret);

	char *pub = NULL;
	enum kb_rc rc = wallet_descriptor_serialize(d, &pub);
	if (rc == KB_EUNSUPPORTED)
		return; /* hardened wildcard: no public form, by design */
	if (rc != KB_OK) {
		vec_fail(v, i, "public serialise: %s", kb_rc_str(rc));
		return;
	}
	if (strstr(pub, "xprv") || strstr(pub, "tprv"))
		vec_fail(v, i, "public text holds an xprv");
	rc = wallet_descriptor_parse(&back, wallet_descriptor_net(d), pub, strlen(pub), err, sizeof err);
	if (rc != KB_OK) {
		vec_fail(v, i, "public text does not parse: %s", err);
	} else {
		if (wallet_descriptor_has_private(back))
			vec_fail(v, i, "public text parses with a private key");
		/* same scripts from the public twin */
		for (size_t c = 0; c < wallet_descriptor_chain_count(d); c++) {
			uint8_t a[WALLET_DESCRIPTOR_SPK_MAX], b[WALLET_DESCRIPTOR_SPK_MAX];
			size_t al, bl;
			uint32_t n = wallet_descriptor_is_ranged(d) ? 3 : 1;
			for (uint32_t x = 0; x < n; x++) {
				if (wallet_descriptor_derive_spk(d, c, x, a, sizeof a, &al) != KB_OK ||
				    wallet_descriptor_derive_spk(back, c, x, b, sizeof b, &bl) != KB_OK ||
				    al != bl || memcmp(a, b, al) != 0)
					vec_fail(v, i, "public twin derives another script (chain %zu index %u)",
					         c, (unsigned)x);
			}
		}
	}
	wallet_descriptor_free(back);
	kb_free(pub);
}

/* An out-of-scope case: the parser must refuse it; then it counts as skipped. */
static void skip_case(struct vec *v, size_t i, const char *text, const char *reason, bool valid)
{
	struct wallet_descriptor *d = NULL;
	char err[256];
	enum kb_rc rc = wallet_descriptor_parse(&d, KB_NET_MAIN, text, strlen(text), err, sizeof err);
	wallet_descriptor_free(d);
	if (rc == KB_OK) {
		vec_fail(v, i, "accepted although outside the subset (%s)", reason);
		vec_case_end(v);
		return;
	}
	if (valid && rc != KB_EUNSUPPORTED && rc != KB_EINVAL) {
		vec_fail(v, i, "refused as %s rather than unsupported: %s", kb_rc_str(rc), err);
		vec_case_end(v);
		return;
	}
	vec_skip(v, i, "%s", reason);
}

static void run_section(const char *name, const struct json *sec, size_t *base, struct vec *v)
{
	const struct json *valid = json_get(sec, "valid");
	const struct json *invalid = json_get(sec, "invalid");
	char why[128];
	for (size_t i = 0; valid && i < valid->count; i++, (*base)++) {
		const struct json *c = json_at(valid, i);
		const char *text = json_get_str(c, "descriptor");
		const char *reason = out_of_scope(text, why, sizeof why);
		if (reason) {
			skip_case(v, *base, text, reason, true);
			continue;
		}
		struct wallet_descriptor *d = NULL;
		char err[256];
		enum kb_rc rc = wallet_descriptor_parse(&d, KB_NET_MAIN, text, strlen(text), err, sizeof err);
		if (rc != KB_OK) {
			vec_fail(v, *base, "%s valid[%zu] refused: %s (%s)", name, i, kb_rc_str(rc), err);
			vec_case_end(v);
			continue;
		}
		const struct json *scripts = json_get(c, "scripts");
		const struct json *exp = json_get(c, "expansions");
		if (scripts) {
			for (size_t x = 0; x < scripts->count; x++)
				check_script(v, *base, d, 0, (uint32_t)x, json_str(json_at(scripts, x)));
			if (!wallet_descriptor_is_ranged(d) && scripts->count != 1)
				vec_fail(v, *base, "not ranged but %zu scripts listed", scripts->count);
		}
		if (exp) {
			if (wallet_descriptor_chain_count(d) != exp->count)
				vec_fail(v, *base, "%zu chains, want %zu", wallet_descriptor_chain_count(d),
				         exp->count);
			for (size_t x = 0; x < exp->count && x < wallet_descriptor_chain_count(d); x++) {
				struct wallet_descriptor *e = NULL;
				if (wallet_descriptor_expand(&e, d, x) != KB_OK) {
					vec_fail(v, *base, "expand %zu failed", x);
					continue;
				}
				bool secret;
				char *t = text_of(e, &secret);
				if (!t || strcmp(t, json_str(json_at(exp, x))) != 0)
					vec_fail(v, *base, "expansion %zu differs", x);
				/* the expansion derives what the chain derives */
				uint32_t n = wallet_descriptor_is_ranged(d) ? 2 : 1;
				for (uint32_t idx = 0; idx < n; idx++) {
					uint8_t a[WALLET_DESCRIPTOR_SPK_MAX], b[WALLET_DESCRIPTOR_SPK_MAX];
					size_t al, bl;
					if (wallet_descriptor_derive_spk(d, x, idx, a, sizeof a, &al) != KB_OK ||
					    wallet_descriptor_derive_spk(e, 0, idx, b, sizeof b, &bl) != KB_OK ||
					    al != bl || memcmp(a, b, al) != 0)
						vec_fail(v, *base, "expansion %zu derives another script", x);
				}
				if (t)
					free_text(t, secret);
				wallet_descriptor_free(e);
			}
		}
		if (!scripts && !exp)
			vec_fail(v, *base, "case has nothing to check");
		check_roundtrip(v, *base, d, text);
		wallet_descriptor_free(d);
		vec_case_end(v);
	}
	for (size_t i = 0; invalid && i < invalid->count; i++, (*base)++) {
		const struct json *c = json_at(invalid, i);
		const char *text = json_get_str(c, "descriptor");
		/*
		 * An invalid case is koban's to reject when its outermost
		 * expression is one koban parses (pkh(pk(...)) and
		 * sh(combo(...)) are invalid to everyone).
		 */
		const char *reason = outer_out_of_scope(text, why, sizeof why);
		if (reason) {
			skip_case(v, *base, text, reason, false);
			continue;
		}
		struct wallet_descriptor *d = NULL;
		char err[256];
		enum kb_rc rc = wallet_descriptor_parse(&d, KB_NET_MAIN, text, strlen(text), err, sizeof err);
		if (rc == KB_OK)
			vec_fail(v, *base, "%s invalid[%zu] accepted (%s)", name, i,
			         json_get_str(c, "reason"));
		else if (err[0] == '\0')
			vec_fail(v, *base, "refused without a message");
		wallet_descriptor_free(d);
		vec_case_end(v);
	}
}

static void test_checksums(void **state)
{
	(void)state;
	struct json *j = ts_load_json("descriptors/bip380_386_389_descriptor_vectors.json");
	const struct json *cases = json_get(json_get(j, "bip380"), "checksum");
	struct vec v;
	vec_start(&v, "bip380/checksum");
	for (size_t i = 0; i < cases->count; i++) {
		const struct json *c = json_at(cases, i);
		const char *text = json_get_str(c, "descriptor");
		bool valid = json_get(c, "valid")->boolean;
		struct wallet_descriptor *d = NULL;
		char err[256];
		enum kb_rc rc = wallet_descriptor_parse(&d, KB_NET_MAIN, text, strlen(text), err, sizeof err);
		if (valid && rc != KB_OK)
			vec_fail(&v, i, "%s: refused: %s", json_get_str(c, "label"), err);
		if (!valid && rc == KB_OK)
			vec_fail(&v, i, "%s: accepted", json_get_str(c, "label"));
		if (valid && rc == KB_OK)
			check_roundtrip(&v, i, d, NULL);
		wallet_descriptor_free(d);
		vec_case_end(&v);
	}
	vec_finish(&v);
	json_free(j);
}

/* BIP380 key expressions, tested inside pkh() (which allows every key kind). */
static void test_key_expressions(void **state)
{
	(void)state;
	struct json *j = ts_load_json("descriptors/bip380_386_389_descriptor_vectors.json");
	const struct json *b = json_get(j, "bip380");
	struct vec v;
	vec_start(&v, "bip380/keys");
	const struct json *valid = json_get(b, "key_expressions_valid");
	const struct json *invalid = json_get(b, "key_expressions_invalid");
	size_t idx = 0;
	char why[128];
	for (size_t i = 0; i < valid->count; i++, idx++) {
		const char *key = json_get_str(json_at(valid, i), "key_expression");
		char *text = kb_malloc(strlen(key) + 8);
		snprintf(text, strlen(key) + 8, "pkh(%s)", key);
		const char *reason = out_of_scope(text, why, sizeof why);
		if (reason) {
			skip_case(&v, idx, text, reason, true);
			kb_free(text);
			continue;
		}
		struct wallet_descriptor *d = NULL;
		char err[256];
		enum kb_rc rc = wallet_descriptor_parse(&d, KB_NET_MAIN, text, strlen(text), err, sizeof err);
		if (rc != KB_OK)
			vec_fail(&v, idx, "%s: refused: %s", json_get_str(json_at(valid, i), "label"), err);
		else
			check_roundtrip(&v, idx, d, text);
		wallet_descriptor_free(d);
		kb_free(text);
		vec_case_end(&v);
	}
	for (size_t i = 0; i < invalid->count; i++, idx++) {
		const char *key = json_get_str(json_at(invalid, i), "key_expression");
		char *text = kb_malloc(strlen(key) + 8);
		snprintf(text, strlen(key) + 8, "pkh(%s)", key);
		struct wallet_descriptor *d = NULL;
		char err[256];
		enum kb_rc rc = wallet_descriptor_parse(&d, KB_NET_MAIN, text, strlen(text), err, sizeof err);
		if (rc == KB_OK)
			vec_fail(&v, idx, "%s: accepted", json_get_str(json_at(invalid, i), "label"));
		wallet_descriptor_free(d);
		kb_free(text);
		vec_case_end(&v);
	}
	vec_finish(&v);
	json_free(j);
}

static void test_descriptors(void **state)
{
	(void)state;
	struct json *j = ts_load_json("descriptors/bip380_386_389_descriptor_vectors.json");
	static const char *const sections[] = {
		"bip381", "bip382", "bip383", "bip384", "bip385", "bip386", "bip389",
	};
	struct vec v;
	vec_start(&v, "bip381-389");
	size_t base = 0;
	for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++) {
		const struct json *sec = json_get(j, sections[s]);
		assert_non_null(sec);
		run_section(sections[s], sec, &base, &v);
	}
	vec_finish(&v);
	json_free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksums),
		cmocka_unit_test(test_key_expressions),
		cmocka_unit_test(test_descriptors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
