/*
 * Fuzz target: Base58, Base58Check and Base64 decoding of untrusted text
 * (pasted keys and addresses, PSBT files). What decodes must encode back to
 * the same text (both encodings are canonical); abort() otherwise.
 */
#include "wallet/base58.h"
#include "wallet/base64.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	static uint8_t buf[1 << 16];
	static char text[(1 << 16) * 2];
	size_t n = 0, w = 0;

	if (wallet_base58_decode(buf, sizeof buf, &n, s, size) != KB_OK && n != 0)
		abort();

	/* decoding allows a little more than encoding (360 digits vs 256 bytes) */
	if (wallet_base58_decode(buf, sizeof buf, &n, s, size) == KB_OK &&
	    n <= WALLET_BASE58_MAX_BYTES) {
		if (wallet_base58_encode(text, sizeof text, &w, buf, n) != KB_OK ||
		    w != size || memcmp(text, s, size) != 0)
			abort();
	}
	if (wallet_base58check_decode(buf, sizeof buf, &n, s, size) == KB_OK &&
	    n <= WALLET_BASE58_MAX_BYTES - 4) {
		if (wallet_base58check_encode(text, sizeof text, &w, buf, n) != KB_OK ||
		    w != size || memcmp(text, s, size) != 0)
			abort();
	}
	/* a too-small buffer never overflows */
	if (wallet_base58_decode(buf, size / 2, &n, s, size) == KB_OK && n > size / 2)
		abort();

	if (size <= sizeof buf && wallet_base64_decode(buf, sizeof buf, &n, s, size) == KB_OK) {
		if (n > wallet_base64_decoded_maxlen(size) ||
		    wallet_base64_encode(text, sizeof text, buf, n) != KB_OK ||
		    strlen(text) != size || memcmp(text, s, size) != 0)
			abort();
	}
	if (wallet_base64_decode(buf, size / 4, &n, s, size) == KB_OK && n > size / 4)
		abort();
	return 0;
}
