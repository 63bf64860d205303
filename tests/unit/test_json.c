#include "tests/support/testsupport.h"

#include "wallet/json.h"
#include "wallet/mem.h"

#include <string.h>

static enum kb_rc parse(struct json **j, const char *s)
{
	char err[128];
	return json_parse(j, s, strlen(s), err, sizeof err);
}

static void test_misuse(void **state)
{
	(void)state;
	static const char *bad[] = {
		"", " ", "{", "[", "]", "{\"a\"}", "{\"a\":}", "[1,]", "{\"a\":1,}",
		"tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "01", "1.", "-",
		"1e", "[1] x", "\"a\nb\"", "{1:2}", "[\"\\udc00\"]",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct json *j = (struct json *)1;
		assert_int_not_equal(parse(&j, bad[i]), KB_OK);
		assert_null(j);
	}
	/* depth bound */
	char deep[200];
	memset(deep, '[', sizeof deep - 1);
	deep[sizeof deep - 1] = 0;
	struct json *j;
	assert_int_equal(parse(&j, deep), KB_EPARSE);
}

static void test_values(void **state)
{
	(void)state;
	struct json *j;
	assert_int_equal(parse(&j, " {\"a\": [1, -2, 3.5, true, false, null, \"x\\u00e9\\ud83d\\ude00\"],"
	                        " \"big\": 2100000000000000, \"neg\": -9223372036854775808} "), KB_OK);
	const struct json *a = json_get(j, "a");
	assert_int_equal(a->count, 7);
	int64_t v;
	assert_true(json_int64(json_at(a, 0), &v));
	assert_int_equal(v, 1);
	assert_true(json_int64(json_at(a, 1), &v));
	assert_int_equal(v, -2);
	assert_false(json_int64(json_at(a, 2), &v));
	assert_true(json_number(json_at(a, 2)) == 3.5);
	assert_true(json_at(a, 3)->boolean);
	assert_false(json_at(a, 4)->boolean);
	assert_true(json_is(json_at(a, 5), JSON_NULL));
	assert_string_equal(json_str(json_at(a, 6)), "x\xc3\xa9\xf0\x9f\x98\x80");
	assert_true(json_get_int64(j, "big", &v));
	assert_true(v == 2100000000000000LL);
	assert_true(json_get_int64(j, "neg", &v));
	assert_true(v == INT64_MIN);
	assert_null(json_get(j, "missing"));
	assert_null(json_get_str(j, "big"));
	json_free(j);
}

static void test_writer(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	struct json_writer w;
	json_w_init(&w, &b);
	json_w_obj_begin(&w);
	json_w_key(&w, "s");
	json_w_str(&w, "a\"b\\c\n\x01");
	json_w_key(&w, "list");
	json_w_arr_begin(&w);
	json_w_int(&w, -5);
	json_w_uint(&w, 7);
	json_w_bool(&w, true);
	json_w_null(&w);
	json_w_arr_end(&w);
	json_w_key(&w, "o");
	json_w_obj_begin(&w);
	json_w_obj_end(&w);
	json_w_obj_end(&w);
	assert_string_equal(buf_cstr(&b),
	                    "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"list\":[-5,7,true,null],\"o\":{}}");
	/* and it parses back */
	struct json *j;
	assert_int_equal(parse(&j, buf_cstr(&b)), KB_OK);
	assert_string_equal(json_get_str(j, "s"), "a\"b\\c\n\x01");
	json_free(j);
	buf_clear(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_writer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
