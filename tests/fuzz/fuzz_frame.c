/*
 * Fuzz target: the P2P frame decoder on a byte stream. The first byte
 * picks a chunk size (1..256) and the network magic is mainnet's; the rest
 * is fed to a spv_frame_reader in chunks, decoding after every chunk as a
 * peer connection does. Then the same bytes go through spv_frame_decode in
 * one piece, which must agree on the first frame.
 */
#include "spv/msg.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t magic[4] = { 0xf9, 0xbe, 0xb4, 0xd9 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t chunk = 1 + (size_t)data[0];
	data++;
	size--;

	struct spv_frame_reader r;
	struct spv_msg m;
	enum spv_frame_err first = SPV_FRAME_NEED_MORE, e = SPV_FRAME_NEED_MORE;
	enum spv_msg_type first_type = SPV_MSG_UNKNOWN;
	bool have_first = false;
	spv_frame_reader_init(&r, magic);
	for (size_t off = 0; off < size; off += chunk) {
		size_t k = size - off < chunk ? size - off : chunk;
		spv_frame_reader_feed(&r, data + off, k);
		while ((e = spv_frame_reader_next(&r, &m)) == SPV_FRAME_OK) {
			if (!have_first) {
				first = e;
				first_type = m.type;
				have_first = true;
			}
			spv_msg_clear(&m);
		}
		if (!have_first && e != SPV_FRAME_NEED_MORE) {
			first = e;
			have_first = true;
		}
	}
	spv_frame_reader_clear(&r);

	size_t used;
	struct spv_frame_hdr hdr;
	enum spv_frame_err one = spv_frame_decode(&m, &hdr, &used, size ? data : magic, size, magic);
	if (one == SPV_FRAME_OK && m.type != first_type)
		abort();
	spv_msg_clear(&m);
	if (have_first && one != first)
		abort();
	return 0;
}
