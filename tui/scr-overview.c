/* The Overview screen: balance, sync, peers, network, latest payments. */
#include "tui/app.h"

#include "wallet/mem.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define LATEST 8

struct ov {
	struct wallet_history_entry latest[LATEST];
	size_t nlatest, ntotal;
	int64_t target;
};

static void *ov_init(struct tui_app *app)
{
	(void)app;
	return kb_calloc(1, sizeof(struct ov));
}

static void ov_free(void *s) { kb_free(s); }

static unsigned ov_key(void *s, struct tui_app *app, int key)
{
	if (TUI_ENTER(key)) {
		tui_app_tab(app, TUI_TAB_HISTORY);
		return TUI_HANDLED | TUI_RECALC | TUI_REDRAW;
	}
	return TUI_IGNORED;
}

static void ov_recalc(void *s, struct tui_app *app)
{
	struct ov *o = s;
	struct wallet_history_entry *h = NULL;
	size_t n = 0;
	o->nlatest = o->ntotal = 0;
	o->target = wallet_confirm_target(app->w);
	if (wallet_history(app->w, app->tip, &h, &n) != KB_OK)
		return;
	/* The history is oldest first: the latest are at the end. */
	o->ntotal = n;
	for (size_t i = 0; i < n && i < LATEST; i++)
		o->latest[i] = h[n - 1 - i];
	o->nlatest = n < LATEST ? n : LATEST;
	kb_free(h);
}

static void ov_draw(void *s, struct tui_app *app, WINDOW *w, int h, int wd)
{
	struct ov *o = s;
	char a[64];
	int y = 1;
	tui_app_amount(app, a, sizeof a, app->bal.confirmed, false);
	tui_textf(w, y++, 2, wd - 4, TUI_R_GOOD, "Confirmed  %22s", a);
	tui_app_amount(app, a, sizeof a, app->bal.pending, false);
	tui_textf(w, y++, 2, wd - 4, app->bal.pending ? TUI_R_WARN : TUI_R_NORMAL, "Pending    %22s", a);
	if (app->bal.immature) {
		tui_app_amount(app, a, sizeof a, app->bal.immature, false);
		tui_textf(w, y++, 2, wd - 4, TUI_R_DIM, "Immature   %22s", a);
	}
	if (app->bal.frozen) {
		tui_app_amount(app, a, sizeof a, app->bal.frozen, false);
		tui_textf(w, y++, 2, wd - 4, TUI_R_DIM, "(frozen    %22s)", a);
	}
	y++;
	const struct tui_nodeview_status *ns = &app->ns;
	const struct kb_netparams *np = kb_net_params(app->opt.net);
	tui_textf(w, y++, 2, wd - 4, app->opt.net == KB_NET_MAIN ? TUI_R_MAINNET : TUI_R_TESTNET,
	          " %s ", app->opt.net == KB_NET_MAIN ? "MAINNET: real money" : np->display);
	if (ns->offline) {
		tui_textf(w, y++, 2, wd - 4, TUI_R_WARN, "Node: %s", ns->why);
		if (app->tip >= 0)
			tui_textf(w, y++, 2, wd - 4, TUI_R_NORMAL, "Chain tip known: block %" PRId64, app->tip);
	} else {
		int64_t done = ns->headers_height, total = ns->target_height;
		int bw = wd - 40 > 10 ? wd - 40 : 10;
		tui_text(w, y, 2, 6, TUI_R_NORMAL, "Sync");
		tui_progress_draw(w, y, 8, bw, done, total);
		char eta[32] = "";
		if (total > done && ns->headers_per_s > 0)
			tui_fmt_duration(eta, sizeof eta, (total - done) / ns->headers_per_s);
		tui_textf(w, y++, 9 + bw, wd - 11 - bw, TUI_R_NORMAL, "%" PRId64 "/%" PRId64 "%s%s", done, total,
		          eta[0] ? "  left " : "", eta);
		tui_textf(w, y++, 2, wd - 4, TUI_R_NORMAL, "Peers: %zu", ns->npeers);
		if (ns->why[0])
			tui_textf(w, y++, 2, wd - 4, TUI_R_WARN, "%s", ns->why);
	}
	y++;
	if (y >= h)
		return;
	tui_textf(w, y++, 2, wd - 4, TUI_R_KEY, "Latest payments (%zu in all)", o->ntotal);
	if (o->nlatest == 0)
		tui_text(w, y++, 4, wd - 6, TUI_R_DIM, "None yet: your address is on the Receive screen (4).");
	for (size_t i = 0; i < o->nlatest && y < h; i++, y++) {
		const struct wallet_history_entry *e = &o->latest[i];
		char d[32], c[32];
		tui_fmt_date(d, sizeof d, e->time);
		tui_app_amount(app, a, sizeof a, e->delta, true);
		tui_fmt_confs(c, sizeof c, e->state, e->confirmations, o->target);
		const char *st = tui_fmt_state(e->state, e->confirmations, o->target);
		enum tui_role r = e->state == WALLET_TX_CONFIRMED && e->confirmations >= o->target ? TUI_R_GOOD
		                : e->state == WALLET_TX_CONFLICTED || e->state == WALLET_TX_REPLACED ? TUI_R_BAD : TUI_R_WARN;
		tui_textf(w, y, 4, wd - 6, r, "%-16s %22s %6s %-10s %s", d, a, c, st, e->label);
	}
}

const struct tui_screen_ops tui_scr_overview = {
	.name = "Overview",
	.keys = "Enter history  u BTC/sats  Ctrl-R reload",
	.init = ov_init,
	.free = ov_free,
	.key = ov_key,
	.recalc = ov_recalc,
	.draw = ov_draw,
};
