/*
 * 256-bit unsigned integers for proof-of-work targets and chain work, and
 * the compact "nBits" encoding (Bitcoin Core's arith_uint256 semantics:
 * arithmetic wraps modulo 2^256, SetCompact reports negative and overflow).
 *
 * Words are little-endian: w[0] is the least significant 32 bits. Bytes
 * convert in the internal (wire) order of block hashes: byte 0 is least
 * significant, so a header hash compares directly against a target.
 */
#ifndef KOBAN_WALLET_U256_H
#define KOBAN_WALLET_U256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct u256 {
	uint32_t w[8];
};

void u256_zero(struct u256 *a);
void u256_from_u64(struct u256 *a, uint64_t v);
void u256_from_le(struct u256 *a, const uint8_t in[32]);
void u256_to_le(const struct u256 *a, uint8_t out[32]);
/* Big-endian hex of exactly 64 digits (display order); false on bad input. */
bool u256_from_hex(struct u256 *a, const char *hex);
void u256_to_hex(const struct u256 *a, char out[65]);

bool u256_is_zero(const struct u256 *a);
int u256_cmp(const struct u256 *a, const struct u256 *b);
unsigned u256_bits(const struct u256 *a); /* position of highest set bit + 1 */
uint64_t u256_low64(const struct u256 *a);

/* r = a + b, a - b, a * m, a / d (wrapping mod 2^256); r may alias a or b. */
void u256_add(struct u256 *r, const struct u256 *a, const struct u256 *b);
void u256_sub(struct u256 *r, const struct u256 *a, const struct u256 *b);
void u256_mul_u32(struct u256 *r, const struct u256 *a, uint32_t m);
void u256_mul_u64(struct u256 *r, const struct u256 *a, uint64_t m);
/* d must not be zero (asserted: callers check). */
void u256_div(struct u256 *r, const struct u256 *a, const struct u256 *d);
void u256_div_u32(struct u256 *r, const struct u256 *a, uint32_t d);
void u256_not(struct u256 *r, const struct u256 *a);
void u256_shl(struct u256 *r, const struct u256 *a, unsigned n);
void u256_shr(struct u256 *r, const struct u256 *a, unsigned n);

/*
 * Decodes nBits. *negative and *overflow as in Core's SetCompact (either
 * pointer may be NULL). A target that is negative, overflowing or zero is
 * never a valid proof-of-work target; callers check.
 */
void u256_set_compact(struct u256 *a, uint32_t compact, bool *negative, bool *overflow);
uint32_t u256_get_compact(const struct u256 *a, bool negative);

/*
 * The work a block with this target represents: 2^256 / (target + 1),
 * computed as (~target / (target + 1)) + 1. Zero for a zero target.
 */
void u256_work_from_target(struct u256 *work, const struct u256 *target);

#endif
