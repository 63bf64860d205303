/*
 * The live nodeview: the light node and the wallet sync under the terminal
 * UI (contract and design in tui/nodeview-live.h).
 */
#include "tui/nodeview-live.h"

#include "spv/fees.h"
#include "spv/http.h"
#include "spv/loop.h"
#include "spv/msg.h"
#include "spv/node.h"
#include "spv/peer.h"
#include "spv/wsync.h"
#include "tui/cmd-send.h"
#include "wallet/log.h"
#include "wallet/mem.h"
#include "wallet/store.h"
#include "wallet/tx.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum live_state { L_WAITING, L_RUNNING, L_FAILED };

/* One broadcast asked for by the UI. */
struct live_bc {
	tui_nodeview_broadcast_cb cb;
	void *arg;
	uint8_t *raw;              /* owned until started */
	size_t len;
	bool started;              /* handed to the wallet sync */
	struct hash256 txid, wtxid;
	int64_t deadline;          /* loop ms */
	bool fetched;              /* a peer asked for it (getdata) */
	uint32_t ping_peer;        /* the peer we pinged after its getdata */
	uint64_t ping_nonce;
	bool ping_out, pong;
	bool finished, ok;         /* the result, waiting to be reported */
	char message[200];
};

/* What the UI shows, to tell when it moved. */
struct live_sig {
	uint32_t headers, target;
	size_t ready, connecting, bloom;
	bool headers_synced, synced;
	int64_t scanned;
	uint64_t blocks_done, txs_found;
	char why[48];
};

struct live {
	struct tui_nodeview *nv;          /* borrowed: the nodeview we are impl of */
	struct cli_opts opt;              /* copy; datadir and proxy point below */
	char *datadir;                    /* owned */
	char *proxy;                      /* owned: the effective proxy, NULL none */
	struct wallet *const *wp;         /* borrowed: the UI's wallet pointer */
	struct tui_wsession s;            /* the node's loop, node, wallet sync (owned while running) */
	enum live_state state;
	char fail[256];
	int64_t retry_at;
	bool log_opened, log_quiet;
	int64_t busy_since;               /* loop ms the worker took the wallet; 0 not busy */
	struct spv_loop_timer *pump;      /* on the UI loop */
	struct spv_loop_timer *report;    /* on the UI loop: results found outside a pump */
	/* telling the UI */
	struct live_sig sig;
	bool change_pending;
	int64_t changed_at;
	/* fee estimates (HTTP on the UI loop: it never touches the wallet) */
	struct spv_http *http;
	struct spv_fees_req req;
	bool fee_inflight, fee_forced;
	bool have_est;
	struct spv_fee_estimates est;
	int64_t est_at, fee_next;
	/* broadcasts */
	struct live_bc *bc;
	size_t nbc, capbc;
};

/* Copies text into dst (cap > 0), cut to fit: the why-lines are longer
 * than the UI's fields, and the screen cuts them to its width anyway. */
static void copy_text(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int64_t now_ms(const struct live *l)
{
	return spv_loop_now(l->nv->loop);
}

static void mark_changed(struct live *l)
{
	l->change_pending = true;
}

static void flush_changed(struct live *l)
{
	if (!l->change_pending)
		return;
	int64_t now = now_ms(l);
	if (l->changed_at && now - l->changed_at < TUI_LIVE_CHANGED_MIN_MS)
		return; /* a later pump tells */
	l->change_pending = false;
	l->changed_at = now;
	tui_nodeview_changed(l->nv);
}

/* ---- broadcasts ---------------------------------------------------------------- */

static void bc_finish(struct live_bc *b, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void bc_finish(struct live_bc *b, bool ok, const char *fmt, ...)
{
	if (b->finished)
		return;
	b->finished = true;
	b->ok = ok;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->message, sizeof b->message, fmt, ap);
	va_end(ap);
}

/* Calls the callbacks of finished broadcasts (each removed first: a
 * callback may broadcast again). */
static void bc_report(struct live *l)
{
	for (size_t i = 0; i < l->nbc;) {
		struct live_bc *b = &l->bc[i];
		if (!b->finished) {
			i++;
			continue;
		}
		tui_nodeview_broadcast_cb cb = b->cb;
		void *arg = b->arg;
		bool ok = b->ok;
		char msg[sizeof b->message];
		memcpy(msg, b->message, sizeof msg);
		kb_free(b->raw);
		memmove(b, b + 1, (l->nbc - i - 1) * sizeof *b);
		l->nbc--;
		cb(ok, msg, arg);
	}
}

static void report_fire(struct spv_loop_timer *t, void *arg)
{
	(void)t;
	bc_report(arg);
}

/* Hands b to the wallet sync: recorded in the wallet, announced. Only
 * while running and the wallet is ours. */
static void bc_begin(struct live *l, struct live_bc *b)
{
	char err[256] = "";
	enum kb_rc rc = spv_wsync_broadcast(l->s.ws, b->raw, b->len, &b->txid, err, sizeof err);
	if (rc != KB_OK) {
		bc_finish(b, false, "%s", err[0] ? err : kb_rc_str(rc));
		return;
	}
	struct wallet_tx tx;
	if (wallet_tx_parse(&tx, b->raw, b->len) == KB_OK) {
		wallet_tx_wtxid(&tx, &b->wtxid);
		wallet_tx_clear(&tx);
	} else {
		b->wtxid = b->txid;
	}
	kb_free(b->raw);
	b->raw = NULL;
	b->started = true;
	b->deadline = now_ms(l) + TUI_LIVE_BCAST_WAIT_MS;
	mark_changed(l); /* the wallet has a new pending transaction */
}

static void bc_check(struct live *l)
{
	int64_t now = now_ms(l);
	for (size_t i = 0; i < l->nbc; i++) {
		struct live_bc *b = &l->bc[i];
		if (b->finished)
			continue;
		if (!b->started) {
			if (l->state == L_RUNNING && !l->nv->wallet_busy)
				bc_begin(l, b);
			else if (l->state == L_FAILED)
				bc_finish(b, false, "the node is not running: %s", l->fail);
			continue;
		}
		if (l->state != L_RUNNING) { /* the node stopped under it */
			bc_finish(b, false, "the node stopped: %s (the transaction stays pending in the wallet)", l->fail);
			continue;
		}
		enum spv_wsync_bc_state st = SPV_WSYNC_BC_ANNOUNCED;
		char reason[128] = "";
		if (spv_wsync_broadcast_state(l->s.ws, &b->txid, &st, reason, sizeof reason) != KB_OK)
			st = SPV_WSYNC_BC_ANNOUNCED;
		if (st == SPV_WSYNC_BC_ACCEPTED || st == SPV_WSYNC_BC_CONFIRMED)
			bc_finish(b, true, "%s", spv_wsync_bc_state_str(st));
		else if (st == SPV_WSYNC_BC_REJECTED)
			bc_finish(b, false, "a peer rejected it: %s", reason[0] ? reason : "(no reason given)");
		else if (b->pong)
			bc_finish(b, true, "%s", "fetched by a peer, no objection");
		else if (now > b->deadline && b->fetched)
			bc_finish(b, true, "%s", "fetched by a peer, no objection yet");
		else if (now > b->deadline)
			bc_finish(b, false,
			          "no peer asked for it within %d s (it stays pending in the wallet and is announced"
			          " again to every new peer and with every block)", TUI_LIVE_BCAST_WAIT_MS / 1000);
	}
}

static struct live_bc *bc_find_hash(struct live *l, const struct hash256 *h)
{
	for (size_t i = 0; i < l->nbc; i++)
		if (l->bc[i].started && !l->bc[i].finished &&
		    (!memcmp(l->bc[i].txid.b, h->b, 32) || !memcmp(l->bc[i].wtxid.b, h->b, 32)))
			return &l->bc[i];
	return NULL;
}

/* ---- the node's events (after the wallet sync's own handling) -------------------- */

static bool hook_message(void *arg, struct spv_peer *p, const char *command, const uint8_t *payload,
                         size_t len)
{
	struct live *l = arg;
	if (!strcmp(command, "getdata")) {
		struct spv_msg m;
		memset(&m, 0, sizeof m);
		if (spv_msg_parse(&m, SPV_MSG_GETDATA, payload, len) != KB_OK)
			return false; /* the wallet sync has judged it already */
		for (size_t i = 0; i < m.u.inv.n; i++) {
			uint32_t t = m.u.inv.v[i].type & ~SPV_INV_WITNESS_FLAG;
			if (t != SPV_INV_TX && t != SPV_INV_WTX)
				continue;
			struct live_bc *b = bc_find_hash(l, &m.u.inv.v[i].hash);
			if (!b || b->ping_out)
				continue;
			/* The wallet sync has queued the transaction; a ping after it
			 * comes back after the peer has dealt with it. */
			b->fetched = true;
			struct spv_msg ping;
			spv_msg_init(&ping, SPV_MSG_PING);
			randombytes_buf(&b->ping_nonce, sizeof b->ping_nonce);
			ping.u.nonce = b->ping_nonce;
			spv_peer_send_msg(p, &ping);
			b->ping_out = true;
			b->ping_peer = spv_peer_id(p);
		}
		spv_msg_clear(&m);
	} else if (!strcmp(command, "pong")) {
		struct spv_msg m;
		memset(&m, 0, sizeof m);
		if (spv_msg_parse(&m, SPV_MSG_PONG, payload, len) != KB_OK)
			return false;
		for (size_t i = 0; i < l->nbc; i++)
			if (l->bc[i].ping_out && l->bc[i].ping_nonce == m.u.nonce &&
			    l->bc[i].ping_peer == spv_peer_id(p))
				l->bc[i].pong = true;
		spv_msg_clear(&m);
	}
	return false; /* not ours to judge: the wallet sync's verdict stands */
}

static void hook_peer_gone(void *arg, struct spv_peer *p)
{
	struct live *l = arg;
	for (size_t i = 0; i < l->nbc; i++)
		if (l->bc[i].ping_out && l->bc[i].ping_peer == spv_peer_id(p))
			l->bc[i].ping_out = false; /* the next getdata pings again */
	mark_changed(l);
}

static void hook_peer_ready(void *arg, struct spv_peer *p)
{
	(void)p;
	mark_changed(arg);
}

static void hook_chain_changed(void *arg, const struct spv_chain_change *c)
{
	(void)c;
	mark_changed(arg);
}

static const struct spv_node_hooks live_hooks = {
	.peer_ready = hook_peer_ready,
	.peer_gone = hook_peer_gone,
	.message = hook_message,
	.chain_changed = hook_chain_changed,
};

/* ---- fee estimates ------------------------------------------------------------------- */

static void fees_cb(enum kb_rc rc, const struct spv_fee_estimates *est, const char *err, void *arg)
{
	struct live *l = arg;
	l->fee_inflight = false;
	int64_t now = now_ms(l);
	if (rc == KB_OK && est) {
		l->est = *est;
		l->have_est = true;
		l->est_at = now;
		l->fee_next = now + TUI_LIVE_FEES_EVERY_MS;
	} else {
		KB_WARN("tui", "no fee estimate: %s", err ? err : kb_rc_str(rc));
		l->fee_next = now + TUI_LIVE_FEES_RETRY_MS;
	}
	mark_changed(l);
	flush_changed(l);
}

/* Starts a fetch when one is due. Reads the fee_url setting each time, so
 * a change on the Settings screen applies from the next fetch. */
static void fees_maybe(struct live *l)
{
	int64_t now = now_ms(l);
	if (l->have_est && now - l->est_at > TUI_LIVE_FEES_STALE_MS) {
		l->have_est = false; /* an old estimate is no estimate */
		mark_changed(l);
	}
	if (l->fee_inflight || (!l->fee_forced && now < l->fee_next) || l->nv->wallet_busy || !*l->wp)
		return;
	l->fee_forced = false;
	l->fee_next = now + TUI_LIVE_FEES_RETRY_MS;
	char *url = NULL;
	if (wallet_store_setting_get(wallet_store(*l->wp), WALLET_SETTING_FEE_URL, &url) != KB_OK || !url ||
	    !url[0]) {
		kb_free(url);
		if (l->have_est) {
			l->have_est = false; /* the source was removed */
			mark_changed(l);
		}
		return;
	}
	if (!l->http && spv_http_new(&l->http, l->nv->loop, l->proxy, false) != KB_OK) {
		KB_WARN("tui", "no fee estimates: cannot start HTTP");
		l->http = NULL;
		kb_free(url);
		return;
	}
	if (spv_fees_fetch(l->http, &l->req, url, 20000, fees_cb, l) == KB_OK)
		l->fee_inflight = true;
	else
		KB_WARN("tui", "no fee estimates: the fee_url setting is not an http(s) address");
	kb_free(url);
}

static void fees_fill(struct live *l, struct tui_nodeview_status *st)
{
	struct tui_nodeview_fee *f[SPV_FEE_SPEEDS] = { &st->slow, &st->normal, &st->fast };
	int64_t floor = l->state == L_RUNNING ? spv_node_fee_floor(l->s.node) : 0;
	for (int i = 0; i < SPV_FEE_SPEEDS; i++) {
		memset(f[i], 0, sizeof *f[i]);
		int64_t rate = 0;
		if (l->have_est && spv_fees_pick(&l->est, (enum spv_fee_speed)i, floor, &rate) == KB_OK) {
			f[i]->have = true;
			f[i]->rate = rate;
			f[i]->blocks = (int)l->est.target[i];
		}
	}
}

/* ---- starting and pumping the node -------------------------------------------------- */

static void live_start(struct live *l)
{
	struct wallet *w = *l->wp;
	/* --proxy, else the wallet's proxy setting (peers and fee estimates) */
	kb_free(l->proxy);
	l->proxy = NULL;
	if (l->opt.proxy && l->opt.proxy[0]) {
		l->proxy = kb_strdup(l->opt.proxy);
	} else {
		char *v = NULL;
		if (wallet_store_setting_get(wallet_store(w), "proxy", &v) == KB_OK && v && v[0])
			l->proxy = v;
		else
			kb_free(v);
	}
	struct cli_opts o = l->opt;
	o.proxy = l->proxy;
	if (!l->log_opened) {
		/* The node logs peers coming and going: into a file, never over curses. */
		char path[4096];
		snprintf(path, sizeof path, "%s/%s/koban.log", l->datadir, kb_net_params(l->opt.net)->dirname);
		kb_log_quiet_stderr(1);
		l->log_quiet = true;
		l->log_opened = kb_log_open(path) == KB_OK;
	}
	char err[320] = "";
	if (tui_wsession_start(&l->s, &o, w, &live_hooks, l, err, sizeof err) != CLI_OK) {
		l->state = L_FAILED;
		snprintf(l->fail, sizeof l->fail, "%s", err[0] ? err : "the node could not start");
		l->retry_at = now_ms(l) + TUI_LIVE_RETRY_MS;
		KB_WARN("tui", "%s (retrying in %d s)", l->fail, TUI_LIVE_RETRY_MS / 1000);
	} else {
		l->state = L_RUNNING;
		l->fail[0] = '\0';
		l->fee_next = now_ms(l); /* estimates at once */
	}
	mark_changed(l);
}

static void sig_take(struct live *l, struct live_sig *g)
{
	memset(g, 0, sizeof *g);
	if (l->state != L_RUNNING)
		return;
	struct spv_node_status ns;
	spv_node_status(l->s.node, &ns);
	struct spv_wsync_status ws;
	spv_wsync_status(l->s.ws, &ws);
	g->headers = ns.headers_height;
	g->target = ns.target_height;
	g->ready = ns.peers_ready;
	g->connecting = ns.peers_connecting;
	g->headers_synced = ns.headers_synced;
	g->bloom = ws.bloom_peers;
	g->synced = ws.synced;
	g->scanned = ws.scanned_height;
	g->blocks_done = ws.blocks_done;
	g->txs_found = ws.txs_found;
	copy_text(g->why, sizeof g->why, ws.why);
}

static void pump_fire(struct spv_loop_timer *t, void *arg)
{
	(void)t;
	struct live *l = arg;
	struct tui_nodeview *nv = l->nv;
	if (l->state == L_FAILED && now_ms(l) >= l->retry_at)
		l->state = L_WAITING;
	if (l->state == L_WAITING && *l->wp && !nv->wallet_busy)
		live_start(l);
	if (l->state == L_RUNNING && !nv->wallet_busy) {
		int64_t t0 = spv_loop_clock_monotonic(NULL);
		for (int i = 0; i < TUI_LIVE_PUMP_TURNS; i++) {
			if (spv_loop_run_once(l->s.loop, 0) != KB_OK) {
				tui_wsession_close(&l->s);
				l->state = L_FAILED;
				snprintf(l->fail, sizeof l->fail, "the node's event loop failed");
				l->retry_at = now_ms(l) + TUI_LIVE_RETRY_MS;
				mark_changed(l);
				break;
			}
			if (spv_loop_clock_monotonic(NULL) - t0 >= TUI_LIVE_PUMP_BUDGET_MS)
				break;
		}
		if (l->state == L_RUNNING) {
			struct live_sig g;
			sig_take(l, &g);
			if (memcmp(&g, &l->sig, sizeof g) != 0) {
				l->sig = g;
				mark_changed(l);
			}
		}
	}
	/* Broadcasts wait with the node while the worker holds the wallet:
	 * their deadlines move by the time nothing could happen. */
	if (nv->wallet_busy) {
		if (!l->busy_since)
			l->busy_since = now_ms(l);
	} else {
		if (l->busy_since) {
			for (size_t i = 0; i < l->nbc; i++)
				l->bc[i].deadline += now_ms(l) - l->busy_since;
			l->busy_since = 0;
		}
		bc_check(l);
	}
	if (l->state == L_RUNNING)
		fees_maybe(l);
	bc_report(l);
	flush_changed(l);
}

/* ---- the ops -------------------------------------------------------------------------- */

static void live_status(struct tui_nodeview *nv, struct tui_nodeview_status *st)
{
	struct live *l = nv->impl;
	memset(st, 0, sizeof *st);
	st->net = nv->net;
	st->headers_height = st->target_height = st->scan_height = -1;
	fees_fill(l, st);
	if (l->state == L_FAILED) {
		st->offline = true;
		char why[300];
		snprintf(why, sizeof why, "offline: %s", l->fail);
		copy_text(st->why, sizeof st->why, why);
		return;
	}
	if (l->state == L_WAITING) {
		st->offline = true;
		snprintf(st->why, sizeof st->why, "%s",
		         *l->wp ? "starting the light node" : "offline until there is a wallet");
		return;
	}
	struct spv_node_status ns;
	spv_node_status(l->s.node, &ns);
	struct spv_wsync_status ws;
	spv_wsync_status(l->s.ws, &ws);
	st->headers_height = ns.headers_height;
	st->target_height = ns.target_height > ns.headers_height ? ns.target_height : ns.headers_height;
	st->scan_height = ws.scanned_height;
	st->headers_per_s = (int64_t)ns.headers_per_sec;
	struct spv_peer_info pi[TUI_NODEVIEW_MAX_PEERS];
	size_t np = spv_node_peer_info(l->s.node, pi, TUI_NODEVIEW_MAX_PEERS);
	for (size_t i = 0; i < np; i++) {
		struct tui_nodeview_peer *p = &st->peers[i];
		snprintf(p->address, sizeof p->address, "%s", pi[i].addr);
		p->services = pi[i].services;
		p->height = pi[i].start_height;
		p->ping_ms = pi[i].ping_ms;
		snprintf(p->state, sizeof p->state, "%s", pi[i].state);
	}
	st->npeers = np;
	if (ws.synced) {
		st->why[0] = '\0'; /* moving: nothing to explain */
	} else if (!ns.headers_synced && ns.peers_ready > 0 && ws.bloom_peers > 0) {
		/* headers first: "waiting for headers from ...", "syncing" */
		copy_text(st->why, sizeof st->why, ns.why);
	} else if (!strncmp(ws.why, "no connected peer offers Bloom", 30)) {
		/* the same, with what matters within 80 columns */
		copy_text(st->why, sizeof st->why,
		          "no peer offers Bloom filters (NODE_BLOOM): looking for one; a node of your own"
		          " needs whitelist=bloomfilter@IP or peerbloomfilters=1");
	} else if (!strncmp(ws.why, "scanning", 8) && ws.scanned_height >= (int64_t)ws.tip_height) {
		/* every block is in; the peers' answer to `mempool` (asked again
		 * whenever the filter grows) is what is missing */
		copy_text(st->why, sizeof st->why, "waiting for the peers' pending transactions (mempool)");
	} else {
		/* no peers (the node's reason), no Bloom peer, scanning, a fatal error */
		copy_text(st->why, sizeof st->why, ws.why[0] ? ws.why : ns.why);
	}
}

static void live_broadcast(struct tui_nodeview *nv, const uint8_t *raw, size_t len,
                           tui_nodeview_broadcast_cb cb, void *arg)
{
	struct live *l = nv->impl;
	if (l->nbc == l->capbc) {
		l->capbc = l->capbc ? l->capbc * 2 : 4;
		l->bc = kb_realloc(l->bc, l->capbc * sizeof *l->bc);
	}
	struct live_bc *b = &l->bc[l->nbc++];
	memset(b, 0, sizeof *b);
	b->cb = cb;
	b->arg = arg;
	b->raw = kb_malloc(len ? len : 1);
	memcpy(b->raw, raw, len);
	b->len = len;
	if (l->state == L_FAILED)
		bc_finish(b, false, "the node is not running: %s", l->fail);
	else if (l->state == L_RUNNING && !nv->wallet_busy)
		bc_begin(l, b);
	/* else held until the node runs and the worker is done (the pump) */
	if (b->finished)
		spv_loop_timer_start(l->report, 0, 0); /* reported from the loop, not from here */
}

static void live_request_fees(struct tui_nodeview *nv)
{
	struct live *l = nv->impl;
	if (!l->fee_inflight)
		l->fee_forced = true;
}

static void live_free(struct tui_nodeview *nv)
{
	struct live *l = nv->impl;
	if (!l)
		return;
	spv_loop_timer_free(l->pump);
	spv_loop_timer_free(l->report);
	/* the node first: its peer_gone hooks still see l */
	if (l->state == L_RUNNING)
		tui_wsession_close(&l->s);
	if (l->http) {
		spv_fees_cancel(l->http, &l->req);
		spv_http_free(l->http);
	}
	for (size_t i = 0; i < l->nbc; i++)
		kb_free(l->bc[i].raw);
	kb_free(l->bc);
	if (l->log_opened)
		kb_log_close();
	if (l->log_quiet)
		kb_log_quiet_stderr(0);
	kb_free(l->proxy);
	kb_free(l->datadir);
	kb_free(l);
	nv->impl = NULL;
}

static const struct tui_nodeview_ops live_ops = {
	.status = live_status,
	.broadcast = live_broadcast,
	.request_fees = live_request_fees,
	.free = live_free,
};

struct tui_nodeview *tui_nodeview_live(struct spv_loop *loop, const struct cli_opts *opt,
                                       const char *datadir, struct wallet *const *wallet)
{
	KB_ASSERT(loop && opt && datadir && wallet && !opt->offline);
	struct tui_nodeview *nv = kb_calloc(1, sizeof *nv);
	struct live *l = kb_calloc(1, sizeof *l);
	nv->ops = &live_ops;
	nv->loop = loop;
	nv->net = opt->net;
	nv->impl = l;
	l->nv = nv;
	l->opt = *opt;
	l->datadir = kb_strdup(datadir);
	l->opt.datadir = l->datadir;
	l->wp = wallet;
	l->state = L_WAITING;
	l->pump = spv_loop_timer_new(loop, pump_fire, l);
	l->report = spv_loop_timer_new(loop, report_fire, l);
	spv_loop_timer_start(l->pump, 0, TUI_LIVE_PUMP_MS);
	return nv;
}
