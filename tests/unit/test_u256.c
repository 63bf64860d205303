#include "tests/support/testsupport.h"

#include "wallet/u256.h"

#include <string.h>

static void test_hex_roundtrip_and_cmp(void **state)
{
	(void)state;
	struct u256 a, b;
	assert_false(u256_from_hex(&a, "00"));
	assert_false(u256_from_hex(&a, "zz00000000000000000000000000000000000000000000000000000000000000"));
	assert_true(u256_from_hex(&a, "00000000ffff0000000000000000000000000000000000000000000000000000"));
	char h[65];
	u256_to_hex(&a, h);
	assert_string_equal(h, "00000000ffff0000000000000000000000000000000000000000000000000000");
	assert_int_equal(u256_bits(&a), 224);
	u256_from_u64(&b, 1);
	assert_int_equal(u256_cmp(&a, &b), 1);
	assert_int_equal(u256_cmp(&b, &a), -1);
	assert_int_equal(u256_cmp(&a, &a), 0);
}

static void test_arith(void **state)
{
	(void)state;
	struct u256 a, b, r, one;
	u256_from_u64(&one, 1);
	u256_zero(&a);
	u256_sub(&r, &a, &one); /* wraps to 2^256-1 */
	char h[65];
	u256_to_hex(&r, h);
	assert_string_equal(h, "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
	u256_add(&r, &r, &one);
	assert_true(u256_is_zero(&r));
	u256_from_u64(&a, 0xffffffffffffffffull);
	u256_mul_u64(&r, &a, 0xffffffffffffffffull); /* (2^64-1)^2 */
	u256_to_hex(&r, h);
	assert_string_equal(h, "00000000000000000000000000000000fffffffffffffffe0000000000000001");
	u256_from_u64(&b, 0xffffffffffffffffull);
	u256_div(&r, &r, &b);
	assert_true(u256_cmp(&r, &a) == 0);
	u256_div_u32(&r, &a, 16);
	assert_true(u256_low64(&r) == 0x0fffffffffffffffull);
	u256_shl(&r, &one, 255);
	u256_to_hex(&r, h);
	assert_string_equal(h, "8000000000000000000000000000000000000000000000000000000000000000");
	u256_shr(&r, &r, 255);
	assert_int_equal(u256_cmp(&r, &one), 0);
	u256_shl(&r, &one, 256 - 1 + 0);
	u256_shr(&r, &r, 300 > 255 ? 255 : 0);
	assert_int_equal(u256_cmp(&r, &one), 0);
}

static void test_work(void **state)
{
	(void)state;
	struct u256 target, work;
	bool neg, ovf;
	/* genesis bits: work 0x100010001 (Core's chainwork of block 0) */
	u256_set_compact(&target, 0x1d00ffff, &neg, &ovf);
	assert_false(neg);
	assert_false(ovf);
	u256_work_from_target(&work, &target);
	assert_true(u256_low64(&work) == 0x100010001ull);
	u256_zero(&target);
	u256_work_from_target(&work, &target);
	assert_true(u256_is_zero(&work));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_roundtrip_and_cmp),
		cmocka_unit_test(test_arith),
		cmocka_unit_test(test_work),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
