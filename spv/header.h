/*
 * The 80-byte Bitcoin block header: parse, serialise, hash.
 *
 * Wire layout (all little-endian): version i32, previous block hash (32,
 * internal order), merkle root (32), time u32, bits u32, nonce u32. The
 * block hash is SHA256d of those 80 bytes, in internal order (compare it
 * directly with a target via wallet/pow.h). Parsing then serialising gives
 * the input back byte for byte.
 */
#ifndef KOBAN_SPV_HEADER_H
#define KOBAN_SPV_HEADER_H

#include "wallet/hash.h"
#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPV_HEADER_LEN 80

struct spv_header {
	int32_t version;          /* signed, as in Core: a set top bit is below every minimum */
	struct hash256 prev;
	struct hash256 merkle_root;
	uint32_t time;
	uint32_t bits;
	uint32_t nonce;
};

/*
 * Parses exactly SPV_HEADER_LEN bytes. KB_EPARSE when len differs; *out is
 * zeroed first, so it is all-zero on failure.
 */
enum kb_rc spv_header_parse(struct spv_header *out, const uint8_t *in, size_t len) KB_WUR;
/* Writes the 80-byte wire form. */
void spv_header_serialize(const struct spv_header *h, uint8_t out[SPV_HEADER_LEN]);
/* SHA256d of the wire form (internal byte order). */
void spv_header_hash(struct hash256 *out, const struct spv_header *h);
/* SHA256d of 80 raw bytes (libsodium): the hash of the header they encode. */
void spv_header_hash_raw(struct hash256 *out, const uint8_t raw[SPV_HEADER_LEN]);

/* Field readers on raw wire bytes (no copy; for the hot paths). */
static inline uint32_t spv_header_raw_u32(const uint8_t *raw, size_t off)
{
	return (uint32_t)raw[off] | (uint32_t)raw[off + 1] << 8 |
	       (uint32_t)raw[off + 2] << 16 | (uint32_t)raw[off + 3] << 24;
}
#define SPV_HEADER_OFF_VERSION 0
#define SPV_HEADER_OFF_PREV 4
#define SPV_HEADER_OFF_MERKLE 36
#define SPV_HEADER_OFF_TIME 68
#define SPV_HEADER_OFF_BITS 72
#define SPV_HEADER_OFF_NONCE 76

#endif
