/*
 * The Receive screen: the next unused address, a label, an optional
 * amount making a BIP21 URI, and its QR code (tui_qr_draw says to enlarge
 * the terminal when it does not fit).
 */
#include "tui/app.h"

#include "wallet/amount.h"
#include "wallet/bip21.h"
#include "wallet/mem.h"

#include <stdio.h>
#include <string.h>

enum focus { F_NONE, F_LABEL, F_AMOUNT };

struct recv {
	struct wallet_address addr;
	bool have;
	char err[256];
	int64_t amount;           /* -1 none */
	char label[256];
	char uri[WALLET_BIP21_MAX_URI];
	enum focus focus;
	struct tui_input in;
};

static void *recv_init(struct tui_app *app)
{
	struct recv *r = kb_calloc(1, sizeof *r);
	r->amount = -1;
	tui_input_init(&r->in, 255, false);
	return r;
}

static void recv_free(void *s)
{
	struct recv *r = s;
	tui_input_free(&r->in);
	kb_free(r);
}

static void build_uri(struct recv *r)
{
	struct buf b = BUF_INIT;
	wallet_bip21_build(&b, r->addr.address, r->amount, r->label[0] ? r->label : NULL, NULL);
	snprintf(r->uri, sizeof r->uri, "%s", buf_cstr(&b));
	buf_clear(&b);
}

static void recv_recalc(void *s, struct tui_app *app)
{
	struct recv *r = s;
	r->have = wallet_receive(app->w, &r->addr, NULL, NULL, r->err, sizeof r->err) == KB_OK;
	if (r->have) {
		snprintf(r->label, sizeof r->label, "%s", r->addr.label);
		build_uri(r);
	}
}

static unsigned recv_key(void *s, struct tui_app *app, int key)
{
	struct recv *r = s;
	if (r->focus != F_NONE) {
		if (key == TUI_ESC) {
			r->focus = F_NONE;
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (TUI_ENTER(key)) {
			char err[256];
			if (r->focus == F_LABEL) {
				if (wallet_label(app->w, r->addr.address, r->in.buf, err, sizeof err) != KB_OK) {
					tui_app_message(app, TUI_R_BAD, "%s", err);
					return TUI_HANDLED | TUI_REDRAW;
				}
				tui_app_message(app, TUI_R_GOOD, "Labelled.");
			} else {
				int64_t v = -1;
				if (r->in.len && wallet_amount_parse(&v, r->in.buf, err, sizeof err) != KB_OK) {
					tui_app_message(app, TUI_R_BAD, "%s", err);
					return TUI_HANDLED | TUI_REDRAW;
				}
				r->amount = r->in.len ? v : -1;
			}
			r->focus = F_NONE;
			return TUI_HANDLED | TUI_RECALC | TUI_REDRAW;
		}
		tui_input_key(&r->in, key);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == 'l' && r->have) {
		r->focus = F_LABEL;
		tui_input_set(&r->in, r->label);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == 'a' && r->have) {
		r->focus = F_AMOUNT;
		char a[WALLET_AMOUNT_STRLEN] = "";
		if (r->amount >= 0)
			wallet_amount_format_short(a, r->amount);
		tui_input_set(&r->in, a);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if ((key == 'c' || key == 'C') && r->have) {
		bool ok = tui_term_osc52(key == 'c' ? r->addr.address : r->uri);
		tui_app_message(app, ok ? TUI_R_GOOD : TUI_R_BAD, ok ? "Copied the %s (OSC 52)." : "Cannot copy the %s.",
		                key == 'c' ? "address" : "URI");
		return TUI_HANDLED | TUI_REDRAW;
	}
	return TUI_IGNORED;
}

static void recv_draw(void *s, struct tui_app *app, WINDOW *w, int h, int wd)
{
	struct recv *r = s;
	if (!r->have) {
		tui_textf(w, 1, 2, wd - 4, TUI_R_BAD, "No address: %s", r->err);
		return;
	}
	int y = 0;
	tui_text(w, y, 2, 10, TUI_R_DIM, "Address");
	tui_text(w, y++, 12, wd - 14, TUI_R_KEY, r->addr.address);
	tui_text(w, y, 2, 10, TUI_R_DIM, "Label");
	if (r->focus == F_LABEL)
		tui_input_draw(w, y++, 12, wd - 14 < 40 ? wd - 14 : 40, &r->in, true);
	else
		tui_text(w, y++, 12, wd - 14, TUI_R_NORMAL, r->label[0] ? r->label : "(none)");
	tui_text(w, y, 2, 10, TUI_R_DIM, "Amount");
	if (r->focus == F_AMOUNT) {
		tui_input_draw(w, y++, 12, 20, &r->in, true);
	} else {
		char a[64] = "(any)";
		if (r->amount >= 0)
			tui_app_amount(app, a, sizeof a, r->amount, false);
		tui_text(w, y++, 12, wd - 14, TUI_R_NORMAL, a);
	}
	bool uri = r->amount >= 0 || r->label[0];
	if (uri) {
		tui_text(w, y, 2, 10, TUI_R_DIM, "URI");
		tui_text(w, y++, 12, wd - 14, TUI_R_NORMAL, r->uri);
	}
	y++;
	/* A bare bech32 address goes into the QR code in upper case (BIP173):
	 * alphanumeric mode makes the code small enough for 80x24. */
	char qr[sizeof r->addr.address];
	snprintf(qr, sizeof qr, "%s", r->addr.address);
	if (!uri && strchr(qr, '1') && (!strncmp(qr, "bc1", 3) || !strncmp(qr, "tb1", 3) || !strncmp(qr, "bcrt1", 5)))
		for (char *p = qr; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
	tui_qr_draw(w, y, 0, wd, h - y, uri ? r->uri : qr);
}

const struct tui_screen_ops tui_scr_receive = {
	.name = "Receive",
	.keys = "l label  a amount  c copy address  C copy URI",
	.init = recv_init,
	.free = recv_free,
	.key = recv_key,
	.recalc = recv_recalc,
	.draw = recv_draw,
};
