/* The node's contract pieces that need no peer: option checks, the
 * "offline" state before start, and the words of a node with no way to
 * find peers. */
#include "tests/support/testsupport.h"

#include "spv/node.h"

#include <string.h>

static struct spv_node_opts opts(struct spv_loop *loop)
{
	struct spv_node_opts o;
	memset(&o, 0, sizeof o);
	o.net = KB_NET_REGTEST;
	o.loop = loop;
	o.headers_path = NULL; /* an in-memory chain */
	return o;
}

static void test_misuse(void **state)
{
	(void)state;
	struct spv_loop *loop;
	assert_int_equal(spv_loop_new(&loop), KB_OK);
	struct spv_node_opts o = opts(loop);
	struct spv_node *n = (struct spv_node *)1;
	char err[200];
	const char *bad[] = { "127.0.0.1:0" };
	o.connect = bad;
	o.nconnect = 1;
	assert_int_equal(spv_node_new(&n, &o, err, sizeof err), KB_EINVAL);
	assert_null(n);
	assert_non_null(strstr(err, "127.0.0.1:0"));
	/* an onion address needs a proxy */
	const char *onion[] = { "2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion:8333" };
	o.connect = onion;
	assert_int_equal(spv_node_new(&n, &o, err, sizeof err), KB_EINVAL);
	assert_non_null(strstr(err, "proxy"));
	/* ... and is fine with one */
	o.proxy = "127.0.0.1:9050";
	assert_int_equal(spv_node_new(&n, &o, err, sizeof err), KB_OK);
	spv_node_free(n);
	o.proxy = "";
	assert_int_equal(spv_node_new(&n, &o, err, sizeof err), KB_EINVAL);
	spv_node_free(NULL);
	spv_loop_free(loop);
}

static void test_states(void **state)
{
	(void)state;
	struct spv_loop *loop;
	assert_int_equal(spv_loop_new(&loop), KB_OK);
	struct spv_node_opts o = opts(loop);
	struct spv_node *n;
	char err[200];
	assert_int_equal(spv_node_new(&n, &o, err, sizeof err), KB_OK);
	struct spv_node_status st;
	spv_node_status(n, &st);
	assert_string_equal(st.why, "offline");
	assert_int_equal(st.headers_height, 0);
	assert_false(st.headers_synced);
	assert_non_null(spv_node_chain(n));
	struct spv_peer *peers[4];
	assert_int_equal(spv_node_ready_peers(n, peers, 4), 0);
	assert_int_equal(spv_node_fee_floor(n), 0);
	/* regtest's only seed is Core's "dummySeed.invalid.": once it fails
	 * to resolve, a node without --connect is stuck and says why */
	assert_int_equal(spv_node_start(n), KB_OK);
	for (int i = 0; i < 200; i++) {
		assert_int_equal(spv_loop_run_once(loop, 50), KB_OK);
		spv_node_status(n, &st);
		if (st.stuck)
			break;
		assert_non_null(strstr(st.why, "resolving DNS seeds"));
	}
	assert_true(st.stuck);
	assert_string_equal(st.why, "no peers: the DNS seeds gave no addresses");
	assert_int_equal(st.peers_ready + st.peers_connecting, 0);
	struct spv_node_event ev[2];
	assert_int_equal(spv_node_events(n, ev, 2), 0);
	spv_node_free(n);
	spv_loop_free(loop);
}

static void test_connect_refused(void **state)
{
	(void)state;
	struct spv_loop *loop;
	assert_int_equal(spv_loop_new(&loop), KB_OK);
	struct spv_node_opts o = opts(loop);
	const char *c[] = { "127.0.0.1:1" };
	o.connect = c;
	o.nconnect = 1;
	struct spv_node *n;
	char err[200];
	assert_int_equal(spv_node_new(&n, &o, err, sizeof err), KB_OK);
	assert_int_equal(spv_node_start(n), KB_OK);
	struct spv_node_status st;
	for (int i = 0; i < 50; i++) {
		assert_int_equal(spv_loop_run_once(loop, 50), KB_OK);
		spv_node_status(n, &st);
		if (spv_node_events(n, NULL, 0) == 0 && st.peers_connecting == 0 && strstr(st.why, "cannot connect"))
			break;
	}
	spv_node_status(n, &st);
	assert_non_null(strstr(st.why, "cannot connect to 127.0.0.1:1"));
	struct spv_node_event ev[4];
	size_t ne = spv_node_events(n, ev, 4);
	assert_true(ne >= 1);
	assert_false(ev[0].banned); /* refused is not misbehaviour */
	spv_node_free(n);
	spv_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_connect_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
