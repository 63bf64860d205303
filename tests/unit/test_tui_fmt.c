/* The terminal UI's layout maths and formatting (tui/fmt.h): misuse and
 * edges first, then the values the screens show. */
#include "tests/support/testsupport.h"

#include "tui/fmt.h"
#include "tui/nodeview.h"

#include <string.h>

static void test_misuse(void **state)
{
	(void)state;
	char out[8];
	/* cap 0 writes nothing; tiny caps truncate and still terminate. */
	memset(out, 'x', sizeof out);
	tui_fmt_amount(out, 0, 150000, false, false);
	tui_fmt_abbrev(out, 0, "abcdef", 3);
	tui_fmt_date(out, 0, 1700000000);
	tui_fmt_confs(out, 0, WALLET_TX_CONFIRMED, 3, 6);
	tui_fmt_feerate(out, 0, 1000);
	tui_fmt_duration(out, 0, 5);
	assert_int_equal(out[0], 'x');
	tui_fmt_amount(out, 4, 150000, false, false);
	assert_string_equal(out, "0.0");
	tui_fmt_abbrev(out, 4, "bcrt1q6rz28mcfaxtmd6v789", 20);
	assert_string_equal(out, ""); /* does not fit: nothing rather than a wrong cut */
	tui_fmt_feerate(out, sizeof out, -1);
	assert_string_equal(out, "-");
	tui_fmt_duration(out, sizeof out, -5);
	assert_string_equal(out, "-");
	tui_fmt_date(out, sizeof out, 0);
	assert_string_equal(out, "-");
	tui_fmt_date(out, sizeof out, -100);
	assert_string_equal(out, "-");
	/* Confirmations with a target of 0 or less count as target 1. */
	char c[16];
	tui_fmt_confs(c, sizeof c, WALLET_TX_CONFIRMED, 1, 0);
	assert_string_equal(c, "1");
	tui_fmt_confs(c, sizeof c, WALLET_TX_CONFIRMED, -3, 6);
	assert_string_equal(c, "0/6");
	assert_string_equal(tui_fmt_state(WALLET_TX_CONFIRMED, 0, 6), "pending");
	assert_string_equal(tui_fmt_state(WALLET_TX_CONFIRMED, 1, -1), "confirmed");
	/* Invalid UTF-8 counts one column per byte. */
	assert_int_equal(tui_fmt_width("\xff\xfe" "a"), 3);
	assert_int_equal(tui_fmt_fit("\xff\xfe" "a", 2), 2);
	/* Zero-size lists and windows. */
	assert_int_equal(tui_list_top(5, 3, 0, 10), 0);
	assert_int_equal(tui_list_top(5, 3, 10, 0), 0);
	assert_int_equal(tui_progress_cells(5, 0, 10), 0);
	assert_int_equal(tui_progress_cells(5, 10, 0), 0);
	assert_int_equal(tui_progress_cells(-5, 10, 10), 0);
	assert_int_equal(tui_progress_cells(50, 10, 10), 10);
	int w, h;
	assert_false(tui_qr_fit(0, true, 80, 24, &w, &h));
	assert_false(tui_qr_fit(-3, false, 80, 24, &w, &h));
}

static void test_amounts(void **state)
{
	(void)state;
	char a[64];
	tui_fmt_amount(a, sizeof a, 150000, false, false);
	assert_string_equal(a, "0.00150000 BTC");
	tui_fmt_amount(a, sizeof a, 150000, false, true);
	assert_string_equal(a, "+0.00150000 BTC");
	tui_fmt_amount(a, sizeof a, -150000, false, true);
	assert_string_equal(a, "-0.00150000 BTC");
	tui_fmt_amount(a, sizeof a, 0, false, true);
	assert_string_equal(a, "0.00000000 BTC");
	tui_fmt_amount(a, sizeof a, 150000, true, true);
	assert_string_equal(a, "+150,000 sat");
	tui_fmt_amount(a, sizeof a, 2100000000000000LL, true, false);
	assert_string_equal(a, "2,100,000,000,000,000 sat");
	tui_fmt_amount(a, sizeof a, 2100000000000000LL, false, false);
	assert_string_equal(a, "21000000.00000000 BTC");
	tui_fmt_amount(a, sizeof a, -1, true, false);
	assert_string_equal(a, "-1 sat");
	char f[32];
	tui_fmt_feerate(f, sizeof f, 1000);
	assert_string_equal(f, "1 sat/vB");
	tui_fmt_feerate(f, sizeof f, 2500);
	assert_string_equal(f, "2.5 sat/vB");
	tui_fmt_feerate(f, sizeof f, 1001);
	assert_string_equal(f, "1.001 sat/vB");
	tui_fmt_feerate(f, sizeof f, 10);
	assert_string_equal(f, "0.01 sat/vB");
	tui_fmt_feerate(f, sizeof f, 0);
	assert_string_equal(f, "0 sat/vB");
}

static void test_addresses(void **state)
{
	(void)state;
	const char *addr = "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk";
	char o[64];
	tui_fmt_abbrev(o, sizeof o, addr, 60);
	assert_string_equal(o, addr);
	tui_fmt_abbrev(o, sizeof o, addr, strlen(addr));
	assert_string_equal(o, addr);
	/* 21 columns: 18 kept, 9 from the head and 9 from the tail. */
	tui_fmt_abbrev(o, sizeof o, addr, 21);
	assert_string_equal(o, "bcrt1q6rz...r9pz3cppk");
	tui_fmt_abbrev(o, sizeof o, addr, 7);
	assert_string_equal(o, "bc...pk");
	tui_fmt_abbrev(o, sizeof o, addr, 6);
	assert_string_equal(o, "bcrt1q");
	tui_fmt_abbrev(o, sizeof o, addr, 0);
	assert_string_equal(o, "");
	/* A txid:vout at the Coins screen's narrowest column. */
	tui_fmt_abbrev(o, sizeof o, "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b:1", 14);
	assert_string_equal(o, "4a5e1e...33b:1");
	assert_int_equal(strlen(o), 14);
}

static void test_dates_confs(void **state)
{
	(void)state;
	char d[32];
	tui_fmt_date(d, sizeof d, 1700000000);
	assert_string_equal(d, "2023-11-14 22:13");
	tui_fmt_date(d, sizeof d, 1231006505);
	assert_string_equal(d, "2009-01-03 18:15");
	char c[16];
	tui_fmt_confs(c, sizeof c, WALLET_TX_PENDING, 0, 6);
	assert_string_equal(c, "0/6");
	tui_fmt_confs(c, sizeof c, WALLET_TX_PENDING, 4, 6); /* pending ignores a stale count */
	assert_string_equal(c, "0/6");
	tui_fmt_confs(c, sizeof c, WALLET_TX_CONFIRMED, 1, 6);
	assert_string_equal(c, "1/6");
	tui_fmt_confs(c, sizeof c, WALLET_TX_CONFIRMED, 5, 6);
	assert_string_equal(c, "5/6");
	tui_fmt_confs(c, sizeof c, WALLET_TX_CONFIRMED, 6, 6);
	assert_string_equal(c, "6");
	tui_fmt_confs(c, sizeof c, WALLET_TX_CONFIRMED, 1234, 6);
	assert_string_equal(c, "1234");
	tui_fmt_confs(c, sizeof c, WALLET_TX_CONFLICTED, 3, 6);
	assert_string_equal(c, "-");
	tui_fmt_confs(c, sizeof c, WALLET_TX_REPLACED, 0, 6);
	assert_string_equal(c, "-");
	assert_string_equal(tui_fmt_state(WALLET_TX_PENDING, 0, 6), "pending");
	assert_string_equal(tui_fmt_state(WALLET_TX_CONFIRMED, 5, 6), "confirming");
	assert_string_equal(tui_fmt_state(WALLET_TX_CONFIRMED, 6, 6), "confirmed");
	assert_string_equal(tui_fmt_state(WALLET_TX_CONFLICTED, 0, 6), "conflicted");
	assert_string_equal(tui_fmt_state(WALLET_TX_REPLACED, 0, 6), "replaced");
	char t[32];
	tui_fmt_duration(t, sizeof t, 0);
	assert_string_equal(t, "0 s");
	tui_fmt_duration(t, sizeof t, 59);
	assert_string_equal(t, "59 s");
	tui_fmt_duration(t, sizeof t, 60);
	assert_string_equal(t, "1 min");
	tui_fmt_duration(t, sizeof t, 3599);
	assert_string_equal(t, "59 min");
	tui_fmt_duration(t, sizeof t, 12000);
	assert_string_equal(t, "3 h 20 min");
	tui_fmt_duration(t, sizeof t, 187200);
	assert_string_equal(t, "2 d 4 h");
}

static void test_widths(void **state)
{
	(void)state;
	assert_int_equal(tui_fmt_width(""), 0);
	assert_int_equal(tui_fmt_width("abandon"), 7);
	/* Japanese mnemonic words are double width: "あいこくしん" is 6 characters. */
	assert_int_equal(tui_fmt_width("\xe3\x81\x82\xe3\x81\x84\xe3\x81\x93\xe3\x81\x8f\xe3\x81\x97\xe3\x82\x93"), 12);
	/* Fitting never splits a character. */
	const char *ja = "\xe3\x81\x82\xe3\x81\x84"; /* あい */
	assert_int_equal(tui_fmt_fit(ja, 0), 0);
	assert_int_equal(tui_fmt_fit(ja, 1), 0);
	assert_int_equal(tui_fmt_fit(ja, 2), 3);
	assert_int_equal(tui_fmt_fit(ja, 3), 3);
	assert_int_equal(tui_fmt_fit(ja, 4), 6);
	assert_int_equal(tui_fmt_fit("abc", 10), 3);
	assert_int_equal(tui_fmt_fit("abc", 2), 2);
	/* The box-drawing and block characters the UI uses are one column. */
	assert_int_equal(tui_fmt_width("\xe2\x96\x80\xe2\x96\x84\xe2\x96\x88\xe2\x94\x80"), 4);
}

static void test_wrap(void **state)
{
	(void)state;
	size_t next;
	/* Misuse: empty text, zero width (nothing fits, nothing taken). */
	assert_int_equal(tui_fmt_wrap("", 10, &next), 0);
	assert_int_equal(next, 0);
	assert_int_equal(tui_fmt_wrap("abc", 0, &next), 0);
	/* Fits whole; stops at a newline and skips it. */
	assert_int_equal(tui_fmt_wrap("abandon about", 20, &next), 13);
	assert_int_equal(next, 13);
	assert_int_equal(tui_fmt_wrap("wpkh(x)\ntr(y)", 20, &next), 7);
	assert_int_equal(next, 8);
	/* Broken after the last space that fits; the spaces are skipped. */
	const char *m = "abandon abandon  about";
	assert_int_equal(tui_fmt_wrap(m, 12, &next), 7);
	assert_int_equal(next, 8);
	assert_int_equal(tui_fmt_wrap(m + 8, 12, &next), 7);
	assert_int_equal(next, 9);
	/* A word longer than the line is cut at a character boundary. */
	assert_int_equal(tui_fmt_wrap("tpubDCmnfghij", 5, &next), 5);
	assert_int_equal(next, 5);
	/* Japanese: ideographic spaces, two columns a character. */
	const char *ja = "\xe3\x81\x82\xe3\x81\x84\xe3\x80\x80\xe3\x81\x86\xe3\x81\x88"; /* あい　うえ */
	assert_int_equal(tui_fmt_wrap(ja, 6, &next), 6);
	assert_int_equal(next, 9);
	assert_int_equal(tui_fmt_wrap(ja, 3, &next), 3);  /* あ: never half a character */
	assert_int_equal(next, 3);
	assert_int_equal(tui_fmt_wrap(ja, 1, &next), 3);  /* narrower than a character: one taken */
	assert_int_equal(tui_fmt_wrap(ja, 10, &next), strlen(ja));
}

static void test_layout(void **state)
{
	(void)state;
	struct tui_layout l;
	tui_layout_compute(&l, 80, 24);
	assert_false(l.too_small);
	assert_int_equal(l.header.y, 0);
	assert_int_equal(l.header.h, 2);
	assert_int_equal(l.body.y, 2);
	assert_int_equal(l.body.h, 20);
	assert_int_equal(l.body.w, 80);
	assert_int_equal(l.footer.y, 22);
	assert_int_equal(l.message.y, 23);
	tui_layout_compute(&l, 60, 20);
	assert_false(l.too_small);
	assert_int_equal(l.body.h, 16);
	tui_layout_compute(&l, 120, 40);
	assert_int_equal(l.body.h, 36);
	assert_int_equal(l.footer.w, 120);
	tui_layout_compute(&l, TUI_MIN_COLS, TUI_MIN_ROWS);
	assert_false(l.too_small);
	tui_layout_compute(&l, TUI_MIN_COLS - 1, 24);
	assert_true(l.too_small);
	tui_layout_compute(&l, 80, TUI_MIN_ROWS - 1);
	assert_true(l.too_small);
	tui_layout_compute(&l, 0, 0);
	assert_true(l.too_small);
	assert_int_equal(l.body.w, 0);
	tui_layout_compute(&l, -5, -5);
	assert_true(l.too_small);
	assert_int_equal(l.body.h, 0);
}

static void test_columns(void **state)
{
	(void)state;
	/* The History table: date, amount, confs, state, label. */
	static const struct tui_col cols[5] = {
		{ 16, 0, 2 }, { 20, 0, 0 }, { 5, 0, 0 }, { 10, 0, 3 }, { 5, 1, 1 },
	};
	int x[5], w[5];
	/* 78 columns: all shown, the label takes the spare. */
	assert_int_equal(tui_layout_columns(cols, 5, 78, x, w), 5);
	assert_int_equal(x[0], 0);
	assert_int_equal(w[0], 16);
	assert_int_equal(x[1], 17);
	assert_int_equal(x[2], 38);
	assert_int_equal(x[3], 44);
	assert_int_equal(x[4], 55);
	assert_int_equal(w[4], 78 - 55);
	/* 58 columns (a 60-wide terminal): the state (drop 3) goes first. */
	assert_int_equal(tui_layout_columns(cols, 5, 58, x, w), 4);
	assert_int_equal(w[3], 0);
	assert_int_equal(w[0], 16);
	assert_int_equal(x[4], 44);
	assert_int_equal(w[4], 14);
	/* 40: the date goes too; 30: the label; amount and confs never go. */
	assert_int_equal(tui_layout_columns(cols, 5, 40, x, w), 3);
	assert_int_equal(w[0], 0);
	assert_int_equal(tui_layout_columns(cols, 5, 26, x, w), 2);
	assert_int_equal(w[4], 0);
	assert_int_equal(w[1], 20);
	assert_int_equal(w[2], 5);
	assert_int_equal(tui_layout_columns(cols, 5, 10, x, w), 2); /* nothing more may go */
	/* Spare width split by weight; the last weighted column takes the rounding. */
	static const struct tui_col two[3] = { { 4, 1, 0 }, { 4, 2, 0 }, { 3, 0, 0 } };
	assert_int_equal(tui_layout_columns(two, 3, 23, x, w), 3);
	assert_int_equal(w[0], 4 + 3);
	assert_int_equal(w[1], 4 + 7);
	assert_int_equal(w[0] + w[1] + w[2] + 2, 23);
	/* No columns. */
	assert_int_equal(tui_layout_columns(two, 0, 80, x, w), 0);
}

static void test_qr_fit(void **state)
{
	(void)state;
	int w, h;
	/* A bech32 regtest address in alphanumeric mode: version 2, 25 modules. */
	assert_true(tui_qr_fit(25, true, 80, 16, &w, &h));
	assert_int_equal(w, 29);
	assert_int_equal(h, 15);
	assert_false(tui_qr_fit(25, true, 80, 14, &w, &h));
	assert_false(tui_qr_fit(25, true, 28, 40, &w, &h));
	/* ASCII: two columns and one row per module. */
	assert_true(tui_qr_fit(25, false, 58, 29, &w, &h));
	assert_int_equal(w, 58);
	assert_int_equal(h, 29);
	assert_false(tui_qr_fit(25, false, 80, 20, &w, &h));
	/* Version 3 (29 modules): 33 high, 17 rows with half blocks. */
	assert_true(tui_qr_fit(29, true, 33, 17, &w, &h));
	assert_false(tui_qr_fit(29, true, 33, 16, &w, &h));
}

static void test_lists_progress(void **state)
{
	(void)state;
	assert_int_equal(tui_list_top(0, 0, 100, 10), 0);
	assert_int_equal(tui_list_top(0, 9, 100, 10), 0);
	assert_int_equal(tui_list_top(0, 10, 100, 10), 1);
	assert_int_equal(tui_list_top(50, 40, 100, 10), 40);
	assert_int_equal(tui_list_top(50, 55, 100, 10), 50);
	assert_int_equal(tui_list_top(95, 99, 100, 10), 90);
	assert_int_equal(tui_list_top(0, 500, 100, 10), 90); /* sel clamped */
	assert_int_equal(tui_list_top(7, 3, 5, 10), 0);     /* all fit */
	assert_int_equal(tui_progress_cells(0, 100, 20), 0);
	assert_int_equal(tui_progress_cells(50, 100, 20), 10);
	assert_int_equal(tui_progress_cells(99, 100, 20), 19);
	assert_int_equal(tui_progress_cells(100, 100, 20), 20);
	assert_int_equal(tui_progress_cells(870000, 880000, 50), 49);
	assert_int_equal(tui_progress_cells(INT64_MAX - 1, INT64_MAX, 50), 49);
	char s[64];
	tui_nodeview_services_text(s, sizeof s, 0);
	assert_string_equal(s, "none");
	tui_nodeview_services_text(s, sizeof s, 1 | 4 | 8);
	assert_string_equal(s, "network,bloom,witness");
	tui_nodeview_services_text(s, 9, 1 | 4 | 8);
	assert_string_equal(s, "network");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_amounts),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_dates_confs),
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_qr_fit),
		cmocka_unit_test(test_lists_progress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
