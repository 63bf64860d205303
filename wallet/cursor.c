#include "wallet/cursor.h"

#include <string.h>

void cursor_fail(struct cursor *c)
{
	c->fail = true;
	c->n = 0;
}

bool cursor_done(const struct cursor *c)
{
	return !c->fail && c->n == 0;
}

const uint8_t *cursor_ptr(struct cursor *c, size_t n)
{
	if (c->fail || c->n < n) {
		cursor_fail(c);
		return NULL;
	}
	const uint8_t *p = c->p;
	c->p += n;
	c->n -= n;
	return p;
}

void cursor_bytes(struct cursor *c, void *out, size_t n)
{
	const uint8_t *p = cursor_ptr(c, n);
	if (p)
		memcpy(out, p, n);
	else if (n)
		memset(out, 0, n);
}

void cursor_skip(struct cursor *c, size_t n)
{
	(void)cursor_ptr(c, n);
}

uint8_t cursor_u8(struct cursor *c)
{
	const uint8_t *p = cursor_ptr(c, 1);
	return p ? p[0] : 0;
}

uint16_t cursor_u16le(struct cursor *c)
{
	const uint8_t *p = cursor_ptr(c, 2);
	return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

uint16_t cursor_u16be(struct cursor *c)
{
	const uint8_t *p = cursor_ptr(c, 2);
	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

uint32_t cursor_u32le(struct cursor *c)
{
	const uint8_t *p = cursor_ptr(c, 4);
	if (!p)
		return 0;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t cursor_u32be(struct cursor *c)
{
	const uint8_t *p = cursor_ptr(c, 4);
	if (!p)
		return 0;
	return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

uint64_t cursor_u64le(struct cursor *c)
{
	const uint8_t *p = cursor_ptr(c, 8);
	if (!p)
		return 0;
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int32_t cursor_i32le(struct cursor *c)
{
	return (int32_t)cursor_u32le(c);
}

int64_t cursor_i64le(struct cursor *c)
{
	return (int64_t)cursor_u64le(c);
}

uint64_t cursor_varint(struct cursor *c)
{
	uint8_t tag = cursor_u8(c);
	uint64_t v;
	switch (tag) {
	case 0xfd:
		v = cursor_u16le(c);
		if (v < 0xfd)
			goto noncanonical;
		return v;
	case 0xfe:
		v = cursor_u32le(c);
		if (v <= 0xffff)
			goto noncanonical;
		return v;
	case 0xff:
		v = cursor_u64le(c);
		if (v <= 0xffffffff)
			goto noncanonical;
		return v;
	default:
		return tag;
	}
noncanonical:
	cursor_fail(c);
	return 0;
}

size_t cursor_count(struct cursor *c, uint64_t max, size_t min_each)
{
	uint64_t v = cursor_varint(c);
	if (c->fail)
		return 0;
	if (v > max || (min_each && v > c->n / min_each)) {
		cursor_fail(c);
		return 0;
	}
	return (size_t)v;
}
