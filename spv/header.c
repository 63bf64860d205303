#include "spv/header.h"

#include "wallet/cursor.h"

#include <string.h>

enum kb_rc spv_header_parse(struct spv_header *out, const uint8_t *in, size_t len)
{
	memset(out, 0, sizeof *out);
	if (in == NULL || len != SPV_HEADER_LEN)
		return KB_EPARSE;
	struct cursor c;
	cursor_init(&c, in, len);
	struct spv_header h;
	h.version = cursor_i32le(&c);
	cursor_bytes(&c, h.prev.b, 32);
	cursor_bytes(&c, h.merkle_root.b, 32);
	h.time = cursor_u32le(&c);
	h.bits = cursor_u32le(&c);
	h.nonce = cursor_u32le(&c);
	if (!cursor_done(&c))
		return KB_EPARSE;
	*out = h;
	return KB_OK;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

void spv_header_serialize(const struct spv_header *h, uint8_t out[SPV_HEADER_LEN])
{
	put32(out + SPV_HEADER_OFF_VERSION, (uint32_t)h->version);
	memcpy(out + SPV_HEADER_OFF_PREV, h->prev.b, 32);
	memcpy(out + SPV_HEADER_OFF_MERKLE, h->merkle_root.b, 32);
	put32(out + SPV_HEADER_OFF_TIME, h->time);
	put32(out + SPV_HEADER_OFF_BITS, h->bits);
	put32(out + SPV_HEADER_OFF_NONCE, h->nonce);
}

/* libsodium's SHA-256, as for every hash in koban (DEVELOPERS.md: hashing
 * is libsodium's, not hand-rolled), even though it is most of the cost of
 * validating a header. */
void spv_header_hash_raw(struct hash256 *out, const uint8_t raw[SPV_HEADER_LEN])
{
	wallet_hash_sha256d(out->b, raw, SPV_HEADER_LEN);
}

void spv_header_hash(struct hash256 *out, const struct spv_header *h)
{
	uint8_t raw[SPV_HEADER_LEN];
	spv_header_serialize(h, raw);
	spv_header_hash_raw(out, raw);
}
