/*
 * wallet/keystore and wallet/secure: sealing round trip (cheap KDF
 * parameters), wrong passwords, tampering, password change, and a scan of
 * the database and its WAL for any plaintext secret.
 */
#include "tests/support/testsupport.h"

#include "wallet/hex.h"
#include "wallet/keystore.h"
#include "wallet/mem.h"
#include "wallet/secure.h"
#include "wallet/store.h"

#include <sodium.h>

#include <ctype.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

/* The BIP39 test mnemonic and passphrase "TREZOR" (test vector 0). */
static const char mnemonic[] =
	"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
static const char passphrase[] = "TREZOR";
static const char seed_hex[] =
	"c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04";

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	(void)state;
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/koban-ks-XXXXXX", base && base[0] ? base : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *tpath(const char *name)
{
	static char buf[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", tmpdir, name);
	return buf[i];
}

static struct wallet_store *mk(const char *name)
{
	struct wallet_store *st = NULL;
	char err[256];
	if (wallet_store_create(&st, tpath(name), KB_NET_REGTEST, 1, false, NULL, err, sizeof err) != KB_OK)
		fail_msg("create %s: %s", name, err);
	return st;
}

static struct wallet_secrets *test_secrets(void)
{
	uint8_t seed[64];
	assert_true(wallet_hex_decode_exact(seed, 64, seed_hex));
	struct wallet_secrets *s = wallet_keystore_secrets_new();
	assert_int_equal(wallet_keystore_secrets_set(s, mnemonic, strlen(mnemonic), passphrase,
	                                             strlen(passphrase), seed), KB_OK);
	sodium_memzero(seed, sizeof seed);
	return s;
}

static void check_secrets(const struct wallet_secrets *s)
{
	uint8_t seed[64];
	assert_true(wallet_hex_decode_exact(seed, 64, seed_hex));
	assert_int_equal(s->mnemonic_len, strlen(mnemonic));
	assert_string_equal(s->mnemonic, mnemonic);
	assert_string_equal(s->passphrase, passphrase);
	assert_int_equal(sodium_memcmp(s->seed, seed, 64), 0);
}

static struct wallet_kdf_params cheap(void)
{
	struct wallet_kdf_params k;
	wallet_keystore_kdf_cheap(&k);
	return k;
}

static void test_misuse(void **state)
{
	(void)state;
	struct wallet_kdf_params k;
	wallet_keystore_kdf_default(&k);
	assert_true(k.opslimit >= crypto_pwhash_OPSLIMIT_MODERATE);
	assert_true(k.memlimit >= crypto_pwhash_MEMLIMIT_MODERATE);
	assert_true(k.memlimit >= 256u << 20);
	assert_true(wallet_keystore_kdf_valid(&k));
	k = cheap();
	assert_true(wallet_keystore_kdf_valid(&k));
	k.opslimit = 0;
	assert_false(wallet_keystore_kdf_valid(&k));
	k = cheap();
	k.memlimit -= 1;
	assert_false(wallet_keystore_kdf_valid(&k));
	k.memlimit = (UINT64_C(4) << 30) + 1;
	assert_false(wallet_keystore_kdf_valid(&k));
	k = cheap();
	k.opslimit = 65;
	assert_false(wallet_keystore_kdf_valid(&k));
	assert_false(wallet_keystore_kdf_valid(NULL));

	struct wallet_secrets *s = wallet_keystore_secrets_new();
	uint8_t seed[64] = { 1 };
	char *big = kb_calloc(1, WALLET_KEYSTORE_MNEMONIC_MAX + 2);
	memset(big, 'a', WALLET_KEYSTORE_MNEMONIC_MAX + 1);
	assert_int_equal(wallet_keystore_secrets_set(s, big, WALLET_KEYSTORE_MNEMONIC_MAX + 1, "", 0, seed),
	                 KB_ELIMIT);
	assert_int_equal(s->mnemonic_len, 0);
	assert_int_equal(wallet_keystore_secrets_set(s, big, WALLET_KEYSTORE_MNEMONIC_MAX, "", 0, seed),
	                 KB_OK);
	assert_int_equal(wallet_keystore_secrets_set(s, "w", 1, big, WALLET_KEYSTORE_PASSPHRASE_MAX + 1,
	                                             seed), KB_ELIMIT);
	assert_int_equal(wallet_keystore_secrets_set(s, "", 0, "", 0, seed), KB_EINVAL);
	assert_int_equal(wallet_keystore_secrets_set(s, "a\0b", 3, "", 0, seed), KB_EINVAL);
	kb_free(big);

	struct wallet_store *st = mk("misuse.sqlite");
	struct wallet_secrets *out = (struct wallet_secrets *)&k;
	/* No keystore yet: a watch-only wallet. */
	assert_int_equal(wallet_keystore_unseal(st, &out, "pw", 2), KB_EWATCHONLY);
	assert_null(out);
	assert_int_equal(wallet_keystore_params(st, &k), KB_EWATCHONLY);
	assert_int_equal(wallet_keystore_change_password(st, "a", 1, "b", 1, NULL), KB_EWATCHONLY);
	/* Empty secrets, bad parameters, an over-long password. */
	sodium_memzero(s, sizeof *s);
	k = cheap();
	assert_int_equal(wallet_keystore_seal(st, s, "pw", 2, &k), KB_EINVAL);
	wallet_keystore_secrets_free(s);
	s = test_secrets();
	k.opslimit = 0;
	assert_int_equal(wallet_keystore_seal(st, s, "pw", 2, &k), KB_EINVAL);
	k = cheap();
	char *longpw = kb_calloc(1, WALLET_KEYSTORE_PASSWORD_MAX + 1);
	memset(longpw, 'p', WALLET_KEYSTORE_PASSWORD_MAX + 1);
	assert_int_equal(wallet_keystore_seal(st, s, longpw, WALLET_KEYSTORE_PASSWORD_MAX + 1, &k), KB_ELIMIT);
	assert_int_equal(wallet_keystore_params(st, &k), KB_EWATCHONLY); /* nothing written */
	k = cheap();
	assert_int_equal(wallet_keystore_seal(st, s, "pw", 2, &k), KB_OK);
	/* Sealing again would silently replace the secrets: refused. */
	assert_int_equal(wallet_keystore_seal(st, s, "pw", 2, &k), KB_EEXIST);
	assert_int_equal(wallet_keystore_unseal(st, &out, longpw, WALLET_KEYSTORE_PASSWORD_MAX + 1), KB_EAUTH);
	kb_free(longpw);
	wallet_keystore_secrets_free(s);
	wallet_keystore_secrets_free(NULL);
	wallet_store_close(st);
}

static void test_roundtrip(void **state)
{
	(void)state;
	struct wallet_store *st = mk("rt.sqlite");
	struct wallet_secrets *s = test_secrets();
	struct wallet_kdf_params k = cheap();
	assert_int_equal(wallet_keystore_seal(st, s, "correct horse", 13, &k), KB_OK);
	wallet_keystore_secrets_free(s);
	struct wallet_secrets *out = NULL;
	assert_int_equal(wallet_keystore_unseal(st, &out, "correct horse", 13), KB_OK);
	check_secrets(out);
	wallet_keystore_secrets_free(out);
	struct wallet_kdf_params got;
	assert_int_equal(wallet_keystore_params(st, &got), KB_OK);
	assert_int_equal(got.opslimit, k.opslimit);
	assert_int_equal(got.memlimit, k.memlimit);
	wallet_store_close(st);

	/* After reopening too; an empty BIP39 passphrase round-trips as "". */
	char err[256];
	assert_int_equal(wallet_store_open(&st, tpath("rt.sqlite"), NULL, err, sizeof err), KB_OK);
	assert_int_equal(wallet_keystore_unseal(st, &out, "correct horse", 13), KB_OK);
	check_secrets(out);
	wallet_keystore_secrets_free(out);
	wallet_store_close(st);

	st = mk("nopass.sqlite");
	s = wallet_keystore_secrets_new();
	uint8_t seed[64];
	memset(seed, 0xab, sizeof seed);
	assert_int_equal(wallet_keystore_secrets_set(s, "zoo zoo", 7, NULL, 0, seed), KB_OK);
	assert_int_equal(wallet_keystore_seal(st, s, "", 0, &k), KB_OK);
	wallet_keystore_secrets_free(s);
	assert_int_equal(wallet_keystore_unseal(st, &out, "", 0), KB_OK);
	assert_string_equal(out->mnemonic, "zoo zoo");
	assert_string_equal(out->passphrase, "");
	assert_int_equal(out->passphrase_len, 0);
	assert_memory_equal(out->seed, seed, 64);
	wallet_keystore_secrets_free(out);
	wallet_store_close(st);
}

static bool sealed_equal(const struct wallet_store_sealed *a, const struct wallet_store_sealed *b)
{
	return a->format_version == b->format_version && a->kdf_alg == b->kdf_alg &&
	       a->opslimit == b->opslimit && a->memlimit == b->memlimit &&
	       memcmp(a->salt, b->salt, sizeof a->salt) == 0 &&
	       memcmp(a->nonce, b->nonce, sizeof a->nonce) == 0 && a->ct_len == b->ct_len &&
	       memcmp(a->ct, b->ct, a->ct_len) == 0;
}

static void test_wrong_and_tampered(void **state)
{
	(void)state;
	struct wallet_store *st = mk("tamper.sqlite");
	struct wallet_secrets *s = test_secrets();
	struct wallet_kdf_params k = cheap();
	assert_int_equal(wallet_keystore_seal(st, s, "pw1", 3, &k), KB_OK);
	struct wallet_store_sealed orig, now;
	assert_int_equal(wallet_store_keystore_get(st, &orig), KB_OK);

	/* Wrong password: KB_EAUTH, nothing changes. */
	struct wallet_secrets *out = NULL;
	assert_int_equal(wallet_keystore_unseal(st, &out, "pw2", 3), KB_EAUTH);
	assert_null(out);
	assert_int_equal(wallet_keystore_unseal(st, &out, "pw", 2), KB_EAUTH);
	assert_int_equal(wallet_keystore_change_password(st, "nope", 4, "new", 3, NULL), KB_EAUTH);
	assert_int_equal(wallet_store_txn_depth(st), 0);
	assert_int_equal(wallet_store_keystore_get(st, &now), KB_OK);
	assert_true(sealed_equal(&orig, &now));
	wallet_store_sealed_clear(&now);

	/* Each tampered field is rejected. */
	struct wallet_store_sealed t;
	for (int field = 0; field < 6; field++) {
		assert_int_equal(wallet_store_keystore_get(st, &t), KB_OK);
		enum kb_rc want = KB_EAUTH;
		switch (field) {
		case 0: t.ct[0] ^= 1; break;                      /* ciphertext */
		case 1: t.ct[t.ct_len - 1] ^= 0x80; break;        /* tag */
		case 2: t.salt[3] ^= 1; break;                    /* salt: another key */
		case 3: t.nonce[23] ^= 1; break;                  /* nonce */
		case 4: t.opslimit += 1; break;                   /* parameters: another key */
		case 5: t.format_version = 2; want = KB_EVERSION; break;
		}
		assert_int_equal(wallet_store_keystore_put(st, &t), KB_OK);
		assert_int_equal(wallet_keystore_unseal(st, &out, "pw1", 3), want);
		assert_null(out);
		wallet_store_sealed_clear(&t);
		assert_int_equal(wallet_store_keystore_put(st, &orig), KB_OK);
	}
	/* Truncated ciphertext; absurd KDF parameters from a hostile file. */
	assert_int_equal(wallet_store_keystore_get(st, &t), KB_OK);
	t.ct_len = 20;
	assert_int_equal(wallet_store_keystore_put(st, &t), KB_OK);
	assert_int_equal(wallet_keystore_unseal(st, &out, "pw1", 3), KB_EPARSE);
	wallet_store_sealed_clear(&t);
	assert_int_equal(wallet_store_keystore_put(st, &orig), KB_OK);
	assert_int_equal(wallet_store_keystore_get(st, &t), KB_OK);
	t.memlimit = UINT64_C(1) << 40;
	assert_int_equal(wallet_store_keystore_put(st, &t), KB_OK);
	assert_int_equal(wallet_keystore_unseal(st, &out, "pw1", 3), KB_ELIMIT);
	wallet_store_sealed_clear(&t);
	assert_int_equal(wallet_store_keystore_put(st, &orig), KB_OK);
	assert_int_equal(wallet_store_keystore_get(st, &t), KB_OK);
	t.kdf_alg = 1; /* Argon2i */
	assert_int_equal(wallet_store_keystore_put(st, &t), KB_OK);
	assert_int_equal(wallet_keystore_unseal(st, &out, "pw1", 3), KB_EUNSUPPORTED);
	wallet_store_sealed_clear(&t);

	/* Associated data: the blob moved into another wallet (another id) fails. */
	struct wallet_store *other = mk("other.sqlite");
	assert_int_equal(wallet_store_keystore_put(other, &orig), KB_OK);
	assert_int_equal(wallet_keystore_unseal(other, &out, "pw1", 3), KB_EAUTH);
	wallet_store_close(other);
	/* Put back, it works again. */
	assert_int_equal(wallet_store_keystore_put(st, &orig), KB_OK);
	assert_int_equal(wallet_keystore_unseal(st, &out, "pw1", 3), KB_OK);
	check_secrets(out);
	wallet_keystore_secrets_free(out);
	wallet_store_sealed_clear(&orig);
	wallet_keystore_secrets_free(s);
	wallet_store_close(st);
}

static void test_change_password(void **state)
{
	(void)state;
	struct wallet_store *st = mk("passwd.sqlite");
	struct wallet_secrets *s = test_secrets();
	struct wallet_kdf_params k = cheap();
	assert_int_equal(wallet_keystore_seal(st, s, "old", 3, &k), KB_OK);
	wallet_keystore_secrets_free(s);
	struct wallet_store_sealed a, b;
	assert_int_equal(wallet_store_keystore_get(st, &a), KB_OK);
	assert_int_equal(wallet_keystore_change_password(st, "old", 3, "new", 3, NULL), KB_OK);
	assert_int_equal(wallet_store_keystore_get(st, &b), KB_OK);
	assert_memory_not_equal(a.salt, b.salt, sizeof a.salt);
	assert_memory_not_equal(a.nonce, b.nonce, sizeof a.nonce);
	assert_int_equal(b.opslimit, k.opslimit); /* kept */
	wallet_store_sealed_clear(&a);
	wallet_store_sealed_clear(&b);
	struct wallet_secrets *out = NULL;
	assert_int_equal(wallet_keystore_unseal(st, &out, "old", 3), KB_EAUTH);
	assert_int_equal(wallet_keystore_unseal(st, &out, "new", 3), KB_OK);
	check_secrets(out);
	wallet_keystore_secrets_free(out);
	/* New parameters; bad ones refused with nothing changed. */
	struct wallet_kdf_params k2 = { 2, 16384 };
	assert_int_equal(wallet_keystore_change_password(st, "new", 3, "newer", 5, &k2), KB_OK);
	struct wallet_kdf_params got;
	assert_int_equal(wallet_keystore_params(st, &got), KB_OK);
	assert_int_equal(got.opslimit, 2);
	assert_int_equal(got.memlimit, 16384);
	k2.opslimit = 0;
	assert_int_equal(wallet_keystore_change_password(st, "newer", 5, "x", 1, &k2), KB_EINVAL);
	/* Inside the caller's transaction, rolled back by the caller: unchanged. */
	assert_int_equal(wallet_store_begin(st), KB_OK);
	assert_int_equal(wallet_keystore_change_password(st, "newer", 5, "x", 1, NULL), KB_OK);
	assert_int_equal(wallet_store_rollback(st), KB_OK);
	assert_int_equal(wallet_keystore_unseal(st, &out, "x", 1), KB_EAUTH);
	assert_int_equal(wallet_keystore_unseal(st, &out, "newer", 5), KB_OK);
	wallet_keystore_secrets_free(out);
	wallet_store_close(st);
}

/* Reads a whole file, or returns NULL when it does not exist. */
static uint8_t *slurp_opt(const char *path, size_t *len)
{
	*len = 0;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = 1 << 16, n = 0, r;
	uint8_t *b = kb_malloc(cap);
	while ((r = fread(b + n, 1, cap - n, fp)) > 0) {
		n += r;
		if (n == cap)
			b = kb_realloc(b, cap *= 2);
	}
	fclose(fp);
	*len = n;
	return b;
}

static bool contains(const uint8_t *hay, size_t n, const void *needle, size_t m)
{
	return m && n >= m && memmem(hay, n, needle, m) != NULL;
}

/* Fails when any encoding of a secret appears in the file. */
static size_t scan_file(const char *path)
{
	size_t n;
	uint8_t *b = slurp_opt(path, &n);
	if (!b)
		return 0;
	uint8_t seed[64];
	assert_true(wallet_hex_decode_exact(seed, 64, seed_hex));
	char seed_up[129];
	for (size_t i = 0; i < 128; i++)
		seed_up[i] = (char)toupper((unsigned char)seed_hex[i]);
	seed_up[128] = '\0';
	char *mn_hex = wallet_hex_new(mnemonic, strlen(mnemonic));
	const struct { const char *what; const void *p; size_t len; } needles[] = {
		{ "mnemonic", mnemonic, strlen(mnemonic) },
		{ "mnemonic (a word run)", "abandon abandon abandon", 23 },
		{ "mnemonic in hex", mn_hex, strlen(mn_hex) },
		{ "passphrase", "TREZOR", 6 },
		{ "seed", seed, 32 },
		{ "seed (second half)", seed + 32, 32 },
		{ "seed in hex", seed_hex, 64 },
		{ "seed in upper-case hex", seed_up, 64 },
	};
	for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++)
		if (contains(b, n, needles[i].p, needles[i].len))
			fail_msg("%s contains the %s", path, needles[i].what);
	kb_free(mn_hex);
	kb_free(b);
	return n;
}

static void test_no_plaintext(void **state)
{
	(void)state;
	struct wallet_store *st = mk("scan.sqlite");
	struct wallet_secrets *s = test_secrets();
	struct wallet_kdf_params k = cheap();
	assert_int_equal(wallet_keystore_seal(st, s, "pw", 2, &k), KB_OK);
	assert_int_equal(wallet_keystore_change_password(st, "pw", 2, "pw2", 3, NULL), KB_OK);
	struct wallet_secrets *out = NULL;
	assert_int_equal(wallet_keystore_unseal(st, &out, "pw2", 3), KB_OK);
	/* While open: the WAL holds the recent pages. */
	size_t wal = scan_file(tpath("scan.sqlite-wal"));
	assert_true(wal > 0);
	assert_true(scan_file(tpath("scan.sqlite")) > 0);
	scan_file(tpath("scan.lock"));
	wallet_keystore_secrets_free(out);
	wallet_keystore_secrets_free(s);
	wallet_store_close(st);
	/* After the checkpoint at close. */
	assert_true(scan_file(tpath("scan.sqlite")) > 0);
	scan_file(tpath("scan.sqlite-wal"));
	/* The scanner itself finds what it looks for. */
	FILE *fp = fopen(tpath("canary"), "wb");
	assert_non_null(fp);
	fputs(seed_hex, fp);
	fclose(fp);
	size_t n;
	uint8_t *b = slurp_opt(tpath("canary"), &n);
	assert_true(contains(b, n, seed_hex, 64));
	kb_free(b);
}

struct fill_arg {
	struct wallet_secrets *sec;
	enum kb_rc fail_with;    /* returned after the writes when not KB_OK */
	bool leave_open;         /* a buggy callback that forgets a level */
};

static enum kb_rc fill(struct wallet_store *st, void *arg)
{
	struct fill_arg *a = arg;
	struct wallet_store_account acc = { .script_type = "wpkh", .account_index = 0,
	                                    .descriptor = "wpkh(tpubX/0/*)#abcdefgh" };
	int64_t id;
	struct wallet_kdf_params k = cheap();
	enum kb_rc rc = wallet_store_account_insert(st, &id, &acc);
	if (rc == KB_OK)
		rc = wallet_keystore_seal(st, a->sec, "pw", 2, &k);
	if (rc == KB_OK && a->leave_open)
		rc = wallet_store_begin(st);
	return rc == KB_OK && a->fail_with != KB_OK ? a->fail_with : rc;
}

static bool exists_file(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0;
}

static void test_create_with(void **state)
{
	(void)state;
	struct fill_arg a = { .sec = test_secrets(), .fail_with = KB_OK };
	struct wallet_store *st = NULL;
	enum wallet_store_why why;
	char err[256];
	assert_int_equal(wallet_store_create_with(&st, tpath("full.sqlite"), KB_NET_REGTEST, 1, false,
	                                          fill, &a, &why, err, sizeof err), KB_OK);
	wallet_store_close(st);
	assert_int_equal(wallet_store_open(&st, tpath("full.sqlite"), NULL, err, sizeof err), KB_OK);
	struct wallet_secrets *out = NULL;
	assert_int_equal(wallet_keystore_unseal(st, &out, "pw", 2), KB_OK);
	check_secrets(out);
	wallet_keystore_secrets_free(out);
	struct wallet_store_account *accs;
	size_t n;
	assert_int_equal(wallet_store_account_list(st, &accs, &n), KB_OK);
	assert_int_equal(n, 1);
	wallet_store_account_list_free(accs, n);
	wallet_store_close(st);

	/* A failing callback: its code, WALLET_STORE_FILL, and no wallet at all. */
	a.fail_with = KB_ENOMEM;
	st = (struct wallet_store *)&a;
	assert_int_equal(wallet_store_create_with(&st, tpath("half.sqlite"), KB_NET_REGTEST, 1, false,
	                                          fill, &a, &why, err, sizeof err), KB_ENOMEM);
	assert_null(st);
	assert_int_equal(why, WALLET_STORE_FILL);
	assert_false(exists_file(tpath("half.sqlite")));
	char tmpname[600];
	snprintf(tmpname, sizeof tmpname, "%s.new-%ld", tpath("half.sqlite"), (long)getpid());
	assert_false(exists_file(tmpname));
	/* A callback that leaves a transaction level open is refused. */
	a.fail_with = KB_OK;
	a.leave_open = true;
	assert_int_equal(wallet_store_create_with(&st, tpath("half.sqlite"), KB_NET_REGTEST, 1, false,
	                                          fill, &a, &why, err, sizeof err), KB_EINVAL);
	assert_false(exists_file(tpath("half.sqlite")));
	/* The name is free again afterwards. */
	a.leave_open = false;
	assert_int_equal(wallet_store_create_with(&st, tpath("half.sqlite"), KB_NET_REGTEST, 1, false,
	                                          fill, &a, &why, err, sizeof err), KB_OK);
	wallet_store_close(st);
	wallet_keystore_secrets_free(a.sec);
}

static void test_secure(void **state)
{
	(void)state;
	struct wallet_secure_report r;
	char msg[256];
	assert_int_equal(wallet_secure_harden(&r, msg, sizeof msg), KB_OK);
	assert_true(r.not_dumpable);
	assert_true(r.no_core);
	assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	struct rlimit rl;
	assert_int_equal(getrlimit(RLIMIT_CORE, &rl), 0);
	assert_int_equal(rl.rlim_cur, 0);
	if (!r.mlock_ok)
		assert_non_null(strstr(msg, "cannot be locked"));
	else
		assert_string_equal(msg, "");
	printf("# mlock %s, RLIMIT_MEMLOCK %llu\n", r.mlock_ok ? "works" : "limited",
	       (unsigned long long)r.memlock_limit);
	assert_int_equal(wallet_secure_harden(NULL, NULL, 0), KB_OK); /* again */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_wrong_and_tampered),
		cmocka_unit_test(test_change_password),
		cmocka_unit_test(test_no_plaintext),
		cmocka_unit_test(test_create_with),
		cmocka_unit_test(test_secure),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
