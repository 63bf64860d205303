#include "tests/support/testsupport.h"

#include "wallet/hex.h"
#include "wallet/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ts_data_path(const char *rel)
{
	static char path[4096];
	const char *dir = getenv("KOBAN_TESTDATA");
	snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", rel);
	return path;
}

struct json *ts_load_json(const char *rel)
{
	struct json *j = NULL;
	char err[256];
	if (json_parse_file(&j, ts_data_path(rel), err, sizeof err) != KB_OK)
		fail_msg("cannot load %s: %s", rel, err);
	return j;
}

uint8_t *ts_read_file(const char *rel, size_t *len)
{
	FILE *fp = fopen(ts_data_path(rel), "rb");
	if (!fp)
		fail_msg("cannot open %s", ts_data_path(rel));
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_bytes(&b, chunk, n);
	fclose(fp);
	return buf_take(&b, len);
}

uint8_t *ts_unhex(const char *hex, size_t *len)
{
	uint8_t *p = wallet_hex_decode_new(hex, len);
	if (!p)
		fail_msg("bad hex in test data: %.40s", hex);
	return p;
}

void vec_start(struct vec *v, const char *name)
{
	v->name = name;
	v->run = v->failed = v->skipped = 0;
	v->case_failed = false;
}

void vec_fail(struct vec *v, size_t index, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: case %zu FAILED: ", v->name, index);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	v->case_failed = true;
}

void vec_skip(struct vec *v, size_t index, const char *fmt, ...)
{
	va_list ap;
	printf("%s: case %zu skipped: ", v->name, index);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	v->skipped++;
}

void vec_case_end(struct vec *v)
{
	v->run++;
	if (v->case_failed)
		v->failed++;
	v->case_failed = false;
}

void vec_finish(struct vec *v)
{
	printf("%s: %d cases, %d passed, %d failed, %d skipped\n",
	       v->name, v->run + v->skipped, v->run - v->failed, v->failed, v->skipped);
	fflush(stdout);
	if (v->failed)
		fail_msg("%s: %d of %d cases failed", v->name, v->failed, v->run);
	if (v->run == 0)
		fail_msg("%s: no case ran", v->name);
}

bool vec_check_hex(struct vec *v, size_t index, const char *what,
                   const void *got, size_t n, const char *want_hex)
{
	char *h = wallet_hex_new(got, n);
	bool ok = strcmp(h, want_hex) == 0;
	if (!ok)
		vec_fail(v, index, "%s: got %s, want %s", what, h, want_hex);
	kb_free(h);
	return ok;
}
