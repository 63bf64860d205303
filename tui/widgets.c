#include "tui/widgets.h"

#include "tui/fmt.h"
#include "wallet/mem.h"

#include <qrencode.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

bool tui_key_up(int k) { return k == TUI_FN(KEY_UP) || k == 'k' || k == TUI_CTRL('p'); }
bool tui_key_down(int k) { return k == TUI_FN(KEY_DOWN) || k == 'j' || k == TUI_CTRL('n'); }

int tui_text(WINDOW *w, int y, int x, int maxw, enum tui_role role, const char *s)
{
	if (maxw <= 0 || !s)
		return 0;
	size_t n = tui_fmt_fit(s, (size_t)maxw);
	int a = tui_term_attr(role);
	wattron(w, a);
	mvwaddnstr(w, y, x, s, (int)n);
	wattroff(w, a);
	char tmp[1024];
	size_t m = n < sizeof tmp - 1 ? n : sizeof tmp - 1;
	memcpy(tmp, s, m);
	tmp[m] = '\0';
	return (int)tui_fmt_width(tmp);
}

int tui_textf(WINDOW *w, int y, int x, int maxw, enum tui_role role, const char *fmt, ...)
{
	char b[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	return tui_text(w, y, x, maxw, role, b);
}

void tui_hrule(WINDOW *w, int y, int x, int n)
{
	if (n <= 0)
		return;
	if (tui_term_utf8())
		mvwhline(w, y, x, ACS_HLINE, n);
	else
		mvwhline(w, y, x, '-', n);
}

void tui_list_set(struct tui_list *l, size_t n, size_t h)
{
	l->n = n;
	if (l->sel >= n)
		l->sel = n ? n - 1 : 0;
	l->top = tui_list_top(l->top, l->sel, n, h);
}

bool tui_list_key(struct tui_list *l, int key, size_t h)
{
	size_t page = h > 1 ? h - 1 : 1;
	if (tui_key_up(key)) {
		if (l->sel > 0)
			l->sel--;
	} else if (tui_key_down(key)) {
		if (l->sel + 1 < l->n)
			l->sel++;
	} else if (key == TUI_FN(KEY_PPAGE)) {
		l->sel = l->sel > page ? l->sel - page : 0;
	} else if (key == TUI_FN(KEY_NPAGE)) {
		l->sel = l->sel + page < l->n ? l->sel + page : (l->n ? l->n - 1 : 0);
	} else if (key == TUI_FN(KEY_HOME) || key == 'g') {
		l->sel = 0;
	} else if (key == TUI_FN(KEY_END) || key == 'G') {
		l->sel = l->n ? l->n - 1 : 0;
	} else {
		return false;
	}
	l->top = tui_list_top(l->top, l->sel, l->n, h);
	return true;
}

/* ---- input line ---- */

void tui_input_init(struct tui_input *in, size_t cap, bool secret)
{
	memset(in, 0, sizeof *in);
	in->cap = cap;
	in->secret = secret;
	in->buf = secret ? kb_secret_alloc(cap + 1) : kb_calloc(1, cap + 1);
	in->buf[0] = '\0';
}

void tui_input_free(struct tui_input *in)
{
	if (!in->buf)
		return;
	if (in->secret) {
		kb_secret_free(in->buf);
	} else {
		kb_wipe(in->buf, in->cap + 1);
		kb_free(in->buf);
	}
	in->buf = NULL;
	in->len = in->cur = 0;
}

void tui_input_clear(struct tui_input *in)
{
	kb_wipe(in->buf, in->cap + 1);
	in->len = in->cur = 0;
}

void tui_input_set(struct tui_input *in, const char *s)
{
	tui_input_clear(in);
	size_t n = strlen(s);
	if (n > in->cap)
		n = in->cap;
	memcpy(in->buf, s, n);
	in->buf[n] = '\0';
	in->len = in->cur = n;
}

static size_t prev_char(const char *s, size_t i)
{
	if (i == 0)
		return 0;
	i--;
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	return i;
}

static size_t next_char(const char *s, size_t len, size_t i)
{
	if (i >= len)
		return len;
	i++;
	while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
		i++;
	return i;
}

static size_t utf8_encode(char out[4], int c)
{
	unsigned u = (unsigned)c;
	if (u < 0x80) { out[0] = (char)u; return 1; }
	if (u < 0x800) { out[0] = (char)(0xc0 | (u >> 6)); out[1] = (char)(0x80 | (u & 0x3f)); return 2; }
	if (u >= 0xd800 && u < 0xe000)
		return 0;
	if (u < 0x10000) {
		out[0] = (char)(0xe0 | (u >> 12)); out[1] = (char)(0x80 | ((u >> 6) & 0x3f));
		out[2] = (char)(0x80 | (u & 0x3f));
		return 3;
	}
	if (u < 0x110000) {
		out[0] = (char)(0xf0 | (u >> 18)); out[1] = (char)(0x80 | ((u >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((u >> 6) & 0x3f)); out[3] = (char)(0x80 | (u & 0x3f));
		return 4;
	}
	return 0;
}

static void delete_range(struct tui_input *in, size_t a, size_t b)
{
	memmove(in->buf + a, in->buf + b, in->len - b + 1);
	in->len -= b - a;
	kb_wipe(in->buf + in->len + 1, b - a);
}

bool tui_input_key(struct tui_input *in, int key)
{
	if (TUI_BACKSPACE(key)) {
		if (in->cur > 0) {
			size_t p = prev_char(in->buf, in->cur);
			delete_range(in, p, in->cur);
			in->cur = p;
		}
	} else if (key == TUI_FN(KEY_DC) || key == TUI_CTRL('d')) {
		if (in->cur < in->len)
			delete_range(in, in->cur, next_char(in->buf, in->len, in->cur));
	} else if (key == TUI_FN(KEY_LEFT) || key == TUI_CTRL('b')) {
		in->cur = prev_char(in->buf, in->cur);
	} else if (key == TUI_FN(KEY_RIGHT) || key == TUI_CTRL('f')) {
		in->cur = next_char(in->buf, in->len, in->cur);
	} else if (key == TUI_FN(KEY_HOME) || key == TUI_CTRL('a')) {
		in->cur = 0;
	} else if (key == TUI_FN(KEY_END) || key == TUI_CTRL('e')) {
		in->cur = in->len;
	} else if (key == TUI_CTRL('u')) {
		tui_input_clear(in);
	} else if (key == TUI_CTRL('w')) {
		size_t p = in->cur;
		while (p > 0 && in->buf[p - 1] == ' ')
			p--;
		while (p > 0 && in->buf[p - 1] != ' ')
			p--;
		delete_range(in, p, in->cur);
		in->cur = p;
	} else if (key >= 0x20 && key < 0x110000 && key != 127) {
		char u[4];
		size_t n = utf8_encode(u, key);
		if (n == 0 || in->len + n > in->cap)
			return true; /* taken, but full */
		memmove(in->buf + in->cur + n, in->buf + in->cur, in->len - in->cur + 1);
		memcpy(in->buf + in->cur, u, n);
		in->len += n;
		in->cur += n;
		kb_wipe(u, sizeof u);
	} else {
		return false;
	}
	return true;
}

void tui_input_draw(WINDOW *w, int y, int x, int width, const struct tui_input *in, bool focus)
{
	if (width <= 0)
		return;
	int a = tui_term_attr(TUI_R_INPUT);
	wattron(w, a);
	mvwhline(w, y, x, ' ', width);
	/* Scroll: show from the character that keeps the cursor in view. */
	char shown[1024];
	size_t start = 0;
	if (in->secret) {
		/* One '*' per character, never the text. */
		size_t chars = 0, curc = 0;
		for (size_t i = 0; i < in->len; i = next_char(in->buf, in->len, i)) {
			if (i < in->cur)
				curc++;
			chars++;
		}
		size_t off = curc >= (size_t)width ? curc - (size_t)width + 1 : 0;
		size_t n = chars - off;
		if (n > (size_t)width)
			n = (size_t)width;
		if (n > sizeof shown - 1)
			n = sizeof shown - 1;
		memset(shown, '*', n);
		shown[n] = '\0';
		mvwaddstr(w, y, x, shown);
		wattroff(w, a);
		if (focus) {
			wmove(w, y, x + (int)(curc - off));
			tui_term_want_cursor();
		}
		return;
	}
	for (;;) {
		size_t n = in->cur - start;
		if (n >= sizeof shown)
			n = sizeof shown - 1;
		memcpy(shown, in->buf + start, n);
		shown[n] = '\0';
		if (tui_fmt_width(shown) < (size_t)width || start >= in->cur)
			break;
		start = next_char(in->buf, in->len, start);
	}
	int curx = (int)tui_fmt_width(shown);
	size_t n = in->len - start;
	if (n >= sizeof shown)
		n = sizeof shown - 1;
	memcpy(shown, in->buf + start, n);
	shown[n] = '\0';
	size_t fit = tui_fmt_fit(shown, (size_t)width);
	mvwaddnstr(w, y, x, shown, (int)fit);
	kb_wipe(shown, sizeof shown);
	wattroff(w, a);
	if (focus) {
		wmove(w, y, x + curx);
		tui_term_want_cursor();
	}
}

void tui_dialog_box(WINDOW *w, int want_h, int want_w, const char *title,
                    int *y, int *x, int *h, int *wd)
{
	int H, W;
	getmaxyx(w, H, W);
	int bh = want_h + 2 < H ? want_h + 2 : H, bw = want_w + 4 < W ? want_w + 4 : W;
	int by = (H - bh) / 2, bx = (W - bw) / 2;
	for (int r = 0; r < bh; r++)
		mvwhline(w, by + r, bx, ' ', bw);
	if (tui_term_utf8()) {
		mvwhline(w, by, bx + 1, ACS_HLINE, bw - 2);
		mvwhline(w, by + bh - 1, bx + 1, ACS_HLINE, bw - 2);
		mvwvline(w, by + 1, bx, ACS_VLINE, bh - 2);
		mvwvline(w, by + 1, bx + bw - 1, ACS_VLINE, bh - 2);
		mvwaddch(w, by, bx, ACS_ULCORNER);
		mvwaddch(w, by, bx + bw - 1, ACS_URCORNER);
		mvwaddch(w, by + bh - 1, bx, ACS_LLCORNER);
		mvwaddch(w, by + bh - 1, bx + bw - 1, ACS_LRCORNER);
	} else {
		mvwhline(w, by, bx, '-', bw);
		mvwhline(w, by + bh - 1, bx, '-', bw);
		mvwvline(w, by, bx, '|', bh);
		mvwvline(w, by, bx + bw - 1, '|', bh);
		mvwaddch(w, by, bx, '+');
		mvwaddch(w, by, bx + bw - 1, '+');
		mvwaddch(w, by + bh - 1, bx, '+');
		mvwaddch(w, by + bh - 1, bx + bw - 1, '+');
	}
	if (title && title[0])
		tui_textf(w, by, bx + 2, bw - 4, TUI_R_KEY, " %s ", title);
	*y = by + 1;
	*x = bx + 2;
	*h = bh - 2;
	*wd = bw - 4;
}

void tui_progress_draw(WINDOW *w, int y, int x, int width, int64_t done, int64_t total)
{
	if (width < 3)
		return;
	int inner = width - 2, cells = tui_progress_cells(done, total, inner);
	bool u = tui_term_utf8();
	mvwaddch(w, y, x, '[');
	for (int i = 0; i < inner; i++)
		mvwaddstr(w, y, x + 1 + i, i < cells ? (u ? "\xe2\x96\x88" : "#") : (u ? "\xe2\x96\x91" : "."));
	mvwaddch(w, y, x + width - 1, ']');
}

bool tui_qr_draw(WINDOW *w, int y, int x, int cols, int rows, const char *text)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	if (!q) {
		tui_text(w, y, x, cols, TUI_R_BAD, "(cannot draw this as a QR code)");
		return false;
	}
	bool u = tui_term_utf8();
	int qw, qh;
	if (!tui_qr_fit(q->width, u, cols, rows, &qw, &qh)) {
		tui_textf(w, y, x, cols, TUI_R_WARN, "Enlarge the terminal to %dx%d or more to see the QR code.",
		          qw + 2, qh + 6);
		QRcode_free(q);
		return false;
	}
	int n = q->width, total = n + 4, ox = x + (cols - qw) / 2;
	/* Light modules are drawn (blocks), dark ones left blank: made for the
	 * usual dark terminal background, like qrencode -t UTF8. */
#define DARK(r, c) ((r) >= 2 && (r) < n + 2 && (c) >= 2 && (c) < n + 2 && \
	(q->data[((r) - 2) * n + ((c) - 2)] & 1))
	if (u) {
		for (int r = 0; r < total; r += 2) {
			wmove(w, y + r / 2, ox);
			for (int c = 0; c < total; c++) {
				bool top = !DARK(r, c), bot = r + 1 < total ? !DARK(r + 1, c) : false;
				waddstr(w, top && bot ? "\xe2\x96\x88" : top ? "\xe2\x96\x80" : bot ? "\xe2\x96\x84" : " ");
			}
		}
	} else {
		for (int r = 0; r < total; r++) {
			wmove(w, y + r, ox);
			for (int c = 0; c < total; c++)
				waddstr(w, DARK(r, c) ? "  " : "##");
		}
	}
#undef DARK
	QRcode_free(q);
	return true;
}
