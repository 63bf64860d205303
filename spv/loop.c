/*
 * The event loop: see spv/loop.h for the contract. Small on purpose
 * (Redis's ae.c, tmux's server_loop): arrays of handles, a linear scan for
 * due timers (a light node has tens of them), poll(2).
 */
#include "spv/loop.h"

#include "wallet/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SPV_LOOP_NSIG 64

struct spv_loop_fd {
	struct spv_loop *loop; /* borrowed */
	int fd;                /* borrowed: never closed here */
	unsigned events;
	spv_loop_fd_cb cb;
	void *arg;             /* borrowed */
	bool dead;
};

struct spv_loop_timer {
	struct spv_loop *loop; /* borrowed */
	spv_loop_timer_cb cb;
	void *arg;             /* borrowed */
	int64_t due;
	int64_t period;
	uint64_t seq;          /* arming order: ties and "armed this turn" */
	uint64_t fired_turn;
	bool active;
	bool dead;
};

struct spv_loop_hook {
	spv_loop_hook_cb cb;
	void *arg; /* borrowed */
	bool dead;
};

struct deferred {
	spv_loop_defer_fn fn;
	void *p;
};

/* A growable array of pointers. */
struct ptrvec {
	void **v; /* owned array; elements owned by the loop */
	size_t n, cap;
};

static void ptrvec_push(struct ptrvec *pv, void *p)
{
	if (pv->n == pv->cap) {
		pv->cap = pv->cap ? pv->cap * 2 : 8;
		pv->v = kb_realloc(pv->v, pv->cap * sizeof *pv->v);
	}
	pv->v[pv->n++] = p;
}

struct spv_loop {
	spv_loop_clock_fn clock;
	void *clock_arg;
	struct ptrvec fds;    /* struct spv_loop_fd * */
	struct ptrvec timers; /* struct spv_loop_timer * */
	struct ptrvec hooks;  /* struct spv_loop_hook * */
	struct deferred *deferred; /* owned */
	size_t ndeferred, capdeferred;
	bool dead_pending;    /* some handle is marked dead */

	struct pollfd *pfd;           /* owned: this turn's poll set */
	struct spv_loop_fd **pwatch;  /* owned array of borrowed watches */
	size_t pcap;

	bool stop;
	uint64_t turn;
	uint64_t seq;

	int sigpipe[2];               /* owned: self-pipe, both non-blocking */
	struct spv_loop_fd *sigwatch; /* owned by the loop */
	spv_loop_signal_cb sigcb;
	void *sigarg;
	bool watched[SPV_LOOP_NSIG];
	struct sigaction oldact[SPV_LOOP_NSIG];
};

/* ---- clock ------------------------------------------------------------------ */

int64_t spv_loop_clock_monotonic(void *arg)
{
	(void)arg;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void spv_loop_set_clock(struct spv_loop *loop, spv_loop_clock_fn fn, void *arg)
{
	KB_ASSERT(fn != NULL);
	loop->clock = fn;
	loop->clock_arg = arg;
}

int64_t spv_loop_now(const struct spv_loop *loop)
{
	return loop->clock(loop->clock_arg);
}

/* ---- signals ----------------------------------------------------------------- */

/* The one loop that watches signals, and its pipe's write end, for the
 * handler. A handler may only do async-signal-safe things: write(2). */
static struct spv_loop *sig_loop;
static volatile sig_atomic_t sig_wfd = -1;

static void sig_handler(int signo)
{
	int saved = errno;
	int fd = sig_wfd;
	if (fd >= 0) {
		uint8_t b = (uint8_t)signo;
		ssize_t w = write(fd, &b, 1); /* a full pipe drops it: a signal is already pending */
		(void)w;
	}
	errno = saved;
}

static void sigpipe_cb(struct spv_loop_fd *w, int fd, unsigned events, void *arg)
{
	struct spv_loop *loop = arg;
	(void)w;
	(void)events;
	uint8_t buf[64];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			if (loop->sigcb)
				loop->sigcb(loop, buf[i], loop->sigarg);
	}
}

void spv_loop_set_signal_cb(struct spv_loop *loop, spv_loop_signal_cb cb, void *arg)
{
	loop->sigcb = cb;
	loop->sigarg = arg;
}

enum kb_rc spv_loop_watch_signal(struct spv_loop *loop, int signo)
{
	if (signo <= 0 || signo >= SPV_LOOP_NSIG)
		return KB_EINVAL;
	if (sig_loop && sig_loop != loop)
		return KB_EINVAL;
	if (loop->watched[signo])
		return KB_OK;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sig_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sig_loop = loop;
	sig_wfd = loop->sigpipe[1];
	if (sigaction(signo, &sa, &loop->oldact[signo]) != 0)
		return KB_EIO;
	loop->watched[signo] = true;
	return KB_OK;
}

/* ---- life cycle ---------------------------------------------------------------- */

static bool set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0;
}

enum kb_rc spv_loop_new(struct spv_loop **out)
{
	*out = NULL;
	struct spv_loop *loop = kb_calloc(1, sizeof *loop);
	loop->clock = spv_loop_clock_monotonic;
	if (pipe2(loop->sigpipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		kb_free(loop);
		return KB_EIO;
	}
	loop->sigwatch = spv_loop_fd_new(loop, loop->sigpipe[0], SPV_LOOP_READ, sigpipe_cb, loop);
	*out = loop;
	return KB_OK;
}

static void run_deferred(struct spv_loop *loop)
{
	/* a deferred call may defer more: run until none is left */
	for (size_t i = 0; i < loop->ndeferred; i++) {
		struct deferred d = loop->deferred[i];
		d.fn(d.p);
	}
	loop->ndeferred = 0;
}

void spv_loop_free(struct spv_loop *loop)
{
	if (!loop)
		return;
	run_deferred(loop);
	for (int s = 1; s < SPV_LOOP_NSIG; s++)
		if (loop->watched[s])
			sigaction(s, &loop->oldact[s], NULL);
	if (sig_loop == loop) {
		sig_wfd = -1;
		sig_loop = NULL;
	}
	for (size_t i = 0; i < loop->fds.n; i++)
		kb_free(loop->fds.v[i]);
	for (size_t i = 0; i < loop->timers.n; i++)
		kb_free(loop->timers.v[i]);
	for (size_t i = 0; i < loop->hooks.n; i++)
		kb_free(loop->hooks.v[i]);
	kb_free(loop->fds.v);
	kb_free(loop->timers.v);
	kb_free(loop->hooks.v);
	kb_free(loop->deferred);
	kb_free(loop->pfd);
	kb_free(loop->pwatch);
	close(loop->sigpipe[0]);
	close(loop->sigpipe[1]);
	kb_free(loop);
}

void spv_loop_stop(struct spv_loop *loop)
{
	loop->stop = true;
}

bool spv_loop_stopped(const struct spv_loop *loop)
{
	return loop->stop;
}

/* ---- fds ----------------------------------------------------------------------- */

struct spv_loop_fd *spv_loop_fd_new(struct spv_loop *loop, int fd, unsigned events,
                                    spv_loop_fd_cb cb, void *arg)
{
	KB_ASSERT(fd >= 0 && cb != NULL);
	struct spv_loop_fd *w = kb_calloc(1, sizeof *w);
	w->loop = loop;
	w->fd = fd;
	w->events = events & (SPV_LOOP_READ | SPV_LOOP_WRITE);
	w->cb = cb;
	w->arg = arg;
	ptrvec_push(&loop->fds, w);
	return w;
}

void spv_loop_fd_set_events(struct spv_loop_fd *w, unsigned events)
{
	w->events = events & (SPV_LOOP_READ | SPV_LOOP_WRITE);
}

unsigned spv_loop_fd_events(const struct spv_loop_fd *w)
{
	return w->events;
}

int spv_loop_fd_fd(const struct spv_loop_fd *w)
{
	return w->fd;
}

void spv_loop_fd_set_arg(struct spv_loop_fd *w, void *arg)
{
	w->arg = arg;
}

void spv_loop_fd_free(struct spv_loop_fd *w)
{
	if (!w)
		return;
	w->dead = true;
	w->events = 0;
	w->loop->dead_pending = true;
}

/* ---- timers ---------------------------------------------------------------------- */

struct spv_loop_timer *spv_loop_timer_new(struct spv_loop *loop, spv_loop_timer_cb cb, void *arg)
{
	KB_ASSERT(cb != NULL);
	struct spv_loop_timer *t = kb_calloc(1, sizeof *t);
	t->loop = loop;
	t->cb = cb;
	t->arg = arg;
	ptrvec_push(&loop->timers, t);
	return t;
}

void spv_loop_timer_start(struct spv_loop_timer *t, int64_t delay_ms, int64_t period_ms)
{
	KB_ASSERT(!t->dead);
	if (delay_ms < 0)
		delay_ms = 0;
	t->due = spv_loop_now(t->loop) + delay_ms;
	t->period = period_ms > 0 ? period_ms : 0;
	t->seq = ++t->loop->seq;
	t->active = true;
}

void spv_loop_timer_stop(struct spv_loop_timer *t)
{
	t->active = false;
}

bool spv_loop_timer_active(const struct spv_loop_timer *t)
{
	return t->active;
}

int64_t spv_loop_timer_due(const struct spv_loop_timer *t)
{
	return t->due;
}

void spv_loop_timer_free(struct spv_loop_timer *t)
{
	if (!t)
		return;
	t->dead = true;
	t->active = false;
	t->loop->dead_pending = true;
}

/* ---- hooks and deferred frees ------------------------------------------------------ */

struct spv_loop_hook *spv_loop_hook_new(struct spv_loop *loop, spv_loop_hook_cb cb, void *arg)
{
	KB_ASSERT(cb != NULL);
	struct spv_loop_hook *h = kb_calloc(1, sizeof *h);
	h->cb = cb;
	h->arg = arg;
	ptrvec_push(&loop->hooks, h);
	return h;
}

void spv_loop_hook_free(struct spv_loop_hook *h)
{
	if (h)
		h->dead = true; /* reaped with the rest; hooks are few */
}

void spv_loop_defer(struct spv_loop *loop, spv_loop_defer_fn fn, void *p)
{
	KB_ASSERT(fn != NULL);
	if (loop->ndeferred == loop->capdeferred) {
		loop->capdeferred = loop->capdeferred ? loop->capdeferred * 2 : 8;
		loop->deferred = kb_realloc(loop->deferred, loop->capdeferred * sizeof *loop->deferred);
	}
	loop->deferred[loop->ndeferred].fn = fn;
	loop->deferred[loop->ndeferred].p = p;
	loop->ndeferred++;
}

/* ---- the turn ---------------------------------------------------------------------- */

static void reap(struct spv_loop *loop)
{
	run_deferred(loop);
	size_t k = 0;
	for (size_t i = 0; i < loop->hooks.n; i++) {
		struct spv_loop_hook *h = loop->hooks.v[i];
		if (h->dead)
			kb_free(h);
		else
			loop->hooks.v[k++] = h;
	}
	loop->hooks.n = k;
	if (!loop->dead_pending)
		return;
	loop->dead_pending = false;
	k = 0;
	for (size_t i = 0; i < loop->fds.n; i++) {
		struct spv_loop_fd *w = loop->fds.v[i];
		if (w->dead)
			kb_free(w);
		else
			loop->fds.v[k++] = w;
	}
	loop->fds.n = k;
	k = 0;
	for (size_t i = 0; i < loop->timers.n; i++) {
		struct spv_loop_timer *t = loop->timers.v[i];
		if (t->dead)
			kb_free(t);
		else
			loop->timers.v[k++] = t;
	}
	loop->timers.n = k;
}

static void run_hooks(struct spv_loop *loop)
{
	/* hooks added while running wait for the next turn */
	size_t n = loop->hooks.n;
	for (size_t i = 0; i < n; i++) {
		struct spv_loop_hook *h = loop->hooks.v[i];
		if (!h->dead)
			h->cb(loop, h->arg);
	}
}

/* ms until the next timer is due (0 if overdue), or -1 when none is armed. */
static int64_t next_timer_wait(struct spv_loop *loop, int64_t now)
{
	int64_t best = -1;
	for (size_t i = 0; i < loop->timers.n; i++) {
		struct spv_loop_timer *t = loop->timers.v[i];
		if (!t->active || t->dead)
			continue;
		int64_t w = t->due > now ? t->due - now : 0;
		if (best < 0 || w < best)
			best = w;
	}
	return best;
}

static void run_timers(struct spv_loop *loop)
{
	int64_t now = spv_loop_now(loop);
	uint64_t limit = loop->seq + 1; /* armed before this point may fire */
	for (;;) {
		struct spv_loop_timer *best = NULL;
		for (size_t i = 0; i < loop->timers.n; i++) {
			struct spv_loop_timer *t = loop->timers.v[i];
			if (!t->active || t->dead || t->due > now || t->seq >= limit ||
			    t->fired_turn == loop->turn)
				continue;
			if (!best || t->due < best->due || (t->due == best->due && t->seq < best->seq))
				best = t;
		}
		if (!best)
			return;
		best->fired_turn = loop->turn;
		if (best->period > 0) {
			int64_t next = best->due + best->period;
			if (next <= now) /* fell behind: skip the missed periods */
				next = now + best->period;
			best->due = next;
		} else {
			best->active = false;
		}
		best->cb(best, best->arg);
	}
}

static void dispatch_fds(struct spv_loop *loop, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		short re = loop->pfd[i].revents;
		struct spv_loop_fd *w = loop->pwatch[i];
		/* an earlier callback of this turn may have freed the watch or
		 * dropped interest: report only what is still asked for */
		if (!re || w->dead || (!w->events && !(re & POLLNVAL)))
			continue;
		unsigned ev = 0;
		if (re & (POLLERR | POLLHUP | POLLNVAL))
			ev |= SPV_LOOP_ERROR;
		if ((re & (POLLIN | POLLERR | POLLHUP)) && (w->events & SPV_LOOP_READ))
			ev |= SPV_LOOP_READ;
		if ((re & (POLLOUT | POLLERR | POLLHUP)) && (w->events & SPV_LOOP_WRITE))
			ev |= SPV_LOOP_WRITE;
		if (re & POLLNVAL)
			w->events = 0; /* a closed fd: stop polling it, or it spins */
		if (ev)
			w->cb(w, w->fd, ev, w->arg);
	}
}

enum kb_rc spv_loop_run_once(struct spv_loop *loop, int64_t max_wait_ms)
{
	loop->turn++;
	run_hooks(loop);
	reap(loop);

	size_t n = 0;
	if (loop->pcap < loop->fds.n) {
		loop->pcap = loop->fds.n;
		loop->pfd = kb_realloc(loop->pfd, loop->pcap * sizeof *loop->pfd);
		loop->pwatch = kb_realloc(loop->pwatch, loop->pcap * sizeof *loop->pwatch);
	}
	for (size_t i = 0; i < loop->fds.n; i++) {
		struct spv_loop_fd *w = loop->fds.v[i];
		if (w->dead || !w->events)
			continue;
		loop->pfd[n].fd = w->fd;
		loop->pfd[n].events = (short)(((w->events & SPV_LOOP_READ) ? POLLIN : 0) |
		                              ((w->events & SPV_LOOP_WRITE) ? POLLOUT : 0));
		loop->pfd[n].revents = 0;
		loop->pwatch[n] = w;
		n++;
	}

	int64_t wait = next_timer_wait(loop, spv_loop_now(loop));
	if (max_wait_ms >= 0 && (wait < 0 || max_wait_ms < wait))
		wait = max_wait_ms;
	if (loop->stop)
		wait = 0;
	int timeout = wait < 0 ? -1 : wait > INT_MAX ? INT_MAX : (int)wait;

	int r = poll(loop->pfd, (nfds_t)n, timeout);
	if (r < 0) {
		if (errno != EINTR)
			return KB_EIO;
		r = 0;
	}
	if (r > 0)
		dispatch_fds(loop, n);
	run_timers(loop);
	return KB_OK;
}

enum kb_rc spv_loop_run(struct spv_loop *loop)
{
	while (!loop->stop) {
		enum kb_rc rc = spv_loop_run_once(loop, -1);
		if (rc != KB_OK)
			return rc;
	}
	/* leave nothing half-done: hooks (commit, flush) and reaping once more */
	run_hooks(loop);
	reap(loop);
	loop->stop = false; /* so the loop can be run again */
	return KB_OK;
}

/* ---- TCP connect -------------------------------------------------------------------- */

enum kb_rc spv_loop_tcp_connect(int *fd, const struct sockaddr *sa, socklen_t len)
{
	*fd = -1;
	int s = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (s < 0)
		return KB_ENET;
	int one = 1;
	(void)setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(s, sa, len) != 0 && errno != EINPROGRESS && errno != EINTR) {
		close(s);
		return KB_ENET;
	}
	*fd = s;
	return KB_OK;
}

enum kb_rc spv_loop_tcp_connect_result(int fd, int *err)
{
	int e = 0;
	socklen_t l = sizeof e;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) != 0)
		e = errno;
	if (err)
		*err = e;
	return e == 0 ? KB_OK : KB_ENET;
}

/* ---- resolver ------------------------------------------------------------------------- */

/*
 * Requests and answers travel by value over a SOCK_SEQPACKET pair (one
 * message each, about 9 KB for an answer): the threads share no memory at
 * all, and if the loop side goes away nothing is left owned by nobody. At
 * most one request is out at a time, so neither side's send can block for
 * want of buffer space.
 */
struct resolve_req {
	uint64_t id;
	char host[256];
	char port[16];
	bool has_port;
	int family;
	enum kb_rc rc;            /* filled by the worker */
	struct spv_resolved res;  /* filled by the worker */
};

struct resolve_query {
	uint64_t id;
	char host[256];
	char port[16];
	bool has_port;
	int family;
	spv_resolve_cb cb;
	void *arg; /* borrowed */
	bool cancelled;
};

struct spv_resolver {
	struct spv_loop *loop;       /* borrowed */
	int fd;                      /* owned: loop's end of the socket pair */
	struct spv_loop_fd *watch;   /* owned */
	struct spv_loop_timer *fail; /* owned: reports queries after a broken pipe */
	pthread_t thread;
	struct resolve_query *q;     /* owned FIFO; q[0] is out when inflight */
	size_t nq, capq;
	bool inflight;
	bool broken;
	uint64_t next_id;
};

static void resolve_now(struct resolve_req *rq)
{
	struct addrinfo hints, *ai = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = rq->family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	int e = getaddrinfo(rq->host, rq->has_port ? rq->port : NULL, &hints, &ai);
	rq->res.n = 0;
	if (e != 0) {
		rq->rc = (e == EAI_NONAME || e == EAI_NODATA || e == EAI_ADDRFAMILY ||
		          e == EAI_FAIL) ? KB_ENOTFOUND : KB_ENET;
		return;
	}
	for (struct addrinfo *p = ai; p && rq->res.n < SPV_RESOLVE_MAX; p = p->ai_next) {
		if ((p->ai_family != AF_INET && p->ai_family != AF_INET6) ||
		    p->ai_addrlen > sizeof rq->res.addr[0].ss)
			continue;
		memcpy(&rq->res.addr[rq->res.n].ss, p->ai_addr, p->ai_addrlen);
		rq->res.addr[rq->res.n].len = p->ai_addrlen;
		rq->res.n++;
	}
	freeaddrinfo(ai);
	rq->rc = rq->res.n ? KB_OK : KB_ENOTFOUND;
}

static void *resolver_main(void *p)
{
	int fd = (int)(intptr_t)p;
	struct resolve_req *rq = kb_malloc(sizeof *rq); /* the worker's own */
	for (;;) {
		ssize_t n = recv(fd, rq, sizeof *rq, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof *rq)
			break; /* the loop closed its end: done */
		rq->host[sizeof rq->host - 1] = '\0';
		rq->port[sizeof rq->port - 1] = '\0';
		resolve_now(rq);
		if (send(fd, rq, sizeof *rq, MSG_NOSIGNAL) != (ssize_t)sizeof *rq)
			break; /* nobody to answer */
	}
	kb_free(rq);
	close(fd);
	return NULL;
}

static void resolver_kick(struct spv_resolver *r);

static void resolver_pop(struct spv_resolver *r)
{
	memmove(r->q, r->q + 1, (r->nq - 1) * sizeof *r->q);
	r->nq--;
}

static void resolver_fail_cb(struct spv_loop_timer *t, void *arg)
{
	struct spv_resolver *r = arg;
	(void)t;
	/* fail the oldest; the timer fires again next turn for the rest */
	if (r->nq == 0)
		return;
	struct resolve_query q = r->q[0];
	resolver_pop(r);
	r->inflight = false;
	if (r->nq)
		spv_loop_timer_start(r->fail, 0, 0);
	if (!q.cancelled)
		q.cb(KB_ENET, NULL, q.arg);
}

static void resolver_read_cb(struct spv_loop_fd *w, int fd, unsigned events, void *arg)
{
	struct spv_resolver *r = arg;
	(void)w;
	(void)events;
	struct resolve_req *rq = kb_malloc(sizeof *rq);
	ssize_t n = recv(fd, rq, sizeof *rq, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		kb_free(rq);
		return;
	}
	if (n != (ssize_t)sizeof *rq) {
		kb_free(rq);
		/* the worker is gone: fail what is queued, never poll again */
		r->broken = true;
		spv_loop_fd_set_events(r->watch, 0);
		spv_loop_timer_start(r->fail, 0, 0);
		return;
	}
	KB_ASSERT(r->inflight && r->nq > 0 && r->q[0].id == rq->id);
	struct resolve_query q = r->q[0];
	resolver_pop(r);
	r->inflight = false;
	resolver_kick(r);
	if (!q.cancelled)
		q.cb(rq->rc, &rq->res, q.arg);
	kb_free(rq);
}

static void resolver_kick(struct spv_resolver *r)
{
	while (!r->inflight && r->nq > 0 && r->q[0].cancelled)
		resolver_pop(r);
	if (r->inflight || r->nq == 0)
		return;
	if (r->broken) {
		spv_loop_timer_start(r->fail, 0, 0);
		return;
	}
	struct resolve_req *rq = kb_calloc(1, sizeof *rq);
	rq->id = r->q[0].id;
	memcpy(rq->host, r->q[0].host, sizeof rq->host);
	memcpy(rq->port, r->q[0].port, sizeof rq->port);
	rq->has_port = r->q[0].has_port;
	rq->family = r->q[0].family;
	ssize_t sent = send(r->fd, rq, sizeof *rq, MSG_NOSIGNAL | MSG_DONTWAIT);
	kb_free(rq);
	if (sent != (ssize_t)sizeof *rq) {
		r->broken = true;
		spv_loop_timer_start(r->fail, 0, 0);
		return;
	}
	r->inflight = true;
}

enum kb_rc spv_resolver_new(struct spv_resolver **out, struct spv_loop *loop)
{
	*out = NULL;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return KB_EIO;
	if (!set_nonblock(sv[0])) {
		close(sv[0]);
		close(sv[1]);
		return KB_EIO;
	}
	struct spv_resolver *r = kb_calloc(1, sizeof *r);
	r->loop = loop;
	r->fd = sv[0];
	/* the worker takes no signals: they belong to the loop's thread */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int e = pthread_create(&r->thread, NULL, resolver_main, (void *)(intptr_t)sv[1]);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		close(sv[0]);
		close(sv[1]);
		kb_free(r);
		return KB_EIO;
	}
	r->watch = spv_loop_fd_new(loop, r->fd, SPV_LOOP_READ, resolver_read_cb, r);
	r->fail = spv_loop_timer_new(loop, resolver_fail_cb, r);
	*out = r;
	return KB_OK;
}

void spv_resolver_free(struct spv_resolver *r)
{
	if (!r)
		return;
	bool idle = !r->inflight;
	spv_loop_fd_free(r->watch);
	spv_loop_timer_free(r->fail);
	close(r->fd); /* the worker sees EOF (idle) or EPIPE (busy) and exits */
	if (idle)
		pthread_join(r->thread, NULL);
	else
		pthread_detach(r->thread);
	kb_free(r->q);
	kb_free(r);
}

enum kb_rc spv_resolver_query(struct spv_resolver *r, uint64_t *id, const char *host,
                              const char *port, int family, spv_resolve_cb cb, void *arg)
{
	*id = 0;
	KB_ASSERT(cb != NULL);
	size_t hl = strlen(host);
	if (hl == 0 || hl > 255 || (port && strlen(port) >= sizeof r->q[0].port))
		return KB_EINVAL;
	if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
		return KB_EINVAL;
	if (r->nq == r->capq) {
		r->capq = r->capq ? r->capq * 2 : 8;
		r->q = kb_realloc(r->q, r->capq * sizeof *r->q);
	}
	struct resolve_query *q = &r->q[r->nq++];
	memset(q, 0, sizeof *q);
	q->id = ++r->next_id;
	memcpy(q->host, host, hl + 1);
	if (port) {
		memcpy(q->port, port, strlen(port) + 1);
		q->has_port = true;
	}
	q->family = family;
	q->cb = cb;
	q->arg = arg;
	*id = q->id;
	resolver_kick(r);
	return KB_OK;
}

void spv_resolver_cancel(struct spv_resolver *r, uint64_t id)
{
	for (size_t i = 0; i < r->nq; i++)
		if (r->q[i].id == id)
			r->q[i].cancelled = true;
}

size_t spv_resolver_pending(const struct spv_resolver *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nq; i++)
		if (!r->q[i].cancelled)
			n++;
	return n;
}
