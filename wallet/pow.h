/*
 * Proof-of-work arithmetic (Bitcoin Core pow.cpp): the check of a header
 * hash against its target, the retarget computation at a 2016-block
 * boundary, and the sanity bound on a difficulty transition. Chain rules
 * that need history (which blocks, min-difficulty walks) live in spv/.
 */
#ifndef KOBAN_WALLET_POW_H
#define KOBAN_WALLET_POW_H

#include "wallet/u256.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * True when bits decode to a positive, non-overflowing target not above
 * pow_limit and hash (internal byte order) is at or below it.
 */
bool wallet_pow_check(const uint8_t hash[32], uint32_t bits, const struct u256 *pow_limit);

/*
 * The next target's nBits: base_bits scaled by the period's actual
 * timespan (last_time - first_time, clamped to [timespan/4, timespan*4])
 * over timespan, capped at pow_limit. base_bits is the last block's bits
 * (BIP94 passes the first block's of the period instead).
 */
uint32_t wallet_pow_retarget(uint32_t base_bits, int64_t first_time, int64_t last_time,
                             const struct u256 *pow_limit, int64_t timespan);

/*
 * Core's PermittedDifficultyTransition for chains without min-difficulty
 * blocks: off a boundary bits must not change; on one, the new target must
 * lie within what a 4x timespan swing allows.
 */
bool wallet_pow_permitted_transition(int64_t height, uint32_t old_bits, uint32_t new_bits,
                                     const struct u256 *pow_limit, int64_t timespan,
                                     int64_t interval);

#endif
