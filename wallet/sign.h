/*
 * Signing and verifying with libsecp256k1 (the shared wallet_secp()
 * context).
 *
 * ECDSA is Bitcoin Core's CKey::Sign: an RFC6979 deterministic nonce,
 * low-S (libsecp256k1 always signs low-S), and low-R grinding: when the
 * first signature's R has its top bit set, sign again with extra entropy
 * 32 bytes holding a little-endian counter 1, 2, ... until R is below
 * 0x80, so the DER encoding is at most 70 bytes and the signature with
 * its hash type byte at most 71. The same key and hash give the same
 * signature as Core's wallet. Every signature is verified before it is
 * returned (against faults, as Core does).
 *
 * Schnorr is BIP340 with the BIP341 key-path tweak: the internal key P
 * (the x-only public key of seckey) is tweaked by
 * t = TapTweak(P || merkle_root) (just P when there is no script tree), and
 * the output key's secret signs the 32-byte taproot signature hash. The
 * signature is 64 bytes for SIGHASH_DEFAULT, 65 with any other hash type
 * appended.
 *
 * Secrets: seckey is borrowed and is expected to live in secret memory
 * (kb_secret_alloc); these functions copy it only into secp256k1 structs
 * on the stack, which are wiped before every return.
 */
#ifndef KOBAN_WALLET_SIGN_H
#define KOBAN_WALLET_SIGN_H

#include "wallet/hash.h"
#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* DER (at most 72 bytes) and the hash type byte. */
#define WALLET_SIGN_ECDSA_MAX 73
/* Low-R DER (at most 70 bytes) and the hash type byte. */
#define WALLET_SIGN_ECDSA_LOWR_MAX 71
#define WALLET_SIGN_SCHNORR_MAX 65

/*
 * ECDSA-signs sighash with seckey and appends hash_type: sig receives
 * DER(r, s) || hash_type and *siglen its length (at most 71).
 * hash_type must be ALL, NONE or SINGLE, optionally | ANYONECANPAY
 * (0x01-0x03, 0x81-0x83). Errors: KB_EINVAL for another hash type or a
 * seckey that is zero or not below the group order; KB_ECRYPTO if
 * signing or the self-check fails. On failure sig is zeroed and
 * *siglen is 0.
 */
enum kb_rc wallet_sign_ecdsa(uint8_t sig[WALLET_SIGN_ECDSA_MAX], size_t *siglen,
                             const uint8_t seckey[32], const struct hash256 *sighash,
                             uint8_t hash_type) KB_WUR;

/*
 * Verifies a strict-DER ECDSA signature (without the hash type byte) over
 * sighash by a serialised public key (33 or 65 bytes). A high-S signature
 * is normalised first, so it verifies (the standardness rule against
 * high S is not this function's). False on any malformed input.
 */
bool wallet_sign_ecdsa_verify(const uint8_t *pubkey, size_t pubkey_len,
                              const struct hash256 *sighash,
                              const uint8_t *der, size_t der_len);

/*
 * Taproot key-path signature of sighash (a BIP341 TapSighash computed with
 * the same hash_type) by the output key of the internal key seckey and
 * merkle_root (NULL: no script tree, as BIP86). aux (32 bytes) is the
 * BIP340 auxiliary randomness; NULL draws it from libsodium's CSPRNG
 * (vectors pass their own). sig receives 64 bytes, or 65 with hash_type
 * appended when hash_type is not SIGHASH_DEFAULT; *siglen the length.
 * Errors: KB_EINVAL for a hash type BIP341 does not allow or a bad seckey;
 * KB_ECRYPTO if the tweak or signing fails (including the self-check
 * against the output key). On failure sig is zeroed and *siglen is 0.
 */
enum kb_rc wallet_sign_schnorr_taproot(uint8_t sig[WALLET_SIGN_SCHNORR_MAX], size_t *siglen,
                                       const uint8_t seckey[32],
                                       const struct hash256 *merkle_root,
                                       const struct hash256 *sighash, uint8_t hash_type,
                                       const uint8_t aux[32]) KB_WUR;

/*
 * The taproot output key Q = P + t*G of the x-only internal key P and
 * merkle_root (NULL for none): out receives Q's x coordinate and *parity
 * (may be NULL) its y parity (for a control block). KB_EINVAL if P is not
 * a valid x-only key; KB_ECRYPTO if the tweak fails (negligible chance).
 * On failure out is zeroed.
 */
enum kb_rc wallet_sign_taproot_output_key(uint8_t out[32], int *parity,
                                          const uint8_t internal_xonly[32],
                                          const struct hash256 *merkle_root) KB_WUR;

/* Verifies a 64-byte BIP340 signature of msg by an x-only public key. */
bool wallet_sign_schnorr_verify(const uint8_t xonly[32], const struct hash256 *msg,
                                const uint8_t sig[64]);

#endif
