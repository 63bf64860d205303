/* The address manager: group diversity, services, bans, persistence. */
#include "tests/support/testsupport.h"

#include "spv/addrman.h"
#include "wallet/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct spv_netaddr addr(const char *s)
{
	struct spv_netaddr a;
	assert_int_equal(spv_netaddr_parse(&a, s, 8333, false), KB_OK);
	return a;
}

static uint32_t first(uint32_t upper)
{
	(void)upper;
	return 0;
}

static uint32_t counter;
static uint32_t cycling(uint32_t upper)
{
	return counter++ % upper;
}

#define NOW 1700000000
#define WANT (UINT64_C(1) | UINT64_C(8))

static void test_misuse(void **state)
{
	(void)state;
	struct spv_addrman *a = spv_addrman_new(NULL);
	struct spv_netaddr out;
	/* empty: nothing to pick */
	assert_int_equal(spv_addrman_select(a, &out, NULL, 0, WANT, NOW, first), KB_ENOTFOUND);
	/* unroutable and port 0 refused unless local is allowed */
	struct spv_netaddr lo = addr("127.0.0.1:18444");
	assert_false(spv_addrman_add(a, &lo, 9, true, NOW, "t", false));
	struct spv_netaddr priv = addr("10.1.2.3");
	assert_false(spv_addrman_add(a, &priv, 9, true, NOW, "t", false));
	struct spv_netaddr p0 = addr("8.8.8.8");
	p0.port = 0;
	assert_false(spv_addrman_add(a, &p0, 9, true, NOW, "t", true));
	assert_true(spv_addrman_add(a, &lo, 9, true, NOW, "t", true));
	/* a second add of the same address changes nothing */
	assert_false(spv_addrman_add(a, &lo, 9, true, NOW, "t", true));
	assert_int_equal(spv_addrman_count(a, NULL), 1);
	spv_addrman_free(a);
	spv_addrman_free(NULL);
}

static void test_groups(void **state)
{
	(void)state;
	struct spv_addrman *a = spv_addrman_new(NULL);
	/* three in one /16, one in another, two IPv6 in one /32 */
	const char *v[] = { "1.2.3.4", "1.2.200.1", "1.2.9.9", "5.6.7.8", "[2001:4860::1]:8333",
		            "[2001:4860:ffff::2]:8333" };
	for (size_t i = 0; i < 6; i++) {
		struct spv_netaddr x = addr(v[i]);
		assert_true(spv_addrman_add(a, &x, WANT, true, NOW, "t", false));
	}
	struct spv_netgroup used[8];
	size_t nused = 0;
	for (int i = 0; i < 3; i++) {
		struct spv_netaddr out;
		assert_int_equal(spv_addrman_select(a, &out, used, nused, WANT, NOW, cycling), KB_OK);
		spv_addrman_attempt(a, &out, NOW);
		struct spv_netgroup g;
		spv_netaddr_group(&g, &out);
		for (size_t j = 0; j < nused; j++)
			assert_false(spv_netgroup_equal(&g, &used[j]));
		used[nused++] = g;
	}
	/* three groups used: nothing else fits */
	struct spv_netaddr out;
	assert_int_equal(spv_addrman_select(a, &out, used, nused, WANT, NOW + 3600, cycling), KB_ENOTFOUND);
	/* with no groups in use, an address tried within the minute is skipped */
	struct spv_addrman *b = spv_addrman_new(NULL);
	struct spv_netaddr x = addr("9.9.9.9");
	assert_true(spv_addrman_add(b, &x, WANT, true, NOW, "t", false));
	spv_addrman_attempt(b, &x, NOW);
	assert_int_equal(spv_addrman_select(b, &out, NULL, 0, WANT, NOW + 59, first), KB_ENOTFOUND);
	assert_int_equal(spv_addrman_select(b, &out, NULL, 0, WANT, NOW + 60, first), KB_OK);
	assert_true(spv_netaddr_equal(&out, &x));
	spv_addrman_free(b);
	spv_addrman_free(a);
}

static void test_services(void **state)
{
	(void)state;
	struct spv_addrman *a = spv_addrman_new(NULL);
	struct spv_netaddr nowit = addr("1.1.1.1"), unknown = addr("2.2.2.2");
	assert_true(spv_addrman_add(a, &nowit, 1, true, NOW, "t", false));
	struct spv_netaddr out;
	assert_int_equal(spv_addrman_select(a, &out, NULL, 0, WANT, NOW, first), KB_ENOTFOUND);
	/* unknown services are worth a try */
	assert_true(spv_addrman_add(a, &unknown, 0, false, NOW, "dns seed", false));
	assert_int_equal(spv_addrman_select(a, &out, NULL, 0, WANT, NOW, first), KB_OK);
	assert_true(spv_netaddr_equal(&out, &unknown));
	/* once connected its real services count */
	spv_addrman_good(a, &unknown, 1, NOW);
	assert_int_equal(spv_addrman_select(a, &out, NULL, 0, WANT, NOW + 3600, first), KB_ENOTFOUND);
	size_t tried;
	assert_int_equal(spv_addrman_count(a, &tried), 2);
	assert_int_equal(tried, 1);
	spv_addrman_free(a);
}

static void test_bans(void **state)
{
	(void)state;
	struct spv_addrman *a = spv_addrman_new(NULL);
	struct spv_netaddr x = addr("3.3.3.3:8333"), y = addr("3.3.3.3:9999"), lo1 = addr("127.0.0.1:1000"),
		           lo2 = addr("127.0.0.1:1001");
	char kx[SPV_ADDRMAN_KEYLEN], ky[SPV_ADDRMAN_KEYLEN], k1[SPV_ADDRMAN_KEYLEN], k2[SPV_ADDRMAN_KEYLEN];
	spv_addrman_ban_key(&x, kx);
	spv_addrman_ban_key(&y, ky);
	spv_addrman_ban_key(&lo1, k1);
	spv_addrman_ban_key(&lo2, k2);
	/* a routable host is banned on every port; loopback per port */
	assert_string_equal(kx, ky);
	assert_string_equal(kx, "3.3.3.3");
	assert_string_equal(k1, "127.0.0.1:1000");
	assert_string_not_equal(k1, k2);
	assert_true(spv_addrman_add(a, &x, WANT, true, NOW, "t", false));
	assert_int_equal(spv_addrman_ban(a, kx, "bad proof of work", NOW + 100, NOW), KB_OK);
	char why[64];
	assert_true(spv_addrman_is_banned(a, kx, NOW + 99, why, sizeof why));
	assert_string_equal(why, "bad proof of work");
	assert_false(spv_addrman_is_banned(a, kx, NOW + 100, NULL, 0)); /* expired */
	struct spv_netaddr out;
	assert_int_equal(spv_addrman_select(a, &out, NULL, 0, WANT, NOW, first), KB_ENOTFOUND);
	assert_int_equal(spv_addrman_select(a, &out, NULL, 0, WANT, NOW + 100, first), KB_OK);
	assert_int_equal(spv_addrman_ban_count(a, NOW), 1);
	assert_int_equal(spv_addrman_ban_count(a, NOW + 100), 0);
	/* a new ban of the same key replaces the old one */
	assert_int_equal(spv_addrman_ban(a, kx, "again", NOW + 500, NOW), KB_OK);
	assert_int_equal(spv_addrman_ban_count(a, NOW), 1);
	spv_addrman_free(a);
}

static void test_persistence(void **state)
{
	(void)state;
	char dir[] = "/tmp/koban-addrman-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[300];
	snprintf(path, sizeof path, "%s/w.sqlite", dir);
	struct wallet_store *st = NULL;
	char err[256];
	assert_int_equal(wallet_store_create(&st, path, KB_NET_REGTEST, NOW, true, NULL, err, sizeof err), KB_OK);
	struct spv_addrman *a = spv_addrman_new(st);
	struct spv_netaddr x = addr("4.4.4.4:18444");
	struct spv_netaddr z2 = addr("[2a01:4f8::5]:18444");
	assert_true(spv_addrman_add(a, &x, WANT, true, NOW, "addr", false));
	assert_true(spv_addrman_add(a, &z2, 0, false, NOW, "dns seed", false));
	spv_addrman_good(a, &x, WANT, NOW);
	assert_int_equal(spv_addrman_save(a), KB_OK);
	assert_int_equal(spv_addrman_ban(a, "5.5.5.5", "invalid headers", NOW + 3600, NOW), KB_OK);
	assert_int_equal(spv_addrman_ban(a, "6.6.6.6", "expired", NOW + 10, NOW), KB_OK);
	spv_addrman_free(a);
	wallet_store_close(st);

	assert_int_equal(wallet_store_open(&st, path, NULL, err, sizeof err), KB_OK);
	a = spv_addrman_new(st);
	assert_int_equal(spv_addrman_load(a, NOW + 20), KB_OK);
	size_t tried;
	assert_int_equal(spv_addrman_count(a, &tried), 2);
	assert_int_equal(tried, 1);
	const struct spv_addrman_entry *e = spv_addrman_find(a, &x);
	assert_non_null(e);
	assert_true(e->tried);
	assert_int_equal(e->services, WANT);
	assert_int_equal(e->last_success, NOW);
	e = spv_addrman_find(a, &z2);
	assert_non_null(e);
	assert_false(e->tried);
	assert_false(e->services_known);
	char why[64];
	assert_true(spv_addrman_is_banned(a, "5.5.5.5", NOW + 20, why, sizeof why));
	assert_string_equal(why, "invalid headers");
	assert_false(spv_addrman_is_banned(a, "6.6.6.6", NOW + 20, NULL, 0));
	spv_addrman_free(a);
	wallet_store_close(st);
	unlink(path);
	char side[320];
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	rmdir(dir);
}

static void test_cap(void **state)
{
	(void)state;
	struct spv_addrman *a = spv_addrman_new(NULL);
	for (uint32_t i = 0; i < SPV_ADDRMAN_MAX + 10; i++) {
		struct spv_netaddr x;
		uint8_t ip[4] = { 11, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		assert_int_equal(spv_netaddr_set(&x, SPV_NET_IPV4, ip, 4, 8333), KB_OK);
		spv_addrman_add(a, &x, WANT, true, NOW + i, "t", false);
	}
	assert_int_equal(spv_addrman_count(a, NULL), SPV_ADDRMAN_MAX);
	/* the stalest went first */
	struct spv_netaddr old;
	uint8_t ip0[4] = { 11, 0, 0, 0 };
	assert_int_equal(spv_netaddr_set(&old, SPV_NET_IPV4, ip0, 4, 8333), KB_OK);
	assert_null(spv_addrman_find(a, &old));
	spv_addrman_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_bans),
		cmocka_unit_test(test_persistence),
		cmocka_unit_test(test_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
