/*
 * The Settings screen: fee source, confirmation target, gap limit, proxy,
 * Bloom false-positive rate (stored as wallet settings, wallet/store.h);
 * change the password; show the mnemonic; export descriptors (the private
 * ones with the password). Password work runs on the worker; what it
 * shows of secrets is wiped on Esc or by the idle lock.
 */
#include "tui/app.h"

#include "wallet/mem.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum item { I_FEEURL, I_TARGET, I_GAP, I_PROXY, I_FPRATE, I_PASSWD, I_MNEMONIC, I_DESC, I_PRIVDESC, I_N };

static const char *const item_name[I_N] = {
	"Fee estimate source (Esplora URL)", "Confirmation target (blocks)", "Gap limit",
	"Proxy (SOCKS5 HOST:PORT)", "Bloom false-positive rate", "Change the password",
	"Show the mnemonic", "Export descriptors (public)", "Export descriptors (private)",
};
static const char *const item_key[I_FPRATE + 1] = {
	WALLET_SETTING_FEE_URL, WALLET_SETTING_CONFIRM_TARGET, WALLET_SETTING_GAP_LIMIT, "proxy",
	WALLET_SETTING_BLOOM_FP_RATE,
};

struct settings {
	struct tui_list list;
	char value[I_FPRATE + 1][256];
	bool editing;
	struct tui_input in;
	/* a page of text: descriptors, or the mnemonic (secret memory) */
	char *page;
	size_t page_cap;
	bool page_secret;
	char page_title[80];
	unsigned lock_gen;
	char *old_pw, *new_pw;  /* secret, during a password change */
};

static void page_clear(struct settings *s)
{
	if (s->page) {
		if (s->page_secret)
			kb_secret_free(s->page);
		else
			kb_free(s->page);
	}
	s->page = NULL;
}

static void *set_init(struct tui_app *app)
{
	struct settings *s = kb_calloc(1, sizeof *s);
	s->list.n = I_N;
	tui_input_init(&s->in, 255, false);
	s->lock_gen = app->lock_gen;
	return s;
}

static void set_free(void *p)
{
	struct settings *s = p;
	page_clear(s);
	kb_secret_free(s->old_pw);
	kb_secret_free(s->new_pw);
	tui_input_free(&s->in);
	kb_free(s);
}

static void set_recalc(void *p, struct tui_app *app)
{
	struct settings *s = p;
	if (s->lock_gen != app->lock_gen) {
		s->lock_gen = app->lock_gen;
		if (s->page_secret)
			page_clear(s);
	}
	for (int i = 0; i <= I_FPRATE; i++) {
		char *v = NULL;
		if (wallet_store_setting_get(wallet_store(app->w), item_key[i], &v) == KB_OK && v) {
			snprintf(s->value[i], sizeof s->value[i], "%s", v);
			kb_free(v);
		} else {
			s->value[i][0] = '\0';
		}
	}
}

static bool validate(int item, const char *v, char *err, size_t errlen)
{
	if (item == I_TARGET || item == I_GAP) {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		long max = item == I_TARGET ? 1008 : 1000;
		if (!v[0] || *end || errno || n < 1 || n > max) {
			snprintf(err, errlen, "%s is a whole number from 1 to %ld", item_name[item], max);
			return false;
		}
	} else if (item == I_FPRATE) {
		char *end;
		errno = 0;
		double d = strtod(v, &end);
		if (!v[0] || *end || errno || !(d > 0.0) || d > 0.1) {
			snprintf(err, errlen, "the false-positive rate is a number above 0 and at most 0.1 (0.0005 say)");
			return false;
		}
	} else if (item == I_FEEURL) {
		if (v[0] && strncmp(v, "https://", 8) && strncmp(v, "http://", 7)) {
			snprintf(err, errlen, "the fee source is an http:// or https:// URL (or empty for none)");
			return false;
		}
	} else if (item == I_PROXY) {
		const char *colon = strrchr(v, ':');
		if (v[0] && (!colon || colon == v || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1))) {
			snprintf(err, errlen, "the proxy is HOST:PORT (or empty for none)");
			return false;
		}
	}
	return true;
}

/* ---- password jobs ---- */

struct pw_job {
	struct wallet *w;
	int kind;               /* I_PASSWD, I_MNEMONIC, I_PRIVDESC */
	char *old_pw, *new_pw;  /* secret */
	struct wallet_kdf_params kdf;
	char *out;              /* secret: the mnemonic or private descriptors */
	size_t out_cap;
	bool has_passphrase;
	enum kb_rc rc;
	char err[512];
};

static void pw_run(void *ctx)
{
	struct pw_job *j = ctx;
	if (j->kind == I_PASSWD) {
		j->rc = wallet_change_password(j->w, j->old_pw, j->new_pw, &j->kdf, j->err, sizeof j->err);
	} else if (j->kind == I_MNEMONIC) {
		j->out_cap = WALLET_BIP39_MNEMONIC_MAX;
		j->out = kb_secret_alloc(j->out_cap);
		j->rc = wallet_show_mnemonic(j->w, j->old_pw, j->out, j->out_cap, &j->has_passphrase, j->err, sizeof j->err);
	} else {
		struct buf b = BUF_INIT;
		j->rc = wallet_export_descriptors(j->w, j->old_pw, &b, j->err, sizeof j->err);
		j->out_cap = b.len + 1;
		j->out = kb_secret_alloc(j->out_cap);
		memcpy(j->out, b.p ? (const char *)b.p : "", b.len);
		j->out[b.len] = '\0';
		buf_clear_wipe(&b);
	}
}

static void pw_done(struct tui_app *app, void *ctx)
{
	struct pw_job *j = ctx;
	struct settings *s = app->screens[TUI_TAB_SETTINGS];
	kb_secret_free(j->old_pw);
	kb_secret_free(j->new_pw);
	if (j->rc != KB_OK) {
		tui_app_message(app, TUI_R_BAD, "%s", j->err[0] ? j->err : kb_rc_str(j->rc));
		kb_secret_free(j->out);
	} else if (j->kind == I_PASSWD) {
		tui_app_message(app, TUI_R_GOOD, "The password is changed.");
	} else if (s) {
		page_clear(s);
		s->page = j->out;
		s->page_secret = true;
		j->out = NULL;
		snprintf(s->page_title, sizeof s->page_title, "%s%s", j->kind == I_MNEMONIC ? "Mnemonic" : "Private descriptors",
		         j->kind == I_MNEMONIC && j->has_passphrase ? " (with a BIP39 passphrase, not shown)" : "");
	} else {
		kb_secret_free(j->out);
	}
	kb_free(j);
}

static char *secret_dup(const char *p)
{
	size_t n = strlen(p);
	char *c = kb_secret_alloc(n + 1);
	memcpy(c, p, n + 1);
	return c;
}

static void start_pw_job(struct tui_app *app, int kind, char *old_pw, char *new_pw)
{
	struct pw_job *j = kb_calloc(1, sizeof *j);
	j->w = app->w;
	j->kind = kind;
	j->old_pw = old_pw;
	j->new_pw = new_pw;
	tui_app_kdf(app, &j->kdf);
	if (!tui_app_work(app, kind == I_PASSWD ? "re-sealing the keys (Argon2id)" : "unlocking (Argon2id)",
	                  pw_run, pw_done, j)) {
		kb_secret_free(old_pw);
		kb_secret_free(new_pw);
		kb_free(j);
	}
}

static void got_password_for_show(struct tui_app *app, const char *pw, void *arg)
{
	if (pw)
		start_pw_job(app, (int)(intptr_t)arg, secret_dup(pw), NULL);
}

static void got_new_again(struct tui_app *app, const char *pw, void *arg)
{
	struct settings *s = arg;
	if (!pw || !s->new_pw || strcmp(pw, s->new_pw) != 0) {
		if (pw)
			tui_app_message(app, TUI_R_BAD, "The passwords do not match: nothing changed.");
		kb_secret_free(s->old_pw);
		kb_secret_free(s->new_pw);
		s->old_pw = s->new_pw = NULL;
		return;
	}
	start_pw_job(app, I_PASSWD, s->old_pw, s->new_pw);
	s->old_pw = s->new_pw = NULL;
}

static void got_new(struct tui_app *app, const char *pw, void *arg)
{
	struct settings *s = arg;
	if (!pw || !pw[0]) {
		if (pw)
			tui_app_message(app, TUI_R_BAD, "The new password is empty: nothing changed.");
		kb_secret_free(s->old_pw);
		s->old_pw = NULL;
		return;
	}
	s->new_pw = secret_dup(pw);
	tui_app_ask_password(app, "Change the password", "Type the new password again:", got_new_again, s);
}

static void got_old(struct tui_app *app, const char *pw, void *arg)
{
	struct settings *s = arg;
	if (!pw)
		return;
	kb_secret_free(s->old_pw);
	s->old_pw = secret_dup(pw);
	tui_app_ask_password(app, "Change the password", "The new password:", got_new, s);
}

static unsigned set_key(void *p, struct tui_app *app, int key)
{
	struct settings *s = p;
	if (s->page) {
		if (key == TUI_ESC || TUI_ENTER(key) || key == 'q') {
			page_clear(s);
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (key == 'c' && !s->page_secret) {
			tui_app_message(app, TUI_R_GOOD, tui_term_osc52(s->page) ? "Copied (OSC 52)." : "Cannot copy.");
			return TUI_HANDLED | TUI_REDRAW;
		}
		return TUI_HANDLED;
	}
	if (s->editing) {
		if (key == TUI_ESC) {
			s->editing = false;
		} else if (TUI_ENTER(key)) {
			char err[256];
			int it = (int)s->list.sel;
			if (!validate(it, s->in.buf, err, sizeof err)) {
				tui_app_message(app, TUI_R_BAD, "%s", err);
				return TUI_HANDLED | TUI_REDRAW;
			}
			if (wallet_store_setting_set(wallet_store(app->w), item_key[it], s->in.buf) != KB_OK) {
				tui_app_message(app, TUI_R_BAD, "Could not save the setting.");
			} else {
				size_t added = 0;
				if (it == I_GAP && wallet_top_up(app->w, &added) != KB_OK)
					tui_app_message(app, TUI_R_BAD, "Saved, but the addresses could not be topped up.");
				else
					tui_app_message(app, TUI_R_GOOD, "Saved: %s.", item_name[it]);
			}
			s->editing = false;
			return TUI_HANDLED | TUI_RECALC | TUI_REDRAW;
		} else {
			tui_input_key(&s->in, key);
		}
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (tui_list_key(&s->list, key, I_N))
		return TUI_HANDLED | TUI_REDRAW;
	if (!TUI_ENTER(key))
		return TUI_IGNORED;
	int it = (int)s->list.sel;
	bool watch = wallet_watch_only(app->w);
	if (it <= I_FPRATE) {
		s->editing = true;
		tui_input_set(&s->in, s->value[it]);
	} else if (it == I_DESC) {
		struct buf b = BUF_INIT;
		char err[256];
		if (wallet_export_descriptors(app->w, NULL, &b, err, sizeof err) != KB_OK) {
			tui_app_message(app, TUI_R_BAD, "%s", err);
		} else {
			page_clear(s);
			s->page = kb_strdup(buf_cstr(&b));
			s->page_secret = false;
			snprintf(s->page_title, sizeof s->page_title, "Public descriptors (c copies them)");
		}
		buf_clear(&b);
	} else if (watch) {
		tui_app_message(app, TUI_R_WARN, "This is a watch-only wallet: it holds no keys or mnemonic.");
	} else if (it == I_PASSWD) {
		tui_app_ask_password(app, "Change the password", "The current password:", got_old, s);
	} else {
		tui_app_ask_password(app, item_name[it], "The wallet password:", got_password_for_show,
		                     (void *)(intptr_t)it);
	}
	return TUI_HANDLED | TUI_REDRAW;
}

static void set_draw(void *p, struct tui_app *app, WINDOW *w, int h, int wd)
{
	struct settings *s = p;
	if (s->page) {
		tui_text(w, 0, 1, wd - 2, TUI_R_KEY, s->page_title);
		if (s->page_secret)
			tui_text(w, 1, 1, wd - 2, TUI_R_WARN, "Secret: anyone who sees this can take the coins. Esc hides it.");
		/* Wrapped by words and columns: Japanese words are double width. */
		int y = 3;
		const char *t = s->page;
		while (*t && y < h) {
			size_t next, n = tui_fmt_wrap(t, (size_t)(wd - 2), &next);
			mvwaddnstr(w, y++, 1, t, (int)n);
			t += next;
		}
		return;
	}
	for (int i = 0; i < I_N && 1 + i < h; i++) {
		bool sel = (size_t)i == s->list.sel;
		int y = 1 + i + (i > I_FPRATE ? 1 : 0);
		tui_textf(w, y, 2, 36, sel ? TUI_R_SELECTED : TUI_R_NORMAL, "%-34s", item_name[i]);
		if (i <= I_FPRATE) {
			if (sel && s->editing)
				tui_input_draw(w, y, 38, wd - 40, &s->in, true);
			else
				tui_text(w, y, 38, wd - 40, TUI_R_NORMAL, s->value[i][0] ? s->value[i] : "(none)");
		}
	}
	tui_text(w, h - 1, 2, wd - 4, TUI_R_DIM, "The node reads these when it starts (fee source, proxy, filter rate).");
}

const struct tui_screen_ops tui_scr_settings = {
	.name = "Settings",
	.keys = "Enter edit/open  Esc cancel",
	.init = set_init,
	.free = set_free,
	.key = set_key,
	.recalc = set_recalc,
	.draw = set_draw,
};
