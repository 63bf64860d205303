/*
 * Layout maths and formatting for the terminal UI (STYLE.md §8): pure
 * functions, no curses, no wallet store. Every one has unit tests
 * (tests/unit/test_tui_fmt.c).
 *
 * Text outputs always NUL-terminate when cap > 0 and truncate to fit.
 * Widths are terminal columns: tui_fmt_width counts East Asian wide
 * characters (Japanese mnemonic words) as two.
 */
#ifndef KOBAN_TUI_FMT_H
#define KOBAN_TUI_FMT_H

#include "wallet/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "0.00150000 BTC", or with sats "150,000 sat". Signed amounts keep '-';
 * with plus, positive amounts get a '+' (history deltas). */
void tui_fmt_amount(char *out, size_t cap, int64_t sats, bool sats_unit, bool plus);

/*
 * s shortened to at most width columns by keeping its head and tail around
 * "..." ("bcrt1q6rz2...9pz3cppk"); s itself when it fits. Meant for ASCII
 * (addresses, txids); width < 7 truncates without the ellipsis.
 */
void tui_fmt_abbrev(char *out, size_t cap, const char *s, size_t width);

/* "2026-11-24 00:46" (UTC) for t > 0; "-" otherwise. */
void tui_fmt_date(char *out, size_t cap, int64_t t);

/* The state word a person reads: pending, confirming (1..target-1),
 * confirmed, conflicted, replaced. */
const char *tui_fmt_state(enum wallet_tx_state s, int64_t confs, int64_t target);
/* Confirmations: "n/target" until target, then the plain count ("6", "12");
 * "-" for conflicted or replaced. target <= 0 is taken as 1. */
void tui_fmt_confs(char *out, size_t cap, enum wallet_tx_state s, int64_t confs, int64_t target);

/* A fee rate in sat per 1000 vB as "2.5 sat/vB" (up to 3 decimals, no
 * trailing zeros). */
void tui_fmt_feerate(char *out, size_t cap, int64_t milli);
/* A duration for people: "45 s", "12 min", "3 h 20 min", "2 d 4 h";
 * "-" for a negative one. */
void tui_fmt_duration(char *out, size_t cap, int64_t seconds);

/* Terminal columns of UTF-8 text (wide characters count two, invalid
 * bytes one each). */
size_t tui_fmt_width(const char *s);
/* The longest prefix of s (in bytes, on a character boundary) that fits
 * in width columns. */
size_t tui_fmt_fit(const char *s, size_t width);

/*
 * Word wrapping: the byte length of the first line of s (up to a newline)
 * that fits in width columns, broken after the last space or ideographic
 * space (U+3000) that fits, or at a character boundary when a single word
 * is wider than the line. *next gets where the following line starts
 * (separators and one newline skipped). At least one character is taken
 * when width > 0, so a caller's loop always advances.
 */
size_t tui_fmt_wrap(const char *s, size_t width, size_t *next);

/* ---- layout ---- */

/* The window tree's rectangles for a terminal of cols x rows. */
struct tui_rect {
	int y, x, h, w;
};
struct tui_layout {
	bool too_small;            /* below TUI_MIN_COLS x TUI_MIN_ROWS */
	struct tui_rect header;    /* 2 rows: title/network, balance/sync */
	struct tui_rect body;      /* the screen */
	struct tui_rect footer;    /* 1 row: key hints */
	struct tui_rect message;   /* 1 row: messages, spinner */
};
#define TUI_MIN_COLS 50
#define TUI_MIN_ROWS 16
void tui_layout_compute(struct tui_layout *l, int cols, int rows);

/*
 * Table columns at a given width. Each column asks for min columns and a
 * share of the spare width (weight, 0 = fixed); when the columns do not
 * fit, those with the highest drop priority (larger first; 0 never) are
 * hidden until they do. One space separates shown columns. x and w get
 * each column's position and width (w 0 = hidden). Returns how many are
 * shown.
 */
struct tui_col {
	int min;
	int weight;
	int drop;
};
size_t tui_layout_columns(const struct tui_col *cols, size_t n, int width, int *x, int *w);

/*
 * Whether a QR code of `modules` modules per side, with a 2-module quiet
 * zone on every side, fits in cols x rows: Unicode half blocks use one
 * column and half a row per module; the ASCII fallback two columns and one
 * row. *w and *h get the size drawn.
 */
bool tui_qr_fit(int modules, bool utf8, int cols, int rows, int *w, int *h);

/* Cells of a progress bar width wide that are filled for done/total
 * (clamped to 0..width; total <= 0 means none). */
int tui_progress_cells(int64_t done, int64_t total, int width);

/*
 * The first visible row of a list of n rows in a window of h rows, so the
 * selected row sel stays visible, moving the old top as little as possible.
 */
size_t tui_list_top(size_t top, size_t sel, size_t n, size_t h);

#endif
