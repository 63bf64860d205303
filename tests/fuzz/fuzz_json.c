/* Fuzz target: the JSON reader (fee estimates, settings and vectors). */
#include "wallet/json.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json *j = NULL;
	char err[128];
	if (json_parse(&j, (const char *)data, size, err, sizeof err) == KB_OK) {
		/* a parsed tree can be walked and written back */
		struct buf b = BUF_INIT;
		struct json_writer w;
		json_w_init(&w, &b);
		if (j->type == JSON_STRING)
			json_w_strn(&w, j->str, j->len);
		buf_clear(&b);
		int64_t v;
		(void)json_int64(j, &v);
	}
	json_free(j);
	return 0;
}
