/* Fuzz target: the filterload payload parser alone (BIP37, issue 5). A payload
 * that parses must serialise back to the same bytes. */
#include "spv/msg.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spv_msg m;
	memset(&m, 0, sizeof m);
	if (spv_msg_filterload_parse(&m, data, size) != KB_OK)
		return 0;
	m.type = SPV_MSG_FILTERLOAD;
	struct buf b = BUF_INIT;
	spv_msg_serialize(&b, &m);
	if (b.len != size || memcmp(b.p, data, size) != 0)
		abort();
	buf_clear(&b);
	spv_msg_clear(&m);
	return 0;
}
