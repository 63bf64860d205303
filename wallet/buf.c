#include "wallet/buf.h"

#include "wallet/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void buf_init(struct buf *b)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_clear(struct buf *b)
{
	kb_free(b->p);
	buf_init(b);
}

void buf_clear_wipe(struct buf *b)
{
	kb_wipe(b->p, b->cap);
	buf_clear(b);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
}

void buf_reserve(struct buf *b, size_t extra)
{
	if (extra > SIZE_MAX - b->len - 1)
		kb_fatal(__FILE__, __LINE__, "buffer size overflow");
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->p = kb_realloc(b->p, cap);
	b->cap = cap;
}

void buf_bytes(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

void buf_u8(struct buf *b, uint8_t v)
{
	buf_bytes(b, &v, 1);
}

void buf_u16le(struct buf *b, uint16_t v)
{
	uint8_t t[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	buf_bytes(b, t, 2);
}

void buf_u16be(struct buf *b, uint16_t v)
{
	uint8_t t[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	buf_bytes(b, t, 2);
}

void buf_u32le(struct buf *b, uint32_t v)
{
	uint8_t t[4];
	for (int i = 0; i < 4; i++)
		t[i] = (uint8_t)(v >> (8 * i));
	buf_bytes(b, t, 4);
}

void buf_u32be(struct buf *b, uint32_t v)
{
	uint8_t t[4];
	for (int i = 0; i < 4; i++)
		t[3 - i] = (uint8_t)(v >> (8 * i));
	buf_bytes(b, t, 4);
}

void buf_u64le(struct buf *b, uint64_t v)
{
	uint8_t t[8];
	for (int i = 0; i < 8; i++)
		t[i] = (uint8_t)(v >> (8 * i));
	buf_bytes(b, t, 8);
}

size_t varint_len(uint64_t v)
{
	if (v < 0xfd)
		return 1;
	if (v <= 0xffff)
		return 3;
	if (v <= 0xffffffff)
		return 5;
	return 9;
}

void buf_varint(struct buf *b, uint64_t v)
{
	if (v < 0xfd) {
		buf_u8(b, (uint8_t)v);
	} else if (v <= 0xffff) {
		buf_u8(b, 0xfd);
		buf_u16le(b, (uint16_t)v);
	} else if (v <= 0xffffffff) {
		buf_u8(b, 0xfe);
		buf_u32le(b, (uint32_t)v);
	} else {
		buf_u8(b, 0xff);
		buf_u64le(b, v);
	}
}

void buf_varbytes(struct buf *b, const void *p, size_t n)
{
	buf_varint(b, n);
	buf_bytes(b, p, n);
}

void buf_str(struct buf *b, const char *s)
{
	buf_bytes(b, s, strlen(s));
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *buf_cstr(struct buf *b)
{
	buf_reserve(b, 0);
	b->p[b->len] = '\0';
	return (char *)b->p;
}

uint8_t *buf_take(struct buf *b, size_t *len)
{
	uint8_t *p = b->p;
	if (len)
		*len = b->len;
	if (!p)
		p = kb_calloc(1, 1);
	buf_init(b);
	return p;
}
