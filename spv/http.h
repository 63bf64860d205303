/*
 * HTTP GET through libcurl's multi interface, driven by the event loop
 * (spv/loop.h): libcurl's sockets become loop fds (CURLMOPT_SOCKETFUNCTION)
 * and its one timeout a loop timer (CURLMOPT_TIMERFUNCTION), so a request
 * never blocks the loop and no thread is started for it (libcurl's own
 * name resolution aside, which its threaded resolver does off-loop).
 *
 * Policy, enforced here so no caller can forget it:
 * - offline: every request is refused (KB_ENET) before libcurl sees it;
 * - a proxy (HOST:PORT) sends everything through SOCKS5 with the proxy
 *   resolving names (socks5h://), so no DNS query leaves the machine;
 * - only http and https, no redirects, no cookies, no credentials;
 * - the body is capped (max_body): a bigger answer fails with KB_ELIMIT;
 * - every request has a deadline.
 *
 * Everything here runs on the loop's thread; callbacks are called from
 * loop callbacks.
 */
#ifndef KOBAN_SPV_HTTP_H
#define KOBAN_SPV_HTTP_H

#include "spv/loop.h"
#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spv_http;

#define SPV_HTTP_BODY_MAX (1u << 20)      /* the largest max_body accepted */
#define SPV_HTTP_TIMEOUT_DEFAULT_MS 20000

/*
 * A finished request. rc: KB_OK (the transfer completed; status is the
 * HTTP status, which may be anything), KB_ETIMEOUT, KB_ELIMIT (body over
 * max_body), KB_ENET (connection, proxy, TLS or protocol failure).
 * body/len are valid only during the call (len 0 when nothing came);
 * body is NUL-terminated for convenience (not counted in len). err is a
 * short reason in words. The callback may start new requests and cancel
 * others; it must not free the spv_http.
 */
typedef void (*spv_http_cb)(enum kb_rc rc, long status, const uint8_t *body, size_t len,
                            const char *err, void *arg);

/*
 * A client on loop (borrowed; must outlive it). proxy: "HOST:PORT" of a
 * SOCKS5 proxy or NULL; offline: refuse every request. On failure *out is
 * NULL (KB_EINVAL for a malformed proxy, KB_EIO when libcurl cannot be
 * initialised). Caller frees with spv_http_free.
 */
enum kb_rc spv_http_new(struct spv_http **out, struct spv_loop *loop, const char *proxy,
                        bool offline) KB_WUR;
/* Cancels every request (their callbacks are not called) and frees h.
 * NULL is a no-op. Not from inside an spv_http_cb of h. */
void spv_http_free(struct spv_http *h);

/*
 * Starts GET url (http:// or https:// only: KB_EINVAL otherwise, and
 * KB_ENET when offline). max_body in 1..SPV_HTTP_BODY_MAX, timeout_ms > 0
 * (0 means SPV_HTTP_TIMEOUT_DEFAULT_MS). Returns at once; cb is called
 * exactly once, later, from the loop (never from inside this call),
 * unless the request is cancelled. *id (optional) identifies it.
 */
enum kb_rc spv_http_get(struct spv_http *h, uint64_t *id, const char *url, size_t max_body,
                        int64_t timeout_ms, spv_http_cb cb, void *arg) KB_WUR;
/* Forgets a request: its callback will not be called. Unknown ids are
 * ignored. Safe from callbacks. */
void spv_http_cancel(struct spv_http *h, uint64_t id);
/* Requests started and not yet finished or cancelled. */
size_t spv_http_pending(const struct spv_http *h);

/* Checks a proxy string "HOST:PORT" (port 1..65535, host non-empty, no
 * scheme, no spaces) and writes "socks5h://HOST:PORT" into out. */
enum kb_rc spv_http_proxy_url(char *out, size_t cap, const char *proxy) KB_WUR;

#endif
