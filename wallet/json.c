#include "wallet/json.h"

#include "wallet/mem.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	const char *p, *end, *start;
	int depth;
	char *err;
	size_t errlen;
};

static void perr(struct parser *ps, const char *why)
{
	if (ps->err && ps->errlen)
		snprintf(ps->err, ps->errlen, "JSON error at byte %zu: %s",
		         (size_t)(ps->p - ps->start), why);
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static struct json *node(enum json_type t)
{
	struct json *j = kb_calloc(1, sizeof *j);
	j->type = t;
	return j;
}

void json_free(struct json *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->count; i++)
		json_free(j->items[i]);
	kb_free(j->items);
	kb_free(j->str);
	kb_free(j->key);
	kb_free(j);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static bool read_u4(struct parser *ps, uint32_t *v)
{
	if (ps->end - ps->p < 4)
		return false;
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(ps->p[i]);
		if (h < 0)
			return false;
		*v = *v << 4 | (uint32_t)h;
	}
	ps->p += 4;
	return true;
}

static void put_utf8(struct buf *b, uint32_t cp)
{
	if (cp < 0x80) {
		buf_u8(b, (uint8_t)cp);
	} else if (cp < 0x800) {
		buf_u8(b, (uint8_t)(0xc0 | cp >> 6));
		buf_u8(b, (uint8_t)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_u8(b, (uint8_t)(0xe0 | cp >> 12));
		buf_u8(b, (uint8_t)(0x80 | ((cp >> 6) & 0x3f)));
		buf_u8(b, (uint8_t)(0x80 | (cp & 0x3f)));
	} else {
		buf_u8(b, (uint8_t)(0xf0 | cp >> 18));
		buf_u8(b, (uint8_t)(0x80 | ((cp >> 12) & 0x3f)));
		buf_u8(b, (uint8_t)(0x80 | ((cp >> 6) & 0x3f)));
		buf_u8(b, (uint8_t)(0x80 | (cp & 0x3f)));
	}
}

static bool parse_string(struct parser *ps, char **out, size_t *outlen)
{
	struct buf b = BUF_INIT;
	ps->p++; /* opening quote */
	while (ps->p < ps->end) {
		unsigned char c = (unsigned char)*ps->p++;
		if (c == '"') {
			*outlen = b.len;
			buf_cstr(&b);
			*out = (char *)buf_take(&b, NULL);
			return true;
		}
		if (c < 0x20) {
			perr(ps, "control character in string");
			goto fail;
		}
		if (c != '\\') {
			buf_u8(&b, c);
			continue;
		}
		if (ps->p >= ps->end)
			break;
		char e = *ps->p++;
		uint32_t cp;
		switch (e) {
		case '"': buf_u8(&b, '"'); break;
		case '\\': buf_u8(&b, '\\'); break;
		case '/': buf_u8(&b, '/'); break;
		case 'b': buf_u8(&b, '\b'); break;
		case 'f': buf_u8(&b, '\f'); break;
		case 'n': buf_u8(&b, '\n'); break;
		case 'r': buf_u8(&b, '\r'); break;
		case 't': buf_u8(&b, '\t'); break;
		case 'u':
			if (!read_u4(ps, &cp)) {
				perr(ps, "bad \\u escape");
				goto fail;
			}
			if (cp >= 0xd800 && cp < 0xdc00) {
				uint32_t lo;
				if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') {
					perr(ps, "lone surrogate");
					goto fail;
				}
				ps->p += 2;
				if (!read_u4(ps, &lo) || lo < 0xdc00 || lo > 0xdfff) {
					perr(ps, "bad surrogate pair");
					goto fail;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				perr(ps, "lone surrogate");
				goto fail;
			}
			put_utf8(&b, cp);
			break;
		default:
			perr(ps, "bad escape");
			goto fail;
		}
	}
	perr(ps, "unterminated string");
fail:
	buf_clear(&b);
	return false;
}

static struct json *parse_value(struct parser *ps);

static bool push(struct json *parent, struct json *child, size_t *cap)
{
	if (parent->count == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		parent->items = kb_realloc(parent->items, *cap * sizeof *parent->items);
	}
	parent->items[parent->count++] = child;
	return true;
}

static struct json *parse_container(struct parser *ps, bool is_obj)
{
	if (++ps->depth > JSON_MAX_DEPTH) {
		perr(ps, "nested too deeply");
		return NULL;
	}
	struct json *j = node(is_obj ? JSON_OBJECT : JSON_ARRAY);
	size_t cap = 0;
	char close = is_obj ? '}' : ']';
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return j;
	}
	for (;;) {
		char *key = NULL;
		size_t klen;
		skip_ws(ps);
		if (is_obj) {
			if (ps->p >= ps->end || *ps->p != '"') {
				perr(ps, "expected a member name");
				goto fail;
			}
			if (!parse_string(ps, &key, &klen))
				goto fail;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				kb_free(key);
				perr(ps, "expected ':'");
				goto fail;
			}
			ps->p++;
		}
		struct json *v = parse_value(ps);
		if (!v) {
			kb_free(key);
			goto fail;
		}
		v->key = key;
		push(j, v, &cap);
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			break;
		}
		perr(ps, is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
		goto fail;
	}
	ps->depth--;
	return j;
fail:
	json_free(j);
	return NULL;
}

static struct json *parse_number(struct parser *ps)
{
	const char *s = ps->p;
	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p >= ps->end || !(*ps->p >= '0' && *ps->p <= '9'))
		goto bad;
	if (*ps->p == '0')
		ps->p++;
	else
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (ps->p >= ps->end || !(*ps->p >= '0' && *ps->p <= '9'))
			goto bad;
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || !(*ps->p >= '0' && *ps->p <= '9'))
			goto bad;
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	struct json *j = node(JSON_NUMBER);
	j->str = kb_strndup(s, (size_t)(ps->p - s));
	j->len = (size_t)(ps->p - s);
	return j;
bad:
	perr(ps, "bad number");
	return NULL;
}

static bool literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return false;
	ps->p += n;
	return true;
}

static struct json *parse_value(struct parser *ps)
{
	skip_ws(ps);
	if (ps->p >= ps->end) {
		perr(ps, "unexpected end");
		return NULL;
	}
	struct json *j;
	switch (*ps->p) {
	case '{': return parse_container(ps, true);
	case '[': return parse_container(ps, false);
	case '"':
		j = node(JSON_STRING);
		if (!parse_string(ps, &j->str, &j->len)) {
			json_free(j);
			return NULL;
		}
		return j;
	case 't':
	case 'f':
		if (literal(ps, "true") || literal(ps, "false")) {
			j = node(JSON_BOOL);
			j->boolean = ps->p[-1] == 'e' && ps->p[-2] == 'u';
			return j;
		}
		break;
	case 'n':
		if (literal(ps, "null"))
			return node(JSON_NULL);
		break;
	default:
		return parse_number(ps);
	}
	perr(ps, "unexpected character");
	return NULL;
}

enum kb_rc json_parse(struct json **out, const char *text, size_t len,
                      char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (len > JSON_MAX_INPUT) {
		if (err && errlen)
			snprintf(err, errlen, "JSON document too large");
		return KB_ELIMIT;
	}
	struct parser ps = { text, text + len, text, 0, err, errlen };
	struct json *j = parse_value(&ps);
	if (!j)
		return KB_EPARSE;
	skip_ws(&ps);
	if (ps.p != ps.end) {
		perr(&ps, "trailing data");
		json_free(j);
		return KB_EPARSE;
	}
	*out = j;
	return KB_OK;
}

enum kb_rc json_parse_file(struct json **out, const char *path, char *err, size_t errlen)
{
	*out = NULL;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		if (err && errlen)
			snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return KB_EIO;
	}
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		buf_bytes(&b, chunk, n);
		if (b.len > JSON_MAX_INPUT)
			break;
	}
	fclose(fp);
	enum kb_rc rc = json_parse(out, (const char *)b.p, b.len, err, errlen);
	buf_clear(&b);
	return rc;
}

bool json_is(const struct json *j, enum json_type t)
{
	return j && j->type == t;
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!json_is(obj, JSON_OBJECT))
		return NULL;
	for (size_t i = 0; i < obj->count; i++)
		if (strcmp(obj->items[i]->key, key) == 0)
			return obj->items[i];
	return NULL;
}

const struct json *json_at(const struct json *arr, size_t i)
{
	if (!arr || (arr->type != JSON_ARRAY && arr->type != JSON_OBJECT) || i >= arr->count)
		return NULL;
	return arr->items[i];
}

const char *json_str(const struct json *j)
{
	return json_is(j, JSON_STRING) ? j->str : NULL;
}

const char *json_get_str(const struct json *obj, const char *key)
{
	return json_str(json_get(obj, key));
}

bool json_int64(const struct json *j, int64_t *v)
{
	if (!json_is(j, JSON_NUMBER))
		return false;
	char *end;
	errno = 0;
	long long x = strtoll(j->str, &end, 10);
	if (errno || *end != '\0')
		return false;
	*v = x;
	return true;
}

bool json_get_int64(const struct json *obj, const char *key, int64_t *v)
{
	return json_int64(json_get(obj, key), v);
}

double json_number(const struct json *j)
{
	return json_is(j, JSON_NUMBER) ? strtod(j->str, NULL) : 0;
}

/* ---- writer ---- */

void json_w_init(struct json_writer *w, struct buf *out)
{
	memset(w, 0, sizeof *w);
	w->out = out;
}

static void sep(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->need_comma[w->depth])
		buf_u8(w->out, ',');
	w->need_comma[w->depth] = true;
}

static void open_(struct json_writer *w, char c)
{
	sep(w);
	buf_u8(w->out, (uint8_t)c);
	KB_ASSERT(w->depth + 1 < JSON_MAX_DEPTH);
	w->need_comma[++w->depth] = false;
}

static void close_(struct json_writer *w, char c)
{
	KB_ASSERT(w->depth > 0);
	w->depth--;
	buf_u8(w->out, (uint8_t)c);
}

void json_w_obj_begin(struct json_writer *w) { open_(w, '{'); }
void json_w_obj_end(struct json_writer *w) { close_(w, '}'); }
void json_w_arr_begin(struct json_writer *w) { open_(w, '['); }
void json_w_arr_end(struct json_writer *w) { close_(w, ']'); }

static void put_str(struct buf *b, const char *s, size_t n)
{
	buf_u8(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': buf_str(b, "\\\""); break;
		case '\\': buf_str(b, "\\\\"); break;
		case '\n': buf_str(b, "\\n"); break;
		case '\r': buf_str(b, "\\r"); break;
		case '\t': buf_str(b, "\\t"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				buf_printf(b, "\\u%04x", c);
			else
				buf_u8(b, c);
		}
	}
	buf_u8(b, '"');
}

void json_w_key(struct json_writer *w, const char *key)
{
	sep(w);
	put_str(w->out, key, strlen(key));
	buf_u8(w->out, ':');
	w->after_key = true;
}

void json_w_str(struct json_writer *w, const char *s)
{
	if (!s) {
		json_w_null(w);
		return;
	}
	json_w_strn(w, s, strlen(s));
}

void json_w_strn(struct json_writer *w, const char *s, size_t n)
{
	sep(w);
	put_str(w->out, s, n);
}

void json_w_int(struct json_writer *w, int64_t v)
{
	sep(w);
	buf_printf(w->out, "%" PRId64, v);
}

void json_w_uint(struct json_writer *w, uint64_t v)
{
	sep(w);
	buf_printf(w->out, "%" PRIu64, v);
}

void json_w_bool(struct json_writer *w, bool v)
{
	sep(w);
	buf_str(w->out, v ? "true" : "false");
}

void json_w_null(struct json_writer *w)
{
	sep(w);
	buf_str(w->out, "null");
}

void json_w_raw(struct json_writer *w, const char *raw)
{
	sep(w);
	buf_str(w->out, raw);
}
