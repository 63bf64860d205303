/*
 * Hash functions. SHA-256, SHA-512 and HMAC-SHA512 are libsodium's;
 * PBKDF2-HMAC-SHA512 (BIP39) and BIP340 tagged hashes are built on them;
 * RIPEMD-160 is written here (wallet/ripemd160.c), HASH160 combines them.
 */
#ifndef KOBAN_WALLET_HASH_H
#define KOBAN_WALLET_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A 32-byte hash in internal (wire) byte order. */
struct hash256 {
	uint8_t b[32];
};
struct hash160 {
	uint8_t b[20];
};

void wallet_hash_sha256(uint8_t out[32], const void *in, size_t n);
void wallet_hash_sha256d(uint8_t out[32], const void *in, size_t n);
void wallet_hash_sha512(uint8_t out[64], const void *in, size_t n);
void wallet_hash_hmac_sha512(uint8_t out[64], const void *key, size_t keylen,
                             const void *in, size_t n);
void wallet_hash_hmac_sha256(uint8_t out[32], const void *key, size_t keylen,
                             const void *in, size_t n);
/* PBKDF2 with HMAC-SHA512; outlen bytes of derived key. */
void wallet_hash_pbkdf2_sha512(uint8_t *out, size_t outlen,
                               const void *pass, size_t passlen,
                               const void *salt, size_t saltlen,
                               uint32_t iterations);
void wallet_hash_ripemd160(uint8_t out[20], const void *in, size_t n);
/* RIPEMD160(SHA256(in)). */
void wallet_hash_hash160(uint8_t out[20], const void *in, size_t n);
/* BIP340: SHA256(SHA256(tag) || SHA256(tag) || msg). */
void wallet_hash_tagged(uint8_t out[32], const char *tag, const void *in, size_t n);
/* First four bytes of SHA256d: the base58check and P2P checksum. */
uint32_t wallet_hash_checksum4(const void *in, size_t n);

/* An incremental SHA-256 (for tagged hashes over several parts). */
struct wallet_sha256 {
	uint8_t state[128] __attribute__((aligned(16))); /* crypto_hash_sha256_state */
};
void wallet_sha256_init(struct wallet_sha256 *h);
/* Starts a BIP340 tagged hash: SHA256(tag)||SHA256(tag) already absorbed. */
void wallet_sha256_init_tagged(struct wallet_sha256 *h, const char *tag);
void wallet_sha256_update(struct wallet_sha256 *h, const void *in, size_t n);
void wallet_sha256_final(struct wallet_sha256 *h, uint8_t out[32]);

#endif
