/*
 * A small JSON reader (RFC 8259) and writer.
 *
 * The reader builds a tree from untrusted text with bounded depth and
 * size: the test vectors, the fee-estimate document from an HTTP server
 * and settings files go through it. Numbers keep their source text, so
 * integers read exactly (json_int64) and never pass through a double.
 *
 * The writer produces the single JSON document `--json` prints.
 */
#ifndef KOBAN_WALLET_JSON_H
#define KOBAN_WALLET_JSON_H

#include "wallet/buf.h"
#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

#define JSON_MAX_DEPTH 64
#define JSON_MAX_INPUT (64u << 20)

struct json {
	enum json_type type;
	bool boolean;
	char *str;            /* owned: string value (NUL-terminated) or number text */
	size_t len;           /* string length in bytes (may contain NUL) */
	char *key;            /* owned: the member name when inside an object */
	struct json **items;  /* owned: array elements or object members */
	size_t count;
};

/*
 * Parses text (len bytes; need not be NUL-terminated). On success *out is
 * the tree (caller frees with json_free). On failure *out is NULL and, if
 * err is given, it says where and why.
 */
enum kb_rc json_parse(struct json **out, const char *text, size_t len,
                      char *err, size_t errlen) KB_WUR;
/* Reads and parses a whole file. */
enum kb_rc json_parse_file(struct json **out, const char *path,
                           char *err, size_t errlen) KB_WUR;
void json_free(struct json *j);

/* Lookups return NULL when absent or of another type. */
const struct json *json_get(const struct json *obj, const char *key);
const struct json *json_at(const struct json *arr, size_t i);
const char *json_str(const struct json *j);            /* NULL unless a string */
const char *json_get_str(const struct json *obj, const char *key);
/* True and *v set when j is an integer number within int64 range. */
bool json_int64(const struct json *j, int64_t *v);
bool json_get_int64(const struct json *obj, const char *key, int64_t *v);
double json_number(const struct json *j);              /* 0 unless a number */
bool json_is(const struct json *j, enum json_type t);

/* Writer: appends JSON text to a buf. The caller places commas with
 * json_w_sep-free helpers below: each value/key function adds a comma
 * itself when the container already has an element. */
struct json_writer {
	struct buf *out;   /* borrowed */
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	bool after_key;
};
void json_w_init(struct json_writer *w, struct buf *out);
void json_w_obj_begin(struct json_writer *w);
void json_w_obj_end(struct json_writer *w);
void json_w_arr_begin(struct json_writer *w);
void json_w_arr_end(struct json_writer *w);
void json_w_key(struct json_writer *w, const char *key);
void json_w_str(struct json_writer *w, const char *s);
void json_w_strn(struct json_writer *w, const char *s, size_t n);
void json_w_int(struct json_writer *w, int64_t v);
void json_w_uint(struct json_writer *w, uint64_t v);
void json_w_bool(struct json_writer *w, bool v);
void json_w_null(struct json_writer *w);
/* Appends already-formatted JSON (a number text, say). */
void json_w_raw(struct json_writer *w, const char *raw);

#endif
