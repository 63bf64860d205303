/*
 * The Send screen: recipients (an address or a BIP21 URI, an amount or
 * "max"), a fee rate typed or picked from the node's estimates, optional
 * coin control (coins picked on the Coins screen); then a review of the
 * unsigned transaction (inputs, outputs, change, fee in sats and sat/vB,
 * RBF, network) and an explicit confirmation with the password. Signing
 * runs on the worker. The signed transaction goes to send_broadcast(), the
 * one place that talks to the node (tui_nodeview_broadcast); offline it is
 * refused there and the screen offers to save the transaction hex or the
 * PSBT to a file. A watch-only wallet writes the PSBT file instead.
 */
#include "tui/app.h"

#include "tui/cmd-util.h"
#include "wallet/amount.h"
#include "wallet/bip21.h"
#include "wallet/hex.h"
#include "wallet/mem.h"

#include <stdio.h>
#include <string.h>

#define MAX_TO 16

enum state { S_FORM, S_REVIEW, S_RESULT };
enum save { SAVE_NONE, SAVE_HEX, SAVE_PSBT };

struct send {
	enum state st;
	struct tui_input addr[MAX_TO], amount[MAX_TO];
	size_t nto;
	struct tui_input fee;
	int focus;                    /* -1 browsing; 2*i (address), 2*i+1 (amount), 2*nto (fee) */
	char problem[1024];
	/* review */
	bool have_psbt;
	struct wallet_psbt psbt;
	char **lines;
	size_t nlines, top;
	/* result */
	char *hex;                    /* signed transaction */
	char txid[65];
	char *psbt_b64;               /* the PSBT (signed, or unsigned for watch-only) */
	char result[256];
	char result2[256];            /* the second line: what to do now */
	enum tui_role result_role;
	bool broadcasting, broadcast_ok;
	enum save saving;
	struct tui_input path;
	struct tui_app *app;
	char title[80];               /* the review's heading ("" for a send) */
	bool record_pending;          /* broadcast ok while the worker held the wallet */
};

static void free_lines(struct send *s)
{
	for (size_t i = 0; i < s->nlines; i++)
		kb_free(s->lines[i]);
	kb_free(s->lines);
	s->lines = NULL;
	s->nlines = s->top = 0;
}

static void *send_init(struct tui_app *app)
{
	struct send *s = kb_calloc(1, sizeof *s);
	s->app = app;
	s->nto = 1;
	for (size_t i = 0; i < MAX_TO; i++) {
		tui_input_init(&s->addr[i], WALLET_BIP21_MAX_URI, false);
		tui_input_init(&s->amount[i], 32, false);
	}
	tui_input_init(&s->fee, 16, false);
	tui_input_init(&s->path, 1024, false);
	s->focus = -1;
	return s;
}

static void reset_result(struct send *s)
{
	if (s->have_psbt)
		wallet_psbt_clear(&s->psbt);
	s->have_psbt = false;
	free_lines(s);
	kb_free(s->hex);
	kb_free(s->psbt_b64);
	s->hex = s->psbt_b64 = NULL;
	s->result[0] = s->result2[0] = '\0';
	s->saving = SAVE_NONE;
	s->broadcast_ok = false;
}

static void send_free(void *p)
{
	struct send *s = p;
	reset_result(s);
	for (size_t i = 0; i < MAX_TO; i++) {
		tui_input_free(&s->addr[i]);
		tui_input_free(&s->amount[i]);
	}
	tui_input_free(&s->fee);
	tui_input_free(&s->path);
	kb_free(s);
}

static void send_recalc(void *p, struct tui_app *app)
{
	(void)p;
	(void)app; /* fee estimates come with app->ns */
}

static void split_lines(struct send *s, const char *text)
{
	free_lines(s);
	size_t cap = 8;
	s->lines = kb_calloc(cap, sizeof *s->lines);
	const char *t = text;
	while (*t) {
		const char *nl = strchr(t, '\n');
		size_t len = nl ? (size_t)(nl - t) : strlen(t);
		if (s->nlines == cap) {
			char **n = kb_calloc(cap * 2, sizeof *n);
			memcpy(n, s->lines, cap * sizeof *n);
			kb_free(s->lines);
			s->lines = n;
			cap *= 2;
		}
		char *l = kb_malloc(len + 1);
		memcpy(l, t, len);
		l[len] = '\0';
		s->lines[s->nlines++] = l;
		t += len + (nl ? 1 : 0);
	}
}

/* Builds the unsigned PSBT from the form; false with s->problem. */
static bool build(struct send *s, struct tui_app *app)
{
	struct wallet_recipient to[MAX_TO];
	struct wallet_spend_opts o;
	memset(&o, 0, sizeof o);
	memset(to, 0, sizeof to);
	char err[512];
	for (size_t i = 0; i < s->nto; i++) {
		int64_t uri_amount = -1;
		if (!s->addr[i].len) {
			snprintf(s->problem, sizeof s->problem, "recipient %zu: no address", i + 1);
			return false;
		}
		if (cli_parse_recipient(wallet_net(app->w), s->addr[i].buf, &to[i], &uri_amount, err, sizeof err) != KB_OK) {
			snprintf(s->problem, sizeof s->problem, "recipient %zu: %s", i + 1, err);
			return false;
		}
		const char *a = s->amount[i].buf;
		if (!strcmp(a, "max") || !strcmp(a, "everything")) {
			if (i + 1 != s->nto) {
				snprintf(s->problem, sizeof s->problem, "only the last recipient can get everything (max)");
				return false;
			}
			o.max = true;
		} else if (!a[0] && uri_amount >= 0) {
			to[i].amount = uri_amount;
		} else if (wallet_amount_parse(&to[i].amount, a, err, sizeof err) != KB_OK) {
			snprintf(s->problem, sizeof s->problem, "recipient %zu amount: %s", i + 1, a[0] ? err : "missing");
			return false;
		} else if (to[i].amount == 0) {
			snprintf(s->problem, sizeof s->problem, "recipient %zu: the amount is zero", i + 1);
			return false;
		}
	}
	if (!s->fee.len) {
		snprintf(s->problem, sizeof s->problem, "type a fee rate in sat/vB%s",
		         app->ns.normal.have ? " (or s, n, f for the estimates)" : ": koban has no estimate and never guesses one");
		return false;
	}
	if (cli_parse_fee_rate(s->fee.buf, &o.fee_rate, err, sizeof err) != KB_OK) {
		snprintf(s->problem, sizeof s->problem, "%s", err);
		return false;
	}
	o.to = to;
	o.nto = s->nto;
	o.from = app->nselected ? app->selected : NULL;
	o.nfrom = app->nselected;
	o.tip_height = app->tip;
	reset_result(s);
	if (wallet_psbt_create(app->w, &o, &s->psbt, err, sizeof err) != KB_OK) {
		snprintf(s->problem, sizeof s->problem, "%s", err);
		return false;
	}
	s->have_psbt = true;
	struct buf t = BUF_INIT;
	wallet_psbt_describe(app->w, &s->psbt, &t, NULL);
	split_lines(s, buf_cstr(&t));
	buf_clear(&t);
	s->problem[0] = '\0';
	return true;
}

void tui_send_review(struct tui_app *app, struct wallet_psbt *p, const char *title)
{
	struct send *s = app->screens[TUI_TAB_SEND];
	if (!s) {
		wallet_psbt_clear(p);
		return;
	}
	reset_result(s);
	s->psbt = *p;
	wallet_psbt_init(p);
	s->have_psbt = true;
	struct buf t = BUF_INIT;
	wallet_psbt_describe(app->w, &s->psbt, &t, NULL);
	split_lines(s, buf_cstr(&t));
	buf_clear(&t);
	snprintf(s->title, sizeof s->title, "%s", title);
	s->st = S_REVIEW;
	s->focus = -1;
	tui_app_tab(app, TUI_TAB_SEND);
}

static void broadcast_done(bool ok, const char *message, void *arg);

void tui_send_after_work(struct tui_app *app)
{
	struct send *s = app->screens[TUI_TAB_SEND];
	if (s && s->record_pending && s->hex) {
		s->record_pending = false;
		broadcast_done(true, "", s);
	}
}

/* ---- broadcasting: the one function the node wiring touches ---- */

static void broadcast_done(bool ok, const char *message, void *arg)
{
	struct send *s = arg;
	struct tui_app *app = s->app;
	s->broadcasting = false;
	s->broadcast_ok = ok;
	if (ok && app->busy) {
		/* The worker holds the wallet: record when it is done. */
		s->record_pending = true;
		snprintf(s->result, sizeof s->result, "Sent: %s", s->txid);
		s->result_role = TUI_R_GOOD;
	} else if (ok) {
		/* Record our own transaction at once: pending, inputs spent. */
		size_t len = strlen(s->hex) / 2;
		uint8_t *raw = kb_malloc(len ? len : 1);
		char err[256];
		bool relevant;
		if (wallet_hex_decode_exact(raw, len, s->hex))
			if (wallet_add_tx(app->w, raw, len, -1, NULL, 0, &relevant, err, sizeof err) != KB_OK)
				tui_app_message(app, TUI_R_BAD, "Sent, but not recorded: %s", err);
		kb_free(raw);
		snprintf(s->result, sizeof s->result, "Sent: %s", s->txid);
		s->result_role = TUI_R_GOOD;
	} else {
		snprintf(s->result, sizeof s->result, "Not broadcast: %s.", message);
		snprintf(s->result2, sizeof s->result2, "h saves the signed transaction (hex), p the PSBT, b tries again.");
		s->result_role = TUI_R_WARN;
	}
	tui_app_dirty(app, TUI_RECALC | TUI_REDRAW);
}

static void send_broadcast(struct send *s, struct tui_app *app)
{
	if (app->ns.offline) {
		snprintf(s->result, sizeof s->result, "Signed. The node is offline: the transaction cannot be broadcast.");
		snprintf(s->result2, sizeof s->result2, "h saves the signed transaction (hex), p the PSBT, c copies the hex.");
		s->result_role = TUI_R_WARN;
		return;
	}
	size_t len = strlen(s->hex) / 2;
	uint8_t *raw = kb_malloc(len ? len : 1);
	if (!wallet_hex_decode_exact(raw, len, s->hex)) {
		kb_free(raw);
		return;
	}
	s->broadcasting = true;
	snprintf(s->result, sizeof s->result, "Broadcasting %s...", s->txid);
	s->result_role = TUI_R_NORMAL;
	tui_nodeview_broadcast(app->node, raw, len, broadcast_done, s);
	kb_free(raw);
}

/* ---- signing on the worker ---- */

struct sign_job {
	struct wallet *w;
	struct wallet_psbt psbt;      /* moved in from the screen */
	char *password;               /* secret */
	enum kb_rc rc;
	char err[512];
	char *hex, *b64;
	char txid[65];
	size_t nsigned;
};

static void sign_run(void *ctx)
{
	struct sign_job *j = ctx;
	j->rc = wallet_psbt_sign(j->w, &j->psbt, j->password, &j->nsigned, j->err, sizeof j->err);
	if (j->rc != KB_OK)
		return;
	struct buf b = BUF_INIT;
	wallet_psbt_to_base64(&j->psbt, &b);
	j->b64 = kb_strdup(buf_cstr(&b));
	buf_clear(&b);
	j->rc = wallet_psbt_finalize(&j->psbt);
	if (j->rc != KB_OK) {
		snprintf(j->err, sizeof j->err, "the transaction is not fully signed (an input is not this wallet's)");
		return;
	}
	struct wallet_tx tx;
	j->rc = wallet_psbt_extract(&j->psbt, &tx, j->err, sizeof j->err);
	if (j->rc != KB_OK)
		return;
	struct buf raw = BUF_INIT;
	wallet_tx_serialize(&tx, &raw, true);
	j->hex = wallet_hex_new(raw.p, raw.len);
	struct hash256 id;
	wallet_tx_txid(&tx, &id);
	wallet_hex_encode_rev(j->txid, sizeof j->txid, id.b, 32);
	buf_clear(&raw);
	wallet_tx_clear(&tx);
}

static void sign_done(struct tui_app *app, void *ctx)
{
	struct sign_job *j = ctx;
	struct send *s = app->screens[TUI_TAB_SEND];
	kb_secret_free(j->password);
	if (j->rc != KB_OK) {
		tui_app_message(app, TUI_R_BAD, "Not signed: %s", j->err[0] ? j->err : kb_rc_str(j->rc));
		/* Back to the review with the unsigned PSBT. */
		s->psbt = j->psbt;
		s->have_psbt = true;
		kb_free(j->b64);
		kb_free(j->hex);
		kb_free(j);
		return;
	}
	/* The review now describes the signed transaction. */
	struct buf t = BUF_INIT;
	wallet_psbt_describe(app->w, &j->psbt, &t, NULL);
	split_lines(s, buf_cstr(&t));
	buf_clear(&t);
	wallet_psbt_clear(&j->psbt);
	s->hex = j->hex;
	s->psbt_b64 = j->b64;
	snprintf(s->txid, sizeof s->txid, "%s", j->txid);
	kb_free(j);
	s->st = S_RESULT;
	send_broadcast(s, app);
	app->nselected = 0;
}

static void got_password(struct tui_app *app, const char *pw, void *arg)
{
	struct send *s = arg;
	if (!pw || !s->have_psbt)
		return;
	struct sign_job *j = kb_calloc(1, sizeof *j);
	j->w = app->w;
	j->psbt = s->psbt;             /* moved: the screen no longer has it */
	s->have_psbt = false;
	size_t n = strlen(pw);
	j->password = kb_secret_alloc(n + 1);
	memcpy(j->password, pw, n + 1);
	if (!tui_app_work(app, "signing (Argon2id unlock)", sign_run, sign_done, j)) {
		s->psbt = j->psbt;
		s->have_psbt = true;
		kb_secret_free(j->password);
		kb_free(j);
	}
}

static void start_save(struct send *s, enum save what)
{
	char name[96];
	snprintf(name, sizeof name, "koban-%.16s.%s", s->txid[0] ? s->txid : "unsigned",
	         what == SAVE_HEX ? "txn" : "psbt");
	s->saving = what;
	tui_input_set(&s->path, name);
}

static void do_save(struct send *s, struct tui_app *app)
{
	const char *data = s->saving == SAVE_HEX ? s->hex : s->psbt_b64;
	char err[256];
	if (!data) {
		tui_app_message(app, TUI_R_BAD, "Nothing to save.");
	} else if (cli_write_file(s->path.buf, data, strlen(data), err, sizeof err) != KB_OK) {
		tui_app_message(app, TUI_R_BAD, "%s", err);
		return;
	} else {
		tui_app_message(app, TUI_R_GOOD, "Wrote %s.", s->path.buf);
	}
	s->saving = SAVE_NONE;
}

/* ---- keys ---- */

static struct tui_input *field(struct send *s, int f)
{
	if (f < 0)
		return NULL;
	if ((size_t)f == 2 * s->nto)
		return &s->fee;
	return f % 2 ? &s->amount[f / 2] : &s->addr[f / 2];
}

static unsigned form_key(struct send *s, struct tui_app *app, int key)
{
	int last = (int)(2 * s->nto);
	if (s->focus < 0) {
		if (TUI_ENTER(key) || key == 'e' || tui_key_down(key)) {
			s->focus = 0;
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (key == 'r') {
			if (build(s, app)) {
				s->st = S_REVIEW;
				s->focus = -1;
			}
			return TUI_HANDLED | TUI_REDRAW;
		}
		return TUI_IGNORED;
	}
	if (key == TUI_ESC) {
		s->focus = -1;
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == TUI_FN(KEY_UP)) {
		if (s->focus > 0)
			s->focus--;
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == TUI_FN(KEY_DOWN)) {
		if (s->focus < last)
			s->focus++;
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (TUI_ENTER(key)) {
		if (s->focus < last) {
			s->focus++;
		} else if (build(s, app)) {
			s->st = S_REVIEW;
			s->focus = -1;
		}
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == TUI_CTRL('o')) {
		if (s->nto < MAX_TO) {
			s->nto++;
			s->focus = (int)(2 * (s->nto - 1));
		}
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == TUI_CTRL('x') && s->nto > 1 && s->focus < last) {
		size_t i = (size_t)s->focus / 2;
		for (size_t k = i; k + 1 < s->nto; k++) {
			tui_input_set(&s->addr[k], s->addr[k + 1].buf);
			tui_input_set(&s->amount[k], s->amount[k + 1].buf);
		}
		s->nto--;
		tui_input_clear(&s->addr[s->nto]);
		tui_input_clear(&s->amount[s->nto]);
		s->focus = (int)(2 * (i < s->nto ? i : s->nto - 1));
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (s->focus == last && (key == 's' || key == 'n' || key == 'f')) {
		const struct tui_nodeview_fee *e = key == 's' ? &app->ns.slow : key == 'n' ? &app->ns.normal : &app->ns.fast;
		if (e->have) {
			char r[32];
			snprintf(r, sizeof r, "%lld.%03lld", (long long)(e->rate / 1000), (long long)(e->rate % 1000));
			tui_input_set(&s->fee, r);
		} else if (app->ns.offline) {
			tui_app_message(app, TUI_R_WARN, "No fee estimate (offline): type a rate in sat/vB.");
		} else {
			/* on demand: the fee source may have been down at the last try */
			tui_nodeview_request_fees(app->node);
			tui_app_message(app, TUI_R_WARN, "No fee estimate yet: asked the fee source again; "
			                "type a rate in sat/vB or press %c again.", key);
		}
		return TUI_HANDLED | TUI_REDRAW;
	}
	tui_input_key(field(s, s->focus), key);
	return TUI_HANDLED | TUI_REDRAW;
}

static unsigned send_key(void *p, struct tui_app *app, int key)
{
	struct send *s = p;
	switch (s->st) {
	case S_FORM:
		return form_key(s, app, key);
	case S_REVIEW:
		if (s->saving != SAVE_NONE) {
			if (key == TUI_ESC)
				s->saving = SAVE_NONE;
			else if (TUI_ENTER(key))
				do_save(s, app);
			else
				tui_input_key(&s->path, key);
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (key == TUI_ESC) {
			reset_result(s);
			s->title[0] = '\0';
			s->st = S_FORM;
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (tui_key_down(key)) {
			if (s->top + 1 < s->nlines)
				s->top++;
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (tui_key_up(key)) {
			if (s->top)
				s->top--;
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (key == 'y' || TUI_ENTER(key)) {
			if (!s->have_psbt)
				return TUI_HANDLED;
			if (wallet_watch_only(app->w)) {
				struct buf b = BUF_INIT;
				wallet_psbt_to_base64(&s->psbt, &b);
				kb_free(s->psbt_b64);
				s->psbt_b64 = kb_strdup(buf_cstr(&b));
				buf_clear(&b);
				start_save(s, SAVE_PSBT);
			} else {
				tui_app_ask_password(app, "Sign and send", "The wallet password signs this transaction:",
				                     got_password, s);
			}
			return TUI_HANDLED | TUI_REDRAW;
		}
		return TUI_IGNORED;
	case S_RESULT:
		if (s->saving != SAVE_NONE) {
			if (key == TUI_ESC)
				s->saving = SAVE_NONE;
			else if (TUI_ENTER(key))
				do_save(s, app);
			else
				tui_input_key(&s->path, key);
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (key == 'h' && s->hex) {
			start_save(s, SAVE_HEX);
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (key == 'p' && s->psbt_b64) {
			start_save(s, SAVE_PSBT);
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (key == 'c' && s->hex) {
			tui_app_message(app, TUI_R_GOOD, tui_term_osc52(s->hex) ? "Copied the transaction hex (OSC 52)." : "Too long to copy.");
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (key == 'b' && s->hex && !s->broadcasting && !s->broadcast_ok) {
			send_broadcast(s, app);
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (key == TUI_ESC || TUI_ENTER(key)) {
			if (s->broadcasting)
				return TUI_HANDLED;
			reset_result(s);
			s->title[0] = '\0';
			s->st = S_FORM;
			if (s->broadcast_ok) {
				for (size_t i = 0; i < s->nto; i++) {
					tui_input_clear(&s->addr[i]);
					tui_input_clear(&s->amount[i]);
				}
				s->nto = 1;
			}
			return TUI_HANDLED | TUI_RECALC | TUI_REDRAW;
		}
		return TUI_IGNORED;
	}
	return TUI_IGNORED;
}

/* ---- drawing ---- */

static void fee_hint(struct tui_app *app, char *out, size_t cap)
{
	const struct tui_nodeview_status *ns = &app->ns;
	if (!ns->slow.have && !ns->normal.have && !ns->fast.have) {
		snprintf(out, cap, "no estimate%s: type a rate", ns->offline ? " (offline)" : "");
		return;
	}
	const struct tui_nodeview_fee *e[3] = { &ns->slow, &ns->normal, &ns->fast };
	const char *k[3] = { "s slow", "n normal", "f fast" };
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; i < 3; i++) {
		char r[32] = "no estimate";
		if (e[i]->have)
			tui_fmt_feerate(r, sizeof r, e[i]->rate);
		int n = e[i]->have ? snprintf(out + len, cap - len, "%s %s ~%d blocks  ", k[i], r, e[i]->blocks)
		                   : snprintf(out + len, cap - len, "%s: %s  ", k[i], r);
		if (n < 0 || (size_t)n >= cap - len)
			break;
		len += (size_t)n;
	}
}

static void save_line(struct send *s, WINDOW *w, int y, int wd)
{
	tui_textf(w, y, 1, 14, TUI_R_KEY, "Save %s to:", s->saving == SAVE_HEX ? "hex" : "PSBT");
	tui_input_draw(w, y, 16, wd - 18, &s->path, true);
}

static void send_draw(void *p, struct tui_app *app, WINDOW *w, int h, int wd)
{
	struct send *s = p;
	if (s->st == S_REVIEW || s->st == S_RESULT) {
		int y = 0;
		const struct kb_netparams *np = kb_net_params(app->opt.net);
		if (s->st == S_REVIEW)
			tui_textf(w, y++, 1, wd - 2, app->opt.net == KB_NET_MAIN ? TUI_R_MAINNET : TUI_R_KEY,
			          "Review%s%s: %s", s->title[0] ? " - " : "", s->title,
			          app->opt.net == KB_NET_MAIN ? "MAINNET, real money" : np->display);
		else {
			tui_text(w, y++, 1, wd - 2, s->result_role, s->result);
			if (s->result2[0])
				tui_text(w, y++, 1, wd - 2, TUI_R_KEY, s->result2);
		}
		for (size_t i = s->top; i < s->nlines && y < h - 2; i++)
			tui_text(w, y++, 1, wd - 2, strstr(s->lines[i], "[change]") ? TUI_R_DIM : TUI_R_NORMAL, s->lines[i]);
		if (s->saving != SAVE_NONE)
			save_line(s, w, h - 1, wd);
		else if (s->st == S_REVIEW)
			tui_text(w, h - 1, 1, wd - 2, TUI_R_WARN, wallet_watch_only(app->w)
			         ? "Enter: write the unsigned PSBT to a file (watch-only)   Esc: change"
			         : "Enter: sign with the password, then send   Esc: change");
		else if (s->st == S_RESULT && s->txid[0])
			tui_textf(w, h - 1, 1, wd - 2, TUI_R_NORMAL, "txid %s", s->txid);
		return;
	}
	int y = 0;
	tui_text(w, y++, 1, wd - 2, TUI_R_KEY, "Send");
	for (size_t i = 0; i < s->nto && y < h - 5; i++) {
		tui_textf(w, y, 1, 10, TUI_R_NORMAL, "Pay to %zu", i + 1);
		tui_input_draw(w, y++, 12, wd - 14, &s->addr[i], s->focus == (int)(2 * i));
		tui_text(w, y, 1, 10, TUI_R_NORMAL, "  Amount");
		tui_input_draw(w, y, 12, 20, &s->amount[i], s->focus == (int)(2 * i + 1));
		tui_text(w, y++, 34, wd - 36, TUI_R_DIM, "BTC, 1000sat, or max");
	}
	tui_text(w, y, 1, 10, TUI_R_NORMAL, "Fee rate");
	tui_input_draw(w, y, 12, 10, &s->fee, s->focus == (int)(2 * s->nto));
	tui_text(w, y++, 23, 6, TUI_R_NORMAL, "sat/vB");
	char hint[256];
	fee_hint(app, hint, sizeof hint);
	tui_text(w, y++, 12, wd - 14, TUI_R_DIM, hint);
	if (app->nselected)
		tui_textf(w, y++, 1, wd - 2, TUI_R_NORMAL, "Coins: the %zu picked on the Coins screen", app->nselected);
	else
		tui_text(w, y++, 1, wd - 2, TUI_R_DIM, "Coins: chosen by the wallet (pick them on the Coins screen)");
	if (s->problem[0])
		tui_text(w, y++, 1, wd - 2, TUI_R_BAD, s->problem);
	tui_text(w, h - 1, 1, wd - 2, TUI_R_DIM, s->focus < 0
	         ? "Enter edit  r review"
	         : "Up/Down field  Enter next/review  Ctrl-O add recipient  Ctrl-X remove  Esc done");
}

const struct tui_screen_ops tui_scr_send = {
	.name = "Send",
	.keys = "Enter edit/sign  r review  h/p save hex/PSBT  Esc back",
	.init = send_init,
	.free = send_free,
	.key = send_key,
	.recalc = send_recalc,
	.draw = send_draw,
};
