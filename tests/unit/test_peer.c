/* The peer state machine on a real loopback socket with an injected clock:
 * handshake, what koban sends, ping/pong, timeouts, framing failures. */
#include "tests/support/testsupport.h"

#include "spv/chainparams.h"
#include "spv/peer.h"
#include "wallet/hash.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int64_t fake_now;
static int64_t fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

struct log {
	int ready, dead, misbehave_score;
	char last_cmd[16];
	char misbehave_reason[160];
};

static void op_ready(void *arg, struct spv_peer *p)
{
	(void)p;
	((struct log *)arg)->ready++;
}
static void op_dead(void *arg, struct spv_peer *p)
{
	(void)p;
	((struct log *)arg)->dead++;
}
static void op_misbehaving(void *arg, struct spv_peer *p, int score, const char *reason)
{
	(void)p;
	struct log *l = arg;
	l->misbehave_score += score;
	snprintf(l->misbehave_reason, sizeof l->misbehave_reason, "%s", reason);
}
static void op_message(void *arg, struct spv_peer *p, const char *command, const struct spv_msg *m,
                       const uint8_t *payload, size_t len)
{
	(void)p;
	(void)m;
	(void)payload;
	(void)len;
	snprintf(((struct log *)arg)->last_cmd, 16, "%s", command);
}
static const struct spv_peer_ops ops = { op_ready, op_message, op_misbehaving, op_dead };

struct fixture {
	struct spv_loop *loop;
	int lfd, cfd;
	struct spv_peer *p;
	struct log log;
	const uint8_t *magic;
};

static void turns(struct fixture *f, int n)
{
	/* loopback delivery is quick but not instant: a few more turns */
	for (int i = 0; i < n + 3; i++)
		assert_int_equal(spv_loop_run_once(f->loop, 20), KB_OK);
}

/* Reads one frame from the remote side (blocking with a timeout). */
static bool read_frame(int fd, char cmd[13], uint8_t *payload, size_t cap, size_t *len)
{
	uint8_t h[24];
	size_t got = 0;
	while (got < 24) {
		ssize_t r = recv(fd, h + got, 24 - got, 0);
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	memcpy(cmd, h + 4, 12);
	cmd[12] = 0;
	uint32_t n = (uint32_t)h[16] | (uint32_t)h[17] << 8 | (uint32_t)h[18] << 16 | (uint32_t)h[19] << 24;
	assert_true(n <= cap);
	got = 0;
	while (got < n) {
		ssize_t r = recv(fd, payload + got, n - got, 0);
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	*len = n;
	return true;
}

static void send_msg(struct fixture *f, const struct spv_msg *m)
{
	struct buf b = BUF_INIT;
	spv_msg_frame(&b, f->magic, m);
	assert_int_equal(send(f->cfd, b.p, b.len, 0), (ssize_t)b.len);
	buf_clear(&b);
}

static void send_raw(struct fixture *f, const uint8_t *p, size_t n)
{
	assert_int_equal(send(f->cfd, p, n, 0), (ssize_t)n);
}

static void setup_conn(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	f->magic = spv_chainparams_get(KB_NET_REGTEST)->magic;
	assert_int_equal(spv_loop_new(&f->loop), KB_OK);
	fake_now = 1000000;
	spv_loop_set_clock(f->loop, fake_clock, NULL);
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(f->lfd, 1), 0);
	socklen_t sl = sizeof sa;
	assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&sa, &sl), 0);
	struct spv_peer_opts o;
	memset(&o, 0, sizeof o);
	o.loop = f->loop;
	memcpy(o.magic, f->magic, 4);
	o.start_height = 7;
	o.relay = false;
	assert_int_equal(spv_netaddr_from_sockaddr(&o.addr, (struct sockaddr *)&sa, sl), KB_OK);
	o.id = 1;
	o.ops = &ops;
	o.arg = &f->log;
	assert_int_equal(spv_peer_new(&f->p, &o), KB_OK);
	assert_int_equal(spv_peer_state(f->p), SPV_PEER_CONNECTING);
	f->cfd = accept(f->lfd, NULL, NULL);
	assert_true(f->cfd >= 0);
	struct timeval tv = { 2, 0 };
	setsockopt(f->cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	turns(f, 3);
	assert_int_equal(spv_peer_state(f->p), SPV_PEER_VERSION_SENT);
}

static void teardown_conn(struct fixture *f)
{
	spv_peer_free(f->p);
	close(f->cfd);
	close(f->lfd);
	spv_loop_free(f->loop);
}

/* Completes the handshake from the remote side. */
static void handshake(struct fixture *f)
{
	char cmd[13];
	uint8_t pl[4096];
	size_t n;
	assert_true(read_frame(f->cfd, cmd, pl, sizeof pl, &n));
	assert_string_equal(cmd, "version");
	struct spv_msg m;
	assert_int_equal(spv_msg_parse(&m, SPV_MSG_VERSION, pl, n), KB_OK);
	assert_int_equal(m.u.version.services, 0);
	assert_int_equal(m.u.version.start_height, 7);
	assert_true(m.u.version.has_relay);
	assert_false(m.u.version.relay);
	assert_true(m.u.version.version >= 70016);
	spv_msg_clear(&m);
	assert_true(read_frame(f->cfd, cmd, pl, sizeof pl, &n));
	assert_string_equal(cmd, "sendaddrv2"); /* before verack (BIP155) */
	spv_msg_init(&m, SPV_MSG_VERSION);
	m.u.version.version = 70016;
	m.u.version.services = 9;
	m.u.version.start_height = 500;
	memcpy(m.u.version.user_agent, "/test:\x01/", 8);
	m.u.version.user_agent_len = 8;
	send_msg(f, &m);
	spv_msg_init(&m, SPV_MSG_VERACK);
	send_msg(f, &m);
	turns(f, 3);
	assert_int_equal(spv_peer_state(f->p), SPV_PEER_READY);
	assert_int_equal(f->log.ready, 1);
	assert_int_equal(spv_peer_start_height(f->p), 500);
	assert_int_equal(spv_peer_services(f->p), 9);
	assert_string_equal(spv_peer_user_agent(f->p), "/test:?/");
	assert_true(read_frame(f->cfd, cmd, pl, sizeof pl, &n));
	assert_string_equal(cmd, "verack");
	assert_true(read_frame(f->cfd, cmd, pl, sizeof pl, &n));
	assert_string_equal(cmd, "sendheaders");
	assert_true(read_frame(f->cfd, cmd, pl, sizeof pl, &n));
	assert_string_equal(cmd, "getaddr");
}

static void test_misuse(void **state)
{
	(void)state;
	struct spv_loop *loop;
	assert_int_equal(spv_loop_new(&loop), KB_OK);
	struct spv_peer_opts o;
	memset(&o, 0, sizeof o);
	o.loop = loop;
	o.ops = &ops;
	o.host = "example.onion";
	o.port = 8333;
	struct spv_peer *p = (struct spv_peer *)1;
	assert_int_equal(spv_peer_new(&p, &o), KB_EINVAL); /* a name needs a proxy */
	assert_null(p);
	o.host = NULL;
	assert_int_equal(spv_peer_new(&p, &o), KB_EINVAL); /* no address */
	spv_peer_free(NULL);
	spv_loop_free(loop);
}

static void test_handshake_and_ping(void **state)
{
	(void)state;
	struct fixture f;
	setup_conn(&f);
	handshake(&f);
	/* send limits */
	assert_int_equal(spv_peer_send(f.p, "thirteenchars", NULL, 0), KB_EINVAL);
	assert_int_equal(spv_peer_send(f.p, "", NULL, 0), KB_EINVAL);
	assert_int_equal(spv_peer_send(f.p, "tx", (const uint8_t *)"", SPV_MSG_MAX_PAYLOAD + 1), KB_ELIMIT);
	uint8_t big[SPV_MSG_MAX_FILTER + 100] = { 0 };
	assert_int_equal(spv_peer_send(f.p, "filterload", big, sizeof big), KB_ELIMIT);
	/* the first ping goes out at once; its pong sets the round trip */
	spv_peer_tick(f.p, fake_now);
	turns(&f, 2);
	char cmd[13];
	uint8_t pl[64];
	size_t n;
	assert_true(read_frame(f.cfd, cmd, pl, sizeof pl, &n));
	assert_string_equal(cmd, "ping");
	assert_int_equal(n, 8);
	struct spv_msg m;
	spv_msg_init(&m, SPV_MSG_PONG);
	memcpy(&m.u.nonce, pl, 8);
	fake_now += 42;
	send_msg(&f, &m);
	turns(&f, 2);
	assert_int_equal(spv_peer_ping_ms(f.p), 42);
	assert_string_equal(f.log.last_cmd, ""); /* our pong is consumed */
	/* a ping from the peer is answered */
	spv_msg_init(&m, SPV_MSG_PING);
	m.u.nonce = 0x1122334455667788u;
	send_msg(&f, &m);
	turns(&f, 2);
	assert_true(read_frame(f.cfd, cmd, pl, sizeof pl, &n));
	assert_string_equal(cmd, "pong");
	/* feefilter remembered, other messages passed up */
	spv_msg_init(&m, SPV_MSG_FEEFILTER);
	m.u.feerate = 1000;
	send_msg(&f, &m);
	struct spv_inv one = { SPV_INV_TX, { { 1 } } };
	spv_msg_init(&m, SPV_MSG_NOTFOUND);
	m.u.inv.n = 1;
	m.u.inv.v = &one;
	send_msg(&f, &m);
	turns(&f, 2);
	assert_int_equal(spv_peer_feefilter(f.p), 1000);
	assert_string_equal(f.log.last_cmd, "notfound");
	/* two minutes on, the next ping; no pong within the timeout: dead */
	fake_now += SPV_PEER_PING_INTERVAL_MS;
	spv_peer_tick(f.p, fake_now);
	assert_false(spv_peer_is_dead(f.p));
	fake_now += 60000;
	spv_peer_tick(f.p, fake_now);
	assert_true(spv_peer_is_dead(f.p));
	assert_string_equal(spv_peer_dead_reason(f.p), "no pong within the timeout");
	assert_int_equal(f.log.dead, 1);
	assert_int_equal(f.log.misbehave_score, 0); /* slowness is not misbehaviour */
	spv_peer_close(f.p, "again"); /* closing twice is harmless */
	assert_int_equal(f.log.dead, 1);
	teardown_conn(&f);
}

static void test_handshake_timeout(void **state)
{
	(void)state;
	struct fixture f;
	setup_conn(&f);
	fake_now += 19999;
	spv_peer_tick(f.p, fake_now);
	assert_false(spv_peer_is_dead(f.p));
	fake_now += 1;
	spv_peer_tick(f.p, fake_now);
	assert_true(spv_peer_is_dead(f.p));
	assert_string_equal(spv_peer_dead_reason(f.p), "timed out in the handshake");
	teardown_conn(&f);
}

static void test_message_before_version(void **state)
{
	(void)state;
	struct fixture f;
	setup_conn(&f);
	struct spv_msg m;
	spv_msg_init(&m, SPV_MSG_VERACK);
	send_msg(&f, &m);
	turns(&f, 3);
	assert_true(spv_peer_is_dead(f.p));
	assert_string_equal(spv_peer_dead_reason(f.p), "sent a message before version");
	teardown_conn(&f);
}

static void test_framing_failures(void **state)
{
	(void)state;
	/* checksum: dropped, not scored */
	struct fixture f;
	setup_conn(&f);
	handshake(&f);
	struct buf b = BUF_INIT;
	spv_msg_frame_raw(&b, f.magic, "headers", (const uint8_t *)"\x00", 1);
	b.p[20] ^= 1;
	send_raw(&f, b.p, b.len);
	turns(&f, 3);
	assert_true(spv_peer_is_dead(f.p));
	assert_non_null(strstr(spv_peer_dead_reason(f.p), "checksum"));
	assert_int_equal(f.log.misbehave_score, 0);
	teardown_conn(&f);
	/* oversize: scored 100 from the header alone */
	setup_conn(&f);
	handshake(&f);
	uint8_t hdr[24] = { 0 };
	memcpy(hdr, f.magic, 4);
	memcpy(hdr + 4, "headers", 7);
	uint32_t big = SPV_MSG_MAX_PAYLOAD + 1;
	memcpy(hdr + 16, &big, 4);
	send_raw(&f, hdr, sizeof hdr);
	turns(&f, 3);
	assert_true(spv_peer_is_dead(f.p));
	assert_int_equal(f.log.misbehave_score, 100);
	teardown_conn(&f);
	/* wrong magic: dropped */
	setup_conn(&f);
	handshake(&f);
	buf_reset(&b);
	spv_msg_frame_raw(&b, spv_chainparams_get(KB_NET_MAIN)->magic, "ping", (const uint8_t *)"12345678", 8);
	send_raw(&f, b.p, b.len);
	turns(&f, 3);
	assert_true(spv_peer_is_dead(f.p));
	assert_non_null(strstr(spv_peer_dead_reason(f.p), "magic"));
	teardown_conn(&f);
	/* a payload that does not parse: scored */
	setup_conn(&f);
	handshake(&f);
	buf_reset(&b);
	spv_msg_frame_raw(&b, f.magic, "headers", (const uint8_t *)"\x05", 1);
	send_raw(&f, b.p, b.len);
	turns(&f, 3);
	assert_true(spv_peer_is_dead(f.p));
	assert_int_equal(f.log.misbehave_score, 100);
	teardown_conn(&f);
	buf_clear(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_handshake_and_ping),
		cmocka_unit_test(test_handshake_timeout),
		cmocka_unit_test(test_message_before_version),
		cmocka_unit_test(test_framing_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
