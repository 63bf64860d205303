/*
 * The first-run wizard: create (show the mnemonic once, confirm three
 * random words), restore (word by word with completion and the checksum
 * checked as you go, optional passphrase, birthday) or watch-only
 * (descriptors or an xpub); then a password. English and Japanese.
 *
 * Secrets (the mnemonic, word indices, passphrase, password) live in
 * sodium_malloc memory and are wiped when the wizard leaves a step that no
 * longer needs them. The Argon2id seal runs on the worker (tui_app_work).
 */
#include "tui/app.h"

#include "tui/cmd-util.h"
#include "wallet/mem.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum step {
	ST_CHOOSE, ST_SHOW, ST_CONFIRM, ST_WORDS, ST_PASSPHRASE, ST_WATCH, ST_BIRTHDAY,
	ST_PASSWORD, ST_PASSWORD2, ST_DONE,
};
enum mode { M_CREATE, M_RESTORE, M_WATCH };

#define MAX_WORDS 24

struct secrets {
	char mnemonic[WALLET_BIP39_MNEMONIC_MAX]; /* create: generated; restore: assembled */
	int words[MAX_WORDS];                     /* restore: indices typed so far */
	char password[1025];
};

struct wiz {
	enum step step;
	enum mode mode;
	struct tui_list menu;
	enum wallet_bip39_lang lang;
	unsigned nwords;          /* create: 12 or 24 */
	struct secrets *sec;
	size_t nw;                /* restore: words so far */
	size_t confirm_pos[3];    /* create: 0-based positions to confirm */
	size_t confirm_i;
	struct tui_input in;      /* plain input (words, birthday, descriptor) */
	struct tui_input secret;  /* passphrase / password */
	char *passphrase;         /* secret, or NULL */
	char *watch;              /* the descriptor text (public) */
	int64_t bday_height, bday_time;
	char problem[200];        /* the current step's complaint, shown in red */
	bool checksum_ok;
	unsigned lock_gen;
};

static void wipe_all(struct wiz *z)
{
	kb_wipe(z->sec, sizeof *z->sec);
	z->nw = 0;
	tui_input_clear(&z->in);
	tui_input_clear(&z->secret);
	kb_secret_free(z->passphrase);
	z->passphrase = NULL;
	kb_free(z->watch);
	z->watch = NULL;
	z->problem[0] = '\0';
}

static void *wiz_init(struct tui_app *app)
{
	struct wiz *z = kb_calloc(1, sizeof *z);
	z->sec = kb_secret_alloc(sizeof *z->sec);
	kb_wipe(z->sec, sizeof *z->sec);
	z->lang = WALLET_BIP39_EN;
	z->nwords = 12;
	z->bday_height = z->bday_time = -1;
	z->menu.n = 3;
	tui_input_init(&z->in, 4096, false);
	tui_input_init(&z->secret, 1024, true);
	z->lock_gen = app->lock_gen;
	return z;
}

static void wiz_free(void *s)
{
	struct wiz *z = s;
	wipe_all(z);
	kb_secret_free(z->sec);
	tui_input_free(&z->in);
	tui_input_free(&z->secret);
	kb_free(z);
}

/* ---- the job: wallet_create / wallet_create_watch on the worker ---- */

struct create_job {
	bool watch;
	struct wallet_create_opts o;
	char *datadir, *name, *mnemonic, *passphrase, *password, *watch_text;
	struct wallet *w;
	enum kb_rc rc;
	char err[512];
};

static void create_run(void *ctx)
{
	struct create_job *j = ctx;
	if (j->watch) {
		j->rc = wallet_create_watch(&j->w, j->datadir, j->name, j->o.net, j->watch_text,
		                            j->o.birthday_height, j->o.birthday_time, j->err, sizeof j->err);
		return;
	}
	j->o.datadir = j->datadir;
	j->o.name = j->name;
	j->o.mnemonic = j->mnemonic;
	j->o.passphrase = j->passphrase;
	j->o.password = j->password;
	j->rc = wallet_create(&j->w, &j->o, NULL, 0, j->err, sizeof j->err);
}

static void create_done(struct tui_app *app, void *ctx)
{
	struct create_job *j = ctx;
	kb_secret_free(j->mnemonic);
	kb_secret_free(j->passphrase);
	kb_secret_free(j->password);
	kb_free(j->watch_text);
	kb_free(j->datadir);
	kb_free(j->name);
	struct wiz *z = app->wizard;
	if (j->rc != KB_OK) {
		tui_app_message(app, TUI_R_BAD, "Could not create the wallet: %s", j->err[0] ? j->err : kb_rc_str(j->rc));
		if (z) {
			wipe_all(z);
			z->step = ST_CHOOSE;
		}
		kb_free(j);
		return;
	}
	struct wallet *w = j->w;
	kb_free(j);
	if (z)
		wipe_all(z);
	tui_app_wallet_ready(app, w);
	tui_app_message(app, TUI_R_GOOD, "Wallet '%s' is ready. Its first address is on the Receive screen (4).",
	                app->opt.wallet);
}

static void start_create(struct wiz *z, struct tui_app *app)
{
	struct create_job *j = kb_calloc(1, sizeof *j);
	j->watch = z->mode == M_WATCH;
	j->o.net = app->opt.net;
	j->o.lang = z->lang;
	j->o.birthday_height = z->bday_height;
	j->o.birthday_time = z->bday_time;
	tui_app_kdf(app, &j->o.kdf);
	j->datadir = kb_strdup(app->datadir);
	j->name = kb_strdup(app->opt.wallet);
	if (j->watch) {
		j->watch_text = kb_strdup(z->watch ? z->watch : "");
	} else {
		size_t n = strlen(z->sec->mnemonic);
		j->mnemonic = kb_secret_alloc(n + 1);
		memcpy(j->mnemonic, z->sec->mnemonic, n + 1);
		n = strlen(z->sec->password);
		j->password = kb_secret_alloc(n + 1);
		memcpy(j->password, z->sec->password, n + 1);
		if (z->passphrase && z->passphrase[0]) {
			n = strlen(z->passphrase);
			j->passphrase = kb_secret_alloc(n + 1);
			memcpy(j->passphrase, z->passphrase, n + 1);
		}
	}
	/* The job has its own copies: the wizard forgets its secrets now. */
	wipe_all(z);
	z->step = ST_DONE;
	if (!tui_app_work(app, j->watch ? "creating the watch-only wallet" : "sealing the keys (Argon2id)",
	                  create_run, create_done, j)) {
		kb_secret_free(j->mnemonic);
		kb_secret_free(j->password);
		kb_secret_free(j->passphrase);
		kb_free(j->watch_text);
		kb_free(j->datadir);
		kb_free(j->name);
		kb_free(j);
		z->step = ST_CHOOSE;
		tui_app_message(app, TUI_R_BAD, "Could not start the work thread.");
	}
}

/* ---- restore helpers ---- */

static void assemble(struct wiz *z)
{
	char *m = z->sec->mnemonic;
	size_t len = 0;
	m[0] = '\0';
	const char *sep = z->lang == WALLET_BIP39_JA ? "\xe3\x80\x80" : " ";
	for (size_t i = 0; i < z->nw; i++) {
		const char *w = wallet_bip39_word(z->lang, (unsigned)z->sec->words[i]);
		int n = snprintf(m + len, sizeof z->sec->mnemonic - len, "%s%s", i ? sep : "", w);
		if (n < 0 || (size_t)n >= sizeof z->sec->mnemonic - len)
			break;
		len += (size_t)n;
	}
}

static void check_words(struct wiz *z)
{
	z->checksum_ok = false;
	if (!wallet_bip39_valid_word_count(z->nw))
		return;
	assemble(z);
	struct wallet_bip39_diag d;
	memset(&d, 0, sizeof d);
	z->checksum_ok = wallet_bip39_check(z->lang, z->sec->mnemonic, &d) == KB_OK;
	wallet_bip39_diag_clear(&d);
}

/* The live check of the word being typed: flagged at once when no word
 * of the list starts with it. */
static void live_problem(struct wiz *z)
{
	z->problem[0] = '\0';
	if (z->in.len == 0)
		return;
	if (wallet_bip39_complete(z->lang, z->in.buf, NULL, 0) == 0)
		snprintf(z->problem, sizeof z->problem, "no %s word starts with '%s'",
		         wallet_bip39_lang_name(z->lang), z->in.buf);
}

static unsigned words_key(struct wiz *z, struct tui_app *app, int key)
{
	if (key == '\t') {
		const char *c[2];
		size_t n = wallet_bip39_complete(z->lang, z->in.buf, c, 2);
		if (n >= 1 && z->in.len > 0)
			tui_input_set(&z->in, c[0]);
		live_problem(z);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (TUI_ENTER(key)) {
		if (z->in.len == 0) {
			if (z->checksum_ok) {
				z->step = ST_PASSPHRASE;
				z->problem[0] = '\0';
				tui_input_clear(&z->secret);
			} else if (wallet_bip39_valid_word_count(z->nw)) {
				snprintf(z->problem, sizeof z->problem,
				         "the checksum does not match: a word is wrong, or more words follow");
			} else {
				snprintf(z->problem, sizeof z->problem, "a mnemonic has 12, 15, 18, 21 or 24 words");
			}
			return TUI_HANDLED | TUI_REDRAW;
		}
		int idx = wallet_bip39_word_index(z->lang, z->in.buf);
		if (idx < 0) {
			const char *c[2];
			if (wallet_bip39_complete(z->lang, z->in.buf, c, 2) == 1)
				idx = wallet_bip39_word_index(z->lang, c[0]);
		}
		if (idx < 0) {
			snprintf(z->problem, sizeof z->problem, "word %zu '%s' is not in the %s list",
			         z->nw + 1, z->in.buf, wallet_bip39_lang_name(z->lang));
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (z->nw == MAX_WORDS) {
			snprintf(z->problem, sizeof z->problem, "24 words at most");
			return TUI_HANDLED | TUI_REDRAW;
		}
		z->sec->words[z->nw++] = idx;
		tui_input_clear(&z->in);
		z->problem[0] = '\0';
		check_words(z);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (TUI_BACKSPACE(key) && z->in.len == 0) {
		if (z->nw > 0) {
			z->nw--;
			tui_input_set(&z->in, wallet_bip39_word(z->lang, (unsigned)z->sec->words[z->nw]));
			z->sec->words[z->nw] = 0;
			check_words(z);
		}
		live_problem(z);
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == TUI_ESC) {
		wipe_all(z);
		z->step = ST_CHOOSE;
		return TUI_HANDLED | TUI_REDRAW;
	}
	if (key == ' ')
		return words_key(z, app, '\n');
	if (tui_input_key(&z->in, key)) {
		live_problem(z);
		return TUI_HANDLED | TUI_REDRAW;
	}
	return TUI_HANDLED;
}

/* ---- keys ---- */

static void start_mode(struct wiz *z, enum mode m)
{
	wipe_all(z);
	z->mode = m;
	if (m == M_CREATE) {
		if (wallet_bip39_generate(z->sec->mnemonic, sizeof z->sec->mnemonic, z->lang, z->nwords) != KB_OK) {
			snprintf(z->problem, sizeof z->problem, "could not generate a mnemonic");
			return;
		}
		/* Three distinct positions, in order. */
		for (size_t i = 0; i < 3; i++) {
			size_t p;
			bool dup;
			do {
				p = randombytes_uniform(z->nwords);
				dup = false;
				for (size_t k = 0; k < i; k++)
					dup |= z->confirm_pos[k] == p;
			} while (dup);
			z->confirm_pos[i] = p;
		}
		for (size_t i = 0; i < 3; i++)
			for (size_t k = i + 1; k < 3; k++)
				if (z->confirm_pos[k] < z->confirm_pos[i]) {
					size_t t = z->confirm_pos[i];
					z->confirm_pos[i] = z->confirm_pos[k];
					z->confirm_pos[k] = t;
				}
		z->confirm_i = 0;
		z->step = ST_SHOW;
		z->bday_time = (int64_t)time(NULL);
	} else if (m == M_RESTORE) {
		z->step = ST_WORDS;
		z->checksum_ok = false;
	} else {
		z->step = ST_WATCH;
	}
}

/* Length of the separator at p (space or the ideographic space of
 * Japanese mnemonics), 0 if none. */
static size_t sep_len(const char *p)
{
	if (*p == ' ')
		return 1;
	if (!strncmp(p, "\xe3\x80\x80", 3))
		return 3;
	return 0;
}

/* The nth word (0-based) of the generated mnemonic into out. */
static void nth_word(const char *m, size_t n, char *out, size_t cap)
{
	size_t i = 0, k = 0, l;
	out[0] = '\0';
	while (m[i]) {
		while ((l = sep_len(m + i)) > 0)
			i += l;
		if (!m[i])
			break;
		size_t s = i;
		while (m[i] && !sep_len(m + i))
			i++;
		if (k == n) {
			l = i - s < cap - 1 ? i - s : cap - 1;
			memcpy(out, m + s, l);
			out[l] = '\0';
			return;
		}
		k++;
	}
}

static unsigned wiz_key(void *s, struct tui_app *app, int key)
{
	struct wiz *z = s;
	switch (z->step) {
	case ST_CHOOSE:
		if (tui_list_key(&z->menu, key, 3))
			return TUI_HANDLED | TUI_REDRAW;
		if (key == 'l') {
			z->lang = z->lang == WALLET_BIP39_EN ? WALLET_BIP39_JA : WALLET_BIP39_EN;
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (key == 'n') {
			z->nwords = z->nwords == 12 ? 24 : 12;
			return TUI_HANDLED | TUI_REDRAW;
		}
		if (key == 'c' || key == 'r' || key == 'w' || TUI_ENTER(key)) {
			enum mode m = key == 'c' ? M_CREATE : key == 'r' ? M_RESTORE : key == 'w' ? M_WATCH
			            : (enum mode)z->menu.sel;
			start_mode(z, m);
			return TUI_HANDLED | TUI_REDRAW;
		}
		return TUI_IGNORED;
	case ST_SHOW:
		if (TUI_ENTER(key)) {
			z->step = ST_CONFIRM;
			z->confirm_i = 0;
			tui_input_clear(&z->in);
			z->problem[0] = '\0';
		} else if (key == TUI_ESC) {
			wipe_all(z);
			z->step = ST_CHOOSE;
		}
		return TUI_HANDLED | TUI_REDRAW;
	case ST_CONFIRM:
		if (key == TUI_ESC) {
			z->step = ST_SHOW;
			tui_input_clear(&z->in);
			z->problem[0] = '\0';
		} else if (TUI_ENTER(key)) {
			char want[64];
			nth_word(z->sec->mnemonic, z->confirm_pos[z->confirm_i], want, sizeof want);
			int a = wallet_bip39_word_index(z->lang, want), b = wallet_bip39_word_index(z->lang, z->in.buf);
			kb_wipe(want, sizeof want);
			if (a < 0 || a != b) {
				snprintf(z->problem, sizeof z->problem,
				         "that is not word %zu: try again, or Esc to see the words", z->confirm_pos[z->confirm_i] + 1);
			} else if (++z->confirm_i == 3) {
				z->step = ST_PASSWORD;
				z->problem[0] = '\0';
				tui_input_clear(&z->secret);
			} else {
				z->problem[0] = '\0';
			}
			tui_input_clear(&z->in);
		} else {
			tui_input_key(&z->in, key);
		}
		return TUI_HANDLED | TUI_REDRAW;
	case ST_WORDS:
		return words_key(z, app, key);
	case ST_PASSPHRASE:
		if (key == TUI_ESC) {
			z->step = ST_WORDS;
			tui_input_clear(&z->secret);
		} else if (TUI_ENTER(key)) {
			kb_secret_free(z->passphrase);
			z->passphrase = NULL;
			if (z->secret.len) {
				z->passphrase = kb_secret_alloc(z->secret.len + 1);
				memcpy(z->passphrase, z->secret.buf, z->secret.len + 1);
			}
			tui_input_clear(&z->secret);
			tui_input_clear(&z->in);
			z->step = ST_BIRTHDAY;
		} else {
			tui_input_key(&z->secret, key);
		}
		return TUI_HANDLED | TUI_REDRAW;
	case ST_WATCH:
		if (key == TUI_ESC) {
			wipe_all(z);
			z->step = ST_CHOOSE;
		} else if (TUI_ENTER(key)) {
			if (!z->in.len) {
				snprintf(z->problem, sizeof z->problem, "paste a descriptor or an xpub first");
				return TUI_HANDLED | TUI_REDRAW;
			}
			/* Several descriptors may be pasted on one line: one per line for the engine. */
			kb_free(z->watch);
			z->watch = kb_strdup(z->in.buf);
			for (char *p = z->watch; *p; p++)
				if (*p == ' ')
					*p = '\n';
			tui_input_clear(&z->in);
			z->problem[0] = '\0';
			z->step = ST_BIRTHDAY;
		} else {
			tui_input_key(&z->in, key);
		}
		return TUI_HANDLED | TUI_REDRAW;
	case ST_BIRTHDAY:
		if (key == TUI_ESC) {
			z->step = z->mode == M_WATCH ? ST_WATCH : ST_PASSPHRASE;
			tui_input_clear(&z->in);
		} else if (TUI_ENTER(key)) {
			char err[200];
			z->bday_height = z->bday_time = -1;
			if (z->in.len && cli_parse_birthday(z->in.buf, &z->bday_height, &z->bday_time, err, sizeof err) != KB_OK) {
				snprintf(z->problem, sizeof z->problem, "%s", err);
				return TUI_HANDLED | TUI_REDRAW;
			}
			z->problem[0] = '\0';
			tui_input_clear(&z->in);
			if (z->mode == M_WATCH) {
				start_create(z, app);
			} else {
				z->step = ST_PASSWORD;
				tui_input_clear(&z->secret);
			}
		} else {
			tui_input_key(&z->in, key);
		}
		return TUI_HANDLED | TUI_REDRAW;
	case ST_PASSWORD:
	case ST_PASSWORD2:
		if (key == TUI_ESC) {
			tui_input_clear(&z->secret);
			z->step = z->mode == M_CREATE ? ST_SHOW : ST_BIRTHDAY;
			z->confirm_i = 0;
		} else if (TUI_ENTER(key)) {
			if (z->step == ST_PASSWORD) {
				if (!z->secret.len) {
					snprintf(z->problem, sizeof z->problem, "the wallet needs a password");
					return TUI_HANDLED | TUI_REDRAW;
				}
				memcpy(z->sec->password, z->secret.buf, z->secret.len + 1);
				tui_input_clear(&z->secret);
				z->problem[0] = '\0';
				z->step = ST_PASSWORD2;
			} else if (strcmp(z->sec->password, z->secret.buf) != 0) {
				kb_wipe(z->sec->password, sizeof z->sec->password);
				tui_input_clear(&z->secret);
				snprintf(z->problem, sizeof z->problem, "the passwords do not match: type it again");
				z->step = ST_PASSWORD;
			} else {
				tui_input_clear(&z->secret);
				start_create(z, app);
			}
		} else {
			tui_input_key(&z->secret, key);
		}
		return TUI_HANDLED | TUI_REDRAW;
	case ST_DONE:
		return TUI_HANDLED;
	}
	return TUI_IGNORED;
}

static void wiz_recalc(void *s, struct tui_app *app)
{
	struct wiz *z = s;
	if (z->lock_gen != app->lock_gen) {
		/* The idle lock: a mnemonic on screen goes away. */
		z->lock_gen = app->lock_gen;
		/* Writing 24 words down takes longer than the idle timeout: a new
		 * mnemonic being shown or confirmed stays (it is not stored
		 * anywhere yet). Typed words and passwords are dropped. */
		if (z->step != ST_CHOOSE && z->step != ST_DONE && z->step != ST_SHOW && z->step != ST_CONFIRM) {
			wipe_all(z);
			z->step = ST_CHOOSE;
		}
	}
}

/* ---- drawing ---- */

static void draw_words_grid(struct wiz *z, WINDOW *w, int y, int wd, int h)
{
	int cols = wd >= 76 ? 4 : wd >= 56 ? 3 : 2;
	int cw = wd / cols;
	size_t nw = z->nwords;
	int rows = (int)((nw + (size_t)cols - 1) / (size_t)cols);
	char word[64];
	for (size_t i = 0; i < nw; i++) {
		int r = (int)i % rows, c = (int)i / rows;
		if (r >= h)
			continue;
		nth_word(z->sec->mnemonic, i, word, sizeof word);
		tui_textf(w, y + r, 2 + c * cw, cw - 1, TUI_R_NORMAL, "%2zu. %s", i + 1, word);
	}
	kb_wipe(word, sizeof word);
}

static void wiz_draw(void *s, struct tui_app *app, WINDOW *w, int h, int wd)
{
	struct wiz *z = s;
	const char *lang = wallet_bip39_lang_name(z->lang);
	int y = 1;
	switch (z->step) {
	case ST_CHOOSE: {
		tui_textf(w, y++, 2, wd - 4, TUI_R_KEY, "No wallet '%s' on %s yet. What would you like to do?",
		          app->opt.wallet, kb_net_params(app->opt.net)->display);
		y++;
		static const char *items[] = {
			"c  Create a new wallet (a new mnemonic)",
			"r  Restore a wallet from its mnemonic words",
			"w  Watch-only: from a descriptor or an xpub (no keys)",
		};
		for (size_t i = 0; i < 3; i++)
			tui_text(w, y++, 4, wd - 6, i == z->menu.sel ? TUI_R_SELECTED : TUI_R_NORMAL, items[i]);
		y++;
		tui_textf(w, y++, 4, wd - 6, TUI_R_NORMAL, "l  mnemonic language: %s", lang);
		tui_textf(w, y++, 4, wd - 6, TUI_R_NORMAL, "n  words for a new mnemonic: %u", z->nwords);
		if (app->opt.net == KB_NET_MAIN) {
			y++;
			tui_text(w, y++, 4, wd - 6, TUI_R_WARN, "This is MAINNET: real bitcoin.");
		}
		break;
	}
	case ST_SHOW:
		tui_text(w, y++, 2, wd - 4, TUI_R_KEY, "Your mnemonic: write these words down, in order, on paper.");
		tui_text(w, y++, 2, wd - 4, TUI_R_NORMAL, "They are the wallet's only backup. Whoever sees them can take the coins.");
		y++;
		draw_words_grid(z, w, y, wd - 2, h - y - 3);
		tui_text(w, h - 2, 2, wd - 4, TUI_R_WARN, "Enter: I wrote them down (you will confirm three)   Esc: back");
		break;
	case ST_CONFIRM:
		tui_textf(w, y++, 2, wd - 4, TUI_R_KEY, "Confirm your backup: word %zu of 3", z->confirm_i + 1);
		y++;
		tui_textf(w, y, 2, 14, TUI_R_NORMAL, "Word #%zu:", z->confirm_pos[z->confirm_i] + 1);
		tui_input_draw(w, y, 16, 24, &z->in, true);
		y += 2;
		break;
	case ST_WORDS: {
		tui_textf(w, y++, 2, wd - 4, TUI_R_KEY, "Restore: type your %s words, one at a time.", lang);
		tui_text(w, y++, 2, wd - 4, TUI_R_DIM, "Tab completes, Enter or Space takes the word, Backspace edits the last one.");
		y++;
		/* The words so far, numbered, on as many lines as needed. */
		int x = 2;
		for (size_t i = 0; i < z->nw; i++) {
			char t[80];
			snprintf(t, sizeof t, "%zu.%s ", i + 1, wallet_bip39_word(z->lang, (unsigned)z->sec->words[i]));
			int tw = (int)tui_fmt_width(t);
			if (x + tw > wd - 2) {
				y++;
				x = 2;
			}
			tui_text(w, y, x, wd - 2 - x, TUI_R_NORMAL, t);
			x += tw;
			kb_wipe(t, sizeof t);
		}
		y += 2;
		tui_textf(w, y, 2, 12, TUI_R_NORMAL, "Word %zu:", z->nw + 1);
		int fy = y;
		y += 2;
		const char *c[6];
		size_t n = z->in.len ? wallet_bip39_complete(z->lang, z->in.buf, c, 6) : 0;
		if (z->problem[0])
			tui_text(w, y, 2, wd - 4, TUI_R_BAD, z->problem);
		else if (n) {
			int cx = tui_text(w, y, 2, wd - 4, TUI_R_DIM, "matches: ") + 2;
			for (size_t i = 0; i < n && i < 6; i++)
				cx += tui_textf(w, y, cx, wd - 2 - cx, i == 0 ? TUI_R_KEY : TUI_R_NORMAL, "%s ", c[i]);
			if (n > 6)
				tui_textf(w, y, cx, wd - 2 - cx, TUI_R_DIM, "(+%zu)", n - 6);
		}
		y++;
		if (wallet_bip39_valid_word_count(z->nw))
			tui_textf(w, y, 2, wd - 4, z->checksum_ok ? TUI_R_GOOD : TUI_R_WARN, "%zu words: %s", z->nw,
			          z->checksum_ok ? "checksum OK. Enter on an empty word to go on."
			                         : "checksum does not match (yet).");
		tui_input_draw(w, fy, 14, 24, &z->in, true);
		return;
	}
	case ST_PASSPHRASE:
		tui_text(w, y++, 2, wd - 4, TUI_R_KEY, "BIP39 passphrase (optional)");
		tui_text(w, y++, 2, wd - 4, TUI_R_NORMAL, "Only if the wallet was made with one: Enter for none.");
		y++;
		tui_input_draw(w, y, 2, 40, &z->secret, true);
		break;
	case ST_WATCH:
		tui_text(w, y++, 2, wd - 4, TUI_R_KEY, "Watch-only wallet");
		tui_text(w, y++, 2, wd - 4, TUI_R_NORMAL, "Paste output descriptor(s) (space separated) or an xpub/zpub/tpub/vpub:");
		y++;
		tui_input_draw(w, y, 2, wd - 4, &z->in, true);
		y += 2;
		break;
	case ST_BIRTHDAY:
		tui_text(w, y++, 2, wd - 4, TUI_R_KEY, "Wallet birthday");
		tui_text(w, y++, 2, wd - 4, TUI_R_NORMAL, "A block height or a date (YYYY-MM-DD) before its first payment.");
		tui_text(w, y++, 2, wd - 4, TUI_R_NORMAL, "Enter for unknown: the sync then starts from the beginning.");
		y++;
		tui_input_draw(w, y, 2, 24, &z->in, true);
		break;
	case ST_PASSWORD:
	case ST_PASSWORD2:
		tui_text(w, y++, 2, wd - 4, TUI_R_KEY, z->step == ST_PASSWORD ? "Choose the wallet password" : "Type the password again");
		tui_text(w, y++, 2, wd - 4, TUI_R_NORMAL, "It seals the keys on this computer. Browsing needs no password;");
		tui_text(w, y++, 2, wd - 4, TUI_R_NORMAL, "signing and showing the mnemonic ask for it.");
		y++;
		tui_input_draw(w, y, 2, 40, &z->secret, true);
		break;
	case ST_DONE:
		tui_text(w, y, 2, wd - 4, TUI_R_NORMAL, "Creating the wallet...");
		return;
	}
	if (z->problem[0])
		tui_text(w, y + 2, 2, wd - 4, TUI_R_BAD, z->problem);
}

const struct tui_screen_ops tui_scr_wizard = {
	.name = "New wallet",
	.keys = "Up/Down choose  Enter next  Esc back",
	.init = wiz_init,
	.free = wiz_free,
	.key = wiz_key,
	.recalc = wiz_recalc,
	.draw = wiz_draw,
};
