/* The Peers screen: each peer from the nodeview, and why sync is stuck. */
#include "tui/app.h"

#include "wallet/mem.h"

#include <inttypes.h>
#include <stdio.h>

static void *peers_init(struct tui_app *app) { (void)app; return kb_calloc(1, 1); }
static void peers_free(void *s) { kb_free(s); }
static unsigned peers_key(void *s, struct tui_app *app, int key) { return TUI_IGNORED; }
static void peers_recalc(void *s, struct tui_app *app) { (void)s; (void)app; /* app->ns is fresh */ }

enum { P_ADDR, P_SERV, P_HEIGHT, P_PING, P_STATE, P_N };

static void peers_draw(void *s, struct tui_app *app, WINDOW *w, int h, int wd)
{
	const struct tui_nodeview_status *ns = &app->ns;
	static const struct tui_col cols[P_N] = {
		[P_ADDR] = { 21, 1, 0 }, [P_SERV] = { 10, 1, 2 }, [P_HEIGHT] = { 8, 0, 0 },
		[P_PING] = { 7, 0, 1 }, [P_STATE] = { 10, 0, 0 },
	};
	static const char *titles[P_N] = { "Address", "Services", "Height", "Ping", "State" };
	int x[P_N], cw[P_N];
	tui_layout_columns(cols, P_N, wd - 2, x, cw);
	int y = 0;
	if (ns->why[0] || ns->offline)
		tui_textf(w, y++, 1, wd - 2, TUI_R_WARN, "Sync: %s", ns->why[0] ? ns->why : "offline");
	else
		tui_text(w, y++, 1, wd - 2, TUI_R_GOOD, "Sync is moving.");
	y++;
	for (int c = 0; c < P_N; c++)
		if (cw[c])
			tui_text(w, y, 1 + x[c], cw[c], TUI_R_KEY, titles[c]);
	y++;
	if (!ns->npeers)
		tui_text(w, y, 2, wd - 4, TUI_R_DIM, "No peers.");
	for (size_t i = 0; i < ns->npeers && y < h; i++, y++) {
		const struct tui_nodeview_peer *p = &ns->peers[i];
		char sv[64], ping[32];
		tui_nodeview_services_text(sv, sizeof sv, p->services);
		if (p->ping_ms >= 0)
			snprintf(ping, sizeof ping, "%" PRId64 " ms", p->ping_ms);
		else
			snprintf(ping, sizeof ping, "-");
		tui_text(w, y, 1 + x[P_ADDR], cw[P_ADDR], TUI_R_NORMAL, p->address);
		if (cw[P_SERV])
			tui_text(w, y, 1 + x[P_SERV], cw[P_SERV], TUI_R_NORMAL, sv);
		tui_textf(w, y, 1 + x[P_HEIGHT], cw[P_HEIGHT], TUI_R_NORMAL, "%" PRId64, p->height);
		if (cw[P_PING])
			tui_text(w, y, 1 + x[P_PING], cw[P_PING], TUI_R_NORMAL, ping);
		tui_text(w, y, 1 + x[P_STATE], cw[P_STATE], TUI_R_NORMAL, p->state);
	}
}

const struct tui_screen_ops tui_scr_peers = {
	.name = "Peers",
	.keys = "",
	.init = peers_init,
	.free = peers_free,
	.key = peers_key,
	.recalc = peers_recalc,
	.draw = peers_draw,
};
