/*
 * The event loop (STYLE.md §7): one thread, one poll(2) reactor.
 *
 * It carries peer sockets, the terminal, libcurl's multi sockets, a
 * self-pipe for signals, and timers. Nothing registered with it may block:
 * sockets are non-blocking, names are resolved by spv_resolver (one worker
 * thread that shares no mutable state and reports through a socket), and
 * long CPU work is cut into slices run from a before-sleep hook.
 *
 * A turn of spv_loop_run_once():
 *   1. run the before-sleep hooks (in the order they were added): the
 *      wallet commits, the UI redraws, write queues flush, a bounded slice
 *      of chain work runs (a hook with work left arms a 0 ms timer so the
 *      loop does not sleep before the next slice);
 *   2. reap: free every fd watch, timer and hook marked dead, and run the
 *      deferred frees (spv_loop_defer);
 *   3. poll until an fd is ready, the next timer is due, or max_wait_ms;
 *   4. run the callbacks of ready fds, then of due timers in due order.
 *
 * Objects and callbacks. Watches, timers and hooks are handles the loop
 * owns; their _free functions only mark them dead, so they are safe from
 * any callback, including their own, and no callback of a dead object runs
 * after it was freed. A callback must never free the object whose callback
 * is running (a peer, say): it marks it dead and hands the free to
 * spv_loop_defer, which runs it at step 2 of a later turn. Changing an fd's
 * events, freeing other watches, adding watches and timers are all allowed
 * from inside callbacks (libcurl's CURLMOPT_SOCKETFUNCTION needs exactly
 * that); a watch added during step 4 is first polled in the next turn.
 *
 * Time is monotonic milliseconds from a clock that tests may replace
 * (spv_loop_set_clock). Timers fire in order of due time, then of arming;
 * a timer fires at most once per turn, and a repeating one that fell
 * behind skips the periods it missed rather than firing in a burst.
 *
 * Signals: spv_loop_watch_signal() installs a handler that only writes the
 * signal number to a non-blocking self-pipe (nothing else is safe in a
 * handler); the loop reads it and calls the signal callback from step 4.
 * Only one loop per process may watch signals.
 *
 * None of these functions is thread-safe: call them from the loop's thread
 * only (spv_resolver's worker never touches the loop).
 */
#ifndef KOBAN_SPV_LOOP_H
#define KOBAN_SPV_LOOP_H

#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct spv_loop;
struct spv_loop_fd;
struct spv_loop_timer;
struct spv_loop_hook;

/* Event bits for fd interest and for what a callback is told. */
#define SPV_LOOP_READ 1u
#define SPV_LOOP_WRITE 2u
/* Reported only: the fd has an error or hang-up (POLLERR, POLLHUP, or
 * POLLNVAL -- a closed fd still watched, after which its interest is set
 * to 0). A read then returns 0 or the error. */
#define SPV_LOOP_ERROR 4u

/* Monotonic milliseconds. */
typedef int64_t (*spv_loop_clock_fn)(void *arg);
/* fd ready: events is a mix of SPV_LOOP_READ/WRITE (only those asked for)
 * and SPV_LOOP_ERROR. */
typedef void (*spv_loop_fd_cb)(struct spv_loop_fd *w, int fd, unsigned events, void *arg);
typedef void (*spv_loop_timer_cb)(struct spv_loop_timer *t, void *arg);
typedef void (*spv_loop_hook_cb)(struct spv_loop *loop, void *arg);
typedef void (*spv_loop_signal_cb)(struct spv_loop *loop, int signo, void *arg);
/* A deferred free (or any cleanup) run at reap time. */
typedef void (*spv_loop_defer_fn)(void *p);

/*
 * Creates a loop with the system monotonic clock. Returns KB_EIO when the
 * self-pipe cannot be made (out of fds); *out is NULL then. Free with
 * spv_loop_free.
 */
enum kb_rc spv_loop_new(struct spv_loop **out) KB_WUR;

/*
 * Frees the loop: every watch, timer and hook (without calling them), the
 * pending deferred frees (they are run), the self-pipe, and the signal
 * handlers it installed (the old ones are restored). It closes no fd it did
 * not create. Not from inside a callback. NULL is a no-op.
 */
void spv_loop_free(struct spv_loop *loop);

/* Replaces the clock (tests). fn must be monotonic. */
void spv_loop_set_clock(struct spv_loop *loop, spv_loop_clock_fn fn, void *arg);
/* The loop's clock now, in ms. */
int64_t spv_loop_now(const struct spv_loop *loop);
/* The system monotonic clock (CLOCK_MONOTONIC), in ms. */
int64_t spv_loop_clock_monotonic(void *arg);

/*
 * Runs turns until spv_loop_stop. Returns KB_OK when stopped, or KB_EIO
 * when poll fails with anything but EINTR.
 */
enum kb_rc spv_loop_run(struct spv_loop *loop) KB_WUR;
/*
 * Runs one turn, sleeping at most max_wait_ms (0: do not sleep; negative:
 * until something happens). KB_EIO as above.
 */
enum kb_rc spv_loop_run_once(struct spv_loop *loop, int64_t max_wait_ms) KB_WUR;
/* Makes spv_loop_run return after the current turn (and the next turn not
 * sleep); spv_loop_run runs the hooks and reaps once more before it
 * returns, then clears the request. Calling it before spv_loop_run makes
 * that run return after one turn. Safe from callbacks. */
void spv_loop_stop(struct spv_loop *loop);
bool spv_loop_stopped(const struct spv_loop *loop);

/* ---- file descriptors ---------------------------------------------------- */

/*
 * Watches fd for events (SPV_LOOP_READ and/or WRITE; 0 keeps the watch but
 * polls nothing). The fd stays the caller's: the loop never closes it, and
 * the caller frees the watch before closing the fd. Several watches on one
 * fd are allowed but rarely wise. Never fails (allocation aborts).
 */
struct spv_loop_fd *spv_loop_fd_new(struct spv_loop *loop, int fd, unsigned events,
                                    spv_loop_fd_cb cb, void *arg);
/* Sets what to poll for from now on (takes effect for this turn's
 * remaining dispatch too: an event no longer asked for is not reported). */
void spv_loop_fd_set_events(struct spv_loop_fd *w, unsigned events);
unsigned spv_loop_fd_events(const struct spv_loop_fd *w);
int spv_loop_fd_fd(const struct spv_loop_fd *w);
/* Replaces the callback argument (libcurl's curl_multi_assign pattern). */
void spv_loop_fd_set_arg(struct spv_loop_fd *w, void *arg);
/* Stops watching; the handle is reaped later, its callback never runs
 * again. Safe from any callback, its own included. NULL is a no-op. */
void spv_loop_fd_free(struct spv_loop_fd *w);

/* ---- timers ---------------------------------------------------------------- */

/*
 * A timer, created stopped. Start it with spv_loop_timer_start. A timer
 * that fired once and stopped stays allocated until spv_loop_timer_free,
 * so its owner can restart it; there is no handle that goes stale by
 * itself.
 */
struct spv_loop_timer *spv_loop_timer_new(struct spv_loop *loop, spv_loop_timer_cb cb, void *arg);
/*
 * (Re)arms t to fire after delay_ms (>= 0; 0 means on the next turn), then
 * every period_ms if period_ms > 0. Restarting an armed timer moves it.
 * t must not have been freed. libcurl's CURLMOPT_TIMERFUNCTION maps to
 * this (timeout_ms >= 0) and to spv_loop_timer_stop (-1).
 */
void spv_loop_timer_start(struct spv_loop_timer *t, int64_t delay_ms, int64_t period_ms);
/* Disarms t (it may be started again). */
void spv_loop_timer_stop(struct spv_loop_timer *t);
bool spv_loop_timer_active(const struct spv_loop_timer *t);
/* When t is due next (loop clock, ms); meaningful only while active. */
int64_t spv_loop_timer_due(const struct spv_loop_timer *t);
/* Disarms and releases t (reaped later). Safe from any callback. NULL ok. */
void spv_loop_timer_free(struct spv_loop_timer *t);

/* ---- before-sleep hooks and deferred frees ----------------------------------- */

/* Adds a hook run at the start of every turn, before the loop sleeps. */
struct spv_loop_hook *spv_loop_hook_new(struct spv_loop *loop, spv_loop_hook_cb cb, void *arg);
/* Removes a hook (reaped later). Safe from any callback. NULL is a no-op. */
void spv_loop_hook_free(struct spv_loop_hook *h);

/*
 * Queues fn(p) to run when the loop next reaps (step 2 of the next turn,
 * or spv_loop_free): the way an object whose callback is running asks to
 * be freed. Deferred calls run in the order queued.
 */
void spv_loop_defer(struct spv_loop *loop, spv_loop_defer_fn fn, void *p);

/* ---- signals ---------------------------------------------------------------- */

/* Sets the callback for watched signals (replacing any earlier one). */
void spv_loop_set_signal_cb(struct spv_loop *loop, spv_loop_signal_cb cb, void *arg);
/*
 * Installs a handler for signo (SA_RESTART) that writes signo to the
 * self-pipe. KB_EINVAL for a signal number out of range (1..63) or when
 * another loop already watches signals; KB_EIO when sigaction fails.
 */
enum kb_rc spv_loop_watch_signal(struct spv_loop *loop, int signo) KB_WUR;

/* ---- sockets ------------------------------------------------------------------ */

/*
 * Starts a non-blocking TCP connect: a new socket (non-blocking,
 * close-on-exec) connecting to sa. KB_OK with *fd set means the connect is
 * in progress (or already done): watch *fd for SPV_LOOP_WRITE, then call
 * spv_loop_tcp_connect_result. KB_ENET (with *fd = -1) when it failed at
 * once (no route, family not supported, out of fds).
 */
enum kb_rc spv_loop_tcp_connect(int *fd, const struct sockaddr *sa, socklen_t len) KB_WUR;
/*
 * Once fd is writable (or reports SPV_LOOP_ERROR): KB_OK when connected,
 * KB_ENET otherwise (SO_ERROR says why; *err, when not NULL, gets errno).
 */
enum kb_rc spv_loop_tcp_connect_result(int fd, int *err) KB_WUR;

/* ---- name resolution ------------------------------------------------------------- */

/*
 * An asynchronous resolver: getaddrinfo(3) blocks, so it runs on one worker
 * thread. Requests and answers are copied between the threads through a
 * socket pair; the threads share no memory. Answers are delivered by a
 * loop callback. Do not create one in --offline mode: it opens an AF_UNIX
 * socket pair and exists to resolve names.
 */
struct spv_resolver;

#define SPV_RESOLVE_MAX 64 /* at most this many addresses per answer */

struct spv_resolved {
	size_t n;
	struct {
		struct sockaddr_storage ss;
		socklen_t len;
	} addr[SPV_RESOLVE_MAX];
};

/*
 * rc is KB_OK with res->n >= 1, KB_ENOTFOUND when the name does not exist
 * or has no addresses, or KB_ENET for a resolver failure. res is borrowed
 * for the call.
 */
typedef void (*spv_resolve_cb)(enum kb_rc rc, const struct spv_resolved *res, void *arg);

/* Starts the worker thread. KB_EIO when the thread or socket pair cannot
 * be made; *out is NULL then. The resolver must be freed before its loop. */
enum kb_rc spv_resolver_new(struct spv_resolver **out, struct spv_loop *loop) KB_WUR;
/*
 * Frees the resolver. Callbacks of outstanding queries are not called. If
 * the worker is idle it is joined; if it is inside getaddrinfo it is left
 * to finish and exit by itself (it owns everything it still uses). Not
 * from inside a resolver callback; NULL is a no-op.
 */
void spv_resolver_free(struct spv_resolver *r);
/*
 * Queues a lookup of host (name or literal) and port (a number as text,
 * may be NULL) for TCP addresses of family (AF_UNSPEC, AF_INET, AF_INET6).
 * Answers arrive in order of queuing. *id identifies it for
 * spv_resolver_cancel. KB_EINVAL for an empty or too long host (over 255).
 */
enum kb_rc spv_resolver_query(struct spv_resolver *r, uint64_t *id, const char *host,
                              const char *port, int family, spv_resolve_cb cb, void *arg) KB_WUR;
/* Forgets a query: its callback will not be called. Unknown ids are
 * ignored. Safe from any callback. */
void spv_resolver_cancel(struct spv_resolver *r, uint64_t id);
/* Queries queued or running. */
size_t spv_resolver_pending(const struct spv_resolver *r);

#endif
