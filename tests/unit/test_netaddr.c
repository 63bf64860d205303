#include "tests/support/testsupport.h"

#include "spv/netaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <netinet/in.h>
#include <string.h>

static struct spv_netaddr parse_ok(const char *s)
{
	struct spv_netaddr a;
	assert_int_equal(spv_netaddr_parse(&a, s, 8333, false), KB_OK);
	return a;
}

static void assert_formats(const struct spv_netaddr *a, const char *want)
{
	char out[SPV_NETADDR_STRLEN];
	spv_netaddr_format(a, true, out);
	assert_string_equal(out, want);
}

static void test_parse_misuse(void **state)
{
	(void)state;
	static const char *bad[] = {
		"", ":", ":8333", "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:08333",
		"1.2.3.4:83a3", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "[::1", "[::1]x",
		"[::1]:", "example.com", "localhost:8333", "::g",
		/* onion: wrong checksum (last data char changed), wrong length, v2 */
		"pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscrya.onion",
		"pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscry.onion",
		"expyuzz4wqqyqhjn.onion", ".onion", "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscry1.onion",
		/* i2p: 51 chars, and 52 with stray low bits */
		"ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkd.b32.i2p",
		"ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdr.b32.i2p",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct spv_netaddr a;
		memset(&a, 0xaa, sizeof a);
		if (spv_netaddr_parse(&a, bad[i], 8333, false) != KB_EINVAL)
			fail_msg("accepted %s", bad[i]);
		struct spv_netaddr zero;
		memset(&zero, 0, sizeof zero);
		assert_memory_equal(&a, &zero, sizeof a);
	}
	/* set(): unknown network, obsolete Tor v2, wrong length */
	struct spv_netaddr a;
	uint8_t raw[32] = { 1 };
	assert_int_equal(spv_netaddr_set(&a, 7, raw, 16, 1), KB_EINVAL);
	assert_int_equal(spv_netaddr_set(&a, SPV_NET_TORV2, raw, 10, 1), KB_EINVAL);
	assert_int_equal(spv_netaddr_set(&a, SPV_NET_IPV4, raw, 5, 1), KB_EINVAL);
	assert_int_equal(spv_netaddr_set(&a, SPV_NET_TORV3, raw, 31, 1), KB_EINVAL);
	/* split: empty host, too long */
	char host[8];
	uint16_t port;
	assert_int_equal(spv_netaddr_split_hostport(host, sizeof host, &port, "", 1), KB_EINVAL);
	assert_int_equal(spv_netaddr_split_hostport(host, sizeof host, &port, "abcdefgh", 1), KB_EINVAL);
	assert_int_equal(spv_netaddr_split_hostport(host, sizeof host, &port, "abc", 0), KB_EINVAL);
}

static void test_parse_format(void **state)
{
	(void)state;
	struct spv_netaddr a = parse_ok("1.2.3.4");
	assert_int_equal(a.net, SPV_NET_IPV4);
	assert_int_equal(a.port, 8333);
	assert_formats(&a, "1.2.3.4:8333");
	a = parse_ok("1.2.3.4:18444");
	assert_formats(&a, "1.2.3.4:18444");
	a = parse_ok("[2001:db8::1]:1");
	assert_int_equal(a.net, SPV_NET_IPV6);
	assert_formats(&a, "[2001:db8::1]:1");
	a = parse_ok("::1");
	assert_formats(&a, "[::1]:8333");
	/* IPv4-mapped IPv6 text is IPv4 */
	a = parse_ok("::ffff:10.0.0.1");
	assert_int_equal(a.net, SPV_NET_IPV4);
	assert_formats(&a, "10.0.0.1:8333");
	/* fc00::/8 is CJDNS only when asked */
	a = parse_ok("[fc32::1]:8333");
	assert_int_equal(a.net, SPV_NET_IPV6);
	assert_int_equal(spv_netaddr_parse(&a, "[fc32::1]:8333", 1, true), KB_OK);
	assert_int_equal(a.net, SPV_NET_CJDNS);
	assert_formats(&a, "[fc32::1]:8333");
	/* Tor v3: Bitcoin Core's net_tests address and torproject.org's; the
	 * checksum is SHA3-256, so these also test the Keccak code */
	static const char *onions[] = {
		"pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion",
		"2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion",
	};
	for (size_t i = 0; i < 2; i++) {
		char want[SPV_NETADDR_STRLEN];
		a = parse_ok(onions[i]);
		assert_int_equal(a.net, SPV_NET_TORV3);
		assert_int_equal(a.len, 32);
		snprintf(want, sizeof want, "%s:8333", onions[i]);
		assert_formats(&a, want);
	}
	a = parse_ok("PG6MMJIYJMCRSSLVYKFWNNTLARU7P5SVN6Y2YMMJU6NUBXNDF4PSCRYD.ONION:9050");
	assert_formats(&a, "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:9050");
}

static void test_i2p(void **state)
{
	(void)state;
	struct spv_netaddr a;
	/* port 0 is refused by the parser; I2P peers use port 0 on the wire */
	assert_int_equal(spv_netaddr_parse(&a, "ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p:0", 1, false), KB_EINVAL);
	assert_int_equal(spv_netaddr_parse(&a, "ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p", 1, false), KB_OK);
	assert_int_equal(a.net, SPV_NET_I2P);
	char out[SPV_NETADDR_STRLEN];
	spv_netaddr_format(&a, false, out);
	assert_string_equal(out, "ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p");
	assert_true(spv_netaddr_is_routable(&a));
}

static void test_legacy(void **state)
{
	(void)state;
	uint8_t in[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 8, 8, 4, 4 };
	uint8_t out[16];
	struct spv_netaddr a;
	spv_netaddr_from_legacy(&a, in, 8333);
	assert_int_equal(a.net, SPV_NET_IPV4);
	assert_true(spv_netaddr_to_legacy(&a, out));
	assert_memory_equal(in, out, 16);
	/* every 16-byte input round-trips */
	for (int i = 0; i < 256; i++) {
		uint8_t x[16];
		for (int k = 0; k < 16; k++)
			x[k] = (uint8_t)(i * 31 + k * 7);
		spv_netaddr_from_legacy(&a, x, 1);
		assert_true(spv_netaddr_to_legacy(&a, out));
		assert_memory_equal(x, out, 16);
	}
	/* onion cannot be legacy: zeros */
	a = parse_ok("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion");
	assert_false(spv_netaddr_to_legacy(&a, out));
	static const uint8_t zero[16];
	assert_memory_equal(out, zero, 16);
}

static void test_routable(void **state)
{
	(void)state;
	static const char *no[] = {
		"0.0.0.0", "0.1.2.3", "127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255",
		"192.168.1.1", "100.64.0.1", "169.254.1.1", "198.18.0.1", "198.19.1.1",
		"192.0.2.1", "198.51.100.2", "203.0.113.3", "224.0.0.1", "255.255.255.255",
		"::", "::1", "2001:db8::1", "fc00::1", "fd00::1", "fe80::1", "ff02::1",
		"2001:10::1", "2001:20::1", "fd6b:88c0:8724::1",
	};
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		struct spv_netaddr a = parse_ok(no[i]);
		if (spv_netaddr_is_routable(&a))
			fail_msg("routable: %s", no[i]);
	}
	static const char *yes[] = { "1.2.3.4", "8.8.8.8", "172.32.0.1", "100.128.0.1",
	                             "2a01:4f8::1", "2001:4860::8888" };
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		struct spv_netaddr a = parse_ok(yes[i]);
		if (!spv_netaddr_is_routable(&a))
			fail_msg("not routable: %s", yes[i]);
	}
	struct spv_netaddr a = parse_ok("1.2.3.4");
	a.port = 0;
	assert_false(spv_netaddr_is_routable(&a));
	a = parse_ok("127.0.0.2");
	assert_true(spv_netaddr_is_loopback(&a));
	a = parse_ok("::1");
	assert_true(spv_netaddr_is_loopback(&a));
	a = parse_ok("1.2.3.4");
	assert_false(spv_netaddr_is_loopback(&a));
}

static struct spv_netgroup group_of(const char *s)
{
	struct spv_netgroup g;
	struct spv_netaddr a = parse_ok(s);
	spv_netaddr_group(&g, &a);
	return g;
}

static void test_groups(void **state)
{
	(void)state;
	struct spv_netgroup a = group_of("1.2.3.4"), b = group_of("1.2.200.200:1234"),
	                    c = group_of("1.3.3.4");
	assert_true(spv_netgroup_equal(&a, &b));
	assert_false(spv_netgroup_equal(&a, &c));
	a = group_of("[2a01:4f8:1::1]:8333");
	b = group_of("[2a01:4f8:ffff::2]:8333");
	c = group_of("[2a01:4f9::1]:8333");
	assert_true(spv_netgroup_equal(&a, &b));
	assert_false(spv_netgroup_equal(&a, &c));
	/* 6to4 and Teredo group by the IPv4 inside */
	a = group_of("[2002:0102:0304::1]:1");
	b = group_of("1.2.9.9");
	assert_true(spv_netgroup_equal(&a, &b));
	a = group_of("[2001:0:4136:e378:8000:63bf:fefd:fcfb]:1"); /* ~fefdfcfb = 1.2.3.4 */
	assert_true(spv_netgroup_equal(&a, &b));
	/* unroutable addresses share one group */
	a = group_of("10.0.0.1");
	b = group_of("192.168.0.1");
	assert_true(spv_netgroup_equal(&a, &b));
	assert_int_equal(a.b[0], 0);
	/* onions group by network and 4 bits: a different net than IPv4 */
	a = group_of("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion");
	assert_int_equal(a.b[0], SPV_NET_TORV3);
	assert_int_equal(a.len, 2);
	assert_false(spv_netgroup_equal(&a, &b));
}

static void test_sockaddr(void **state)
{
	(void)state;
	struct sockaddr_storage ss;
	socklen_t len;
	struct spv_netaddr a = parse_ok("1.2.3.4:8333"), back;
	assert_int_equal(spv_netaddr_to_sockaddr(&a, &ss, &len), KB_OK);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 8333);
	assert_int_equal(spv_netaddr_from_sockaddr(&back, (struct sockaddr *)&ss, len), KB_OK);
	assert_true(spv_netaddr_equal(&a, &back));
	a = parse_ok("[2a01::5]:18333");
	assert_int_equal(spv_netaddr_to_sockaddr(&a, &ss, &len), KB_OK);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(spv_netaddr_from_sockaddr(&back, (struct sockaddr *)&ss, len), KB_OK);
	assert_true(spv_netaddr_equal(&a, &back));
	a = parse_ok("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion");
	assert_int_equal(spv_netaddr_to_sockaddr(&a, &ss, &len), KB_EINVAL);
	/* short length */
	assert_int_equal(spv_netaddr_from_sockaddr(&back, (struct sockaddr *)&ss, 2), KB_EINVAL);
}

static void test_split(void **state)
{
	(void)state;
	char host[64];
	uint16_t port;
	assert_int_equal(spv_netaddr_split_hostport(host, sizeof host, &port, "seed.bitcoin.sipa.be", 8333), KB_OK);
	assert_string_equal(host, "seed.bitcoin.sipa.be");
	assert_int_equal(port, 8333);
	assert_int_equal(spv_netaddr_split_hostport(host, sizeof host, &port, "node.example:18444", 8333), KB_OK);
	assert_string_equal(host, "node.example");
	assert_int_equal(port, 18444);
	assert_int_equal(spv_netaddr_split_hostport(host, sizeof host, &port, "[::1]:9", 8333), KB_OK);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 9);
	assert_int_equal(spv_netaddr_split_hostport(host, sizeof host, &port, "2001:db8::1", 7), KB_OK);
	assert_string_equal(host, "2001:db8::1");
	assert_int_equal(port, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_misuse),
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_i2p),
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_routable),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_sockaddr),
		cmocka_unit_test(test_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
