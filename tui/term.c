#include "tui/term.h"

#include "wallet/base64.h"
#include "wallet/mem.h"

#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static bool g_started;
static bool g_utf8;
static bool g_colour;
static bool g_have_tios;
static struct termios g_tios;          /* the terminal as we found it */
static char *g_osc;                    /* pending OSC 52 sequence */
static int g_attr[TUI_R_COUNT];

/* The crash path: only async-signal-safe calls (tcsetattr, write). It
 * leaves the alternate screen, resets attributes, shows the cursor. */
static void crash_reset(void)
{
	static const char reset[] = "\033[0m\033[?1049l\033[?25h\r\n";
	if (g_have_tios)
		tcsetattr(STDIN_FILENO, TCSANOW, &g_tios);
	if (write(STDOUT_FILENO, reset, sizeof reset - 1) < 0) { /* nothing to do */ }
}

static void crash_handler(int sig)
{
	crash_reset();
	/* SA_RESETHAND put the default action back: die of the same signal. */
	raise(sig);
}

static void fatal_hook(void)
{
	/* kb_fatal runs in normal context: endwin is fine here. */
	tui_term_stop();
}

static void install_crash_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = crash_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = (int)SA_RESETHAND;
	int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	kb_set_fatal_hook(fatal_hook);
}

static void uninstall_crash_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	kb_set_fatal_hook(NULL);
}

static void setup_roles(void)
{
	/* Monochrome mapping first; colours override when allowed. */
	g_attr[TUI_R_NORMAL] = A_NORMAL;
	g_attr[TUI_R_TITLE] = A_REVERSE;
	g_attr[TUI_R_MAINNET] = A_BOLD | A_REVERSE;
	g_attr[TUI_R_TESTNET] = A_UNDERLINE;
	g_attr[TUI_R_KEY] = A_BOLD;
	g_attr[TUI_R_SELECTED] = A_REVERSE;
	g_attr[TUI_R_GOOD] = A_NORMAL;
	g_attr[TUI_R_WARN] = A_BOLD;
	g_attr[TUI_R_BAD] = A_BOLD | A_UNDERLINE;
	g_attr[TUI_R_DIM] = A_DIM;
	g_attr[TUI_R_INPUT] = A_UNDERLINE;
	if (!g_colour)
		return;
	struct { enum tui_role r; short fg, bg; int extra; } map[] = {
		{ TUI_R_TITLE, COLOR_WHITE, COLOR_BLUE, A_BOLD },
		{ TUI_R_MAINNET, COLOR_WHITE, COLOR_RED, A_BOLD },
		{ TUI_R_TESTNET, COLOR_BLACK, COLOR_YELLOW, 0 },
		{ TUI_R_KEY, COLOR_CYAN, -1, A_BOLD },
		{ TUI_R_SELECTED, COLOR_BLACK, COLOR_CYAN, 0 },
		{ TUI_R_GOOD, COLOR_GREEN, -1, 0 },
		{ TUI_R_WARN, COLOR_YELLOW, -1, A_BOLD },
		{ TUI_R_BAD, COLOR_RED, -1, A_BOLD },
		{ TUI_R_DIM, COLOR_BLUE, -1, 0 },
		{ TUI_R_INPUT, -1, -1, A_UNDERLINE },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		short pair = (short)(i + 1);
		if (pair >= COLOR_PAIRS)
			break;
		init_pair(pair, map[i].fg, map[i].bg);
		g_attr[map[i].r] = (int)COLOR_PAIR(pair) | map[i].extra;
	}
}

bool tui_term_start(char *err, size_t errlen)
{
	if (g_started)
		return true;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "the terminal interface needs a terminal (use the commands in scripts: koban --help)");
		return false;
	}
	setlocale(LC_ALL, "");
	const char *cs = nl_langinfo(CODESET);
	g_utf8 = cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
	g_have_tios = tcgetattr(STDIN_FILENO, &g_tios) == 0;
	install_crash_handlers();
	if (!newterm(NULL, stdout, stdin)) {
		uninstall_crash_handlers();
		snprintf(err, errlen, "cannot start the terminal interface on TERM=%s",
		         getenv("TERM") ? getenv("TERM") : "(unset)");
		return false;
	}
	g_started = true;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	const char *nc = getenv("NO_COLOR");
	g_colour = !(nc && nc[0]) && has_colors();
	if (g_colour) {
		start_color();
		use_default_colors();
	}
	setup_roles();
	return true;
}

void tui_term_stop(void)
{
	if (!g_started)
		return;
	g_started = false;
	curs_set(1);
	endwin();
	if (g_have_tios)
		tcsetattr(STDIN_FILENO, TCSANOW, &g_tios);
	uninstall_crash_handlers();
	free(g_osc);
	g_osc = NULL;
}

bool tui_term_utf8(void) { return g_utf8; }
bool tui_term_colour(void) { return g_colour; }

int tui_term_attr(enum tui_role r)
{
	return r < TUI_R_COUNT ? g_attr[r] : (int)A_NORMAL;
}

static bool g_cursor;
void tui_term_want_cursor(void) { g_cursor = true; }
bool tui_term_take_cursor(void)
{
	bool c = g_cursor;
	g_cursor = false;
	return c;
}

const char *tui_term_hline(void)
{
	return g_utf8 ? "\xe2\x94\x80" : "-";
}

bool tui_term_osc52(const char *text)
{
	size_t n = strlen(text);
	if (n > 60000)
		return false;
	size_t blen = wallet_base64_encoded_len(n);
	char *seq = malloc(blen + 32);
	if (!seq)
		return false;
	/* OSC 52 ; c ; base64 BEL. tmux and screen pass it on or keep it. */
	memcpy(seq, "\033]52;c;", 7);
	if (wallet_base64_encode(seq + 7, blen, (const uint8_t *)text, n) != KB_OK) {
		free(seq);
		return false;
	}
	size_t l = strlen(seq);
	seq[l] = '\a';
	seq[l + 1] = '\0';
	free(g_osc);
	g_osc = seq;
	return true;
}

void tui_term_flush_extra(void)
{
	if (!g_osc)
		return;
	size_t n = strlen(g_osc), off = 0;
	while (off < n) {
		ssize_t r = write(STDOUT_FILENO, g_osc + off, n - off);
		if (r <= 0)
			break;
		off += (size_t)r;
	}
	free(g_osc);
	g_osc = NULL;
}
