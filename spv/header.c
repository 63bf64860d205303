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

/*
 * SHA256d of a header is most of the cost of validating one, and
 * libsodium's SHA-256 is portable C. On x86-64 CPUs with the SHA
 * extensions the two hashes run on them instead (about 4x faster), for
 * this one fixed-size input only. The path is used only after it has
 * reproduced libsodium's result on a known header; otherwise, and on other
 * CPUs, libsodium computes every hash. tests/unit/test_chain_params.c
 * compares both on random inputs.
 */
#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHANI_PATH 1

static const uint32_t K256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};
static const uint32_t IV256[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

/* One SHA-256 compression of a 64-byte block into state (FIPS 180-4 order). */
__attribute__((target("sha,sse4.1,ssse3")))
static void shani_compress(uint32_t state[8], const uint8_t block[64])
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i tmp = _mm_loadu_si128((const __m128i *)(const void *)&state[0]);
	__m128i s1 = _mm_loadu_si128((const __m128i *)(const void *)&state[4]);
	tmp = _mm_shuffle_epi32(tmp, 0xB1);          /* CDAB */
	s1 = _mm_shuffle_epi32(s1, 0x1B);            /* EFGH */
	__m128i s0 = _mm_alignr_epi8(tmp, s1, 8);    /* ABEF */
	s1 = _mm_blend_epi16(s1, tmp, 0xF0);         /* CDGH */
	const __m128i abef = s0, cdgh = s1;
	__m128i m[4];
#pragma GCC unroll 16
	for (int q = 0; q < 16; q++) {
		__m128i w;
		if (q < 4) {
			w = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(block + 16 * q)), bswap);
		} else {
			/* W[t] = W[t-16] + s0(W[t-15]) + W[t-7] + s1(W[t-2]), four at a time */
			w = _mm_sha256msg1_epu32(m[q & 3], m[(q + 1) & 3]);
			w = _mm_add_epi32(w, _mm_alignr_epi8(m[(q + 3) & 3], m[(q + 2) & 3], 4));
			w = _mm_sha256msg2_epu32(w, m[(q + 3) & 3]);
		}
		m[q & 3] = w;
		__m128i k = _mm_add_epi32(w, _mm_loadu_si128((const __m128i *)(const void *)&K256[4 * q]));
		s1 = _mm_sha256rnds2_epu32(s1, s0, k);
		k = _mm_shuffle_epi32(k, 0x0E);
		s0 = _mm_sha256rnds2_epu32(s0, s1, k);
	}
	s0 = _mm_add_epi32(s0, abef);
	s1 = _mm_add_epi32(s1, cdgh);
	tmp = _mm_shuffle_epi32(s0, 0x1B);           /* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xB1);            /* DCHG */
	s0 = _mm_blend_epi16(tmp, s1, 0xF0);         /* DCBA */
	s1 = _mm_alignr_epi8(s1, tmp, 8);            /* HGFE */
	_mm_storeu_si128((__m128i *)(void *)&state[0], s0);
	_mm_storeu_si128((__m128i *)(void *)&state[4], s1);
}

static void be_words(uint8_t *out, const uint32_t *w, int n)
{
	for (int i = 0; i < n; i++) {
		out[4 * i] = (uint8_t)(w[i] >> 24);
		out[4 * i + 1] = (uint8_t)(w[i] >> 16);
		out[4 * i + 2] = (uint8_t)(w[i] >> 8);
		out[4 * i + 3] = (uint8_t)w[i];
	}
}

static void shani_sha256d_80(uint8_t out[32], const uint8_t in[SPV_HEADER_LEN])
{
	uint32_t st[8];
	uint8_t blk[64];
	memcpy(st, IV256, sizeof st);
	shani_compress(st, in);
	memset(blk, 0, sizeof blk);
	memcpy(blk, in + 64, 16);
	blk[16] = 0x80;
	blk[62] = 0x02; /* 640 bits */
	blk[63] = 0x80;
	shani_compress(st, blk);
	memset(blk, 0, sizeof blk);
	be_words(blk, st, 8);
	blk[32] = 0x80;
	blk[62] = 0x01; /* 256 bits */
	memcpy(st, IV256, sizeof st);
	shani_compress(st, blk);
	be_words(out, st, 8);
}

/* 0 unknown, 1 use the SHA extensions, -1 do not */
static int shani_state;

static bool shani_ok(void)
{
	if (shani_state == 0) {
		unsigned a, b, c, d;
		int ok = -1;
		if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_1) && (c & bit_SSSE3) &&
		    __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA)) {
			/* known answer: a header-sized input against libsodium */
			uint8_t in[SPV_HEADER_LEN], x[32], y[32];
			for (int i = 0; i < SPV_HEADER_LEN; i++)
				in[i] = (uint8_t)(i * 37 + 11);
			shani_sha256d_80(x, in);
			wallet_hash_sha256d(y, in, sizeof in);
			if (memcmp(x, y, 32) == 0)
				ok = 1;
		}
		shani_state = ok;
	}
	return shani_state > 0;
}
#endif

bool spv_header_hash_accelerated(void)
{
#ifdef HAVE_SHANI_PATH
	return shani_ok();
#else
	return false;
#endif
}

void spv_header_hash_raw(struct hash256 *out, const uint8_t raw[SPV_HEADER_LEN])
{
#ifdef HAVE_SHANI_PATH
	if (shani_ok()) {
		shani_sha256d_80(out->b, raw);
		return;
	}
#endif
	wallet_hash_sha256d(out->b, raw, SPV_HEADER_LEN);
}

void spv_header_hash(struct hash256 *out, const struct spv_header *h)
{
	uint8_t raw[SPV_HEADER_LEN];
	spv_header_serialize(h, raw);
	spv_header_hash_raw(out, raw);
}
