/* wallet/tx: parsing limits and malformed input first, then round trips. */
#include "tests/support/testsupport.h"

#include "wallet/hex.h"
#include "wallet/mem.h"
#include "wallet/tx.h"

#include <stdlib.h>
#include <string.h>

/* The genesis block's coinbase (legacy form). */
static const char *GENESIS_CB =
	"01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff"
	"4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72"
	"206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff"
	"0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f"
	"61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000";
static const char *GENESIS_TXID =
	"4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b";

/* BIP143's signed native P2WPKH example (one legacy, one segwit input). */
static const char *SEGWIT_TX =
	"01000000000102fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f0000"
	"0000494830450221008b9d1dc26ba6a9cb62127b02742fa9d754cd3bebf337f7a55d114c8e5cdd30be"
	"022040529b194ba3f9281a99f2b1c0a19c0489bc22ede944ccf4ecbab4cc618ef3ed01eeffffffef51"
	"e1b804cc89d182d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff0220"
	"2cb206000000001976a9148280b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d00000000"
	"1976a9143bde42dbee7e4dbe6a21b2d50ce2f0167faa815988ac000247304402203609e17b84f6a7d3"
	"0c80bfa610b5b4542f32a8a0d5447a12fb1366d7f01cc44a0220573a954c4518331561406f90300e8f"
	"3358f51928d43c212a8caed02de67eebee0121025476c2e83188368da1ff3e292e7acafcdb3566bb0a"
	"d253f62fc70f07aeee635711000000";

#define IN_HEX "1111111111111111111111111111111111111111111111111111111111111111" "00000000" "00" "ffffffff"
#define OUT_HEX "0100000000000000" "0151"

static enum kb_rc parse_hex(struct wallet_tx *tx, const char *hex)
{
	size_t len;
	uint8_t *p = ts_unhex(hex, &len);
	enum kb_rc rc = wallet_tx_parse(tx, p, len);
	kb_free(p);
	return rc;
}

static void assert_empty(const struct wallet_tx *tx)
{
	assert_null(tx->in);
	assert_null(tx->out);
	assert_int_equal(tx->in_count, 0);
	assert_int_equal(tx->out_count, 0);
}

static void test_parse_malformed(void **state)
{
	(void)state;
	struct wallet_tx tx;
	assert_int_equal(wallet_tx_parse(&tx, (const uint8_t *)"", 0), KB_EPARSE);
	assert_empty(&tx);
	/* a flag other than 1 */
	assert_int_equal(parse_hex(&tx, "02000000" "0002" "01" IN_HEX "01" OUT_HEX "00000000"), KB_EPARSE);
	assert_empty(&tx);
	/* flag 1 and every witness empty: superfluous witness record */
	assert_int_equal(parse_hex(&tx, "02000000" "0001" "01" IN_HEX "01" OUT_HEX "00" "00000000"), KB_EPARSE);
	assert_empty(&tx);
	/* ... while one witness item makes it valid */
	assert_int_equal(parse_hex(&tx, "02000000" "0001" "01" IN_HEX "01" OUT_HEX "01" "0151" "00000000"), KB_OK);
	assert_true(wallet_tx_has_witness(&tx));
	wallet_tx_clear(&tx);
	/* non-minimal CompactSize for the input count and for a script length */
	assert_int_equal(parse_hex(&tx, "02000000" "fd0100" IN_HEX "01" OUT_HEX "00000000"), KB_EPARSE);
	assert_int_equal(parse_hex(&tx, "02000000" "01" IN_HEX "01" "0100000000000000" "fd0100" "51" "00000000"), KB_EPARSE);
	/* counts far beyond the bytes left fail before any allocation */
	assert_int_equal(parse_hex(&tx, "02000000" "ffffffffffffffffff" "00000000"), KB_EPARSE);
	assert_int_equal(parse_hex(&tx, "02000000" "02" IN_HEX "01" OUT_HEX "00000000"), KB_EPARSE);
	assert_int_equal(parse_hex(&tx, "02000000" "01" IN_HEX "fe00000100" OUT_HEX "00000000"), KB_EPARSE);
	assert_int_equal(parse_hex(&tx, "02000000" "0001" "01" IN_HEX "01" OUT_HEX "fdff00" "00000000"), KB_EPARSE);
	/* trailing byte */
	assert_int_equal(parse_hex(&tx, "02000000" "01" IN_HEX "01" OUT_HEX "00000000" "00"), KB_EPARSE);
	assert_empty(&tx);

	/* every strict prefix of a valid transaction fails */
	size_t len;
	uint8_t *p = ts_unhex(SEGWIT_TX, &len);
	for (size_t n = 0; n < len; n++) {
		enum kb_rc rc = wallet_tx_parse(&tx, p, n);
		if (rc == KB_OK)
			fail_msg("prefix of %zu bytes parsed", n);
		assert_empty(&tx);
	}
	kb_free(p);

	/* the error text says why */
	char err[128];
	p = ts_unhex("02000000" "0001" "01" IN_HEX "01" OUT_HEX "00" "00000000", &len);
	assert_int_equal(wallet_tx_parse_err(&tx, p, len, err, sizeof err), KB_EPARSE);
	assert_non_null(strstr(err, "superfluous"));
	kb_free(p);
}

static void test_parse_limits(void **state)
{
	(void)state;
	struct wallet_tx tx;
	/* longer than the cap: refused before parsing */
	uint8_t *big = kb_calloc(WALLET_TX_MAX_SIZE + 1, 1);
	assert_int_equal(wallet_tx_parse(&tx, big, WALLET_TX_MAX_SIZE + 1), KB_ELIMIT);
	assert_empty(&tx);
	kb_free(big);

	/* a well-formed transaction one byte over the cap, from a cursor */
	struct wallet_tx t;
	wallet_tx_init(&t);
	struct wallet_outpoint op = { { { 1 } }, 0 };
	(void)wallet_tx_add_input(&t, &op, NULL, 0, 0);
	size_t base = wallet_tx_serialized_len(&t, true) + 8 + 5; /* + value, 5-byte length */
	size_t spk_len = WALLET_TX_MAX_SIZE + 1 - base;
	uint8_t *spk = kb_calloc(spk_len, 1);
	(void)wallet_tx_add_output(&t, 1, spk, spk_len);
	kb_free(spk);
	struct buf b = BUF_INIT;
	wallet_tx_serialize(&t, &b, true);
	assert_int_equal(b.len, WALLET_TX_MAX_SIZE + 1);
	struct cursor c;
	cursor_init(&c, b.p, b.len);
	assert_int_equal(wallet_tx_parse_cursor(&tx, &c), KB_ELIMIT);
	assert_false(cursor_ok(&c));
	assert_empty(&tx);
	/* one byte shorter script: exactly at the cap, accepted */
	wallet_tx_clear(&t);
	wallet_tx_init(&t);
	(void)wallet_tx_add_input(&t, &op, NULL, 0, 0);
	spk = kb_calloc(spk_len - 1, 1);
	(void)wallet_tx_add_output(&t, 1, spk, spk_len - 1);
	kb_free(spk);
	buf_reset(&b);
	wallet_tx_serialize(&t, &b, true);
	assert_int_equal(b.len, WALLET_TX_MAX_SIZE);
	assert_int_equal(wallet_tx_parse(&tx, b.p, b.len), KB_OK);
	wallet_tx_clear(&tx);
	wallet_tx_clear(&t);
	buf_clear(&b);
}

static void test_zero_inputs(void **state)
{
	(void)state;
	struct wallet_tx tx;
	/* no inputs and no outputs: the byte after the empty input list is 0,
	 * so it reads as legacy (as Core does) and round-trips */
	assert_int_equal(parse_hex(&tx, "01000000" "00" "00" "00000000"), KB_OK);
	assert_int_equal(tx.in_count, 0);
	assert_int_equal(tx.out_count, 0);
	struct buf b = BUF_INIT;
	wallet_tx_serialize(&tx, &b, true);
	assert_int_equal(b.len, 10);
	wallet_tx_clear(&tx);
	buf_clear(&b);
	/* no inputs but an output: the legacy bytes read as marker + flag 1,
	 * which Core cannot parse either */
	assert_int_equal(parse_hex(&tx, "01000000" "00" "01" OUT_HEX "00000000"), KB_EPARSE);
}

static void test_genesis_coinbase(void **state)
{
	(void)state;
	struct wallet_tx tx;
	size_t len;
	uint8_t *raw = ts_unhex(GENESIS_CB, &len);
	assert_int_equal(wallet_tx_parse(&tx, raw, len), KB_OK);
	assert_true(wallet_tx_is_coinbase(&tx));
	assert_false(wallet_tx_has_witness(&tx));
	assert_int_equal(tx.version, 1);
	assert_int_equal(tx.out[0].value, 5000000000LL);
	struct hash256 id, wid;
	wallet_tx_txid(&tx, &id);
	wallet_tx_wtxid(&tx, &wid);
	char hex[65];
	wallet_hex_encode_rev(hex, sizeof hex, id.b, 32);
	assert_string_equal(hex, GENESIS_TXID);
	assert_memory_equal(id.b, wid.b, 32);
	assert_int_equal(wallet_tx_weight(&tx), len * 4);
	assert_int_equal(wallet_tx_vsize(&tx), len);
	char err[64];
	assert_int_equal(wallet_tx_check(&tx, err, sizeof err), KB_OK);
	assert_string_equal(err, "");
	wallet_tx_clear(&tx);
	kb_free(raw);
}

static void test_segwit_sizes(void **state)
{
	(void)state;
	struct wallet_tx tx;
	size_t len;
	uint8_t *raw = ts_unhex(SEGWIT_TX, &len);
	assert_int_equal(wallet_tx_parse(&tx, raw, len), KB_OK);
	size_t base = wallet_tx_serialized_len(&tx, false);
	/* marker+flag (2) + witness (1 + 1+71 + 1+33 for input 1, 1 for input 0) */
	assert_int_equal(len - base, 2 + 1 + (1 + 1 + 71 + 1 + 33));
	assert_int_equal(wallet_tx_weight(&tx), base * 3 + len);
	assert_int_equal(wallet_tx_vsize(&tx), (base * 3 + len + 3) / 4);
	struct hash256 id, wid;
	wallet_tx_txid(&tx, &id);
	wallet_tx_wtxid(&tx, &wid);
	assert_memory_not_equal(id.b, wid.b, 32);
	/* without the witness the wtxid becomes the txid */
	wallet_tx_set_witness(&tx, 1, NULL, NULL, 0);
	assert_false(wallet_tx_has_witness(&tx));
	wallet_tx_wtxid(&tx, &wid);
	assert_memory_equal(id.b, wid.b, 32);
	assert_int_equal(wallet_tx_weight(&tx), base * 4);
	wallet_tx_clear(&tx);
	kb_free(raw);
}

static void test_cursor_sequence(void **state)
{
	(void)state;
	/* two transactions back to back, as in a block */
	size_t n1, n2;
	uint8_t *a = ts_unhex(SEGWIT_TX, &n1);
	uint8_t *g = ts_unhex(GENESIS_CB, &n2);
	struct buf b = BUF_INIT;
	buf_bytes(&b, a, n1);
	buf_bytes(&b, g, n2);
	struct cursor c;
	cursor_init(&c, b.p, b.len);
	struct wallet_tx t1, t2, t3;
	assert_int_equal(wallet_tx_parse_cursor(&t1, &c), KB_OK);
	assert_int_equal(c.n, n2);
	assert_int_equal(wallet_tx_parse_cursor(&t2, &c), KB_OK);
	assert_true(cursor_done(&c));
	assert_true(wallet_tx_has_witness(&t1));
	assert_true(wallet_tx_is_coinbase(&t2));
	/* nothing left: a further read fails and the cursor is failed */
	assert_int_equal(wallet_tx_parse_cursor(&t3, &c), KB_EPARSE);
	assert_false(cursor_ok(&c));
	assert_empty(&t3);
	/* a failed cursor stays failed */
	cursor_init(&c, b.p, b.len);
	cursor_fail(&c);
	assert_int_equal(wallet_tx_parse_cursor(&t3, &c), KB_EPARSE);
	wallet_tx_clear(&t1);
	wallet_tx_clear(&t2);
	buf_clear(&b);
	kb_free(a);
	kb_free(g);
}

static void test_build(void **state)
{
	(void)state;
	struct wallet_tx tx;
	wallet_tx_init(&tx);
	assert_int_equal(tx.version, 2);
	struct wallet_outpoint op;
	memset(&op, 0x22, sizeof op);
	op.n = 7;
	static const uint8_t spk[] = { 0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
	                               11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
	assert_int_equal(wallet_tx_add_input(&tx, &op, NULL, 0, 0xfffffffd), 0);
	op.n = 8;
	assert_int_equal(wallet_tx_add_input(&tx, &op, NULL, 0, 0xfffffffd), 1);
	assert_int_equal(wallet_tx_add_output(&tx, 12345, spk, sizeof spk), 0);
	tx.locktime = 800000;
	static const uint8_t sig[72] = { 0x30 }, pub[33] = { 0x02 };
	const uint8_t *items[2] = { sig, pub };
	size_t lens[2] = { sizeof sig, sizeof pub };
	wallet_tx_set_witness(&tx, 1, items, lens, 2);
	/* replace, then empty item */
	wallet_tx_set_witness(&tx, 0, items, lens, 1);
	const uint8_t *none[1] = { NULL };
	size_t zero[1] = { 0 };
	wallet_tx_set_witness(&tx, 0, none, zero, 1);
	assert_int_equal(tx.in[0].witness_count, 1);
	assert_int_equal(tx.in[0].witness[0].len, 0);
	static const uint8_t ss[] = { 0x51 };
	wallet_tx_set_script_sig(&tx, 0, ss, 1);
	wallet_tx_set_script_sig(&tx, 0, NULL, 0);
	assert_int_equal(tx.in[0].script_sig.len, 0);

	struct buf b = BUF_INIT;
	wallet_tx_serialize(&tx, &b, true);
	assert_int_equal(b.len, wallet_tx_serialized_len(&tx, true));
	struct wallet_tx back;
	assert_int_equal(wallet_tx_parse(&back, b.p, b.len), KB_OK);
	assert_int_equal(back.locktime, 800000);
	assert_int_equal(back.in[1].witness_count, 2);
	assert_int_equal(back.in[0].sequence, 0xfffffffd);
	assert_int_equal(back.out[0].value, 12345);
	struct buf b2 = BUF_INIT;
	wallet_tx_serialize(&back, &b2, true);
	assert_int_equal(b.len, b2.len);
	assert_memory_equal(b.p, b2.p, b.len);
	/* legacy form on request */
	buf_reset(&b2);
	wallet_tx_serialize(&back, &b2, false);
	assert_int_equal(b2.len, wallet_tx_serialized_len(&back, false));
	assert_true(b2.len < b.len);
	wallet_tx_clear(&back);
	wallet_tx_clear(&tx);
	/* clear leaves an initialised, reusable transaction */
	assert_empty(&tx);
	wallet_tx_clear(&tx);
	buf_clear(&b);
	buf_clear(&b2);
}

static void test_check(void **state)
{
	(void)state;
	struct wallet_tx tx;
	char err[64];
	wallet_tx_init(&tx);
	assert_int_equal(wallet_tx_check(&tx, err, sizeof err), KB_ECONSENSUS);
	assert_string_equal(err, "bad-txns-vin-empty");
	struct wallet_outpoint op = { { { 9 } }, 1 };
	(void)wallet_tx_add_input(&tx, &op, NULL, 0, 0);
	assert_int_equal(wallet_tx_check(&tx, err, sizeof err), KB_ECONSENSUS);
	assert_string_equal(err, "bad-txns-vout-empty");
	(void)wallet_tx_add_output(&tx, WALLET_TX_MAX_MONEY, NULL, 0);
	assert_int_equal(wallet_tx_check(&tx, NULL, 0), KB_OK);
	(void)wallet_tx_add_output(&tx, 1, NULL, 0);
	assert_int_equal(wallet_tx_check(&tx, err, sizeof err), KB_ECONSENSUS);
	assert_string_equal(err, "bad-txns-txouttotal-toolarge");
	tx.out[1].value = -1;
	assert_int_equal(wallet_tx_check(&tx, err, sizeof err), KB_ECONSENSUS);
	assert_string_equal(err, "bad-txns-vout-negative");
	tx.out[1].value = WALLET_TX_MAX_MONEY + 1;
	assert_int_equal(wallet_tx_check(&tx, err, sizeof err), KB_ECONSENSUS);
	assert_string_equal(err, "bad-txns-vout-toolarge");
	tx.out[1].value = 0;
	tx.out[0].value = 0;
	(void)wallet_tx_add_input(&tx, &op, NULL, 0, 0);
	assert_int_equal(wallet_tx_check(&tx, err, sizeof err), KB_ECONSENSUS);
	assert_string_equal(err, "bad-txns-inputs-duplicate");
	tx.in[1].prevout.n = 2;
	assert_int_equal(wallet_tx_check(&tx, err, sizeof err), KB_OK);
	memset(tx.in[1].prevout.txid.b, 0, 32);
	tx.in[1].prevout.n = 0xffffffff;
	assert_int_equal(wallet_tx_check(&tx, err, sizeof err), KB_ECONSENSUS);
	assert_string_equal(err, "bad-txns-prevout-null");
	wallet_tx_clear(&tx);

	/* a coinbase's scriptSig is 2..100 bytes */
	wallet_tx_init(&tx);
	memset(&op, 0, sizeof op);
	op.n = 0xffffffff;
	uint8_t ss[101] = { 0 };
	(void)wallet_tx_add_input(&tx, &op, ss, 1, 0);
	(void)wallet_tx_add_output(&tx, 0, NULL, 0);
	assert_int_equal(wallet_tx_check(&tx, err, sizeof err), KB_ECONSENSUS);
	assert_string_equal(err, "bad-cb-length");
	wallet_tx_set_script_sig(&tx, 0, ss, 2);
	assert_int_equal(wallet_tx_check(&tx, err, sizeof err), KB_OK);
	wallet_tx_set_script_sig(&tx, 0, ss, 100);
	assert_int_equal(wallet_tx_check(&tx, err, sizeof err), KB_OK);
	wallet_tx_set_script_sig(&tx, 0, ss, 101);
	assert_int_equal(wallet_tx_check(&tx, err, sizeof err), KB_ECONSENSUS);
	wallet_tx_clear(&tx);
}

static void test_copy(void **state)
{
	(void)state;
	struct wallet_tx tx, copy;
	assert_int_equal(parse_hex(&tx, SEGWIT_TX), KB_OK);
	wallet_tx_copy(&copy, &tx);
	/* independent: changing the copy leaves the original alone */
	copy.in[1].witness[0].p[0] ^= 1;
	assert_int_not_equal(copy.in[1].witness[0].p[0], tx.in[1].witness[0].p[0]);
	wallet_tx_clear(&tx);
	struct buf b = BUF_INIT;
	wallet_tx_serialize(&copy, &b, true);
	assert_int_equal(b.len, wallet_tx_serialized_len(&copy, true));
	buf_clear(&b);
	wallet_tx_clear(&copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_zero_inputs),
		cmocka_unit_test(test_genesis_coinbase),
		cmocka_unit_test(test_segwit_sizes),
		cmocka_unit_test(test_cursor_sequence),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_copy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
