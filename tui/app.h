/*
 * The terminal application: `koban` with no command (issue 6).
 *
 * One thread runs the event loop (spv/loop.h): the terminal's input is an
 * fd watch, SIGWINCH/SIGINT/SIGTERM/SIGHUP come through the loop's
 * self-pipe, a one-second timer drives the spinner, messages and the idle
 * lock, and a before-sleep hook recalculates and draws at most once per
 * turn. Long work (Argon2id: creating, signing, showing the mnemonic) runs
 * on one worker thread (tui_app_work) that reports through a pipe.
 *
 * Window tree (STYLE.md §8): header (wallet, network, balance, sync), body
 * (the current screen), footer (the screen's keys), message line. Below
 * TUI_MIN_COLS x TUI_MIN_ROWS only a "terminal too small" notice shows.
 *
 * Screens are modules with one const ops table. recalc builds the screen's
 * view model from wallet and nodeview queries; draw only reads it. A key
 * goes to a modal dialog first, then the screen; global keys (Tab, 1-7, ?,
 * q, Ctrl-L) only apply to what the screen ignored.
 */
#ifndef KOBAN_TUI_APP_H
#define KOBAN_TUI_APP_H

#include "tui/cli.h"
#include "tui/fmt.h"
#include "tui/nodeview.h"
#include "tui/widgets.h"
#include "wallet/wallet.h"

#include <stdbool.h>
#include <stdint.h>

struct spv_loop;
struct tui_app;

/* What a key handler did (htop's HandlerResult). */
enum {
	TUI_IGNORED = 0,
	TUI_HANDLED = 1u << 0,
	TUI_REDRAW = 1u << 1,
	TUI_RECALC = 1u << 2,
	TUI_QUIT = 1u << 3,
};

struct tui_screen_ops {
	const char *name;      /* tab title */
	const char *keys;      /* footer hints: "Enter details  c copy txid" */
	void *(*init)(struct tui_app *app);
	void (*free)(void *s);
	unsigned (*key)(void *s, struct tui_app *app, int key);
	void (*recalc)(void *s, struct tui_app *app);
	void (*draw)(void *s, struct tui_app *app, WINDOW *w, int h, int wd);
};

/* The screens (tui/scr-*.c). */
extern const struct tui_screen_ops tui_scr_wizard;
extern const struct tui_screen_ops tui_scr_overview;
extern const struct tui_screen_ops tui_scr_history;
extern const struct tui_screen_ops tui_scr_send;
extern const struct tui_screen_ops tui_scr_receive;
extern const struct tui_screen_ops tui_scr_coins;
extern const struct tui_screen_ops tui_scr_peers;
extern const struct tui_screen_ops tui_scr_settings;

enum { TUI_TAB_OVERVIEW, TUI_TAB_HISTORY, TUI_TAB_SEND, TUI_TAB_RECEIVE, TUI_TAB_COINS,
       TUI_TAB_PEERS, TUI_TAB_SETTINGS, TUI_TAB_COUNT };

#define TUI_MAX_SELECTED 64
#define TUI_IDLE_LOCK_S 300

struct tui_app {
	struct cli_opts opt;
	char *datadir;                  /* resolved (kb_malloc'd) */
	struct spv_loop *loop;
	struct tui_nodeview *node;
	struct wallet *w;               /* NULL while the wizard runs */
	bool busy;                      /* a worker job has the wallet */
	char busy_what[80];

	/* view data every screen may read (recalc'd by the app) */
	struct tui_nodeview_status ns;
	struct wallet_balance bal;
	int64_t tip;                    /* best height known (-1 none) */
	bool sats;                      /* show amounts in sats */

	/* coin control: coins picked on the Coins screen for the next send */
	struct wallet_outpoint selected[TUI_MAX_SELECTED];
	size_t nselected;

	/* internals */
	int tab;
	void *screens[TUI_TAB_COUNT];
	const struct tui_screen_ops *wizard_ops;
	void *wizard;
	bool help;
	unsigned dirty;                 /* TUI_RECALC | TUI_REDRAW */
	bool quit;
	int exit_status;
	char msg[256];
	enum tui_role msg_role;
	int64_t msg_until;
	int64_t last_key_ms;
	unsigned lock_gen;              /* bumped by the idle lock: screens drop secrets */
	unsigned spin;
	WINDOW *win_header, *win_body, *win_footer, *win_message;
	struct tui_layout layout;

	/* the password dialog */
	struct {
		bool open;
		char title[80];
		char prompt[160];
		struct tui_input in;
		void (*done)(struct tui_app *app, const char *password, void *arg); /* NULL password: cancelled */
		void *arg;
	} pw;
	/* the worker */
	int work_pipe[2];
	struct spv_loop_fd *work_watch;
	void *work_job;
};

/* Entry point from tui/cli.c: runs the UI until quit; the exit status. */
int tui_app_run(const struct cli_opts *opt);

/* Shows a one-line message for a few seconds. */
void tui_app_message(struct tui_app *app, enum tui_role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Asks for recalc and/or redraw on the next frame. */
void tui_app_dirty(struct tui_app *app, unsigned flags);
/* Switches to a tab. */
void tui_app_tab(struct tui_app *app, int tab);

/*
 * Asks for the password in a modal dialog; done(app, pw, arg) is called
 * with the typed password (secret memory, wiped right after the call) or
 * NULL when cancelled or the idle lock closed it.
 */
void tui_app_ask_password(struct tui_app *app, const char *title, const char *prompt,
                          void (*done)(struct tui_app *app, const char *password, void *arg),
                          void *arg);

/*
 * Runs run(ctx) on the worker thread (one job at a time: false when busy).
 * While it runs the wallet belongs to the job: the UI does not recalc from
 * it and shows "what" with a spinner. done(app, ctx) then runs on the
 * loop's thread; it frees ctx.
 */
bool tui_app_work(struct tui_app *app, const char *what, void (*run)(void *ctx),
                  void (*done)(struct tui_app *app, void *ctx), void *ctx);

/* The wallet is open (the wizard finished): start the main screens. */
void tui_app_wallet_ready(struct tui_app *app, struct wallet *w);

/*
 * Hands an unsigned PSBT (moved: *p is left empty) to the Send screen's
 * review, from where it is signed and broadcast like any send (the
 * History screen's fee bump uses it). title heads the review.
 */
void tui_send_review(struct tui_app *app, struct wallet_psbt *p, const char *title);

/* Called when a worker job ended: wallet work the screens held back. */
void tui_send_after_work(struct tui_app *app);

/* KDF parameters for new seals (cheap under --test-kdf). */
void tui_app_kdf(const struct tui_app *app, struct wallet_kdf_params *kdf);

/* Amount text in the user's unit. */
void tui_app_amount(const struct tui_app *app, char *out, size_t cap, int64_t sats, bool plus);

#endif
