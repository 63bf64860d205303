/*
 * Base58 and Base58Check (Bitcoin's legacy address and key text form).
 *
 * Base58 uses the alphabet 123456789ABCDEFGHJKLMNPQRSTUVWXYZabc...xyz
 * (no 0, O, I, l); every leading zero byte becomes a leading '1'.
 * Base58Check appends the first four bytes of SHA256d(payload) before
 * encoding. Inputs are bounded: at most WALLET_BASE58_MAX_BYTES bytes are
 * encoded and at most WALLET_BASE58_MAX_CHARS characters decoded, so the
 * quadratic conversion stays cheap on untrusted text.
 *
 * Decoding wipes its temporaries (WIF private keys pass through here).
 * All functions may be called from a loop callback.
 */
#ifndef KOBAN_WALLET_BASE58_H
#define KOBAN_WALLET_BASE58_H

#include "wallet/rc.h"

#include <stddef.h>
#include <stdint.h>

#define WALLET_BASE58_MAX_BYTES 256
#define WALLET_BASE58_MAX_CHARS 360
/* Characters (plus NUL) that n bytes can take; n*138/100 + 2 rounds up. */
#define WALLET_BASE58_ENCODED_MAX(n) ((n) * 138 / 100 + 2)

/*
 * Encodes n bytes (n <= WALLET_BASE58_MAX_BYTES) as NUL-terminated text.
 * KB_ELIMIT when n is too large or outlen too small; out is then "" (if
 * outlen > 0). On success *written (optional) is the text length.
 */
enum kb_rc wallet_base58_encode(char *out, size_t outlen, size_t *written,
                                const uint8_t *in, size_t n) KB_WUR;
/*
 * Decodes slen characters of s (no NUL needed, no whitespace allowed).
 * KB_EPARSE on a character outside the alphabet, KB_ELIMIT when slen is
 * over WALLET_BASE58_MAX_CHARS or the result does not fit outcap. On
 * failure *written is 0 and out is zeroed.
 */
enum kb_rc wallet_base58_decode(uint8_t *out, size_t outcap, size_t *written,
                                const char *s, size_t slen) KB_WUR;

/* Base58Check: payload n <= WALLET_BASE58_MAX_BYTES - 4. Same failures. */
enum kb_rc wallet_base58check_encode(char *out, size_t outlen, size_t *written,
                                     const uint8_t *payload, size_t n) KB_WUR;
/*
 * Decodes Base58Check text into its payload (checksum removed).
 * KB_EPARSE (bad character, or fewer than 4 bytes), KB_ELIMIT (too long for
 * the bound or outcap), KB_ECHECKSUM (the checksum does not match). On
 * failure *written is 0 and out is zeroed.
 */
enum kb_rc wallet_base58check_decode(uint8_t *out, size_t outcap, size_t *written,
                                     const char *s, size_t slen) KB_WUR;

#endif
