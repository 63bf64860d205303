/*
 * Widgets the screens share: keys, clipped text, a list cursor, an input
 * line (plain or secret), a dialog box, a progress bar and a QR code.
 * Drawing functions only draw into the window they are given.
 */
#ifndef KOBAN_TUI_WIDGETS_H
#define KOBAN_TUI_WIDGETS_H

#include "tui/term.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A key: a Unicode character, or a curses KEY_* code as TUI_FN(KEY_*). */
#define TUI_FN(k) ((k) + 0x110000)
#define TUI_CTRL(c) ((c) & 0x1f)
#define TUI_ESC 27
#define TUI_ENTER(k) ((k) == '\n' || (k) == '\r' || (k) == TUI_FN(KEY_ENTER))
#define TUI_BACKSPACE(k) ((k) == 127 || (k) == 8 || (k) == TUI_FN(KEY_BACKSPACE))
bool tui_key_up(int k);     /* arrow up, k, Ctrl-P */
bool tui_key_down(int k);   /* arrow down, j, Ctrl-N */

/* Text clipped to maxw columns at y, x in role's attribute. Returns the
 * columns written. */
int tui_text(WINDOW *w, int y, int x, int maxw, enum tui_role role, const char *s);
/* printf form of tui_text. */
int tui_textf(WINDOW *w, int y, int x, int maxw, enum tui_role role, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* A horizontal rule of n columns (ASCII '-' without UTF-8). */
void tui_hrule(WINDOW *w, int y, int x, int n);

/* A list cursor over n rows shown h at a time. */
struct tui_list {
	size_t sel, top, n;
};
/* Moves on up/down/j/k/PgUp/PgDn/Home/End; true when the key was one. */
bool tui_list_key(struct tui_list *l, int key, size_t h);
void tui_list_set(struct tui_list *l, size_t n, size_t h);

/* An input line. A secret one lives in sodium_malloc memory and is wiped. */
struct tui_input {
	char *buf;
	size_t cap, len, cur;   /* bytes; cur on a character boundary */
	bool secret;            /* shown as '*' */
};
void tui_input_init(struct tui_input *in, size_t cap, bool secret);
void tui_input_free(struct tui_input *in);
void tui_input_clear(struct tui_input *in);
void tui_input_set(struct tui_input *in, const char *s);
/* Edits on printable characters, Backspace, Delete, arrows, Home/End,
 * Ctrl-U (clear), Ctrl-W (word). true when the key was taken. */
bool tui_input_key(struct tui_input *in, int key);
/* Draws the field at y, x, width columns, scrolled so the cursor shows;
 * with focus the terminal cursor is placed in it. */
void tui_input_draw(WINDOW *w, int y, int x, int width, const struct tui_input *in, bool focus);

/* A centred box over w with a title; returns the inner window rectangle
 * through *y, *x, *h, *wd (the caller draws inside). */
void tui_dialog_box(WINDOW *w, int want_h, int want_w, const char *title,
                    int *y, int *x, int *h, int *wd);

/* A progress bar of width columns. */
void tui_progress_draw(WINDOW *w, int y, int x, int width, int64_t done, int64_t total);

/*
 * A QR code of text at y, x within cols x rows, centred horizontally.
 * Returns false (and draws a line saying to enlarge the terminal) when it
 * does not fit, or when the text cannot be encoded.
 */
bool tui_qr_draw(WINDOW *w, int y, int x, int cols, int rows, const char *text);

#endif
