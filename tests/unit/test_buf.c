#include "tests/support/testsupport.h"

#include "wallet/buf.h"
#include "wallet/mem.h"

#include <string.h>

static void test_empty(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	assert_string_equal(buf_cstr(&b), "");
	size_t n = 99;
	uint8_t *p = buf_take(&b, &n);
	assert_non_null(p);
	assert_int_equal(n, 0);
	kb_free(p);
	buf_clear(&b); /* clear of empty is fine */
	buf_clear_wipe(&b);
}

static void test_ints(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	buf_u8(&b, 0xab);
	buf_u16le(&b, 0x0102);
	buf_u16be(&b, 0x0102);
	buf_u32le(&b, 0x01020304);
	buf_u32be(&b, 0x01020304);
	buf_u64le(&b, 0x0102030405060708ull);
	const uint8_t want[] = { 0xab, 2, 1, 1, 2, 4, 3, 2, 1, 1, 2, 3, 4, 8, 7, 6, 5, 4, 3, 2, 1 };
	assert_int_equal(b.len, sizeof want);
	assert_memory_equal(b.p, want, sizeof want);
	buf_clear(&b);
}

static void test_grow_and_printf(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	for (int i = 0; i < 10000; i++)
		buf_printf(&b, "%d,", i % 10);
	assert_int_equal(b.len, 20000);
	assert_int_equal(strlen(buf_cstr(&b)), 20000);
	buf_reset(&b);
	buf_str(&b, "abc");
	assert_string_equal(buf_cstr(&b), "abc");
	buf_varbytes(&b, "xy", 2);
	assert_int_equal(b.len, 6);
	assert_int_equal(b.p[3], 2);
	buf_clear(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_ints),
		cmocka_unit_test(test_grow_and_printf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
