/* Helpers shared by the unit and vector tests. */
#ifndef KOBAN_TESTS_SUPPORT_H
#define KOBAN_TESTS_SUPPORT_H

#include "wallet/json.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Path of a file under tests/data (KOBAN_TESTDATA); static buffer. */
const char *ts_data_path(const char *rel);
/* Loads and parses tests/data/<rel>; fails the test if it cannot. */
struct json *ts_load_json(const char *rel);
/* Reads a whole file; fails the test if it cannot. Caller kb_free()s. */
uint8_t *ts_read_file(const char *rel, size_t *len);
/* Hex helpers that fail the test on bad hex. Caller kb_free()s. */
uint8_t *ts_unhex(const char *hex, size_t *len);

/*
 * Vector bookkeeping: every case is counted, every failure names the case
 * index, every skip is counted with its reason (a skipped case needs no
 * vec_case_end); vec_finish() prints the
 * totals and fails the cmocka test when anything failed.
 */
struct vec {
	const char *name;
	int run, failed, skipped;
	bool case_failed;
};
void vec_start(struct vec *v, const char *name);
void vec_fail(struct vec *v, size_t index, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void vec_skip(struct vec *v, size_t index, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Ends a case that was not skipped: counts it, failed if vec_fail was called. */
void vec_case_end(struct vec *v);
void vec_finish(struct vec *v);

/* Compares a value with a hex string; on mismatch records a failure. */
bool vec_check_hex(struct vec *v, size_t index, const char *what,
                   const void *got, size_t n, const char *want_hex);

#endif
