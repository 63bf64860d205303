/*
 * The History screen: a table (date, label, amount, confirmations n/6,
 * state), newest first; Enter opens the details of a transaction: txid,
 * inputs and outputs with ours marked, fee and fee rate, block.
 */
#include "tui/app.h"

#include "wallet/address.h"
#include "wallet/hex.h"
#include "tui/cmd-util.h"
#include "wallet/mem.h"
#include "wallet/wallet_sync.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DETAIL_LINES 200

struct hist {
	struct wallet_history_entry *h;  /* newest first */
	size_t n;
	int64_t target;
	struct tui_list list;
	int rows;                        /* rows of the list last drawn */
	bool detail;
	struct hash256 detail_txid;
	char *lines[DETAIL_LINES];       /* the details view model */
	enum tui_role roles[DETAIL_LINES];
	size_t nlines;
	size_t dtop;
	bool labelling;
	bool bumping;                    /* the input asks for the new fee rate */
	struct tui_input in;
};

static void *hist_init(struct tui_app *app)
{
	(void)app;
	struct hist *s = kb_calloc(1, sizeof *s);
	tui_input_init(&s->in, 255, false);
	return s;
}

static void clear_lines(struct hist *s)
{
	for (size_t i = 0; i < s->nlines; i++)
		kb_free(s->lines[i]);
	s->nlines = 0;
}

static void hist_free(void *p)
{
	struct hist *s = p;
	clear_lines(s);
	kb_free(s->h);
	tui_input_free(&s->in);
	kb_free(s);
}

static void add_line(struct hist *s, enum tui_role r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_line(struct hist *s, enum tui_role r, const char *fmt, ...)
{
	if (s->nlines == DETAIL_LINES)
		return;
	char b[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	s->roles[s->nlines] = r;
	s->lines[s->nlines++] = kb_strdup(b);
}

static void build_detail(struct hist *s, struct tui_app *app)
{
	clear_lines(s);
	struct wallet_store *st = wallet_store(app->w);
	struct wallet_store_tx t;
	char id[65], a[64], bh[65];
	wallet_hex_encode_rev(id, sizeof id, s->detail_txid.b, 32);
	if (wallet_store_tx_get(st, &t, &s->detail_txid) != KB_OK) {
		add_line(s, TUI_R_BAD, "Transaction %s is no longer in the wallet.", id);
		return;
	}
	const struct wallet_history_entry *e = NULL;
	for (size_t i = 0; i < s->n; i++)
		if (!memcmp(s->h[i].txid.b, s->detail_txid.b, 32))
			e = &s->h[i];
	add_line(s, TUI_R_KEY, "Transaction");
	add_line(s, TUI_R_NORMAL, "  txid   %s", id);
	if (e) {
		char c[32];
		tui_fmt_confs(c, sizeof c, e->state, e->confirmations, s->target);
		tui_app_amount(app, a, sizeof a, e->delta, true);
		add_line(s, TUI_R_NORMAL, "  state  %s, %s confirmations", tui_fmt_state(e->state, e->confirmations, s->target), c);
		add_line(s, TUI_R_NORMAL, "  effect %s", a);
	}
	if (t.height >= 0) {
		wallet_hex_encode_rev(bh, sizeof bh, t.block_hash.b, 32);
		add_line(s, TUI_R_NORMAL, "  block  %" PRId64 "  %s", t.height, bh);
	} else {
		add_line(s, TUI_R_WARN, "  block  not in a block yet");
	}
	if (t.label && t.label[0])
		add_line(s, TUI_R_NORMAL, "  label  %s", t.label);
	struct wallet_tx tx;
	if (wallet_tx_parse(&tx, t.raw, t.raw_len) != KB_OK) {
		add_line(s, TUI_R_BAD, "  (the stored transaction does not parse)");
		wallet_store_tx_clear(&t);
		return;
	}
	size_t vsize = wallet_tx_vsize(&tx);
	int64_t fee = t.fee;
	if (fee >= 0) {
		char r[32];
		tui_fmt_feerate(r, sizeof r, vsize ? fee * 1000 / (int64_t)vsize : -1);
		tui_app_amount(app, a, sizeof a, fee, false);
		add_line(s, TUI_R_NORMAL, "  fee    %s (%s, %zu vB)", a, r, vsize);
	} else {
		add_line(s, TUI_R_NORMAL, "  fee    unknown (inputs not ours), %zu vB", vsize);
	}
	add_line(s, TUI_R_KEY, "Inputs (%zu)", tx.in_count);
	for (size_t i = 0; i < tx.in_count; i++) {
		char pid[65];
		wallet_hex_encode_rev(pid, sizeof pid, tx.in[i].prevout.txid.b, 32);
		struct wallet_store_output o;
		if (wallet_store_output_get(st, &o, &tx.in[i].prevout.txid, tx.in[i].prevout.n) == KB_OK) {
			tui_app_amount(app, a, sizeof a, o.value, false);
			add_line(s, TUI_R_GOOD, "  * %s:%u  %s  ours", pid, tx.in[i].prevout.n, a);
			wallet_store_output_clear(&o);
		} else {
			add_line(s, TUI_R_NORMAL, "    %s:%u", pid, tx.in[i].prevout.n);
		}
	}
	add_line(s, TUI_R_KEY, "Outputs (%zu)", tx.out_count);
	for (size_t i = 0; i < tx.out_count; i++) {
		char addr[128];
		if (wallet_address_encode(addr, sizeof addr, wallet_net(app->w), tx.out[i].script_pubkey.p,
		                          tx.out[i].script_pubkey.len) != KB_OK)
			snprintf(addr, sizeof addr, "(script without an address)");
		tui_app_amount(app, a, sizeof a, tx.out[i].value, false);
		struct wallet_store_output o;
		if (wallet_store_output_get(st, &o, &s->detail_txid, (uint32_t)i) == KB_OK) {
			add_line(s, TUI_R_GOOD, "  * %zu %s  %s  ours%s", i, addr, a, o.is_change ? " (change)" : "");
			wallet_store_output_clear(&o);
		} else {
			add_line(s, TUI_R_NORMAL, "    %zu %s  %s", i, addr, a);
		}
	}
	add_line(s, TUI_R_DIM, "* marks the wallet's own inputs and outputs.");
	wallet_tx_clear(&tx);
	wallet_store_tx_clear(&t);
}

static void hist_recalc(void *p, struct tui_app *app)
{
	struct hist *s = p;
	struct wallet_history_entry *h = NULL;
	size_t n = 0;
	s->target = wallet_confirm_target(app->w);
	if (wallet_history(app->w, app->tip, &h, &n) != KB_OK) {
		h = NULL;
		n = 0;
	}
	for (size_t i = 0; i < n / 2; i++) {
		struct wallet_history_entry t = h[i];
		h[i] = h[n - 1 - i];
		h[n - 1 - i] = t;
	}
	kb_free(s->h);
	s->h = h;
	s->n = n;
	tui_list_set(&s->list, n, (size_t)(s->rows > 0 ? s->rows : 1));
	if (s->detail)
		build_detail(s, app);
}

static unsigned hist_key(void *p, struct tui_app *app, int key)
{
	struct hist *s = p;
	if (s->detail) {
		if (key == TUI_ESC || key == TUI_FN(KEY_LEFT) || key == 'h') {
			s->detail = false;
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (tui_key_down(key)) {
			if (s->dtop + 1 < s->nlines)
				s->dtop++;
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (tui_key_up(key)) {
			if (s->dtop)
				s->dtop--;
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (key == 'c') {
			char id[65];
			wallet_hex_encode_rev(id, sizeof id, s->detail_txid.b, 32);
			tui_app_message(app, TUI_R_GOOD, tui_term_osc52(id) ? "Copied the txid (OSC 52)." : "Cannot copy.");
			return TUI_HANDLED | TUI_REDRAW;
		}
		return TUI_IGNORED;
	}
	if (s->bumping) {
		if (key == TUI_ESC) {
			s->bumping = false;
		} else if (TUI_ENTER(key)) {
			char err[512];
			int64_t rate;
			if (cli_parse_fee_rate(s->in.buf, &rate, err, sizeof err) != KB_OK) {
				tui_app_message(app, TUI_R_BAD, "%s", err);
				return TUI_HANDLED | TUI_REDRAW;
			}
			struct wallet_psbt bp;
			wallet_psbt_init(&bp);
			if (wallet_sync_bump(app->w, &s->h[s->list.sel].txid, rate, app->tip, &bp, err, sizeof err) != KB_OK) {
				tui_app_message(app, TUI_R_BAD, "Cannot bump: %s", err);
				wallet_psbt_clear(&bp);
				s->bumping = false;
				return TUI_HANDLED | TUI_REDRAW;
			}
			s->bumping = false;
			tui_send_review(app, &bp, "fee bump (replaces the pending transaction)");
			return TUI_HANDLED | TUI_RECALC | TUI_REDRAW;
		} else {
			tui_input_key(&s->in, key);
		}
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (s->labelling) {
		if (key == TUI_ESC) {
			s->labelling = false;
		} else if (TUI_ENTER(key)) {
			char id[65], err[256];
			wallet_hex_encode_rev(id, sizeof id, s->h[s->list.sel].txid.b, 32);
			if (wallet_label(app->w, id, s->in.buf, err, sizeof err) != KB_OK)
				tui_app_message(app, TUI_R_BAD, "%s", err);
			s->labelling = false;
			return TUI_HANDLED | TUI_RECALC | TUI_REDRAW;
		} else {
			tui_input_key(&s->in, key);
		}
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (tui_list_key(&s->list, key, (size_t)(s->rows > 0 ? s->rows : 1)))
		return TUI_HANDLED | TUI_REDRAW;
	if (s->n && key == 'b') {
		const struct wallet_history_entry *e = &s->h[s->list.sel];
		if (e->state != WALLET_TX_PENDING || e->delta >= 0) {
			tui_app_message(app, TUI_R_WARN, "Only an own pending payment can have its fee bumped.");
			return TUI_HANDLED | TUI_REDRAW;
		}
		s->bumping = true;
		tui_input_clear(&s->in);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (s->n && key == 'l') {
		s->labelling = true;
		tui_input_set(&s->in, s->h[s->list.sel].label);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (s->n && TUI_ENTER(key)) {
		s->detail = true;
		s->dtop = 0;
		s->detail_txid = s->h[s->list.sel].txid;
		build_detail(s, app);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (s->n && key == 'c') {
		char id[65];
		wallet_hex_encode_rev(id, sizeof id, s->h[s->list.sel].txid.b, 32);
		tui_app_message(app, TUI_R_GOOD, tui_term_osc52(id) ? "Copied the txid (OSC 52)." : "Cannot copy.");
		return TUI_HANDLED | TUI_REDRAW;
	}
	return TUI_IGNORED;
}

enum { C_DATE, C_AMOUNT, C_CONFS, C_STATE, C_LABEL, C_N };

static void hist_draw(void *p, struct tui_app *app, WINDOW *w, int h, int wd)
{
	struct hist *s = p;
	if (s->detail) {
		for (size_t i = s->dtop; i < s->nlines && (int)(i - s->dtop) < h - 1; i++)
			tui_text(w, 1 + (int)(i - s->dtop), 1, wd - 2, s->roles[i], s->lines[i]);
		return;
	}
	static const struct tui_col cols[C_N] = {
		[C_DATE] = { 16, 0, 2 }, [C_AMOUNT] = { 20, 0, 0 }, [C_CONFS] = { 5, 0, 0 },
		[C_STATE] = { 10, 0, 3 }, [C_LABEL] = { 5, 1, 1 },
	};
	static const char *titles[C_N] = { "Date (UTC)", "Amount", "Conf", "State", "Label" };
	int x[C_N], cw[C_N];
	tui_layout_columns(cols, C_N, wd - 2, x, cw);
	for (int c = 0; c < C_N; c++)
		if (cw[c])
			tui_textf(w, 0, 1 + x[c], cw[c], TUI_R_KEY, "%*s", c == C_AMOUNT || c == C_CONFS ? cw[c] : -cw[c],
			          titles[c]);
	s->rows = h - 2;
	tui_list_set(&s->list, s->n, (size_t)s->rows);
	if (s->labelling) {
		tui_text(w, h - 1, 1, 7, TUI_R_KEY, "Label:");
		tui_input_draw(w, h - 1, 8, wd - 10, &s->in, true);
	} else if (s->bumping) {
		tui_text(w, h - 1, 1, 26, TUI_R_KEY, "New fee rate (sat/vB):");
		tui_input_draw(w, h - 1, 24, 12, &s->in, true);
	}
	if (s->n == 0) {
		tui_text(w, 2, 2, wd - 4, TUI_R_DIM, "No transactions yet.");
		return;
	}
	for (size_t i = s->list.top; i < s->n && (int)(i - s->list.top) < s->rows; i++) {
		const struct wallet_history_entry *e = &s->h[i];
		int y = 1 + (int)(i - s->list.top);
		bool sel = i == s->list.sel;
		enum tui_role r = e->state == WALLET_TX_CONFLICTED || e->state == WALLET_TX_REPLACED ? TUI_R_BAD
		                : e->state == WALLET_TX_CONFIRMED && e->confirmations >= s->target ? TUI_R_GOOD : TUI_R_WARN;
		if (sel) {
			wattron(w, tui_term_attr(TUI_R_SELECTED));
			mvwhline(w, y, 0, ' ', wd);
			wattroff(w, tui_term_attr(TUI_R_SELECTED));
			r = TUI_R_SELECTED;
		}
		char d[32], a[64], c[32];
		tui_fmt_date(d, sizeof d, e->time);
		tui_app_amount(app, a, sizeof a, e->delta, true);
		tui_fmt_confs(c, sizeof c, e->state, e->confirmations, s->target);
		if (cw[C_DATE])
			tui_text(w, y, 1 + x[C_DATE], cw[C_DATE], r, d);
		tui_textf(w, y, 1 + x[C_AMOUNT], cw[C_AMOUNT], r, "%*s", cw[C_AMOUNT], a);
		tui_textf(w, y, 1 + x[C_CONFS], cw[C_CONFS], r, "%*s", cw[C_CONFS], c);
		if (cw[C_STATE])
			tui_text(w, y, 1 + x[C_STATE], cw[C_STATE], r, tui_fmt_state(e->state, e->confirmations, s->target));
		if (cw[C_LABEL])
			tui_text(w, y, 1 + x[C_LABEL], cw[C_LABEL], r, e->label);
	}
}

const struct tui_screen_ops tui_scr_history = {
	.name = "History",
	.keys = "Enter details  b bump fee  l label  c copy txid  Esc back",
	.init = hist_init,
	.free = hist_free,
	.key = hist_key,
	.recalc = hist_recalc,
	.draw = hist_draw,
};
