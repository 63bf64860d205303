#include "wallet/hash.h"

#include "wallet/mem.h"

#include <sodium.h>
#include <string.h>

_Static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(struct wallet_sha256),
               "wallet_sha256 too small for libsodium's state");

void wallet_hash_sha256(uint8_t out[32], const void *in, size_t n)
{
	crypto_hash_sha256(out, in, n);
}

void wallet_hash_sha256d(uint8_t out[32], const void *in, size_t n)
{
	uint8_t t[32];
	crypto_hash_sha256(t, in, n);
	crypto_hash_sha256(out, t, 32);
}

void wallet_hash_sha512(uint8_t out[64], const void *in, size_t n)
{
	crypto_hash_sha512(out, in, n);
}

void wallet_hash_hmac_sha512(uint8_t out[64], const void *key, size_t keylen,
                             const void *in, size_t n)
{
	crypto_auth_hmacsha512_state st;
	crypto_auth_hmacsha512_init(&st, key, keylen);
	crypto_auth_hmacsha512_update(&st, in, n);
	crypto_auth_hmacsha512_final(&st, out);
	sodium_memzero(&st, sizeof st);
}

void wallet_hash_hmac_sha256(uint8_t out[32], const void *key, size_t keylen,
                             const void *in, size_t n)
{
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, in, n);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof st);
}

void wallet_hash_pbkdf2_sha512(uint8_t *out, size_t outlen,
                               const void *pass, size_t passlen,
                               const void *salt, size_t saltlen,
                               uint32_t iterations)
{
	/* RFC 8018 §5.2. The keyed state is computed once and copied per
	 * block, which is where nearly all of BIP39's 2048 rounds go. */
	crypto_auth_hmacsha512_state keyed, st;
	uint8_t u[64], t[64], ctr[4];
	crypto_auth_hmacsha512_init(&keyed, pass, passlen);
	for (uint32_t block = 1; outlen > 0; block++) {
		ctr[0] = (uint8_t)(block >> 24);
		ctr[1] = (uint8_t)(block >> 16);
		ctr[2] = (uint8_t)(block >> 8);
		ctr[3] = (uint8_t)block;
		st = keyed;
		crypto_auth_hmacsha512_update(&st, salt, saltlen);
		crypto_auth_hmacsha512_update(&st, ctr, 4);
		crypto_auth_hmacsha512_final(&st, u);
		memcpy(t, u, 64);
		for (uint32_t i = 1; i < iterations; i++) {
			st = keyed;
			crypto_auth_hmacsha512_update(&st, u, 64);
			crypto_auth_hmacsha512_final(&st, u);
			for (int j = 0; j < 64; j++)
				t[j] ^= u[j];
		}
		size_t take = outlen < 64 ? outlen : 64;
		memcpy(out, t, take);
		out += take;
		outlen -= take;
	}
	sodium_memzero(&keyed, sizeof keyed);
	sodium_memzero(&st, sizeof st);
	sodium_memzero(u, sizeof u);
	sodium_memzero(t, sizeof t);
}

void wallet_hash_hash160(uint8_t out[20], const void *in, size_t n)
{
	uint8_t t[32];
	crypto_hash_sha256(t, in, n);
	wallet_hash_ripemd160(out, t, 32);
}

void wallet_sha256_init(struct wallet_sha256 *h)
{
	crypto_hash_sha256_init((crypto_hash_sha256_state *)h->state);
}

void wallet_sha256_init_tagged(struct wallet_sha256 *h, const char *tag)
{
	uint8_t th[32];
	crypto_hash_sha256(th, (const uint8_t *)tag, strlen(tag));
	wallet_sha256_init(h);
	wallet_sha256_update(h, th, 32);
	wallet_sha256_update(h, th, 32);
}

void wallet_sha256_update(struct wallet_sha256 *h, const void *in, size_t n)
{
	crypto_hash_sha256_update((crypto_hash_sha256_state *)h->state, in, n);
}

void wallet_sha256_final(struct wallet_sha256 *h, uint8_t out[32])
{
	crypto_hash_sha256_final((crypto_hash_sha256_state *)h->state, out);
}

void wallet_hash_tagged(uint8_t out[32], const char *tag, const void *in, size_t n)
{
	struct wallet_sha256 h;
	wallet_sha256_init_tagged(&h, tag);
	wallet_sha256_update(&h, in, n);
	wallet_sha256_final(&h, out);
}

uint32_t wallet_hash_checksum4(const void *in, size_t n)
{
	uint8_t h[32];
	wallet_hash_sha256d(h, in, n);
	return (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
}
