/*
 * The keystore (see keystore.h): all the code that touches the wallet's
 * decrypted secrets at rest. Kept small on purpose, to be read in one
 * sitting. Every buffer that holds a secret, a plaintext or a derived key
 * comes from kb_secret_alloc and goes back through kb_secret_free, which
 * wipes it; every exit goes through one `out:` label.
 */
#include "wallet/keystore.h"

#include "wallet/mem.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

#define KEY_LEN crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES
#define AD_TAG "koban-keystore"
#define AD_LEN (sizeof AD_TAG - 1 + WALLET_STORE_ID_LEN + 4)
#define PT_MIN (2 + 1 + 2 + WALLET_KEYSTORE_SEED_LEN)
#define PT_MAX (2 + WALLET_KEYSTORE_MNEMONIC_MAX + 2 + WALLET_KEYSTORE_PASSPHRASE_MAX + \
                WALLET_KEYSTORE_SEED_LEN)
#define OPS_MAX 64
#define MEM_MAX (UINT64_C(4) << 30)

_Static_assert(WALLET_STORE_SALT_LEN == crypto_pwhash_SALTBYTES, "salt length");
_Static_assert(WALLET_STORE_NONCE_LEN == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, "nonce");
_Static_assert(PT_MAX + TAG_LEN <= WALLET_STORE_SEALED_MAX, "sealed blob cap");

void wallet_keystore_kdf_default(struct wallet_kdf_params *p)
{
	KB_ASSERT(p);
	p->opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
	p->memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
}

void wallet_keystore_kdf_cheap(struct wallet_kdf_params *p)
{
	KB_ASSERT(p);
	p->opslimit = crypto_pwhash_argon2id_OPSLIMIT_MIN;
	p->memlimit = crypto_pwhash_argon2id_MEMLIMIT_MIN;
}

bool wallet_keystore_kdf_valid(const struct wallet_kdf_params *p)
{
	return p && p->opslimit >= crypto_pwhash_argon2id_OPSLIMIT_MIN && p->opslimit <= OPS_MAX &&
	       p->memlimit >= crypto_pwhash_argon2id_MEMLIMIT_MIN && p->memlimit <= MEM_MAX &&
	       p->memlimit <= SIZE_MAX;
}

struct wallet_secrets *wallet_keystore_secrets_new(void)
{
	struct wallet_secrets *s = kb_secret_alloc(sizeof *s);
	sodium_memzero(s, sizeof *s);
	return s;
}

void wallet_keystore_secrets_free(struct wallet_secrets *s)
{
	kb_secret_free(s); /* sodium_free wipes */
}

enum kb_rc wallet_keystore_secrets_set(struct wallet_secrets *s,
                                       const char *mnemonic, size_t mnemonic_len,
                                       const char *passphrase, size_t passphrase_len,
                                       const uint8_t seed[WALLET_KEYSTORE_SEED_LEN])
{
	KB_ASSERT(s && mnemonic && seed && (passphrase || passphrase_len == 0));
	sodium_memzero(s, sizeof *s);
	if (mnemonic_len > WALLET_KEYSTORE_MNEMONIC_MAX || passphrase_len > WALLET_KEYSTORE_PASSPHRASE_MAX)
		return KB_ELIMIT;
	if (mnemonic_len == 0 || memchr(mnemonic, '\0', mnemonic_len) ||
	    (passphrase_len && memchr(passphrase, '\0', passphrase_len)))
		return KB_EINVAL;
	memcpy(s->mnemonic, mnemonic, mnemonic_len);
	s->mnemonic_len = mnemonic_len;
	if (passphrase_len)
		memcpy(s->passphrase, passphrase, passphrase_len);
	s->passphrase_len = passphrase_len;
	memcpy(s->seed, seed, WALLET_KEYSTORE_SEED_LEN);
	return KB_OK;
}

/* Associated data: binds the blob to this wallet and this format. */
static enum kb_rc make_ad(struct wallet_store *st, uint8_t ad[AD_LEN], uint32_t version)
{
	struct wallet_store_meta m;
	enum kb_rc rc = wallet_store_meta_get(st, &m);
	if (rc != KB_OK)
		return rc;
	memcpy(ad, AD_TAG, sizeof AD_TAG - 1);
	memcpy(ad + sizeof AD_TAG - 1, m.wallet_id, WALLET_STORE_ID_LEN);
	uint8_t *v = ad + sizeof AD_TAG - 1 + WALLET_STORE_ID_LEN;
	v[0] = (uint8_t)version;
	v[1] = (uint8_t)(version >> 8);
	v[2] = (uint8_t)(version >> 16);
	v[3] = (uint8_t)(version >> 24);
	return KB_OK;
}

/* Argon2id into key (KEY_LEN bytes of secret memory). */
static enum kb_rc derive(uint8_t *key, const char *password, size_t password_len,
                         const uint8_t salt[WALLET_STORE_SALT_LEN], const struct wallet_kdf_params *kdf)
{
	if (crypto_pwhash(key, KEY_LEN, password, password_len, salt, kdf->opslimit,
	                  (size_t)kdf->memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return KB_ENOMEM; /* libsodium's only failure here: the memory */
	return KB_OK;
}

/* Seals sec and writes it, replacing any keystore row. */
static enum kb_rc seal_write(struct wallet_store *st, const struct wallet_secrets *sec,
                             const char *password, size_t password_len,
                             const struct wallet_kdf_params *kdf)
{
	if (!wallet_keystore_kdf_valid(kdf))
		return KB_EINVAL;
	if (password_len > WALLET_KEYSTORE_PASSWORD_MAX)
		return KB_ELIMIT;
	if (sec->mnemonic_len == 0 || sec->mnemonic_len > WALLET_KEYSTORE_MNEMONIC_MAX ||
	    sec->passphrase_len > WALLET_KEYSTORE_PASSPHRASE_MAX)
		return KB_EINVAL;
	uint8_t ad[AD_LEN];
	enum kb_rc rc = make_ad(st, ad, WALLET_KEYSTORE_FORMAT);
	if (rc != KB_OK)
		return rc;
	struct wallet_store_sealed sl = {
		.format_version = WALLET_KEYSTORE_FORMAT,
		.kdf_alg = crypto_pwhash_ALG_ARGON2ID13,
		.opslimit = kdf->opslimit,
		.memlimit = kdf->memlimit,
	};
	size_t pt_len = 2 + sec->mnemonic_len + 2 + sec->passphrase_len + WALLET_KEYSTORE_SEED_LEN;
	uint8_t *key = kb_secret_alloc(KEY_LEN);
	uint8_t *pt = kb_secret_alloc(pt_len);
	randombytes_buf(sl.salt, sizeof sl.salt);
	randombytes_buf(sl.nonce, sizeof sl.nonce);
	rc = derive(key, password, password_len, sl.salt, kdf);
	if (rc != KB_OK)
		goto out;
	uint8_t *p = pt;
	*p++ = (uint8_t)sec->mnemonic_len;
	*p++ = (uint8_t)(sec->mnemonic_len >> 8);
	memcpy(p, sec->mnemonic, sec->mnemonic_len);
	p += sec->mnemonic_len;
	*p++ = (uint8_t)sec->passphrase_len;
	*p++ = (uint8_t)(sec->passphrase_len >> 8);
	memcpy(p, sec->passphrase, sec->passphrase_len);
	p += sec->passphrase_len;
	memcpy(p, sec->seed, WALLET_KEYSTORE_SEED_LEN);
	sl.ct_len = pt_len + TAG_LEN;
	sl.ct = kb_malloc(sl.ct_len);
	unsigned long long clen = 0;
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(sl.ct, &clen, pt, pt_len, ad, sizeof ad,
	                                               NULL, sl.nonce, key) != 0 ||
	    clen != sl.ct_len) {
		rc = KB_ECRYPTO;
		goto out;
	}
	rc = wallet_store_keystore_put(st, &sl);
out:
	kb_secret_free(key);
	kb_secret_free(pt);
	wallet_store_sealed_clear(&sl);
	return rc;
}

enum kb_rc wallet_keystore_seal(struct wallet_store *st, const struct wallet_secrets *sec,
                                const char *password, size_t password_len,
                                const struct wallet_kdf_params *kdf)
{
	KB_ASSERT(st && sec && (password || password_len == 0));
	if (sodium_init() < 0)
		return KB_ECRYPTO;
	struct wallet_store_sealed old;
	enum kb_rc rc = wallet_store_keystore_get(st, &old);
	wallet_store_sealed_clear(&old);
	if (rc == KB_OK)
		return KB_EEXIST;
	if (rc != KB_ENOTFOUND)
		return rc;
	return seal_write(st, sec, password, password_len, kdf);
}

/* Reads the plaintext layout into s; false when it is malformed. */
static bool parse_plain(struct wallet_secrets *s, const uint8_t *pt, size_t n)
{
	if (n < PT_MIN || n > PT_MAX)
		return false;
	size_t ml = (size_t)pt[0] | (size_t)pt[1] << 8;
	if (ml == 0 || ml > WALLET_KEYSTORE_MNEMONIC_MAX || 2 + ml + 2 > n)
		return false;
	size_t pl = (size_t)pt[2 + ml] | (size_t)pt[3 + ml] << 8;
	if (pl > WALLET_KEYSTORE_PASSPHRASE_MAX || 2 + ml + 2 + pl + WALLET_KEYSTORE_SEED_LEN != n)
		return false;
	return wallet_keystore_secrets_set(s, (const char *)pt + 2, ml, (const char *)pt + 4 + ml, pl,
	                                   pt + 4 + ml + pl) == KB_OK;
}

enum kb_rc wallet_keystore_unseal(struct wallet_store *st, struct wallet_secrets **out,
                                  const char *password, size_t password_len)
{
	KB_ASSERT(st && out && (password || password_len == 0));
	*out = NULL;
	if (sodium_init() < 0)
		return KB_ECRYPTO;
	if (password_len > WALLET_KEYSTORE_PASSWORD_MAX)
		return KB_EAUTH; /* no password that long was ever accepted */
	struct wallet_store_sealed sl;
	uint8_t *key = NULL, *pt = NULL;
	struct wallet_secrets *s = NULL;
	uint8_t ad[AD_LEN];
	enum kb_rc rc = wallet_store_keystore_get(st, &sl);
	if (rc == KB_ENOTFOUND)
		return KB_EWATCHONLY;
	if (rc != KB_OK)
		return rc;
	struct wallet_kdf_params kdf = { sl.opslimit, sl.memlimit };
	if (sl.format_version > WALLET_KEYSTORE_FORMAT) {
		rc = KB_EVERSION;
		goto out;
	}
	if (sl.format_version != WALLET_KEYSTORE_FORMAT || sl.kdf_alg != crypto_pwhash_ALG_ARGON2ID13) {
		rc = KB_EUNSUPPORTED;
		goto out;
	}
	if (!wallet_keystore_kdf_valid(&kdf)) {
		rc = KB_ELIMIT; /* a file that asks for absurd memory or time */
		goto out;
	}
	if (sl.ct_len < PT_MIN + TAG_LEN || sl.ct_len > PT_MAX + TAG_LEN) {
		rc = KB_EPARSE;
		goto out;
	}
	rc = make_ad(st, ad, sl.format_version);
	if (rc != KB_OK)
		goto out;
	key = kb_secret_alloc(KEY_LEN);
	pt = kb_secret_alloc(sl.ct_len - TAG_LEN);
	rc = derive(key, password, password_len, sl.salt, &kdf);
	if (rc != KB_OK)
		goto out;
	unsigned long long plen = 0;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &plen, NULL, sl.ct, sl.ct_len, ad,
	                                               sizeof ad, sl.nonce, key) != 0) {
		rc = KB_EAUTH;
		goto out;
	}
	s = wallet_keystore_secrets_new();
	if (!parse_plain(s, pt, (size_t)plen)) {
		rc = KB_EPARSE; /* authentic yet malformed: written by a broken koban */
		goto out;
	}
	*out = s;
	s = NULL;
out:
	wallet_keystore_secrets_free(s);
	kb_secret_free(key);
	kb_secret_free(pt);
	wallet_store_sealed_clear(&sl);
	return rc;
}

enum kb_rc wallet_keystore_change_password(struct wallet_store *st,
                                           const char *old_password, size_t old_len,
                                           const char *new_password, size_t new_len,
                                           const struct wallet_kdf_params *kdf)
{
	KB_ASSERT(st && (old_password || old_len == 0) && (new_password || new_len == 0));
	struct wallet_kdf_params keep;
	if (!kdf) {
		enum kb_rc prc = wallet_keystore_params(st, &keep);
		if (prc != KB_OK)
			return prc;
		kdf = &keep;
	}
	if (!wallet_keystore_kdf_valid(kdf))
		return KB_EINVAL;
	if (new_len > WALLET_KEYSTORE_PASSWORD_MAX)
		return KB_ELIMIT;
	struct wallet_secrets *s = NULL;
	enum kb_rc rc = wallet_store_begin(st);
	if (rc != KB_OK)
		return rc;
	rc = wallet_keystore_unseal(st, &s, old_password, old_len);
	if (rc == KB_OK)
		rc = seal_write(st, s, new_password, new_len, kdf);
	wallet_keystore_secrets_free(s);
	if (rc == KB_OK)
		return wallet_store_commit(st);
	if (wallet_store_rollback(st) != KB_OK)
		return KB_EDB;
	return rc;
}

enum kb_rc wallet_keystore_params(struct wallet_store *st, struct wallet_kdf_params *out)
{
	KB_ASSERT(st && out);
	out->opslimit = out->memlimit = 0;
	struct wallet_store_sealed sl;
	enum kb_rc rc = wallet_store_keystore_get(st, &sl);
	if (rc == KB_OK) {
		out->opslimit = sl.opslimit;
		out->memlimit = sl.memlimit;
	}
	wallet_store_sealed_clear(&sl);
	return rc == KB_ENOTFOUND ? KB_EWATCHONLY : rc;
}
