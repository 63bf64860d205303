#include "tests/support/testsupport.h"

#include "wallet/buf.h"
#include "wallet/cursor.h"
#include "wallet/mem.h"

static void test_empty_and_short(void **state)
{
	(void)state;
	struct cursor c;
	cursor_init(&c, NULL, 0);
	assert_true(cursor_done(&c));
	assert_int_equal(cursor_u8(&c), 0);
	assert_true(c.fail);
	assert_false(cursor_done(&c));

	uint8_t three[3] = { 1, 2, 3 };
	cursor_init(&c, three, 3);
	assert_int_equal(cursor_u32le(&c), 0); /* short read */
	assert_true(c.fail);
	/* sticky: even a 1-byte read now fails */
	assert_int_equal(cursor_u8(&c), 0);
	assert_null(cursor_ptr(&c, 0) ? NULL : NULL);
}

static void test_reads(void **state)
{
	(void)state;
	uint8_t d[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0xff };
	struct cursor c;
	cursor_init(&c, d, sizeof d);
	assert_int_equal(cursor_u16le(&c), 0x0201);
	assert_int_equal(cursor_u32le(&c), 0x06050403);
	assert_int_equal(cursor_u16be(&c), 0x0708);
	assert_int_equal(cursor_u8(&c), 9);
	assert_false(cursor_done(&c));
	assert_int_equal(cursor_u8(&c), 0xff);
	assert_true(cursor_done(&c));
}

static void test_varint_roundtrip_and_canonical(void **state)
{
	(void)state;
	uint64_t vals[] = { 0, 1, 0xfc, 0xfd, 0xffff, 0x10000, 0xffffffff, 0x100000000ull, UINT64_MAX };
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		struct buf b = BUF_INIT;
		buf_varint(&b, vals[i]);
		assert_int_equal(b.len, varint_len(vals[i]));
		struct cursor c;
		cursor_init(&c, b.p, b.len);
		assert_true(cursor_varint(&c) == vals[i]);
		assert_true(cursor_done(&c));
		buf_clear(&b);
	}
	/* non-minimal encodings are refused */
	uint8_t bad1[] = { 0xfd, 0xfc, 0x00 };
	uint8_t bad2[] = { 0xfe, 0xff, 0xff, 0x00, 0x00 };
	uint8_t bad3[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 };
	struct cursor c;
	cursor_init(&c, bad1, sizeof bad1);
	cursor_varint(&c);
	assert_true(c.fail);
	cursor_init(&c, bad2, sizeof bad2);
	cursor_varint(&c);
	assert_true(c.fail);
	cursor_init(&c, bad3, sizeof bad3);
	cursor_varint(&c);
	assert_true(c.fail);
}

static void test_count_bounds(void **state)
{
	(void)state;
	uint8_t d[] = { 0x05, 1, 2, 3, 4, 5 };
	struct cursor c;
	cursor_init(&c, d, sizeof d);
	assert_int_equal(cursor_count(&c, 5, 1), 5);
	assert_false(c.fail);
	cursor_init(&c, d, sizeof d);
	assert_int_equal(cursor_count(&c, 4, 1), 0); /* over max */
	assert_true(c.fail);
	cursor_init(&c, d, sizeof d);
	assert_int_equal(cursor_count(&c, 100, 2), 0); /* 5 x 2 bytes > 5 left */
	assert_true(c.fail);
	/* a huge count is refused before any allocation could happen */
	uint8_t huge[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	cursor_init(&c, huge, sizeof huge);
	assert_int_equal(cursor_count(&c, UINT64_MAX, 1), 0);
	assert_true(c.fail);
}

static void test_fail_explicit(void **state)
{
	(void)state;
	uint8_t d[] = { 1, 2 };
	struct cursor c;
	cursor_init(&c, d, 2);
	cursor_fail(&c);
	assert_false(cursor_ok(&c));
	uint8_t out[2] = { 9, 9 };
	cursor_bytes(&c, out, 2);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_short),
		cmocka_unit_test(test_reads),
		cmocka_unit_test(test_varint_roundtrip_and_canonical),
		cmocka_unit_test(test_count_bounds),
		cmocka_unit_test(test_fail_explicit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
