/*
 * Fuzz target: the 80-byte header codec and the header chain's batch
 * processing (spv_chain_process_headers) on a regtest chain in memory.
 *
 * Input: byte 0 is a mode, the rest whole 80-byte headers (a trailing
 * partial one is ignored). Mode bit 0 re-links each header's previous hash
 * to the header before it (the first to genesis) so the fuzzer reaches
 * the contextual checks instead of stopping at "orphan"; regtest's easy
 * proof of work lets about half of such headers through. Mode bit 1 sends
 * the batch twice (duplicates, then a second pass).
 */
#include "spv/chain.h"
#include "spv/header.h"
#include "wallet/mem.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_HEADERS 64

static int64_t fixed_clock(void *arg)
{
	(void)arg;
	return 1700000000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	data++;
	size--;
	size_t n = size / SPV_HEADER_LEN;
	if (n > MAX_HEADERS)
		n = MAX_HEADERS;

	/* the codec: parse then serialise gives the bytes back */
	for (size_t i = 0; i < n; i++) {
		struct spv_header h;
		uint8_t back[SPV_HEADER_LEN];
		if (spv_header_parse(&h, data + i * SPV_HEADER_LEN, SPV_HEADER_LEN) != KB_OK)
			__builtin_trap();
		spv_header_serialize(&h, back);
		if (memcmp(back, data + i * SPV_HEADER_LEN, SPV_HEADER_LEN) != 0)
			__builtin_trap();
	}
	struct spv_header h;
	if (spv_header_parse(&h, data, size % SPV_HEADER_LEN) == KB_OK && size % SPV_HEADER_LEN != 0)
		__builtin_trap();

	uint8_t *hdrs = kb_malloc(n ? n * SPV_HEADER_LEN : 1);
	memcpy(hdrs, data, n * SPV_HEADER_LEN);
	struct spv_chain_opts o = {0};
	o.clock = fixed_clock;
	o.max_side = 16;
	struct spv_chain *c = NULL;
	if (spv_chain_open(&c, KB_NET_REGTEST, NULL, &o, NULL, 0) != KB_OK) {
		kb_free(hdrs);
		return 0;
	}
	if (mode & 1) {
		struct hash256 prev = spv_chain_params(c)->genesis_hash;
		for (size_t i = 0; i < n; i++) {
			memcpy(hdrs + i * SPV_HEADER_LEN + SPV_HEADER_OFF_PREV, prev.b, 32);
			spv_header_hash_raw(&prev, hdrs + i * SPV_HEADER_LEN);
		}
	}
	for (int pass = 0; pass < ((mode & 2) ? 2 : 1); pass++) {
		struct spv_chain_result r;
		enum kb_rc rc = spv_chain_process_headers(c, &r, hdrs, n);
		if ((rc == KB_OK) != (r.reason == SPV_HDR_OK))
			__builtin_trap();
		if (r.accepted + r.duplicates > n)
			__builtin_trap();
		/* queries stay consistent whatever happened */
		struct hash256 tip, at;
		uint32_t height;
		spv_chain_tip(c, &tip, &height, NULL);
		if (spv_chain_hash_at(c, &at, height) != KB_OK || memcmp(at.b, tip.b, 32) != 0)
			__builtin_trap();
		struct hash256 loc[SPV_CHAIN_MAX_LOCATOR];
		if (spv_chain_locator(c, loc, SPV_CHAIN_MAX_LOCATOR) == 0)
			__builtin_trap();
	}
	spv_chain_free(c);
	kb_free(hdrs);
	return 0;
}
