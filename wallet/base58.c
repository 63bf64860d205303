#include "wallet/base58.h"

#include "wallet/hash.h"
#include "wallet/mem.h"

#include <string.h>

static const char alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Digit value of c, or -1. */
static int digit(unsigned char c)
{
	const char *p;
	if (c == 0)
		return -1;
	p = strchr(alphabet, c);
	return p ? (int)(p - alphabet) : -1;
}

enum kb_rc wallet_base58_encode(char *out, size_t outlen, size_t *written,
                                const uint8_t *in, size_t n)
{
	/* 256 bytes need at most 350 base58 digits */
	uint8_t b58[WALLET_BASE58_ENCODED_MAX(WALLET_BASE58_MAX_BYTES)];
	size_t zeros = 0, len = 0, i, j;
	enum kb_rc rc = KB_OK;

	if (outlen > 0)
		out[0] = '\0';
	if (written)
		*written = 0;
	if (n > WALLET_BASE58_MAX_BYTES)
		return KB_ELIMIT;
	while (zeros < n && in[zeros] == 0)
		zeros++;
	/* b58 holds big-endian base-58 digits, the last len of them in use */
	size_t size = (n - zeros) * 138 / 100 + 1;
	memset(b58, 0, size);
	for (i = zeros; i < n; i++) {
		unsigned carry = in[i];
		size_t k = 0;
		for (j = size; j > 0 && (carry != 0 || k < len); j--, k++) {
			carry += 256u * b58[j - 1];
			b58[j - 1] = (uint8_t)(carry % 58);
			carry /= 58;
		}
		KB_ASSERT(carry == 0);
		len = k;
	}
	size_t start = size - len;
	while (start < size && b58[start] == 0)
		start++;
	size_t total = zeros + (size - start);
	if (outlen < total + 1) {
		rc = KB_ELIMIT;
		goto out;
	}
	for (i = 0; i < zeros; i++)
		out[i] = '1';
	for (j = start; j < size; j++)
		out[i++] = alphabet[b58[j]];
	out[i] = '\0';
	if (written)
		*written = total;
out:
	kb_wipe(b58, sizeof b58);
	return rc;
}

enum kb_rc wallet_base58_decode(uint8_t *out, size_t outcap, size_t *written,
                                const char *s, size_t slen)
{
	/* 360 digits make at most 264 bytes */
	uint8_t b256[WALLET_BASE58_MAX_CHARS * 733 / 1000 + 1];
	size_t zeros = 0, len = 0, i, j;
	enum kb_rc rc = KB_OK;

	*written = 0;
	if (outcap > 0)
		memset(out, 0, outcap);
	if (slen > WALLET_BASE58_MAX_CHARS)
		return KB_ELIMIT;
	while (zeros < slen && s[zeros] == '1')
		zeros++;
	size_t size = (slen - zeros) * 733 / 1000 + 1;
	memset(b256, 0, size);
	for (i = zeros; i < slen; i++) {
		int d = digit((unsigned char)s[i]);
		if (d < 0) {
			rc = KB_EPARSE;
			goto out;
		}
		unsigned carry = (unsigned)d;
		size_t k = 0;
		for (j = size; j > 0 && (carry != 0 || k < len); j--, k++) {
			carry += 58u * b256[j - 1];
			b256[j - 1] = (uint8_t)(carry & 0xff);
			carry >>= 8;
		}
		KB_ASSERT(carry == 0);
		len = k;
	}
	size_t start = size - len;
	while (start < size && b256[start] == 0)
		start++;
	size_t total = zeros + (size - start);
	if (total > outcap) {
		rc = KB_ELIMIT;
		goto out;
	}
	memset(out, 0, zeros);
	if (size > start)
		memcpy(out + zeros, b256 + start, size - start);
	*written = total;
out:
	kb_wipe(b256, sizeof b256);
	return rc;
}

enum kb_rc wallet_base58check_encode(char *out, size_t outlen, size_t *written,
                                     const uint8_t *payload, size_t n)
{
	uint8_t buf[WALLET_BASE58_MAX_BYTES];
	uint8_t h[32];
	enum kb_rc rc;

	if (outlen > 0)
		out[0] = '\0';
	if (written)
		*written = 0;
	if (n > WALLET_BASE58_MAX_BYTES - 4)
		return KB_ELIMIT;
	if (n > 0)
		memcpy(buf, payload, n);
	wallet_hash_sha256d(h, payload, n);
	memcpy(buf + n, h, 4);
	rc = wallet_base58_encode(out, outlen, written, buf, n + 4);
	kb_wipe(buf, sizeof buf);
	kb_wipe(h, sizeof h);
	return rc;
}

enum kb_rc wallet_base58check_decode(uint8_t *out, size_t outcap, size_t *written,
                                     const char *s, size_t slen)
{
	uint8_t buf[WALLET_BASE58_MAX_CHARS * 733 / 1000 + 1];
	uint8_t h[32];
	size_t n = 0;
	enum kb_rc rc;

	*written = 0;
	if (outcap > 0)
		memset(out, 0, outcap);
	rc = wallet_base58_decode(buf, sizeof buf, &n, s, slen);
	if (rc != KB_OK)
		goto out;
	if (n < 4) {
		rc = KB_EPARSE;
		goto out;
	}
	wallet_hash_sha256d(h, buf, n - 4);
	if (memcmp(h, buf + n - 4, 4) != 0) {
		rc = KB_ECHECKSUM;
		goto out;
	}
	if (n - 4 > outcap) {
		rc = KB_ELIMIT;
		goto out;
	}
	if (n > 4)
		memcpy(out, buf, n - 4);
	*written = n - 4;
out:
	kb_wipe(buf, sizeof buf);
	kb_wipe(h, sizeof h);
	return rc;
}
