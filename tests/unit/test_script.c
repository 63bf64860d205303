/* scriptPubKey templates: builders (and their misuse) and the classifier. */
#include "tests/support/testsupport.h"

#include "wallet/hex.h"
#include "wallet/script.h"

#include <string.h>

static enum wallet_script_type classify_hex(const char *hex, struct wallet_script_info *info)
{
	uint8_t s[200];
	size_t n;
	assert_int_equal(wallet_hex_decode(s, sizeof s, &n, hex, strlen(hex)), KB_OK);
	enum wallet_script_type t = wallet_script_classify(s, n, info);
	if (info)
		info->data = NULL; /* points into s, which dies here */
	return t;
}

static void test_builder_misuse(void **state)
{
	(void)state;
	uint8_t out[200], prog[41] = { 0 }, key[65] = { 0 };
	size_t len = 9;

	assert_int_equal(wallet_script_witness(out, sizeof out, &len, 0, prog, 21), KB_EINVAL);
	assert_int_equal(len, 0);
	assert_int_equal(wallet_script_witness(out, sizeof out, &len, 0, prog, 19), KB_EINVAL);
	assert_int_equal(wallet_script_witness(out, sizeof out, &len, 17, prog, 32), KB_EINVAL);
	assert_int_equal(wallet_script_witness(out, sizeof out, &len, 1, prog, 1), KB_EINVAL);
	assert_int_equal(wallet_script_witness(out, sizeof out, &len, 1, prog, 41), KB_EINVAL);
	assert_int_equal(wallet_script_witness(out, 41, &len, 16, prog, 40), KB_ELIMIT);
	assert_int_equal(wallet_script_witness(out, 42, &len, 16, prog, 40), KB_OK);
	assert_int_equal(len, 42);
	assert_int_equal(out[0], OP_16);

	key[0] = 0x05;
	assert_int_equal(wallet_script_p2pk(out, sizeof out, &len, key, 33), KB_EINVAL);
	key[0] = 0x02;
	assert_int_equal(wallet_script_p2pk(out, sizeof out, &len, key, 65), KB_EINVAL);
	assert_int_equal(wallet_script_p2pk(out, sizeof out, &len, key, 32), KB_EINVAL);
	assert_int_equal(wallet_script_p2pk(out, 34, &len, key, 33), KB_ELIMIT);
	assert_int_equal(wallet_script_p2pk(out, 35, &len, key, 33), KB_OK);

	uint8_t data[81] = { 0 };
	assert_int_equal(wallet_script_op_return(out, sizeof out, &len, data, 81), KB_ELIMIT);
	assert_int_equal(wallet_script_op_return(out, sizeof out, &len, data, 80), KB_OK);
	assert_int_equal(len, 83);
	assert_int_equal(out[1], OP_PUSHDATA1);
	assert_int_equal(wallet_script_op_return(out, sizeof out, &len, data, 75), KB_OK);
	assert_int_equal(len, 77);
	assert_int_equal(out[1], 75);
	assert_int_equal(wallet_script_op_return(out, 76, &len, data, 75), KB_ELIMIT);
	assert_int_equal(wallet_script_op_return(out, sizeof out, &len, data, 0), KB_OK);
	assert_int_equal(len, 1);

	uint8_t keys[17 * 33];
	memset(keys, 0x02, sizeof keys);
	assert_int_equal(wallet_script_multisig(out, sizeof out, &len, 0, keys, 2), KB_EINVAL);
	assert_int_equal(wallet_script_multisig(out, sizeof out, &len, 3, keys, 2), KB_EINVAL);
	assert_int_equal(wallet_script_multisig(out, 1000, &len, 1, keys, 0), KB_EINVAL);
	uint8_t big[700];
	assert_int_equal(wallet_script_multisig(big, sizeof big, &len, 1, keys, 17), KB_EINVAL);
	assert_int_equal(wallet_script_multisig(out, 3 + 34 * 2 - 1, &len, 1, keys, 2), KB_ELIMIT);
	keys[33] = 0x04;
	assert_int_equal(wallet_script_multisig(out, sizeof out, &len, 1, keys, 2), KB_EINVAL);
}

static void test_builders_classify(void **state)
{
	(void)state;
	uint8_t h20[20], h32[32], s[WALLET_SCRIPT_WITNESS_MAX];
	char hex[200];
	struct wallet_script_info info;
	memset(h20, 0x11, sizeof h20);
	memset(h32, 0x22, sizeof h32);

	wallet_script_p2pkh(s, h20);
	wallet_hex_encode(hex, sizeof hex, s, WALLET_SCRIPT_P2PKH_LEN);
	assert_string_equal(hex, "76a914" "1111111111111111111111111111111111111111" "88ac");
	assert_int_equal(wallet_script_classify(s, WALLET_SCRIPT_P2PKH_LEN, &info), WALLET_SCRIPT_P2PKH);
	assert_ptr_equal(info.data, s + 3);
	assert_int_equal(info.data_len, 20);

	wallet_script_p2sh(s, h20);
	wallet_hex_encode(hex, sizeof hex, s, WALLET_SCRIPT_P2SH_LEN);
	assert_string_equal(hex, "a914" "1111111111111111111111111111111111111111" "87");
	assert_int_equal(wallet_script_classify(s, WALLET_SCRIPT_P2SH_LEN, &info), WALLET_SCRIPT_P2SH);

	wallet_script_p2wpkh(s, h20);
	assert_int_equal(wallet_script_classify(s, WALLET_SCRIPT_P2WPKH_LEN, &info), WALLET_SCRIPT_P2WPKH);
	assert_int_equal(info.witver, 0);
	wallet_script_p2wsh(s, h32);
	assert_int_equal(wallet_script_classify(s, WALLET_SCRIPT_P2WSH_LEN, &info), WALLET_SCRIPT_P2WSH);
	wallet_script_p2tr(s, h32);
	wallet_hex_encode(hex, sizeof hex, s, WALLET_SCRIPT_P2TR_LEN);
	assert_string_equal(hex, "51202222222222222222222222222222222222222222222222222222222222222222");
	assert_int_equal(wallet_script_classify(s, WALLET_SCRIPT_P2TR_LEN, &info), WALLET_SCRIPT_P2TR);
	assert_int_equal(info.witver, 1);
	assert_int_equal(info.data_len, 32);
	assert_string_equal(wallet_script_type_name(info.type), "p2tr");

	uint8_t keys[3 * 33], ms[3 + 34 * 3];
	size_t len;
	memset(keys, 0x03, sizeof keys);
	assert_int_equal(wallet_script_multisig(ms, sizeof ms, &len, 2, keys, 3), KB_OK);
	assert_int_equal(len, sizeof ms);
	assert_int_equal(wallet_script_classify(ms, len, &info), WALLET_SCRIPT_MULTISIG);
	assert_int_equal(info.m, 2);
	assert_int_equal(info.n, 3);
	assert_int_equal(wallet_script_op_return(ms, sizeof ms, &len, keys, 40), KB_OK);
	assert_int_equal(wallet_script_classify(ms, len, NULL), WALLET_SCRIPT_NULLDATA);
	assert_int_equal(wallet_script_p2pk(ms, sizeof ms, &len, keys, 33), KB_OK);
	assert_int_equal(wallet_script_classify(ms, len, &info), WALLET_SCRIPT_P2PK);
	assert_ptr_equal(info.data, ms + 1);
}

static void test_classify_edges(void **state)
{
	(void)state;
	struct wallet_script_info info;
	assert_int_equal(wallet_script_classify(NULL, 0, &info), WALLET_SCRIPT_NONSTANDARD);
	/* witness shapes */
	assert_int_equal(classify_hex("0015" "111111111111111111111111111111111111111111", NULL),
	                 WALLET_SCRIPT_NONSTANDARD); /* v0, 21 bytes */
	assert_int_equal(classify_hex("5114" "1111111111111111111111111111111111111111", &info),
	                 WALLET_SCRIPT_WITNESS_UNKNOWN); /* v1, 20 bytes */
	assert_int_equal(info.witver, 1);
	assert_int_equal(classify_hex("51024e73", &info), WALLET_SCRIPT_P2A);
	assert_int_equal(classify_hex("51024e74", NULL), WALLET_SCRIPT_WITNESS_UNKNOWN);
	assert_int_equal(classify_hex("6002751e", &info), WALLET_SCRIPT_WITNESS_UNKNOWN);
	assert_int_equal(info.witver, 16);
	assert_int_equal(classify_hex("5101ff", NULL), WALLET_SCRIPT_NONSTANDARD); /* 1 byte */
	assert_int_equal(classify_hex("5129" "11111111111111111111111111111111111111111111111111111111111111111111111111111111" "11",
	                              NULL), WALLET_SCRIPT_NONSTANDARD); /* 41 bytes */
	assert_int_equal(classify_hex("4f0211", NULL), WALLET_SCRIPT_NONSTANDARD); /* OP_1NEGATE */
	assert_int_equal(classify_hex("0014111111111111111111111111111111111111111100", NULL),
	                 WALLET_SCRIPT_NONSTANDARD); /* trailing byte */
	/* P2PK */
	assert_int_equal(classify_hex("21" "02" "1111111111111111111111111111111111111111111111111111111111111111" "ac", &info),
	                 WALLET_SCRIPT_P2PK);
	assert_int_equal(info.data_len, 33);
	assert_int_equal(classify_hex("41" "04" "11111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111" "ac", &info),
	                 WALLET_SCRIPT_P2PK);
	assert_int_equal(info.data_len, 65);
	assert_int_equal(classify_hex("21" "05" "1111111111111111111111111111111111111111111111111111111111111111" "ac", NULL),
	                 WALLET_SCRIPT_NONSTANDARD);
	/* OP_RETURN */
	assert_int_equal(classify_hex("6a", NULL), WALLET_SCRIPT_NULLDATA);
	assert_int_equal(classify_hex("6a0401020304", NULL), WALLET_SCRIPT_NULLDATA);
	assert_int_equal(classify_hex("6a4c0201020051", NULL), WALLET_SCRIPT_NULLDATA);
	assert_int_equal(classify_hex("6a0401020304ac", NULL), WALLET_SCRIPT_NONSTANDARD);
	assert_int_equal(classify_hex("6a05010203", NULL), WALLET_SCRIPT_NONSTANDARD); /* short push */
	assert_int_equal(classify_hex("6a4dff", NULL), WALLET_SCRIPT_NONSTANDARD);
	assert_int_equal(classify_hex("6a4effffffff", NULL), WALLET_SCRIPT_NONSTANDARD);
	/* bare multisig */
	const char *k = "21" "02" "1111111111111111111111111111111111111111111111111111111111111111";
	char ms[400];
	memcpy(ms, "51", 3);
	memcpy(ms + 2, k, strlen(k) + 1);
	size_t l = strlen(ms);
	memcpy(ms + l, k, strlen(k) + 1);
	l = strlen(ms);
	memcpy(ms + l, "52ae", 5);
	assert_int_equal(classify_hex(ms, &info), WALLET_SCRIPT_MULTISIG);
	assert_int_equal(info.m, 1);
	assert_int_equal(info.n, 2);
	ms[1] = '3'; /* 3-of-2 */
	assert_int_equal(classify_hex(ms, NULL), WALLET_SCRIPT_NONSTANDARD);
	ms[1] = '1';
	ms[strlen(ms) - 3] = '3'; /* says 3 keys, has 2 */
	assert_int_equal(classify_hex(ms, NULL), WALLET_SCRIPT_NONSTANDARD);

	unsigned v;
	const uint8_t *p;
	size_t pl;
	const uint8_t w[] = { 0x00, 0x02, 0xaa, 0xbb };
	assert_true(wallet_script_is_witness(w, sizeof w, &v, &p, &pl));
	assert_int_equal(pl, 2);
	assert_false(wallet_script_is_witness(w, 3, NULL, NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builder_misuse),
		cmocka_unit_test(test_builders_classify),
		cmocka_unit_test(test_classify_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
