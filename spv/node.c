/* The light node: see spv/node.h. */
#include "spv/node.h"

#include "spv/addrman.h"
#include "spv/msg.h"
#include "wallet/log.h"
#include "wallet/mem.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define TICK_MS 250
#define MAX_PEERS 64
#define MAX_TARGETS 64
#define RATE_WINDOW_MS 1000
#define CONNECT_GIVE_UP 3 /* consecutive failures of every target: stuck */

struct target {
	char name[256];           /* as given (host or host:port) */
	char host[256];           /* host part */
	uint16_t port;
	bool by_name;             /* dialled by name through the proxy */
	bool has_addr;
	struct spv_netaddr addr;
	bool fixed;               /* a --connect peer: redialled */
	bool resolving;
	uint64_t qid;
	uint32_t fails;           /* consecutive failures */
	int64_t next_try;         /* loop ms */
	bool done;                /* a one-shot target that was dialled */
	struct spv_peer *peer;    /* borrowed from the peers list */
};

struct pstate {
	struct target *t;         /* borrowed, may be NULL */
	int score;
	bool banned;
	bool was_ready;
	bool caught_up;           /* answered a getheaders with a short batch */
	bool inflight;            /* a getheaders is outstanding */
	int64_t req_sent;
	int32_t best_height;      /* start height or announced height */
	uint64_t sync_nonce;      /* the ping that follows our getheaders */
	uint32_t orphan_announces;
};

struct spv_node {
	struct spv_node_opts o;
	char **connect;           /* owned copies */
	char *proxy_str;          /* owned */
	const struct spv_chainparams *params;
	struct spv_loop *loop;    /* borrowed */
	struct spv_chain *chain;  /* owned */
	struct spv_addrman *am;   /* owned */
	struct spv_resolver *res; /* owned, NULL until started */
	struct spv_loop_timer *tick;  /* owned (loop handle) */
	struct spv_loop_hook *reap;   /* owned (loop handle) */
	struct spv_node_hooks hooks;
	void *hooks_arg;
	bool started;
	bool connect_mode;
	struct spv_peer *peers[MAX_PEERS]; /* owned */
	struct pstate ps[MAX_PEERS];
	size_t npeers;
	struct target targets[MAX_TARGETS];
	size_t ntargets;
	size_t seeds_pending;
	bool seeds_done;
	uint32_t next_id;
	bool have_proxy;
	bool proxy_resolving;
	struct sockaddr_storage proxy_ss;
	socklen_t proxy_len;
	char proxy_host[256];
	uint16_t proxy_port;
	struct spv_peer *sync_peer; /* borrowed */
	bool synced;
	uint64_t accepted_total;
	int64_t rate_t0;
	uint64_t rate_n0;
	double rate;
	int64_t last_save;
	char why[200];
	struct spv_node_event events[SPV_NODE_MAX_EVENTS];
	size_t nevents;           /* total ever; ring index nevents % MAX */
};

static void on_chain_change(void *arg, const struct spv_chain_change *c)
{
	struct spv_node *n = arg;
	if (n->hooks.chain_changed)
		n->hooks.chain_changed(n->hooks_arg, c);
}

static struct pstate *pstate_of(struct spv_node *n, const struct spv_peer *p)
{
	for (size_t i = 0; i < n->npeers; i++)
		if (n->peers[i] == p)
			return &n->ps[i];
	return NULL;
}

static void add_event(struct spv_node *n, const char *addr, bool banned, const char *reason)
{
	struct spv_node_event *e = &n->events[n->nevents % SPV_NODE_MAX_EVENTS];
	snprintf(e->addr, sizeof e->addr, "%s", addr);
	e->banned = banned;
	snprintf(e->reason, sizeof e->reason, "%s", reason);
	n->nevents++;
}

static int64_t unix_now(void)
{
	return (int64_t)time(NULL);
}

static void ban_key_of(const struct spv_peer *p, const struct pstate *s, char key[SPV_ADDRMAN_KEYLEN])
{
	if (s && s->t && s->t->by_name)
		snprintf(key, SPV_ADDRMAN_KEYLEN, "%s:%u", s->t->host, (unsigned)s->t->port);
	else
		spv_addrman_ban_key(spv_peer_addr(p), key);
}

/* ---- peer ops ----------------------------------------------------------- */

static void sync_next(struct spv_node *n);

static void send_getheaders(struct spv_node *n, struct spv_peer *p, struct pstate *s,
                            const struct hash256 *from)
{
	struct spv_msg m;
	spv_msg_init(&m, SPV_MSG_GETHEADERS);
	m.u.getheaders.version = SPV_PEER_PROTOCOL_VERSION;
	if (from)
		m.u.getheaders.n = spv_chain_locator_from(n->chain, m.u.getheaders.locator,
		                                          SPV_MSG_MAX_LOCATOR, from);
	if (!from || m.u.getheaders.n == 0)
		m.u.getheaders.n = spv_chain_locator(n->chain, m.u.getheaders.locator,
		                                     SPV_MSG_MAX_LOCATOR);
	spv_peer_send_msg(p, &m);
	/* Some peers (bcoin) stay silent instead of sending an empty headers
	 * message when they have nothing new: a ping after the request tells
	 * "answered everything" from "still working" (peers answer in order). */
	struct spv_msg ping;
	spv_msg_init(&ping, SPV_MSG_PING);
	randombytes_buf(&s->sync_nonce, sizeof s->sync_nonce);
	ping.u.nonce = s->sync_nonce;
	spv_peer_send_msg(p, &ping);
	s->inflight = true;
	s->req_sent = spv_loop_now(n->loop);
	if (!n->sync_peer)
		n->sync_peer = p;
}

static void op_ready(void *arg, struct spv_peer *p)
{
	struct spv_node *n = arg;
	struct pstate *s = pstate_of(n, p);
	if (!s)
		return;
	s->was_ready = true;
	s->best_height = spv_peer_start_height(p);
	if (s->t)
		s->t->fails = 0;
	if (!s->t || !s->t->by_name)
		spv_addrman_good(n->am, spv_peer_addr(p), spv_peer_services(p), unix_now());
	uint64_t want = n->o.want_services;
	if (!n->connect_mode && (spv_peer_services(p) & want) != want) {
		/* a --connect peer is the user's choice; others must fit */
		char why[96];
		snprintf(why, sizeof why, "lacks the services we need (has %" PRIx64 ", want %" PRIx64 ")",
		         spv_peer_services(p), want);
		spv_peer_close(p, why);
		return;
	}
	n->synced = false;
	if (n->hooks.peer_ready)
		n->hooks.peer_ready(n->hooks_arg, p);
	sync_next(n);
}

static void op_dead(void *arg, struct spv_peer *p)
{
	struct spv_node *n = arg;
	struct pstate *s = pstate_of(n, p);
	if (!s)
		return;
	if (!s->banned)
		add_event(n, spv_peer_addr_str(p), false, spv_peer_dead_reason(p));
	if (!s->was_ready && (!s->t || !s->t->by_name))
		spv_addrman_failed(n->am, spv_peer_addr(p));
	if (s->t) {
		struct target *t = s->t;
		if (!s->was_ready)
			t->fails++;
		uint32_t shift = t->fails < 5 ? t->fails : 5;
		int64_t pause = (int64_t)1000 << shift;
		if (pause > 30000)
			pause = 30000;
		t->next_try = spv_loop_now(n->loop) + pause;
	}
	if (n->sync_peer == p)
		n->sync_peer = NULL;
	s->inflight = false;
}

void spv_node_misbehaving(struct spv_node *n, struct spv_peer *p, int score, const char *reason)
{
	struct pstate *s = pstate_of(n, p);
	if (!s || s->banned)
		return;
	s->score += score;
	KB_INFO("node", "[%" PRIu32 "] %s: misbehaving +%d (%d): %s", spv_peer_id(p),
	        spv_peer_addr_str(p), score, s->score, reason);
	if (s->score < 100)
		return;
	s->banned = true;
	char key[SPV_ADDRMAN_KEYLEN];
	ban_key_of(p, s, key);
	int64_t now = unix_now();
	if (spv_addrman_ban(n->am, key, reason, now + SPV_ADDRMAN_BAN_SECONDS, now) != KB_OK)
		KB_WARN("node", "could not store the ban of %s", key);
	add_event(n, spv_peer_addr_str(p), true, reason);
	char why[240];
	snprintf(why, sizeof why, "banned: %s", reason);
	spv_peer_close(p, why);
}

static void op_misbehaving(void *arg, struct spv_peer *p, int score, const char *reason)
{
	spv_node_misbehaving(arg, p, score, reason);
}

void spv_node_drop(struct spv_node *n, struct spv_peer *p, const char *reason)
{
	(void)n;
	spv_peer_close(p, reason);
}

static void on_headers(struct spv_node *n, struct spv_peer *p, struct pstate *s,
                       const struct spv_msg_headers *h)
{
	bool requested = s->inflight;
	s->inflight = false;
	if (n->sync_peer == p)
		n->sync_peer = NULL;
	if (h->n == 0) {
		if (requested)
			s->caught_up = true;
		sync_next(n);
		return;
	}
	struct spv_chain_result res;
	enum kb_rc rc = spv_chain_process_headers(n->chain, &res, &h->h[0][0], h->n);
	n->accepted_total += res.accepted;
	if (res.have_last && (int64_t)res.last_height > s->best_height)
		s->best_height = (int32_t)res.last_height;
	if (rc == KB_EIO || res.reason == SPV_HDR_IO) {
		snprintf(n->why, sizeof n->why, "cannot write the header store");
		KB_ERROR("node", "the header store failed");
		return;
	}
	if (res.reason != SPV_HDR_OK) {
		char why[200];
		snprintf(why, sizeof why, "header %zu of %zu (height %" PRIu32 "): %s", res.fail_index,
		         h->n, res.fail_height, spv_hdr_reason_str(res.reason));
		if (spv_hdr_reason_is_invalid(res.reason)) {
			spv_node_misbehaving(n, p, 100, why);
			return;
		}
		if (res.reason == SPV_HDR_ORPHAN) {
			if (requested) {
				/* our locator ends at our base, so an honest answer
				 * always connects: this one is made up */
				spv_node_misbehaving(n, p, 100, "headers that do not connect to our locator");
				return;
			}
			if (++s->orphan_announces > 8) {
				spv_node_misbehaving(n, p, 20, "too many announcements that do not connect");
				if (spv_peer_is_dead(p))
					return;
			}
			s->caught_up = false;
			if (!n->sync_peer)
				send_getheaders(n, p, s, NULL);
			return;
		}
		if (res.reason == SPV_HDR_TIME_TOO_NEW) {
			spv_peer_close(p, why);
			return;
		}
		/* SIDE_LIMIT: ours, not the peer's fault */
		KB_WARN("node", "%s", why);
	}
	s->orphan_announces = 0;
	if (requested && h->n == SPV_MSG_MAX_HEADERS && res.accepted == 0) {
		/* an answer to our locator starts after what we have: a full
		 * batch of known headers would only make us ask forever */
		spv_peer_close(p, "answered with a full batch of headers we already have");
		sync_next(n);
		return;
	}
	if (requested && h->n == SPV_MSG_MAX_HEADERS && res.have_last) {
		/* more to come: continue from the batch's last header */
		send_getheaders(n, p, s, &res.last_hash);
		return;
	}
	if (requested)
		s->caught_up = true;
	if (res.have_last && res.accepted > 0) {
		bool in_main = false;
		if (spv_chain_find(n->chain, NULL, NULL, &in_main, &res.last_hash) == KB_OK && !in_main) {
			spv_peer_close(p, "offered a branch with less work than ours");
			sync_next(n);
			return;
		}
	}
	sync_next(n);
}

static void on_inv(struct spv_node *n, struct spv_peer *p, struct pstate *s, const struct spv_msg_inv *inv)
{
	for (size_t i = 0; i < inv->n; i++) {
		uint32_t t = inv->v[i].type & ~SPV_INV_WITNESS_FLAG;
		if (t != SPV_INV_BLOCK)
			continue;
		if (spv_chain_find(n->chain, NULL, NULL, NULL, &inv->v[i].hash) == KB_OK)
			continue;
		/* an unknown block: ask for the headers leading to it */
		s->caught_up = false;
		n->synced = false;
		if (!s->inflight && (!n->sync_peer || n->sync_peer == p))
			send_getheaders(n, p, s, NULL);
		return;
	}
}

static void on_addr(struct spv_node *n, const struct spv_msg_addr *a)
{
	int64_t now = unix_now();
	for (size_t i = 0; i < a->n; i++) {
		int64_t seen = a->v[i].time;
		if (seen > now + 600)
			seen = now; /* no credit for the future */
		spv_addrman_add(n->am, &a->v[i].addr, a->v[i].services, true, seen, "addr", false);
	}
}

static void op_message(void *arg, struct spv_peer *p, const char *command, const struct spv_msg *m,
                       const uint8_t *payload, size_t len)
{
	struct spv_node *n = arg;
	struct pstate *s = pstate_of(n, p);
	if (!s)
		return;
	switch (m->type) {
	case SPV_MSG_HEADERS:
		on_headers(n, p, s, &m->u.headers);
		return;
	case SPV_MSG_ADDR:
	case SPV_MSG_ADDRV2:
		on_addr(n, &m->u.addr);
		return;
	case SPV_MSG_GETHEADERS:
	case SPV_MSG_GETADDR:
	case SPV_MSG_UNKNOWN:
		return; /* we serve nothing; unknown commands are skipped */
	case SPV_MSG_PONG:
		if (s->sync_nonce && m->u.nonce == s->sync_nonce) {
			s->sync_nonce = 0;
			/* the pong came before any headers: nothing new, if the
			 * peer never claimed more than we have */
			if (s->inflight && s->best_height >= 0 &&
			    (uint32_t)s->best_height <= spv_chain_height(n->chain)) {
				s->inflight = false;
				s->caught_up = true;
				if (n->sync_peer == p)
					n->sync_peer = NULL;
				sync_next(n);
			}
			return;
		}
		break;
	case SPV_MSG_INV:
		on_inv(n, p, s, &m->u.inv);
		if (spv_peer_is_dead(p))
			return;
		break;
	default:
		break;
	}
	if (n->hooks.message) {
		if (!n->hooks.message(n->hooks_arg, p, command, payload, len))
			spv_node_misbehaving(n, p, 10, "unexpected message");
	}
}

static const struct spv_peer_ops peer_ops = {
	.ready = op_ready,
	.message = op_message,
	.misbehaving = op_misbehaving,
	.dead = op_dead,
};

/* ---- sync -------------------------------------------------------------- */

static void sync_next(struct spv_node *n)
{
	if (n->sync_peer)
		return;
	struct spv_peer *best = NULL;
	struct pstate *bs = NULL;
	for (size_t i = 0; i < n->npeers; i++) {
		struct spv_peer *p = n->peers[i];
		struct pstate *s = &n->ps[i];
		if (!spv_peer_is_ready(p) || s->caught_up || s->inflight)
			continue;
		if (!best || s->best_height > bs->best_height) {
			best = p;
			bs = s;
		}
	}
	if (best)
		send_getheaders(n, best, bs, NULL);
}

/* ---- dialling ------------------------------------------------------------ */

static int32_t our_height(const struct spv_node *n)
{
	uint32_t h = spv_chain_height(n->chain);
	return h > INT32_MAX ? INT32_MAX : (int32_t)h;
}

static struct spv_peer *dial(struct spv_node *n, const struct spv_netaddr *addr, const char *host,
                             uint16_t port, struct target *t, char *err, size_t errlen)
{
	if (n->npeers == MAX_PEERS) {
		snprintf(err, errlen, "too many peers");
		return NULL;
	}
	struct spv_peer_opts po;
	memset(&po, 0, sizeof po);
	po.loop = n->loop;
	memcpy(po.magic, n->params->magic, 4);
	po.start_height = our_height(n);
	po.relay = n->o.relay;
	if (addr)
		po.addr = *addr;
	po.host = host;
	po.port = port;
	if (n->have_proxy) {
		po.proxy = &n->proxy_ss;
		po.proxy_len = n->proxy_len;
	}
	po.connect_timeout_ms = n->o.connect_timeout_ms;
	po.handshake_timeout_ms = n->o.handshake_timeout_ms;
	po.ping_timeout_ms = n->o.ping_timeout_ms;
	po.id = ++n->next_id;
	po.ops = &peer_ops;
	po.arg = n;
	struct spv_peer *p = NULL;
	enum kb_rc rc = spv_peer_new(&p, &po);
	if (rc != KB_OK) {
		snprintf(err, errlen, "cannot dial: %s", kb_rc_str(rc));
		return NULL;
	}
	n->peers[n->npeers] = p;
	memset(&n->ps[n->npeers], 0, sizeof n->ps[0]);
	n->ps[n->npeers].t = t;
	n->npeers++;
	if (addr && !host)
		spv_addrman_attempt(n->am, addr, unix_now());
	return p;
}

static void on_target_resolved(enum kb_rc rc, const struct spv_resolved *res, void *arg)
{
	struct target *t = arg;
	t->resolving = false;
	if (rc != KB_OK || res->n == 0 ||
	    spv_netaddr_from_sockaddr(&t->addr, (const struct sockaddr *)&res->addr[0].ss,
	                              res->addr[0].len) != KB_OK) {
		t->fails++;
		t->next_try = -1; /* the tick sets the pause */
		return;
	}
	t->addr.port = t->port;
	t->has_addr = true;
}

static void dial_targets(struct spv_node *n, int64_t now)
{
	for (size_t i = 0; i < n->ntargets; i++) {
		struct target *t = &n->targets[i];
		if (t->next_try == -1)
			t->next_try = now + 2000;
		if (t->peer || t->resolving || t->done || now < t->next_try)
			continue;
		if (!t->by_name && !t->has_addr) {
			if (!n->res)
				continue;
			if (spv_resolver_query(n->res, &t->qid, t->host, NULL, AF_UNSPEC, on_target_resolved,
			                       t) == KB_OK)
				t->resolving = true;
			else
				t->done = true;
			continue;
		}
		char key[SPV_ADDRMAN_KEYLEN];
		if (t->by_name)
			snprintf(key, sizeof key, "%s:%u", t->host, (unsigned)t->port);
		else
			spv_addrman_ban_key(&t->addr, key);
		if (spv_addrman_is_banned(n->am, key, unix_now(), NULL, 0))
			continue;
		if (t->by_name && !n->have_proxy)
			continue;
		char err[120];
		t->peer = dial(n, t->by_name ? NULL : &t->addr, t->by_name ? t->host : NULL, t->port, t,
		               err, sizeof err);
		if (!t->peer) {
			t->fails++;
			t->next_try = now + 2000;
			add_event(n, t->name, false, err);
		}
		if (!t->fixed)
			t->done = true;
	}
}

static size_t live_outbound(const struct spv_node *n)
{
	size_t c = 0;
	for (size_t i = 0; i < n->npeers; i++)
		c += !spv_peer_is_dead(n->peers[i]);
	return c;
}

static void dial_addrman(struct spv_node *n)
{
	size_t want = n->o.max_outbound;
	for (int guard = 0; guard < 8 && live_outbound(n) < want; guard++) {
		struct spv_netgroup used[MAX_PEERS];
		size_t nused = 0;
		for (size_t i = 0; i < n->npeers; i++)
			if (!spv_peer_is_dead(n->peers[i]) && !(n->ps[i].t && n->ps[i].t->by_name))
				spv_netaddr_group(&used[nused++], spv_peer_addr(n->peers[i]));
		struct spv_netaddr a;
		if (spv_addrman_select(n->am, &a, used, nused, n->o.want_services, unix_now(), NULL) != KB_OK)
			return;
		char err[120];
		if (!dial(n, &a, NULL, 0, NULL, err, sizeof err)) {
			spv_addrman_attempt(n->am, &a, unix_now());
			spv_addrman_failed(n->am, &a);
		}
	}
}

static void on_seed_resolved(enum kb_rc rc, const struct spv_resolved *res, void *arg)
{
	struct spv_node *n = arg;
	if (n->seeds_pending)
		n->seeds_pending--;
	if (rc != KB_OK)
		return;
	for (size_t i = 0; i < res->n; i++) {
		struct spv_netaddr a;
		if (spv_netaddr_from_sockaddr(&a, (const struct sockaddr *)&res->addr[i].ss,
		                              res->addr[i].len) != KB_OK)
			continue;
		a.port = n->params->port;
		spv_addrman_add(n->am, &a, 0, false, unix_now(), "dns seed", false);
	}
}

/* ---- the timer and the reaper ------------------------------------------- */

static void update_synced(struct spv_node *n)
{
	size_t ready = 0;
	bool all = true;
	for (size_t i = 0; i < n->npeers; i++) {
		if (!spv_peer_is_ready(n->peers[i]))
			continue;
		ready++;
		if (!n->ps[i].caught_up || n->ps[i].inflight)
			all = false;
	}
	bool now_synced = ready > 0 && all && !n->sync_peer;
	if (now_synced && !n->synced) {
		n->synced = true;
		KB_INFO("node", "headers synced at height %" PRIu32, spv_chain_height(n->chain));
		if (n->hooks.headers_synced)
			n->hooks.headers_synced(n->hooks_arg);
	} else if (!now_synced) {
		n->synced = false;
	}
}

static void on_tick(struct spv_loop_timer *tm, void *arg)
{
	(void)tm;
	struct spv_node *n = arg;
	int64_t now = spv_loop_now(n->loop);
	int64_t stall = n->o.stall_timeout_ms > 0 ? n->o.stall_timeout_ms : 30000;
	for (size_t i = 0; i < n->npeers; i++) {
		struct spv_peer *p = n->peers[i];
		spv_peer_tick(p, now);
		if (!spv_peer_is_dead(p) && n->ps[i].inflight && now - n->ps[i].req_sent >= stall) {
			char why[120];
			snprintf(why, sizeof why, "stalled: no headers within %" PRId64 " s of our request",
			         stall / 1000);
			spv_peer_close(p, why);
		}
	}
	if (!n->have_proxy && n->proxy_str) {
		/* the proxy's name is still resolving: dial nothing yet */
	} else if (n->connect_mode) {
		dial_targets(n, now);
	} else {
		dial_targets(n, now); /* seed names through a proxy */
		dial_addrman(n);
	}
	sync_next(n);
	update_synced(n);
	if (now - n->rate_t0 >= RATE_WINDOW_MS) {
		double dt = (double)(now - n->rate_t0) / 1000.0;
		n->rate = dt > 0 ? (double)(n->accepted_total - n->rate_n0) / dt : 0;
		n->rate_t0 = now;
		n->rate_n0 = n->accepted_total;
	}
	if (now - n->last_save >= 10000) {
		n->last_save = now;
		if (spv_addrman_save(n->am) != KB_OK)
			KB_WARN("node", "could not save the peers table");
	}
}

static void reap_peers(struct spv_node *n, bool all)
{
	size_t j = 0;
	for (size_t i = 0; i < n->npeers; i++) {
		struct spv_peer *p = n->peers[i];
		if (all || spv_peer_is_dead(p)) {
			if (all)
				spv_peer_close(p, "shutting down");
			if (n->hooks.peer_gone)
				n->hooks.peer_gone(n->hooks_arg, p);
			if (n->ps[i].t)
				n->ps[i].t->peer = NULL;
			if (n->sync_peer == p)
				n->sync_peer = NULL;
			spv_peer_free(p);
			continue;
		}
		n->peers[j] = p;
		n->ps[j] = n->ps[i];
		j++;
	}
	n->npeers = j;
}

static void on_reap(struct spv_loop *loop, void *arg)
{
	(void)loop;
	reap_peers(arg, false);
}

/* ---- lifecycle ------------------------------------------------------------- */

static enum kb_rc add_target(struct spv_node *n, const char *s, bool fixed, char *err, size_t errlen)
{
	if (n->ntargets == MAX_TARGETS) {
		snprintf(err, errlen, "too many peers to connect to");
		return KB_EINVAL;
	}
	struct target *t = &n->targets[n->ntargets];
	memset(t, 0, sizeof *t);
	snprintf(t->name, sizeof t->name, "%s", s);
	t->fixed = fixed;
	if (spv_netaddr_parse(&t->addr, s, n->params->port, false) == KB_OK) {
		t->has_addr = true;
		t->port = t->addr.port;
		spv_netaddr_format(&t->addr, false, t->host);
		if (t->addr.net != SPV_NET_IPV4 && t->addr.net != SPV_NET_IPV6) {
			/* onion / i2p: only through the proxy, by name */
			t->by_name = true;
			t->has_addr = false;
		}
	} else if (spv_netaddr_split_hostport(t->host, sizeof t->host, &t->port, s, n->params->port) == KB_OK) {
		t->by_name = n->o.proxy != NULL;
	} else {
		snprintf(err, errlen, "not a HOST[:PORT]: %s", s);
		return KB_EINVAL;
	}
	if (t->by_name && !n->o.proxy) {
		snprintf(err, errlen, "%s can only be reached through a proxy (--proxy)", s);
		return KB_EINVAL;
	}
	n->ntargets++;
	return KB_OK;
}

enum kb_rc spv_node_new(struct spv_node **out, const struct spv_node_opts *o, char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = 0;
	char dummy[8];
	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof dummy;
	}
	struct spv_node *n = kb_calloc(1, sizeof *n);
	n->o = *o;
	n->loop = o->loop;
	n->params = spv_chainparams_get(o->net);
	if (!n->o.want_services)
		n->o.want_services = SPV_NODE_NETWORK | SPV_NODE_WITNESS;
	n->connect_mode = o->nconnect > 0;
	if (n->connect_mode)
		n->o.max_outbound = o->nconnect;
	else if (!n->o.max_outbound)
		n->o.max_outbound = 8;
	if (n->o.max_outbound > MAX_PEERS / 2)
		n->o.max_outbound = MAX_PEERS / 2;
	n->o.connect = NULL;
	n->o.proxy = NULL;
	enum kb_rc rc = KB_OK;
	if (o->proxy) {
		n->proxy_str = kb_strdup(o->proxy);
		n->o.proxy = n->proxy_str;
		struct spv_netaddr pa;
		if (spv_netaddr_parse(&pa, o->proxy, 9050, false) == KB_OK) {
			if (spv_netaddr_to_sockaddr(&pa, &n->proxy_ss, &n->proxy_len) != KB_OK) {
				snprintf(err, errlen, "the proxy must be an IP address or a host name: %s", o->proxy);
				rc = KB_EINVAL;
				goto out;
			}
			n->have_proxy = true;
		} else if (spv_netaddr_split_hostport(n->proxy_host, sizeof n->proxy_host, &n->proxy_port,
		                                      o->proxy, 9050) != KB_OK) {
			snprintf(err, errlen, "not a proxy HOST:PORT: %s", o->proxy);
			rc = KB_EINVAL;
			goto out;
		}
	}
	for (size_t i = 0; i < o->nconnect; i++) {
		rc = add_target(n, o->connect[i], true, err, errlen);
		if (rc != KB_OK)
			goto out;
	}
	struct spv_chain_opts co = {
		.birthday = o->birthday,
		.on_change = on_chain_change,
		.change_arg = n,
	};
	rc = spv_chain_open(&n->chain, o->net, o->headers_path, &co, err, errlen);
	if (rc != KB_OK)
		goto out;
	n->am = spv_addrman_new(o->store);
	if (spv_addrman_load(n->am, unix_now()) != KB_OK)
		KB_WARN("node", "could not read the stored peers");
	*out = n;
	return KB_OK;
out:
	spv_node_free(n);
	return rc;
}

static void on_proxy_resolved(enum kb_rc rc, const struct spv_resolved *res, void *arg)
{
	struct spv_node *n = arg;
	n->proxy_resolving = false;
	if (rc != KB_OK || res->n == 0) {
		snprintf(n->why, sizeof n->why, "cannot resolve the proxy %s", n->proxy_str);
		return;
	}
	memcpy(&n->proxy_ss, &res->addr[0].ss, sizeof n->proxy_ss);
	n->proxy_len = res->addr[0].len;
	struct sockaddr *sa = (struct sockaddr *)&n->proxy_ss;
	if (sa->sa_family == AF_INET)
		((struct sockaddr_in *)sa)->sin_port = htons(n->proxy_port);
	else if (sa->sa_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = htons(n->proxy_port);
	n->have_proxy = true;
}

enum kb_rc spv_node_start(struct spv_node *n)
{
	if (n->started)
		return KB_OK;
	n->started = true;
	bool need_resolver = (n->proxy_str && !n->have_proxy);
	for (size_t i = 0; i < n->ntargets; i++)
		need_resolver = need_resolver || (!n->targets[i].by_name && !n->targets[i].has_addr);
	if (!n->connect_mode && !n->proxy_str && n->params->dns_seeds && n->params->dns_seeds[0])
		need_resolver = true;
	if (need_resolver) {
		enum kb_rc rc = spv_resolver_new(&n->res, n->loop);
		if (rc != KB_OK)
			return rc;
	}
	if (n->proxy_str && !n->have_proxy) {
		uint64_t id;
		if (spv_resolver_query(n->res, &id, n->proxy_host, NULL, AF_UNSPEC, on_proxy_resolved, n) == KB_OK)
			n->proxy_resolving = true;
	}
	if (!n->connect_mode && n->params->dns_seeds) {
		for (size_t i = 0; n->params->dns_seeds[i]; i++) {
			if (n->proxy_str) {
				/* through a proxy: dial the seed's name, never resolve it here */
				char err[80];
				char hp[300];
				snprintf(hp, sizeof hp, "%s:%u", n->params->dns_seeds[i], (unsigned)n->params->port);
				if (add_target(n, hp, false, err, sizeof err) != KB_OK)
					continue;
			} else {
				uint64_t id;
				char port[8];
				snprintf(port, sizeof port, "%u", (unsigned)n->params->port);
				if (spv_resolver_query(n->res, &id, n->params->dns_seeds[i], port, AF_UNSPEC,
				                       on_seed_resolved, n) == KB_OK)
					n->seeds_pending++;
			}
		}
	}
	n->rate_t0 = n->last_save = spv_loop_now(n->loop);
	n->tick = spv_loop_timer_new(n->loop, on_tick, n);
	spv_loop_timer_start(n->tick, 0, TICK_MS);
	n->reap = spv_loop_hook_new(n->loop, on_reap, n);
	return KB_OK;
}

void spv_node_free(struct spv_node *n)
{
	if (!n)
		return;
	reap_peers(n, true);
	if (n->res)
		spv_resolver_free(n->res);
	spv_loop_timer_free(n->tick);
	spv_loop_hook_free(n->reap);
	if (n->am) {
		if (spv_addrman_save(n->am) != KB_OK)
			KB_WARN("node", "could not save the peers table");
		spv_addrman_free(n->am);
	}
	spv_chain_free(n->chain);
	kb_free(n->proxy_str);
	kb_free(n);
}

struct spv_chain *spv_node_chain(struct spv_node *n)
{
	return n->chain;
}

void spv_node_set_hooks(struct spv_node *n, const struct spv_node_hooks *h, void *arg)
{
	if (h)
		n->hooks = *h;
	else
		memset(&n->hooks, 0, sizeof n->hooks);
	n->hooks_arg = arg;
}

size_t spv_node_ready_peers(struct spv_node *n, struct spv_peer **out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < n->npeers && k < max; i++)
		if (spv_peer_is_ready(n->peers[i]))
			out[k++] = n->peers[i];
	return k;
}

void spv_node_want_services(struct spv_node *n, uint64_t services)
{
	n->o.want_services |= services;
}

static bool all_targets_banned(const struct spv_node *n, int64_t now)
{
	if (n->ntargets == 0)
		return false;
	for (size_t i = 0; i < n->ntargets; i++) {
		const struct target *t = &n->targets[i];
		char key[SPV_ADDRMAN_KEYLEN];
		if (t->by_name || !t->has_addr)
			snprintf(key, sizeof key, "%s:%u", t->host, (unsigned)t->port);
		else
			spv_addrman_ban_key(&t->addr, key);
		if (!spv_addrman_is_banned(n->am, key, now, NULL, 0))
			return false;
	}
	return true;
}

void spv_node_status(const struct spv_node *n, struct spv_node_status *s)
{
	memset(s, 0, sizeof *s);
	s->headers_height = spv_chain_height(n->chain);
	s->target_height = s->headers_height;
	const struct spv_peer *waiting = NULL;
	for (size_t i = 0; i < n->npeers; i++) {
		const struct spv_peer *p = n->peers[i];
		if (spv_peer_is_ready(p)) {
			s->peers_ready++;
			if (n->ps[i].best_height > 0 && (uint32_t)n->ps[i].best_height > s->target_height)
				s->target_height = (uint32_t)n->ps[i].best_height;
			if (n->ps[i].inflight)
				waiting = p;
		} else if (!spv_peer_is_dead(p)) {
			s->peers_connecting++;
		}
	}
	s->headers_synced = n->synced;
	s->headers_per_sec = n->rate;
	if (n->started && n->rate_n0 == 0 && n->accepted_total > 0) {
		/* within the first window: the average so far */
		int64_t dt = spv_loop_now(n->loop) - n->rate_t0;
		if (dt > 0)
			s->headers_per_sec = (double)n->accepted_total * 1000.0 / (double)dt;
	}
	int64_t now = unix_now();
	if (!n->started) {
		snprintf(s->why, sizeof s->why, "offline");
	} else if (n->why[0]) {
		snprintf(s->why, sizeof s->why, "%s", n->why);
	} else if (n->synced) {
		snprintf(s->why, sizeof s->why, "synced");
	} else if (waiting) {
		snprintf(s->why, sizeof s->why, "waiting for headers from %s", spv_peer_addr_str(waiting));
	} else if (s->peers_ready) {
		snprintf(s->why, sizeof s->why, "syncing");
	} else if (s->peers_connecting) {
		snprintf(s->why, sizeof s->why, "connecting to %zu peer%s", s->peers_connecting,
		         s->peers_connecting == 1 ? "" : "s");
	} else if (n->connect_mode) {
		if (all_targets_banned(n, now)) {
			snprintf(s->why, sizeof s->why, "every peer is banned");
			s->stuck = true;
		} else {
			bool failing = true;
			const char *last = "";
			for (size_t i = 0; i < n->ntargets; i++) {
				failing = failing && n->targets[i].fails >= CONNECT_GIVE_UP;
				last = n->targets[i].name;
			}
			const char *lastwhy = "";
			if (n->nevents)
				lastwhy = n->events[(n->nevents - 1) % SPV_NODE_MAX_EVENTS].reason;
			snprintf(s->why, sizeof s->why, "no peers: cannot connect to %s%s%s", last,
			         lastwhy[0] ? ": " : "", lastwhy);
			s->stuck = failing;
		}
	} else if (n->seeds_pending || n->proxy_resolving) {
		snprintf(s->why, sizeof s->why, "no peers yet: resolving %s",
		         n->proxy_resolving ? "the proxy" : "DNS seeds");
	} else if (spv_addrman_count(n->am, NULL) == 0) {
		if (!n->params->dns_seeds || !n->params->dns_seeds[0])
			snprintf(s->why, sizeof s->why, "no peers: this network has no DNS seeds (use --connect)");
		else
			snprintf(s->why, sizeof s->why, "no peers: the DNS seeds gave no addresses");
		s->stuck = true;
		for (size_t i = 0; i < n->ntargets; i++)
			if (!n->targets[i].done)
				s->stuck = false;
	} else if (spv_addrman_ban_count(n->am, now) >= spv_addrman_count(n->am, NULL)) {
		snprintf(s->why, sizeof s->why, "every known peer is banned");
		s->stuck = true;
	} else {
		snprintf(s->why, sizeof s->why, "no peers yet: trying known addresses");
	}
}

size_t spv_node_peer_info(const struct spv_node *n, struct spv_peer_info *out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < n->npeers && k < max; i++) {
		const struct spv_peer *p = n->peers[i];
		struct spv_peer_info *f = &out[k++];
		memset(f, 0, sizeof *f);
		f->id = spv_peer_id(p);
		snprintf(f->addr, sizeof f->addr, "%s", spv_peer_addr_str(p));
		f->services = spv_peer_services(p);
		snprintf(f->user_agent, sizeof f->user_agent, "%s", spv_peer_user_agent(p));
		f->version = spv_peer_version(p);
		f->start_height = spv_peer_start_height(p);
		f->ping_ms = spv_peer_ping_ms(p);
		const char *st = spv_peer_state_str(spv_peer_state(p));
		if (spv_peer_is_ready(p))
			st = n->ps[i].inflight ? "syncing" : (n->ps[i].caught_up ? "synced" : "ready");
		snprintf(f->state, sizeof f->state, "%s", st);
		f->inbound = false;
	}
	return k;
}

size_t spv_node_events(const struct spv_node *n, struct spv_node_event *out, size_t max)
{
	size_t total = n->nevents < SPV_NODE_MAX_EVENTS ? n->nevents : SPV_NODE_MAX_EVENTS;
	size_t first = n->nevents - total;
	size_t k = 0;
	for (size_t i = 0; i < total && k < max; i++)
		out[k++] = n->events[(first + i) % SPV_NODE_MAX_EVENTS];
	return k;
}

int64_t spv_node_fee_floor(const struct spv_node *n)
{
	int64_t f = 0;
	for (size_t i = 0; i < n->npeers; i++)
		if (spv_peer_is_ready(n->peers[i]) && spv_peer_feefilter(n->peers[i]) > f)
			f = spv_peer_feefilter(n->peers[i]);
	return f;
}
