/*
 * BIP143 worked examples (tests/data/bip143/bip143_examples.json): for
 * every sighash case the preimage must match byte for byte and its hash
 * the sigHash; every given signature must verify under its public key;
 * where a private key is given, our own signature must verify (and equal
 * the example's when that one is a low-R RFC6979 signature). The signed
 * transactions parse and round-trip.
 *
 * Inputs of a case (scriptCode, amount, hash type) come from its own
 * fields; the last example gives only the preimage, so they are read from
 * it (the comparison then checks the rest: prevouts, sequences, outputs).
 * The input index is the one whose outpoint the case names.
 */
#include "tests/support/testsupport.h"

#include "wallet/cursor.h"
#include "wallet/hex.h"
#include "wallet/mem.h"
#include "wallet/secp.h"
#include "wallet/sighash.h"
#include "wallet/sign.h"
#include "wallet/tx.h"

#include <stdio.h>
#include <string.h>

static int reproduced, verified, signed_ours;

struct preimage {
	uint8_t outpoint[36];
	const uint8_t *script; /* borrowed from the preimage bytes */
	size_t script_len;
	int64_t amount;
	uint32_t hash_type;
};

static bool split_preimage(struct preimage *pi, const uint8_t *p, size_t n)
{
	struct cursor c;
	cursor_init(&c, p, n);
	cursor_skip(&c, 4 + 32 + 32);
	cursor_bytes(&c, pi->outpoint, 36);
	pi->script_len = cursor_count(&c, n, 1);
	pi->script = cursor_ptr(&c, pi->script_len);
	pi->amount = cursor_i64le(&c);
	cursor_skip(&c, 4 + 32 + 4);
	pi->hash_type = cursor_u32le(&c);
	return cursor_done(&c);
}

static bool parse_tx_hex(struct vec *v, size_t i, struct wallet_tx *tx, const char *hex)
{
	size_t len;
	uint8_t *raw = ts_unhex(hex, &len);
	bool ok = wallet_tx_parse(tx, raw, len) == KB_OK;
	if (!ok) {
		vec_fail(v, i, "transaction does not parse");
	} else {
		struct buf b = BUF_INIT;
		wallet_tx_serialize(tx, &b, true);
		if (b.len != len || memcmp(b.p, raw, len) != 0)
			vec_fail(v, i, "transaction does not round-trip");
		buf_clear(&b);
	}
	kb_free(raw);
	return ok;
}

static const char *lookup(const struct json *sc, const struct json *in, const char *key)
{
	const char *s = json_get_str(sc, key);
	return s ? s : in ? json_get_str(in, key) : NULL;
}

static void check_signatures(struct vec *v, size_t ci, const struct json *sc,
                             const struct json *in, const struct hash256 *h, uint32_t hash_type)
{
	const char *sighex = json_get_str(sc, "signature");
	const char *pubhex = lookup(sc, in, "public_key");
	const char *privhex = lookup(sc, in, "private_key");
	uint8_t pub[65];
	size_t publen = 0;
	if (privhex) {
		/* the key lives in secret memory, as in the wallet */
		uint8_t *key = kb_secret_alloc(32);
		if (!wallet_hex_decode_exact(key, 32, privhex)) {
			vec_fail(v, ci, "bad private key hex");
			kb_secret_free(key);
			return;
		}
		secp256k1_pubkey pk;
		if (!secp256k1_ec_pubkey_create(wallet_secp(), &pk, key)) {
			vec_fail(v, ci, "private key invalid");
			kb_secret_free(key);
			return;
		}
		publen = sizeof pub;
		unsigned flags = pubhex && strlen(pubhex) == 130 ? SECP256K1_EC_UNCOMPRESSED
		                                                 : SECP256K1_EC_COMPRESSED;
		if (!secp256k1_ec_pubkey_serialize(wallet_secp(), pub, &publen, &pk, flags))
			publen = 0;
		if (pubhex && !vec_check_hex(v, ci, "public key of private key", pub, publen, pubhex))
			publen = 0;
		uint8_t sig[WALLET_SIGN_ECDSA_MAX];
		size_t siglen;
		enum kb_rc rc = wallet_sign_ecdsa(sig, &siglen, key, h, (uint8_t)hash_type);
		kb_secret_free(key);
		if (rc != KB_OK) {
			vec_fail(v, ci, "signing: %s", kb_rc_str(rc));
		} else {
			if (siglen > WALLET_SIGN_ECDSA_LOWR_MAX || sig[3] > 32 || sig[4] >= 0x80)
				vec_fail(v, ci, "our signature is not low-R (%zu bytes)", siglen);
			if (!wallet_sign_ecdsa_verify(pub, publen, h, sig, siglen - 1))
				vec_fail(v, ci, "our signature does not verify");
			/* a low-R example signature came from plain RFC6979: ours equals it */
			if (sighex && strlen(sighex) / 2 <= WALLET_SIGN_ECDSA_LOWR_MAX &&
			    strlen(sighex) / 2 == siglen &&
			    vec_check_hex(v, ci, "RFC6979 signature", sig, siglen, sighex))
				reproduced++;
			signed_ours++;
		}
	} else if (pubhex) {
		if (!wallet_hex_decode_exact(pub, strlen(pubhex) / 2, pubhex) ||
		    (strlen(pubhex) != 66 && strlen(pubhex) != 130))
			vec_fail(v, ci, "bad public key");
		else
			publen = strlen(pubhex) / 2;
	}
	if (!sighex)
		return;
	size_t siglen;
	uint8_t *sig = ts_unhex(sighex, &siglen);
	if (siglen < 2 || sig[siglen - 1] != (uint8_t)hash_type)
		vec_fail(v, ci, "signature's hash type byte differs from nHashType");
	else if (!publen)
		vec_fail(v, ci, "no public key for the signature");
	else if (!wallet_sign_ecdsa_verify(pub, publen, h, sig, siglen - 1))
		vec_fail(v, ci, "example signature does not verify");
	else
		verified++;
	kb_free(sig);
}

static void test_bip143(void **state)
{
	(void)state;
	struct json *j = ts_load_json("bip143/bip143_examples.json");
	const struct json *ex = json_get(j, "examples");
	assert_non_null(ex);
	struct vec v;
	vec_start(&v, "bip143");
	size_t ci = 0; /* case index: sighash cases numbered across examples */
	for (size_t e = 0; e < ex->count; e++) {
		const struct json *x = json_at(ex, e);
		const struct json *cases = json_get(x, "sighash_cases");
		const struct json *inputs = json_get(x, "inputs");
		const char *unsigned_hex = json_get_str(x, "unsigned_tx");
		const char *signed_hex = json_get_str(x, "signed_tx");
		struct wallet_tx tx, stx;
		bool have_tx = false, have_stx = false;
		wallet_tx_init(&tx);
		wallet_tx_init(&stx);
		if (signed_hex)
			have_stx = parse_tx_hex(&v, ci, &stx, signed_hex);
		const char *swapped = json_get_str(x, "signed_tx_swapped");
		if (swapped) {
			struct wallet_tx t2;
			if (parse_tx_hex(&v, ci, &t2, swapped))
				wallet_tx_clear(&t2);
		}
		if (unsigned_hex)
			have_tx = parse_tx_hex(&v, ci, &tx, unsigned_hex);
		const struct wallet_tx *t = have_tx ? &tx : have_stx ? &stx : NULL;
		if (have_tx && have_stx && (tx.in_count != stx.in_count || tx.out_count != stx.out_count))
			vec_fail(&v, ci, "signed and unsigned transactions differ in shape");
		for (size_t k = 0; cases && k < cases->count; k++, ci++) {
			const struct json *sc = json_at(cases, k);
			const char *prehex = json_get_str(sc, "preimage");
			const char *want = json_get_str(sc, "sigHash");
			if (!t || !prehex || !want) {
				vec_fail(&v, ci, "case lacks a transaction, preimage or sigHash");
				vec_case_end(&v);
				continue;
			}
			size_t plen;
			uint8_t *pre = ts_unhex(prehex, &plen);
			struct preimage pi;
			if (!split_preimage(&pi, pre, plen)) {
				vec_fail(&v, ci, "preimage does not split into BIP143 fields");
				kb_free(pre);
				vec_case_end(&v);
				continue;
			}
			/* fields given by the case take precedence over the preimage's */
			uint8_t *sc_bytes = NULL;
			const uint8_t *script = pi.script;
			size_t script_len = pi.script_len;
			const char *s = json_get_str(sc, "scriptCode");
			if (s) {
				size_t n;
				sc_bytes = ts_unhex(s, &n);
				struct cursor c;
				cursor_init(&c, sc_bytes, n);
				script_len = cursor_count(&c, n, 1);
				script = cursor_ptr(&c, script_len);
				if (!cursor_done(&c))
					vec_fail(&v, ci, "scriptCode is not one CompactSize string");
			}
			int64_t amount = pi.amount;
			uint32_t hash_type = pi.hash_type;
			uint8_t le[8];
			if ((s = json_get_str(sc, "amount")) && wallet_hex_decode_exact(le, 8, s)) {
				amount = 0;
				for (int b = 7; b >= 0; b--)
					amount = amount << 8 | le[b];
			}
			if ((s = json_get_str(sc, "nHashType")) && wallet_hex_decode_exact(le, 4, s))
				hash_type = (uint32_t)le[0] | (uint32_t)le[1] << 8 |
				            (uint32_t)le[2] << 16 | (uint32_t)le[3] << 24;
			size_t idx = t->in_count;
			for (size_t i = 0; i < t->in_count; i++) {
				struct buf op = BUF_INIT;
				wallet_tx_serialize_outpoint(&t->in[i].prevout, &op);
				if (memcmp(op.p, pi.outpoint, 36) == 0)
					idx = i;
				buf_clear(&op);
			}
			if (idx == t->in_count) {
				vec_fail(&v, ci, "no input spends the case's outpoint");
			} else {
				struct wallet_sighash_cache cache;
				wallet_sighash_cache_init(&cache, t, NULL, 0);
				struct buf b = BUF_INIT;
				struct hash256 h, h2;
				if (wallet_sighash_segwit_v0_preimage(&b, t, &cache, idx, script, script_len,
				                                      amount, hash_type) != KB_OK)
					vec_fail(&v, ci, "preimage refused");
				else
					(void)vec_check_hex(&v, ci, "preimage", b.p, b.len, prehex);
				buf_clear(&b);
				if (wallet_sighash_segwit_v0(&h, t, &cache, idx, script, script_len, amount,
				                             hash_type) != KB_OK ||
				    wallet_sighash_segwit_v0(&h2, t, NULL, idx, script, script_len, amount,
				                             hash_type) != KB_OK) {
					vec_fail(&v, ci, "sighash refused");
				} else {
					(void)vec_check_hex(&v, ci, "sigHash", h.b, 32, want);
					if (memcmp(h.b, h2.b, 32) != 0)
						vec_fail(&v, ci, "cached and uncached hashes differ");
					const struct json *in = NULL;
					if (inputs && inputs->count == t->in_count)
						in = json_at(inputs, idx);
					check_signatures(&v, ci, sc, in, &h, hash_type);
				}
			}
			kb_free(sc_bytes);
			kb_free(pre);
			vec_case_end(&v);
		}
		wallet_tx_clear(&tx);
		wallet_tx_clear(&stx);
	}
	printf("bip143: %d example signatures verified, %d signed by us, %d of those equal "
	       "the example's (low-R RFC6979)\n", verified, signed_ours, reproduced);
	vec_finish(&v);
	json_free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bip143),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
