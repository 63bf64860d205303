#include "tests/support/testsupport.h"

#include "wallet/hash.h"
#include "wallet/mem.h"
#include "wallet/psbt.h"
#include "wallet/secp.h"

#include <secp256k1.h>
#include <string.h>

static void test_misuse(void **state)
{
	(void)state;
	struct wallet_psbt p;
	char err[256];
	static const char *bad[] = { "", "psbt", "cHNidP8=", "not base64 !!", "cHNidP8BAAoCAAAAAAAAAAAA" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_not_equal(wallet_psbt_parse_any(&p, (const uint8_t *)bad[i], strlen(bad[i]), err, sizeof err), KB_OK);
		assert_int_equal(p.in_count + p.out_count + p.global.count, 0);
		assert_true(strlen(err) > 5);
	}
	/* bytes outside the base64 alphabet are refused, not decoded */
	const char hb[] = "cHNidP8B\xd8\xd8" "AAA=";
	assert_int_equal(wallet_psbt_parse_any(&p, (const uint8_t *)hb, strlen(hb), err, sizeof err), KB_EPARSE);
	/* magic then nothing: no separator */
	const uint8_t m[] = { 'p', 's', 'b', 't', 0xff };
	assert_int_equal(wallet_psbt_parse(&p, m, sizeof m, err, sizeof err), KB_EPARSE);
	/* a transaction with a scriptSig cannot be a PSBT's unsigned tx */
	struct wallet_tx tx;
	wallet_tx_init(&tx);
	struct wallet_outpoint op = { { { 1 } }, 0 };
	const uint8_t ss[] = { 0x51 };
	wallet_tx_add_input(&tx, &op, ss, 1, 0xfffffffd);
	assert_int_equal(wallet_psbt_from_tx(&p, &tx), KB_EINVAL);
	wallet_psbt_clear(&p);
	wallet_tx_clear(&tx);
}

static void sign_digest(uint8_t *der, size_t *derlen, uint8_t pub[33], const uint8_t seckey[32])
{
	secp256k1_pubkey pk;
	secp256k1_ecdsa_signature sig;
	uint8_t msg[32] = { 7 };
	assert_true(secp256k1_ec_pubkey_create(wallet_secp(), &pk, seckey));
	size_t publen = 33;
	secp256k1_ec_pubkey_serialize(wallet_secp(), pub, &publen, &pk, SECP256K1_EC_COMPRESSED);
	assert_true(secp256k1_ecdsa_sign(wallet_secp(), &sig, msg, seckey, NULL, NULL));
	*derlen = 72;
	secp256k1_ecdsa_signature_serialize_der(wallet_secp(), der, derlen, &sig);
	der[(*derlen)++] = 0x01;
}

static void test_create_finalize_extract(void **state)
{
	(void)state;
	uint8_t seckey[32];
	memset(seckey, 0x11, 32);
	uint8_t pub[33], der[74], h160[20];
	size_t derlen;
	sign_digest(der, &derlen, pub, seckey);
	wallet_hash_hash160(h160, pub, 33);

	struct wallet_tx tx;
	wallet_tx_init(&tx);
	struct wallet_outpoint op = { { { 9 } }, 1 };
	wallet_tx_add_input(&tx, &op, NULL, 0, 0xfffffffd);
	uint8_t spk[22] = { 0x00, 0x14 };
	memcpy(spk + 2, h160, 20);
	wallet_tx_add_output(&tx, 90000, spk, sizeof spk);

	struct wallet_psbt p;
	assert_int_equal(wallet_psbt_from_tx(&p, &tx), KB_OK);
	int64_t fee;
	assert_int_equal(wallet_psbt_fee(&p, &fee), KB_ENOTFOUND);
	assert_int_equal(wallet_psbt_finalize(&p), KB_EAGAIN);

	/* witness UTXO: 100000 sat to our P2WPKH */
	struct buf wu = BUF_INIT;
	buf_u64le(&wu, 100000);
	buf_varbytes(&wu, spk, sizeof spk);
	uint8_t k = PSBT_IN_WITNESS_UTXO;
	wallet_psbt_map_set(&p.in[0], &k, 1, wu.p, wu.len);
	assert_int_equal(wallet_psbt_fee(&p, &fee), KB_OK);
	assert_true(fee == 10000);

	uint8_t key[34];
	key[0] = PSBT_IN_PARTIAL_SIG;
	memcpy(key + 1, pub, 33);
	wallet_psbt_map_set(&p.in[0], key, 34, der, derlen);

	/* serialise, parse back: the records survive */
	struct buf b64 = BUF_INIT;
	wallet_psbt_to_base64(&p, &b64);
	struct wallet_psbt q;
	char err[256];
	assert_int_equal(wallet_psbt_parse_any(&q, b64.p, b64.len, err, sizeof err), KB_OK);
	assert_int_equal(q.in[0].count, 2);
	assert_true(wallet_psbt_map_get(&q.in[0], key, 34) != NULL);

	assert_int_equal(wallet_psbt_finalize(&q), KB_OK);
	assert_true(wallet_psbt_input_final(&q, 0));
	assert_null(wallet_psbt_map_get(&q.in[0], key, 34)); /* partial sigs dropped */
	assert_non_null(wallet_psbt_map_get_type(&q.in[0], PSBT_IN_WITNESS_UTXO));

	struct wallet_tx out;
	assert_int_equal(wallet_psbt_extract(&q, &out, err, sizeof err), KB_OK);
	assert_int_equal(out.in[0].witness_count, 2);
	assert_int_equal(out.in[0].witness[1].len, 33);
	assert_memory_equal(out.in[0].witness[1].p, pub, 33);
	wallet_tx_clear(&out);

	/* combining with a PSBT of another transaction is refused */
	struct wallet_tx other;
	wallet_tx_copy(&other, &tx);
	other.locktime = 5;
	struct wallet_psbt r;
	assert_int_equal(wallet_psbt_from_tx(&r, &other), KB_OK);
	assert_int_equal(wallet_psbt_combine(&p, &r, err, sizeof err), KB_EINVAL);
	wallet_psbt_clear(&r);
	wallet_tx_clear(&other);

	/* a non-witness UTXO that disagrees with the witness UTXO is caught */
	struct wallet_tx prev;
	wallet_tx_init(&prev);
	struct wallet_outpoint pop = { { { 3 } }, 0 };
	wallet_tx_add_input(&prev, &pop, NULL, 0, 0xffffffff);
	wallet_tx_add_output(&prev, 1, spk, sizeof spk);
	wallet_tx_add_output(&prev, 5000, spk, sizeof spk); /* not 100000 */
	struct hash256 ptxid;
	wallet_tx_txid(&prev, &ptxid);
	struct wallet_tx tx2;
	wallet_tx_init(&tx2);
	struct wallet_outpoint op2 = { ptxid, 1 };
	wallet_tx_add_input(&tx2, &op2, NULL, 0, 0xfffffffd);
	wallet_tx_add_output(&tx2, 1000, spk, sizeof spk);
	struct wallet_psbt s;
	assert_int_equal(wallet_psbt_from_tx(&s, &tx2), KB_OK);
	struct buf raw = BUF_INIT;
	wallet_tx_serialize(&prev, &raw, true);
	k = PSBT_IN_NON_WITNESS_UTXO;
	wallet_psbt_map_set(&s.in[0], &k, 1, raw.p, raw.len);
	struct buf got = BUF_INIT;
	int64_t v;
	assert_int_equal(wallet_psbt_input_utxo(&s, 0, &v, &got), KB_OK);
	assert_true(v == 5000);
	k = PSBT_IN_WITNESS_UTXO;
	wallet_psbt_map_set(&s.in[0], &k, 1, wu.p, wu.len); /* claims 100000 */
	assert_int_equal(wallet_psbt_input_utxo(&s, 0, &v, &got), KB_EPARSE);
	assert_true(v == 0);
	buf_clear(&got);
	buf_clear(&raw);
	wallet_psbt_clear(&s);
	wallet_tx_clear(&tx2);
	wallet_tx_clear(&prev);

	wallet_psbt_clear(&q);
	wallet_psbt_clear(&p);
	buf_clear(&b64);
	buf_clear(&wu);
	wallet_tx_clear(&tx);
}

static void test_map_order(void **state)
{
	(void)state;
	struct wallet_psbt_map m = { 0 };
	const uint8_t k3[] = { 3 }, k1[] = { 1 }, k2a[] = { 2, 9 }, k2[] = { 2 };
	wallet_psbt_map_set(&m, k3, 1, (const uint8_t *)"c", 1);
	wallet_psbt_map_set(&m, k1, 1, (const uint8_t *)"a", 1);
	wallet_psbt_map_set(&m, k2a, 2, (const uint8_t *)"x", 1);
	wallet_psbt_map_set(&m, k2, 1, (const uint8_t *)"b", 1);
	wallet_psbt_map_set(&m, k1, 1, (const uint8_t *)"A", 1); /* replace */
	assert_int_equal(m.count, 4);
	assert_int_equal(m.kv[0].key[0], 1);
	assert_int_equal(m.kv[0].val[0], 'A');
	assert_int_equal(m.kv[1].keylen, 1);
	assert_int_equal(m.kv[2].keylen, 2);
	assert_int_equal(m.kv[3].key[0], 3);
	wallet_psbt_map_del_type(&m, 2);
	assert_int_equal(m.count, 2);
	struct wallet_psbt p;
	wallet_psbt_init(&p);
	p.global = m;
	wallet_psbt_clear(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_map_order),
		cmocka_unit_test(test_create_finalize_extract),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
