#include "tests/support/testsupport.h"

#include "spv/loop.h"
#include "wallet/mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* ---- an injected clock --------------------------------------------------- */

static int64_t fake_now;

static int64_t fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

static struct spv_loop *new_loop(void)
{
	struct spv_loop *loop;
	assert_int_equal(spv_loop_new(&loop), KB_OK);
	fake_now = 1000000;
	spv_loop_set_clock(loop, fake_clock, NULL);
	return loop;
}

static void turn(struct spv_loop *loop)
{
	assert_int_equal(spv_loop_run_once(loop, 0), KB_OK);
}

/* ---- a log of what fired --------------------------------------------------- */

static char order[256];

static void note(const char *s)
{
	size_t n = strlen(order);
	snprintf(order + n, sizeof order - n, "%s", s);
}

struct tstate {
	const char *name;
	int fired;
	bool free_self, restart_self, stop_loop;
	struct spv_loop_timer *other; /* stop this one when fired */
	struct spv_loop *loop;
};

static void timer_cb(struct spv_loop_timer *t, void *arg)
{
	struct tstate *s = arg;
	s->fired++;
	note(s->name);
	if (s->other)
		spv_loop_timer_stop(s->other);
	if (s->restart_self)
		spv_loop_timer_start(t, 0, 0);
	if (s->free_self)
		spv_loop_timer_free(t);
	if (s->stop_loop)
		spv_loop_stop(s->loop);
}

/* ---- misuse ------------------------------------------------------------------ */

static void noop_resolve_cb(enum kb_rc rc, const struct spv_resolved *res, void *arg)
{
	(void)rc;
	(void)res;
	(void)arg;
	fail_msg("a refused query was answered");
}

static void test_misuse(void **state)
{
	(void)state;
	struct spv_loop *loop = new_loop();
	assert_int_equal(spv_loop_watch_signal(loop, 0), KB_EINVAL);
	assert_int_equal(spv_loop_watch_signal(loop, -1), KB_EINVAL);
	assert_int_equal(spv_loop_watch_signal(loop, 64), KB_EINVAL);
	/* NULL frees are no-ops */
	spv_loop_fd_free(NULL);
	spv_loop_timer_free(NULL);
	spv_loop_hook_free(NULL);
	spv_resolver_free(NULL);
	spv_loop_free(NULL);
	/* a negative delay is "now" */
	struct tstate s = { .name = "a" };
	struct spv_loop_timer *t = spv_loop_timer_new(loop, timer_cb, &s);
	assert_false(spv_loop_timer_active(t));
	spv_loop_timer_start(t, -5, 0);
	turn(loop);
	assert_int_equal(s.fired, 1);
	/* a resolver refuses empty and over-long names and odd families */
	struct spv_resolver *r;
	assert_int_equal(spv_resolver_new(&r, loop), KB_OK);
	uint64_t id;
	char longname[300];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_int_equal(spv_resolver_query(r, &id, "", NULL, AF_UNSPEC, noop_resolve_cb, NULL), KB_EINVAL);
	assert_int_equal(spv_resolver_query(r, &id, longname, NULL, AF_UNSPEC, noop_resolve_cb, NULL), KB_EINVAL);
	assert_int_equal(spv_resolver_query(r, &id, "a", NULL, AF_UNIX, noop_resolve_cb, NULL), KB_EINVAL);
	assert_int_equal(spv_resolver_query(r, &id, "a", "12345678901234567890", AF_UNSPEC, noop_resolve_cb, NULL), KB_EINVAL);
	assert_int_equal(id, 0);
	assert_int_equal(spv_resolver_pending(r), 0);
	spv_resolver_cancel(r, 12345); /* unknown id: ignored */
	spv_resolver_free(r);
	spv_loop_timer_free(t);
	spv_loop_free(loop);
}

/* ---- timers --------------------------------------------------------------------- */

static void test_timers_order(void **state)
{
	(void)state;
	struct spv_loop *loop = new_loop();
	struct tstate a = { .name = "a" }, b = { .name = "b" }, c = { .name = "c" }, d = { .name = "d" };
	struct spv_loop_timer *ta = spv_loop_timer_new(loop, timer_cb, &a);
	struct spv_loop_timer *tb = spv_loop_timer_new(loop, timer_cb, &b);
	struct spv_loop_timer *tc = spv_loop_timer_new(loop, timer_cb, &c);
	struct spv_loop_timer *td = spv_loop_timer_new(loop, timer_cb, &d);
	order[0] = '\0';
	spv_loop_timer_start(ta, 30, 0);
	spv_loop_timer_start(tb, 10, 0);
	spv_loop_timer_start(tc, 20, 0);
	spv_loop_timer_start(td, 10, 0); /* same due as b, armed later: after b */
	assert_int_equal(spv_loop_timer_due(tb), fake_now + 10);
	fake_now += 9;
	turn(loop);
	assert_string_equal(order, "");
	fake_now += 100; /* all due at once: fired in due order */
	turn(loop);
	assert_string_equal(order, "bdca");
	/* one-shot: never again */
	fake_now += 100;
	turn(loop);
	assert_string_equal(order, "bdca");
	assert_false(spv_loop_timer_active(ta));
	/* a stopped timer can be started again */
	spv_loop_timer_start(ta, 5, 0);
	fake_now += 5;
	turn(loop);
	assert_string_equal(order, "bdcaa");
	spv_loop_timer_free(ta);
	spv_loop_timer_free(tb);
	spv_loop_timer_free(tc);
	spv_loop_timer_free(td);
	spv_loop_free(loop);
}

static void test_timers_repeat_cancel(void **state)
{
	(void)state;
	struct spv_loop *loop = new_loop();
	struct tstate a = { .name = "a" }, b = { .name = "b" };
	struct spv_loop_timer *ta = spv_loop_timer_new(loop, timer_cb, &a);
	struct spv_loop_timer *tb = spv_loop_timer_new(loop, timer_cb, &b);
	order[0] = '\0';
	spv_loop_timer_start(ta, 100, 100);
	for (int i = 0; i < 5; i++) {
		fake_now += 100;
		turn(loop);
	}
	assert_int_equal(a.fired, 5);
	/* fell far behind: one firing, not a burst, and the phase moves on */
	fake_now += 1000;
	turn(loop);
	assert_int_equal(a.fired, 6);
	turn(loop);
	assert_int_equal(a.fired, 6);
	assert_int_equal(spv_loop_timer_due(ta), fake_now + 100);
	/* cancel: stop */
	spv_loop_timer_stop(ta);
	fake_now += 500;
	turn(loop);
	assert_int_equal(a.fired, 6);
	/* b, due first, cancels a that is due in the same turn: a does not fire */
	spv_loop_timer_start(ta, 20, 0);
	spv_loop_timer_start(tb, 10, 0);
	b.other = ta;
	fake_now += 50;
	turn(loop);
	assert_int_equal(b.fired, 1);
	assert_int_equal(a.fired, 6);
	/* b frees a that is due in the same turn: a never runs, no use after free */
	b.other = NULL;
	spv_loop_timer_start(ta, 20, 0);
	spv_loop_timer_start(tb, 10, 0);
	fake_now += 50;
	struct spv_loop_timer *victim = ta;
	spv_loop_timer_free(victim);
	turn(loop);
	assert_int_equal(a.fired, 6);
	assert_int_equal(b.fired, 2);
	spv_loop_timer_free(tb);
	spv_loop_free(loop);
}

static void test_timers_inside_callbacks(void **state)
{
	(void)state;
	struct spv_loop *loop = new_loop();
	/* a timer that frees itself inside its own callback */
	struct tstate a = { .name = "a", .free_self = true };
	struct spv_loop_timer *ta = spv_loop_timer_new(loop, timer_cb, &a);
	spv_loop_timer_start(ta, 0, 10);
	turn(loop);
	assert_int_equal(a.fired, 1);
	fake_now += 100;
	turn(loop);
	turn(loop);
	assert_int_equal(a.fired, 1);
	/* a timer restarted with delay 0 from its callback fires on the next
	 * turn, not again in this one */
	struct tstate b = { .name = "b", .restart_self = true };
	struct spv_loop_timer *tb = spv_loop_timer_new(loop, timer_cb, &b);
	spv_loop_timer_start(tb, 0, 0);
	turn(loop);
	assert_int_equal(b.fired, 1);
	turn(loop);
	assert_int_equal(b.fired, 2);
	b.restart_self = false;
	turn(loop);
	assert_int_equal(b.fired, 3);
	turn(loop);
	assert_int_equal(b.fired, 3);
	spv_loop_timer_free(tb);
	spv_loop_free(loop);
}

/* ---- fds ---------------------------------------------------------------------------- */

struct fdstate {
	int calls;
	unsigned last;
	bool free_self;
	bool drain;
	unsigned set_events; /* if nonzero-1: set these */
	bool do_set;
	struct spv_loop_fd *victim;
};

static void fd_cb(struct spv_loop_fd *w, int fd, unsigned events, void *arg)
{
	struct fdstate *s = arg;
	s->calls++;
	s->last = events;
	if (s->drain && (events & SPV_LOOP_READ)) {
		char buf[64];
		while (read(fd, buf, sizeof buf) > 0) {
		}
	}
	if (s->victim)
		spv_loop_fd_free(s->victim);
	if (s->do_set)
		spv_loop_fd_set_events(w, s->set_events);
	if (s->free_self)
		spv_loop_fd_free(w);
}

static void nonblock_pipe(int p[2])
{
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
}

static void test_fds(void **state)
{
	(void)state;
	struct spv_loop *loop = new_loop();
	int p[2];
	nonblock_pipe(p);
	struct fdstate s = { .drain = true };
	struct spv_loop_fd *w = spv_loop_fd_new(loop, p[0], SPV_LOOP_READ, fd_cb, &s);
	assert_int_equal(spv_loop_fd_fd(w), p[0]);
	turn(loop);
	assert_int_equal(s.calls, 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	turn(loop);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.last, SPV_LOOP_READ);
	turn(loop);
	assert_int_equal(s.calls, 1);
	/* interest 0: not polled even when readable */
	spv_loop_fd_set_events(w, 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	turn(loop);
	assert_int_equal(s.calls, 1);
	spv_loop_fd_set_events(w, SPV_LOOP_READ);
	turn(loop);
	assert_int_equal(s.calls, 2);
	/* write interest on a socket with room */
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	struct fdstate ws = { .do_set = true, .set_events = SPV_LOOP_READ };
	struct spv_loop_fd *ww = spv_loop_fd_new(loop, sv[0], SPV_LOOP_READ | SPV_LOOP_WRITE, fd_cb, &ws);
	turn(loop);
	assert_int_equal(ws.calls, 1);
	assert_int_equal(ws.last, SPV_LOOP_WRITE);
	/* the callback dropped write interest (as a drained send queue does) */
	assert_int_equal(spv_loop_fd_events(ww), SPV_LOOP_READ);
	turn(loop);
	assert_int_equal(ws.calls, 1);
	/* hang-up: the peer closes; read interest reports READ|ERROR */
	ws.do_set = false;
	close(sv[1]);
	turn(loop);
	assert_int_equal(ws.calls, 2);
	assert_true(ws.last & SPV_LOOP_READ);
	spv_loop_fd_free(ww);
	close(sv[0]);
	/* a watch whose fd was closed under it: reported once, then disarmed */
	struct fdstate ns = { 0 };
	int q[2];
	nonblock_pipe(q);
	struct spv_loop_fd *nw = spv_loop_fd_new(loop, q[0], SPV_LOOP_READ, fd_cb, &ns);
	close(q[0]);
	close(q[1]);
	turn(loop);
	assert_int_equal(ns.calls, 1);
	assert_true(ns.last & SPV_LOOP_ERROR);
	assert_int_equal(spv_loop_fd_events(nw), 0);
	turn(loop);
	assert_int_equal(ns.calls, 1);
	spv_loop_fd_free(nw);
	spv_loop_fd_free(w);
	close(p[0]);
	close(p[1]);
	spv_loop_free(loop);
}

static void test_fd_free_inside_callbacks(void **state)
{
	(void)state;
	struct spv_loop *loop = new_loop();
	int a[2], b[2];
	nonblock_pipe(a);
	nonblock_pipe(b);
	/* a watch that frees itself in its callback, with data still unread */
	struct fdstate sa = { .free_self = true };
	spv_loop_fd_new(loop, a[0], SPV_LOOP_READ, fd_cb, &sa);
	assert_int_equal(write(a[1], "x", 1), 1);
	turn(loop);
	assert_int_equal(sa.calls, 1);
	turn(loop);
	turn(loop);
	assert_int_equal(sa.calls, 1); /* never again, though still readable */
	/* two ready watches; whichever runs first frees the other: exactly one runs */
	struct fdstate s1 = { 0 }, s2 = { 0 };
	struct spv_loop_fd *w1 = spv_loop_fd_new(loop, b[0], SPV_LOOP_READ, fd_cb, &s1);
	struct spv_loop_fd *w2 = spv_loop_fd_new(loop, a[0], SPV_LOOP_READ, fd_cb, &s2);
	s1.victim = w2;
	s2.victim = w1;
	assert_int_equal(write(b[1], "y", 1), 1);
	turn(loop);
	assert_int_equal(s1.calls + s2.calls, 1);
	/* the survivor keeps working: it freed the other, not itself */
	struct spv_loop_fd *survivor = s1.calls ? w1 : w2;
	struct fdstate *ss = s1.calls ? &s1 : &s2;
	ss->victim = NULL;
	ss->drain = true;
	assert_int_equal(write(a[1], "y", 1), 1);
	assert_int_equal(write(b[1], "y", 1), 1);
	turn(loop);
	assert_int_equal(s1.calls + s2.calls, 2);
	assert_int_equal(ss->calls, 2);
	spv_loop_fd_free(survivor);
	for (int i = 0; i < 2; i++) {
		close(a[i]);
		close(b[i]);
	}
	spv_loop_free(loop);
}

/*
 * libcurl's pattern: inside a callback, a socket is removed and closed and
 * a new one is opened -- usually under the same fd number -- and watched.
 * The old watch's events of this turn must not reach the new watch.
 */
struct reuse {
	struct spv_loop *loop;
	struct spv_loop_fd *other; /* watch on the fd to replace */
	int *other_fds;            /* its pipe; replaced in place */
	struct spv_loop_fd *fresh;
	struct fdstate fresh_state;
	int calls;
};

static void reuse_cb(struct spv_loop_fd *w, int fd, unsigned events, void *arg)
{
	struct reuse *r = arg;
	(void)w;
	(void)fd;
	(void)events;
	r->calls++;
	if (!r->other)
		return;
	int old = r->other_fds[0];
	spv_loop_fd_free(r->other);
	r->other = NULL;
	close(r->other_fds[0]);
	close(r->other_fds[1]);
	assert_int_equal(pipe2(r->other_fds, O_NONBLOCK | O_CLOEXEC), 0);
	/* the kernel hands out the lowest free numbers: the same fd again */
	assert_true(r->other_fds[0] == old || r->other_fds[1] == old);
	int watched = r->other_fds[0] == old ? r->other_fds[0] : r->other_fds[1];
	r->fresh = spv_loop_fd_new(r->loop, watched, SPV_LOOP_READ, fd_cb, &r->fresh_state);
}

static void test_fd_reuse_inside_callback(void **state)
{
	(void)state;
	struct spv_loop *loop = new_loop();
	int a[2], b[2];
	nonblock_pipe(a);
	nonblock_pipe(b);
	struct reuse r = { .loop = loop, .other_fds = b };
	struct spv_loop_fd *wa = spv_loop_fd_new(loop, a[0], SPV_LOOP_READ, reuse_cb, &r);
	struct fdstate sb = { 0 };
	r.other = spv_loop_fd_new(loop, b[0], SPV_LOOP_READ, fd_cb, &sb);
	/* both ready in the same turn; a's callback runs first and replaces b */
	assert_int_equal(write(a[1], "x", 1), 1);
	assert_int_equal(write(b[1], "x", 1), 1);
	turn(loop);
	assert_int_equal(r.calls, 1);
	assert_int_equal(sb.calls, 0);               /* freed before its turn came */
	assert_int_equal(r.fresh_state.calls, 0);    /* the stale events went nowhere */
	turn(loop);
	assert_int_equal(r.fresh_state.calls, 0);    /* the new pipe is empty */
	spv_loop_fd_free(r.fresh);
	spv_loop_fd_free(wa);
	for (int i = 0; i < 2; i++) {
		close(a[i]);
		close(b[i]);
	}
	spv_loop_free(loop);
}

/* ---- hooks, deferred frees, stop -------------------------------------------------- */

struct hstate {
	const char *name;
	int calls;
	struct spv_loop_hook *self;
	bool free_self;
};

static void hook_cb(struct spv_loop *loop, void *arg)
{
	struct hstate *h = arg;
	(void)loop;
	h->calls++;
	note(h->name);
	if (h->free_self)
		spv_loop_hook_free(h->self);
}

static int deferred_ran;

static void deferred_fn(void *p)
{
	note((const char *)p);
	deferred_ran++;
}

struct dying {
	struct spv_loop *loop;
	struct spv_loop_fd *w;
	bool dead;
};

static void dying_free(void *p)
{
	struct dying *d = p;
	note("F");
	kb_free(d);
}

/* A peer-like object: its own read callback decides it must go. */
static void dying_cb(struct spv_loop_fd *w, int fd, unsigned events, void *arg)
{
	struct dying *d = arg;
	(void)fd;
	(void)events;
	KB_ASSERT(!d->dead); /* no callback after death */
	d->dead = true;
	spv_loop_fd_free(w);
	spv_loop_defer(d->loop, dying_free, d);
	note("D");
}

static void test_hooks_defer(void **state)
{
	(void)state;
	struct spv_loop *loop = new_loop();
	order[0] = '\0';
	struct hstate h1 = { .name = "1" }, h2 = { .name = "2", .free_self = true };
	spv_loop_hook_new(loop, hook_cb, &h1);
	h2.self = spv_loop_hook_new(loop, hook_cb, &h2);
	turn(loop);
	turn(loop);
	assert_string_equal(order, "121"); /* in order; 2 removed itself */
	/* deferred calls run at the next reap, in order */
	order[0] = '\0';
	spv_loop_defer(loop, deferred_fn, "x");
	spv_loop_defer(loop, deferred_fn, "y");
	assert_int_equal(deferred_ran, 0);
	turn(loop);
	assert_string_equal(order, "1xy");
	/* the object whose callback runs asks to be freed; it is freed later */
	int p[2];
	nonblock_pipe(p);
	struct dying *d = kb_calloc(1, sizeof *d);
	d->loop = loop;
	d->w = spv_loop_fd_new(loop, p[0], SPV_LOOP_READ, dying_cb, d);
	assert_int_equal(write(p[1], "z", 1), 1);
	order[0] = '\0';
	turn(loop);
	assert_string_equal(order, "1D");
	turn(loop);
	assert_string_equal(order, "1D1F");
	turn(loop);
	close(p[0]);
	close(p[1]);
	/* pending deferred calls run when the loop is freed */
	spv_loop_defer(loop, deferred_fn, "z");
	deferred_ran = 0;
	spv_loop_free(loop);
	assert_int_equal(deferred_ran, 1);
}

static void test_run_stop(void **state)
{
	(void)state;
	/* the real clock: a 10 ms repeating timer stops the loop at its 3rd firing */
	struct spv_loop *loop;
	assert_int_equal(spv_loop_new(&loop), KB_OK);
	struct tstate s = { .name = "" , .loop = loop };
	struct spv_loop_timer *t = spv_loop_timer_new(loop, timer_cb, &s);
	spv_loop_timer_start(t, 10, 10);
	struct hstate h = { .name = "" };
	spv_loop_hook_new(loop, hook_cb, &h);
	int64_t t0 = spv_loop_clock_monotonic(NULL);
	/* stop at the third firing */
	struct tstate *sp = &s;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(spv_loop_run_once(loop, -1), KB_OK);
	}
	assert_int_equal(sp->fired, 2);
	sp->stop_loop = true;
	assert_int_equal(spv_loop_run(loop), KB_OK);
	assert_int_equal(sp->fired, 3);
	assert_true(spv_loop_clock_monotonic(NULL) - t0 >= 30);
	assert_false(spv_loop_stopped(loop));
	/* hooks ran once more after the stop */
	assert_true(h.calls >= 4);
	/* stop before run: one turn, then back */
	sp->stop_loop = false;
	spv_loop_stop(loop);
	assert_true(spv_loop_stopped(loop));
	assert_int_equal(spv_loop_run(loop), KB_OK);
	spv_loop_timer_free(t);
	spv_loop_free(loop);
}

/* ---- signals ------------------------------------------------------------------------- */

static int sig_seen[8];
static int sig_n;

static void sig_cb(struct spv_loop *loop, int signo, void *arg)
{
	(void)loop;
	(void)arg;
	if (sig_n < 8)
		sig_seen[sig_n++] = signo;
}

static void test_signals(void **state)
{
	(void)state;
	struct sigaction ign, cur;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigaction(SIGUSR1, &ign, NULL);
	sigaction(SIGUSR2, &ign, NULL);

	struct spv_loop *loop = new_loop(), *other = new_loop();
	spv_loop_set_signal_cb(loop, sig_cb, NULL);
	assert_int_equal(spv_loop_watch_signal(loop, SIGUSR1), KB_OK);
	assert_int_equal(spv_loop_watch_signal(loop, SIGUSR1), KB_OK); /* twice is fine */
	assert_int_equal(spv_loop_watch_signal(loop, SIGUSR2), KB_OK);
	assert_int_equal(spv_loop_watch_signal(other, SIGUSR1), KB_EINVAL); /* one loop only */
	sig_n = 0;
	raise(SIGUSR1);
	raise(SIGUSR2);
	assert_int_equal(sig_n, 0); /* nothing happens inside the handler */
	turn(loop);
	assert_int_equal(sig_n, 2);
	assert_int_equal(sig_seen[0], SIGUSR1);
	assert_int_equal(sig_seen[1], SIGUSR2);
	turn(loop);
	assert_int_equal(sig_n, 2);
	spv_loop_free(loop);
	/* the old disposition is back */
	sigaction(SIGUSR1, NULL, &cur);
	assert_true(cur.sa_handler == SIG_IGN);
	/* and now another loop may watch */
	assert_int_equal(spv_loop_watch_signal(other, SIGUSR1), KB_OK);
	spv_loop_free(other);
}

/* ---- TCP connect ------------------------------------------------------------------------ */

static void test_tcp_connect(void **state)
{
	(void)state;
	struct spv_loop *loop = new_loop();
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(ls >= 0);
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(ls, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(ls, 4), 0);
	socklen_t sl = sizeof sin;
	assert_int_equal(getsockname(ls, (struct sockaddr *)&sin, &sl), 0);

	int fd;
	assert_int_equal(spv_loop_tcp_connect(&fd, (struct sockaddr *)&sin, sizeof sin), KB_OK);
	assert_true(fd >= 0);
	struct fdstate s = { .do_set = true, .set_events = 0 };
	struct spv_loop_fd *w = spv_loop_fd_new(loop, fd, SPV_LOOP_WRITE, fd_cb, &s);
	for (int i = 0; i < 100 && s.calls == 0; i++)
		assert_int_equal(spv_loop_run_once(loop, 10), KB_OK);
	assert_int_equal(s.calls, 1);
	int err = -1;
	assert_int_equal(spv_loop_tcp_connect_result(fd, &err), KB_OK);
	assert_int_equal(err, 0);
	spv_loop_fd_free(w);
	close(fd);

	/* a closed port: refused, at once or when writable */
	close(ls);
	enum kb_rc rc = spv_loop_tcp_connect(&fd, (struct sockaddr *)&sin, sizeof sin);
	if (rc == KB_OK) {
		struct fdstate s2 = { .do_set = true, .set_events = 0 };
		w = spv_loop_fd_new(loop, fd, SPV_LOOP_WRITE, fd_cb, &s2);
		for (int i = 0; i < 100 && s2.calls == 0; i++)
			assert_int_equal(spv_loop_run_once(loop, 10), KB_OK);
		assert_int_equal(s2.calls, 1);
		assert_int_equal(spv_loop_tcp_connect_result(fd, &err), KB_ENET);
		assert_int_equal(err, ECONNREFUSED);
		spv_loop_fd_free(w);
		close(fd);
	} else {
		assert_int_equal(rc, KB_ENET);
		assert_int_equal(fd, -1);
	}
	/* an unsupported family fails at once */
	struct sockaddr bad;
	memset(&bad, 0, sizeof bad);
	bad.sa_family = AF_APPLETALK;
	assert_int_equal(spv_loop_tcp_connect(&fd, &bad, sizeof bad), KB_ENET);
	assert_int_equal(fd, -1);
	spv_loop_free(loop);
}

/* ---- resolver ------------------------------------------------------------------------------ */

struct rstate {
	int calls;
	enum kb_rc rc;
	size_t n;
	int family;
	uint16_t port;
	char tag;
};

static void resolve_cb(enum kb_rc rc, const struct spv_resolved *res, void *arg)
{
	struct rstate *s = arg;
	s->calls++;
	s->rc = rc;
	s->n = res ? res->n : 0;
	if (res && res->n) {
		s->family = res->addr[0].ss.ss_family;
		if (s->family == AF_INET)
			s->port = ntohs(((const struct sockaddr_in *)&res->addr[0].ss)->sin_port);
		else
			s->port = ntohs(((const struct sockaddr_in6 *)&res->addr[0].ss)->sin6_port);
	}
	char t[2] = { s->tag, 0 };
	note(t);
}

static void wait_for(struct spv_loop *loop, struct spv_resolver *r)
{
	for (int i = 0; i < 500 && spv_resolver_pending(r) > 0; i++)
		assert_int_equal(spv_loop_run_once(loop, 20), KB_OK);
	assert_int_equal(spv_resolver_pending(r), 0);
}

static void test_resolver(void **state)
{
	(void)state;
	struct spv_loop *loop;
	assert_int_equal(spv_loop_new(&loop), KB_OK);
	struct spv_resolver *r;
	assert_int_equal(spv_resolver_new(&r, loop), KB_OK);
	struct rstate a = { .tag = 'a' }, b = { .tag = 'b' }, c = { .tag = 'c' }, d = { .tag = 'd' };
	uint64_t ida, idb, idc, idd;
	order[0] = '\0';
	assert_int_equal(spv_resolver_query(r, &ida, "127.0.0.1", "8333", AF_UNSPEC, resolve_cb, &a), KB_OK);
	assert_int_equal(spv_resolver_query(r, &idb, "::1", "18444", AF_INET6, resolve_cb, &b), KB_OK);
	assert_int_equal(spv_resolver_query(r, &idc, "127.0.0.2", NULL, AF_INET, resolve_cb, &c), KB_OK);
	assert_int_equal(spv_resolver_query(r, &idd, "127.0.0.3", NULL, AF_INET, resolve_cb, &d), KB_OK);
	assert_true(ida && idb && idc && idd && ida != idb);
	assert_int_equal(spv_resolver_pending(r), 4);
	/* nothing is answered synchronously */
	assert_int_equal(a.calls, 0);
	spv_resolver_cancel(r, idc);
	assert_int_equal(spv_resolver_pending(r), 3);
	wait_for(loop, r);
	assert_string_equal(order, "abd"); /* in order, the cancelled one silent */
	assert_int_equal(a.rc, KB_OK);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.port, 8333);
	assert_int_equal(b.rc, KB_OK);
	assert_int_equal(b.family, AF_INET6);
	assert_int_equal(b.port, 18444);
	assert_int_equal(c.calls, 0);
	assert_int_equal(d.calls, 1);
	/* a literal of the wrong family has no answer */
	struct rstate e = { .tag = 'e' };
	uint64_t ide;
	assert_int_equal(spv_resolver_query(r, &ide, "127.0.0.1", NULL, AF_INET6, resolve_cb, &e), KB_OK);
	wait_for(loop, r);
	assert_int_equal(e.calls, 1);
	assert_int_not_equal(e.rc, KB_OK);
	/* freed with a query outstanding: no callback, no leak of the loop's side */
	struct rstate f = { .tag = 'f' };
	uint64_t idf;
	assert_int_equal(spv_resolver_query(r, &idf, "127.0.0.1", NULL, AF_INET, resolve_cb, &f), KB_OK);
	spv_resolver_free(r);
	assert_int_equal(spv_loop_run_once(loop, 50), KB_OK);
	assert_int_equal(f.calls, 0);
	spv_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_timers_order),
		cmocka_unit_test(test_timers_repeat_cancel),
		cmocka_unit_test(test_timers_inside_callbacks),
		cmocka_unit_test(test_fds),
		cmocka_unit_test(test_fd_free_inside_callbacks),
		cmocka_unit_test(test_fd_reuse_inside_callback),
		cmocka_unit_test(test_hooks_defer),
		cmocka_unit_test(test_run_stop),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_tcp_connect),
		cmocka_unit_test(test_resolver),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
