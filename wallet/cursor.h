/*
 * The one parse cursor for all decoding of outside bytes (STYLE.md §6).
 *
 * Reads fail stickily: after the first short read every later read fails
 * too and returns zeros, so a parser reads field after field and checks
 * once at the end with cursor_done() that nothing failed and nothing is
 * left over. Counts read off the wire must be bounded by the caller
 * (cursor_count) before anything is allocated.
 */
#ifndef KOBAN_WALLET_CURSOR_H
#define KOBAN_WALLET_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cursor {
	const uint8_t *p; /* borrowed */
	size_t n;         /* bytes left */
	bool fail;
};

static inline void cursor_init(struct cursor *c, const void *p, size_t n)
{
	c->p = p;
	c->n = n;
	c->fail = false;
}

/* Marks the cursor failed (for semantic errors found by the caller). */
void cursor_fail(struct cursor *c);
/* True when nothing failed and every byte was consumed. */
bool cursor_done(const struct cursor *c);
/* True when nothing failed (bytes may remain). */
static inline bool cursor_ok(const struct cursor *c) { return !c->fail; }

uint8_t cursor_u8(struct cursor *c);
uint16_t cursor_u16le(struct cursor *c);
uint16_t cursor_u16be(struct cursor *c);
uint32_t cursor_u32le(struct cursor *c);
uint32_t cursor_u32be(struct cursor *c);
uint64_t cursor_u64le(struct cursor *c);
int32_t cursor_i32le(struct cursor *c);
int64_t cursor_i64le(struct cursor *c);
/* Copies n bytes into out (zeros on failure). */
void cursor_bytes(struct cursor *c, void *out, size_t n);
/* Returns a pointer into the buffer for n bytes, or NULL (and fails). */
const uint8_t *cursor_ptr(struct cursor *c, size_t n);
void cursor_skip(struct cursor *c, size_t n);
/* Bitcoin CompactSize. Non-canonical (non-minimal) encodings fail. */
uint64_t cursor_varint(struct cursor *c);
/*
 * A CompactSize count that must not exceed max and must fit in the bytes
 * left at min_each bytes per element (min_each may be 0). Fails otherwise
 * and returns 0.
 */
size_t cursor_count(struct cursor *c, uint64_t max, size_t min_each);

#endif
