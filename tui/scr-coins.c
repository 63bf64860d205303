/*
 * The Coins screen: unspent outputs with labels; f freezes/unfreezes,
 * Space selects coins for the next send (coin control), l labels.
 */
#include "tui/app.h"

#include "wallet/hex.h"
#include "wallet/mem.h"

#include <stdio.h>
#include <string.h>

struct coins {
	struct wallet_store_output *u;
	size_t n;
	struct tui_list list;
	int rows;
	bool labelling;
	struct tui_input in;
};

static void *coins_init(struct tui_app *app)
{
	struct coins *c = kb_calloc(1, sizeof *c);
	tui_input_init(&c->in, 255, false);
	return c;
}

static void coins_free(void *s)
{
	struct coins *c = s;
	wallet_store_output_list_free(c->u, c->n);
	tui_input_free(&c->in);
	kb_free(c);
}

static void coins_recalc(void *s, struct tui_app *app)
{
	struct coins *c = s;
	wallet_store_output_list_free(c->u, c->n);
	c->u = NULL;
	c->n = 0;
	if (wallet_utxos(app->w, &c->u, &c->n) != KB_OK) {
		c->u = NULL;
		c->n = 0;
	}
	tui_list_set(&c->list, c->n, (size_t)(c->rows > 0 ? c->rows : 1));
}

static int selected_index(const struct tui_app *app, const struct wallet_store_output *o)
{
	for (size_t i = 0; i < app->nselected; i++)
		if (!memcmp(app->selected[i].txid.b, o->txid.b, 32) && app->selected[i].n == o->vout)
			return (int)i;
	return -1;
}

static void outpoint_text(char *out, size_t cap, const struct wallet_store_output *o)
{
	char id[65];
	wallet_hex_encode_rev(id, sizeof id, o->txid.b, 32);
	snprintf(out, cap, "%s:%u", id, o->vout);
}

static unsigned coins_key(void *s, struct tui_app *app, int key)
{
	struct coins *c = s;
	if (c->labelling) {
		if (key == TUI_ESC) {
			c->labelling = false;
		} else if (TUI_ENTER(key)) {
			char op[80], err[256];
			outpoint_text(op, sizeof op, &c->u[c->list.sel]);
			if (wallet_label(app->w, op, c->in.buf, err, sizeof err) != KB_OK)
				tui_app_message(app, TUI_R_BAD, "%s", err);
			c->labelling = false;
			return TUI_HANDLED | TUI_RECALC | TUI_REDRAW;
		} else {
			tui_input_key(&c->in, key);
		}
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (tui_list_key(&c->list, key, (size_t)(c->rows > 0 ? c->rows : 1)))
		return TUI_HANDLED | TUI_REDRAW;
	if (!c->n)
		return TUI_IGNORED;
	struct wallet_store_output *o = &c->u[c->list.sel];
	if (key == 'f') {
		char op[80], err[256];
		outpoint_text(op, sizeof op, o);
		if (wallet_freeze(app->w, op, !o->frozen, err, sizeof err) != KB_OK)
			tui_app_message(app, TUI_R_BAD, "%s", err);
		else
			tui_app_message(app, TUI_R_NORMAL, "%s %s.", o->frozen ? "Unfroze" : "Froze", op);
		return TUI_HANDLED | TUI_RECALC | TUI_REDRAW;
	}
	if (key == ' ') {
		int i = selected_index(app, o);
		if (i >= 0) {
			app->selected[i] = app->selected[--app->nselected];
		} else if (app->nselected < TUI_MAX_SELECTED) {
			app->selected[app->nselected].txid = o->txid;
			app->selected[app->nselected++].n = o->vout;
		}
		tui_app_message(app, TUI_R_NORMAL, "%zu coin%s selected for the next send%s.", app->nselected,
		                app->nselected == 1 ? "" : "s", app->nselected ? " (Send screen)" : "");
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == 'x') {
		app->nselected = 0;
		tui_app_message(app, TUI_R_NORMAL, "Selection cleared: the wallet chooses the coins.");
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == 'l') {
		c->labelling = true;
		tui_input_set(&c->in, o->label ? o->label : "");
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == 'c') {
		char op[80];
		outpoint_text(op, sizeof op, o);
		tui_app_message(app, TUI_R_GOOD, tui_term_osc52(op) ? "Copied the outpoint (OSC 52)." : "Cannot copy.");
		return TUI_HANDLED | TUI_REDRAW;
	}
	return TUI_IGNORED;
}

enum { K_SEL, K_OUTPOINT, K_AMOUNT, K_CONFS, K_LABEL, K_N };

static void coins_draw(void *s, struct tui_app *app, WINDOW *w, int h, int wd)
{
	struct coins *c = s;
	static const struct tui_col cols[K_N] = {
		[K_SEL] = { 3, 0, 0 }, [K_OUTPOINT] = { 14, 1, 0 }, [K_AMOUNT] = { 20, 0, 0 },
		[K_CONFS] = { 5, 0, 2 }, [K_LABEL] = { 8, 1, 1 },
	};
	int x[K_N], cw[K_N];
	tui_layout_columns(cols, K_N, wd - 2, x, cw);
	tui_text(w, 0, 1 + x[K_OUTPOINT], cw[K_OUTPOINT], TUI_R_KEY, "Coin (txid:vout)");
	tui_textf(w, 0, 1 + x[K_AMOUNT], cw[K_AMOUNT], TUI_R_KEY, "%*s", cw[K_AMOUNT], "Amount");
	if (cw[K_CONFS])
		tui_textf(w, 0, 1 + x[K_CONFS], cw[K_CONFS], TUI_R_KEY, "%*s", cw[K_CONFS], "Conf");
	if (cw[K_LABEL])
		tui_text(w, 0, 1 + x[K_LABEL], cw[K_LABEL], TUI_R_KEY, "Label");
	c->rows = h - 2;
	tui_list_set(&c->list, c->n, (size_t)c->rows);
	if (!c->n)
		tui_text(w, 2, 2, wd - 4, TUI_R_DIM, "No coins yet.");
	for (size_t i = c->list.top; i < c->n && (int)(i - c->list.top) < c->rows; i++) {
		const struct wallet_store_output *o = &c->u[i];
		int y = 1 + (int)(i - c->list.top);
		enum tui_role r = o->frozen ? TUI_R_DIM : o->height < 0 ? TUI_R_WARN : TUI_R_NORMAL;
		if (i == c->list.sel) {
			wattron(w, tui_term_attr(TUI_R_SELECTED));
			mvwhline(w, y, 0, ' ', wd);
			wattroff(w, tui_term_attr(TUI_R_SELECTED));
			r = TUI_R_SELECTED;
		}
		char op[80], ab[80], a[64], cf[32];
		outpoint_text(op, sizeof op, o);
		tui_fmt_abbrev(ab, sizeof ab, op, (size_t)cw[K_OUTPOINT]);
		tui_app_amount(app, a, sizeof a, o->value, false);
		int64_t confs = o->height >= 0 && app->tip >= o->height ? app->tip - o->height + 1 : 0;
		tui_fmt_confs(cf, sizeof cf, o->height >= 0 ? WALLET_TX_CONFIRMED : WALLET_TX_PENDING, confs,
		              wallet_confirm_target(app->w));
		tui_textf(w, y, 1 + x[K_SEL], cw[K_SEL], r, "%s%s", selected_index(app, o) >= 0 ? "+" : " ",
		          o->frozen ? "F" : " ");
		tui_text(w, y, 1 + x[K_OUTPOINT], cw[K_OUTPOINT], r, ab);
		tui_textf(w, y, 1 + x[K_AMOUNT], cw[K_AMOUNT], r, "%*s", cw[K_AMOUNT], a);
		if (cw[K_CONFS])
			tui_textf(w, y, 1 + x[K_CONFS], cw[K_CONFS], r, "%*s", cw[K_CONFS], cf);
		if (cw[K_LABEL])
			tui_text(w, y, 1 + x[K_LABEL], cw[K_LABEL], r, o->label ? o->label : "");
	}
	if (c->labelling) {
		tui_text(w, h - 1, 1, 7, TUI_R_KEY, "Label:");
		tui_input_draw(w, h - 1, 8, wd - 10, &c->in, true);
	} else {
		tui_textf(w, h - 1, 1, wd - 2, TUI_R_DIM, "F frozen, + selected for the next send (%zu)", app->nselected);
	}
}

const struct tui_screen_ops tui_scr_coins = {
	.name = "Coins",
	.keys = "f freeze/unfreeze  Space select  x clear  l label  c copy",
	.init = coins_init,
	.free = coins_free,
	.key = coins_key,
	.recalc = coins_recalc,
	.draw = coins_draw,
};
