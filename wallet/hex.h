/* Hexadecimal encoding (lower case out; either case in). */
#ifndef KOBAN_WALLET_HEX_H
#define KOBAN_WALLET_HEX_H

#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes 2*n hex digits and a NUL into out (outlen >= 2*n+1). */
void wallet_hex_encode(char *out, size_t outlen, const void *in, size_t n);
/* Same, bytes reversed (Bitcoin's display order for hashes). */
void wallet_hex_encode_rev(char *out, size_t outlen, const void *in, size_t n);
/* Returns a kb_malloc'd hex string; caller frees with kb_free. */
char *wallet_hex_new(const void *in, size_t n);
/*
 * Decodes hex text of exactly hexlen characters into out (outcap bytes).
 * Sets *written. Fails with KB_EPARSE on odd length or a non-hex character
 * and KB_ELIMIT when out is too small; out is then zeroed.
 */
enum kb_rc wallet_hex_decode(uint8_t *out, size_t outcap, size_t *written,
                             const char *hex, size_t hexlen) KB_WUR;
/* Decodes a NUL-terminated string of exactly 2*n digits into n bytes. */
bool wallet_hex_decode_exact(uint8_t *out, size_t n, const char *hex);
/* Decodes into a kb_malloc'd buffer; NULL on bad hex. */
uint8_t *wallet_hex_decode_new(const char *hex, size_t *len);

#endif
