/*
 * Fuzz target: every P2P message parser. The first byte picks the message
 * type (1 + byte % 24, in enum spv_msg_type order), the rest is the
 * payload. A payload that parses must serialise back to the same bytes
 * (except addrv2 entries skipped per BIP155), or the target aborts.
 */
#include "spv/msg.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum spv_msg_type type = (enum spv_msg_type)(1 + data[0] % (SPV_MSG_TYPE_COUNT - 1));
	struct spv_msg m;
	if (spv_msg_parse(&m, type, data + 1, size - 1) != KB_OK)
		return 0;
	bool skipped = type == SPV_MSG_ADDRV2 && m.u.addr.skipped > 0;
	struct buf b = BUF_INIT;
	spv_msg_serialize(&b, &m);
	if (!skipped && (b.len != size - 1 || (b.len && memcmp(b.p, data + 1, b.len) != 0)))
		abort();
	buf_clear(&b);
	spv_msg_clear(&m);
	return 0;
}
