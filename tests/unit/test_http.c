/*
 * spv/http.c and spv_fees_fetch against a tiny HTTP server that lives on
 * the same event loop (127.0.0.1, a random port): misuse first, then a
 * served body, a body over the cap, a refused connection, a server that
 * never answers (timeout), cancellation, offline, and fee documents good
 * and garbage.
 */
#include "tests/support/testsupport.h"

#include "spv/fees.h"
#include "spv/http.h"
#include "spv/loop.h"
#include "wallet/mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- the server ------------------------------------------------------------ */

struct srv {
	struct spv_loop *loop;
	int lfd;
	uint16_t port;
	struct spv_loop_fd *lw;
	const char *response;     /* whole HTTP response; NULL: never answer */
	size_t response_len;
	int accepted;
	int conn_fds[8];
	size_t nconn;
};

static void srv_conn_cb(struct spv_loop_fd *w, int fd, unsigned events, void *arg)
{
	struct srv *s = arg;
	(void)events;
	char buf[4096];
	ssize_t r = read(fd, buf, sizeof buf);
	if (r <= 0) {
		spv_loop_fd_free(w);
		return;
	}
	/* requests are tiny: one read holds the whole head */
	if (s->response) {
		size_t off = 0;
		while (off < s->response_len) {
			ssize_t k = write(fd, s->response + off, s->response_len - off);
			if (k <= 0) {
				if (k < 0 && errno == EAGAIN)
					continue;
				break;
			}
			off += (size_t)k;
		}
		shutdown(fd, SHUT_WR);
	}
}

static void srv_accept_cb(struct spv_loop_fd *w, int fd, unsigned events, void *arg)
{
	(void)w;
	(void)events;
	struct srv *s = arg;
	int c = accept(fd, NULL, NULL);
	if (c < 0)
		return;
	s->accepted++;
	if (s->nconn < 8)
		s->conn_fds[s->nconn++] = c;
	assert_non_null(spv_loop_fd_new(s->loop, c, SPV_LOOP_READ, srv_conn_cb, s));
}

static void srv_start(struct srv *s, struct spv_loop *loop)
{
	memset(s, 0, sizeof *s);
	s->loop = loop;
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->lfd >= 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(s->lfd, 8), 0);
	socklen_t sl = sizeof sa;
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&sa, &sl), 0);
	s->port = ntohs(sa.sin_port);
	s->lw = spv_loop_fd_new(loop, s->lfd, SPV_LOOP_READ, srv_accept_cb, s);
	assert_non_null(s->lw);
}

static void srv_stop(struct srv *s)
{
	spv_loop_fd_free(s->lw);
	close(s->lfd);
	for (size_t i = 0; i < s->nconn; i++)
		close(s->conn_fds[i]);
}

static char srv_resp[300000];

static void srv_set_body(struct srv *s, int status, const char *body, size_t len)
{
	int n = snprintf(srv_resp, sizeof srv_resp,
	                 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
	                 "Connection: close\r\n\r\n",
	                 status, len);
	assert_true(n > 0 && (size_t)n + len < sizeof srv_resp);
	memcpy(srv_resp + n, body, len);
	s->response = srv_resp;
	s->response_len = (size_t)n + len;
}

/* ---- a client callback that records ---------------------------------------- */

struct got {
	int calls;
	enum kb_rc rc;
	long status;
	char body[1024];
	size_t len;
	char err[256];
};

static void got_cb(enum kb_rc rc, long status, const uint8_t *body, size_t len, const char *err,
                   void *arg)
{
	struct got *g = arg;
	g->calls++;
	g->rc = rc;
	g->status = status;
	g->len = len;
	assert_non_null(body);
	assert_int_equal(body[len], 0);
	snprintf(g->body, sizeof g->body, "%s", (const char *)body);
	snprintf(g->err, sizeof g->err, "%s", err ? err : "");
}

static void run_until(struct spv_loop *loop, const int *flag, int64_t max_ms)
{
	int64_t end = spv_loop_clock_monotonic(NULL) + max_ms;
	while (!*flag && spv_loop_clock_monotonic(NULL) < end)
		assert_int_equal(spv_loop_run_once(loop, 50), KB_OK);
}

static char url[128];

static const char *srv_url(const struct srv *s, const char *path)
{
	snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)s->port, path);
	return url;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_misuse(void **state)
{
	(void)state;
	struct spv_loop *loop;
	assert_int_equal(spv_loop_new(&loop), KB_OK);
	struct spv_http *h = (struct spv_http *)1;
	assert_int_equal(spv_http_new(&h, loop, "no-port", false), KB_EINVAL);
	assert_null(h);
	assert_int_equal(spv_http_new(&h, loop, "socks5://1.2.3.4:9050", false), KB_EINVAL);
	assert_int_equal(spv_http_new(&h, loop, "1.2.3.4:0", false), KB_EINVAL);
	assert_int_equal(spv_http_new(&h, loop, "1.2.3.4:65536", false), KB_EINVAL);
	assert_int_equal(spv_http_new(&h, loop, "1.2.3.4:90x", false), KB_EINVAL);
	assert_int_equal(spv_http_new(&h, loop, ":9050", false), KB_EINVAL);
	assert_int_equal(spv_http_new(&h, loop, "a b:9050", false), KB_EINVAL);
	char p[64];
	assert_int_equal(spv_http_proxy_url(p, sizeof p, "127.0.0.1:9050"), KB_OK);
	assert_string_equal(p, "socks5h://127.0.0.1:9050");
	assert_int_equal(spv_http_proxy_url(p, sizeof p, "[::1]:9050"), KB_OK);
	assert_int_equal(spv_http_proxy_url(p, 10, "127.0.0.1:9050"), KB_ELIMIT);
	assert_string_equal(p, "");

	assert_int_equal(spv_http_new(&h, loop, NULL, false), KB_OK);
	struct got g = {0};
	uint64_t id = 99;
	assert_int_equal(spv_http_get(h, &id, NULL, 100, 0, got_cb, &g), KB_EINVAL);
	assert_int_equal(id, 0);
	assert_int_equal(spv_http_get(h, &id, "ftp://127.0.0.1/x", 100, 0, got_cb, &g), KB_EINVAL);
	assert_int_equal(spv_http_get(h, &id, "file:///etc/passwd", 100, 0, got_cb, &g), KB_EINVAL);
	assert_int_equal(spv_http_get(h, &id, "http://127.0.0.1/", 0, 0, got_cb, &g), KB_EINVAL);
	assert_int_equal(spv_http_get(h, &id, "http://127.0.0.1/", SPV_HTTP_BODY_MAX + 1, 0, got_cb, &g),
	                 KB_EINVAL);
	assert_int_equal(spv_http_get(h, &id, "http://127.0.0.1/", 100, -1, got_cb, &g), KB_EINVAL);
	assert_int_equal(spv_http_pending(h), 0);
	assert_int_equal(g.calls, 0);
	spv_http_free(h);
	spv_http_free(NULL);

	/* offline: refused before any connection */
	assert_int_equal(spv_http_new(&h, loop, "127.0.0.1:9050", true), KB_OK);
	assert_int_equal(spv_http_get(h, &id, "http://127.0.0.1:1/", 100, 0, got_cb, &g), KB_ENET);
	assert_int_equal(spv_http_pending(h), 0);
	spv_http_free(h);
	spv_loop_free(loop);
}

static void test_get_ok_and_cap(void **state)
{
	(void)state;
	struct spv_loop *loop;
	assert_int_equal(spv_loop_new(&loop), KB_OK);
	struct srv s;
	srv_start(&s, loop);
	struct spv_http *h;
	assert_int_equal(spv_http_new(&h, loop, NULL, false), KB_OK);

	srv_set_body(&s, 200, "hello", 5);
	struct got g = {0};
	uint64_t id;
	assert_int_equal(spv_http_get(h, &id, srv_url(&s, "/a"), 100, 5000, got_cb, &g), KB_OK);
	assert_true(id != 0);
	assert_int_equal(g.calls, 0); /* never from inside the call */
	assert_int_equal(spv_http_pending(h), 1);
	run_until(loop, &g.calls, 5000);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.rc, KB_OK);
	assert_int_equal(g.status, 200);
	assert_int_equal(g.len, 5);
	assert_string_equal(g.body, "hello");
	assert_int_equal(spv_http_pending(h), 0);

	/* status is reported, not judged */
	srv_set_body(&s, 404, "nope", 4);
	memset(&g, 0, sizeof g);
	assert_int_equal(spv_http_get(h, NULL, srv_url(&s, "/b"), 100, 5000, got_cb, &g), KB_OK);
	run_until(loop, &g.calls, 5000);
	assert_int_equal(g.rc, KB_OK);
	assert_int_equal(g.status, 404);

	/* exactly at the cap passes, one over fails */
	static char big[2001];
	memset(big, 'x', 2000);
	srv_set_body(&s, 200, big, 1000);
	memset(&g, 0, sizeof g);
	assert_int_equal(spv_http_get(h, NULL, srv_url(&s, "/c"), 1000, 5000, got_cb, &g), KB_OK);
	run_until(loop, &g.calls, 5000);
	assert_int_equal(g.rc, KB_OK);
	assert_int_equal(g.len, 1000);
	srv_set_body(&s, 200, big, 1001);
	memset(&g, 0, sizeof g);
	assert_int_equal(spv_http_get(h, NULL, srv_url(&s, "/d"), 1000, 5000, got_cb, &g), KB_OK);
	run_until(loop, &g.calls, 5000);
	assert_int_equal(g.rc, KB_ELIMIT);
	assert_int_equal(g.len, 0);

	/* cancelled: no callback */
	memset(&g, 0, sizeof g);
	assert_int_equal(spv_http_get(h, &id, srv_url(&s, "/e"), 100, 5000, got_cb, &g), KB_OK);
	spv_http_cancel(h, id);
	spv_http_cancel(h, 12345);
	assert_int_equal(spv_http_pending(h), 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(spv_loop_run_once(loop, 10), KB_OK);
	assert_int_equal(g.calls, 0);

	/* freed with one in flight: no callback, no leak */
	assert_int_equal(spv_http_get(h, &id, srv_url(&s, "/f"), 100, 5000, got_cb, &g), KB_OK);
	spv_http_free(h);
	srv_stop(&s);
	spv_loop_free(loop);
	assert_int_equal(g.calls, 0);
}

static void test_refused_and_timeout(void **state)
{
	(void)state;
	struct spv_loop *loop;
	assert_int_equal(spv_loop_new(&loop), KB_OK);
	struct srv s;
	srv_start(&s, loop);
	struct spv_http *h;
	assert_int_equal(spv_http_new(&h, loop, NULL, false), KB_OK);

	/* a port with nobody listening */
	int tmp = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(tmp, (struct sockaddr *)&sa, sizeof sa), 0);
	socklen_t sl = sizeof sa;
	assert_int_equal(getsockname(tmp, (struct sockaddr *)&sa, &sl), 0);
	char u[64];
	snprintf(u, sizeof u, "http://127.0.0.1:%u/", (unsigned)ntohs(sa.sin_port));
	struct got g = {0};
	assert_int_equal(spv_http_get(h, NULL, u, 100, 5000, got_cb, &g), KB_OK);
	run_until(loop, &g.calls, 5000);
	close(tmp);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.rc, KB_ENET);
	assert_true(strlen(g.err) > 0);

	/* the server accepts and never answers */
	s.response = NULL;
	memset(&g, 0, sizeof g);
	assert_int_equal(spv_http_get(h, NULL, srv_url(&s, "/slow"), 100, 300, got_cb, &g), KB_OK);
	run_until(loop, &g.calls, 5000);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.rc, KB_ETIMEOUT);
	assert_int_equal(s.accepted, 1);

	spv_http_free(h);
	srv_stop(&s);
	spv_loop_free(loop);
}

/* ---- fee estimates over HTTP ---------------------------------------------------- */

struct fgot {
	int calls;
	enum kb_rc rc;
	struct spv_fee_estimates est;
	char err[256];
};

static void fees_cb(enum kb_rc rc, const struct spv_fee_estimates *est, const char *err, void *arg)
{
	struct fgot *f = arg;
	f->calls++;
	f->rc = rc;
	if (est)
		f->est = *est;
	else
		memset(&f->est, 0, sizeof f->est);
	snprintf(f->err, sizeof f->err, "%s", err ? err : "");
}

static void test_fees_fetch(void **state)
{
	(void)state;
	struct spv_loop *loop;
	assert_int_equal(spv_loop_new(&loop), KB_OK);
	struct srv s;
	srv_start(&s, loop);
	struct spv_http *h;
	assert_int_equal(spv_http_new(&h, loop, NULL, false), KB_OK);
	struct spv_fees_req req;
	struct fgot f = {0};

	const char *doc = "{\"1\": 30.5, \"2\": 20.1, \"6\": 10, \"144\": 1.027, \"1008\": 1}";
	srv_set_body(&s, 200, doc, strlen(doc));
	assert_int_equal(spv_fees_fetch(h, &req, srv_url(&s, "/fee-estimates"), 5000, fees_cb, &f),
	                 KB_OK);
	run_until(loop, &f.calls, 5000);
	assert_int_equal(f.rc, KB_OK);
	assert_true(f.est.have[SPV_FEE_NORMAL]);
	assert_int_equal(f.est.rate[SPV_FEE_NORMAL], 10000);
	assert_int_equal(f.est.rate[SPV_FEE_FAST], 20100);
	assert_int_equal(f.est.rate[SPV_FEE_SLOW], 1027);

	const char *garbage = "<html>502 Bad Gateway</html>";
	srv_set_body(&s, 200, garbage, strlen(garbage));
	memset(&f, 0, sizeof f);
	assert_int_equal(spv_fees_fetch(h, &req, srv_url(&s, "/fee-estimates"), 5000, fees_cb, &f),
	                 KB_OK);
	run_until(loop, &f.calls, 5000);
	assert_int_equal(f.rc, KB_EPARSE);
	assert_false(f.est.have[SPV_FEE_NORMAL]);
	assert_non_null(strstr(f.err, "not JSON"));

	srv_set_body(&s, 503, doc, strlen(doc));
	memset(&f, 0, sizeof f);
	assert_int_equal(spv_fees_fetch(h, &req, srv_url(&s, "/fee-estimates"), 5000, fees_cb, &f),
	                 KB_OK);
	run_until(loop, &f.calls, 5000);
	assert_int_equal(f.rc, KB_ENET);
	assert_non_null(strstr(f.err, "HTTP 503"));

	/* cancelled: no callback */
	memset(&f, 0, sizeof f);
	assert_int_equal(spv_fees_fetch(h, &req, srv_url(&s, "/fee-estimates"), 5000, fees_cb, &f),
	                 KB_OK);
	spv_fees_cancel(h, &req);
	spv_fees_cancel(h, &req);
	for (int i = 0; i < 10; i++)
		assert_int_equal(spv_loop_run_once(loop, 10), KB_OK);
	assert_int_equal(f.calls, 0);

	spv_http_free(h);
	srv_stop(&s);
	spv_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_get_ok_and_cap),
		cmocka_unit_test(test_refused_and_timeout),
		cmocka_unit_test(test_fees_fetch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
