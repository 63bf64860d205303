#include "wallet/pow.h"

bool wallet_pow_check(const uint8_t hash[32], uint32_t bits, const struct u256 *pow_limit)
{
	struct u256 target, h;
	bool neg, ovf;
	u256_set_compact(&target, bits, &neg, &ovf);
	if (neg || ovf || u256_is_zero(&target) || u256_cmp(&target, pow_limit) > 0)
		return false;
	u256_from_le(&h, hash);
	return u256_cmp(&h, &target) <= 0;
}

static void scale(struct u256 *r, uint32_t bits, int64_t num, int64_t den,
                  const struct u256 *pow_limit)
{
	u256_set_compact(r, bits, NULL, NULL);
	u256_mul_u64(r, r, (uint64_t)num);
	struct u256 d;
	u256_from_u64(&d, (uint64_t)den);
	u256_div(r, r, &d);
	if (u256_cmp(r, pow_limit) > 0)
		*r = *pow_limit;
}

uint32_t wallet_pow_retarget(uint32_t base_bits, int64_t first_time, int64_t last_time,
                             const struct u256 *pow_limit, int64_t timespan)
{
	int64_t actual = last_time - first_time;
	if (actual < timespan / 4)
		actual = timespan / 4;
	if (actual > timespan * 4)
		actual = timespan * 4;
	struct u256 t;
	scale(&t, base_bits, actual, timespan, pow_limit);
	return u256_get_compact(&t, false);
}

bool wallet_pow_permitted_transition(int64_t height, uint32_t old_bits, uint32_t new_bits,
                                     const struct u256 *pow_limit, int64_t timespan,
                                     int64_t interval)
{
	if (height % interval != 0)
		return old_bits == new_bits;
	struct u256 observed, bound, rounded;
	u256_set_compact(&observed, new_bits, NULL, NULL);
	scale(&bound, old_bits, timespan * 4, timespan, pow_limit);
	u256_set_compact(&rounded, u256_get_compact(&bound, false), NULL, NULL);
	if (u256_cmp(&rounded, &observed) < 0)
		return false;
	scale(&bound, old_bits, timespan / 4, timespan, pow_limit);
	u256_set_compact(&rounded, u256_get_compact(&bound, false), NULL, NULL);
	if (u256_cmp(&rounded, &observed) > 0)
		return false;
	return true;
}
