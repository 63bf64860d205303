/*
 * The one file that owns the terminal (STYLE.md §8): initscr/endwin,
 * colours as semantic roles, keypad and nodelay, UTF-8 detection, the
 * restore paths (normal exit, kb_fatal, SIGSEGV/SIGBUS/SIGFPE/SIGABRT) and
 * OSC 52 copying. Nothing else in koban calls initscr or endwin.
 */
#ifndef KOBAN_TUI_TERM_H
#define KOBAN_TUI_TERM_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

/* What things mean; the colour (or, monochrome, the attribute) follows. */
enum tui_role {
	TUI_R_NORMAL = 0,
	TUI_R_TITLE,       /* header bar */
	TUI_R_MAINNET,     /* the network badge on mainnet: real money */
	TUI_R_TESTNET,     /* the badge on test networks */
	TUI_R_KEY,         /* a key name in the footer and help */
	TUI_R_SELECTED,    /* the selected row */
	TUI_R_GOOD,        /* confirmed, incoming, checksum fine */
	TUI_R_WARN,        /* pending, offline, watch-only */
	TUI_R_BAD,         /* errors, wrong words, conflicted */
	TUI_R_DIM,         /* secondary text */
	TUI_R_INPUT,       /* an input field */
	TUI_R_COUNT
};

/*
 * Starts curses on the controlling terminal: locale, UTF-8 detection,
 * saved termios for the crash path, cbreak/noecho/keypad/nodelay, colours
 * unless NO_COLOR is set or the terminal has none. Installs the crash
 * handlers and kb_set_fatal_hook. false (with err) when there is no
 * terminal.
 */
bool tui_term_start(char *err, size_t errlen);
/* Leaves curses and restores the terminal; idempotent. */
void tui_term_stop(void);
/* Whether the terminal takes UTF-8 (nl_langinfo(CODESET)). */
bool tui_term_utf8(void);
/* Whether colours are in use. */
bool tui_term_colour(void);
/* The attribute for a role (a colour pair, or a monochrome attribute). */
int tui_term_attr(enum tui_role r);
/* Copies text to the terminal's clipboard with OSC 52 (written after the
 * next frame). Returns false when the text is too long (over 60 kB). */
bool tui_term_osc52(const char *text);
/* Writes pending OSC 52 output; the app calls it after doupdate. */
void tui_term_flush_extra(void);
/* A focused input asks for the visible cursor during a frame; the app
 * takes the wish after drawing (and the cursor is hidden otherwise). */
void tui_term_want_cursor(void);
bool tui_term_take_cursor(void);
/* Line drawing with the ASCII fallback: horizontal rule character. */
const char *tui_term_hline(void);

#endif
