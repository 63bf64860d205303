/*
 * Base64 (RFC 4648 section 4, the original alphabet with '=' padding), as
 * BIP174 uses for PSBTs in text. Thin wrappers over libsodium's
 * sodium_bin2base64 / sodium_base642bin that size-check first (libsodium
 * aborts on a short output buffer) and decode strictly: no whitespace, the
 * length a multiple of 4, exact padding, zero trailing bits. Callers cap
 * the input size (a PSBT's limit) before calling. Pure; may be called from
 * a loop callback.
 */
#ifndef KOBAN_WALLET_BASE64_H
#define KOBAN_WALLET_BASE64_H

#include "wallet/rc.h"

#include <stddef.h>
#include <stdint.h>

/* Largest input wallet_base64_encode takes (so lengths never overflow). */
#define WALLET_BASE64_MAX_BYTES ((size_t)1 << 30)

/* Buffer size (NUL included) to encode n bytes; n <= WALLET_BASE64_MAX_BYTES. */
size_t wallet_base64_encoded_len(size_t n);

/*
 * Encodes n bytes into out as NUL-terminated text. KB_ELIMIT when n is over
 * WALLET_BASE64_MAX_BYTES or outlen < wallet_base64_encoded_len(n); out is
 * then "" (if outlen > 0).
 */
enum kb_rc wallet_base64_encode(char *out, size_t outlen, const uint8_t *in,
                                size_t n) KB_WUR;

/* Most bytes slen characters can decode to (slen / 4 * 3). */
size_t wallet_base64_decoded_maxlen(size_t slen);

/*
 * Decodes slen characters of s (no NUL needed). KB_EPARSE for anything but
 * canonical padded base64, KB_ELIMIT when the result does not fit outcap.
 * On failure *written is 0.
 */
enum kb_rc wallet_base64_decode(uint8_t *out, size_t outcap, size_t *written,
                                const char *s, size_t slen) KB_WUR;

#endif
