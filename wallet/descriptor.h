/*
 * Output script descriptors (BIP380-386, BIP389), the subset koban's
 * accounts need, parsed strictly.
 *
 * Supported script expressions (everything else is refused with
 * KB_EUNSUPPORTED and a message naming it, never guessed):
 *   pkh(KEY)        P2PKH            (BIP44 accounts)
 *   sh(wpkh(KEY))   P2SH-P2WPKH      (BIP49)
 *   wpkh(KEY)       P2WPKH           (BIP84)
 *   tr(KEY)         P2TR, key path only, BIP86 tweak with no script tree
 *   addr(ADDR)      the address's scriptPubKey (of the descriptor's network)
 *   raw(HEX)        a literal scriptPubKey
 * Refused as unsupported: pk, wsh, multi, sortedmulti, multi_a,
 * sortedmulti_a, combo, rawtr, musig, tr(KEY,TREE) and sh() of anything but
 * wpkh().
 *
 * KEY is a key expression (BIP380):
 *   [ORIGIN] optional: [fingerprint/step/step...], 8 hex digits then steps
 *   a hex public key: 33 bytes compressed; 65 bytes uncompressed (only in
 *     pkh); 32 bytes x-only (only in tr)
 *   a WIF private key (compressed; uncompressed only in pkh)
 *   an xpub/xprv (tpub/tprv on the test networks) followed by /NUM steps,
 *     at most one BIP389 multipath step /<NUM;NUM;...>, and an optional
 *     final wildcard /\* (or /\*h, which needs an xprv).
 * A step is a decimal 0..2^31-1 without leading zeros, hardened with h or '
 * (H is refused). Hardened steps after an xpub are refused: deriving them
 * needs the private key. SLIP-132 ypub/zpub/upub/vpub are not valid in a
 * descriptor (BIP380): convert them to xpub/tpub first.
 *
 * Network: keys and addresses must belong to the network the descriptor is
 * parsed for; a tpub on mainnet (or an xpub on a test network) is refused
 * with KB_ENETWORK.
 *
 * Checksum: "#" and 8 characters (BIP380) is verified when present; a wrong
 * one is KB_ECHECKSUM and the message names the expected checksum. Output
 * always carries the checksum.
 *
 * Canonical text: the hardened marker is h, or ' when the input used '
 * anywhere (Bitcoin Core does the same); the fingerprint and hex keys are
 * lower case; keys are re-encoded from their bytes. The public text never
 * contains private material: an xprv becomes its xpub, a WIF key its hex
 * public key (x-only in tr(), as Core prints it). When hardened steps follow
 * an xprv, the public text is normalised the way Core's listdescriptors
 * does it: those steps move into the origin and the key becomes the xpub
 * at the last hardened step. The private text (the xprv/WIF as given) is
 * produced only by wallet_descriptor_serialize_private, into secret memory.
 *
 * Accounts: wallet_descriptor_account builds one descriptor per account
 * with a multipath step, KEY/<0;1>/\*, so one object derives both chains
 * (chain 0 receive, chain 1 change). Exports for other wallets (Core,
 * Sparrow, Electrum) use the two single-path descriptors /0/\* and /1/\*
 * that wallet_descriptor_expand gives; multipath text is accepted on input,
 * and two descriptors that differ only in that step can be joined back
 * with wallet_descriptor_join.
 *
 * Secrets: the private key of an xprv or WIF lives only in sodium_malloc
 * memory owned by the descriptor and is wiped when it is freed. Error
 * messages never quote key text (they give offsets).
 *
 * A descriptor object is immutable after parsing; every function may be
 * called from a loop callback (deriving costs a few EC operations).
 */
#ifndef KOBAN_WALLET_DESCRIPTOR_H
#define KOBAN_WALLET_DESCRIPTOR_H

#include "wallet/network.h"
#include "wallet/rc.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WALLET_DESCRIPTOR_MAX_LEN 4096   /* input characters, "#checksum" included */
#define WALLET_DESCRIPTOR_MAX_STEPS 32   /* derivation steps in an origin, and after a key */
#define WALLET_DESCRIPTOR_MAX_PATHS 16   /* alternatives in one BIP389 multipath step */
#define WALLET_DESCRIPTOR_CHECKSUM_LEN 8
#define WALLET_DESCRIPTOR_SPK_MAX 1024     /* bytes: the raw() bound, and enough for any script here */
#define WALLET_DESCRIPTOR_HARDENED 0x80000000u

enum wallet_descriptor_type {
	WALLET_DESCRIPTOR_PKH = 1,     /* pkh(KEY): P2PKH, BIP44 */
	WALLET_DESCRIPTOR_SH_WPKH = 2, /* sh(wpkh(KEY)): P2SH-P2WPKH, BIP49 */
	WALLET_DESCRIPTOR_WPKH = 3,    /* wpkh(KEY): P2WPKH, BIP84 */
	WALLET_DESCRIPTOR_TR = 4,      /* tr(KEY): P2TR key path, BIP86 */
	WALLET_DESCRIPTOR_ADDR = 5,    /* addr(ADDR) */
	WALLET_DESCRIPTOR_RAW = 6,     /* raw(HEX) */
};

/* Chains of an account descriptor (the alternatives of /<0;1>/\*). */
enum wallet_descriptor_chain {
	WALLET_DESCRIPTOR_RECEIVE = 0,
	WALLET_DESCRIPTOR_CHANGE = 1,
};

struct wallet_descriptor; /* opaque; immutable once made */
struct wallet_bip32_pub;
struct wallet_bip32_priv;

/*
 * The BIP380 checksum of len characters of s (no "#"). out gets 8
 * characters and a NUL. KB_EPARSE when a character is outside the
 * descriptor character set (out is then ""), KB_ELIMIT when len is over
 * WALLET_DESCRIPTOR_MAX_LEN.
 */
enum kb_rc wallet_descriptor_checksum(char out[WALLET_DESCRIPTOR_CHECKSUM_LEN + 1],
                                      const char *s, size_t len) KB_WUR;

/*
 * Parses len characters of text (no NUL needed; an embedded NUL is an
 * error) for network net. On success *out is the descriptor (caller frees
 * with wallet_descriptor_free). On failure *out is NULL, nothing secret is
 * left behind, and err (optional, errlen bytes) says what and where; the
 * result is KB_EPARSE (malformed), KB_ECHECKSUM (checksum mismatch),
 * KB_ELIMIT (input, path or number over its cap), KB_ENETWORK (a key or
 * address of another network), KB_EINVAL (well-formed but not allowed
 * here: uncompressed key in wpkh, hardened step after an xpub, bad point)
 * or KB_EUNSUPPORTED (valid BIP380 text outside koban's subset).
 */
enum kb_rc wallet_descriptor_parse(struct wallet_descriptor **out, enum kb_net net,
                                   const char *text, size_t len,
                                   char *err, size_t errlen) KB_WUR;

/* Frees d and wipes its secrets. NULL is a no-op. */
void wallet_descriptor_free(struct wallet_descriptor *d);

enum wallet_descriptor_type wallet_descriptor_type(const struct wallet_descriptor *d);
enum kb_net wallet_descriptor_net(const struct wallet_descriptor *d);
/* "pkh", "sh(wpkh)", "wpkh", "tr", "addr", "raw". Never NULL. */
const char *wallet_descriptor_type_name(enum wallet_descriptor_type t);
/* For people: "P2WPKH (native segwit, BIP84)" and so on. Never NULL. */
const char *wallet_descriptor_type_describe(enum wallet_descriptor_type t);
/* True when the key ends in a wildcard (/\* or /\*h). */
bool wallet_descriptor_is_ranged(const struct wallet_descriptor *d);
/* True when d holds a private key (xprv or WIF). */
bool wallet_descriptor_has_private(const struct wallet_descriptor *d);
/* Number of chains: the multipath alternatives, or 1 without one. */
size_t wallet_descriptor_chain_count(const struct wallet_descriptor *d);

/*
 * The single-path descriptor of one chain (which < chain_count): the
 * multipath step replaced by that alternative (BIP389 expansion); for a
 * descriptor without multipath, a copy. *out is NULL on failure; caller
 * frees. KB_EINVAL when which is out of range.
 */
enum kb_rc wallet_descriptor_expand(struct wallet_descriptor **out,
                                    const struct wallet_descriptor *d,
                                    size_t which) KB_WUR;

/*
 * Joins a receive and a change descriptor that differ in exactly one
 * step after the key (like .../0/\* and .../1/\*) into the multipath one
 * (.../<0;1>/\*). KB_EINVAL when they differ otherwise. *out NULL on failure.
 */
enum kb_rc wallet_descriptor_join(struct wallet_descriptor **out,
                                  const struct wallet_descriptor *receive,
                                  const struct wallet_descriptor *change) KB_WUR;

/*
 * The public canonical text with "#checksum", NUL-terminated, in *out
 * (kb_malloc'd; caller frees with kb_free). Never contains private
 * material. KB_EUNSUPPORTED when there is no public form: a hardened
 * wildcard (/\*h) or hardened steps after an xprv inside or after a
 * multipath step (expand it first). *out is NULL on failure.
 */
enum kb_rc wallet_descriptor_serialize(const struct wallet_descriptor *d,
                                       char **out) KB_WUR;

/*
 * The private canonical text with "#checksum" (xprv / WIF as parsed) in
 * *out, allocated in secret memory: the caller frees it with
 * kb_secret_free. KB_EWATCHONLY when d has no private key. *out is NULL on
 * failure.
 */
enum kb_rc wallet_descriptor_serialize_private(const struct wallet_descriptor *d,
                                               char **out) KB_WUR;

/*
 * The scriptPubKey of chain (< chain_count) at child index (ranged: below
 * 2^31; not ranged: 0). Writes *len bytes into spk (spkcap bytes;
 * WALLET_DESCRIPTOR_SPK_MAX always suffices). KB_EINVAL for a bad chain or
 * index, KB_ELIMIT when spkcap is too small, KB_ECRYPTO in the 2^-127 case
 * of an invalid child key. *len is 0 on failure.
 */
enum kb_rc wallet_descriptor_derive_spk(const struct wallet_descriptor *d,
                                        size_t chain, uint32_t index,
                                        uint8_t *spk, size_t spkcap,
                                        size_t *len) KB_WUR;

/*
 * The address of the same script, NUL-terminated in out (outlen >= 91
 * always suffices). KB_EUNSUPPORTED for a raw() script that has no
 * address. out is "" on failure.
 */
enum kb_rc wallet_descriptor_derive_address(const struct wallet_descriptor *d,
                                            size_t chain, uint32_t index,
                                            char *out, size_t outlen) KB_WUR;

/* What a signer or PSBT (BIP174 / BIP371 derivation fields) needs of a key. */
struct wallet_descriptor_keyinfo {
	uint8_t pubkey[33];      /* compressed; an x-only key gets 0x02 (even y) */
	bool compressed;         /* false: an uncompressed key (pkh only) */
	uint8_t pubkey65[65];    /* the uncompressed form, when !compressed */
	uint8_t xonly[32];       /* the x coordinate (the tr internal key) */
	bool has_origin;         /* false: a bare hex/WIF key without origin */
	uint8_t fingerprint[4];  /* master fingerprint (origin's, or the xpub's own) */
	uint32_t path[2 * WALLET_DESCRIPTOR_MAX_STEPS + 1]; /* from the master */
	size_t path_len;
};

/*
 * The public key at chain/index with its full derivation path from the
 * master (origin steps, then the key's steps, then the index). KB_EINVAL
 * for addr()/raw() (no key) or a bad chain/index. *out is zeroed on failure.
 */
enum kb_rc wallet_descriptor_derive_key(const struct wallet_descriptor *d,
                                        size_t chain, uint32_t index,
                                        struct wallet_descriptor_keyinfo *out) KB_WUR;

/*
 * The standard account descriptor of type PKH (BIP44), SH_WPKH (BIP49),
 * WPKH (BIP84) or TR (BIP86) for the account key at m/purpose'/coin'/account'
 * (coin type 0 on mainnet, 1 elsewhere):
 *     type([master_fpr/purposeh/coinh/accounth]KEY/<0;1>/\*)
 * written with h. Give exactly one of account_pub (watch-only) and
 * account_priv (copied into the descriptor's own secret memory; the caller
 * keeps and frees its key). The key must be at depth 3 with child number
 * account' (KB_EINVAL otherwise, and for another type or account >= 2^31).
 * Chain 0 (WALLET_DESCRIPTOR_RECEIVE) is /0/\*, chain 1 (CHANGE) /1/\*;
 * wallet_descriptor_expand gives the two single-path descriptors that Core
 * and Sparrow export. *out is NULL on failure; caller frees.
 */
enum kb_rc wallet_descriptor_account(struct wallet_descriptor **out, enum kb_net net,
                                     enum wallet_descriptor_type type,
                                     const uint8_t master_fpr[4], uint32_t account,
                                     const struct wallet_bip32_pub *account_pub,
                                     const struct wallet_bip32_priv *account_priv) KB_WUR;

#endif
