/* Fuzz target: SOCKS5 proxy replies (method reply, CONNECT reply). */
#include "spv/socks5.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 2 && spv_socks5_method_reply_parse(data, 2) == KB_OK && data[0] != 5)
		abort();
	size_t used;
	uint8_t rep;
	enum kb_rc rc = spv_socks5_reply_parse(data, size, &used, &rep);
	if (rc == KB_OK && (used > size || used < 7 || used > SPV_SOCKS5_REPLY_MAX))
		abort();
	if (rc != KB_OK && used != 0)
		abort();
	if (rc == KB_ENET && rep == 0)
		abort();
	(void)spv_socks5_rep_str(rep);
	return 0;
}
