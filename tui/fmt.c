#include "tui/fmt.h"

#include "wallet/amount.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistr.h>
#include <uniwidth.h>

static void copy(char *out, size_t cap, const char *s)
{
	if (cap == 0)
		return;
	snprintf(out, cap, "%s", s);
}

void tui_fmt_amount(char *out, size_t cap, int64_t sats, bool sats_unit, bool plus)
{
	char a[WALLET_AMOUNT_STRLEN + 4];
	const char *sign = plus && sats > 0 ? "+" : "";
	if (sats_unit) {
		char s[32];
		wallet_amount_format_sats(s, sats);
		if (cap)
			snprintf(out, cap, "%s%s sat", sign, s);
		return;
	}
	wallet_amount_format(a, sats);
	if (cap)
		snprintf(out, cap, "%s%s BTC", sign, a);
}

void tui_fmt_abbrev(char *out, size_t cap, const char *s, size_t width)
{
	size_t len = strlen(s);
	if (cap == 0)
		return;
	if (len <= width) {
		copy(out, cap, s);
		return;
	}
	if (width < 7) {
		size_t n = width < cap - 1 ? width : cap - 1;
		memcpy(out, s, n);
		out[n] = '\0';
		return;
	}
	size_t keep = width - 3, head = (keep + 1) / 2, tail = keep - head;
	if (head + tail + 3 >= cap) {
		out[0] = '\0';
		return;
	}
	memcpy(out, s, head);
	memcpy(out + head, "...", 3);
	memcpy(out + head + 3, s + len - tail, tail);
	out[head + 3 + tail] = '\0';
}

void tui_fmt_date(char *out, size_t cap, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (t <= 0 || !gmtime_r(&tt, &tm)) {
		copy(out, cap, "-");
		return;
	}
	char b[32];
	strftime(b, sizeof b, "%Y-%m-%d %H:%M", &tm);
	copy(out, cap, b);
}

const char *tui_fmt_state(enum wallet_tx_state s, int64_t confs, int64_t target)
{
	if (target <= 0)
		target = 1;
	switch (s) {
	case WALLET_TX_CONFLICTED: return "conflicted";
	case WALLET_TX_REPLACED: return "replaced";
	case WALLET_TX_CONFIRMED:
		if (confs <= 0)
			return "pending";
		return confs >= target ? "confirmed" : "confirming";
	default: return "pending";
	}
}

void tui_fmt_confs(char *out, size_t cap, enum wallet_tx_state s, int64_t confs, int64_t target)
{
	if (cap == 0)
		return;
	if (target <= 0)
		target = 1;
	if (s == WALLET_TX_CONFLICTED || s == WALLET_TX_REPLACED) {
		copy(out, cap, "-");
		return;
	}
	if (s != WALLET_TX_CONFIRMED || confs < 0)
		confs = 0;
	if (confs < target)
		snprintf(out, cap, "%" PRId64 "/%" PRId64, confs, target);
	else
		snprintf(out, cap, "%" PRId64, confs);
}

void tui_fmt_feerate(char *out, size_t cap, int64_t milli)
{
	if (cap == 0)
		return;
	if (milli < 0) {
		copy(out, cap, "-");
		return;
	}
	int64_t whole = milli / 1000, frac = milli % 1000;
	if (frac == 0) {
		snprintf(out, cap, "%" PRId64 " sat/vB", whole);
		return;
	}
	char f[8];
	snprintf(f, sizeof f, "%03" PRId64, frac);
	for (int i = 2; i > 0 && f[i] == '0'; i--)
		f[i] = '\0';
	snprintf(out, cap, "%" PRId64 ".%s sat/vB", whole, f);
}

void tui_fmt_duration(char *out, size_t cap, int64_t s)
{
	if (cap == 0)
		return;
	if (s < 0)
		copy(out, cap, "-");
	else if (s < 60)
		snprintf(out, cap, "%" PRId64 " s", s);
	else if (s < 3600)
		snprintf(out, cap, "%" PRId64 " min", s / 60);
	else if (s < 86400)
		snprintf(out, cap, "%" PRId64 " h %" PRId64 " min", s / 3600, s % 3600 / 60);
	else
		snprintf(out, cap, "%" PRId64 " d %" PRId64 " h", s / 86400, s % 86400 / 3600);
}

/* One character at s: its length in bytes (>= 1) and its width. */
static size_t char_at(const char *s, size_t left, int *width)
{
	ucs4_t uc;
	int n = u8_mbtouc(&uc, (const uint8_t *)s, left);
	if (n <= 0 || uc == 0xfffd) {
		/* Invalid bytes: one column each (u8_mbtouc reports U+FFFD). */
		if (n <= 0)
			n = 1;
		*width = 1;
		return (size_t)n;
	}
	int w = uc_width(uc, "UTF-8");
	*width = w < 0 ? 1 : w;
	return (size_t)n;
}

size_t tui_fmt_width(const char *s)
{
	size_t len = strlen(s), i = 0, w = 0;
	while (i < len) {
		int cw;
		i += char_at(s + i, len - i, &cw);
		w += (size_t)cw;
	}
	return w;
}

size_t tui_fmt_fit(const char *s, size_t width)
{
	size_t len = strlen(s), i = 0, w = 0;
	while (i < len) {
		int cw;
		size_t n = char_at(s + i, len - i, &cw);
		if (w + (size_t)cw > width)
			break;
		w += (size_t)cw;
		i += n;
	}
	return i;
}

static size_t sep_at(const char *s)
{
	if (*s == ' ')
		return 1;
	if (!strncmp(s, "\xe3\x80\x80", 3))
		return 3;
	return 0;
}

size_t tui_fmt_wrap(const char *s, size_t width, size_t *next)
{
	size_t len = strcspn(s, "\n"), i = 0, w = 0, brk = 0, brk_next = 0;
	bool have_brk = false, prev_sep = false;
	while (i < len) {
		size_t sl = sep_at(s + i);
		if (sl) {
			if (!prev_sep)
				brk = i; /* the start of a run of separators */
			brk_next = i + sl;
			have_brk = true;
		}
		prev_sep = sl > 0;
		int cw;
		size_t n = char_at(s + i, len - i, &cw);
		if (w + (size_t)cw > width) {
			size_t end = have_brk && brk > 0 ? brk : i;
			size_t nx = have_brk && brk > 0 ? brk_next : i;
			if (end == 0 && width > 0) { /* a character wider than the line */
				end = n;
				nx = n;
			}
			while (s[nx] && sep_at(s + nx))
				nx += sep_at(s + nx);
			*next = nx;
			return end;
		}
		w += (size_t)cw;
		i += n;
	}
	*next = s[len] == '\n' ? len + 1 : len;
	return len;
}

void tui_layout_compute(struct tui_layout *l, int cols, int rows)
{
	memset(l, 0, sizeof *l);
	if (cols < TUI_MIN_COLS || rows < TUI_MIN_ROWS) {
		l->too_small = true;
		l->body = (struct tui_rect){ 0, 0, rows > 0 ? rows : 0, cols > 0 ? cols : 0 };
		return;
	}
	l->header = (struct tui_rect){ 0, 0, 2, cols };
	l->body = (struct tui_rect){ 2, 0, rows - 4, cols };
	l->footer = (struct tui_rect){ rows - 2, 0, 1, cols };
	l->message = (struct tui_rect){ rows - 1, 0, 1, cols };
}

size_t tui_layout_columns(const struct tui_col *cols, size_t n, int width, int *x, int *w)
{
	bool shown[64];
	if (n > 64)
		n = 64;
	for (size_t i = 0; i < n; i++) {
		shown[i] = true;
		x[i] = 0;
		w[i] = 0;
	}
	for (;;) {
		int need = 0, count = 0;
		for (size_t i = 0; i < n; i++)
			if (shown[i]) {
				need += cols[i].min;
				count++;
			}
		if (count > 1)
			need += count - 1;
		if (need <= width || count == 0)
			break;
		/* Hide the shown column with the highest drop priority (the
		 * rightmost among equals). */
		size_t victim = n;
		for (size_t i = 0; i < n; i++)
			if (shown[i] && cols[i].drop > 0 && (victim == n || cols[i].drop >= cols[victim].drop))
				victim = i;
		if (victim == n)
			break; /* nothing may go: the caller's table clips */
		shown[victim] = false;
	}
	int need = 0, count = 0, weights = 0;
	for (size_t i = 0; i < n; i++)
		if (shown[i]) {
			need += cols[i].min;
			count++;
			weights += cols[i].weight;
		}
	if (count > 1)
		need += count - 1;
	int spare = width > need ? width - need : 0, given = 0, pos = 0;
	size_t lastw = n;
	for (size_t i = 0; i < n; i++)
		if (shown[i] && cols[i].weight > 0)
			lastw = i;
	for (size_t i = 0; i < n; i++) {
		if (!shown[i])
			continue;
		int extra = 0;
		if (weights > 0 && cols[i].weight > 0) {
			extra = i == lastw ? spare - given : spare * cols[i].weight / weights;
			given += extra;
		}
		x[i] = pos;
		w[i] = cols[i].min + extra;
		pos += w[i] + 1;
	}
	return (size_t)count;
}

bool tui_qr_fit(int modules, bool utf8, int cols, int rows, int *w, int *h)
{
	int total = modules + 4;
	if (modules <= 0) {
		*w = *h = 0;
		return false;
	}
	if (utf8) {
		*w = total;
		*h = (total + 1) / 2;
	} else {
		*w = total * 2;
		*h = total;
	}
	return *w <= cols && *h <= rows;
}

int tui_progress_cells(int64_t done, int64_t total, int width)
{
	if (total <= 0 || width <= 0 || done <= 0)
		return 0;
	if (done >= total)
		return width;
	/* done < total here, so the product stays below total * width. */
	long double f = (long double)done / (long double)total;
	int c = (int)(f * width);
	return c < 0 ? 0 : c > width ? width : c;
}

size_t tui_list_top(size_t top, size_t sel, size_t n, size_t h)
{
	if (n == 0 || h == 0)
		return 0;
	if (sel >= n)
		sel = n - 1;
	if (sel < top)
		top = sel;
	if (sel >= top + h)
		top = sel - h + 1;
	if (n > h && top > n - h)
		top = n - h;
	if (n <= h)
		top = 0;
	return top;
}
