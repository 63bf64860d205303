#include "wallet/sign.h"

#include "wallet/mem.h"
#include "wallet/secp.h"
#include "wallet/sighash.h"

#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#include <sodium.h>
#include <string.h>

/* Core's grinding gives up after this many tries; each try halves the
 * chance of a high R, so reaching it means something is broken. */
#define LOWR_MAX_TRIES 256u

static bool ecdsa_type_valid(uint8_t t)
{
	uint8_t base = t & (uint8_t)~WALLET_SIGHASH_ANYONECANPAY;
	return base >= WALLET_SIGHASH_ALL && base <= WALLET_SIGHASH_SINGLE;
}

/* Core's SigHasLowR: the compact R's top bit is clear. */
static bool sig_has_low_r(const secp256k1_ecdsa_signature *sig)
{
	uint8_t compact[64];
	if (!secp256k1_ecdsa_signature_serialize_compact(wallet_secp(), compact, sig))
		return false;
	return compact[0] < 0x80;
}

enum kb_rc wallet_sign_ecdsa(uint8_t sig[WALLET_SIGN_ECDSA_MAX], size_t *siglen,
                             const uint8_t seckey[32], const struct hash256 *sighash,
                             uint8_t hash_type)
{
	const secp256k1_context *ctx = wallet_secp();
	memset(sig, 0, WALLET_SIGN_ECDSA_MAX);
	*siglen = 0;
	if (!ecdsa_type_valid(hash_type) || !secp256k1_ec_seckey_verify(ctx, seckey))
		return KB_EINVAL;

	secp256k1_ecdsa_signature s;
	uint8_t extra[32] = { 0 };
	uint32_t counter = 0;
	int ok = secp256k1_ecdsa_sign(ctx, &s, sighash->b, seckey,
	                              secp256k1_nonce_function_rfc6979, NULL);
	while (ok && !sig_has_low_r(&s)) {
		if (++counter > LOWR_MAX_TRIES)
			return KB_ECRYPTO;
		extra[0] = (uint8_t)counter;
		extra[1] = (uint8_t)(counter >> 8);
		extra[2] = (uint8_t)(counter >> 16);
		extra[3] = (uint8_t)(counter >> 24);
		ok = secp256k1_ecdsa_sign(ctx, &s, sighash->b, seckey,
		                          secp256k1_nonce_function_rfc6979, extra);
	}
	if (!ok)
		return KB_ECRYPTO;

	/* verify before use, against a faulty computation */
	secp256k1_pubkey pub;
	if (!secp256k1_ec_pubkey_create(ctx, &pub, seckey) ||
	    !secp256k1_ecdsa_verify(ctx, &s, sighash->b, &pub))
		return KB_ECRYPTO;

	size_t n = WALLET_SIGN_ECDSA_MAX - 1;
	if (!secp256k1_ecdsa_signature_serialize_der(ctx, sig, &n, &s) ||
	    n > WALLET_SIGN_ECDSA_LOWR_MAX - 1) {
		memset(sig, 0, WALLET_SIGN_ECDSA_MAX);
		return KB_ECRYPTO;
	}
	sig[n] = hash_type;
	*siglen = n + 1;
	return KB_OK;
}

bool wallet_sign_ecdsa_verify(const uint8_t *pubkey, size_t pubkey_len,
                              const struct hash256 *sighash,
                              const uint8_t *der, size_t der_len)
{
	const secp256k1_context *ctx = wallet_secp();
	secp256k1_pubkey pub;
	secp256k1_ecdsa_signature s;
	if (!pubkey || !der || (pubkey_len != 33 && pubkey_len != 65))
		return false;
	if (!secp256k1_ec_pubkey_parse(ctx, &pub, pubkey, pubkey_len))
		return false;
	if (!secp256k1_ecdsa_signature_parse_der(ctx, &s, der, der_len))
		return false;
	secp256k1_ecdsa_signature_normalize(ctx, &s, &s);
	return secp256k1_ecdsa_verify(ctx, &s, sighash->b, &pub) == 1;
}

/* Q = P + t*G as an x-only key and its parity. */
static bool output_key(secp256k1_xonly_pubkey *q, int *parity,
                       const secp256k1_xonly_pubkey *p, const struct hash256 *tweak)
{
	const secp256k1_context *ctx = wallet_secp();
	secp256k1_pubkey full;
	int par = 0;
	if (!secp256k1_xonly_pubkey_tweak_add(ctx, &full, p, tweak->b) ||
	    !secp256k1_xonly_pubkey_from_pubkey(ctx, q, &par, &full))
		return false;
	if (parity)
		*parity = par;
	return true;
}

enum kb_rc wallet_sign_schnorr_taproot(uint8_t sig[WALLET_SIGN_SCHNORR_MAX], size_t *siglen,
                                       const uint8_t seckey[32],
                                       const struct hash256 *merkle_root,
                                       const struct hash256 *sighash, uint8_t hash_type,
                                       const uint8_t aux[32])
{
	const secp256k1_context *ctx = wallet_secp();
	memset(sig, 0, WALLET_SIGN_SCHNORR_MAX);
	*siglen = 0;
	if (!wallet_sighash_taproot_type_valid(hash_type))
		return KB_EINVAL;

	enum kb_rc rc = KB_ECRYPTO;
	secp256k1_keypair kp;
	secp256k1_xonly_pubkey internal, output;
	uint8_t ser[32], rnd[32];
	struct hash256 tweak;
	if (!secp256k1_keypair_create(ctx, &kp, seckey)) {
		rc = KB_EINVAL;
		goto out;
	}
	if (!secp256k1_keypair_xonly_pub(ctx, &internal, NULL, &kp) ||
	    !secp256k1_xonly_pubkey_serialize(ctx, ser, &internal))
		goto out;
	wallet_sighash_taptweak(&tweak, ser, merkle_root);
	if (!secp256k1_keypair_xonly_tweak_add(ctx, &kp, tweak.b))
		goto out;
	if (aux)
		memcpy(rnd, aux, 32);
	else
		randombytes_buf(rnd, sizeof rnd);
	if (!secp256k1_schnorrsig_sign32(ctx, sig, sighash->b, &kp, rnd))
		goto out;
	/* verify against the output key derived from the public side alone */
	if (!output_key(&output, NULL, &internal, &tweak) ||
	    !secp256k1_schnorrsig_verify(ctx, sig, sighash->b, 32, &output))
		goto out;
	if (hash_type != WALLET_SIGHASH_DEFAULT) {
		sig[64] = hash_type;
		*siglen = 65;
	} else {
		*siglen = 64;
	}
	rc = KB_OK;
out:
	kb_wipe(&kp, sizeof kp);
	kb_wipe(rnd, sizeof rnd);
	if (rc != KB_OK)
		memset(sig, 0, WALLET_SIGN_SCHNORR_MAX);
	return rc;
}

enum kb_rc wallet_sign_taproot_output_key(uint8_t out[32], int *parity,
                                          const uint8_t internal_xonly[32],
                                          const struct hash256 *merkle_root)
{
	const secp256k1_context *ctx = wallet_secp();
	secp256k1_xonly_pubkey p, q;
	struct hash256 tweak;
	memset(out, 0, 32);
	if (parity)
		*parity = 0;
	if (!secp256k1_xonly_pubkey_parse(ctx, &p, internal_xonly))
		return KB_EINVAL;
	wallet_sighash_taptweak(&tweak, internal_xonly, merkle_root);
	if (!output_key(&q, parity, &p, &tweak) || !secp256k1_xonly_pubkey_serialize(ctx, out, &q)) {
		memset(out, 0, 32);
		return KB_ECRYPTO;
	}
	return KB_OK;
}

bool wallet_sign_schnorr_verify(const uint8_t xonly[32], const struct hash256 *msg,
                                const uint8_t sig[64])
{
	const secp256k1_context *ctx = wallet_secp();
	secp256k1_xonly_pubkey p;
	if (!xonly || !sig || !secp256k1_xonly_pubkey_parse(ctx, &p, xonly))
		return false;
	return secp256k1_schnorrsig_verify(ctx, sig, msg->b, 32, &p) == 1;
}
