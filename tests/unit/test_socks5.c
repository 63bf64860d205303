/* SOCKS5 (RFC 1928) request encoding and reply parsing. */
#include "tests/support/testsupport.h"

#include "spv/socks5.h"

#include <string.h>

static void test_misuse(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	assert_int_equal(spv_socks5_connect_request(&b, "", 8333), KB_EINVAL);
	assert_int_equal(spv_socks5_connect_request(&b, "example.com", 0), KB_EINVAL);
	char longname[257];
	memset(longname, 'a', 256);
	longname[256] = 0;
	assert_int_equal(spv_socks5_connect_request(&b, longname, 8333), KB_EINVAL);
	assert_int_equal(b.len, 0);
	longname[255] = 0; /* 255: the limit itself */
	assert_int_equal(spv_socks5_connect_request(&b, longname, 8333), KB_OK);
	assert_int_equal(b.len, 4 + 1 + 255 + 2);
	buf_clear(&b);
	uint8_t bad[2] = { 4, 0 };
	assert_int_equal(spv_socks5_method_reply_parse(bad, 2), KB_EPARSE);
	assert_int_equal(spv_socks5_method_reply_parse(bad, 1), KB_EPARSE);
	uint8_t auth[2] = { 5, 2 }, none[2] = { 5, 0xff }, ok[2] = { 5, 0 };
	assert_int_equal(spv_socks5_method_reply_parse(auth, 2), KB_EAUTH);
	assert_int_equal(spv_socks5_method_reply_parse(none, 2), KB_EAUTH);
	assert_int_equal(spv_socks5_method_reply_parse(ok, 2), KB_OK);
}

static void test_requests(void **state)
{
	(void)state;
	uint8_t g[3];
	spv_socks5_greeting(g);
	assert_memory_equal(g, "\x05\x01\x00", 3);
	struct buf b = BUF_INIT;
	assert_int_equal(spv_socks5_connect_request(&b, "1.2.3.4", 8333), KB_OK);
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.p, "\x05\x01\x00\x01\x01\x02\x03\x04\x20\x8d", 10);
	buf_reset(&b);
	assert_int_equal(spv_socks5_connect_request(&b, "::1", 18444), KB_OK);
	assert_int_equal(b.len, 22);
	assert_int_equal(b.p[3], 4);
	assert_int_equal(b.p[19], 1);
	assert_int_equal(b.p[20], 0x48);
	assert_int_equal(b.p[21], 0x0c);
	buf_reset(&b);
	/* names and onions go to the proxy unresolved */
	const char *onion = "2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion";
	assert_int_equal(spv_socks5_connect_request(&b, onion, 8333), KB_OK);
	assert_int_equal(b.p[3], 3);
	assert_int_equal(b.p[4], strlen(onion));
	assert_memory_equal(b.p + 5, onion, strlen(onion));
	assert_int_equal(b.len, 5 + strlen(onion) + 2);
	buf_clear(&b);
}

static void test_replies(void **state)
{
	(void)state;
	size_t used;
	uint8_t rep;
	const uint8_t v4[10] = { 5, 0, 0, 1, 127, 0, 0, 1, 0x23, 0x82 };
	/* every prefix needs more */
	for (size_t n = 0; n < sizeof v4; n++) {
		assert_int_equal(spv_socks5_reply_parse(v4, n, &used, &rep), KB_EAGAIN);
		assert_int_equal(used, 0);
	}
	assert_int_equal(spv_socks5_reply_parse(v4, sizeof v4, &used, &rep), KB_OK);
	assert_int_equal(used, 10);
	/* trailing peer bytes are not the reply's */
	uint8_t more[12];
	memcpy(more, v4, 10);
	more[10] = 0xfa;
	more[11] = 0xbf;
	assert_int_equal(spv_socks5_reply_parse(more, 12, &used, &rep), KB_OK);
	assert_int_equal(used, 10);
	const uint8_t v6[22] = { 5, 0, 0, 4 };
	assert_int_equal(spv_socks5_reply_parse(v6, 21, &used, &rep), KB_EAGAIN);
	assert_int_equal(spv_socks5_reply_parse(v6, 22, &used, &rep), KB_OK);
	assert_int_equal(used, 22);
	const uint8_t dom[9] = { 5, 0, 0, 3, 2, 'a', 'b', 0, 1 };
	assert_int_equal(spv_socks5_reply_parse(dom, 9, &used, &rep), KB_OK);
	assert_int_equal(used, 9);
	/* refusals carry their code */
	const uint8_t refused[10] = { 5, 5, 0, 1 };
	assert_int_equal(spv_socks5_reply_parse(refused, 10, &used, &rep), KB_ENET);
	assert_int_equal(rep, 5);
	assert_string_equal(spv_socks5_rep_str(rep), "connection refused");
	assert_string_equal(spv_socks5_rep_str(200), "unknown SOCKS5 reply code");
	/* not SOCKS5 */
	const uint8_t badver[10] = { 4, 0, 0, 1 };
	assert_int_equal(spv_socks5_reply_parse(badver, 10, &used, &rep), KB_EPARSE);
	assert_int_equal(spv_socks5_reply_parse(badver, 1, &used, &rep), KB_EPARSE);
	const uint8_t badrsv[10] = { 5, 0, 1, 1 };
	assert_int_equal(spv_socks5_reply_parse(badrsv, 10, &used, &rep), KB_EPARSE);
	const uint8_t badatyp[10] = { 5, 0, 0, 2 };
	assert_int_equal(spv_socks5_reply_parse(badatyp, 10, &used, &rep), KB_EPARSE);
	const uint8_t emptydom[10] = { 5, 0, 0, 3, 0 };
	assert_int_equal(spv_socks5_reply_parse(emptydom, 10, &used, &rep), KB_EPARSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_replies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
