/* HTTP GET on libcurl multi inside the event loop (contract in spv/http.h). */
#include "spv/http.h"

#include "wallet/log.h"
#include "wallet/mem.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct http_req {
	struct http_req *next;
	struct spv_http *h;       /* borrowed: the owner */
	CURL *easy;               /* owned */
	uint64_t id;
	uint8_t *body;            /* owned */
	size_t len, cap, max_body;
	bool too_big;
	spv_http_cb cb;
	void *arg;
	char errbuf[CURL_ERROR_SIZE];
};

struct spv_http {
	struct spv_loop *loop;        /* borrowed */
	CURLM *multi;                 /* owned */
	struct spv_loop_timer *timer; /* owned */
	struct http_req *reqs;        /* owned list */
	uint64_t next_id;
	bool offline;
	char proxy[300];              /* "" or socks5h://HOST:PORT */
};

static bool http_global_done;

enum kb_rc spv_http_proxy_url(char *out, size_t cap, const char *proxy)
{
	if (out && cap)
		out[0] = '\0';
	if (!out || !proxy)
		return KB_EINVAL;
	size_t n = strlen(proxy);
	if (n == 0 || n > 255 || strstr(proxy, "://"))
		return KB_EINVAL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)proxy[i] <= 0x20 || proxy[i] == '/' || proxy[i] == '@')
			return KB_EINVAL;
	const char *colon = strrchr(proxy, ':');
	if (!colon || colon == proxy || colon[1] == '\0')
		return KB_EINVAL;
	unsigned long port = 0;
	for (const char *p = colon + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return KB_EINVAL;
		port = port * 10 + (unsigned long)(*p - '0');
		if (port > 65535)
			return KB_EINVAL;
	}
	if (port == 0)
		return KB_EINVAL;
	int w = snprintf(out, cap, "socks5h://%s", proxy);
	if (w < 0 || (size_t)w >= cap) {
		out[0] = '\0';
		return KB_ELIMIT;
	}
	return KB_OK;
}

static void http_req_free(struct http_req *r)
{
	if (!r)
		return;
	if (r->easy) {
		curl_multi_remove_handle(r->h->multi, r->easy);
		curl_easy_cleanup(r->easy);
	}
	kb_free(r->body);
	kb_free(r);
}

static struct http_req *http_unlink(struct spv_http *h, uint64_t id)
{
	for (struct http_req **pp = &h->reqs; *pp; pp = &(*pp)->next) {
		if ((*pp)->id == id) {
			struct http_req *r = *pp;
			*pp = r->next;
			r->next = NULL;
			return r;
		}
	}
	return NULL;
}

static size_t http_write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct http_req *r = userdata;
	size_t n = size * nmemb;
	if (n > r->max_body - r->len) {
		r->too_big = true;
		return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	if (r->len + n + 1 > r->cap) {
		size_t nc = r->cap ? r->cap : 4096;
		while (nc < r->len + n + 1)
			nc *= 2;
		if (nc > r->max_body + 1)
			nc = r->max_body + 1;
		r->body = kb_realloc(r->body, nc);
		r->cap = nc;
	}
	memcpy(r->body + r->len, ptr, n);
	r->len += n;
	r->body[r->len] = 0;
	return n;
}

/* Finished transfers: collect their ids first, then report, so a callback
 * that cancels or starts requests cannot disturb libcurl's message queue. */
static void http_check_done(struct spv_http *h)
{
	for (;;) {
		uint64_t ids[16];
		CURLcode codes[16];
		size_t k = 0;
		int left = 0;
		CURLMsg *m;
		while (k < 16 && (m = curl_multi_info_read(h->multi, &left)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			struct http_req *r = NULL;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
			if (!r)
				continue;
			ids[k] = r->id;
			codes[k] = m->data.result;
			k++;
		}
		if (k == 0)
			return;
		for (size_t i = 0; i < k; i++) {
			struct http_req *r = http_unlink(h, ids[i]);
			if (!r)
				continue; /* cancelled by an earlier callback */
			long status = 0;
			curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
			enum kb_rc rc = KB_OK;
			char why[CURL_ERROR_SIZE + 64];
			why[0] = '\0';
			if (codes[i] != CURLE_OK) {
				if (r->too_big || codes[i] == CURLE_FILESIZE_EXCEEDED) {
					rc = KB_ELIMIT;
					snprintf(why, sizeof why, "answer larger than %zu bytes", r->max_body);
				} else if (codes[i] == CURLE_OPERATION_TIMEDOUT) {
					rc = KB_ETIMEOUT;
					snprintf(why, sizeof why, "timed out");
				} else {
					rc = KB_ENET;
					snprintf(why, sizeof why, "%s",
					         r->errbuf[0] ? r->errbuf : curl_easy_strerror(codes[i]));
				}
			}
			static const uint8_t empty[1] = {0};
			const uint8_t *body = (rc == KB_OK && r->body) ? r->body : empty;
			size_t len = rc == KB_OK ? r->len : 0;
			r->cb(rc, status, body, len, why, r->arg);
			http_req_free(r);
		}
	}
}

static void http_fd_cb(struct spv_loop_fd *w, int fd, unsigned events, void *arg)
{
	(void)w;
	struct spv_http *h = arg;
	int mask = 0;
	if (events & SPV_LOOP_READ)
		mask |= CURL_CSELECT_IN;
	if (events & SPV_LOOP_WRITE)
		mask |= CURL_CSELECT_OUT;
	if (events & SPV_LOOP_ERROR)
		mask |= CURL_CSELECT_ERR;
	int running = 0;
	curl_multi_socket_action(h->multi, fd, mask, &running);
	http_check_done(h);
}

static void http_timer_cb(struct spv_loop_timer *t, void *arg)
{
	(void)t;
	struct spv_http *h = arg;
	int running = 0;
	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	http_check_done(h);
}

static int http_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	(void)easy;
	struct spv_http *h = userp;
	struct spv_loop_fd *w = socketp;
	if (what == CURL_POLL_REMOVE) {
		if (w) {
			spv_loop_fd_free(w);
			curl_multi_assign(h->multi, s, NULL);
		}
		return 0;
	}
	unsigned ev = 0;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= SPV_LOOP_READ;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= SPV_LOOP_WRITE;
	if (!w) {
		w = spv_loop_fd_new(h->loop, (int)s, ev, http_fd_cb, h);
		if (!w)
			return -1;
		curl_multi_assign(h->multi, s, w);
	} else {
		spv_loop_fd_set_events(w, ev);
	}
	return 0;
}

static int http_timerfn(CURLM *multi, long timeout_ms, void *userp)
{
	(void)multi;
	struct spv_http *h = userp;
	if (timeout_ms < 0)
		spv_loop_timer_stop(h->timer);
	else
		spv_loop_timer_start(h->timer, timeout_ms, 0);
	return 0;
}

enum kb_rc spv_http_new(struct spv_http **out, struct spv_loop *loop, const char *proxy,
                        bool offline)
{
	KB_ASSERT(out && loop);
	*out = NULL;
	struct spv_http *h = kb_calloc(1, sizeof *h);
	h->loop = loop;
	h->offline = offline;
	h->next_id = 1;
	if (proxy && proxy[0] && spv_http_proxy_url(h->proxy, sizeof h->proxy, proxy) != KB_OK) {
		kb_free(h);
		return KB_EINVAL;
	}
	if (!http_global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			kb_free(h);
			return KB_EIO;
		}
		http_global_done = true;
	}
	h->multi = curl_multi_init();
	h->timer = spv_loop_timer_new(loop, http_timer_cb, h);
	if (!h->multi || !h->timer) {
		if (h->multi)
			curl_multi_cleanup(h->multi);
		spv_loop_timer_free(h->timer);
		kb_free(h);
		return KB_EIO;
	}
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, http_socket_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, http_timerfn);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	*out = h;
	return KB_OK;
}

void spv_http_free(struct spv_http *h)
{
	if (!h)
		return;
	while (h->reqs) {
		struct http_req *r = h->reqs;
		h->reqs = r->next;
		http_req_free(r);
	}
	curl_multi_cleanup(h->multi); /* removes the sockets through http_socket_cb */
	spv_loop_timer_free(h->timer);
	kb_free(h);
}

enum kb_rc spv_http_get(struct spv_http *h, uint64_t *id, const char *url, size_t max_body,
                        int64_t timeout_ms, spv_http_cb cb, void *arg)
{
	KB_ASSERT(h && cb);
	if (id)
		*id = 0;
	if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
		return KB_EINVAL;
	if (strlen(url) > 2000)
		return KB_ELIMIT;
	if (max_body == 0 || max_body > SPV_HTTP_BODY_MAX || timeout_ms < 0)
		return KB_EINVAL;
	if (h->offline)
		return KB_ENET;
	if (timeout_ms == 0)
		timeout_ms = SPV_HTTP_TIMEOUT_DEFAULT_MS;

	struct http_req *r = kb_calloc(1, sizeof *r);
	r->h = h;
	r->max_body = max_body;
	r->cb = cb;
	r->arg = arg;
	r->id = h->next_id++;
	r->easy = curl_easy_init();
	if (!r->easy) {
		kb_free(r);
		return KB_EIO;
	}
	CURL *e = r->easy;
	bool ok = curl_easy_setopt(e, CURLOPT_URL, url) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_body) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_write_cb) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_WRITEDATA, r) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_PRIVATE, r) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_USERAGENT, "koban") == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_PROXY, h->proxy[0] ? h->proxy : "") == CURLE_OK;
	/* An empty CURLOPT_PROXY also disables the *_proxy environment variables:
	 * a request goes where the user's settings say, nowhere else. */
	if (ok && h->proxy[0])
		ok = curl_easy_setopt(e, CURLOPT_NOPROXY, "") == CURLE_OK;
	if (!ok || curl_multi_add_handle(h->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		r->easy = NULL;
		http_req_free(r);
		return KB_EIO;
	}
	r->next = h->reqs;
	h->reqs = r;
	if (id)
		*id = r->id;
	return KB_OK;
}

void spv_http_cancel(struct spv_http *h, uint64_t id)
{
	if (!h)
		return;
	http_req_free(http_unlink(h, id));
}

size_t spv_http_pending(const struct spv_http *h)
{
	size_t n = 0;
	for (const struct http_req *r = h ? h->reqs : NULL; r; r = r->next)
		n++;
	return n;
}
