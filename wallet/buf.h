/*
 * A growable byte buffer: the deterministic writer every serialiser uses.
 * Appends abort on out-of-memory (like kb_malloc), so they cannot fail.
 */
#ifndef KOBAN_WALLET_BUF_H
#define KOBAN_WALLET_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t *p; /* owned */
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *b);
/* Frees the storage and resets b to empty. */
void buf_clear(struct buf *b);
/* Like buf_clear, but wipes the bytes first (for secrets). */
void buf_clear_wipe(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_reset(struct buf *b); /* len = 0, keeps storage */
void buf_bytes(struct buf *b, const void *p, size_t n);
void buf_u8(struct buf *b, uint8_t v);
void buf_u16le(struct buf *b, uint16_t v);
void buf_u16be(struct buf *b, uint16_t v);
void buf_u32le(struct buf *b, uint32_t v);
void buf_u32be(struct buf *b, uint32_t v);
void buf_u64le(struct buf *b, uint64_t v);
/* Bitcoin CompactSize, minimal encoding. */
void buf_varint(struct buf *b, uint64_t v);
/* A CompactSize length followed by the bytes. */
void buf_varbytes(struct buf *b, const void *p, size_t n);
/* Appends a C string without its terminator. */
void buf_str(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ensures a NUL after the data (not counted in len) and returns p as char*. */
char *buf_cstr(struct buf *b);
/* Hands the storage to the caller (who frees with kb_free); b becomes empty. */
uint8_t *buf_take(struct buf *b, size_t *len);
/* Size in bytes of v as a CompactSize. */
size_t varint_len(uint64_t v);

#endif
