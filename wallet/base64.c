#include "wallet/base64.h"

#include <sodium.h>
#include <string.h>

size_t wallet_base64_encoded_len(size_t n)
{
	return sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
}

enum kb_rc wallet_base64_encode(char *out, size_t outlen, const uint8_t *in, size_t n)
{
	if (outlen > 0)
		out[0] = '\0';
	if (n > WALLET_BASE64_MAX_BYTES || outlen < wallet_base64_encoded_len(n))
		return KB_ELIMIT;
	sodium_bin2base64(out, outlen, in, n, sodium_base64_VARIANT_ORIGINAL);
	return KB_OK;
}

size_t wallet_base64_decoded_maxlen(size_t slen)
{
	return slen / 4 * 3;
}

enum kb_rc wallet_base64_decode(uint8_t *out, size_t outcap, size_t *written,
                                const char *s, size_t slen)
{
	size_t want, got = 0;

	*written = 0;
	if (slen % 4 != 0)
		return KB_EPARSE;
	if (slen == 0)
		return KB_OK;
	/*
	 * libsodium reads each character as a (signed) char: a byte >= 0x80
	 * can compare equal to '/' or '+' and be decoded. Check the alphabet.
	 */
	for (size_t i = 0; i < slen; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/' || c == '='))
			return KB_EPARSE;
	}
	/* the exact length, so a short buffer is told from bad text */
	want = slen / 4 * 3;
	if (s[slen - 1] == '=')
		want--;
	if (s[slen - 2] == '=')
		want--;
	if (want > outcap)
		return KB_ELIMIT;
	if (sodium_base642bin(out, outcap, s, slen, NULL, &got, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 || got != want)
		return KB_EPARSE;
	*written = got;
	return KB_OK;
}
