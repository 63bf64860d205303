/*
 * BIP173 and BIP350 test vectors (tests/data/bech32): plain bech32/bech32m
 * strings, segwit addresses, and the invalid lists. Each string is taken
 * from string_hex, the exact bytes (some contain control or non-ASCII
 * bytes the JSON text cannot show).
 *
 * valid_segwit_addresses_pre_bip350 holds BIP173's original list: its
 * version 0 entries are still valid, its version 1+ entries (bech32, not
 * bech32m) are invalid since BIP350 and must be rejected as a bech32 vs
 * bech32m mix-up.
 */
#include "tests/support/testsupport.h"

#include "wallet/address.h"
#include "wallet/bech32.h"
#include "wallet/hex.h"
#include "wallet/mem.h"
#include "wallet/script.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The case's exact bytes as a NUL-terminated string (caller frees). */
static char *case_string(const struct json *c, size_t *len)
{
	uint8_t *b = ts_unhex(json_get_str(c, "string_hex"), len);
	char *s = kb_malloc(*len + 1);
	memcpy(s, b, *len);
	s[*len] = '\0';
	kb_free(b);
	return s;
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static const struct json *section(const struct json *j, const char *bip, const char *name)
{
	const struct json *s = json_get(json_get(j, bip), name);
	if (!s || !json_is(s, JSON_ARRAY))
		fail_msg("missing section %s.%s", bip, name);
	return s;
}

static void run_valid_plain(const struct json *j, const char *bip, const char *name,
                            enum wallet_bech32_enc want)
{
	const struct json *cases = section(j, bip, name);
	struct vec v;
	vec_start(&v, name);
	for (size_t i = 0; i < cases->count; i++) {
		size_t len;
		char *s = case_string(json_at(cases, i), &len);
		char hrp[WALLET_BECH32_HRP_MAX + 1], out[WALLET_BECH32_MAX + 1];
		uint8_t d[WALLET_BECH32_MAX];
		size_t n;
		enum wallet_bech32_enc enc;
		enum wallet_bech32_err why;
		enum kb_rc rc = wallet_bech32_decode(hrp, sizeof hrp, d, sizeof d, &n, &enc, &why, s, len);
		if (rc != KB_OK) {
			vec_fail(&v, i, "%s: decode failed (rc %d, why %d)", s, rc, why);
		} else {
			if (enc != want)
				vec_fail(&v, i, "%s: encoding %d, want %d", s, enc, want);
			rc = wallet_bech32_encode(out, sizeof out, hrp, d, n, enc);
			lower(s);
			if (rc != KB_OK || strcmp(out, s) != 0)
				vec_fail(&v, i, "re-encode gives %s (rc %d)", out, rc);
			/* one flipped data character must break the checksum */
			s[len - 1] = s[len - 1] == 'q' ? 'p' : 'q';
			if (wallet_bech32_decode(hrp, sizeof hrp, d, sizeof d, &n, &enc, &why, s, len) != KB_ECHECKSUM)
				vec_fail(&v, i, "a changed checksum character still decodes");
		}
		kb_free(s);
		vec_case_end(&v);
	}
	vec_finish(&v);
}

static void run_invalid_plain(const struct json *j, const char *bip, const char *name)
{
	const struct json *cases = section(j, bip, name);
	struct vec v;
	vec_start(&v, name);
	for (size_t i = 0; i < cases->count; i++) {
		size_t len;
		const struct json *c = json_at(cases, i);
		char *s = case_string(c, &len);
		char hrp[WALLET_BECH32_HRP_MAX + 1];
		uint8_t d[WALLET_BECH32_MAX];
		size_t n;
		enum wallet_bech32_enc enc;
		enum wallet_bech32_err why;
		/* invalid under either constant */
		if (wallet_bech32_decode(hrp, sizeof hrp, d, sizeof d, &n, &enc, &why, s, len) == KB_OK)
			vec_fail(&v, i, "%s (%s) decodes", json_get_str(c, "string_hex"),
			         json_get_str(c, "reason"));
		else if (n != 0 || enc != WALLET_BECH32_NONE || hrp[0] != '\0')
			vec_fail(&v, i, "outputs not cleared on failure");
		kb_free(s);
		vec_case_end(&v);
	}
	vec_finish(&v);
}

/* The network an address of hrp belongs to, for wallet_address_decode. */
static bool hrp_net(const char *hrp, enum kb_net *net)
{
	if (strcmp(hrp, "bc") == 0)
		*net = KB_NET_MAIN;
	else if (strcmp(hrp, "tb") == 0)
		*net = KB_NET_TEST3;
	else
		return false;
	return true;
}

static void check_valid_segwit(struct vec *v, size_t i, const struct json *c)
{
	size_t len;
	char *s = case_string(c, &len);
	const char *want = json_get_str(c, "scriptPubKey");
	struct wallet_segwit_addr a;
	uint8_t spk[WALLET_SPK_MAX];
	size_t spk_len = 0;
	char out[WALLET_ADDRESS_MAX], err[160];
	enum kb_net net;

	if (wallet_segwit_addr_decode(&a, s, len) != KB_OK) {
		vec_fail(v, i, "%s: decode failed (why %d)", s, a.why);
		goto done;
	}
	if (wallet_script_witness(spk, sizeof spk, &spk_len, a.witver, a.prog, a.proglen) != KB_OK) {
		vec_fail(v, i, "no script");
		goto done;
	}
	vec_check_hex(v, i, "scriptPubKey", spk, spk_len, want);
	if (wallet_segwit_addr_encode(out, sizeof out, a.hrp, a.witver, a.prog, a.proglen) != KB_OK)
		vec_fail(v, i, "re-encode failed");
	lower(s);
	if (strcmp(out, s) != 0)
		vec_fail(v, i, "re-encode gives %s", out);
	/* and through the address layer, on its network */
	if (!hrp_net(a.hrp, &net)) {
		vec_fail(v, i, "unexpected hrp %s", a.hrp);
		goto done;
	}
	if (wallet_address_decode(spk, sizeof spk, &spk_len, net, s, err, sizeof err) != KB_OK)
		vec_fail(v, i, "wallet_address_decode: %s", err);
	else
		vec_check_hex(v, i, "address scriptPubKey", spk, spk_len, want);
	if (wallet_address_encode(out, sizeof out, net, spk, spk_len) != KB_OK || strcmp(out, s) != 0)
		vec_fail(v, i, "wallet_address_encode gives %s", out);
done:
	kb_free(s);
}

static void check_invalid_address(struct vec *v, size_t i, const char *s, size_t len,
                                  const char *reason)
{
	struct wallet_segwit_addr a;
	enum kb_net net;
	if (wallet_segwit_addr_decode(&a, s, len) == KB_OK && hrp_net(a.hrp, &net))
		vec_fail(v, i, "%s (%s) decodes as a segwit address", s, reason);
	for (int k = 0; k < KB_NET_COUNT; k++) {
		uint8_t spk[WALLET_SPK_MAX];
		size_t spk_len = 99;
		char err[160];
		enum kb_rc rc = wallet_address_decode(spk, sizeof spk, &spk_len, (enum kb_net)k, s,
		                                      err, sizeof err);
		if (rc == KB_OK || spk_len != 0 || err[0] == '\0')
			vec_fail(v, i, "%s (%s) accepted on %s", s, reason,
			         kb_net_params((enum kb_net)k)->name);
	}
}

static void test_bip173(void **state)
{
	(void)state;
	struct json *j = ts_load_json("bech32/bip173_bip350_vectors.json");
	run_valid_plain(j, "bip173", "valid_bech32", WALLET_BECH32);
	run_invalid_plain(j, "bip173", "invalid_bech32");
	json_free(j);
}

static void test_bip350(void **state)
{
	(void)state;
	struct json *j = ts_load_json("bech32/bip173_bip350_vectors.json");
	run_valid_plain(j, "bip350", "valid_bech32m", WALLET_BECH32M);
	run_invalid_plain(j, "bip350", "invalid_bech32m");
	json_free(j);
}

static void test_valid_segwit(void **state)
{
	(void)state;
	struct json *j = ts_load_json("bech32/bip173_bip350_vectors.json");
	const struct json *cases = section(j, "bip350", "valid_segwit_addresses");
	struct vec v;
	vec_start(&v, "valid_segwit_addresses");
	for (size_t i = 0; i < cases->count; i++) {
		check_valid_segwit(&v, i, json_at(cases, i));
		vec_case_end(&v);
	}
	vec_finish(&v);
	json_free(j);
}

static void run_invalid_segwit(const char *bip)
{
	struct json *j = ts_load_json("bech32/bip173_bip350_vectors.json");
	const struct json *cases = section(j, bip, "invalid_segwit_addresses");
	struct vec v;
	vec_start(&v, strcmp(bip, "bip173") == 0 ? "bip173/invalid_segwit_addresses"
	                                          : "bip350/invalid_segwit_addresses");
	for (size_t i = 0; i < cases->count; i++) {
		const struct json *c = json_at(cases, i);
		size_t len;
		char *s = case_string(c, &len);
		check_invalid_address(&v, i, s, len, json_get_str(c, "reason"));
		kb_free(s);
		vec_case_end(&v);
	}
	vec_finish(&v);
	json_free(j);
}

static void test_invalid_segwit_173(void **state)
{
	(void)state;
	run_invalid_segwit("bip173");
}

static void test_invalid_segwit_350(void **state)
{
	(void)state;
	run_invalid_segwit("bip350");
}

static void test_pre_bip350(void **state)
{
	(void)state;
	struct json *j = ts_load_json("bech32/bip173_bip350_vectors.json");
	const struct json *cases = section(j, "bip173", "valid_segwit_addresses_pre_bip350");
	struct vec v;
	vec_start(&v, "valid_segwit_addresses_pre_bip350");
	for (size_t i = 0; i < cases->count; i++) {
		const struct json *c = json_at(cases, i);
		const char *spk = json_get_str(c, "scriptPubKey");
		if (strncmp(spk, "00", 2) == 0) {
			/* witness version 0: unchanged by BIP350 */
			check_valid_segwit(&v, i, c);
		} else {
			size_t len;
			char *s = case_string(c, &len);
			struct wallet_segwit_addr a;
			enum kb_rc rc = wallet_segwit_addr_decode(&a, s, len);
			if (rc != KB_ECHECKSUM || a.why != WALLET_SEGWIT_EWANT_BECH32M)
				vec_fail(&v, i, "%s: rc %d why %d, want a bech32m mix-up", s, rc, a.why);
			check_invalid_address(&v, i, s, len, "v1+ with bech32");
			kb_free(s);
		}
		vec_case_end(&v);
	}
	vec_finish(&v);
	json_free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bip173),
		cmocka_unit_test(test_bip350),
		cmocka_unit_test(test_valid_segwit),
		cmocka_unit_test(test_invalid_segwit_173),
		cmocka_unit_test(test_invalid_segwit_350),
		cmocka_unit_test(test_pre_bip350),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
