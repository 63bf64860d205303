#include "wallet/hex.h"

#include "wallet/mem.h"

#include <string.h>

static const char digits[] = "0123456789abcdef";

void wallet_hex_encode(char *out, size_t outlen, const void *in, size_t n)
{
	const uint8_t *p = in;
	KB_ASSERT(outlen >= 2 * n + 1);
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

void wallet_hex_encode_rev(char *out, size_t outlen, const void *in, size_t n)
{
	const uint8_t *p = in;
	KB_ASSERT(outlen >= 2 * n + 1);
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[n - 1 - i] >> 4];
		out[2 * i + 1] = digits[p[n - 1 - i] & 15];
	}
	out[2 * n] = '\0';
}

char *wallet_hex_new(const void *in, size_t n)
{
	char *s = kb_malloc(2 * n + 1);
	wallet_hex_encode(s, 2 * n + 1, in, n);
	return s;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum kb_rc wallet_hex_decode(uint8_t *out, size_t outcap, size_t *written,
                             const char *hex, size_t hexlen)
{
	*written = 0;
	if (hexlen % 2)
		return KB_EPARSE;
	if (hexlen / 2 > outcap)
		return KB_ELIMIT;
	for (size_t i = 0; i < hexlen / 2; i++) {
		int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			memset(out, 0, outcap);
			return KB_EPARSE;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*written = hexlen / 2;
	return KB_OK;
}

bool wallet_hex_decode_exact(uint8_t *out, size_t n, const char *hex)
{
	size_t w;
	if (strlen(hex) != 2 * n)
		return false;
	return wallet_hex_decode(out, n, &w, hex, 2 * n) == KB_OK && w == n;
}

uint8_t *wallet_hex_decode_new(const char *hex, size_t *len)
{
	size_t hl = strlen(hex), w;
	uint8_t *out = kb_malloc(hl / 2 + 1);
	if (wallet_hex_decode(out, hl / 2 + 1, &w, hex, hl) != KB_OK) {
		kb_free(out);
		*len = 0;
		return NULL;
	}
	*len = w;
	return out;
}
