#include "tui/app.h"

#include "spv/loop.h"
#include "tui/cmd-util.h"
#include "tui/nodeview-live.h"
#include "wallet/amount.h"
#include "wallet/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const struct tui_screen_ops *const tabs[TUI_TAB_COUNT] = {
	&tui_scr_overview, &tui_scr_history, &tui_scr_send, &tui_scr_receive,
	&tui_scr_coins, &tui_scr_peers, &tui_scr_settings,
};

static WINDOW *g_input; /* a 1x1 window never drawn: getch on it refreshes nothing */

void tui_app_dirty(struct tui_app *app, unsigned flags)
{
	app->dirty |= flags & (TUI_RECALC | TUI_REDRAW);
}

void tui_app_message(struct tui_app *app, enum tui_role role, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(app->msg, sizeof app->msg, fmt, ap);
	va_end(ap);
	for (char *p = app->msg; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	app->msg_role = role;
	app->msg_until = spv_loop_now(app->loop) + 6000;
	tui_app_dirty(app, TUI_REDRAW);
}

void tui_app_kdf(const struct tui_app *app, struct wallet_kdf_params *kdf)
{
	if (app->opt.test_kdf)
		wallet_keystore_kdf_cheap(kdf);
	else
		wallet_keystore_kdf_default(kdf);
}

void tui_app_amount(const struct tui_app *app, char *out, size_t cap, int64_t sats, bool plus)
{
	tui_fmt_amount(out, cap, sats, app->sats, plus);
}

void tui_app_tab(struct tui_app *app, int tab)
{
	if (!app->w || tab < 0 || tab >= TUI_TAB_COUNT)
		return;
	app->tab = tab;
	tui_app_dirty(app, TUI_RECALC | TUI_REDRAW);
}

void tui_app_wallet_ready(struct tui_app *app, struct wallet *w)
{
	app->w = w;
	for (int i = 0; i < TUI_TAB_COUNT; i++)
		if (!app->screens[i])
			app->screens[i] = tabs[i]->init(app);
	app->tab = TUI_TAB_OVERVIEW;
	tui_app_dirty(app, TUI_RECALC | TUI_REDRAW);
}

/* ---- the password dialog ---- */

void tui_app_ask_password(struct tui_app *app, const char *title, const char *prompt,
                          void (*done)(struct tui_app *app, const char *password, void *arg),
                          void *arg)
{
	if (app->pw.open) {
		tui_input_free(&app->pw.in);
		if (app->pw.done)
			app->pw.done(app, NULL, app->pw.arg);
	}
	app->pw.open = true;
	snprintf(app->pw.title, sizeof app->pw.title, "%s", title);
	snprintf(app->pw.prompt, sizeof app->pw.prompt, "%s", prompt);
	tui_input_init(&app->pw.in, 1024, true);
	app->pw.done = done;
	app->pw.arg = arg;
	tui_app_dirty(app, TUI_REDRAW);
}

static void pw_finish(struct tui_app *app, bool ok)
{
	void (*done)(struct tui_app *, const char *, void *) = app->pw.done;
	void *arg = app->pw.arg;
	app->pw.open = false;
	app->pw.done = NULL;
	if (done)
		done(app, ok ? app->pw.in.buf : NULL, arg);
	tui_input_free(&app->pw.in);
	tui_app_dirty(app, TUI_RECALC | TUI_REDRAW);
}

static void pw_key(struct tui_app *app, int key)
{
	if (key == TUI_ESC) {
		pw_finish(app, false);
	} else if (TUI_ENTER(key)) {
		pw_finish(app, true);
	} else if (tui_input_key(&app->pw.in, key)) {
		tui_app_dirty(app, TUI_REDRAW);
	}
}

static void pw_draw(struct tui_app *app, WINDOW *w)
{
	int y, x, h, wd;
	tui_dialog_box(w, 5, 56, app->pw.title, &y, &x, &h, &wd);
	tui_text(w, y, x, wd, TUI_R_NORMAL, app->pw.prompt);
	tui_input_draw(w, y + 2, x, wd, &app->pw.in, true);
	tui_text(w, y + 4, x, wd, TUI_R_DIM, "Enter confirm   Esc cancel");
}

/* ---- the worker ---- */

struct job {
	void (*run)(void *ctx);
	void (*done)(struct tui_app *app, void *ctx);
	void *ctx;
	int fd; /* the pipe's write end (the thread writes the job pointer) */
};

static void *job_thread(void *arg)
{
	struct job *j = arg;
	j->run(j->ctx);
	/* Hand the job back: the loop owns it again from the read. */
	ssize_t r;
	do
		r = write(j->fd, &j, sizeof j);
	while (r < 0 && errno == EINTR);
	return NULL;
}

bool tui_app_work(struct tui_app *app, const char *what, void (*run)(void *ctx),
                  void (*done)(struct tui_app *app, void *ctx), void *ctx)
{
	if (app->busy)
		return false;
	struct job *j = kb_calloc(1, sizeof *j);
	j->run = run;
	j->done = done;
	j->ctx = ctx;
	j->fd = app->work_pipe[1];
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	/* The worker must not take the loop's signals. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_t t;
	int e = pthread_create(&t, &at, job_thread, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&at);
	if (e != 0) {
		kb_free(j);
		return false;
	}
	app->busy = true;
	if (app->node)
		app->node->wallet_busy = true;
	app->work_job = j;
	snprintf(app->busy_what, sizeof app->busy_what, "%s", what);
	tui_app_dirty(app, TUI_REDRAW);
	return true;
}

static void work_ready(struct spv_loop_fd *wfd, int fd, unsigned events, void *arg)
{
	struct tui_app *app = arg;
	struct job *j;
	ssize_t r = read(fd, &j, sizeof j);
	if (r != (ssize_t)sizeof j)
		return;
	app->busy = false;
	if (app->node)
		app->node->wallet_busy = false;
	app->work_job = NULL;
	app->busy_what[0] = '\0';
	j->done(app, j->ctx);
	kb_free(j);
	if (app->w)
		tui_send_after_work(app);
	tui_app_dirty(app, TUI_RECALC | TUI_REDRAW);
	if (app->quit)
		spv_loop_stop(app->loop);
}

/* ---- layout and drawing ---- */

static void free_windows(struct tui_app *app)
{
	WINDOW **ws[] = { &app->win_header, &app->win_body, &app->win_footer, &app->win_message };
	for (size_t i = 0; i < 4; i++)
		if (*ws[i]) {
			delwin(*ws[i]);
			*ws[i] = NULL;
		}
}

static WINDOW *mk(const struct tui_rect *r)
{
	if (r->h <= 0 || r->w <= 0)
		return NULL;
	WINDOW *w = newwin(r->h, r->w, r->y, r->x);
	if (w)
		leaveok(w, TRUE);
	return w;
}

static void relayout(struct tui_app *app)
{
	free_windows(app);
	tui_layout_compute(&app->layout, COLS, LINES);
	if (app->layout.too_small) {
		app->win_body = mk(&app->layout.body);
	} else {
		app->win_header = mk(&app->layout.header);
		app->win_body = mk(&app->layout.body);
		app->win_footer = mk(&app->layout.footer);
		app->win_message = mk(&app->layout.message);
	}
	if (app->win_body)
		leaveok(app->win_body, FALSE);
	clearok(curscr, TRUE);
	tui_app_dirty(app, TUI_RECALC | TUI_REDRAW);
}

static void resize_from_tty(struct tui_app *app)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	relayout(app);
}

static void draw_header(struct tui_app *app)
{
	WINDOW *w = app->win_header;
	int W = getmaxx(w);
	werase(w);
	wattron(w, tui_term_attr(TUI_R_TITLE));
	mvwhline(w, 0, 0, ' ', W);
	wattroff(w, tui_term_attr(TUI_R_TITLE));
	int x = tui_textf(w, 0, 0, W, TUI_R_TITLE, " koban  %s ", app->opt.wallet);
	const struct kb_netparams *np = kb_net_params(app->opt.net);
	bool main_net = app->opt.net == KB_NET_MAIN;
	char badge[48];
	snprintf(badge, sizeof badge, " %s%s ", main_net ? "MAINNET - real money" : np->display,
	         main_net ? "" : " - test coins");
	x += tui_text(w, 0, x, W - x, main_net ? TUI_R_MAINNET : TUI_R_TESTNET, badge);
	if (app->w && wallet_watch_only(app->w))
		x += tui_text(w, 0, x + 1, W - x - 1, TUI_R_TITLE, "watch-only") + 1;
	/* Right side: balance and sync. */
	char right[128], amt[64];
	if (app->w) {
		tui_app_amount(app, amt, sizeof amt, app->bal.confirmed + app->bal.pending, false);
		char sync[48];
		if (app->ns.offline)
			snprintf(sync, sizeof sync, "offline");
		else if (app->ns.target_height > 0 && app->ns.headers_height < app->ns.target_height)
			snprintf(sync, sizeof sync, "sync %lld/%lld", (long long)app->ns.headers_height,
			         (long long)app->ns.target_height);
		else
			snprintf(sync, sizeof sync, "%zu peers", app->ns.npeers);
		snprintf(right, sizeof right, "%s  %s ", amt, sync);
		int rw = (int)tui_fmt_width(right);
		if (W - rw > x + 1)
			tui_text(w, 0, W - rw, rw, TUI_R_TITLE, right);
	}
	/* Tabs: the current one highlighted; when narrow, others by number. */
	if (!app->w) {
		tui_text(w, 1, 1, W - 1, TUI_R_KEY, "New wallet");
		return;
	}
	int full = 0;
	for (int i = 0; i < TUI_TAB_COUNT; i++)
		full += (int)strlen(tabs[i]->name) + 3;
	bool narrow = full > W;
	x = 0;
	for (int i = 0; i < TUI_TAB_COUNT && x < W; i++) {
		char t[32];
		if (narrow && i != app->tab)
			snprintf(t, sizeof t, " %d ", i + 1);
		else
			snprintf(t, sizeof t, " %d %s ", i + 1, tabs[i]->name);
		x += tui_text(w, 1, x, W - x, i == app->tab ? TUI_R_SELECTED : TUI_R_NORMAL, t);
	}
}

static void draw_footer(struct tui_app *app)
{
	WINDOW *w = app->win_footer;
	int W = getmaxx(w);
	werase(w);
	const char *keys = "";
	if (app->pw.open)
		keys = "Enter confirm  Esc cancel";
	else if (!app->w && app->wizard_ops)
		keys = app->wizard_ops->keys;
	else if (app->w)
		keys = tabs[app->tab]->keys;
	/* Key names in the key role: each hint is "KEY words", two spaces apart. */
	int x = 0;
	const char *p = keys;
	while (*p && x < W) {
		const char *sp = strchr(p, ' ');
		size_t kl = sp ? (size_t)(sp - p) : strlen(p);
		char k[32];
		snprintf(k, sizeof k, "%.*s", (int)(kl < 31 ? kl : 31), p);
		x += tui_text(w, 0, x, W - x, TUI_R_KEY, k);
		p += kl;
		const char *end = strstr(p, "  ");
		size_t wl = end ? (size_t)(end - p) : strlen(p);
		char words[64];
		snprintf(words, sizeof words, "%.*s", (int)(wl < 63 ? wl : 63), p);
		x += tui_text(w, 0, x, W - x, TUI_R_NORMAL, words);
		p += wl;
		while (*p == ' ')
			p++;
		x += 2;
	}
	const char *global = app->w ? "Tab screens  ? help  q quit" : "? help  Ctrl-C quit";
	int gw = (int)strlen(global);
	if (W - gw > x)
		tui_text(w, 0, W - gw, gw, TUI_R_DIM, global);
}

static void draw_message(struct tui_app *app)
{
	WINDOW *w = app->win_message;
	int W = getmaxx(w);
	werase(w);
	int64_t now = spv_loop_now(app->loop);
	if (app->busy) {
		static const char *ascii[] = { "|", "/", "-", "\\" };
		static const char *braille[] = { "\xe2\xa0\x8b", "\xe2\xa0\x99", "\xe2\xa0\xb9", "\xe2\xa0\xb8",
		                                 "\xe2\xa0\xbc", "\xe2\xa0\xb4", "\xe2\xa0\xa6", "\xe2\xa0\xa7" };
		const char *s = tui_term_utf8() ? braille[app->spin % 8] : ascii[app->spin % 4];
		tui_textf(w, 0, 0, W, TUI_R_WARN, "%s working: %s", s, app->busy_what);
	} else if (app->msg[0] && now < app->msg_until) {
		tui_text(w, 0, 0, W, app->msg_role, app->msg);
	}
}

static void draw_help(struct tui_app *app, WINDOW *w)
{
	static const char *lines[] = {
		"Everywhere",
		"  Tab / Shift-Tab   next / previous screen",
		"  1..7              Overview History Send Receive Coins Peers Settings",
		"  Up/Down, j/k      move;  PgUp/PgDn, g/G  page, first, last",
		"  Enter             open, confirm;   Esc  back, cancel",
		"  u                 amounts in BTC or sats",
		"  Ctrl-R            reload from the wallet;  Ctrl-L  redraw",
		"  ?                 this help;  q  quit (Ctrl-C too)",
		"This screen",
	};
	int n = (int)(sizeof lines / sizeof lines[0]);
	int y, x, h, wd;
	tui_dialog_box(w, n + 3, 72, "Keys", &y, &x, &h, &wd);
	for (int i = 0; i < n && i < h; i++)
		tui_text(w, y + i, x, wd, lines[i][0] == ' ' ? TUI_R_NORMAL : TUI_R_KEY, lines[i]);
	const char *keys = app->w ? tabs[app->tab]->keys : app->wizard_ops ? app->wizard_ops->keys : "";
	if (n < h)
		tui_textf(w, y + n, x, wd, TUI_R_NORMAL, "  %s", keys);
	if (n + 2 < h)
		tui_text(w, y + n + 2, x, wd, TUI_R_DIM, "Any key closes this help.");
}

static void recalc(struct tui_app *app)
{
	tui_nodeview_status(app->node, &app->ns);
	if (app->busy)
		return; /* the wallet belongs to the worker's job for now */
	if (app->w) {
		struct cli c;
		memset(&c, 0, sizeof c);
		c.opt = app->opt;
		c.opt.datadir = app->datadir;
		app->tip = cli_tip(&c, app->w);
		if (app->ns.headers_height > app->tip)
			app->tip = app->ns.headers_height;
		if (wallet_get_balance(app->w, app->tip, &app->bal) != KB_OK)
			memset(&app->bal, 0, sizeof app->bal);
		void *s = app->screens[app->tab];
		if (s && tabs[app->tab]->recalc)
			tabs[app->tab]->recalc(s, app);
	} else if (app->wizard && app->wizard_ops->recalc) {
		app->wizard_ops->recalc(app->wizard, app);
	}
}

static void frame(struct tui_app *app)
{
	if (!app->dirty)
		return;
	if (app->dirty & TUI_RECALC)
		recalc(app);
	app->dirty = 0;
	if (!app->win_body)
		return;
	if (app->layout.too_small) {
		WINDOW *w = app->win_body;
		werase(w);
		int W = getmaxx(w);
		tui_text(w, 0, 0, W, TUI_R_WARN, "Terminal too small");
		tui_textf(w, 1, 0, W, TUI_R_NORMAL, "%dx%d; koban needs %dx%d.", COLS, LINES,
		          TUI_MIN_COLS, TUI_MIN_ROWS);
		tui_text(w, 2, 0, W, TUI_R_NORMAL, "Enlarge it, or q to quit.");
		wnoutrefresh(w);
		doupdate();
		curs_set(0);
		return;
	}
	draw_header(app);
	draw_footer(app);
	draw_message(app);
	WINDOW *b = app->win_body;
	werase(b);
	int h, wd;
	getmaxyx(b, h, wd);
	if (app->w)
		tabs[app->tab]->draw(app->screens[app->tab], app, b, h, wd);
	else if (app->wizard)
		app->wizard_ops->draw(app->wizard, app, b, h, wd);
	if (app->help) {
		(void)tui_term_take_cursor();
		draw_help(app, b);
	}
	if (app->pw.open) {
		(void)tui_term_take_cursor();
		pw_draw(app, b);
	}
	bool cursor = tui_term_take_cursor();
	wnoutrefresh(app->win_header);
	wnoutrefresh(app->win_footer);
	wnoutrefresh(app->win_message);
	wnoutrefresh(b); /* last: its cursor position is the terminal's */
	doupdate();
	curs_set(cursor ? 1 : 0);
	tui_term_flush_extra();
}

static void before_sleep(struct spv_loop *loop, void *arg)
{
	frame(arg);
}

/* ---- keys ---- */

static void request_quit(struct tui_app *app)
{
	app->quit = true;
	if (app->busy) {
		tui_app_message(app, TUI_R_WARN, "Finishing the work in progress, then quitting...");
		return;
	}
	spv_loop_stop(app->loop);
}

static void handle_key(struct tui_app *app, int key)
{
	app->last_key_ms = spv_loop_now(app->loop);
	if (key == TUI_FN(KEY_RESIZE)) {
		relayout(app);
		return;
	}
	if (key == TUI_CTRL('l')) {
		clearok(curscr, TRUE);
		tui_app_dirty(app, TUI_REDRAW);
		return;
	}
	if (app->layout.too_small) {
		if (key == 'q')
			request_quit(app);
		return;
	}
	if (app->help) {
		app->help = false;
		tui_app_dirty(app, TUI_REDRAW);
		return;
	}
	if (app->pw.open) {
		pw_key(app, key);
		return;
	}
	if (app->busy) {
		tui_app_message(app, TUI_R_WARN, "Working: wait a moment.");
		return;
	}
	unsigned r = TUI_IGNORED;
	if (app->w)
		r = tabs[app->tab]->key(app->screens[app->tab], app, key);
	else if (app->wizard)
		r = app->wizard_ops->key(app->wizard, app, key);
	tui_app_dirty(app, r);
	if (r & TUI_QUIT) {
		request_quit(app);
		return;
	}
	if (r & TUI_HANDLED)
		return;
	/* Global keys: only what the screen ignored. */
	if (key == '?') {
		app->help = true;
	} else if (key == 'q') {
		request_quit(app);
	} else if (!app->w) {
		return;
	} else if (key == '\t') {
		tui_app_tab(app, (app->tab + 1) % TUI_TAB_COUNT);
	} else if (key == TUI_FN(KEY_BTAB)) {
		tui_app_tab(app, (app->tab + TUI_TAB_COUNT - 1) % TUI_TAB_COUNT);
	} else if (key >= '1' && key < '1' + TUI_TAB_COUNT) {
		tui_app_tab(app, key - '1');
	} else if (key == 'u') {
		app->sats = !app->sats;
		tui_app_message(app, TUI_R_NORMAL, "Amounts in %s.", app->sats ? "satoshis" : "BTC");
	} else if (key == TUI_CTRL('r')) {
		tui_app_message(app, TUI_R_NORMAL, "Reloaded.");
		tui_app_dirty(app, TUI_RECALC);
	}
	tui_app_dirty(app, TUI_REDRAW);
}

static void input_ready(struct spv_loop_fd *wfd, int fd, unsigned events, void *arg)
{
	struct tui_app *app = arg;
	for (int guard = 0; guard < 4096 && !app->quit; guard++) {
		wint_t wc;
		int r = wget_wch(g_input, &wc);
		if (r == ERR)
			break;
		handle_key(app, r == KEY_CODE_YES ? TUI_FN((int)wc) : (int)wc);
	}
	if (events & SPV_LOOP_ERROR) /* the terminal went away */
		request_quit(app);
}

static void on_signal(struct spv_loop *loop, int signo, void *arg)
{
	struct tui_app *app = arg;
	if (signo == SIGWINCH)
		resize_from_tty(app);
	else
		request_quit(app);
}

static void on_node_changed(void *arg)
{
	tui_app_dirty(arg, TUI_RECALC | TUI_REDRAW);
}

static void tick(struct spv_loop_timer *t, void *arg)
{
	struct tui_app *app = arg;
	int64_t now = spv_loop_now(app->loop);
	app->spin++;
	if (app->busy || (app->msg[0] && now >= app->msg_until && now < app->msg_until + 1500))
		tui_app_dirty(app, TUI_REDRAW);
	/* Fresh numbers every few seconds: another koban may have recorded
	 * transactions, and confirmations follow the tip. */
	if (app->spin % 5 == 0)
		tui_app_dirty(app, TUI_RECALC | TUI_REDRAW);
	/* The idle lock: a half-typed password is dropped, screens that show
	 * secrets wipe them (they watch lock_gen). */
	int lock_s = app->opt.lock_after_s > 0 ? app->opt.lock_after_s : TUI_IDLE_LOCK_S;
	if (now - app->last_key_ms > (int64_t)lock_s * 1000 && !app->busy) {
		app->last_key_ms = now;
		app->lock_gen++;
		if (app->pw.open)
			pw_finish(app, false);
		if (lock_s % 60 == 0)
			tui_app_message(app, TUI_R_WARN, "Locked after %d minute%s without a key.", lock_s / 60,
			                lock_s == 60 ? "" : "s");
		else
			tui_app_message(app, TUI_R_WARN, "Locked after %d seconds without a key.", lock_s);
		tui_app_dirty(app, TUI_RECALC | TUI_REDRAW);
	}
}

/* ---- run ---- */

int tui_app_run(const struct cli_opts *opt)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "koban: the terminal interface needs a terminal (scripts use the commands: koban --help)\n");
		return CLI_USER;
	}
	struct tui_app *app = kb_calloc(1, sizeof *app);
	app->opt = *opt;
	app->tip = -1;
	app->work_pipe[0] = app->work_pipe[1] = -1;
	int status = CLI_OK;
	struct cli c;
	memset(&c, 0, sizeof c);
	c.opt = *opt;
	const char *dir = NULL;
	if (cli_datadir(&c, &dir, &status) != KB_OK) {
		kb_free(app);
		return status;
	}
	app->datadir = (char *)dir;
	char err[512] = "";
	enum kb_rc rc = wallet_open(&app->w, app->datadir, opt->wallet, opt->net, err, sizeof err);
	if (rc != KB_OK && rc != KB_ENOTFOUND) {
		fprintf(stderr, "koban: %s\n", err[0] ? err : kb_rc_str(rc));
		kb_free(app->datadir);
		kb_free(app);
		return rc == KB_EIO ? CLI_FAIL : CLI_USER;
	}
	if (rc != KB_OK)
		app->w = NULL;
	if (spv_loop_new(&app->loop) != KB_OK || pipe2(app->work_pipe, O_CLOEXEC) != 0) {
		fprintf(stderr, "koban: cannot start the event loop (out of file descriptors?)\n");
		wallet_close(app->w);
		spv_loop_free(app->loop);
		kb_free(app->datadir);
		kb_free(app);
		return CLI_FAIL;
	}
	fcntl(app->work_pipe[0], F_SETFL, O_NONBLOCK);
	/* The node: the light node and the wallet sync, driven from this loop
	 * (tui/nodeview-live.h); it starts once there is a wallet. */
	if (opt->offline)
		app->node = tui_nodeview_offline(app->loop, opt->net,
			"offline (--offline): no peers, no broadcast, no fee estimates");
	else
		app->node = tui_nodeview_live(app->loop, opt, app->datadir, &app->w);
	tui_nodeview_set_changed(app->node, on_node_changed, app);

	if (!tui_term_start(err, sizeof err)) {
		fprintf(stderr, "koban: %s\n", err);
		status = CLI_USER;
		goto out;
	}
	g_input = newwin(1, 1, 0, 0);
	keypad(g_input, TRUE);
	nodelay(g_input, TRUE);
	spv_loop_set_signal_cb(app->loop, on_signal, app);
	int sigs[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (spv_loop_watch_signal(app->loop, sigs[i]) != KB_OK) { /* keep going: q still works */ }
	spv_loop_fd_new(app->loop, STDIN_FILENO, SPV_LOOP_READ, input_ready, app);
	app->work_watch = spv_loop_fd_new(app->loop, app->work_pipe[0], SPV_LOOP_READ, work_ready, app);
	struct spv_loop_timer *t = spv_loop_timer_new(app->loop, tick, app);
	spv_loop_timer_start(t, 1000, 1000);
	spv_loop_hook_new(app->loop, before_sleep, app);
	app->last_key_ms = spv_loop_now(app->loop);

	if (app->w) {
		tui_app_wallet_ready(app, app->w);
	} else {
		app->wizard_ops = &tui_scr_wizard;
		app->wizard = app->wizard_ops->init(app);
	}
	relayout(app);
	if (spv_loop_run(app->loop) != KB_OK)
		status = CLI_FAIL;
	status = status == CLI_OK ? app->exit_status : status;
	if (app->pw.open)
		pw_finish(app, false);
	tui_term_stop();
out:
	for (int i = 0; i < TUI_TAB_COUNT; i++)
		if (app->screens[i])
			tabs[i]->free(app->screens[i]);
	if (app->wizard)
		app->wizard_ops->free(app->wizard);
	tui_nodeview_free(app->node);
	free_windows(app);
	if (g_input) {
		delwin(g_input);
		g_input = NULL;
	}
	spv_loop_free(app->loop);
	close(app->work_pipe[0]);
	close(app->work_pipe[1]);
	wallet_close(app->w);
	kb_free(app->datadir);
	kb_free(app);
	return status;
}
