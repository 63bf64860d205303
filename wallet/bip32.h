/*
 * BIP32 hierarchical deterministic keys.
 *
 * A master key comes from a seed (HMAC-SHA512 keyed "Bitcoin seed"); child
 * keys are derived privately (CKDpriv, any index) or publicly (CKDpub,
 * non-hardened indices only) with libsecp256k1. Indices >= 2^31
 * (WALLET_BIP32_HARDENED) are hardened; paths are written "m/84'/0'/0'/0/5"
 * or "m/86h/1h/0h" and have at most 255 levels (depth is one byte).
 *
 * Extended keys serialise to 78 bytes (version, depth, parent fingerprint,
 * child number, chain code, key) and to Base58Check text (xpub/xprv on
 * mainnet, tpub/tprv on the test networks, which all share versions).
 * Parsing also accepts SLIP-132 ypub/yprv/upub/uprv (BIP49, P2SH-P2WPKH)
 * and zpub/zprv/vpub/vprv (BIP84, P2WPKH) and reports the script type they
 * imply; koban never writes those. Parsing rejects every invalid key of
 * BIP32 test vector 5: unknown version, public version with private key
 * data and the reverse, key prefix other than 02/03 (public) or 00
 * (private), depth 0 with a non-zero parent fingerprint or child number,
 * private key 0 or >= n, a point not on the curve, a bad checksum.
 *
 * Secrets: a private extended key (struct wallet_bip32_priv) is opaque and
 * lives entirely in kb_secret_alloc memory; _free wipes it. Derivation
 * temporaries that involve a private key are secret memory too and wiped.
 * Public extended keys are a plain copyable value.
 *
 * Nothing here keeps global state besides the shared secp256k1 context;
 * every function may be called from a loop callback.
 */
#ifndef KOBAN_WALLET_BIP32_H
#define KOBAN_WALLET_BIP32_H

#include "wallet/network.h"
#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WALLET_BIP32_HARDENED 0x80000000u
#define WALLET_BIP32_MAX_DEPTH 255
/* Bytes of the binary serialisation (without the Base58Check checksum). */
#define WALLET_BIP32_SERIALIZED_LEN 78
/* A text buffer of this size holds any xpub/xprv with its NUL (they are 111 characters). */
#define WALLET_BIP32_STR_MAX 120

/* A public extended key: a copyable value. */
struct wallet_bip32_pub {
	uint8_t depth;           /* 0 for a master key */
	uint8_t parent_fpr[4];   /* first 4 bytes of HASH160(parent pubkey); zero at depth 0 */
	uint32_t child;          /* index this key was derived with; 0 at depth 0 */
	uint8_t chain[32];       /* chain code */
	uint8_t key[33];         /* compressed public key (02/03 prefix) */
};

/* A private extended key: opaque, in secret memory. */
struct wallet_bip32_priv;

/* A derivation path: up to WALLET_BIP32_MAX_DEPTH indices (hardened ones have the top bit). */
struct wallet_bip32_path {
	size_t len;
	uint32_t index[WALLET_BIP32_MAX_DEPTH];
};

/* The script type a SLIP-132 version implies. */
enum wallet_bip32_script {
	WALLET_BIP32_SCRIPT_NONE = 0, /* xpub/tpub: BIP32 says nothing about scripts */
	WALLET_BIP32_SCRIPT_SH_WPKH,  /* ypub/upub (BIP49): sh(wpkh(...)) */
	WALLET_BIP32_SCRIPT_WPKH,     /* zpub/vpub (BIP84): wpkh(...) */
};

/* What a parsed extended key's version says. */
struct wallet_bip32_info {
	uint32_t version;
	bool is_private;
	/*
	 * The network family: false for mainnet; true for the test family
	 * (testnet3, testnet4, signet and regtest share their versions, so
	 * which of them is meant cannot be told). net is then KB_NET_TEST3, as
	 * a representative; use wallet_bip32_info_matches to check a network.
	 */
	bool is_test;
	enum kb_net net;
	enum wallet_bip32_script script;
};

/* True when info's version is one of net's versions. */
bool wallet_bip32_info_matches(const struct wallet_bip32_info *info, enum kb_net net);
/* "xpub", "tprv", "zpub", ...: the usual prefix name of info's version. Never NULL. */
const char *wallet_bip32_info_name(const struct wallet_bip32_info *info);

/*
 * The master key of a seed of 16..64 bytes (BIP39 seeds are 64). Caller
 * frees *out with wallet_bip32_priv_free. KB_EINVAL for a bad seed length,
 * KB_ECRYPTO for a seed whose key is invalid (probability below 2^-127).
 * *out is NULL on failure.
 */
enum kb_rc wallet_bip32_priv_from_seed(struct wallet_bip32_priv **out, const uint8_t *seed,
                                       size_t seedlen) KB_WUR;
/* Wipes and frees k; NULL is a no-op. */
void wallet_bip32_priv_free(struct wallet_bip32_priv *k);
/* A copy of k in new secret memory; caller frees with wallet_bip32_priv_free. Never NULL. */
struct wallet_bip32_priv *wallet_bip32_priv_dup(const struct wallet_bip32_priv *k);
/* The 32-byte secret key; borrowed, valid until k is freed. Never copy it into ordinary memory. */
const uint8_t *wallet_bip32_priv_seckey(const struct wallet_bip32_priv *k);
/* The public half of k (depth, fingerprint, child number, chain code, public key). */
void wallet_bip32_priv_to_pub(struct wallet_bip32_pub *out, const struct wallet_bip32_priv *k);

/*
 * CKDpriv: the child of parent at index (hardened when >= 2^31). Caller
 * frees *out. KB_ELIMIT when parent is at depth 255; KB_ECRYPTO for the
 * (probability below 2^-127) index whose key is invalid, which BIP32 says
 * to skip. *out is NULL on failure.
 */
enum kb_rc wallet_bip32_priv_child(struct wallet_bip32_priv **out,
                                   const struct wallet_bip32_priv *parent, uint32_t index) KB_WUR;
/* Derives path from parent (an empty path gives a copy). Failures as _child. */
enum kb_rc wallet_bip32_priv_derive(struct wallet_bip32_priv **out,
                                    const struct wallet_bip32_priv *parent,
                                    const struct wallet_bip32_path *path) KB_WUR;

/*
 * CKDpub: the public child of parent at a non-hardened index. KB_EINVAL for
 * a hardened index, KB_ELIMIT at depth 255, KB_EPARSE when parent's key is
 * not a valid point, KB_ECRYPTO for an invalid child (skip it). *out is
 * zeroed on failure.
 */
enum kb_rc wallet_bip32_pub_child(struct wallet_bip32_pub *out, const struct wallet_bip32_pub *parent,
                                  uint32_t index) KB_WUR;
/* Derives a path of non-hardened indices from parent. Failures as _child. */
enum kb_rc wallet_bip32_pub_derive(struct wallet_bip32_pub *out, const struct wallet_bip32_pub *parent,
                                   const struct wallet_bip32_path *path) KB_WUR;

/* The key's own fingerprint: the first 4 bytes of HASH160(k->key). */
void wallet_bip32_fingerprint(uint8_t out[4], const struct wallet_bip32_pub *k);

/*
 * Parses a path: an optional leading "m", then "/"-separated decimal
 * indices below 2^31, each optionally followed by ', h or H for hardened
 * ("m", "m/0'/1", "84h/0h/0h", "0/5"). No spaces, no empty components.
 * KB_EPARSE for malformed text, KB_ELIMIT for more than 255 levels; a
 * message for people goes to err (optional, errlen bytes). out->len is 0
 * on failure.
 */
enum kb_rc wallet_bip32_path_parse(struct wallet_bip32_path *out, const char *s,
                                   char *err, size_t errlen) KB_WUR;
/* Writes "m/84'/0'/0'/0/5" (hardened as '). KB_ELIMIT when outlen is too small (out is then ""). */
enum kb_rc wallet_bip32_path_format(char *out, size_t outlen, const struct wallet_bip32_path *p) KB_WUR;

/*
 * The 78-byte serialisation of k with the given version (any 4 bytes: the
 * PSBT global xpub field uses this form).
 */
void wallet_bip32_pub_serialize_raw(uint8_t out[WALLET_BIP32_SERIALIZED_LEN],
                                    const struct wallet_bip32_pub *k, uint32_t version);
/*
 * xpub (mainnet) or tpub (test networks) text of k, NUL-terminated.
 * KB_ELIMIT when outlen is too small (WALLET_BIP32_STR_MAX suffices); out is
 * then "".
 */
enum kb_rc wallet_bip32_pub_serialize(char *out, size_t outlen, const struct wallet_bip32_pub *k,
                                      enum kb_net net) KB_WUR;
/*
 * xprv or tprv text of k: out is a secret, so it should be kb_secret_alloc
 * memory. KB_ELIMIT when outlen is too small; out is then wiped to "".
 */
enum kb_rc wallet_bip32_priv_serialize(char *out, size_t outlen, const struct wallet_bip32_priv *k,
                                       enum kb_net net) KB_WUR;

/*
 * Parses the 78-byte form in[0..n) (n must be 78) or the Base58Check text s
 * (NUL-terminated, no surrounding whitespace) of an extended key.
 *
 * pub receives the public key (for a private key, its public half). info
 * (optional) receives what the version says. priv selects what is
 * accepted: when NULL, only public keys are (a private one fails with
 * KB_EINVAL, so secrets are not parsed by accident); otherwise *priv is set
 * to a new private key, which the caller frees, if and only if the input
 * was private, and to NULL for a public one.
 *
 * Fails with KB_EPARSE for a malformed or invalid key (wrong length,
 * unknown version, public/private mismatch, bad key prefix, depth 0 with a
 * parent fingerprint or child number, key not in 1..n-1, point not on the
 * curve, bad Base58), KB_ECHECKSUM for a bad checksum, KB_EINVAL as above.
 * err (optional, errlen bytes) gets a message for people. On failure pub
 * and info are zeroed and *priv is NULL. Temporaries are wiped.
 */
enum kb_rc wallet_bip32_parse_raw(struct wallet_bip32_pub *pub, struct wallet_bip32_priv **priv,
                                  struct wallet_bip32_info *info, const uint8_t *in, size_t n,
                                  char *err, size_t errlen) KB_WUR;
enum kb_rc wallet_bip32_parse(struct wallet_bip32_pub *pub, struct wallet_bip32_priv **priv,
                              struct wallet_bip32_info *info, const char *s,
                              char *err, size_t errlen) KB_WUR;

/*
 * BIP341/BIP86 taproot output key: Q = P + t*G with
 * t = tagged_hash("TapTweak", P || merkle_root), merkle_root omitted when
 * NULL (key-path-only outputs, BIP86). internal is the 32-byte x-only key P
 * (for an extended key: k->key + 1). out is Q's x coordinate; *parity
 * (optional) its y parity. KB_EPARSE when internal is not a valid x-only
 * key, KB_ECRYPTO for a tweak out of range (negligible). out is zeroed on
 * failure. Signing with the tweaked key is wallet/sign.c's business.
 */
enum kb_rc wallet_bip32_taproot_output_key(uint8_t out[32], int *parity, const uint8_t internal[32],
                                           const uint8_t *merkle_root) KB_WUR;

#endif
