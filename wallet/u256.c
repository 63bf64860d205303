#include "wallet/u256.h"

#include "wallet/hex.h"
#include "wallet/mem.h"

#include <string.h>

void u256_zero(struct u256 *a)
{
	memset(a, 0, sizeof *a);
}

void u256_from_u64(struct u256 *a, uint64_t v)
{
	u256_zero(a);
	a->w[0] = (uint32_t)v;
	a->w[1] = (uint32_t)(v >> 32);
}

void u256_from_le(struct u256 *a, const uint8_t in[32])
{
	for (int i = 0; i < 8; i++)
		a->w[i] = (uint32_t)in[4 * i] | (uint32_t)in[4 * i + 1] << 8 |
		          (uint32_t)in[4 * i + 2] << 16 | (uint32_t)in[4 * i + 3] << 24;
}

void u256_to_le(const struct u256 *a, uint8_t out[32])
{
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (uint8_t)(a->w[i] >> (8 * j));
}

bool u256_from_hex(struct u256 *a, const char *hex)
{
	uint8_t be[32], le[32];
	if (!wallet_hex_decode_exact(be, 32, hex))
		return false;
	for (int i = 0; i < 32; i++)
		le[i] = be[31 - i];
	u256_from_le(a, le);
	return true;
}

void u256_to_hex(const struct u256 *a, char out[65])
{
	uint8_t le[32];
	u256_to_le(a, le);
	wallet_hex_encode_rev(out, 65, le, 32);
}

bool u256_is_zero(const struct u256 *a)
{
	for (int i = 0; i < 8; i++)
		if (a->w[i])
			return false;
	return true;
}

int u256_cmp(const struct u256 *a, const struct u256 *b)
{
	for (int i = 7; i >= 0; i--) {
		if (a->w[i] < b->w[i])
			return -1;
		if (a->w[i] > b->w[i])
			return 1;
	}
	return 0;
}

unsigned u256_bits(const struct u256 *a)
{
	for (int i = 7; i >= 0; i--)
		if (a->w[i])
			return (unsigned)(32 * i + 32 - __builtin_clz(a->w[i]));
	return 0;
}

uint64_t u256_low64(const struct u256 *a)
{
	return (uint64_t)a->w[0] | (uint64_t)a->w[1] << 32;
}

void u256_add(struct u256 *r, const struct u256 *a, const struct u256 *b)
{
	uint64_t carry = 0;
	for (int i = 0; i < 8; i++) {
		uint64_t s = (uint64_t)a->w[i] + b->w[i] + carry;
		r->w[i] = (uint32_t)s;
		carry = s >> 32;
	}
}

void u256_sub(struct u256 *r, const struct u256 *a, const struct u256 *b)
{
	uint64_t borrow = 0;
	for (int i = 0; i < 8; i++) {
		uint64_t d = (uint64_t)a->w[i] - b->w[i] - borrow;
		r->w[i] = (uint32_t)d;
		borrow = (d >> 63) & 1;
	}
}

void u256_mul_u32(struct u256 *r, const struct u256 *a, uint32_t m)
{
	uint64_t carry = 0;
	for (int i = 0; i < 8; i++) {
		uint64_t p = (uint64_t)a->w[i] * m + carry;
		r->w[i] = (uint32_t)p;
		carry = p >> 32;
	}
}

void u256_mul_u64(struct u256 *r, const struct u256 *a, uint64_t m)
{
	struct u256 lo, hi;
	u256_mul_u32(&lo, a, (uint32_t)m);
	u256_mul_u32(&hi, a, (uint32_t)(m >> 32));
	u256_shl(&hi, &hi, 32);
	u256_add(r, &lo, &hi);
}

void u256_not(struct u256 *r, const struct u256 *a)
{
	for (int i = 0; i < 8; i++)
		r->w[i] = ~a->w[i];
}

void u256_shl(struct u256 *r, const struct u256 *a, unsigned n)
{
	struct u256 t;
	u256_zero(&t);
	unsigned words = n / 32, bits = n % 32;
	for (int i = 7; i >= 0; i--) {
		if ((unsigned)i < words)
			break;
		uint32_t v = a->w[i - (int)words] << bits;
		if (bits && i - (int)words - 1 >= 0)
			v |= a->w[i - (int)words - 1] >> (32 - bits);
		t.w[i] = v;
	}
	*r = t;
}

void u256_shr(struct u256 *r, const struct u256 *a, unsigned n)
{
	struct u256 t;
	u256_zero(&t);
	unsigned words = n / 32, bits = n % 32;
	for (unsigned i = 0; i + words < 8; i++) {
		uint32_t v = a->w[i + words] >> bits;
		if (bits && i + words + 1 < 8)
			v |= a->w[i + words + 1] << (32 - bits);
		t.w[i] = v;
	}
	*r = t;
}

void u256_div_u32(struct u256 *r, const struct u256 *a, uint32_t d)
{
	KB_ASSERT(d != 0);
	uint64_t rem = 0;
	struct u256 q;
	for (int i = 7; i >= 0; i--) {
		uint64_t cur = rem << 32 | a->w[i];
		q.w[i] = (uint32_t)(cur / d);
		rem = cur % d;
	}
	*r = q;
}

void u256_div(struct u256 *r, const struct u256 *a, const struct u256 *d)
{
	KB_ASSERT(!u256_is_zero(d));
	struct u256 num = *a, div = *d, q;
	u256_zero(&q);
	unsigned nb = u256_bits(&num), db = u256_bits(&div);
	if (nb < db) {
		*r = q;
		return;
	}
	unsigned shift = nb - db;
	u256_shl(&div, &div, shift);
	for (int s = (int)shift; s >= 0; s--) {
		if (u256_cmp(&num, &div) >= 0) {
			u256_sub(&num, &num, &div);
			q.w[s / 32] |= 1u << (s % 32);
		}
		u256_shr(&div, &div, 1);
	}
	*r = q;
}

void u256_set_compact(struct u256 *a, uint32_t compact, bool *negative, bool *overflow)
{
	unsigned size = compact >> 24;
	uint32_t word = compact & 0x007fffff;
	if (size <= 3) {
		word >>= 8 * (3 - size);
		u256_from_u64(a, word);
	} else {
		u256_from_u64(a, word);
		u256_shl(a, a, 8 * (size - 3));
	}
	if (negative)
		*negative = word != 0 && (compact & 0x00800000) != 0;
	if (overflow)
		*overflow = word != 0 && ((size > 34) ||
		                          (word > 0xff && size > 33) ||
		                          (word > 0xffff && size > 32));
}

uint32_t u256_get_compact(const struct u256 *a, bool negative)
{
	unsigned size = (u256_bits(a) + 7) / 8;
	uint32_t compact;
	if (size <= 3) {
		compact = (uint32_t)(u256_low64(a) << 8 * (3 - size));
	} else {
		struct u256 t;
		u256_shr(&t, a, 8 * (size - 3));
		compact = (uint32_t)u256_low64(&t);
	}
	/* The 0x00800000 bit is the sign: if it is set, divide the mantissa
	 * by 256 and raise the exponent. */
	if (compact & 0x00800000) {
		compact >>= 8;
		size++;
	}
	compact |= (uint32_t)size << 24;
	compact |= (negative && (compact & 0x007fffff) ? 0x00800000 : 0);
	return compact;
}

void u256_work_from_target(struct u256 *work, const struct u256 *target)
{
	struct u256 one, t1, inv;
	if (u256_is_zero(target)) {
		u256_zero(work);
		return;
	}
	u256_from_u64(&one, 1);
	u256_add(&t1, target, &one);
	if (u256_is_zero(&t1)) { /* target = 2^256-1: work is 1 */
		*work = one;
		return;
	}
	u256_not(&inv, target);
	u256_div(work, &inv, &t1);
	u256_add(work, work, &one);
}
