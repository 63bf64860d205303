/* Fuzz target: the filterload payload parsers (BIP37, issue 5): the P2P
 * message parser and spv_bloom_parse, which must agree (the filter refuses
 * in addition an empty filter, 0 hash functions and flags above 2). A
 * payload that parses must serialise back to the same bytes, and the
 * filter must answer queries on it without fault. */
#include "spv/bloom.h"
#include "spv/msg.h"
#include "wallet/mem.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spv_msg m;
	memset(&m, 0, sizeof m);
	bool msg_ok = spv_msg_filterload_parse(&m, data, size) == KB_OK;
	if (msg_ok) {
		m.type = SPV_MSG_FILTERLOAD;
		struct buf b = BUF_INIT;
		spv_msg_serialize(&b, &m);
		if (b.len != size || memcmp(b.p, data, size) != 0)
			abort();
		buf_clear(&b);
	}

	struct spv_bloom *f = kb_malloc(sizeof *f);
	bool bloom_ok = spv_bloom_parse(f, data, size) == KB_OK;
	bool usable = msg_ok && m.u.filterload.len > 0 && m.u.filterload.hash_funcs > 0 &&
	              m.u.filterload.flags <= 2;
	if (bloom_ok != usable)
		abort();
	if (bloom_ok) {
		struct buf b = BUF_INIT;
		spv_bloom_serialize(f, &b);
		if (b.len != size || memcmp(b.p, data, size) != 0)
			abort();
		buf_clear(&b);
		/* queries and an insert on a filter from outside */
		(void)spv_bloom_contains(f, data, size);
		spv_bloom_insert(f, data, size);
		if (!spv_bloom_contains(f, data, size))
			abort();
		double r = spv_bloom_fp_rate(f);
		if (!(r >= 0.0 && r <= 1.0))
			abort();
	}
	kb_free(f);
	spv_msg_clear(&m);
	return 0;
}
