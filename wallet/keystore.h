/*
 * The keystore: the wallet's secrets (BIP39 mnemonic, BIP39 passphrase,
 * 64-byte seed), sealed under the user's password and kept in the wallet
 * store as one blob.
 *
 * Sealing: key = Argon2id(password, salt; opslimit, memlimit) with
 * libsodium's crypto_pwhash (ALG_ARGON2ID13), a fresh random 16-byte salt
 * per sealing; then XChaCha20-Poly1305 (IETF) with a fresh random 24-byte
 * nonce and, as associated data, "koban-keystore" || wallet id (16 bytes)
 * || format version (u32 little endian). The salt, nonce, KDF parameters
 * and format version are stored beside the ciphertext, so a blob moved to
 * another wallet, or any byte changed, fails authentication.
 *
 * Plaintext (format 1): u16le mnemonic length, mnemonic bytes, u16le
 * passphrase length, passphrase bytes, 64 seed bytes.
 *
 * Invariants: decrypted secrets, the plaintext and the derived key exist
 * only in sodium_malloc memory (guarded, mlock'ed) and are wiped when
 * freed; nothing here logs or prints a secret, and error results carry no
 * secret. A wrong password is KB_EAUTH and changes nothing. Public data
 * (descriptors with xpubs, addresses, transactions) is not in here: a
 * locked wallet can sync and show its balance.
 *
 * The KDF is slow on purpose (default: libsodium MODERATE, 256 MiB and 3
 * passes, about a second): do not call these from an event-loop callback.
 */
#ifndef KOBAN_WALLET_KEYSTORE_H
#define KOBAN_WALLET_KEYSTORE_H

#include "wallet/rc.h"
#include "wallet/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WALLET_KEYSTORE_FORMAT 1
#define WALLET_KEYSTORE_MNEMONIC_MAX 1023    /* bytes, without the NUL */
#define WALLET_KEYSTORE_PASSPHRASE_MAX 1023  /* bytes, without the NUL */
#define WALLET_KEYSTORE_SEED_LEN 64
#define WALLET_KEYSTORE_PASSWORD_MAX 4096    /* bytes */

/* Argon2id cost. Bounds: opslimit 1..64, memlimit 8 KiB..4 GiB. */
struct wallet_kdf_params {
	uint64_t opslimit;
	uint64_t memlimit;  /* bytes */
};

/* The default: crypto_pwhash_OPSLIMIT_MODERATE / MEMLIMIT_MODERATE. */
void wallet_keystore_kdf_default(struct wallet_kdf_params *p);
/*
 * The cheapest parameters libsodium allows. For tests only (the CLI offers
 * them behind an explicit test option); they protect nothing.
 */
void wallet_keystore_kdf_cheap(struct wallet_kdf_params *p);
/* True when p is within the bounds above. */
bool wallet_keystore_kdf_valid(const struct wallet_kdf_params *p);

/*
 * Decrypted secrets. The whole struct lives in secret memory: create it
 * with wallet_keystore_secrets_new, free it with wallet_keystore_secrets_free
 * (which wipes it), never copy it by value.
 */
struct wallet_secrets {
	size_t mnemonic_len;
	size_t passphrase_len;
	char mnemonic[WALLET_KEYSTORE_MNEMONIC_MAX + 1];      /* NUL-terminated */
	char passphrase[WALLET_KEYSTORE_PASSPHRASE_MAX + 1];  /* NUL-terminated; "" for none */
	uint8_t seed[WALLET_KEYSTORE_SEED_LEN];
};

/* A zeroed secrets struct in secret memory (aborts if none can be had). */
struct wallet_secrets *wallet_keystore_secrets_new(void);
/*
 * Fills s. KB_ELIMIT when a length is over its maximum, KB_EINVAL when the
 * mnemonic is empty or either text contains a NUL; on failure s is wiped.
 */
enum kb_rc wallet_keystore_secrets_set(struct wallet_secrets *s,
                                       const char *mnemonic, size_t mnemonic_len,
                                       const char *passphrase, size_t passphrase_len,
                                       const uint8_t seed[WALLET_KEYSTORE_SEED_LEN]) KB_WUR;
/* Wipes and frees; NULL is a no-op. */
void wallet_keystore_secrets_free(struct wallet_secrets *s);

/*
 * Seals sec under password into the wallet (the first time: KB_EEXIST when
 * the wallet already has a keystore; use change_password to re-seal).
 * KB_EINVAL for parameters out of bounds, KB_ELIMIT for a password over
 * WALLET_KEYSTORE_PASSWORD_MAX, KB_ENOMEM when the KDF cannot get its
 * memory. One write: the wallet has the whole keystore or none.
 */
enum kb_rc wallet_keystore_seal(struct wallet_store *st, const struct wallet_secrets *sec,
                                const char *password, size_t password_len,
                                const struct wallet_kdf_params *kdf) KB_WUR;

/*
 * Unseals the wallet's secrets into *out (caller frees with
 * wallet_keystore_secrets_free; NULL on failure). KB_EAUTH: wrong password
 * or a blob that was changed or moved. KB_EWATCHONLY: the wallet has no
 * keystore. KB_EVERSION: a newer format. KB_EUNSUPPORTED: another KDF.
 * KB_EPARSE / KB_ELIMIT: a stored blob or parameters out of bounds.
 * Writes nothing.
 */
enum kb_rc wallet_keystore_unseal(struct wallet_store *st, struct wallet_secrets **out,
                                  const char *password, size_t password_len) KB_WUR;

/*
 * Re-seals under a new password with a new salt and nonce, in one store
 * transaction: afterwards the old password fails and the new one works;
 * on any failure (KB_EAUTH for a wrong old password) nothing changed.
 * kdf NULL keeps the stored parameters.
 */
enum kb_rc wallet_keystore_change_password(struct wallet_store *st,
                                           const char *old_password, size_t old_len,
                                           const char *new_password, size_t new_len,
                                           const struct wallet_kdf_params *kdf) KB_WUR;

/*
 * The stored KDF parameters (to show, or to reuse). KB_EWATCHONLY when the
 * wallet has no keystore.
 */
enum kb_rc wallet_keystore_params(struct wallet_store *st, struct wallet_kdf_params *out) KB_WUR;

#endif
